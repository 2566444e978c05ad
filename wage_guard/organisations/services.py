"""Counties, employers, projects and crews, and the rule of who may see or manage which project."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from wage_guard.accounts.models import Role, User
from wage_guard.errors import NotFound, PermissionDenied, ValidationFailed
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.organisations import codes, minimum_wages
from wage_guard.organisations.models import (
    County,
    CountyWageTier,
    Crew,
    Employer,
    MinimumWage,
    Project,
    ProjectManager,
    ProjectStatus,
)

#: Seed data shipped with the package: counties and confirmed minimum wages (copied from shared/data).
DIVISIONS_CSV = Path(__file__).with_name("data") / "divisions-min-wage.csv"


def import_divisions(path: Path = DIVISIONS_CSV) -> tuple[int, int]:
    """Create or update counties, and add confirmed minimum-wage rows; returns (counties, wages) added."""
    counties = wages = 0
    minimum_wages.seed_tier_wages()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            county = db.session.get(County, row["code"])
            if county is None:
                county = County(code=codes.parse_division_code(row["code"]))
                db.session.add(county)
                counties += 1
            county.name, county.province_name = row["name"], row["province"]
            if row["confirmed"] == "yes" and row["min_wage_monthly"]:
                wages += _add_minimum_wage(county, row)
                _map_tier(county, row["min_wage_tier"])
    db.session.flush()
    return counties, wages


def _map_tier(county: County, label: str) -> None:
    """Put a county whose tier the seed confirms into that tier, unless the administrator already placed it."""
    tier = minimum_wages.normalise_tier(label)
    if tier and county.wage_tier is None:
        county.wage_tier = CountyWageTier(county_code=county.code, tier=tier)


def _add_minimum_wage(county: County, row: dict[str, str]) -> int:
    added = add_minimum_wage(
        county,
        tier=row["min_wage_tier"],
        monthly=Decimal(row["min_wage_monthly"]),
        hourly=Decimal(row["min_wage_hourly"]),
        effective_from=date.fromisoformat(row["effective_from"]),
        source=row["source"],
    )
    return 1 if added else 0


def add_minimum_wage(
    county: County, *, tier: str, monthly: Decimal, hourly: Decimal, effective_from: date, source: str
) -> MinimumWage | None:
    """Add a standard in force from ``effective_from``; None when the county already has one from that day."""
    if any(w.effective_from == effective_from for w in county.minimum_wages):
        return None
    if monthly <= 0 or hourly <= 0:
        raise ValidationFailed(_("A minimum wage must be more than zero."), field="monthly")
    wage = MinimumWage(tier=tier, monthly=monthly, hourly=hourly, effective_from=effective_from, source=source)
    county.minimum_wages.append(wage)
    return wage


def list_employers() -> list[Employer]:
    return list(db.session.scalars(sa.select(Employer).order_by(Employer.name)))


def list_counties() -> list[County]:
    return list(db.session.scalars(sa.select(County).order_by(County.code)))


def get_county(code: str) -> County:
    county = db.session.get(County, code)
    if county is None:
        raise ValidationFailed(_("There is no county with the code %(code)s on this platform.", code=code), field="county_code")
    return county


def create_employer(*, name: str, credit_code: str, legal_representative: str, address: str) -> Employer:
    """Register an employer; the credit code must pass the GB 32100 check and be new.

    :raises ValidationFailed: for a bad or already registered code.
    """
    try:
        code = codes.parse_uscc(credit_code)
    except codes.InvalidCode as exc:
        raise ValidationFailed(str(exc), field="credit_code") from exc
    if db.session.scalar(sa.select(Employer.id).where(Employer.credit_code == code)) is not None:
        raise ValidationFailed(_("An employer with this unified social credit code is already registered."), field="credit_code")
    for field, value in (("name", name), ("legal_representative", legal_representative), ("address", address)):
        if not value.strip():
            raise ValidationFailed(_("This field is required."), field=field)
    employer = Employer(
        name=name.strip(), credit_code=code, legal_representative=legal_representative.strip(), address=address.strip()
    )
    db.session.add(employer)
    db.session.flush()
    return employer


def create_project(
    actor: User,
    *,
    employer: Employer,
    county_code: str,
    name: str,
    address: str,
    pay_day: int,
    developer_name: str = "",
    general_contractor_name: str = "",
    labour_officer_name: str = "",
    labour_officer_phone: str = "",
) -> Project:
    """Create a site; a foreman creating it becomes its manager.

    :raises PermissionDenied: when ``actor`` may not create projects for ``employer``.
    """
    if not may_create_project(actor, employer):
        raise PermissionDenied(_("You may not create projects for this employer."))
    if not 1 <= pay_day <= 31:
        raise ValidationFailed(_("The pay day must be a day of the month from 1 to 31."), field="pay_day")
    project = Project(
        name=name.strip(),
        address=address.strip(),
        county=get_county(county_code),
        employer=employer,
        pay_day=pay_day,
        developer_name=developer_name.strip(),
        general_contractor_name=general_contractor_name.strip(),
        labour_officer_name=labour_officer_name.strip(),
        labour_officer_phone=labour_officer_phone.strip(),
        status=ProjectStatus.ACTIVE,
    )
    db.session.add(project)
    db.session.flush()
    if actor.role is Role.FOREMAN:
        add_manager(project, actor)
    return project


def add_manager(project: Project, user: User) -> None:
    """Let ``user`` (a foreman of the project's employer) manage ``project``."""
    if user.role is not Role.FOREMAN or user.employer_id != project.employer_id:
        raise ValidationFailed(_("Only a foreman of the project's employer can manage it."))
    if db.session.get(ProjectManager, (project.id, user.id)) is None:
        db.session.add(ProjectManager(project_id=project.id, user_id=user.id))
        db.session.flush()


def foremen_of(employer_id: int) -> list[User]:
    """Enabled foremen employed by ``employer_id``."""
    query = sa.select(User).where(User.employer_id == employer_id, User.role == Role.FOREMAN, User.is_enabled.is_(True))
    return list(db.session.scalars(query.order_by(User.display_name)))


def add_crew(project: Project, *, name: str, leader_name: str = "") -> Crew:
    """Add a crew (班组) to a project; names are unique per project."""
    clean = name.strip()
    if not clean:
        raise ValidationFailed(_("This field is required."), field="name")
    if any(c.name == clean for c in project.crews):
        raise ValidationFailed(_("This project already has a crew with that name."), field="name")
    crew = Crew(project=project, name=clean, leader_name=leader_name.strip())
    db.session.add(crew)
    db.session.flush()
    return crew


def may_create_project(actor: User, employer: Employer) -> bool:
    if actor.role is Role.ADMIN:
        return True
    return actor.role in (Role.EMPLOYER_ADMIN, Role.FOREMAN) and actor.employer_id == employer.id


def visible_projects_query(actor: User) -> sa.Select[Project]:
    """Return a query for the projects ``actor`` may see: the single source of project scope."""
    query = sa.select(Project).order_by(Project.id)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.EMPLOYER_ADMIN:
        return query.where(Project.employer_id == actor.employer_id)
    if actor.role is Role.FOREMAN:
        return query.join(ProjectManager).where(ProjectManager.user_id == actor.id)
    if actor.role is Role.INSPECTOR and actor.area_code:
        return query.where(Project.county_code.startswith(codes.scope_prefix(actor.area_code)))
    return query.where(sa.false())


def visible_projects(actor: User) -> list[Project]:
    return list(db.session.scalars(visible_projects_query(actor)))


def get_project(actor: User, project_id: int, *, manage: bool = False) -> Project:
    """Load a project ``actor`` may see (and, with ``manage``, change).

    :raises NotFound: when it does not exist or is outside the actor's scope (no existence leak).
    :raises PermissionDenied: when the actor may see but not change it (inspectors).
    """
    project = db.session.scalar(visible_projects_query(actor).where(Project.id == project_id))
    if project is None:
        raise NotFound(_("This project does not exist or is not yours to see."))
    if manage and actor.role is Role.INSPECTOR:
        raise PermissionDenied(_("Inspectors can look at projects but not change them."))
    return project


def counties_in_scope(actor: User) -> list[County]:
    """Counties an inspector oversees (one county, or every county under a city or province code)."""
    if actor.role is Role.ADMIN:
        return list_counties()
    if actor.role is not Role.INSPECTOR or not actor.area_code:
        return []
    prefix = codes.scope_prefix(actor.area_code)
    return list(db.session.scalars(sa.select(County).where(County.code.startswith(prefix)).order_by(County.code)))
