"""wage_guard: electronic labour contracts and wage-arrears early warning for construction workers."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, error pages and CLI commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=instance_path(),
    )
    from wage_guard.config import load_config

    load_config(app, test_config)
    register_proxy(app)
    register_logging(app)
    register_extensions(app)
    register_routing(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def instance_path() -> str | None:
    """``WAGE_GUARD_INSTANCE_PATH`` when set, else Flask's default (``instance/`` beside the package)."""
    path = os.environ.get("WAGE_GUARD_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def register_proxy(app: Flask) -> None:
    """Behind ``PROXY_HOPS`` reverse proxies, take the client's address, scheme and host from their
    ``X-Forwarded-*`` headers (werkzeug's ProxyFix), so per-address limits, the session's client binding and the
    evidence log see the client, not the proxy. Zero (the default) trusts no such header: a client could forge it."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_logging(app: Flask) -> None:
    from wage_guard import redaction

    redaction.install()  # bearer tokens out of every log record, in every environment
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from wage_guard import security
    from wage_guard.accounts import models as _accounts  # noqa: F401  (register every model with the metadata)
    from wage_guard.api import models as _api  # noqa: F401
    from wage_guard.batches import models as _batches  # noqa: F401
    from wage_guard.codes import models as _codes  # noqa: F401
    from wage_guard.complaints import models as _complaints  # noqa: F401
    from wage_guard.confirmations import models as _confirmations  # noqa: F401
    from wage_guard.contracts import models as _contracts  # noqa: F401
    from wage_guard.enrollment import models as _enrollment  # noqa: F401
    from wage_guard.extensions import babel, csrf, db, limiter, login_manager, migrate
    from wage_guard.filing import services as _filing  # noqa: F401 - its models, and the listener that queues records
    from wage_guard.identity import models as _identity  # noqa: F401
    from wage_guard.inspector import models as _inspector  # noqa: F401
    from wage_guard.journeys import models as _journeys  # noqa: F401
    from wage_guard.ledger import models as _ledger  # noqa: F401
    from wage_guard.ledger import sequencer as _sequencer  # noqa: F401 - registers the after-commit sequencing
    from wage_guard.locale import select_locale
    from wage_guard.payroll import bank_models as _bank  # noqa: F401
    from wage_guard.payroll import models as _payroll  # noqa: F401
    from wage_guard.reminders import models as _reminders  # noqa: F401
    from wage_guard.risk import models as _risk  # noqa: F401
    from wage_guard.risk import queue_models as _risk_queue  # noqa: F401
    from wage_guard.signing import models as _signing  # noqa: F401
    from wage_guard.sms import models as _sms  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(Path(__file__).parent / "translations")
    )
    limiter.init_app(app)
    security.init_app(app)
    _configure_login(app)


def _configure_login(app: Flask) -> None:
    from wage_guard import security
    from wage_guard.accounts import sessions
    from wage_guard.extensions import login_manager
    from wage_guard.i18n import _l

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")  # type: ignore[assignment]
    login_manager.session_protection = "strong"
    # "<id>:<session version>": a session ends everywhere when the version moves on (accounts/sessions.py).
    login_manager.user_loader(sessions.load_user)
    login_manager._session_identifier_generator = security.session_identifier  # keyed: no address hash in the cookie


def register_routing(app: Flask) -> None:
    """URL converters bounded to what the database holds (``wage_guard.routing``), before any rule is added."""
    from wage_guard import routing

    routing.init_app(app)


def register_blueprints(app: Flask) -> None:
    from wage_guard.accounts.views import bp as accounts_bp
    from wage_guard.admin.views import bp as admin_bp
    from wage_guard.api.views import BLUEPRINTS as api_blueprints
    from wage_guard.complaints.views import bp as complaints_bp
    from wage_guard.confirmations.views import bp as confirm_bp
    from wage_guard.confirmations.views import portal_bp as wages_bp
    from wage_guard.confirmations.views import staff_bp as confirmations_bp
    from wage_guard.contracts.views import bp as contracts_bp
    from wage_guard.enrollment.views import bp as enrollment_bp
    from wage_guard.enrollment.views import public_bp as enrollment_public_bp
    from wage_guard.identity.views import bp as identity_bp
    from wage_guard.identity.views import public_bp as identity_public_bp
    from wage_guard.inspector.views import bp as inspector_bp
    from wage_guard.journeys.views import bp as sign_bp
    from wage_guard.ledger.views import bp as log_bp
    from wage_guard.organisations.views import bp as organisations_bp
    from wage_guard.payroll.views import bp as payroll_bp
    from wage_guard.portal.views import bp as portal_bp
    from wage_guard.risk.views import bp as minimum_wages_bp
    from wage_guard.signing.views import bp as pki_bp
    from wage_guard.sms.views import bp as sms_bp
    from wage_guard.verification.views import bp as verification_bp

    for blueprint in (
        accounts_bp,
        organisations_bp,
        enrollment_bp,
        enrollment_public_bp,
        inspector_bp,
        sms_bp,
        admin_bp,
        minimum_wages_bp,
        contracts_bp,
        sign_bp,
        portal_bp,
        verification_bp,
        log_bp,
        identity_bp,
        identity_public_bp,
        pki_bp,
        payroll_bp,
        confirm_bp,
        wages_bp,
        confirmations_bp,
        complaints_bp,
        *api_blueprints,
    ):
        app.register_blueprint(blueprint)


def register_errors(app: Flask) -> None:
    from wage_guard.error_pages import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from wage_guard.cli import register_commands as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from wage_guard.assets import asset_url
    from wage_guard.verification.views import mask_signer

    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["mask_signer"] = mask_signer
    app.jinja_env.filters["china_time"] = _china_time

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        from wage_guard.contracts.lifecycle import EVENT_LABELS

        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "event_labels": EVENT_LABELS,
            "demo_mode": app.config["DEMO_MODE"],
        }


def _china_time(value: object, part: str = "datetime") -> str:
    """Show a datetime (or ISO timestamp) in China time, labelled; the one way templates show a time or a date.

    ``part`` is "datetime" (to the second), "minute", "time", "date" or, for a date, "month" (a wage month).
    Naive datetimes are UTC (as stored). Times
    carry the label "China time"; a date needs none: a plain ``date`` is shown as it is, and the "date" of a datetime
    is its China calendar day (a link expiring at 23:00 UTC expires on the next day in China).
    """
    from datetime import date, datetime

    from wage_guard.clock import CHINA, as_utc
    from wage_guard.i18n import _

    if not value:
        return "—"
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value:%Y-%m}" if part == "month" else value.isoformat()
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    local = as_utc(moment).astimezone(CHINA)
    if part == "date":
        return local.strftime("%Y-%m-%d")
    pattern = {"minute": "%Y-%m-%d %H:%M", "time": "%H:%M:%S"}.get(part, "%Y-%m-%d %H:%M:%S")
    label = _("China time")
    return f"{local.strftime(pattern)} ({label})"
