"""Multipart uploads of many files: a form parser that caps each file part at the upload limit while
it streams to disk (the service then rejects that file by name and keeps the others), and typed
reading of the form's text fields. The image library and the product gallery upload through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from shelfscope.errors import UnsupportedMedia, ValidationFailed

MAX_FILES_PER_REQUEST = 500
# Text fields of an upload form (folder, tags, domain) are short; a file part is limited separately.
MAX_FIELD_BYTES = 64 * 1024
T = TypeVar("T")


class CappedMultiPartParser(MultiPartParser):
    """Starlette's parser, except a file part stops being written to disk one byte past the per-file
    limit: the service then rejects that file by name while the other files of the request are kept,
    and an oversized upload never fills the disk. (Starlette itself only limits non-file parts.)"""

    def __init__(self, headers: Headers, request: Request, *, file_cap: int) -> None:
        super().__init__(
            headers,
            request.stream(),
            max_files=MAX_FILES_PER_REQUEST,
            max_fields=20,
            max_part_size=MAX_FIELD_BYTES,
        )
        self._cap = file_cap
        self._written: dict[int, int] = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        upload = self._current_part.file
        if upload is None:
            super().on_part_data(data, start, end)
            return
        used = self._written.get(id(upload), 0)
        keep = min(end - start, self._cap - used)
        if keep > 0:
            self._written[id(upload)] = used + keep
            super().on_part_data(data, start, start + keep)


async def read_form(request: Request, file_cap: int, what: str = "images") -> FormData:
    """The multipart form, each file part cut one byte past `file_cap` (pass the limit + 1)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMedia(
            f"Upload {what} as multipart/form-data with one or more 'files' parts.", content_type=content_type
        )
    try:
        return await CappedMultiPartParser(request.headers, request, file_cap=file_cap).parse()
    except MultiPartException as exc:
        raise ValidationFailed(f"The upload form could not be read: {exc.message}") from None


def form_value(form: FormData, name: str, parse: Callable[[str], T]) -> T | None:
    """A text field parsed by `parse` (a ValueError becomes a 422 naming the field); None when absent."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed.field(name, "must be a text field, not a file")
    try:
        return parse(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, str(exc)) from None


def form_files(form: FormData, name: str = "files") -> list[tuple[str, UploadFile]]:
    """(filename, upload) of every `name` part; a 422 naming the field when there is none or one is
    not a file."""
    uploads = form.getlist(name)
    if not uploads:
        raise ValidationFailed.field(name, "attach at least one file")
    files = [(u.filename or "", u) for u in uploads if isinstance(u, UploadFile)]
    if len(files) != len(uploads):
        raise ValidationFailed.field(name, f"every '{name}' part must be a file")
    return files
