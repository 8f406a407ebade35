"""Class colours: a hand-picked palette readable on shelf photos, continued by generated colours, so
classes created one after another never share a colour until there are hundreds of them.

The palette is Tailwind shades 300-600 (no greys, no near-black or near-white), ordered by greedy
farthest-point selection in OKLab: any first n colours are as far apart as the list allows. Past the
palette the sequence goes on the same way over an OKLCH grid of saturated colours, each new one the
farthest from every colour before it. The web app keeps a copy of `PALETTE` for its colour picker
(a test keeps the two equal).
"""

from __future__ import annotations

import math
import threading
from collections import Counter

PALETTE: tuple[str, ...] = (
    "#ef4444",
    "#bef264",
    "#2563eb",
    "#c4b5fd",
    "#16a34a",
    "#c026d3",
    "#f59e0b",
    "#2dd4bf",
    "#0ea5e9",
    "#f472b6",
    "#84cc16",
    "#fca5a5",
    "#8b5cf6",
    "#c084fc",
    "#facc15",
    "#d97706",
    "#0d9488",
    "#7dd3fc",
    "#db2777",
    "#0284c7",
    "#818cf8",
    "#86efac",
    "#f87171",
    "#fdba74",
)

# The generated part: lightness levels that read on dark and bright photo areas alike, and a chroma
# floor below which a colour looks grey.
_LIGHTNESS = (0.60, 0.68, 0.76, 0.84)
_HUE_STEP = 5
_MIN_CHROMA = 0.10
_MAX_CHROMA = 0.20

Lab = tuple[float, float, float]


def _to_linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _to_srgb(linear: float) -> float:
    return 12.92 * linear if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055


def hex_to_oklab(color: str) -> Lab:
    r, g, b = (_to_linear(int(color[i : i + 2], 16) / 255) for i in (1, 3, 5))
    lms = (
        0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
        0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
        0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
    )
    l_, m_, s_ = (math.copysign(abs(v) ** (1 / 3), v) for v in lms)
    return (
        0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
        1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
        0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_,
    )


def _oklch_to_linear_rgb(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    a = chroma * math.cos(math.radians(hue))
    b = chroma * math.sin(math.radians(hue))
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (
        4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
        -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
        -0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_,
    )


def _max_chroma(lightness: float, hue: float) -> float:
    """The most saturated chroma at this lightness and hue that sRGB can show (bisection)."""
    low, high = 0.0, 0.4
    for _ in range(20):
        mid = (low + high) / 2
        if all(-1e-9 <= v <= 1 + 1e-9 for v in _oklch_to_linear_rgb(lightness, mid, hue)):
            low = mid
        else:
            high = mid
    return low


def _oklch_hex(lightness: float, chroma: float, hue: float) -> str:
    rgb = (
        min(1.0, max(0.0, _to_srgb(min(1.0, max(0.0, v)))))
        for v in _oklch_to_linear_rgb(lightness, chroma, hue)
    )
    return "#" + "".join(f"{round(v * 255):02x}" for v in rgb)


class _Sequence:
    """The palette followed by generated colours, extended one at a time on demand."""

    def __init__(self) -> None:
        self.colors: list[str] = list(PALETTE)
        self._candidates: list[tuple[str, Lab]] | None = None
        self._distance: list[float] = []
        # Request threads share the sequence; one extends it at a time.
        self._lock = threading.Lock()

    def _start_generating(self) -> list[tuple[str, Lab]]:
        candidates: list[tuple[str, Lab]] = []
        for lightness in _LIGHTNESS:
            for hue in range(0, 360, _HUE_STEP):
                chroma = min(_max_chroma(lightness, hue), _MAX_CHROMA)
                if chroma >= _MIN_CHROMA:
                    color = _oklch_hex(lightness, chroma, hue)
                    candidates.append((color, hex_to_oklab(color)))
        taken = [hex_to_oklab(c) for c in self.colors]
        self._distance = [min(math.dist(lab, t) for t in taken) for _, lab in candidates]
        return candidates

    def _extend(self) -> bool:
        if self._candidates is None:
            self._candidates = self._start_generating()
        best = max(range(len(self._candidates)), key=self._distance.__getitem__, default=None)
        if best is None or self._distance[best] <= 0:
            return False
        color, lab = self._candidates[best]
        self.colors.append(color)
        self._distance = [
            min(d, math.dist(c, lab)) for d, (_, c) in zip(self._distance, self._candidates, strict=True)
        ]
        return True

    def get(self, index: int) -> str | None:
        if index < len(self.colors):
            return self.colors[index]
        with self._lock:
            while index >= len(self.colors):
                if not self._extend():
                    return None
            return self.colors[index]


_SEQUENCE = _Sequence()


def class_color(index: int) -> str | None:
    """The index-th colour of the sequence (palette first), or None past its end (some hundreds)."""
    return _SEQUENCE.get(index)


def pick_color(usage: Counter[str]) -> str:
    """The first colour of the sequence that no class has, else (hundreds of classes) the least used
    one; counts it in `usage`, so a caller creating many classes counts the colours once."""
    used = {color.lower(): count for color, count in usage.items() if count > 0}
    best: tuple[int, str] | None = None
    index = 0
    while (color := class_color(index)) is not None:
        count = used.get(color, 0)
        if count == 0:
            best = (0, color)
            break
        if best is None or count < best[0]:
            best = (count, color)
        index += 1
    assert best is not None  # the palette is never empty
    usage[best[1]] += 1
    return best[1]
