"""One storage interface for image bytes, thumbnails, exports and model artifacts."""

from __future__ import annotations

from shelfscope.config import Settings
from shelfscope.storage.base import Storage, StorageError, new_key, validate_key


def open_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        from shelfscope.storage.s3 import S3Storage

        return S3Storage.from_settings(settings)
    from shelfscope.storage.local import LocalStorage

    return LocalStorage(settings.local_storage_dir)


__all__ = ["Storage", "StorageError", "new_key", "open_storage", "validate_key"]
