"""The rules for names people type and imported files carry: datasets, classes and their aliases and
categories, tags and folders, dataset versions, API tokens, users' display names. One set, used
everywhere.

A name is trimmed and its whitespace runs fold to one space (a tab or a line break included); it
must then be 1..max_length characters (0.. for optional ones) and contain
- no control characters: NUL, carriage return, escape, the C1 controls...;
- no bidirectional embedding, override or isolate characters (U+202A..U+202E, U+2066..U+2069): they
  reorder how the text around them is shown (U+202E before "gpj.exe" shows "exe.jpg"), so one name
  can pose as another;
- no lone surrogates (not text: PostgreSQL refuses them).
Every other character is kept as written (the zero-width joiners of Persian words and emoji
sequences among them), so a label in an imported file matches its class exactly as it was named.
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 255

_WHITESPACE = re.compile(r"\s+")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_KEPT_CONTROLS = frozenset("\t\n")


def collapse_whitespace(value: str) -> str:
    """Trimmed, with every run of whitespace folded to one space."""
    return _WHITESPACE.sub(" ", value).strip()


def check_characters(value: str) -> None:
    """ValueError naming the first character a name may not hold (see the module docstring)."""
    if _BIDI_CONTROLS.search(value):
        raise ValueError("must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)")
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in _KEPT_CONTROLS:
            raise ValueError(f"must not contain control characters (found U+{ord(ch):04X})")
        if category == "Cs":
            raise ValueError(f"must not contain a lone surrogate (U+{ord(ch):04X})")


def clean_text(value: str, *, max_length: int = NAME_MAX) -> str:
    """An optional name or label as stored ('' allowed), or ValueError saying what is wrong with it."""
    check_characters(value)
    cleaned = collapse_whitespace(value)
    if len(cleaned) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    return cleaned


def clean_name(value: str, *, max_length: int = NAME_MAX) -> str:
    """A required name as stored, or ValueError saying what is wrong with it (a validator's message)."""
    cleaned = clean_text(value, max_length=max_length)
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned
