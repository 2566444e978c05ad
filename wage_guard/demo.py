"""``flask demo seed``: idempotent demo data for a first look (never run in production).

It creates the seed counties, two employers, a project in 高青县 (370322) and one in 桓台县 (370321),
a minimum wage for 高青县 (the demo's assumption, see ``DEMO_MINIMUM_WAGE``; 桓台县 has none, which shows the
foreman's confirmation step) and one account per role; every login uses an SMS second factor that appears on the demo outbox page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.accounts import services as accounts
from wage_guard.accounts.models import Role, User
from wage_guard.enrollment import links as enrollment_links
from wage_guard.extensions import db
from wage_guard.organisations import services as organisations
from wage_guard.organisations.models import Employer, Project
from wage_guard.signing import ca_setup as signing

DEMO_PASSWORD = "Demo-pass-2026"  # noqa: S105 - printed on purpose: demo data only, refused in production


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    phone: str
    employer: str | None = None
    area_code: str | None = None


EMPLOYERS = {
    "91370322MA3PQ8K7XH": ("高青县安居建筑劳务有限公司", "王建国", "山东省淄博市高青县田镇街道青城路88号"),
    "91370300MA3C4R2N5X": ("淄博鲁中建设工程有限公司", "李明", "山东省淄博市张店区人民西路26号"),
}
ACCOUNTS = (
    DemoAccount("admin", "平台管理员", Role.ADMIN, "+8613800000001"),
    DemoAccount("foreman", "张班长", Role.FOREMAN, "+8613800000002", employer="91370322MA3PQ8K7XH"),
    DemoAccount("hr", "安居劳务人事", Role.EMPLOYER_ADMIN, "+8613800000003", employer="91370322MA3PQ8K7XH"),
    DemoAccount("inspector", "高青县劳动保障监察员", Role.INSPECTOR, "+8613800000004", area_code="370322"),
    DemoAccount("foreman2", "刘班长", Role.FOREMAN, "+8613800000005", employer="91370300MA3C4R2N5X"),
)
PROJECTS = (
    ("foreman", "91370322MA3PQ8K7XH", "370322", "高青县芦湖安置区3号楼", "高青县芦湖街道黄河路与青城路交叉口", 15),
    ("foreman2", "91370300MA3C4R2N5X", "370321", "桓台县新城学校教学楼", "桓台县索镇街道中心大街西段", 10),
)


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
@with_appcontext
def seed() -> None:
    """Create the demo county, employers, projects and staff accounts if they are missing."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refusing to seed demo data in production")
    organisations.import_divisions()
    _demo_minimum_wage()
    employers = {code: _employer(code, *fields) for code, fields in EMPLOYERS.items()}
    users = {a.username: _account(a, employers) for a in ACCOUNTS}
    users["hr"].can_seal = True
    signing.init_authority(now=clock.utcnow())  # no root key file: the demo's root CRL (two years) is never renewed
    for username, code, county, name, address, pay_day in PROJECTS:
        _project(users[username], employers[code], county, name, address, pay_day)
    boundary.commit()
    for account in ACCOUNTS:
        click.echo(f"login: {account.username:<10} password: {DEMO_PASSWORD}  ({account.role.label})")
    click.echo("second factor: the SMS code appears on the demo outbox page, /dev/outbox")


#: 高青县 from 2025-10-01. 鲁政字〔2025〕140号 sets Shandong's tiers at 2400/2210/2020 yuan a month (24/22/20 an hour);
#: 高青县 was in the lowest tier (三档) in the 2017 table and the 2025 annex row for it has not been read, so the
#: shipped seed (organisations/data) leaves it out and only the demo assumes the county stayed in 三档.
DEMO_MINIMUM_WAGE = {
    "county": "370322",
    "tier": "三档",
    "monthly": "2020",
    "hourly": "20",
    "effective_from": "2025-10-01",
    "source": "DEMO ONLY: 鲁政字〔2025〕140号 三档 (2020 yuan/month, 20 yuan/hour, from 2025-10-01); 高青县's 2025 tier "
    "is not confirmed (三档 in 2017, legal.md SRC-SD17)",
}


def _demo_minimum_wage() -> None:
    county = organisations.get_county(DEMO_MINIMUM_WAGE["county"])
    organisations.add_minimum_wage(
        county,
        tier=DEMO_MINIMUM_WAGE["tier"],
        monthly=Decimal(DEMO_MINIMUM_WAGE["monthly"]),
        hourly=Decimal(DEMO_MINIMUM_WAGE["hourly"]),
        effective_from=date.fromisoformat(DEMO_MINIMUM_WAGE["effective_from"]),
        source=DEMO_MINIMUM_WAGE["source"],
    )


def _employer(code: str, name: str, legal: str, address: str) -> Employer:
    existing = db.session.scalar(sa.select(Employer).where(Employer.credit_code == code))
    return existing or organisations.create_employer(name=name, credit_code=code, legal_representative=legal, address=address)


def _account(account: DemoAccount, employers: dict[str, Employer]) -> User:
    existing = db.session.scalar(sa.select(User).where(User.username == account.username))
    if existing:
        return existing
    return accounts.create_user(
        username=account.username,
        display_name=account.display_name,
        password=DEMO_PASSWORD,
        role=account.role,
        phone=account.phone,
        area_code=account.area_code,
        employer=employers[account.employer] if account.employer else None,
    )


def _project(foreman: User, employer: Employer, county: str, name: str, address: str, pay_day: int) -> None:
    if db.session.scalar(sa.select(Project.id).where(Project.name == name)) is not None:
        return
    project = organisations.create_project(
        foreman,
        employer=employer,
        county_code=county,
        name=name,
        address=address,
        pay_day=pay_day,
        developer_name="高青县城市建设投资有限公司",
        general_contractor_name="山东黄河建工集团有限公司",
        labour_officer_name="赵会计",
        labour_officer_phone="0533-6960000",
    )
    enrollment_links.issue_link(foreman, project, now=clock.utcnow())
