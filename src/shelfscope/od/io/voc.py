"""Pascal VOC: one XML file per image, read with a hardened parser, and written back.

The parser refuses any DOCTYPE, so entity expansion (billion laughs) and external entities never
happen. Objects keep their box, `difficult`, `truncated`, `occluded` and `pose`; VOC's layout parts
(head, hand, foot) and actions are outside the scope and dropped with a warning. Coordinates are
used as written (VOC's 1-based pixel convention is not shifted), as Datumaro and labelImg do.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from shelfscope.od.io.common import FormatError, Issue, format_number, split_from_name, stem
from shelfscope.od.vocabulary import Split

MAX_XML_BYTES = 16 * 1024 * 1024


class VocObject(NamedTuple):
    name: str
    xmin: float
    ymin: float
    xmax: float
    ymax: float
    difficult: bool
    truncated: bool
    occluded: bool
    pose: str | None
    # 'parts' or 'actions' when the object had them (they were not kept).
    dropped: str | None
    position: int


class VocAnnotation(NamedTuple):
    path: str
    filename: str | None
    width: int | None
    height: int | None
    objects: tuple[VocObject, ...]


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def _flag(element: Element, tag: str) -> bool:
    value = _text(element.find(tag))
    return value not in (None, "0", "false", "False")


def _size(root: Element, tag: str) -> int | None:
    value = _text(root.find(f"size/{tag}"))
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number > 0 else None


def _parse_root(data: bytes, path: str) -> Element:
    """The <annotation> element of a VOC file; FormatError when the XML is unsafe, malformed or not VOC."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FormatError(
            f"{path} declares a DTD or entities ({type(exc).__name__}); VOC files must be plain XML.",
            kind="unsafe_xml",
            file=path,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise FormatError(
            f"{path} is not well-formed XML ({exc}).", kind="malformed_xml", file=path, line=line
        ) from None
    if root.tag != "annotation":
        raise FormatError(
            f"{path} is not a Pascal VOC file (its root element is <{root.tag}>, not <annotation>).",
            kind="not_voc",
            file=path,
        )
    return root


def parse_voc(data: bytes, path: str) -> tuple[VocAnnotation, list[Issue]]:
    """One annotation file. FormatError when the XML is unsafe, malformed or not VOC."""
    root = _parse_root(data, path)
    issues: list[Issue] = []
    objects: list[VocObject] = []
    for index, obj in enumerate(root.findall("object")):
        field = f"object[{index}]"
        name = _text(obj.find("name"))
        if name is None:
            issues.append(Issue("bad_object", f"{path}: {field} has no <name>.", path, field=f"{field}.name"))
            continue
        box = obj.find("bndbox")
        if box is None:
            issues.append(
                Issue("bad_box", f"{path}: {field} ({name}) has no <bndbox>.", path, field=f"{field}.bndbox")
            )
            continue
        coords: list[float] = []
        for tag in ("xmin", "ymin", "xmax", "ymax"):
            raw = _text(box.find(tag))
            try:
                coords.append(float(raw) if raw is not None else float("nan"))
            except ValueError:
                issues.append(
                    Issue(
                        "bad_number",
                        f"{path}: {field} ({name}) bndbox/{tag} is {raw!r}, not a number.",
                        path,
                        field=f"{field}.bndbox.{tag}",
                    )
                )
                break
            if raw is None:
                issues.append(
                    Issue(
                        "bad_box",
                        f"{path}: {field} ({name}) has no bndbox/{tag}.",
                        path,
                        field=f"{field}.bndbox.{tag}",
                    )
                )
                break
        if len(coords) != 4:
            continue
        dropped = (
            "parts"
            if obj.find("part") is not None
            else ("actions" if obj.find("actions") is not None else None)
        )
        objects.append(
            VocObject(
                name,
                coords[0],
                coords[1],
                coords[2],
                coords[3],
                _flag(obj, "difficult"),
                _flag(obj, "truncated"),
                _flag(obj, "occluded"),
                _text(obj.find("pose")),
                dropped,
                index,
            )
        )
    annotation = VocAnnotation(
        path, _text(root.find("filename")), _size(root, "width"), _size(root, "height"), tuple(objects)
    )
    return annotation, issues


# ---- where things are -------------------------------------------------------------------------------


def image_candidates(xml_path: str, filename: str | None, images_by_stem: dict[str, list[str]]) -> list[str]:
    """Paths where the image of an annotation file may be: its <filename> beside the XML or in a
    sibling JPEGImages/ or images/ folder, else an image with the XML's stem."""
    here = posixpath.dirname(xml_path)
    up = posixpath.dirname(here)
    folders = [
        here,
        posixpath.join(up, "JPEGImages"),
        posixpath.join(up, "images"),
        posixpath.join(up, "Images"),
    ]
    out: list[str] = []
    if filename:
        base = posixpath.basename(filename.replace("\\", "/"))
        for folder in folders:
            out.append(posixpath.normpath(posixpath.join(folder, base)))
    for name in (stem(xml_path), stem(filename) if filename else None):
        if name is None:
            continue
        found = images_by_stem.get(name, [])
        # Nearest folder first: beside the XML, then siblings, then anywhere (when unique).
        ranked = sorted(found, key=lambda p: (posixpath.dirname(p) not in folders, p))
        near = [p for p in ranked if posixpath.dirname(p) in folders]
        out.extend(near or (found if len(found) == 1 else []))
    return out


def split_lists(files: Iterable[str], read_text: Callable[[str], str]) -> dict[str, Split]:
    """Image stems by split from ImageSets/Main/{train,val,test}.txt (class-specific lists ignored)."""
    out: dict[str, Split] = {}
    for path in sorted(files):
        folder, name = posixpath.split(path)
        if folder != "ImageSets/Main" and not folder.endswith("/ImageSets/Main"):
            continue
        split = split_from_name(stem(name))
        if split is None:
            continue
        for line in read_text(path).splitlines():
            item = line.split()
            if item:
                out.setdefault(item[0], split)
    return out


# ---- writing ------------------------------------------------------------------------------------


class VocBox(NamedTuple):
    name: str
    x1: float
    y1: float
    x2: float
    y2: float
    difficult: bool = False
    truncated: bool = False
    occluded: bool = False
    pose: str | None = None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def voc_xml(
    filename: str, width: int, height: int, depth: int, boxes: Sequence[VocBox], folder: str = ""
) -> bytes:
    lines = [
        "<annotation>",
        f"  <folder>{_escape(folder)}</folder>",
        f"  <filename>{_escape(filename)}</filename>",
        "  <size>",
        f"    <width>{width}</width>",
        f"    <height>{height}</height>",
        f"    <depth>{depth}</depth>",
        "  </size>",
        "  <segmented>0</segmented>",
    ]
    for box in boxes:
        lines += [
            "  <object>",
            f"    <name>{_escape(box.name)}</name>",
            f"    <pose>{_escape(box.pose or 'Unspecified')}</pose>",
            f"    <truncated>{int(box.truncated)}</truncated>",
            f"    <occluded>{int(box.occluded)}</occluded>",
            f"    <difficult>{int(box.difficult)}</difficult>",
            "    <bndbox>",
            f"      <xmin>{format_number(box.x1)}</xmin>",
            f"      <ymin>{format_number(box.y1)}</ymin>",
            f"      <xmax>{format_number(box.x2)}</xmax>",
            f"      <ymax>{format_number(box.y2)}</ymax>",
            "    </bndbox>",
            "  </object>",
        ]
    lines.append("</annotation>\n")
    return "\n".join(lines).encode("utf-8")
