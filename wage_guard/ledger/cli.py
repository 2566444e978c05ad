"""``flask ledger verify``, ``flask ledger publish`` and ``flask ledger verify-package FILE.zip``.

``verify-package`` is what an arbitrator runs on a package someone handed in, so it compares the package's trust
anchors with the installation's (or with pinned fingerprints) and answers damaged input with FAIL lines and an exit
code, never a traceback. The verdict keeps the English words "result: VALID" in every language, for scripts and
for the instructions printed in the 存证报告.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from wage_guard import boundary, clock
from wage_guard.i18n import _
from wage_guard.ledger import audit, services


@click.group()
def ledger() -> None:
    """The evidence log."""


@ledger.command("verify")
@with_appcontext
def verify() -> None:
    """Recompute the log from its entries and check every stored hash and tree head; exit 1 on any problem."""
    result = audit.verify_all()
    waiting = services.queued()
    if result.ok:
        click.echo(f"ok: {result.entries} entries and {result.tree_heads} tree heads verified")
        if waiting:
            click.echo(f"{waiting} steps are queued for the sequencer (not in the log yet, so not verified)")
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


#: Exit codes of ``verify-package``.
EXIT_VALID, EXIT_NOT_VALID, EXIT_UNREADABLE, EXIT_NOT_PINNED = 0, 1, 2, 3


def _fingerprints(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> frozenset[str]:
    from wage_guard.ledger import package

    try:
        return frozenset(package.normalise_fingerprint(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(
            _("a SHA-256 fingerprint is 64 hexadecimal digits (colons, spaces and case do not matter)")
        ) from exc


@ledger.command("verify-package")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--root-fingerprint",
    "root_pins",
    multiple=True,
    callback=_fingerprints,
    help="SHA-256 of the platform's root certificate (DER), as published at /log/root-certificate. Repeatable.",
)
@click.option(
    "--log-key-fingerprint",
    "log_key_pins",
    multiple=True,
    callback=_fingerprints,
    help="SHA-256 of the log public key (DER SubjectPublicKeyInfo), as published at /log/public-key. Repeatable.",
)
@click.option("--offline", is_flag=True, help="Do not compare with this installation's root certificate and log key.")
@click.option("--lang", type=click.Choice(["zh_Hans_CN", "en"]), default=None, help="Language of the report.")
@with_appcontext
def verify_package(path: Path, root_pins: frozenset[str], log_key_pins: frozenset[str], offline: bool, lang: str | None) -> None:
    """Check an evidence package: that it holds together, and that its root certificate and log key are this
    platform's (the installation's, when run inside one, or the fingerprints given).

    \b
    Exit status:
      0  VALID: every check passed and both anchors matched the installation or the pinned fingerprints
      1  NOT VALID: a check failed (a damaged, missing or changed member, or an anchor that differs)
      2  not an evidence package: the file cannot be read, is not a ZIP, or is too large; or a wrong option
      3  VALID, but anchors not pinned: the package holds together, yet a forgery with a fresh CA and log key
         would too; compare the printed fingerprints with the published ones, or pass them as options
    """
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        sys.exit(_verify_package(path, root_pins, log_key_pins, offline))


def _verify_package(path: Path, root_pins: frozenset[str], log_key_pins: frozenset[str], offline: bool) -> int:
    from wage_guard.ledger import evidence, package, package_verify

    anchors = []
    installation = None if offline else evidence.installation_anchors()
    if installation is not None:
        anchors.append(installation)
    if root_pins or log_key_pins:
        anchors.append(package.Anchors(_("the pinned fingerprint"), root_pins, log_key_pins))
    try:
        if path.stat().st_size > package_verify.MAX_PACKAGE_BYTES:
            limit = package_verify.MAX_PACKAGE_BYTES // (1024 * 1024)
            click.echo("FAIL  " + _("the file is larger than %(limit)s MB: not an evidence package", limit=limit))
            click.echo("result: NOT VALID")
            return EXIT_UNREADABLE
        data = path.read_bytes()
    except OSError as exc:
        click.echo("FAIL  " + _("cannot read %(path)s: %(reason)s", path=str(path), reason=exc.strerror or exc))
        click.echo("result: NOT VALID")
        return EXIT_UNREADABLE
    try:
        report = package_verify.verify_package(data, anchors)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a file someone handed in; tests look for this line
        click.echo("FAIL  " + _("the verifier stopped on an internal error (%(error)s)", error=type(exc).__name__))
        click.echo("result: NOT VALID")
        return EXIT_NOT_VALID
    for line in report.lines:
        click.echo(line)
    if not report.readable:
        click.echo("result: NOT VALID")
        return EXIT_UNREADABLE
    if not report.ok:
        click.echo("result: NOT VALID")
        return EXIT_NOT_VALID
    if report.pinned:
        click.echo("result: VALID")
        return EXIT_VALID
    click.echo("result: VALID " + _("(anchors not pinned: compare these fingerprints with the published ones)"))
    if not report.root_pinned:
        click.echo("  " + _("root certificate (SHA-256)  %(fingerprint)s", fingerprint=report.root_fingerprint))
    if not report.log_key_pinned:
        click.echo("  " + _("log key (SHA-256)  %(fingerprint)s", fingerprint=report.log_key_fingerprint))
    click.echo(
        "  "
        + _(
            "The platform publishes them at /log/root-certificate; check again with --root-fingerprint and --log-key-fingerprint."
        )
    )
    return EXIT_NOT_PINNED
