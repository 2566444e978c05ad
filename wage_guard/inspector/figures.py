"""The risk figures of the inspector's dashboard, read from the risk engine's roll-up (``risk.rollup``): each
county's headline figures, its monthly trend, its open flags by rule and severity, and its projects ranked by
risk. Read side only; the roll-up is refreshed by each run of the engine, so the page costs a few indexed reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from wage_guard.extensions import db
from wage_guard.organisations.models import Project
from wage_guard.risk.models import CountyRollup, CountyRuleCount, CountyTrend, ProjectRollup

#: Projects listed per county on the dashboard (the flag list has them all).
RANKED_LIMIT = 50


@dataclass(frozen=True)
class RankedProject:
    project: Project
    rollup: ProjectRollup | None


@dataclass(frozen=True)
class CountyFigures:
    rollup: CountyRollup | None
    trend: list[CountyTrend]
    rules: list[CountyRuleCount]
    ranked: list[RankedProject]


def county_figures(codes: list[str]) -> dict[str, CountyFigures]:
    """Every county's figures in four queries, whatever the number of counties."""
    if not codes:
        return {}
    rollups = {r.county_code: r for r in db.session.scalars(sa.select(CountyRollup).where(CountyRollup.county_code.in_(codes)))}
    trends: dict[str, list[CountyTrend]] = {code: [] for code in codes}
    for trend in db.session.scalars(sa.select(CountyTrend).where(CountyTrend.county_code.in_(codes)).order_by(CountyTrend.month)):
        trends[trend.county_code].append(trend)
    rules: dict[str, list[CountyRuleCount]] = {code: [] for code in codes}
    query = sa.select(CountyRuleCount).where(CountyRuleCount.county_code.in_(codes), CountyRuleCount.severity != "none")
    for count in db.session.scalars(query.order_by(CountyRuleCount.rule_code)):
        rules[count.county_code].append(count)
    return {code: CountyFigures(rollups.get(code), trends[code][-12:], rules[code], _ranked(code)) for code in codes}


def _ranked(code: str) -> list[RankedProject]:
    """The county's projects, most at risk first: two or more reds, then by reds, oranges, yellows."""
    query = (
        sa.select(Project, ProjectRollup)
        .outerjoin(ProjectRollup, ProjectRollup.project_id == Project.id)
        .where(Project.county_code == code)
        .order_by(
            sa.func.coalesce(ProjectRollup.priority, False).desc(),
            sa.func.coalesce(ProjectRollup.reds, 0).desc(),
            sa.func.coalesce(ProjectRollup.oranges, 0).desc(),
            sa.func.coalesce(ProjectRollup.yellows, 0).desc(),
            Project.id,
        )
        .limit(RANKED_LIMIT)
    )
    return [RankedProject(project, rollup) for project, rollup in db.session.execute(query)]
