"""``flask organisations ...``: load counties and minimum wages, register employers."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from wage_guard import boundary
from wage_guard.errors import ValidationFailed
from wage_guard.organisations import services


@click.group()
def organisations() -> None:
    """Manage counties and employers."""


@organisations.command("import-divisions")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=services.DIVISIONS_CSV)
@with_appcontext
def import_divisions(path: Path) -> None:
    """Load counties and confirmed minimum wages from a CSV (the shipped seed file by default)."""
    counties, wages = services.import_divisions(path)
    boundary.commit()
    click.echo(f"{counties} counties and {wages} minimum-wage standards added")


@organisations.command("create-employer")
@click.option("--name", required=True)
@click.option("--credit-code", required=True, help="18-character unified social credit code.")
@click.option("--legal-representative", required=True)
@click.option("--address", required=True)
@with_appcontext
def create_employer(name: str, credit_code: str, legal_representative: str, address: str) -> None:
    """Register an employer."""
    try:
        employer = services.create_employer(
            name=name, credit_code=credit_code, legal_representative=legal_representative, address=address
        )
    except ValidationFailed as error:
        raise click.ClickException(f"{error.field}: {error.message}") from error
    boundary.commit()
    click.echo(f"created employer {employer.id} {employer.credit_code}")
