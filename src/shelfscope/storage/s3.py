"""Storage in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2) through boto3."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shelfscope.config import Settings
from shelfscope.storage.base import CHUNK, ObjectMissing, StorageError, validate_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_TRANSFER = TransferConfig(multipart_threshold=16 * CHUNK, multipart_chunksize=16 * CHUNK)


def _is_missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class S3Storage:
    backend = "s3"

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key or None,
            config=Config(
                retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60
            ),
        )
        storage = cls(client, settings.s3_bucket, settings.s3_prefix)
        if settings.s3_create_bucket:
            storage.ensure_bucket()
        return storage

    def ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def _k(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def _extra(self, content_type: str | None) -> dict[str, Any]:
        return {"ContentType": content_type} if content_type else {}

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        self.client.upload_file(
            str(path), self.bucket, self._k(key), ExtraArgs=self._extra(content_type), Config=_TRANSFER
        )

    def put_stream(self, key: str, stream: BinaryIO, content_type: str | None = None) -> int:
        counter = _CountingReader(stream)
        self.client.upload_fileobj(
            cast(BinaryIO, counter),
            self.bucket,
            self._k(key),
            ExtraArgs=self._extra(content_type),
            Config=_TRANSFER,
        )
        return counter.count

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._k(key), Body=data, **self._extra(content_type))

    def put_fresh(self, key: str, data: bytes, content_type: str | None = None) -> None:
        # An object appears whole or not at all: a new key needs nothing more than a put.
        self.put_bytes(key, data, content_type)

    def _get(self, key: str, byte_range: str | None = None) -> Any:
        try:
            if byte_range:
                return self.client.get_object(Bucket=self.bucket, Key=self._k(key), Range=byte_range)
            return self.client.get_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectMissing(f"stored object {key} is missing", key) from None
            raise StorageError(f"reading {key} failed: {exc}", key) from exc

    def open(self, key: str) -> BinaryIO:
        return cast(BinaryIO, self._get(key)["Body"])

    def read_bytes(self, key: str) -> bytes:
        body = self._get(key)["Body"]
        try:
            return cast(bytes, body.read())
        finally:
            body.close()

    def iter_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        byte_range = f"bytes={start}-{'' if end is None else end}"
        body = self._get(key, byte_range if (start or end is not None) else None)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def download_to(self, key: str, path: Path) -> None:
        try:
            self.client.download_file(self.bucket, self._k(key), str(path), Config=_TRANSFER)
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectMissing(f"stored object {key} is missing", key) from None
            raise

    def _head(self, key: str) -> Any:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise StorageError(f"checking {key} failed: {exc}", key) from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise ObjectMissing(f"stored object {key} is missing", key)
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._k(key))

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"][len(self.prefix) :]

    def ping(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"bucket {self.bucket} is not reachable: {exc}") from exc


class _CountingReader(io.RawIOBase):
    """Wraps a stream to count the bytes boto3 reads from it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self._stream.read(-1 if size is None else size)
        self.count += len(chunk)
        return chunk
