"""Cleaning the names people and imported files give things (datasets, classes, aliases): one rule set.

A name is trimmed, its whitespace runs fold to one space, and it must be 1..255 characters without
control characters. The rule for control characters has two settings because names serve two ends:

- `controls="unicode"` (the default; dataset names and other titles that are only shown): any kind
  of whitespace folds to a space first, then anything not printable is refused, including Unicode
  format characters.
- `controls="ascii"` (class names and aliases): a class name is also the key that labels in imported
  files are matched by, so the raw text is checked before folding: tab and newline count as spaces,
  any other ASCII control character (a stray CR or NUL from a label file) is refused, and every other
  Unicode character is kept as written, so a label matches its class exactly as it was named.
"""

from __future__ import annotations

import re
from typing import Literal

NAME_MAX = 255
NameControls = Literal["unicode", "ascii"]

_WHITESPACE = re.compile(r"\s+")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def collapse_whitespace(value: str) -> str:
    """Trimmed, with every run of whitespace folded to one space."""
    return _WHITESPACE.sub(" ", value).strip()


def clean_name(value: str, *, controls: NameControls = "unicode") -> str:
    """The name as stored, or ValueError saying what is wrong with it (a pydantic validator's message)."""
    if controls == "ascii" and _ASCII_CONTROL.search(value.replace("\t", " ").replace("\n", " ")):
        raise ValueError("must not contain control characters")
    cleaned = collapse_whitespace(value)
    if not cleaned:
        raise ValueError("must not be empty")
    if len(cleaned) > NAME_MAX:
        raise ValueError(f"must be at most {NAME_MAX} characters")
    if controls == "unicode" and not cleaned.isprintable():
        raise ValueError("must not contain control characters")
    return cleaned
