"""``flask ledger verify``, ``flask ledger publish`` and ``flask ledger verify-package FILE.zip``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.ledger import audit, services


@click.group()
def ledger() -> None:
    """The evidence log."""


@ledger.command("verify")
@with_appcontext
def verify() -> None:
    """Recompute the log from its entries and check every stored hash and tree head; exit 1 on any problem."""
    result = audit.verify_all()
    if result.ok:
        click.echo(f"ok: {result.entries} entries and {result.tree_heads} tree heads verified")
        return
    click.echo(f"first bad entry: {result.first_bad_seq}")
    for problem in result.problems:
        click.echo(f"  {problem}")
    sys.exit(1)


@ledger.command("publish")
@with_appcontext
def publish() -> None:
    """Sign a tree head now if the log has grown."""
    head = services.publish_tree_head(now=clock.utcnow())
    boundary.commit()
    click.echo(f"tree head {head.size} {head.root_hash}" if head else "the log has not grown; no new tree head")


@ledger.command("verify-package")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def verify_package(path: Path) -> None:
    """Check an evidence package offline, using nothing but the package; exit 0 if it all holds."""
    from wage_guard.ledger import package

    try:
        report = package.verify_package(path.read_bytes())
    except (OSError, package.PackageError) as exc:
        click.echo(f"not a readable evidence package: {exc}", err=True)
        sys.exit(2)
    for line in report.lines:
        click.echo(line)
    click.echo("result: VALID" if report.ok else "result: NOT VALID")
    sys.exit(0 if report.ok else 1)
