"""Counties, employers, projects (sites) and crews, and who manages which project."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wage_guard.db import TimestampMixin
from wage_guard.extensions import db
from wage_guard.i18n import _l
from wage_guard.organisations import codes

if TYPE_CHECKING:
    from wage_guard.accounts.models import User


class County(db.Model):  # type: ignore[name-defined,misc]
    """A county-level division (区县); cities and provinces are derived from the code prefix."""

    #: GB/T 2260 six-digit code, e.g. 370322 for 高青县.
    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    province_name: Mapped[str] = mapped_column(sa.String(32), default="")
    #: The county labour inspectorate's complaint phone, printed on site posters.
    inspectorate_phone: Mapped[str | None] = mapped_column(sa.String(32))

    minimum_wages: Mapped[list[MinimumWage]] = relationship(back_populates="county", order_by="MinimumWage.effective_from")
    wage_tier: Mapped[CountyWageTier | None] = relationship(back_populates="county")

    @property
    def city_code(self) -> str:
        return codes.city_code(self.code)

    @property
    def province_code(self) -> str:
        return codes.province_code(self.code)

    def minimum_wage_on(self, day: date) -> MinimumWage | TierMinimumWage | None:
        """Return the standard in force on ``day``, or None when none is configured.

        A row for this county wins; without one in force, the province's figure for the county's tier
        (``CountyWageTier``) applies. When both exist the later one is in force (a county row wins a tie).
        """
        current = [w for w in self.minimum_wages if w.effective_from <= day]
        own = current[-1] if current else None
        tiered = self.tier_wage_on(day)
        if own is None or (tiered is not None and tiered.effective_from > own.effective_from):
            return tiered
        return own

    def tier_wage_on(self, day: date) -> TierMinimumWage | None:
        """The province's figure for this county's tier in force on ``day`` (None without a tier or a figure)."""
        if self.wage_tier is None:
            return None
        query = (
            sa.select(TierMinimumWage)
            .where(
                TierMinimumWage.province_code == self.province_code[:2],
                TierMinimumWage.tier == self.wage_tier.tier,
                TierMinimumWage.effective_from <= day,
            )
            .order_by(TierMinimumWage.effective_from.desc())
            .limit(1)
        )
        return db.session.scalar(query)

    def __repr__(self) -> str:
        return f"<County {self.code} {self.name}>"


class MinimumWage(db.Model):  # type: ignore[name-defined,misc]
    """A confirmed minimum-wage standard for a county from a given date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(sa.ForeignKey("county.code"), index=True)
    tier: Mapped[str] = mapped_column(sa.String(32), default="")
    monthly: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    hourly: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    effective_from: Mapped[date]
    #: The government document the figures come from.
    source: Mapped[str] = mapped_column(sa.Text, default="")

    county: Mapped[County] = relationship(back_populates="minimum_wages")
    __table_args__ = (sa.UniqueConstraint("county_code", "effective_from"),)


class TierMinimumWage(db.Model):  # type: ignore[name-defined,misc]
    """A province's minimum wage for one tier (一档/二档/三档) from a given date (最低工资规定 Art. 7).

    The province is the first two digits of the county code ("37" Shandong, "11" Beijing); a province without
    tiers has one tier for all its counties (Beijing: 全市统一).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.String(2))
    tier: Mapped[str] = mapped_column(sa.String(32))
    monthly: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    hourly: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    effective_from: Mapped[date]
    source: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.UniqueConstraint("province_code", "tier", "effective_from"),)


class CountyWageTier(db.Model):  # type: ignore[name-defined,misc]
    """Which of its province's minimum-wage tiers a county is in (the site's county decides, 实施条例 Art. 14)."""

    county_code: Mapped[str] = mapped_column(sa.ForeignKey("county.code"), primary_key=True)
    tier: Mapped[str] = mapped_column(sa.String(32))

    county: Mapped[County] = relationship(back_populates="wage_tier")


class Employer(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A company that employs workers (用人单位)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    #: 统一社会信用代码, validated with the GB 32100 check character.
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    legal_representative: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(256))

    def __repr__(self) -> str:
        return f"<Employer {self.id} {self.credit_code}>"


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return str(PROJECT_STATUS_LABELS[self])


PROJECT_STATUS_LABELS = {
    ProjectStatus.PLANNED: _l("Planned"),
    ProjectStatus.ACTIVE: _l("Under construction"),
    ProjectStatus.SUSPENDED: _l("Suspended"),
    ProjectStatus.COMPLETED: _l("Completed"),
}


class Project(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A construction site (项目/工地) whose crew is employed by ``employer``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    address: Mapped[str] = mapped_column(sa.String(256))
    county_code: Mapped[str] = mapped_column(sa.ForeignKey("county.code"), index=True)
    #: The employer of the workers enrolled here (the crew's 用人单位).
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    #: 建设单位 and 总包单位 as printed on the rights-information board.
    developer_name: Mapped[str] = mapped_column(sa.String(128), default="")
    general_contractor_name: Mapped[str] = mapped_column(sa.String(128), default="")
    #: Day of the month wages are paid (1-31; a short month pays on its last day).
    pay_day: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[ProjectStatus] = mapped_column(
        sa.Enum(ProjectStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=ProjectStatus.ACTIVE,
    )
    #: 劳资专管员: the person on site responsible for wages, with a contact phone for workers.
    labour_officer_name: Mapped[str] = mapped_column(sa.String(64), default="")
    labour_officer_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    #: The day the works were completed (竣工), recorded by the project's managers; the roster's retention runs from
    #: the later of this and ``wages_settled_on`` (条例 Art. 28).
    completed_on: Mapped[date | None]
    #: The day every wage of the project was settled, confirmed by the county's labour inspector (not the employer,
    #: whose interest is a short clock); the roster and wage records are kept three years after it.
    wages_settled_on: Mapped[date | None]
    wages_settled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", name="fk_project_wages_settled_by"))

    county: Mapped[County] = relationship()
    employer: Mapped[Employer] = relationship()
    crews: Mapped[list[Crew]] = relationship(back_populates="project", order_by="Crew.name")
    managers: Mapped[list[User]] = relationship(secondary="project_manager", viewonly=True)

    __table_args__ = (sa.CheckConstraint("pay_day BETWEEN 1 AND 31", name="pay_day_range"),)

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"


class Crew(db.Model):  # type: ignore[name-defined,misc]
    """A team (班组) on a project, usually of one trade under one foreman."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    leader_name: Mapped[str] = mapped_column(sa.String(64), default="")

    project: Mapped[Project] = relationship(back_populates="crews")
    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)


class ProjectManager(db.Model):  # type: ignore[name-defined,misc]
    """Grants a foreman or project manager access to one project."""

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), primary_key=True, index=True)
