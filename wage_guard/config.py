"""Configuration: defaults here, then ``instance/config.py``, then ``WAGE_GUARD_*`` environment variables.

Environment variables are the source of truth in production (twelve-factor). Development and demo runs
get per-installation secrets generated once into ``instance/secrets.json`` so that a fresh clone starts
with no set-up; production refuses to start unless every secret is given explicitly.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask

#: Settings that hold key material: generated in development, mandatory in production.
SECRET_SETTINGS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "CODE_HASH_KEY", "KEY_ENCRYPTION_KEY")
_DEV_PLACEHOLDER = "dev-only-not-secret"


class ConfigurationError(RuntimeError):
    """The application cannot start with this configuration."""


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "development"
    SECRET_KEY = _DEV_PLACEHOLDER
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

    #: AES-256-GCM key (base64) for personal data at rest: ID numbers, phone numbers, SMS bodies.
    FIELD_ENCRYPTION_KEY: str | None = None
    #: HMAC key (base64) for blind indexes, so equal ID numbers can be found without decrypting.
    BLIND_INDEX_KEY: str | None = None
    #: HMAC key (base64) for verification codes, which are stored only as keyed hashes.
    CODE_HASH_KEY: str | None = None

    # Sessions: staff sessions end after 30 idle minutes or 12 hours in all.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: How long a password-verified login may wait for its second factor.
    SECOND_FACTOR_WINDOW = timedelta(minutes=5)
    #: Wrong passwords slow down one (username, client) pair, never the account: after this many failures each
    #: further try waits 2, 4, 8 ... seconds, up to ``LOGIN_MAX_DELAY`` (``accounts/throttle.py``).
    LOGIN_FREE_FAILURES = 3
    LOGIN_MAX_DELAY = timedelta(minutes=15)
    #: This many failures for one username within the window, from any client, text its holder (once per window).
    LOGIN_ALERT_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(hours=24)

    #: argon2-cffi ``PasswordHasher`` options (empty: the library's defaults).
    ARGON2_OPTIONS: dict[str, int] = {}

    WTF_CSRF_TIME_LIMIT = 3600
    #: Static files are referenced with a content hash (``asset_url``), so they can be cached for a year.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Limits on code requests per client address (Flask-Limiter syntax). Per phone, every path shares the
    #: database quotas ``CODE_SEND_QUOTAS`` and the cool-down of the codes service instead.
    RATELIMIT_SMS_PER_IP = "20 per hour"
    RATELIMIT_CODE_CHECK_PER_IP = "30 per 10 minutes"
    RATELIMIT_LOGIN_PER_IP = "20 per 10 minutes"
    RATELIMIT_VERIFY_PER_IP = "30 per 10 minutes"
    #: The REST API, per address: generous for a department's system paging through a county, a brake on scraping.
    RATELIMIT_API_PER_IP = "600 per minute"
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (docs/deploy.md); 0: none.
    PROXY_HOPS = 0

    #: "console" stores messages in the outbox table only; "twilio" sends them.
    SMS_BACKEND = "console"
    SMS_MAX_ATTEMPTS = 5
    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_FROM_NUMBER: str | None = None
    #: Only for tests: send Twilio API calls to this base URL instead of Twilio.
    TWILIO_API_BASE_URL: str | None = None

    CODE_TTL = timedelta(minutes=5)
    CODE_MAX_ATTEMPTS = 5
    #: Between two codes for the same phone and the same purpose (signing right after enrolling needs no wait).
    CODE_RESEND_COOLDOWN = timedelta(seconds=60)
    #: Codes per phone across every purpose and page: (period, most), all enforced in the database.
    CODE_SEND_QUOTAS = ((timedelta(hours=1), 5), (timedelta(days=1), 20))
    #: Wrong codes per phone or account, across every purpose, that lock further codes for the window.
    CODE_LOCKOUT_WRONG = 10
    CODE_LOCKOUT_WINDOW = timedelta(hours=24)
    #: How many people one phone may belong to before another needs the foreman's in-person confirmation.
    PHONE_SHARED_BY_AT_MOST = 2
    #: How long the old number can cancel a phone change confirmed by the foreman, before it takes effect.
    PHONE_CHANGE_HOLD = timedelta(hours=72)
    #: How long an identity check may wait for the foreman before it lapses.
    IDENTITY_CHECK_TTL = timedelta(days=14)

    #: Default validity of a site's enrolment QR code.
    ENROLLMENT_LINK_TTL = timedelta(days=180)
    #: Public base URL printed in QR codes, SMS links and certificates; required in production (in development the
    #: request's host when unset, see ``links``).
    PUBLIC_BASE_URL: str | None = None

    #: AES-256 key-encryption key (base64) wrapping signers' private keys and the online platform keys (issuing
    #: CA, TSA, evidence log) at rest. Never the root CA key: ``flask signing init-ca`` writes that to a file.
    KEY_ENCRYPTION_KEY: str | None = None
    #: Where new keys live: "encrypted" (wrapped in the database) or "pkcs11" (the HSM, 加密机): signers' keys
    #: and, created at ``flask signing init-ca``, the issuing CA, TSA and evidence-log keys.
    KEY_STORE = "encrypted"
    PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    PKCS11_TOKEN_LABEL: str | None = None
    PKCS11_USER_PIN: str | None = None
    #: External RFC 3161 timestamp authority; the embedded TSA (under the platform CA) when unset.
    TSA_URL: str | None = None
    TSA_TIMEOUT_SECONDS = 10
    #: Validity of the SMS links that open a contract for signing.
    SIGNING_LINK_TTL = timedelta(days=14)
    #: How long a verified code and the acknowledged notice allow the signing page to be used.
    SIGNING_SESSION_TTL = timedelta(minutes=30)
    #: Largest PDF accepted for verification uploads.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    #: The document store's directory (contract PDFs and page previews, by SHA-256); ``instance/documents`` when unset.
    DOCUMENT_STORE_DIR: str | None = None
    #: Where documents live: "local" (``DOCUMENT_STORE_DIR``) or "s3", an S3-compatible object store (docs/documents.md).
    DOCUMENT_STORE = "local"
    #: The object store: its bucket (required with "s3"); the endpoint of an S3-compatible server (MinIO, Ceph; AWS
    #: when unset); its region (else ``AWS_REGION``); the addressing style ("auto", "path", "virtual"). Credentials
    #: come from the standard AWS chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, a role).
    S3_BUCKET: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_REGION: str | None = None
    S3_ADDRESSING_STYLE = "auto"
    #: Payroll imports (``sheets.reading``): the largest wage-sheet file, the most rows in it, and how large an
    #: XLSX may become once unzipped (checked in the zip directory before reading, against zip bombs).
    PAYROLL_MAX_FILE_BYTES = 10 * 1024 * 1024
    PAYROLL_MAX_ROWS = 60_000
    PAYROLL_MAX_EXPANDED_BYTES = 256 * 1024 * 1024

    #: Risk rules (``wage_guard.risk``, risk-rules.md): days a stretch without a signed contract (R01) or work on an
    #: expired one (R14) may last before it is flagged; R15's window and how many different people one phone,
    #: device or address must verify codes for (one more than ``PHONE_SHARED_BY_AT_MOST``); and the tolerance of
    #: amount comparisons for the payroll rules (a difference counts when over 1 yuan and over 1 per cent).
    RISK_R01_GRACE_DAYS = 0
    RISK_R14_GRACE_DAYS = 0
    RISK_R15_WINDOW = timedelta(hours=72)
    RISK_R15_MIN_PEOPLE = 3
    RISK_AMOUNT_TOLERANCE_YUAN = Decimal("1")
    RISK_AMOUNT_TOLERANCE_SHARE = Decimal("0.01")
    #: Payroll rules R03-R09 (``risk.rules.payroll_*``): days after the contract pay day before a month without a
    #: payroll line (R03) or a line paid after it (R04) is flagged; R04's days late for orange and (beyond) red;
    #: R05's shortfall shares for orange and (beyond) red; and R09's monthly and yearly amounts for one person.
    RISK_R03_GRACE_DAYS = 0
    RISK_R04_GRACE_DAYS = 0
    RISK_R04_ORANGE_DAYS = 30
    RISK_R04_RED_DAYS = 60
    RISK_R05_ORANGE_SHARE = Decimal("0.15")
    RISK_R05_RED_SHARE = Decimal("0.25")
    RISK_R09_MONTH_LIMIT = Decimal("50000")
    RISK_R09_YEAR_LIMIT = Decimal("300000")
    #: Worker-voice rules R10-R13 (``risk.rules.worker_voice``): days after the pay date before an unanswered
    #: confirmation is flagged (R11) and the share of a project month's lines unconfirmed beyond which it is orange;
    #: days after an exit before a missing settlement is flagged (R12).
    RISK_R11_CONFIRM_DAYS = 7
    RISK_R11_UNCONFIRMED_SHARE = Decimal("0.30")
    RISK_R12_SETTLEMENT_DAYS = 30

    #: Demo mode shows the SMS outbox page and the language switcher's demo banner.
    DEMO_MODE = False
    SCHEDULER_SMS_INTERVAL_SECONDS = 30
    #: How often the scheduler looks for batch work (issuing, sealing) that a request left to it.
    SCHEDULER_BATCH_INTERVAL_SECONDS = 1
    #: Batches of at most this many contracts are issued or sealed inside the request (about 0.12 s and 0.05 s a
    #: contract); larger ones go to the scheduler, with a progress bar, so that no request takes a second.
    BATCH_INLINE_MAX = 5
    #: The employment-filing system's receiver (劳动用工备案): records are POSTed there as JSON signed with HMAC-SHA256
    #: using the shared secret. Without a URL the records stay queued (none is lost) until one is configured.
    FILING_PUSH_URL: str | None = None
    FILING_PUSH_SECRET: str | None = None
    FILING_PUSH_TIMEOUT_SECONDS = 10
    SCHEDULER_FILING_INTERVAL_SECONDS = 30
    #: How soon a signed contract gets its long-term validation data (B-LTA) after the signing request.
    SCHEDULER_LONG_TERM_INTERVAL_SECONDS = 5
    #: How often a standby scheduler (one that found the scheduler lock taken) checks whether it is free again.
    SCHEDULER_STANDBY_POLL_SECONDS = 15
    #: How often a signed tree head of the evidence log is published (only when the log has grown).
    SCHEDULER_TREE_HEAD_INTERVAL_SECONDS = 300
    #: How often the scheduler's sequencer moves queued evidence-log steps into the log (``ledger.services``).
    SCHEDULER_LEDGER_INTERVAL_SECONDS = 1
    #: Whether the process that committed queued steps also runs the sequencer right after its commit (without
    #: waiting when another process is sequencing). Off, only the scheduler's sequencer integrates: fewer
    #: transactions per request, up to ``SCHEDULER_LEDGER_INTERVAL_SECONDS`` more until a step is in the log.
    LEDGER_INTEGRATE_AFTER_COMMIT = True
    #: Where the ``backup_daily`` job writes a backup a day (docs/backup.md); no backups when unset.
    BACKUP_DIR: str | None = None
    #: Backups older than this many days are deleted by the job, but never the newest one.
    BACKUP_KEEP_DAYS = 30


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SMS_BACKEND = "twilio"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEMO_MODE = True


CONFIGS: dict[str, type[Config]] = {"production": ProductionConfig, "development": DevelopmentConfig}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` in precedence order and validate it for the chosen environment."""
    env_name = (test_config or {}).get("ENV_NAME") or os.environ.get("WAGE_GUARD_ENV", "development")
    if env_name not in CONFIGS and env_name != "testing":
        raise ConfigurationError(f"WAGE_GUARD_ENV must be one of production, development (got {env_name!r})")
    app.config.from_object(CONFIGS.get(env_name, Config))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WAGE_GUARD")
    if test_config:
        app.config.update(test_config)
    if app.config["ENV_NAME"] == "production":
        _require_production_settings(app)
    else:
        _fill_development_defaults(app)
    if not app.config.get("DOCUMENT_STORE_DIR"):
        app.config["DOCUMENT_STORE_DIR"] = str(Path(app.instance_path) / "documents")
    _check_document_store(app)
    if app.config.get("FILING_PUSH_URL") and len(str(app.config.get("FILING_PUSH_SECRET") or "")) < 32:
        raise ConfigurationError("WAGE_GUARD_FILING_PUSH_URL needs WAGE_GUARD_FILING_PUSH_SECRET of at least 32 characters")


