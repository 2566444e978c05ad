"""``flask accounts ...``: create the first administrator and other staff accounts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from wage_guard import boundary
from wage_guard.accounts import services
from wage_guard.accounts.models import Role
from wage_guard.errors import ValidationFailed
from wage_guard.extensions import db
from wage_guard.organisations.models import Employer


@click.group()
def accounts() -> None:
    """Manage staff accounts."""


@accounts.command("create-admin")
@click.option("--username", required=True)
@click.option("--name", "display_name", default="")
@click.option("--phone", default=None, help="Mobile number for SMS login codes.")
@click.option("--totp", is_flag=True, help="Use an authenticator app instead of SMS; prints its otpauth URI.")
@click.password_option(help="At least 10 characters from three classes.")
@with_appcontext
def create_admin(username: str, display_name: str, phone: str | None, totp: bool, password: str) -> None:
    """Create a platform administrator."""
    _create(username=username, display_name=display_name, password=password, role=Role.ADMIN, phone=phone, totp=totp)


@accounts.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", default="")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--employer-id", type=int, default=None)
@click.option("--area-code", default=None, help="Inspectors: county, city or province division code.")
@click.option("--phone", default=None)
@click.option("--totp", is_flag=True)
@click.password_option()
@with_appcontext
def create_user(
    username: str,
    display_name: str,
    role: str,
    employer_id: int | None,
    area_code: str | None,
    phone: str | None,
    totp: bool,
    password: str,
) -> None:
    """Create a staff account of any role."""
    employer = db.session.get(Employer, employer_id) if employer_id else None
    if employer_id and employer is None:
        raise click.ClickException(f"no employer with id {employer_id}")
    _create(
        username=username,
        display_name=display_name,
        password=password,
        role=Role(role),
        phone=phone,
        totp=totp,
        employer=employer,
        area_code=area_code,
    )


def _create(*, totp: bool, **fields: object) -> None:
    secret = services.new_totp_secret() if totp else None
    try:
        user = services.create_user(totp_secret=secret, **fields)  # type: ignore[arg-type]
    except ValidationFailed as error:
        raise click.ClickException(f"{error.field or 'input'}: {error.message}") from error
    boundary.commit()
    click.echo(f"created {user.role.value} {user.username!r} (id {user.id})")
    if secret:
        click.echo(f"authenticator URI: {services.totp_uri(user)}")
