"""``flask contracts verify FILE.pdf [--json]``: check a signed contract against the platform roots and records;
``check-documents`` and ``move-documents``: the document store (``contracts.document_check``).

Exit status:

- 0: a valid, complete contract: the final version signed by both parties (the employer's seal, then the worker's
  signature, nothing after them but validation data), and no later document has replaced or changed it;
- 1: not valid: a signature is broken or untrusted, something was changed or added after signing, a signer is not
  a party of the contract, or the file is not a document of this platform;
- 2: not a readable PDF (missing, damaged, encrypted);
- 3: valid signatures, but an incomplete version (a party has not signed, or the file stops before the platform
  completed it) or one that a later document (amendment, rescission, termination, renewal) replaced.

Messages are printed in Chinese and English. ``--json`` prints the signature report plus ``result``, ``ok`` (true
only for exit status 0), ``complete``, ``signatures_valid``, ``exit_code``, ``version`` (which stored version, what
it holds, later documents) and ``findings`` (each with a message and what to do, in Chinese and English).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from wage_guard import boundary
from wage_guard.contracts import document_check
from wage_guard.i18n import force_locale
from wage_guard.signing.errors import NotAPdf
from wage_guard.verification import model, wording
from wage_guard.verification import services as verification

_RESULT_WORDS = {
    model.Result.VALID: "VALID / 有效",
    model.Result.INCOMPLETE: "VALID SIGNATURES, INCOMPLETE OR SUPERSEDED VERSION / 签名有效，但不是完整或现行的合同",
    model.Result.INVALID: "NOT VALID / 无效",
}


@click.group()
def contracts() -> None:
    """Contracts."""


@contracts.command("verify")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def verify(path: Path, as_json: bool) -> None:
    """Say which version of which contract FILE is, check every signature and signer; see the exit statuses above."""
    try:
        result = verification.verify_pdf(path.read_bytes())
    except (NotAPdf, OSError) as exc:
        reason = exc.reason if isinstance(exc, NotAPdf) else (exc.strerror or str(exc))
        click.echo(f"无法读取的 PDF 文件 / not a readable PDF: {reason}", err=True)
        sys.exit(model.EXIT_UNREADABLE)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(result)
    sys.exit(result.exit_code)


@contracts.command("check-documents")
@with_appcontext
def check_documents() -> None:
    """Re-hash every stored contract PDF and page preview against the database (exit 1 on any problem)."""
    report = document_check.check_store()
    click.echo(f"已核对 / checked: {report.checked}")
    for name in report.missing:
        click.echo(f"缺失 / missing: {name}", err=True)
    for name in report.changed:
        click.echo(f"被改动 / changed: {name}", err=True)
    sys.exit(0 if report.ok else 1)


@contracts.command("move-documents")
@with_appcontext
def move_documents() -> None:
    """Move contract PDFs and previews still stored in the database into the document store."""
    moved = document_check.move_blobs()
    boundary.commit()
    click.echo(f"已移入文档存储 / moved to the document store: {moved}")


def _print_report(result: verification.Verification) -> None:
    data: dict[str, Any] = result.report.to_dict()
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
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            click.echo(f"version: {' '.join(result.version_lines())}")
            for finding in result.findings:
                message, advice = wording.finding_text(finding)
                click.echo(f"finding: {message}")
                click.echo(f"  what to do: {advice}")
            click.echo(f"verdict: {result.headline()}")
    click.echo(f"result: {_RESULT_WORDS[result.result]}")
