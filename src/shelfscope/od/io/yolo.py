"""YOLO datasets: class names (data.yaml, obj.data, obj.names), which images form which split,
where each image's label file is, label lines, and writing labels and data.yaml.

Layouts read: Ultralytics (`images/<split>/` + `labels/<split>/`), Roboflow (`<split>/images/` +
`<split>/labels/`), flat (`images/` + `labels/`, or labels beside the images) and Darknet
(`obj.data`, `obj.names`, list files). Label lines: `class cx cy w h` (normalised), polygons
`class x1 y1 x2 y2 ...` (segmentation and oriented boxes, kept as polygons) and pose lines (the box
is kept, the keypoints dropped). DOTA `labelTxt/` folders are outside the scope.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import yaml

from shelfscope.od.io.common import (
    PIXEL_DECIMALS,
    FormatError,
    Issue,
    is_image_path,
    round_px,
    split_from_name,
    stem,
)
from shelfscope.od.vocabulary import SPLITS, Split

MAX_NAMES = 100_000
# data.yaml, obj.data and names files are a few lines; a larger one is refused before parsing.
MAX_CONFIG_CHARS = 4 * 1024 * 1024
_CONFIG_NAMES = ("data.yaml", "data.yml", "dataset.yaml", "dataset.yml")
_NAMES_FILES = ("obj.names", "classes.txt", "classes.names")
_NOT_LABELS = re.compile(r"^(readme|license|licence|notes?|classes|obj)([._-].*)?$", re.I)

ReadText = Callable[[str], str]


class YoloConfig(NamedTuple):
    path: str
    # Folder the dataset's relative paths start from.
    root: str
    names: tuple[str | None, ...]
    # Raw train/val/test entries (folders, list files or image files), as written.
    split_entries: dict[Split, tuple[str, ...]]
    # (points, values per point) of a pose dataset, else None.
    kpt_shape: tuple[int, int] | None
    # Files that are configuration, not labels.
    used_files: frozenset[str]
    # `path:` as written when it names a folder on another machine (C:/Users/..., /home/...): the
    # layout beside the config is used instead, with a warning.
    foreign_base: str | None = None


class YoloShape(NamedTuple):
    class_index: int
    # Normalised box: centre and size (for a polygon: the polygon's bounding box).
    cx: float
    cy: float
    w: float
    h: float
    # Normalised polygon as flat x, y values, or None for a box.
    polygon: tuple[float, ...] | None
    keypoints_dropped: bool
    line: int


def _dirname(path: str) -> str:
    return posixpath.dirname(path)


def _join(*parts: str) -> str:
    return posixpath.normpath(posixpath.join(*parts))


_DRIVE = re.compile(r"^[A-Za-z]:/")


def _is_foreign(path: str) -> bool:
    """A path on the machine that wrote the config: absolute POSIX, a Windows drive or share, or ~."""
    path = path.replace("\\", "/")
    return posixpath.isabs(path) or bool(_DRIVE.match(path)) or path.startswith("~")


def _relative_tails(entry: str) -> list[str]:
    """An absolute path's tails, longest first (C:/x/images/train -> x/images/train, images/train,
    train): the part that may match the layout inside the archive."""
    parts = [p for p in entry.split("/") if p and p != "." and not p.endswith(":")]
    return ["/".join(parts[i:]) for i in range(len(parts))]


class _AliasFound(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases: a few KB of nested aliases expand to
    gigabytes (an alias bomb), and no dataset config needs them."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasFound(event.start_mark.line + 1)
        return super().compose_node(parent, index)


def _load_yaml(text: str, path: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for the line of each entry)."""
    if len(text) > MAX_CONFIG_CHARS:
        raise FormatError(
            f"{path} is larger than {MAX_CONFIG_CHARS:,} characters; a dataset config is a few lines.",
            kind="config_too_large",
            file=path,
        )
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except _AliasFound as exc:
        raise FormatError(
            f"{path} line {exc.line} uses a YAML anchor or alias (& or *); they are not accepted in a "
            "dataset config (a few nested aliases expand to gigabytes). Write the values out.",
            kind="yaml_alias",
            file=path,
            line=exc.line,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise FormatError(
            f"{path} is not valid YAML ({exc}).", kind="malformed_yaml", file=path, line=line
        ) from None
    finally:
        loader.dispose()


def _entry_lines(root: yaml.Node | None, key: str) -> dict[str, int]:
    """Line of each entry of a top-level list or mapping ('0', '1', ... or its keys)."""
    if not isinstance(root, yaml.MappingNode):
        return {}
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            if isinstance(v, yaml.SequenceNode):
                return {str(i): item.start_mark.line + 1 for i, item in enumerate(v.value)}
            if isinstance(v, yaml.MappingNode):
                return {str(ik.value): iv.start_mark.line + 1 for ik, iv in v.value}
    return {}


def _class_name(value: Any, path: str, field: str, line: int | None) -> str | None:
    """A class name as written: text (numbers read as their text); a list or mapping is refused."""
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    what = (
        "true/false (YAML reads yes, no, on and off so; quote the name)"
        if isinstance(value, bool)
        else (f"a {type(value).__name__}")
    )
    raise FormatError(
        f"{path}{f' line {line}' if line else ''}: {field} is {what}, not a class name.",
        kind="bad_class_name",
        file=path,
        line=line,
        field=field,
    )


def _names_from_yaml(value: Any, path: str, lines: dict[str, int] | None = None) -> tuple[str | None, ...]:
    lines = lines or {}
    if value is None:
        return ()
    if isinstance(value, list):
        if len(value) > MAX_NAMES:
            raise FormatError(f"{path}: names has more than {MAX_NAMES:,} entries.", file=path, field="names")
        return tuple(_class_name(v, path, f"names[{i}]", lines.get(str(i))) for i, v in enumerate(value))
    if isinstance(value, dict):
        indexed: dict[int, str | None] = {}
        for key, name in value.items():
            try:
                index = int(key)
            except (TypeError, ValueError):
                raise FormatError(
                    f"{path}: names key {key!r} is not a class index.", file=path, field=f"names.{key}"
                ) from None
            if index < 0 or index >= MAX_NAMES:
                raise FormatError(
                    f"{path}: names index {index} is out of range.", file=path, field=f"names.{key}"
                )
            indexed[index] = _class_name(name, path, f"names.{key}", lines.get(str(key)))
        size = max(indexed) + 1 if indexed else 0
        return tuple(indexed.get(i) for i in range(size))
    raise FormatError(
        f"{path}: 'names' must be a list or a mapping of index to name.",
        kind="no_names",
        file=path,
        field="names",
    )


def _entries(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def parse_data_yaml(text: str, path: str) -> YoloConfig:
    doc, node = _load_yaml(text, path)
    if not isinstance(doc, dict) or "names" not in doc:
        raise FormatError(
            f"{path} has no 'names' list of classes.", kind="no_names", file=path, field="names"
        )
    names = _names_from_yaml(doc["names"], path, _entry_lines(node, "names"))
    here = _dirname(path)
    base = doc.get("path")
    root = here
    foreign = None
    if isinstance(base, str) and base and _is_foreign(base):
        foreign = base
    elif isinstance(base, str) and base and not base.startswith(".."):
        root = _join(here, base)
    splits: dict[Split, tuple[str, ...]] = {}
    for key in ("train", "val", "test"):
        entries = _entries(doc.get(key))
        if entries:
            split = split_from_name(key)
            assert split is not None
            splits[split] = entries
    kpt = doc.get("kpt_shape")
    kpt_shape = None
    if isinstance(kpt, list) and len(kpt) == 2 and all(isinstance(v, int) and v > 0 for v in kpt):
        kpt_shape = (kpt[0], kpt[1])
    root = "" if root == "." else root
    return YoloConfig(path, root, names, splits, kpt_shape, frozenset({path}), foreign)


def parse_names_file(text: str) -> tuple[str | None, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _parse_obj_data(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _depth(path: str) -> int:
    return path.count("/")


def resolve_path(root: str, entry: str, exists: Callable[[str], bool]) -> str | None:
    """A path written in a YOLO config, as a path in the source: tried as written, relative to the
    dataset root, without leading '../' (Roboflow) and without CVAT's 'data/' prefix. A path on
    another machine (C:/..., /home/...) is matched by its tail inside the dataset root."""
    entry = entry.strip().replace("\\", "/")
    if not entry:
        return None
    if _is_foreign(entry):
        tails = [_join(root, tail) for tail in _relative_tails(entry)]
        return next((t for t in tails if not t.startswith("..") and exists(t)), None)
    candidates = [_join(root, entry)]
    trimmed = entry
    while trimmed.startswith("../"):
        trimmed = trimmed[3:]
    candidates.append(_join(root, trimmed))
    if trimmed.startswith("data/"):
        candidates.append(_join(root, trimmed[5:]))
    for candidate in candidates:
        if candidate.startswith("..") or candidate == ".":
            continue
        if exists(candidate):
            return candidate
    return None


def find_config(files: Sequence[str], read_text: ReadText) -> YoloConfig:
    """The dataset's class names and split entries: the shallowest data.yaml (or any YAML with
    'names'), else Darknet's obj.data or a names file."""
    yamls = sorted((f for f in files if f.lower().endswith((".yaml", ".yml"))), key=lambda f: (_depth(f), f))
    preferred = [f for f in yamls if posixpath.basename(f).lower() in _CONFIG_NAMES]
    for path in preferred + [f for f in yamls if f not in preferred]:
        try:
            return parse_data_yaml(read_text(path), path)
        except FormatError as exc:
            if exc.kind == "no_names" and path not in preferred:
                continue
            raise
    file_set = set(files)
    for path in sorted((f for f in files if posixpath.basename(f) == "obj.data"), key=_depth):
        data = _parse_obj_data(read_text(path))
        here = _dirname(path)
        names_path = resolve_path(here, data.get("names", "obj.names"), file_set.__contains__)
        if names_path is None:
            raise FormatError(
                f"{path} names a class file ({data.get('names')!r}) that is not there.",
                kind="no_names",
                file=path,
                field="names",
            )
        splits: dict[Split, tuple[str, ...]] = {}
        for key, split in (("train", "train"), ("valid", "val"), ("val", "val"), ("test", "test")):
            if data.get(key):
                splits[split] = (data[key],)  # type: ignore[index]
        names = parse_names_file(read_text(names_path))
        return YoloConfig(path, here, names, splits, None, frozenset({path, names_path}))
    names_files = sorted(
        (f for f in files if posixpath.basename(f).lower() in _NAMES_FILES or f.lower().endswith(".names")),
        key=lambda f: (_depth(f), f),
    )
    if names_files:
        path = names_files[0]
        return YoloConfig(
            path, _dirname(path), parse_names_file(read_text(path)), {}, None, frozenset({path})
        )
    raise FormatError(
        "No data.yaml, obj.data, obj.names or classes.txt was found: a YOLO dataset needs its class names.",
        kind="no_names",
    )


def split_assignments(
    config: YoloConfig, files: Sequence[str], read_text: ReadText
) -> tuple[dict[str, Split], set[str], list[Issue]]:
    """Images named by the config's train/val/test entries (folders, list files or images), the list
    files used, and a warning for each entry that matches nothing."""
    file_set = set(files)
    dirs = {posixpath.dirname(f) for f in files}
    all_dirs = set()
    for d in dirs:
        while d and d not in all_dirs:
            all_dirs.add(d)
            d = posixpath.dirname(d)

    def exists(path: str) -> bool:
        return path in file_set or path in all_dirs

    assigned: dict[str, Split] = {}
    list_files: set[str] = set()
    issues: list[Issue] = []
    if config.foreign_base is not None:
        issues.append(
            Issue(
                "foreign_path",
                f"{config.path}: path {config.foreign_base!r} is a folder on another machine; the layout "
                f"beside {config.path} is used instead.",
                config.path,
                field="path",
                severity="warning",
            )
        )
    for split in SPLITS:
        for entry in config.split_entries.get(split, ()):
            target = resolve_path(config.root, entry, exists)
            if target is None:
                issues.append(
                    Issue(
                        "split_not_found",
                        f"{config.path}: {split} entry {entry!r} matches no folder or file here; "
                        "splits are taken from folder names instead.",
                        config.path,
                        field=split,
                        severity="warning",
                    )
                )
                continue
            if target in all_dirs:
                prefix = target + "/"
                for f in files:
                    if f.startswith(prefix) and is_image_path(f):
                        assigned.setdefault(f, split)
            elif is_image_path(target):
                assigned.setdefault(target, split)
            else:
                list_files.add(target)
                for line in read_text(target).splitlines():
                    image = resolve_path(_dirname(target), line, file_set.__contains__) or resolve_path(
                        config.root, line, file_set.__contains__
                    )
                    if image is not None and is_image_path(image):
                        assigned.setdefault(image, split)
    return assigned, list_files, issues


def label_candidates(image: str) -> list[str]:
    """Where an image's label file may be, most likely first."""
    folder, name = posixpath.split(image)
    txt = stem(name) + ".txt"
    parts = folder.split("/") if folder else []
    out: list[str] = []
    for source, target in (
        ("images", "labels"),
        ("Images", "Labels"),
        ("images", "Labels"),
        ("Images", "labels"),
    ):
        for i in range(len(parts) - 1, -1, -1):
            if parts[i] == source:
                out.append("/".join([*parts[:i], target, *parts[i + 1 :], txt]))
                break
    out.append(posixpath.join(folder, txt))
    for source, target in (("Images", "Annotations"), ("images", "annotations")):
        for i in range(len(parts) - 1, -1, -1):
            if parts[i] == source:
                out.append("/".join([*parts[:i], target, *parts[i + 1 :], txt]))
                break
    return out


def is_label_candidate(path: str, config: YoloConfig, used: set[str]) -> bool:
    """A .txt file that may hold labels (not the config, a list file, a README or a DOTA file)."""
    if not path.lower().endswith(".txt") or path in config.used_files or path in used:
        return False
    if "/labelTxt/" in f"/{path}":
        return False
    return not _NOT_LABELS.match(posixpath.basename(path))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_labels(text: str, file: str, kpt_shape: tuple[int, int] | None) -> Iterator[YoloShape | Issue]:
    """Shapes of one label file; an Issue names the line of every line that cannot be read."""
    pose_fields = 5 + kpt_shape[0] * kpt_shape[1] if kpt_shape else None
    for lineno, raw in enumerate(text.splitlines(), 1):
        parts = raw.split()
        if not parts or parts[0].startswith("#"):
            continue
        n = len(parts)
        if not (n == 5 or n == pose_fields or (n >= 7 and n % 2 == 1)):
            expected = f"5 (or {pose_fields} with keypoints)" if pose_fields else "5"
            yield Issue(
                "bad_field_count",
                f"{file} line {lineno} has {n} values; expected {expected} for 'class cx cy w h', "
                "or a class and at least 3 x y pairs for a polygon.",
                file,
                lineno,
            )
            continue
        cls_value = _number(parts[0])
        if cls_value is None or not cls_value.is_integer() or not 0 <= cls_value < MAX_NAMES:
            yield Issue(
                "bad_number",
                f"{file} line {lineno}: class {parts[0][:40]!r} is not a class index (a whole number "
                f"from 0 to {MAX_NAMES - 1:,}).",
                file,
                lineno,
                field="class",
            )
            continue
        values: list[float] = []
        bad = None
        for i, part in enumerate(parts[1:], 1):
            value = _number(part)
            if value is None:
                bad = (i, part)
                break
            values.append(value)
        if bad is not None:
            yield Issue(
                "bad_number",
                f"{file} line {lineno}: value {bad[0] + 1} ({bad[1]!r}) is not a number.",
                file,
                lineno,
                field=f"value {bad[0] + 1}",
            )
            continue
        if n == 5 or n == pose_fields:
            cx, cy, w, h = values[:4]
            yield YoloShape(int(cls_value), cx, cy, w, h, None, n == pose_fields and n != 5, lineno)
            continue
        xs, ys = values[0::2], values[1::2]
        x1, x2, y1, y2 = min(xs), max(xs), min(ys), max(ys)
        yield YoloShape(
            int(cls_value), (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, tuple(values), False, lineno
        )


# ---- writing ------------------------------------------------------------------------------------


def label_line(class_index: int, x1: float, y1: float, x2: float, y2: float, width: int, height: int) -> str:
    """`class cx cy w h`, normalised, 12 significant digits (a 10,000 px image round-trips to about a
    millionth of a pixel) of the corners rounded to 1e-4 px. The box must be finite (imports and
    editors only store finite boxes)."""
    x1, y1, x2, y2 = round_px(x1), round_px(y1), round_px(x2), round_px(y2)
    return (
        f"{class_index} {(x1 + x2) / 2 / width:.12g} {(y1 + y2) / 2 / height:.12g} "
        f"{(x2 - x1) / width:.12g} {(y2 - y1) / height:.12g}\n"
    )


def rounded_px(values: Sequence[float]) -> list[float]:
    """`round_px` of each value: `round(v, 4) + 0.0` is the same for every float, finite or not."""
    return [round(v, PIXEL_DECIMALS) + 0.0 for v in values]


def label_lines(
    classes: Sequence[int],
    x1s: Sequence[float],
    y1s: Sequence[float],
    x2s: Sequence[float],
    y2s: Sequence[float],
    width: int,
    height: int,
) -> str:
    """`label_line` of many boxes at once, as one text: the same bytes, built by comprehensions over
    columns (an export writes a million lines; a call and four `round_px` calls per box were most of
    its time)."""
    x1r, y1r, x2r, y2r = rounded_px(x1s), rounded_px(y1s), rounded_px(x2s), rounded_px(y2s)
    return "".join(
        [
            f"{c} {(a + b) / 2 / width:.12g} {(y + z) / 2 / height:.12g} {(b - a) / width:.12g} "
            f"{(z - y) / height:.12g}\n"
            for c, a, y, b, z in zip(classes, x1r, y1r, x2r, y2r, strict=True)
        ]
    )


def polygon_line(class_index: int, points: Sequence[Sequence[float]], width: int, height: int) -> str:
    """`class x1 y1 x2 y2 ...` (YOLO segmentation), normalised like `label_line`."""
    coords = " ".join(f"{round_px(x) / width:.12g} {round_px(y) / height:.12g}" for x, y in points)
    return f"{class_index} {coords}\n"


def segment_line(
    class_index: int,
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    points: Sequence[Sequence[float]] | None,
    width: int,
    height: int,
) -> str:
    """The line of a segmentation dataset: the polygon, or a box as its four corners (a label file
    that mixes box and polygon lines is read by Ultralytics as all polygons, boxes garbled)."""
    corners = ((x1, y1), (x2, y1), (x2, y2), (x1, y2))
    return polygon_line(class_index, points or corners, width, height)


def data_yaml(names: Sequence[str], splits: Iterable[Split]) -> str:
    """An Ultralytics data.yaml for the images/<split> + labels/<split> layout."""
    doc: dict[str, Any] = {"path": "."}
    for split in splits:
        doc[split] = f"images/{split}"
    doc["nc"] = len(names)
    doc["names"] = dict(enumerate(names))
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
