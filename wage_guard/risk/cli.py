"""``flask risk run [--county CODE] [--project ID]``: run the cross-check now and print counts by rule and severity.

Exit status 0 after a run (findings are not errors); 2 for a county code or project that does not exist, with
the reason in Chinese and English and nothing written.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.errors import ValidationFailed
from wage_guard.i18n import force_locale
from wage_guard.risk import services
from wage_guard.risk.rules import RULES

EXIT_BAD_SCOPE = 2


@click.group()
def risk() -> None:
    """Wage-risk cross-check."""


@risk.command("run")
@click.option("--county", help="Six-digit county code; every county when left out.")
@click.option("--project", type=int, help="One project's number.")
@with_appcontext
def run(county: str | None, project: int | None) -> None:
    """Evaluate every rule, file the findings, refresh the roll-up; print open findings by rule and severity."""
    try:
        counts = services.run(county.strip() if county else None, project, now=clock.utcnow())
    except ValidationFailed:
        boundary.rollback()
        click.echo(_bilingual(county, project), err=True)
        sys.exit(EXIT_BAD_SCOPE)
    boundary.commit()
    click.echo(
        f"contract facts refreshed: {counts.facts_refreshed}; payroll lines' risk bounds computed: {counts.line_bounds_refreshed}"
    )
    click.echo("rule  open-red  open-orange  open-yellow  inconclusive  opened  reopened  closed")
    for rule in RULES:
        opened = counts.transitions.get(rule.code)
        cells = [counts.open_by_rule.get((rule.code, s), 0) for s in ("red", "orange", "yellow", "inconclusive")]
        moves = [opened[k] if opened else 0 for k in ("opened", "reopened", "closed")]
        click.echo(f"{rule.code}  " + "  ".join(str(n) for n in cells + moves))
    click.echo(f"SMS queued: {counts.sms_sent}")


def _bilingual(county: str | None, project: int | None) -> str:
    """The scope error in Chinese and in English."""
    messages = []
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            try:
                services.make_scope(county, project, now=clock.utcnow())
            except ValidationFailed as error:
                messages.append(error.message)
    return " / ".join(messages)
