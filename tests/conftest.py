"""Fixtures: one app per session on SQLite (or PostgreSQL via WAGE_GUARD_TEST_DATABASE_URL), tables
emptied after each test, a movable clock, and helpers that log in and read SMS codes like a user would."""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from wage_guard import clock, create_app
from wage_guard.extensions import db, limiter
from wage_guard.ledger.services import forget_cached_nodes

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

#: Every engine an app made during the suite: the ones of apps a test builds for itself (a second instance, a
#: restored copy) are disposed after that test, so no pooled connection outlives its app and is closed by the
#: garbage collector in some later test (psycopg's ResourceWarning, an error under ``filterwarnings``).
_ENGINES: list[sa.engine.Engine] = []
_make_engine = db._make_engine


def _recording_make_engine(*args: object, **kwargs: object) -> sa.engine.Engine:
    engine = _make_engine(*args, **kwargs)  # type: ignore[arg-type]
    _ENGINES.append(engine)
    return engine


db._make_engine = _recording_make_engine  # type: ignore[method-assign]


def _key(n: int) -> str:
    return base64.b64encode(bytes([n]) * 32).decode()


def test_config(database_url: str) -> dict[str, object]:
    return {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-000",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "FIELD_ENCRYPTION_KEY": _key(1),
        "BLIND_INDEX_KEY": _key(2),
        "CODE_HASH_KEY": _key(3),
        "KEY_ENCRYPTION_KEY": _key(4),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True,
        "DEMO_MODE": True,
        "SERVER_NAME": None,
        # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
        "ARGON2_OPTIONS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        # One document store per test database, shared by every app a test builds on it (never instance/).
        "DOCUMENT_STORE_DIR": str(Path(tempfile.gettempdir()) / f"wage_guard_documents_{_digest(database_url)}"),
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("WAGE_GUARD_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    application = create_app(test_config(database_url))
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app: Flask) -> Iterator[None]:
    """Start each test at a fixed time with an empty database and fresh rate-limit counters."""
    clock.freeze(START)
    limiter.enabled = False
    limiter.reset()
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    clock.freeze(None)
    forget_cached_nodes()
    with app.app_context():
        db.session.remove()
        for engine in [e for e in _ENGINES if e is not db.engine]:  # the apps this test built for itself
            engine.dispose()
            _ENGINES.remove(engine)
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(sa.delete(table))


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(app: Flask) -> factories.World:
    """Two counties, two employers, two projects (A, B) and one account per role and scope."""
    with app.app_context():
        return factories.build_world()


@pytest.fixture
def signing_world(app: Flask, world: factories.World):  # type: ignore[no-untyped-def]
    """The world plus the platform CA, an authorised employer signatory and two workers with addresses.

    Contracts need the Debian font and PDF tools: without them these tests skip loudly (and fail under CI=true).
    """
    from tests.journeys.conftest import make_signing_world

    return make_signing_world(app, world)


def advance(**delta: float) -> datetime:
    """Move the frozen clock forward."""
    now = clock.utcnow() + timedelta(**delta)
    clock.freeze(now)
    return now
