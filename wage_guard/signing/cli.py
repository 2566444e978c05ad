"""``flask signing init-ca``: create the platform CA and timestamp authority (a set-up step, idempotent)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.signing import services


@click.group()
def signing() -> None:
    """Signing keys and certificates."""


@signing.command("init-ca")
@with_appcontext
def init_ca() -> None:
    """Create the platform root CA, issuing CA and TSA if they do not exist yet."""
    authority, created = services.init_authority(now=clock.utcnow())
    boundary.commit()
    click.echo(("created" if created else "already set up:") + f" platform CA {authority.id}")
    click.echo(authority.root_cert_pem)


@signing.command("reissue-root-crl")
@with_appcontext
def reissue_root_crl() -> None:
    """Renew the root's CRL (valid two years), which every completed contract embeds."""
    authority = services.reissue_root_crl()
    boundary.commit()
    click.echo(f"root CRL renewed for platform CA {authority.id}")
