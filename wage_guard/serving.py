"""How gunicorn serves the app: worker processes that keep rate limits exact, and an access log without tokens.

The one module that imports gunicorn (``gunicorn.conf.py`` at the repository root reads its settings from here).

Flask-Limiter's ``memory://`` storage counts inside one process: with two worker processes every limit (codes
per phone, logins per address) was enforced twice over, whichever worker the kernel handed a connection to.
So with process-local storage the app runs as *one* process with threads, and with a shared storage
(``WAGE_GUARD_RATELIMIT_STORAGE_URI=redis://…``) as several. A ``--workers`` on the command line cannot undo
that: :func:`on_starting` stops the server before it forks. Production refuses ``memory://``
altogether (``wage_guard.config``).

The access log prints paths, query strings, referrers and redirect targets, which carry the signing and
enrolment links' bearer tokens: :class:`RedactingLogger` passes every field through
``wage_guard.redaction`` before gunicorn formats the line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger

from wage_guard import instance_path, redaction
from wage_guard.config import ConfigurationError, limit_storage_is_process_local, load_config

#: Threads per worker process; one process with this many threads serves the embedded default.
THREADS = 8
#: Worker processes when the limits are counted in a shared storage (``WEB_CONCURRENCY`` overrides it).
SHARED_STORAGE_WORKERS = 2
#: Header atoms a custom ``--access-logformat`` could print that hold session cookies or credentials.
CREDENTIAL_ATOMS = ("{cookie}i", "{authorization}i", "{set-cookie}o", "{http_cookie}e", "{http_authorization}e")


@dataclass(frozen=True)
class ServingSettings:
    workers: int
    threads: int


def serving_settings() -> ServingSettings:
    """Worker processes and threads for the configuration the app will load (same files, same environment)."""
    if limit_storage_is_process_local(limit_storage_uri()):
        return ServingSettings(workers=1, threads=THREADS)
    return ServingSettings(workers=int(os.environ.get("WEB_CONCURRENCY", SHARED_STORAGE_WORKERS)), threads=THREADS)


def limit_storage_uri() -> str:
    """``RATELIMIT_STORAGE_URI`` as ``create_app`` will see it, without building the app (no extensions, no DB)."""
    app = Flask("wage_guard", instance_relative_config=True, instance_path=instance_path())
    load_config(app, None)
    return str(app.config.get("RATELIMIT_STORAGE_URI") or "")


def on_starting(server: Any) -> None:
    """gunicorn's hook before the master forks: redact its own log records too, and refuse several worker
    processes on process-local limit storage, which would multiply every limit by their number."""
    redaction.install()
    storage = limit_storage_uri()
    if server.cfg.workers > 1 and limit_storage_is_process_local(storage):
        raise ConfigurationError(
            f"{server.cfg.workers} worker processes with rate limits in {storage or 'memory://'} would count every "
            "limit per process: run one worker with threads, or set WAGE_GUARD_RATELIMIT_STORAGE_URI to a shared "
            "storage (redis://…)"
        )


def announce_ready(worker: Any) -> None:
    """gunicorn's ``post_worker_init`` hook: a line in the error log once a worker has loaded the app."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


class RedactingLogger(Logger):
    """gunicorn's logger with bearer tokens and query values redacted from every access-log field."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        cleaned = {key: redaction.redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
        cleaned["q"] = redaction.redact_query(str(atoms.get("q") or ""))
        cleaned["{query_string}e"] = cleaned["q"]
        for key in CREDENTIAL_ATOMS:
            if key in cleaned:
                cleaned[key] = redaction.MARKER
        return cleaned
