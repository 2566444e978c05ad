"""API tokens (issued, refused, revoked, stored hashed), JSON errors, the flag workflow over the API, the
administrator's token pages and the self-hosted docs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.api.support import issue_token, use_token
from tests.conftest import advance
from tests.factories import World, create_finding, login
from wage_guard import boundary, clock
from wage_guard.accounts.models import User
from wage_guard.api import services
from wage_guard.api.models import ApiToken
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.inspector.models import FlagAction
from wage_guard.ledger import sequencer
from wage_guard.ledger.models import LedgerEntry
from wage_guard.organisations.models import Project


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    assert user is not None
    return user


@pytest.fixture
def flag_b(app: Flask, world: World) -> int:
    with app.app_context():
        project = db.session.get(Project, world.project_b)
        assert project is not None
        found = create_finding(project, "R04", "red")
        boundary.commit()
        return found


def test_only_the_hash_is_stored_and_the_secret_opens_the_api(app: Flask, world: World) -> None:
    secret = issue_token(app, "inspector_y", county="370321")
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert token is not None
        assert secret not in (token.token_hash, token.prefix)
        assert token.token_hash == services.token_hash(secret)
        assert secret.startswith(token.prefix)
    assert use_token(app.test_client(), secret).get("/api/v1/projects").status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer wgt_unknown", "Basic dXNlcjpwYXNz", "Bearer " + "wgt_" + "x" * 500, "bearer  wgt_"],
)
def test_missing_or_wrong_tokens_get_a_json_401(app: Flask, world: World, header: str | None) -> None:
    client = app.test_client()
    if header is not None:
        client.environ_base["HTTP_AUTHORIZATION"] = header
    response = client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["code"] == "unauthenticated"
    assert body["message"]


def test_a_revoked_token_or_a_disabled_holder_opens_nothing(app: Flask, world: World) -> None:
    revoked, disabled = issue_token(app, "inspector_y", county="370321"), issue_token(app, "employer_b", employer_of="employer_b")
    with app.app_context():
        first = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id))
        assert first is not None
        services.revoke(_user("admin"), first.id, now=clock.utcnow())
        _user("employer_b").is_enabled = False
        boundary.commit()
    assert use_token(app.test_client(), revoked).get("/api/v1/projects").status_code == 401
    assert use_token(app.test_client(), disabled).get("/api/v1/projects").status_code == 401


@pytest.mark.parametrize(
    ("holder", "scope", "field"),
    [
        ("inspector_x", {"county_code": "370321"}, "holder_id"),  # another county than the inspector's
        ("inspector_x", {"employer_of": "employer_b"}, "holder_id"),  # inspectors hold county tokens
        ("employer_a", {"employer_of": "employer_b"}, "holder_id"),  # another employer
        ("employer_b", {"county_code": "370321"}, "holder_id"),  # employers hold employer tokens
        ("foreman_b", {"employer_of": "employer_b"}, "holder_id"),  # foremen hold none
        ("admin", {}, "scope"),
        ("admin", {"county_code": "370321", "employer_of": "employer_b"}, "scope"),
        ("admin", {"county_code": "999999"}, "county_code"),
    ],
)
def test_a_token_never_reaches_beyond_its_holder(
    app: Flask, world: World, holder: str, scope: dict[str, str], field: str
) -> None:
    with app.app_context():
        employer = _user(scope["employer_of"]).employer_id if "employer_of" in scope else None
        with pytest.raises(ValidationFailed) as refused:
            services.issue(
                _user("admin"),
                holder_id=_user(holder).id,
                name="x",
                employer_id=employer,
                county_code=scope.get("county_code"),
                now=clock.utcnow(),
            )
    assert refused.value.field == field


def test_an_inspector_works_a_flag_through_the_api(app: Flask, world: World, flag_b: int) -> None:
    client = use_token(app.test_client(), issue_token(app, "inspector_y", county="370321"))
    url = f"/api/v1/findings/{flag_b}/actions"
    done = client.post(url, json={"action": "acknowledge", "note": "已联系总包单位"})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["workflow_status"] == "acknowledged"
    refused = client.post(url, json={"action": "resolve", "note": "已补发"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"reason": refused.get_json()["message"]}
    resolved = client.post(url, json={"action": "resolve", "note": "已补发", "reason": "银行回单已核对"})
    assert resolved.get_json()["workflow_status"] == "resolved"
    assert client.post(url, json={"action": "fly", "note": "x"}).status_code == 422
    assert client.post(url, data={"action": "dismiss", "note": "表单"}).status_code == 422
    with app.app_context():
        sequencer.integrate_queued()
        logged = db.session.scalars(
            sa.select(LedgerEntry.kind).where(LedgerEntry.subject == f"finding:{flag_b}").order_by(LedgerEntry.seq)
        )
        assert list(logged) == ["flag_acknowledge", "flag_resolve"]
        actors = set(db.session.scalars(sa.select(FlagAction.actor_id)))
        assert actors == {_user("inspector_y").id}


def test_employer_tokens_and_other_counties_cannot_work_flags(app: Flask, world: World, flag_b: int) -> None:
    step = {"action": "acknowledge", "note": "试一试"}
    employer = use_token(app.test_client(), issue_token(app, "employer_b", employer_of="employer_b"))
    other = use_token(app.test_client(), issue_token(app, "inspector_x", county="370322"))
    assert employer.post(f"/api/v1/findings/{flag_b}/actions", json=step).status_code == 403
    assert other.post(f"/api/v1/findings/{flag_b}/actions", json=step).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FlagAction)) == 0


def test_the_administrator_issues_a_token_once_and_revokes_it(app: Flask, world: World) -> None:
    admin = app.test_client()
    login(admin, "admin")
    with app.app_context():
        holder = _user("inspector_y").id
    page = admin.post(
        "/admin/api-tokens/", data={"name": "省劳动用工备案平台", "holder_id": holder, "county_code": "370321", "employer_id": 0}
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    secret = text.split('id="token-secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("wgt_")
    assert secret not in admin.get("/admin/api-tokens/").get_data(as_text=True)
    assert all(secret not in c.value for c in admin._cookies.values())  # noqa: SLF001 - no bearer token in a cookie
    assert use_token(app.test_client(), secret).get("/api/v1/projects").status_code == 200
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    assert admin.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 302
    assert use_token(app.test_client(), secret).get("/api/v1/projects").status_code == 401
    with app.app_context():  # both steps are in the evidence log, with who took them and never the secret
        sequencer.integrate_queued()
        entries = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.subject == f"api_token:{token_id}")).all()
        assert [e.kind for e in entries] == ["api_token_issued", "api_token_revoked"]
        assert all(secret not in e.payload and secret[4:20] not in e.payload for e in entries)
        assert f'"by":{_user("admin").id}' in entries[1].payload


def test_a_wrong_token_form_names_the_field(app: Flask, world: World) -> None:
    admin = app.test_client()
    login(admin, "admin")
    with app.app_context():
        holder = _user("employer_b").id
    page = admin.post("/admin/api-tokens/", data={"name": "x", "holder_id": holder, "county_code": "370321", "employer_id": 0})
    assert page.status_code == 422
    assert "wgt_" not in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_docs_are_served_here_without_a_cdn(app: Flask, world: World) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "https://" not in text
    assert "<script>" not in text
    with client.get("/api/v1/docs/files/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200
    assert client.get("/api/v1/docs/files/index.html").status_code == 404
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/findings/{finding_id}/actions" in document["paths"]


def test_a_token_expires_after_its_days(app: Flask, world: World) -> None:
    with app.app_context():
        holder = _user("inspector_y")
        issued = services.issue(
            _user("admin"),
            holder_id=holder.id,
            name="三十天",
            employer_id=None,
            county_code="370321",
            now=clock.utcnow(),
            valid_days=30,
        )
        boundary.commit()
        secret = issued.secret
        with pytest.raises(ValidationFailed):
            services.issue(
                _user("admin"),
                holder_id=holder.id,
                name="x",
                employer_id=None,
                county_code="370321",
                now=clock.utcnow(),
                valid_days=0,
            )
    client = use_token(app.test_client(), secret)
    assert client.get("/api/v1/projects").status_code == 200
    advance(days=30)
    expired = client.get("/api/v1/projects")
    assert expired.status_code == 401
    assert "expired" in expired.get_json()["message"] or "过期" in expired.get_json()["message"]
