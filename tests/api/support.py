"""API tokens for tests, issued through the service as an administrator would."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wage_guard import boundary, clock
from wage_guard.accounts.models import User
from wage_guard.api import services
from wage_guard.extensions import db


def issue_token(app: Flask, holder: str, *, county: str | None = None, employer_of: str | None = None) -> str:
    """A token held by the staff account ``holder``, narrowed to ``county`` or to the employer of ``employer_of``."""
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        user = db.session.scalar(sa.select(User).where(User.username == holder))
        assert admin is not None
        assert user is not None
        employer = db.session.scalar(sa.select(User.employer_id).where(User.username == employer_of)) if employer_of else None
        issued = services.issue(
            admin, holder_id=user.id, name=f"{holder} test", employer_id=employer, county_code=county, now=clock.utcnow()
        )
        boundary.commit()
        return issued.secret


def use_token(client: FlaskClient, secret: str) -> FlaskClient:
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client
