"""Register every domain's click group on ``flask``, each behind one guard for a database that is not there yet.

Why the guard: a command run before ``flask db upgrade`` (or against a database that is down) used to end in
SQLAlchemy's traceback. Each group's ``invoke`` now turns those two cases into a clear message in Chinese and
English and exit status 1; any other error is left alone.
"""

from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

MISSING_TABLES = (
    "数据库里还没有本系统的表：请先运行 flask --app wsgi db upgrade。\n"
    "The database has no wage_guard tables yet: run flask --app wsgi db upgrade first."
)
UNREACHABLE = (
    "连接不上数据库，请检查 WAGE_GUARD_SQLALCHEMY_DATABASE_URI 和数据库服务。\n"
    "Cannot reach the database: check WAGE_GUARD_SQLALCHEMY_DATABASE_URI and that the database server is running."
)


def register_commands(app: Flask) -> None:
    from wage_guard.accounts.cli import accounts
    from wage_guard.backup.cli import backup
    from wage_guard.contracts.cli import contracts
    from wage_guard.demo import demo
    from wage_guard.ledger.cli import ledger
    from wage_guard.organisations.cli import organisations
    from wage_guard.payroll.cli import payroll
    from wage_guard.risk.cli import risk
    from wage_guard.signing.cli import signing

    for group in (accounts, organisations, demo, signing, contracts, ledger, payroll, risk, backup):
        if not getattr(group, "_database_guard", False):
            group.invoke = _guarded(group.invoke)  # type: ignore[method-assign,assignment]
            group._database_guard = True  # type: ignore[attr-defined]
        app.cli.add_command(group)


def _guarded(invoke: Callable[[click.Context], Any]) -> Callable[[click.Context], Any]:
    def run(ctx: click.Context) -> Any:
        try:
            return invoke(ctx)
        except sa.exc.DBAPIError as error:
            message = database_problem(error)
            if message is None:
                raise
            raise click.ClickException(message) from None

    return run


def database_problem(error: sa.exc.DBAPIError) -> str | None:
    """The message for a database without our tables or out of reach; None for anything else."""
    text = str(error.orig).lower()
    if (
        "no such table" in text
        or getattr(error.orig, "sqlstate", None) == "42P01"
        or "does not exist" in text
        and "relation" in text
    ):
        return MISSING_TABLES
    if error.connection_invalidated or "connection refused" in text or "unable to open database" in text:
        return UNREACHABLE
    return None
