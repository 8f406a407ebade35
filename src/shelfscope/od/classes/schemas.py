"""Request and response shapes of the class catalogue API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shelfscope.ids import Id
from shelfscope.text import NAME_MAX, clean_name, clean_text

COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
CATEGORY_MAX = 128
MAX_ALIASES = 200
MAX_MERGE_SOURCES = 500

ChangeAction = Literal["create", "update", "rename", "merge", "delete"]


def clean_class_name(value: str) -> str:
    """A class name or alias as stored (the shared name rule); also the key imported labels are
    matched by."""
    return clean_name(value)


def name_key(name: str) -> str:
    """The case-insensitive identity of a name or alias ("Cola" and "COLA" are the same class)."""
    return clean_class_name(name).casefold()


def _clean_color(value: str) -> str:
    if not COLOR_PATTERN.match(value):
        raise ValueError("must be a colour like #1a2b3c (# and six hex digits)")
    return value.lower()


def _clean_category(value: str | None) -> str | None:
    return None if value is None else clean_text(value, max_length=CATEGORY_MAX) or None


def _clean_display_name(value: str) -> str:
    return clean_text(value, max_length=NAME_MAX)


def _clean_aliases(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    seen: set[str] = set()
    for value in values:
        alias = clean_class_name(value)
        if alias.casefold() not in seen:
            seen.add(alias.casefold())
            cleaned.append(alias)
    return cleaned


class ClassCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    display_name: str = ""
    # Empty: a colour picked from a palette by the name, so new classes are told apart at once.
    color: str | None = None
    category: str | None = None
    description: str = Field(default="", max_length=10_000)
    aliases: list[str] = Field(default_factory=list, max_length=MAX_ALIASES)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_class_name(v)

    @field_validator("display_name")
    @classmethod
    def _display(cls, v: str) -> str:
        return _clean_display_name(v)

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        return None if v is None else _clean_color(v)

    @field_validator("category")
    @classmethod
    def _category(cls, v: str | None) -> str | None:
        return _clean_category(v)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, v: list[str]) -> list[str]:
        return _clean_aliases(v)


class ClassUpdate(BaseModel):
    """Every field optional; a new name is a rename (the old name becomes an alias)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    display_name: str | None = None
    color: str | None = None
    category: str | None = None
    description: str | None = Field(default=None, max_length=10_000)
    # Replaces the whole alias list when given.
    aliases: list[str] | None = Field(default=None, max_length=MAX_ALIASES)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is None:
            raise ValueError("must not be null")
        return clean_class_name(v)

    @field_validator("display_name")
    @classmethod
    def _display(cls, v: str | None) -> str | None:
        return "" if v is None else _clean_display_name(v)

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        if v is None:
            raise ValueError("must not be null")
        return _clean_color(v)

    @field_validator("category")
    @classmethod
    def _category(cls, v: str | None) -> str | None:
        return _clean_category(v)

    @field_validator("description")
    @classmethod
    def _description(cls, v: str | None) -> str:
        return v or ""

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, v: list[str] | None) -> list[str]:
        return [] if v is None else _clean_aliases(v)


class ClassOut(BaseModel):
    id: int
    name: str
    display_name: str
    color: str
    category: str | None
    description: str
    aliases: list[str]
    annotation_count: int
    created_at: datetime
    updated_at: datetime


class CategoryOut(BaseModel):
    category: str
    classes: int


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_ids: list[Id] = Field(min_length=1, max_length=MAX_MERGE_SOURCES)
    target_id: Id


class DatasetImpact(BaseModel):
    """How one dataset is touched by a merge or delete."""

    dataset_id: int
    dataset_name: str
    annotations: int
    images: int


class ClassImpact(BaseModel):
    id: int
    name: str
    annotations: int


class MergePreview(BaseModel):
    target: ClassImpact
    sources: list[ClassImpact]
    annotations: int
    images: int
    datasets: list[DatasetImpact]
    # Names the target answers to after the merge (the sources' names and their aliases).
    aliases_added: list[str]


class MergeResult(BaseModel):
    target: ClassOut
    merged: list[ClassImpact]
    annotations_moved: int
    images: int


class DeletePreview(BaseModel):
    id: int
    name: str
    annotations: int
    images: int
    datasets: list[DatasetImpact]


class DeleteResult(BaseModel):
    id: int
    name: str
    annotations_deleted: int
    annotations_reassigned: int
    reassigned_to: int | None
    images: int


class ClassChangeOut(BaseModel):
    id: int
    class_id: int | None
    class_name: str
    action: ChangeAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    user_id: int | None
    username: str | None
    at: datetime
