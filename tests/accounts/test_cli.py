"""``flask accounts create-admin`` and ``create-user``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from wage_guard.accounts.models import Role, User
from wage_guard.extensions import db


def test_create_admin_then_login_works(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["accounts", "create-admin", "--username", "Root", "--phone", "13800138000", "--password", "Very-good-pass-1"]
    )
    assert result.exit_code == 0, result.output
    assert "created admin 'root'" in result.output
    with app.app_context():
        user = db.session.scalars(sa.select(User)).one()
        assert user.role is Role.ADMIN
        assert user.phone == "+8613800138000"
        assert "Very-good-pass-1" not in user.password_hash
    client = app.test_client()
    assert client.post("/login", data={"username": "root", "password": "Very-good-pass-1"}).status_code == 302


def test_create_admin_with_totp_prints_uri(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["accounts", "create-admin", "--username", "a2", "--totp", "--password", "Very-good-pass-1"]
    )
    assert result.exit_code == 0
    assert "otpauth://totp/" in result.output


def test_create_admin_refuses_weak_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["accounts", "create-admin", "--username", "a3", "--phone", "13800138000", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "password" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_create_inspector_needs_area_code(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create-user",
            "--username",
            "i1",
            "--role",
            "inspector",
            "--phone",
            "13800138000",
            "--password",
            "Very-good-pass-1",
        ]
    )
    assert result.exit_code != 0
    assert "area_code" in result.output
