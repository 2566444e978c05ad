"""The document store's two backends side by side: ``backend`` runs a test once on the local directory and once on
an S3-compatible object store, a local S3 server (moto in server mode, ``ThreadedMotoServer``) on a free port of
127.0.0.1 with a bucket of its own for each test. The AWS settings point at nothing outside this machine: fixed
test credentials in the environment, no shared files, no instance metadata."""

from __future__ import annotations

import errno
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ConnectionClosedError
from flask import Flask

from wage_guard.documents.backend import key_of
from wage_guard.documents.store import LocalDocumentStore, document_store

#: The credentials the test server accepts; the secret must never show in a log.
SECRET_ACCESS_KEY = "never-logged-test-secret-0123456789"
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "wage-guard-test",
    "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3 server for the session; returns its endpoint URL."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
            patch.delenv(name, raising=False)
        for name, value in AWS_ENVIRONMENT.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def closed_endpoint() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens (an object store that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def new_bucket(endpoint: str) -> str:
    name = f"wage-guard-{uuid.uuid4().hex[:12]}"
    raw_client(endpoint).create_bucket(Bucket=name)
    return name


def raw_client(endpoint: str) -> Any:
    """A client of the test server that bypasses the app: to look at, change or delete objects behind its back."""
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION)


def use_s3(config: Any, patch: pytest.MonkeyPatch, endpoint: str, bucket: str) -> None:
    """Point an app's document store at ``bucket`` on ``endpoint``."""
    for name, value in {"DOCUMENT_STORE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": REGION}.items():
        patch.setitem(config, name, value)


@dataclass
class Backend:
    """One backend under test, and how to reach behind the app's back into it."""

    name: str
    app: Flask
    root: Path
    endpoint: str = ""
    bucket: str = ""
    #: What the 503 page says when this backend is out of order, in English and in Chinese.
    out_of_order: tuple[str, str] = field(default=("storage is full", "存储空间已满"))

    def names(self) -> set[str]:
        """Every object name stored (``ab/cd/<sha256>``), temporary files included."""
        if self.name == "local":
            return {p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()}
        pages = raw_client(self.endpoint).get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def keys(self) -> set[str]:
        return {key for key in map(key_of, self.names()) if key is not None}

    def read(self, name: str) -> bytes:
        if self.name == "local":
            return (self.root / name).read_bytes()
        return bytes(raw_client(self.endpoint).get_object(Bucket=self.bucket, Key=name)["Body"].read())

    def tamper(self, name: str, data: bytes) -> None:
        """Replace a stored object behind the platform's back."""
        if self.name == "local":
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            (self.root / name).write_bytes(data)
        else:
            raw_client(self.endpoint).put_object(Bucket=self.bucket, Key=name, Body=data)

    def delete(self, name: str) -> None:
        if self.name == "local":
            (self.root / name).unlink()
        else:
            raw_client(self.endpoint).delete_object(Bucket=self.bucket, Key=name)

    @contextmanager
    def out_of_order_now(self) -> Iterator[None]:
        """Writes fail while inside: the local disk is full, or the connection to the object store drops on every
        upload (reads still work, as in the middle of a signing)."""
        if self.name == "local":

            def no_space(fd: int) -> None:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(os, "fsync", no_space)
                yield
            return

        def dropped(request: Any, **kwargs: Any) -> None:
            raise ConnectionClosedError(endpoint_url=request.url)

        with self._hooked("before-send.s3.PutObject", dropped):
            yield

    @contextmanager
    def writes(self) -> Iterator[list[str]]:
        """The writes the app sends to the store while inside (object names)."""
        written: list[str] = []
        if self.name == "local":
            with pytest.MonkeyPatch.context() as patch:
                write = LocalDocumentStore._write

                def spy(path: Path, data: bytes) -> None:
                    written.append(path.relative_to(self.root).as_posix())
                    write(path, data)

                patch.setattr(LocalDocumentStore, "_write", staticmethod(spy))
                yield written
            return

        def record(params: dict[str, Any], **kwargs: Any) -> None:
            written.append(params["Key"])

        with self._hooked("provide-client-params.s3.PutObject", record):
            yield written

    @contextmanager
    def _hooked(self, event: str, handler: Any) -> Iterator[None]:
        """``handler`` on ``event`` of the app's own S3 client while inside."""
        with self.app.app_context():
            events = document_store().client.meta.events  # type: ignore[attr-defined]
        events.register(event, handler)
        try:
            yield
        finally:
            events.unregister(event, handler)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """The suite's app with an empty document store of this test's own, on each backend in turn."""
    root = tmp_path / "documents"
    monkeypatch.setitem(app.config, "DOCUMENT_STORE_DIR", str(root))
    if request.param == "local":
        return Backend("local", app, root)
    return _on_s3(app, root, request.getfixturevalue("s3_server"), monkeypatch)


@pytest.fixture
def s3(app: Flask, tmp_path: Path, s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """The suite's app with its documents in a new, empty bucket of the local S3 server."""
    return _on_s3(app, tmp_path / "documents", s3_server, monkeypatch)


def _on_s3(app: Flask, root: Path, endpoint: str, patch: pytest.MonkeyPatch) -> Backend:
    bucket = new_bucket(endpoint)
    use_s3(app.config, patch, endpoint, bucket)
    return Backend("s3", app, root, endpoint, bucket, ("cannot be reached", "暂时无法访问"))
