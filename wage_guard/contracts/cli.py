"""``flask contracts verify FILE.pdf [--json]``: check a signed contract offline against the platform roots.

Exit status: 0 when every signature is intact and trusted and nothing but validation data follows the last
signature; 1 otherwise; 2 when the file is not a readable PDF.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from wage_guard.signing import services as signing
from wage_guard.signing.errors import NotAPdf


@click.group()
def contracts() -> None:
    """Contracts."""


@contracts.command("verify")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def verify(path: Path, as_json: bool) -> None:
    """Print a report for every signature and document timestamp of FILE."""
    try:
        report = signing.verify(path.read_bytes())
    except (NotAPdf, OSError) as exc:
        reason = exc.reason if isinstance(exc, NotAPdf) else exc.strerror
        click.echo(f"not a readable PDF: {reason}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(report.to_dict())
    sys.exit(0 if report.ok else 1)


def _print_report(data: dict[str, Any]) -> None:
    for signature in data["signatures"]:
        click.echo(f"signature {signature.get('field_name')}:")
        for key in ("signer_cn", "role", "issuer_cn", "signing_time", "timestamp_time", "intact", "trusted", "summary"):
            click.echo(f"  {key:<15} {signature.get(key)}")
    for stamp in data["document_timestamps"]:
        click.echo("document timestamp:")
        for key in ("time", "intact", "trusted"):
            click.echo(f"  {key:<15} {stamp.get(key)}")
    for problem in data["problems"]:
        click.echo(f"problem: {problem}")
    click.echo(f"result: {'VALID' if data.get('ok') else 'NOT VALID'}")
