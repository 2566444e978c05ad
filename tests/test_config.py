"""Configuration: production refuses to start without real secrets; environment variables apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from wage_guard import create_app
from wage_guard.config import ConfigurationError

GOOD = {
    "WAGE_GUARD_SECRET_KEY": "x" * 40,
    "WAGE_GUARD_SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db.internal/wage_guard",
    "WAGE_GUARD_FIELD_ENCRYPTION_KEY": "a2V5MWtleTFrZXkxa2V5MWtleTFrZXkxa2V5MWtleTE=",
    "WAGE_GUARD_BLIND_INDEX_KEY": "a2V5MmtleTJrZXkya2V5MmtleTJrZXkya2V5MmtleTI=",
    "WAGE_GUARD_CODE_HASH_KEY": "a2V5M2tleTNrZXkza2V5M2tleTNrZXkza2V5M2tleTM=",
    "WAGE_GUARD_KEY_ENCRYPTION_KEY": "a2V5NGtleTRrZXk0a2V5NGtleTRrZXk0a2V5NGtleTQ=",
    "WAGE_GUARD_TWILIO_ACCOUNT_SID": "AC123",
    "WAGE_GUARD_TWILIO_AUTH_TOKEN": "token",
    "WAGE_GUARD_TWILIO_FROM_NUMBER": "+15005550006",
    "WAGE_GUARD_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "WAGE_GUARD_PUBLIC_BASE_URL": "https://wage-guard.example.cn",
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("WAGE_GUARD_ENV", "production")
    for key, value in GOOD.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_production_starts_with_everything_set(production: pytest.MonkeyPatch) -> None:
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SMS_BACKEND"] == "twilio"
    assert app.config["DEMO_MODE"] is False


@pytest.mark.parametrize(
    "missing",
    [
        "WAGE_GUARD_SECRET_KEY",
        "WAGE_GUARD_SQLALCHEMY_DATABASE_URI",
        "WAGE_GUARD_FIELD_ENCRYPTION_KEY",
        "WAGE_GUARD_TWILIO_AUTH_TOKEN",
        "WAGE_GUARD_PUBLIC_BASE_URL",
    ],
)
def test_production_refuses_to_start_without(production: pytest.MonkeyPatch, missing: str) -> None:
    production.delenv(missing)
    with pytest.raises(ConfigurationError, match=missing):
        create_app()


def test_production_with_an_hsm_needs_its_token_and_pin(production: pytest.MonkeyPatch) -> None:
    production.setenv("WAGE_GUARD_KEY_STORE", "pkcs11")
    with pytest.raises(ConfigurationError, match="WAGE_GUARD_PKCS11_TOKEN_LABEL, WAGE_GUARD_PKCS11_USER_PIN"):
        create_app()
    production.setenv("WAGE_GUARD_PKCS11_TOKEN_LABEL", "wage-guard")
    production.setenv("WAGE_GUARD_PKCS11_USER_PIN", "246810")
    assert create_app().config["KEY_STORE"] == "pkcs11"
    production.setenv("WAGE_GUARD_KEY_STORE", "hsm")
    with pytest.raises(ConfigurationError, match="WAGE_GUARD_KEY_STORE must be"):
        create_app()


def test_production_refuses_short_secret_key(production: pytest.MonkeyPatch) -> None:
    production.setenv("WAGE_GUARD_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError, match="32 characters"):
        create_app()


def test_production_refuses_demo_mode(production: pytest.MonkeyPatch) -> None:
    production.setenv("WAGE_GUARD_DEMO_MODE", "true")
    with pytest.raises(ConfigurationError, match="DEMO_MODE"):
        create_app()


@pytest.mark.parametrize("storage", [None, "memory://", "MEMORY://", ""])
def test_production_refuses_process_local_rate_limit_storage(production: pytest.MonkeyPatch, storage: str | None) -> None:
    """Each web process would count the limits on its own, so every limit would be multiplied by their number."""
    if storage is None:
        production.delenv("WAGE_GUARD_RATELIMIT_STORAGE_URI")
    else:
        production.setenv("WAGE_GUARD_RATELIMIT_STORAGE_URI", storage)
    with pytest.raises(
        ConfigurationError, match=r"process-local rate-limit storage \(memory://\).*WAGE_GUARD_RATELIMIT_STORAGE_URI"
    ):
        create_app()


def test_unknown_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAGE_GUARD_ENV", "staging")
    with pytest.raises(ConfigurationError, match="WAGE_GUARD_ENV"):
        create_app()


def test_development_generates_and_keeps_instance_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAGE_GUARD_ENV", raising=False)
    monkeypatch.setenv("WAGE_GUARD_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/dev.sqlite")
    monkeypatch.setenv("WAGE_GUARD_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app()
    second = create_app()
    assert first.config["FIELD_ENCRYPTION_KEY"] == second.config["FIELD_ENCRYPTION_KEY"]
    assert first.config["DEMO_MODE"] is True
    secrets_file = tmp_path / "instance" / "secrets.json"
    assert secrets_file.exists()
    assert oct(secrets_file.stat().st_mode)[-3:] == "600"