def _require_production_settings(app: Flask) -> None:
    missing = [k for k in SECRET_SETTINGS if not app.config.get(k) or app.config[k] == _DEV_PLACEHOLDER]
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        missing.append("SQLALCHEMY_DATABASE_URI")
    if not app.config.get("PUBLIC_BASE_URL"):  # the scheduler's text messages have no request to take a host from
        missing.append("PUBLIC_BASE_URL")
    if app.config.get("SMS_BACKEND") == "twilio":
        missing += [k for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER") if not app.config.get(k)]
    if app.config.get("KEY_STORE") == "pkcs11":
        missing += [k for k in ("PKCS11_MODULE", "PKCS11_TOKEN_LABEL", "PKCS11_USER_PIN") if not app.config.get(k)]
    if app.config.get("DOCUMENT_STORE") == "s3" and not app.config.get("S3_BUCKET"):
        missing.append("S3_BUCKET")
    if missing:
        names = ", ".join(f"WAGE_GUARD_{k}" for k in missing)
        raise ConfigurationError(f"production refuses to start without: {names}")
    if len(str(app.config["SECRET_KEY"])) < 32:
        raise ConfigurationError("WAGE_GUARD_SECRET_KEY must be at least 32 characters")
    if app.config.get("DEMO_MODE"):
        raise ConfigurationError("WAGE_GUARD_DEMO_MODE must not be enabled in production")
    if app.config.get("KEY_STORE") not in ("encrypted", "pkcs11"):
        raise ConfigurationError("WAGE_GUARD_KEY_STORE must be 'encrypted' or 'pkcs11'")
    if limit_storage_is_process_local(app.config.get("RATELIMIT_STORAGE_URI")):
        raise ConfigurationError(
            "production refuses process-local rate-limit storage (memory://): each web process would count the limits "
            "on its own; set WAGE_GUARD_RATELIMIT_STORAGE_URI to a storage the processes share, e.g. redis://…"
        )


def _check_document_store(app: Flask) -> None:
    """The document store's backend is one this app has, with what it needs (in every environment)."""
    backend = app.config.get("DOCUMENT_STORE")
    if backend not in ("local", "s3"):
        raise ConfigurationError(f"WAGE_GUARD_DOCUMENT_STORE must be 'local' or 's3' (got {backend!r})")
    if backend == "s3" and not app.config.get("S3_BUCKET"):
        raise ConfigurationError("WAGE_GUARD_DOCUMENT_STORE=s3 needs WAGE_GUARD_S3_BUCKET")
    if app.config.get("S3_ADDRESSING_STYLE") not in ("auto", "path", "virtual"):
        raise ConfigurationError("WAGE_GUARD_S3_ADDRESSING_STYLE must be 'auto', 'path' or 'virtual'")


def limit_storage_is_process_local(uri: str | None) -> bool:
    """True for Flask-Limiter storage that each process keeps for itself (``memory://``, or none given)."""
    return not uri or str(uri).split("://", 1)[0].lower() in ("memory", "")


def _fill_development_defaults(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "wage_guard.sqlite")
    missing = [k for k in SECRET_SETTINGS if not app.config.get(k) or app.config[k] == _DEV_PLACEHOLDER]
    if missing:
        generated = _instance_secrets(Path(app.instance_path) / "secrets.json")
        app.config.update({key: generated[key] for key in missing})


def _instance_secrets(path: Path) -> dict[str, str]:
    """Return this installation's development secrets, creating them on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        if all(k in stored for k in SECRET_SETTINGS):
            return stored
    fresh = {k: base64.b64encode(secrets.token_bytes(32)).decode() for k in SECRET_SETTINGS}
    path.write_text(json.dumps(fresh, indent=2))
    path.chmod(0o600)
    return fresh
