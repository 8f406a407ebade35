"""Zip archives checked before anything is read from them: no path escapes, no links, no bombs.

The check reads only the central directory, so it runs in the request that uploads the archive.
zipfile never returns more bytes for a member than its directory entry declares (and fails the CRC
when the data disagrees), so limits on the declared sizes bound what reading can produce.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass

from shelfscope.od.io.common import FormatError

# Below this size a member's compression ratio says nothing (a run of spaces compresses 1000:1).
_RATIO_FLOOR_BYTES = 1024 * 1024
_SKIPPED_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True)
class ZipLimits:
    max_members: int
    max_total_bytes: int
    max_ratio: float


class UnsafeArchive(FormatError):
    def __init__(self, message: str, *, file: str | None = None, field: str | None = None) -> None:
        super().__init__(message, kind="unsafe_archive", file=file, field=field)


def normalize_member_name(name: str, archive: str) -> str:
    """The member's path as 'a/b/c.jpg', or UnsafeArchive when it could land outside the folder."""
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        raise UnsafeArchive(f"{archive}: member {name!r} has control characters in its name.", field=name)
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise UnsafeArchive(
            f"{archive}: member {name!r} has an absolute path; archives must hold relative paths only.",
            field=name,
        )
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise UnsafeArchive(
            f"{archive}: member {name!r} climbs out of the archive folder with '..'.", field=name
        )
    return "/".join(parts)


def check_archive(archive: zipfile.ZipFile, limits: ZipLimits, name: str) -> dict[str, zipfile.ZipInfo]:
    """Every file member by its normalised path, after checking names, types and sizes."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeArchive(
            f"{name} has {len(infos):,} members, over the limit of {limits.max_members:,}.", file=name
        )
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    compressed = 0
    for info in infos:
        path = normalize_member_name(info.filename, name)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeArchive(
                f"{name}: member {info.filename!r} is a symbolic link; links are not accepted.",
                file=name,
                field=info.filename,
            )
        if info.is_dir() or not path or path.startswith(_SKIPPED_PREFIXES):
            continue
        if info.flag_bits & 0x1:
            raise UnsafeArchive(
                f"{name}: member {info.filename!r} is encrypted; upload an unencrypted archive.",
                file=name,
                field=info.filename,
            )
        if path in members:
            raise UnsafeArchive(
                f"{name}: member {info.filename!r} appears twice in the archive.",
                file=name,
                field=info.filename,
            )
        if info.file_size > _RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise UnsafeArchive(
                f"{name}: member {info.filename!r} expands {ratio:,.0f} times "
                f"(limit {limits.max_ratio:g}); this looks like a zip bomb.",
                file=name,
                field=info.filename,
            )
        total += info.file_size
        compressed += info.compress_size
        if total > limits.max_total_bytes:
            raise UnsafeArchive(
                f"{name} expands to more than {limits.max_total_bytes:,} bytes, over the limit.", file=name
            )
        members[path] = info
    if total > 16 * _RATIO_FLOOR_BYTES and total > limits.max_ratio * max(compressed, 1):
        raise UnsafeArchive(
            f"{name} expands {total / max(compressed, 1):,.0f} times in all (limit {limits.max_ratio:g}); "
            "this looks like a zip bomb.",
            file=name,
        )
    return members


def open_checked(
    path: str, limits: ZipLimits, name: str
) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """Open and check an archive file; BadZipFile becomes a FormatError naming it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FormatError(
            f"{name} is not a readable zip archive ({exc}).", kind="bad_archive", file=name
        ) from None
    try:
        return archive, check_archive(archive, limits, name)
    except BaseException:
        archive.close()
        raise
