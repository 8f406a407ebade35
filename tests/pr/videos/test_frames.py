"""Frame policies on real videos made with PyAV, without a database: which frames are picked, their
index and time, and what the probe says about a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shelfscope.errors import UnsupportedMedia, ValidationFailed
from shelfscope.pr.videos.frames import FramePolicy, iter_frames, probe_video

MakeVideo = Callable[..., Path]


def _picked(path: Path, policy: FramePolicy) -> list[tuple[int, float]]:
    return [(f.index, f.time_s) for f in iter_frames(path, policy)]


def test_interval_picks_one_frame_per_period_even_at_30_fps(video: MakeVideo) -> None:
    clip = video("c.mp4", seconds=2, fps=30, size=(160, 120))
    # Every frame: the time base rounds frame times, each must still be picked once.
    assert len(_picked(clip, FramePolicy("interval", 1 / 30, 1000))) == 60
    assert _picked(clip, FramePolicy("interval", 0.5, 1000)) == [(0, 0.0), (15, 0.5), (30, 1.0), (45, 1.5)]
    assert _picked(clip, FramePolicy("interval", 0.5, 3)) == [(0, 0.0), (15, 0.5), (30, 1.0)]
    assert _picked(clip, FramePolicy("interval", 10.0, 5)) == [(0, 0.0)]


def test_key_frames_and_first(video: MakeVideo) -> None:
    clip = video("k.mp4", seconds=3, fps=10, gop=10, size=(160, 120))
    assert _picked(clip, FramePolicy("key_frames", 1.0, 50)) == [(0, 0.0), (10, 1.0), (20, 2.0)]
    assert _picked(clip, FramePolicy("first", 1.0, 50)) == [(0, 0.0)]
    frames = list(iter_frames(clip, FramePolicy("interval", 1.0, 50), skip=frozenset({10})))
    assert [f.index for f in frames] == [0, 20]
    assert frames[0].image.size == (160, 120) and frames[0].image.mode == "RGB"


def test_probe_reads_the_facts_and_refuses_what_is_not_a_video(video: MakeVideo, tmp_path: Path) -> None:
    facts = probe_video(video("p.webm", seconds=2, fps=5, size=(160, 120)), "p.webm", 10_000_000)
    assert (facts.format, facts.codec, facts.width, facts.height, facts.fps) == ("webm", "vp9", 160, 120, 5.0)
    assert facts.duration_s == pytest.approx(2.0, abs=0.25)
    with pytest.raises(ValidationFailed) as too_big:
        probe_video(video("q.mp4", seconds=1, fps=5, size=(160, 120)), "q.mp4", 160 * 120 - 1)
    assert too_big.value.extra["file"] == "q.mp4"
    text = tmp_path / "t.mp4"
    text.write_text("hello " * 100)
    with pytest.raises(UnsupportedMedia):
        probe_video(text, "t.mp4", 10_000_000)
