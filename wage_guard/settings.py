"""The settings services read, as one typed object.

Why: ``current_app.config["CODE_TTL"]`` scattered through the services is an untyped string lookup that a typo
turns into a KeyError at run time, and it hides which settings a domain depends on. Services call ``settings()``
and read typed attributes; the Flask config (``config.py``, environment, instance file) stays the one source, and
``Settings`` is rebuilt from it on each call (a few dozen lookups), so a test that changes the config sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class Settings:
    env_name: str
    demo_mode: bool
    #: Public base URL printed in QR codes and SMS links (None: the request's host, in development only).
    public_base_url: str | None
    secret_key: str
    #: Always set once the app is configured (development fills it in, production requires it).
    code_hash_key: str
    blind_index_key: str
    #: Wraps signers' and online platform keys at rest (always set once configured, like the keys above).
    key_encryption_key: str
    code_ttl: timedelta
    code_max_attempts: int
    code_resend_cooldown: timedelta
    code_send_quotas: tuple[tuple[timedelta, int], ...]
    code_lockout_wrong: int
    code_lockout_window: timedelta
    phone_shared_by_at_most: int
    phone_change_hold: timedelta
    identity_check_ttl: timedelta
    enrollment_link_ttl: timedelta
    signing_link_ttl: timedelta
    signing_session_ttl: timedelta
    login_free_failures: int
    login_max_delay: timedelta
    login_alert_failures: int
    login_failure_window: timedelta
    sms_max_attempts: int
    key_store: str
    pkcs11_module: str
    pkcs11_token_label: str | None
    pkcs11_user_pin: str | None
    tsa_url: str | None
    tsa_timeout_seconds: int
    max_content_length: int
    payroll_max_file_bytes: int
    payroll_max_rows: int
    payroll_max_expanded_bytes: int
    risk_r01_grace_days: int
    risk_r14_grace_days: int
    risk_r15_window: timedelta
    risk_r15_min_people: int
    risk_amount_tolerance_yuan: Decimal
    risk_amount_tolerance_share: Decimal
    risk_r03_grace_days: int
    risk_r04_grace_days: int
    risk_r04_orange_days: int
    risk_r04_red_days: int
    risk_r05_orange_share: Decimal
    risk_r05_red_share: Decimal
    risk_r09_month_limit: Decimal
    risk_r09_year_limit: Decimal
    risk_r11_confirm_days: int
    risk_r11_unconfirmed_share: Decimal
    risk_r12_settlement_days: int
    babel_default_locale: str
    batch_inline_max: int
    filing_push_url: str | None
    #: argon2-cffi ``PasswordHasher`` options; tests make hashing cheap, production keeps the library's defaults.
    argon2_options: dict[str, Any]

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> Settings:
        """Read each field from the config key of the same name in capitals.

        :raises KeyError: for a missing key: ``config.Config`` defines them all, so it is a programming error.
        """
        return cls(**{field.name: config[field.name.upper()] for field in fields(cls)})


def settings() -> Settings:
    """The current application's settings."""
    return Settings.from_mapping(current_app.config)
