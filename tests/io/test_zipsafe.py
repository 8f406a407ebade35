"""Zip archives: path escapes, links, encrypted members and bombs are refused from the directory."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from shelfscope.od.io.zipsafe import UnsafeArchive, ZipLimits, check_archive, normalize_member_name

LIMITS = ZipLimits(max_members=100, max_total_bytes=50 * 1024 * 1024, max_ratio=100)


def _zip(*members: tuple[str | zipfile.ZipInfo, bytes]) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize(
    "name", ["../a.json", "a/../../b.jpg", "/etc/passwd", "C:/x.jpg", "..\\evil.txt", "a\x00b"]
)
def test_member_names_that_escape_are_refused(name: str) -> None:
    with pytest.raises(UnsafeArchive):
        normalize_member_name(name, "z.zip")


def test_ordinary_names_are_normalised() -> None:
    assert normalize_member_name("./a//b\\c.jpg", "z.zip") == "a/b/c.jpg"


def test_a_good_archive_lists_its_files_without_folders_or_mac_metadata() -> None:
    members = check_archive(
        _zip(("a/", b""), ("a/b.json", b"{}"), ("__MACOSX/a/._b.json", b"x")), LIMITS, "z.zip"
    )
    assert list(members) == ["a/b.json"]


def test_links_bombs_and_oversized_archives_are_refused() -> None:
    link = zipfile.ZipInfo("a.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(UnsafeArchive, match="symbolic link"):
        check_archive(_zip((link, b"/etc/passwd")), LIMITS, "z.zip")
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        check_archive(_zip(("zeros.json", bytes(8 * 1024 * 1024))), LIMITS, "z.zip")
    with pytest.raises(UnsafeArchive, match="limit of 100"):
        check_archive(_zip(*[(f"{i}.txt", b"x") for i in range(101)]), LIMITS, "z.zip")
    small = ZipLimits(max_members=100, max_total_bytes=1000, max_ratio=100)
    with pytest.raises(UnsafeArchive, match="more than 1,000 bytes"):
        check_archive(_zip(("a.bin", b"a" * 600), ("b.bin", b"b" * 600)), small, "z.zip")
    with pytest.raises(UnsafeArchive, match="twice"):
        check_archive(_zip(("a.json", b"1"), ("./a.json", b"2")), LIMITS, "z.zip")
