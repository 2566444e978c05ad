"""The document store in an S3-compatible object store (``DOCUMENT_STORE=s3``): AWS S3, MinIO, Ceph RGW, and the
S3 interfaces of other clouds.

Why boto3: every S3 request must be signed (AWS Signature Version 4), throttling (``SlowDown``) and dropped
connections need retries with back-off, and credentials come from the standard chain (environment variables,
``AWS_PROFILE`` and the shared files, container and instance roles, web identity), each with edge cases of its
own. boto3 is AWS's own SDK; it speaks to any S3-compatible server through ``endpoint_url``, and it is the client
those servers test against. This module is the one adapter that imports boto3 and botocore.

Written by hand here: the key layout (``documents.backend``, the same ``ab/cd/<sha256>`` as the local store), the
idempotent ``put`` (a HEAD first: an object of the right size and SHA-256 is not sent again), the SHA-256
(``x-amz-checksum-sha256``) and MD5 (``Content-MD5``) sent with each upload so that the server refuses bytes
damaged on the way, and every failure of the store turned into ``DocumentMissing`` or the same clear
``ServiceUnavailable`` (503) as a full local disk.

Consistency: a PUT is atomic (an object is stored whole or not at all) and S3 reads are strongly consistent after
writes (AWS since December 2020, MinIO, Ceph). A failed ``put`` leaves no row naming the document: the callers
store the document before they flush the row. Credentials are never settings of this app and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app

from wage_guard.documents.backend import DocumentMissing, key_of, object_name
from wage_guard.errors import ServiceUnavailable
from wage_guard.i18n import _

log = logging.getLogger(__name__)

#: Attempts per request, the first included (botocore's standard retry mode: throttling, 5xx answers and dropped
#: connections are retried with jittered exponential back-off).
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
#: What S3-compatible servers answer for an object that is not there (HEAD has no body, so only a status).
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_FAILURES = (BotoCoreError, ClientError)


@dataclass(frozen=True)
class Settings:
    bucket: str
    endpoint_url: str | None
    region: str | None
    addressing_style: str


_clients: dict[Settings, Any] = {}
_clients_lock = threading.Lock()


def configured() -> S3DocumentStore:
    """The store the current application's ``S3_*`` settings describe (its client is made once and shared)."""
    config = current_app.config
    settings = Settings(
        bucket=str(config["S3_BUCKET"]),
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region=config.get("S3_REGION") or None,
        addressing_style=config.get("S3_ADDRESSING_STYLE") or "auto",
    )
    return S3DocumentStore(settings.bucket, _client(settings))


def _client(settings: Settings) -> Any:
    """A boto3 client for these settings; clients are thread-safe and costly to make, so each is made once."""
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            config = Config(
                retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUT_SECONDS,
                s3={"addressing_style": settings.addressing_style},
                # The checksums are sent explicitly (``put``); no streaming trailers, which not every server accepts.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            session = boto3.session.Session()
            client = session.client("s3", endpoint_url=settings.endpoint_url, region_name=settings.region, config=config)
            _clients[settings] = client
    return client


class S3DocumentStore:
    """Objects named ``ab/cd/<sha256>`` in one bucket."""

    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its key, the SHA-256 hex of the bytes.

        :raises ServiceUnavailable: the store cannot be reached, refuses, throttles, or kept other bytes.
        """
        digest = hashlib.sha256(data)
        key, checksum = digest.hexdigest(), base64.b64encode(digest.digest()).decode()
        name = object_name(key)
        try:
            if self._holds(name, len(data), checksum):
                return key
            response = self.client.put_object(
                Bucket=self.bucket,
                Key=name,
                Body=data,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
                ContentMD5=base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode(),
                ContentType="application/octet-stream",
            )
        except _FAILURES as error:
            raise self._unavailable(error, f"store {len(data)} bytes", saving=True) from error
        stated = response.get("ChecksumSHA256")
        if stated is not None and stated != checksum:
            log.error("document store s3://%s: the server states another SHA-256 for %s than was sent", self.bucket, name)
            self._discard(name)
            raise ServiceUnavailable(_saving_failed())
        return key

    def _holds(self, name: str, size: int, checksum: str) -> bool:
        """Whether the object is there already, of this size and (where the server states it) this SHA-256."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=name, ChecksumMode="ENABLED")
        except ClientError as error:
            if _code(error) in _MISSING:
                return False
            raise
        return bool(head.get("ContentLength") == size and head.get("ChecksumSHA256") in (None, checksum))

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``.

        :raises DocumentMissing: nothing is stored under it.
        :raises ServiceUnavailable: the store cannot be reached, refuses or throttles.
        """
        name = object_name(key)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=name)
            return bytes(response["Body"].read())
        except ClientError as error:
            if _code(error) in _MISSING:
                raise DocumentMissing(key) from error
            raise self._unavailable(error, f"read {name}") from error
        except BotoCoreError as error:
            raise self._unavailable(error, f"read {name}") from error

    def contains(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        name = object_name(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _code(error) in _MISSING:
                return False
            raise self._unavailable(error, f"look for {name}") from error
        except BotoCoreError as error:
            raise self._unavailable(error, f"look for {name}") from error
        return True

    def keys(self) -> Iterator[str]:
        """Every key stored, in order (S3 lists names in UTF-8 binary order); other objects in the bucket are skipped."""
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for item in page.get("Contents", []):
                    key = key_of(item["Key"])
                    if key is not None:
                        yield key
        except _FAILURES as error:
            raise self._unavailable(error, "list the documents") from error

    def remove(self, key: str) -> None:
        """Delete the object under ``key``, if any (only to undo a restore that failed)."""
        name = object_name(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except _FAILURES as error:
            raise self._unavailable(error, f"delete {name}") from error

    def _discard(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except _FAILURES as error:
            log.error("document store s3://%s: %s could not be deleted (%s)", self.bucket, name, type(error).__name__)

    def _unavailable(self, error: Exception, action: str, *, saving: bool = False) -> ServiceUnavailable:
        """Log what failed (the error's class and text: botocore's never hold credentials); the user's 503."""
        log.error("document store s3://%s: could not %s: %s: %s", self.bucket, action, type(error).__name__, error)
        if saving:
            return ServiceUnavailable(_saving_failed())
        return ServiceUnavailable(_("The server's document storage cannot be reached just now. Please try again later."))


def _saving_failed() -> str:
    return _("The server's document storage cannot be reached just now, so nothing was saved. Please try again later.")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
