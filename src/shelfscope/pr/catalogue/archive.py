"""The images archive of a catalogue import: members laid out `<sku>/<domain folder>/<file>` (the
layout of the shared products set), each placed on its product and domain, or named in an issue.
The archive is checked against the zip limits (paths, links, bombs) before anything reads it."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from shelfscope.pr.catalogue.schemas import CatalogueIssue
from shelfscope.pr.products.models import DOMAINS

_IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})


@dataclass(frozen=True)
class ArchiveImage:
    sku: str
    domain: str
    member: str  # the member's name in the archive, to open it
    path: str  # its normalised path, to name it


@dataclass
class ArchiveIndex:
    images: list[ArchiveImage] = field(default_factory=list)
    issues: list[CatalogueIssue] = field(default_factory=list)
    # Files beside the layout (a products.csv or README at the top): not images of a product.
    ignored: list[str] = field(default_factory=list)


def _common_top(paths: list[str], skus: set[str]) -> str | None:
    """The one folder every member sits in when the archive was made of a folder (products/...), unless
    that folder is itself a SKU."""
    tops = {p.split("/", 1)[0] for p in paths}
    if len(tops) != 1 or any("/" not in p for p in paths):
        return None
    top = next(iter(tops))
    return None if top in skus else top


def _domain_of(folder: str, domain_map: Mapping[str, str]) -> str | None:
    if folder in domain_map:
        return domain_map[folder]
    return folder if folder in DOMAINS else None


def index_archive(
    members: Mapping[str, zipfile.ZipInfo], skus: set[str], domain_map: Mapping[str, str]
) -> ArchiveIndex:
    """Place every member (normalised path -> info, from zipsafe.check_archive) on a SKU of `skus`
    and a domain; anything else is an issue naming the file."""
    index = ArchiveIndex()
    paths = sorted(members)
    top = _common_top(paths, skus)
    for path in paths:
        inner = path.split("/", 1)[1] if top else path
        parts = inner.split("/")
        name = parts[-1]
        if name.startswith(".") or len(parts) == 1:
            index.ignored.append(path)
            continue
        if len(parts) != 3:
            index.issues.append(
                CatalogueIssue(file=path, detail="expected <sku>/<domain>/<file>; this file is elsewhere")
            )
            continue
        sku, folder, _ = parts
        if PurePosixPath(name).suffix.lower() not in _IMAGE_SUFFIXES:
            index.issues.append(
                CatalogueIssue(file=path, detail=f"{name} is not an image file (JPEG, PNG, WebP, BMP, TIFF)")
            )
            continue
        domain = _domain_of(folder, domain_map)
        if domain is None:
            index.issues.append(
                CatalogueIssue(
                    file=path,
                    field="domain",
                    detail=f"folder {folder!r} is not a domain ({', '.join(DOMAINS)}); map it with "
                    'domain_map, e.g. {"' + folder + '": "real"}',
                )
            )
            continue
        if sku not in skus:
            index.issues.append(
                CatalogueIssue(
                    file=path, field="sku", detail=f"no product has SKU {sku!r} (not in the catalogue)"
                )
            )
            continue
        index.images.append(ArchiveImage(sku=sku, domain=domain, member=members[path].filename, path=path))
    return index
