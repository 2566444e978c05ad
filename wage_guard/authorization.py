"""Who may use each endpoint: one table, enforced for staff pages on every request and checked for every route.

Every endpoint of the URL map has an entry in ``TABLE``. An endpoint without one is refused (deny by default)
and ``tests/test_authorization.py`` names it. For staff pages ``authorize_request`` applies the entry before
the view runs: login, then the role, then the project scope through ``organisations.get_project`` (the single
source of project scope), so a view that forgets its own check is still covered. The views keep their own
checks and load each object through its project (``contracts.get_contract(project, id)`` and the like).

Non-staff audiences hold a bearer secret (a QR or SMS link) or a session proven by an SMS code to a phone; the
view resolves it, so the table names the audience and the tests check that it holds.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wage_guard.accounts.models import Role
from wage_guard.errors import PermissionDenied
from wage_guard.extensions import login_manager
from wage_guard.i18n import _

log = logging.getLogger(__name__)


class Audience(enum.StrEnum):
    """Who holds the credential a request needs."""

    ANYONE = "anyone"
    DEMO = "anyone, in demo mode only (404 otherwise)"
    LOGGING_IN = "a staff member part-way through logging in (password accepted in this browser)"
    ENROLMENT_LINK = "holder of a project's enrolment QR link (printed on the site poster)"
    ENROLMENT_SESSION = "the browser that started (or finished) an enrolment through that QR link"
    SIGNING_LINK = "holder of a worker's signing link (texted to the worker)"
    SIGNING_SESSION = "holder of a worker's signing link who confirmed a code sent to the worker's phone in this browser"
    SEALING_LINK = "holder of an employer's sealing link (texted to the authorised signatory)"
    SEALING_SESSION = "holder of a sealing link who confirmed a code sent to the signatory's phone in this browser"
    CANCEL_LINK = "holder of the link texted to a worker's registered phone to stop a phone change"
    PORTAL_LOGIN = "anyone logging into the worker portal (every phone gets a code; only a registered one then sees contracts)"
    PORTAL = "portal session of the contract's worker (SMS code to the worker's phone)"
    CONFIRMATION_LINK = "holder of a worker's wage-confirmation link (texted to the worker)"
    CONFIRMATION_SESSION = "holder of a wage-confirmation link who confirmed a code sent to the worker's phone in this browser"
    COMPLAINT_SESSION = "the browser that started a complaint through a project's QR link (until its code is confirmed)"
    STAFF = "logged-in staff"
    API_TOKEN = "holder of an API token (an employer's or a county's), checked by the API before every operation"  # noqa: S105


class Scope(enum.StrEnum):
    """Which objects a staff member may reach with the page (``NONE``: the role decides)."""

    NONE = "any"
    #: Lists and forms that show only what is in the user's scope (``visible_projects``, ``visible_users``).
    OWN = "only what is in the user's own scope"
    PROJECT = (
        "the project (admin; employer_admin of the project's employer; foreman managing the project; "
        "inspector whose area covers the project's county)"
    )
    MANAGE = "the project, to change it (as PROJECT, without inspectors)"
    #: The URL names an object but not its project: the view loads it within the user's projects.
    OBJECT = "the object's project (as PROJECT to see it, as MANAGE to change it), checked by the view"
    #: The URL names a staff account: admins any, employer administrators their own employer's foremen.
    ACCOUNT = "a staff account the user administers (admin: any; employer_admin: own employer's foremen)"


ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Access:
    """One entry: the audience, for staff the roles allowed (all when empty) and the scope."""

    audience: Audience
    roles: frozenset[Role] = frozenset()
    scope: Scope = Scope.NONE

    @property
    def staff_roles(self) -> frozenset[Role]:
        return (self.roles or ALL_ROLES) if self.audience is Audience.STAFF else frozenset()

    def __str__(self) -> str:
        if self.audience is not Audience.STAFF:
            return self.audience.value
        roles = "/".join(sorted(r.value for r in self.staff_roles))
        return f"staff ({roles}); scope: {self.scope.value}"


def _staff(*roles: Role, scope: Scope = Scope.NONE) -> Access:
    return Access(Audience.STAFF, frozenset(roles), scope)


ANYONE = Access(Audience.ANYONE)
MANAGERS = (Role.ADMIN, Role.EMPLOYER_ADMIN, Role.FOREMAN)
SEE_PROJECT = _staff(scope=Scope.PROJECT)
MANAGE_PROJECT = _staff(*MANAGERS, scope=Scope.MANAGE)
API = Access(Audience.API_TOKEN)

#: endpoint -> who may use it. Keep it sorted by blueprint; a new route needs an entry (deny by default).
TABLE: dict[str, Access] = {
    "static": ANYONE,
    # Staff login and home.
    "accounts.home": ANYONE,  # a redirect: staff to their start page, everyone else to the login
    "accounts.login": ANYONE,
    "accounts.second_factor": Access(Audience.LOGGING_IN),
    "accounts.resend_code": Access(Audience.LOGGING_IN),
    "accounts.logout": _staff(),
    "accounts.change_password": _staff(),  # one's own password
    # Administration.
    "admin.employers": _staff(Role.ADMIN),
    "admin.filings": _staff(Role.ADMIN),
    "admin.resend_filing": _staff(Role.ADMIN),
    "api_tokens.index": _staff(Role.ADMIN),
    "api_tokens.issue": _staff(Role.ADMIN),
    "api_tokens.revoke": _staff(Role.ADMIN),
    "admin.staff": _staff(Role.ADMIN, Role.EMPLOYER_ADMIN, scope=Scope.OWN),  # employer admins: own foremen only
    "admin.deactivate_staff": _staff(Role.ADMIN, Role.EMPLOYER_ADMIN, scope=Scope.ACCOUNT),
    "admin.reactivate_staff": _staff(Role.ADMIN, Role.EMPLOYER_ADMIN, scope=Scope.ACCOUNT),
    "admin.unlock_staff_codes": _staff(Role.ADMIN, scope=Scope.ACCOUNT),  # only platform administrators unlock staff
    "minimum_wages.index": _staff(Role.ADMIN),
    "minimum_wages.county_tier": _staff(Role.ADMIN),
    "inspector.dashboard": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),
    "inspector.flags": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),
    "inspector.flags_xlsx": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),
    "inspector.flags_csv": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),
    "inspector.report_xlsx": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),
    "inspector.report_csv": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),
    "inspector.flag": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OBJECT),
    "inspector.project": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.PROJECT),  # the drill-down
    "inspector.worker": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.PROJECT),
    #: The county's inspector alone confirms a project's wages settled (it starts the retention clock).
    "inspector.confirm_settlement": _staff(Role.INSPECTOR, scope=Scope.PROJECT),
    "inspector.act_on_flags": _staff(Role.INSPECTOR, Role.ADMIN, scope=Scope.OWN),  # the flags posted: the user's area only
    # Projects.
    "organisations.list": _staff(scope=Scope.OWN),
    "organisations.create": _staff(*MANAGERS, scope=Scope.OWN),  # for the user's own employer (admins: any)
    "organisations.detail": SEE_PROJECT,
    "organisations.add_crew": MANAGE_PROJECT,
    "organisations.record_completion": MANAGE_PROJECT,
    "organisations.add_manager": _staff(Role.ADMIN, Role.EMPLOYER_ADMIN, scope=Scope.MANAGE),
    # Enrolment: the staff side and the public pages behind the QR code.
    "enrollment.poster": SEE_PROJECT,
    "enrollment.qr_png": SEE_PROJECT,
    "enrollment.qr_svg": SEE_PROJECT,
    "enrollment.new_link": MANAGE_PROJECT,
    "enrollment.revoke_link": MANAGE_PROJECT,
    "enrollment.edit_entry": MANAGE_PROJECT,
    "enroll.start": Access(Audience.ENROLMENT_LINK),
    "enroll.verify": Access(Audience.ENROLMENT_SESSION),
    "enroll.resend": Access(Audience.ENROLMENT_SESSION),
    "enroll.done": Access(Audience.ENROLMENT_SESSION),
    "enroll.held": Access(Audience.ENROLMENT_SESSION),  # an enrolment held for an identity check
    "enroll.old_phone_code": Access(Audience.ENROLMENT_SESSION),
    "enroll.old_phone": Access(Audience.ENROLMENT_SESSION),
    # Identity checks: the foreman's in-person confirmations (inspectors watch), and the old phone's cancel link.
    "identity.checks": _staff(scope=Scope.OWN),
    "identity.detail": _staff(scope=Scope.OBJECT),  # deciding (POST): managers of the check's project only
    "identity.new_phone_code": _staff(*MANAGERS, scope=Scope.OBJECT),
    "identity.resend": _staff(*MANAGERS, scope=Scope.OBJECT),
    "identity.lost_phone": MANAGE_PROJECT,
    "identity.address": MANAGE_PROJECT,
    "identity.address_code": MANAGE_PROJECT,
    "identity.unlock": MANAGE_PROJECT,
    "identity.certificate": MANAGE_PROJECT,  # revoking a worker's signing certificate, the worker present
    "identity_public.cancel": Access(Audience.CANCEL_LINK),
    # Contracts: staff pages.
    "contracts.list_contracts": SEE_PROJECT,
    "contracts.detail": SEE_PROJECT,
    "contracts.pdf": SEE_PROJECT,
    "contracts.evidence": SEE_PROJECT,
    "contracts.verify": SEE_PROJECT,  # the stored current version checked as the public verification page does
    "contracts.issue": MANAGE_PROJECT,
    "contracts.batch": SEE_PROJECT,
    "contracts.batch_progress": SEE_PROJECT,
    "contracts.withdraw": MANAGE_PROJECT,
    "contracts.change": MANAGE_PROJECT,
    "contracts.notice": MANAGE_PROJECT,
    # Payroll: the foreman uploads a month's wage sheet (same permission as issuing contracts).
    "payroll.upload": MANAGE_PROJECT,
    "payroll.bank_import": MANAGE_PROJECT,  # the bank's transfer results (代发回单) of a month
    "payroll.ledger_months": SEE_PROJECT,  # the wage ledger (工资支付台账): inspectors of the project's county too
    "payroll.ledger_month": SEE_PROJECT,
    "payroll.ledger_export": SEE_PROJECT,
    # Signing and sealing behind SMS links.
    "sign.worker_start": Access(Audience.SIGNING_LINK),
    "sign.worker_code": Access(Audience.SIGNING_LINK),
    "sign.worker_verify": Access(Audience.SIGNING_LINK),
    "sign.worker_notice": Access(Audience.SIGNING_SESSION),
    "sign.worker_terms": Access(Audience.SIGNING_SESSION),
    "sign.worker_sign": Access(Audience.SIGNING_SESSION),
    "sign.worker_refuse": Access(Audience.SIGNING_SESSION),
    "sign.worker_page": Access(Audience.SIGNING_SESSION),
    "sign.worker_seal_image": Access(Audience.SIGNING_SESSION),
    "sign.worker_done": Access(Audience.SIGNING_SESSION),  # the browser that has just signed
    "sign.employer_start": Access(Audience.SEALING_LINK),
    "sign.employer_code": Access(Audience.SEALING_LINK),
    "sign.employer_verify": Access(Audience.SEALING_LINK),
    "sign.employer_seal": Access(Audience.SEALING_SESSION),
    "sign.employer_page": Access(Audience.SEALING_SESSION),
    "sign.employer_seal_image": Access(Audience.SEALING_SESSION),
    "sign.employer_progress": Access(Audience.SEALING_SESSION),  # the browser that has just sealed a large batch
    "sign.employer_progress_json": Access(Audience.SEALING_SESSION),
    # The worker portal.
    "portal.start": Access(Audience.PORTAL_LOGIN),
    "portal.verify": Access(Audience.PORTAL_LOGIN),
    "portal.contracts": Access(Audience.PORTAL),
    "portal.my_data": Access(Audience.PORTAL),  # everything held about the session's own people
    "portal.download": Access(Audience.PORTAL),
    "portal.evidence": Access(Audience.PORTAL),
    "portal.print_pdf": Access(Audience.PORTAL),
    "portal.verify_contract": Access(Audience.PORTAL),
    "portal.acknowledge": Access(Audience.PORTAL),  # the worker's own served notice only (checked by the view)
    "portal.signing_certificate": Access(Audience.PORTAL),  # the session's own people only (checked by the view)
    "portal.logout": Access(Audience.PORTAL),
    # Wage confirmations (工资确认) behind SMS links, in the portal, and the project's list; exit settlements.
    "confirm.start": Access(Audience.CONFIRMATION_LINK),
    "confirm.code": Access(Audience.CONFIRMATION_LINK),
    "confirm.verify": Access(Audience.CONFIRMATION_LINK),
    "confirm.slip": Access(Audience.CONFIRMATION_SESSION),
    "wages.months": Access(Audience.PORTAL),
    "wages.answer": Access(Audience.PORTAL),  # the session's own workers' confirmations only (checked by the view)
    "confirmations.project_list": SEE_PROJECT,
    "confirmations.settlement": MANAGE_PROJECT,
    # Complaints about unpaid wages: from the poster's QR link or the portal; closed by managers or inspectors.
    "complaints.poster": Access(Audience.ENROLMENT_LINK),
    "complaints.poster_verify": Access(Audience.COMPLAINT_SESSION),
    "complaints.poster_resend": Access(Audience.COMPLAINT_SESSION),
    "complaints.portal": Access(Audience.PORTAL),
    "complaints.project_list": SEE_PROJECT,
    "complaints.detail": SEE_PROJECT,  # closing (POST): every role of the project's scope, inspectors included
    # Public verification and the evidence log's JSON.
    "verification.upload": ANYONE,
    "verification.known": ANYONE,  # contract number -> known here, and its status (the number is printed on it)
    "log.latest": ANYONE,
    "log.by_size": ANYONE,
    "log.public_key": ANYONE,
    "log.root_certificate": ANYONE,  # the published root fingerprint that evidence packages are pinned to
    "log.root_certificate_pem": ANYONE,
    "log.entry": ANYONE,
    "log.consistency": ANYONE,
    "pki.crl": ANYONE,  # the published CRLs, named in every certificate's CRL distribution point
    "sms.outbox": Access(Audience.DEMO),
    # The REST API: the OpenAPI document and its docs are public; every operation needs a token, narrowed to its scope.
    "api.openapi": ANYONE,
    "api.docs": ANYONE,
    "api.docs_file": ANYONE,
    "api.projects": API,
    "api.project": API,
    "api.workers": API,
    "api.project_contracts": API,
    "api.payroll": API,
    "api.contract": API,
    "api.contract_pdf": API,
    "api.contract_verification": API,
    "api.findings": API,  # county tokens only (403 for an employer's)
    "api.finding": API,
    "api.finding_action": API,  # county tokens of inspectors; the step is the holder's
    "api.tree_heads": API,
}


def authorize_request() -> ResponseReturnValue | None:
    """Apply ``TABLE`` before the view: refuse unknown endpoints; for staff pages check login, role and project."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: routing answers 404/405 itself
        return None
    access = TABLE.get(endpoint)
    if access is None:
        log.error("endpoint %s has no entry in wage_guard.authorization.TABLE, so it is refused", endpoint)
        raise PermissionDenied(_("You do not have permission to see this page."))
    if access.audience is not Audience.STAFF:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in access.staff_roles:
        raise PermissionDenied(_("Your role does not allow this page."))
    if access.scope in (Scope.PROJECT, Scope.MANAGE):
        from wage_guard.organisations import services as organisations

        project_id = (request.view_args or {}).get("project_id")
        if not isinstance(project_id, int):
            log.error("endpoint %s is project-scoped but its URL names no project, so it is refused", endpoint)
            raise PermissionDenied(_("You do not have permission to see this page."))
        organisations.get_project(current_user._get_current_object(), project_id, manage=access.scope is Scope.MANAGE)  # type: ignore[attr-defined]
    return None
