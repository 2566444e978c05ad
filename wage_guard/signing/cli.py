"""``flask signing ...``: set up the platform CA, keep its root key offline, renew the root CRL.

The root key never enters the database: ``init-ca`` writes it to a passphrase-encrypted PKCS#8 file (to be
kept offline, e.g. on two USB sticks in a safe) and ``reissue-root-crl`` reads it from there. Installations
set up by an older version keep it in the database until ``export-root-key`` moves it out.

The passphrase comes from ``WAGE_GUARD_ROOT_KEY_PASSPHRASE`` when set (automation), otherwise from a hidden
prompt; never from the command line, where other users could read it in the process list.

Exit status: 0 done; 1 not possible here (not set up, HSM unavailable, root key already offline, passphrase
too short); 2 wrong usage; 3 the key file is missing, unreadable or cannot be written; 4 wrong passphrase;
5 the key is not this platform's root key; 6 the file to write exists already (never overwritten).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext

from wage_guard import boundary, clock
from wage_guard.errors import WageGuardError
from wage_guard.ledger import services as ledger
from wage_guard.signing import ca_setup
from wage_guard.signing.errors import SigningError

PASSPHRASE_VARIABLE = "WAGE_GUARD_ROOT_KEY_PASSPHRASE"  # noqa: S105 - the variable's name, not a passphrase
EXIT_CODES: dict[type[WageGuardError], int] = {
    ca_setup.RootKeyFileMissing: 3,
    ca_setup.RootKeyPassphraseWrong: 4,
    ca_setup.RootKeyMismatch: 5,
    ca_setup.RootKeyFileExists: 6,
}
_KEY_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group()
def signing() -> None:
    """Signing keys and certificates."""


@signing.command("init-ca")
@click.option("--root-key-file", type=_KEY_FILE, help="Where to write the encrypted root key (a new file).")
@with_appcontext
def init_ca(root_key_file: Path | None) -> None:
    """Create the platform root CA, issuing CA, TSA and log key if they do not exist yet.

    The root key goes to ROOT_KEY_FILE only. With WAGE_GUARD_KEY_STORE=pkcs11 the issuing CA, TSA and
    evidence-log keys are generated in the HSM.
    """
    if ca_setup.is_set_up():
        authority, _created = ca_setup.init_authority(now=clock.utcnow())
        click.echo(f"already set up: platform CA {authority.id} (keys: {authority.key_store})")
        if root_key_file is not None:
            click.echo(f"nothing written to {root_key_file}: the root key went to its file when the CA was created")
        click.echo(authority.root_cert_pem)
        return
    if root_key_file is None:
        raise click.UsageError("a new platform CA needs --root-key-file PATH: its root key is kept only there")
    target = ca_setup.RootKeyFile(root_key_file, _passphrase(confirm=True))
    existed, stored = root_key_file.exists(), False
    try:
        with _errors():
            authority, _created = ca_setup.init_authority(now=clock.utcnow(), root_key_file=target)
            ledger.log_key(now=clock.utcnow())
            boundary.commit()
            stored = True
    finally:
        if not stored and not existed:
            root_key_file.unlink(missing_ok=True)  # the CA was not stored: a key file of it would open nothing
    click.echo(f"created platform CA {authority.id} (keys: {authority.key_store})")
    click.echo(f"root key written to {root_key_file}: keep it offline; it is stored nowhere else")
    click.echo(authority.root_cert_pem)


@signing.command("reissue-root-crl")
@click.option("--root-key-file", type=_KEY_FILE, required=True, help="The encrypted root key file.")
@with_appcontext
def reissue_root_crl(root_key_file: Path) -> None:
    """Renew the root's CRL (valid two years), which every completed contract embeds."""
    source = ca_setup.RootKeyFile(root_key_file, _passphrase(confirm=False))
    with _errors():
        authority = ca_setup.reissue_root_crl(source)
    boundary.commit()
    click.echo(f"root CRL renewed for platform CA {authority.id}")


@signing.command("export-root-key")
@click.option("--root-key-file", type=_KEY_FILE, required=True, help="Where to write the encrypted root key (a new file).")
@with_appcontext
def export_root_key(root_key_file: Path) -> None:
    """Move the root key that an older version kept in the database to an encrypted file, and erase it there."""
    target = ca_setup.RootKeyFile(root_key_file, _passphrase(confirm=True))
    with _errors():
        authority = ca_setup.export_root_key(target)
    boundary.commit()
    ca_setup.purge_erased_values()
    click.echo(f"root key of platform CA {authority.id} written to {root_key_file} and erased from the database")
    click.echo("keep the file offline; database backups made before now still hold the old copy: destroy them")


def _passphrase(*, confirm: bool) -> str:
    from_environment = os.environ.get(PASSPHRASE_VARIABLE)
    if from_environment:
        return from_environment
    return str(click.prompt("Root key passphrase", hide_input=True, confirmation_prompt=confirm, err=True))


@contextmanager
def _errors() -> Iterator[None]:
    """Report a refusal as one line on stderr with its exit code (see the module docstring), never a traceback."""
    try:
        yield
    except WageGuardError as error:
        boundary.rollback()
        click.echo(f"error: {error.message}", err=True)
        sys.exit(next((code for cls, code in EXIT_CODES.items() if isinstance(error, cls)), 1))
    except SigningError as error:  # the HSM, reached directly by the evidence log's key
        boundary.rollback()
        click.echo(f"error: {error.reason}", err=True)
        sys.exit(1)
