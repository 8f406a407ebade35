"""Reading product videos with PyAV (it ships ffmpeg in its wheel): what a file is, judged by its
content and never by its name, and the frames a frame policy picks from it. Pure: files in, facts and
frames out; no database, no storage."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import av
import av.error
from PIL import Image as PILImage

from shelfscope.errors import UnsupportedMedia, ValidationFailed

FrameMode = Literal["first", "key_frames", "interval"]
ACCEPTED = "MP4, MOV or WebM"
# ffmpeg's demuxer names of the accepted containers (MP4 and MOV share one demuxer, WebM and MKV one).
_MP4_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
_MATROSKA_DEMUXER = "matroska,webm"
_CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
_EXTENSIONS = {"mp4": ".mp4", "mov": ".mov", "webm": ".webm"}
JPEG_QUALITY = 95


@dataclass(frozen=True)
class FramePolicy:
    """Which frames become product images: the first, the key frames, or one every `every_s` seconds;
    never more than `max_frames`."""

    mode: FrameMode = "interval"
    every_s: float = 1.0
    max_frames: int = 50


@dataclass(frozen=True)
class VideoFacts:
    format: str  # mp4 | mov | webm
    codec: str
    width: int
    height: int
    duration_s: float | None
    fps: float | None

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.format]


@dataclass(frozen=True)
class Frame:
    index: int  # position in the stream's decode order, from 0
    time_s: float  # presentation time from the stream's start
    image: PILImage.Image


def _container_format(container: Any, name: str) -> str:
    demuxer = container.format.name
    if demuxer == _MP4_DEMUXER:
        brand = str(container.metadata.get("major_brand", "")).strip()
        return "mov" if brand == "qt" else "mp4"
    if demuxer == _MATROSKA_DEMUXER:
        return "webm"
    raise UnsupportedMedia(
        f"{name} is not a video this server takes (found {demuxer!r} content); upload {ACCEPTED}.",
        file=name,
        field="file",
        accepted=ACCEPTED,
    )


def _open(source: str | BinaryIO, name: str) -> Any:
    try:
        return av.open(source, mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise UnsupportedMedia(
            f"{name} is not a video file ({ACCEPTED}): ffmpeg could not read it ({exc.__class__.__name__}).",
            file=name,
            field="file",
            accepted=ACCEPTED,
        ) from None


def _no_frames(name: str, why: str) -> ValidationFailed:
    return ValidationFailed(f"{name} has no frames to take: {why}.", file=name, field="file")


def probe_video(source: str | Path | BinaryIO, name: str, max_pixels: int) -> VideoFacts:
    """The facts of a video, after proving by its content that it is an accepted container with a video
    stream whose first frame decodes. UnsupportedMedia (415) for anything that is not such a video,
    ValidationFailed (422) for a video without frames or with frames over `max_pixels`."""
    container = _open(str(source) if isinstance(source, Path) else source, name)
    try:
        fmt = _container_format(container, name)
        if not container.streams.video:
            raise _no_frames(name, "it has no video stream")
        stream = container.streams.video[0]
        width, height = int(stream.codec_context.width or 0), int(stream.codec_context.height or 0)
        if width * height > max_pixels:
            raise ValidationFailed(
                f"{name}: its frames are {width} x {height} pixels, over the limit of {max_pixels:,} pixels.",
                file=name,
                field="file",
                limit_pixels=max_pixels,
            )
        first = _first_frame(container, stream, name)
        return VideoFacts(
            format=fmt,
            codec=str(stream.codec_context.name),
            width=width or first.width,
            height=height or first.height,
            duration_s=_duration_s(container, stream),
            fps=float(stream.average_rate) if stream.average_rate else None,
        )
    finally:
        container.close()


def _first_frame(container: Any, stream: Any, name: str) -> Any:
    try:
        for frame in container.decode(stream):
            return frame
    except (av.error.FFmpegError, ValueError, IndexError) as exc:
        raise _no_frames(name, f"its video stream could not be decoded ({exc.__class__.__name__})") from None
    raise _no_frames(name, "its video stream holds no frame")


def _duration_s(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base), 3)
    if container.duration is not None:
        return round(float(container.duration) / av.time_base, 3)
    return None


def _frame_time(frame: Any, start: float) -> float:
    return max(0.0, float(frame.time) - start) if frame.time is not None else 0.0


class _Picker:
    """Whether a decoded frame is the next one the policy wants. Times compare within half a frame:
    frame times are rounded to the stream's time base, so frame 30 of a 30 fps clip may say 0.99997 s."""

    def __init__(self, policy: FramePolicy, fps: float | None) -> None:
        self.policy = policy
        self.tolerance = min(0.5 / fps, policy.every_s / 2) if fps else 1e-3
        self.next_time = 0.0

    def wants(self, frame: Any, time_s: float) -> bool:
        if self.policy.mode == "key_frames":
            return bool(frame.key_frame)
        if self.policy.mode == "first":
            return True
        if time_s + self.tolerance < self.next_time:
            return False
        every = self.policy.every_s
        self.next_time = (int((time_s + self.tolerance) / every) + 1) * every
        return True


def iter_frames(path: Path, policy: FramePolicy, skip: frozenset[int] = frozenset()) -> Iterator[Frame]:
    """The frames `policy` picks, in stream order, as RGB images; frames whose index is in `skip` (taken
    by an earlier run) count toward max_frames but are not converted to images."""
    with av.open(str(path), mode="r") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if policy.mode == "key_frames":
            # The decoder drops everything but key frames: only they are decoded at all.
            stream.codec_context.skip_frame = "NONKEY"
        base = stream.time_base
        start = float(stream.start_time * base) if stream.start_time is not None and base else 0.0
        fps = float(stream.average_rate) if stream.average_rate else None
        picker = _Picker(policy, fps)
        picked = 0
        for decoded, frame in enumerate(container.decode(stream)):
            time_s = _frame_time(frame, start)
            if not picker.wants(frame, time_s):
                continue
            # With only key frames decoded, the position in the stream comes from the time.
            index = round(time_s * fps) if policy.mode == "key_frames" and fps else decoded
            if index not in skip:
                image = frame.to_image()  # type: ignore[no-untyped-call]
                yield Frame(index=index, time_s=round(time_s, 3), image=image)
            picked += 1
            if policy.mode == "first" or picked >= policy.max_frames:
                return


def jpeg_bytes(image: PILImage.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
