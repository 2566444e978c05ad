"""The verdict of a verification in plain words, in the reader's language: headline, version, findings, advice.

Kept apart from the rules (``services``) so the page, ``flask contracts verify`` and the JSON report say the same
thing, and so each finding's words live in one table (:data:`_FINDING_TEXTS`) instead of a long branching function.
"Public pages" hide workers' names: :func:`finding_text` takes the masking function from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from wage_guard import clock
from wage_guard.contracts.lifecycle import Kind, Status
from wage_guard.i18n import _, _l
from wage_guard.verification.model import EMPLOYER, WORKER, Finding, LaterDocument, Result, Stage, Version

_ASK_AGAIN = "ask_again"
_KEEP_AND_ASK = "keep_and_ask"
_FROM_PLATFORM = "from_platform"

#: Each finding's message (translated when used), the values it names, and what to do about it.
_FINDING_TEXTS: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "not_platform": (
        _l(
            "Not a document of this platform: neither this file nor any earlier version inside it was issued "
            "here, so it cannot be a contract signed on this platform."
        ),
        (),
        _FROM_PLATFORM,
    ),
    "no_signatures": (_l("This file has no signatures."), (), _FROM_PLATFORM),
    "changed": (
        _l("This file was changed after signing: the content no longer matches signature %(n)d."),
        ("n",),
        _ASK_AGAIN,
    ),
    "added_after_signing": (
        _l(
            "Something was added to this PDF after the last signature (for example text, a box or an image), "
            "so it is not the document that was signed."
        ),
        (),
        _ASK_AGAIN,
    ),
    "added_data": (
        _l("Data that this platform did not write was added to this file after it was issued."),
        (),
        _ASK_AGAIN,
    ),
    "untrusted": (
        _l("Signature %(n)d was not made with a valid certificate of this platform (unknown, expired or revoked)."),
        ("n",),
        _ASK_AGAIN,
    ),
    "revoked": (
        _l(
            "Signature %(n)d was made with a revoked certificate: its owner reported that their signing means "
            "were lost or used by someone else."
        ),
        ("n",),
        _KEEP_AND_ASK,
    ),
    "not_valid": (_l("Signature %(n)d is not valid."), ("n",), _ASK_AGAIN),
    "no_timestamp": (
        _l("Signature %(n)d has no trusted timestamp, so when it was made cannot be proved."),
        ("n",),
        _ASK_AGAIN,
    ),
    "timestamp_broken": (
        _l("The archive timestamp of this file is broken or not from this platform's timestamp authority."),
        (),
        _ASK_AGAIN,
    ),
    "extra_signature": (
        _l("Signature %(n)d was added by %(who)s, who is not a party to this contract."),
        ("n", "who"),
        _KEEP_AND_ASK,
    ),
    "extra_party_signature": (
        _l(
            "Signature %(n)d is an extra signature by %(who)s, added after the contract was complete. A contract "
            "of this platform carries exactly the employer's seal and then the worker's signature."
        ),
        ("n", "who"),
        _KEEP_AND_ASK,
    ),
    "not_a_party": (
        _l("Signature %(n)d should be %(expected)s, but it was made by %(who)s, who is not a party to this contract."),
        ("n", "expected", "who"),
        _KEEP_AND_ASK,
    ),
    "out_of_order": (
        _l(
            "Signature %(n)d by %(who)s is in the wrong place: %(expected)s belongs here "
            "(the employer seals first, then the worker signs)."
        ),
        ("n", "who", "expected"),
        _KEEP_AND_ASK,
    ),
    "not_recorded": (
        _l("Signature %(n)d by %(who)s was not made on this platform for this contract."),
        ("n", "who"),
        _KEEP_AND_ASK,
    ),
    "unconfirmed": (_l("The signatures of this file could not be confirmed."), (), _ASK_AGAIN),
}


def headline(result: Result, version: Version, findings: Sequence[Finding]) -> str:
    """One line for the top of the report."""
    codes = {f.code for f in findings}
    if result is Result.VALID:
        if _is_notice(version):
            return _("Valid: the employer's sealed notice (final)")
        return _("Valid: the final contract, signed by both parties")
    if result is Result.INCOMPLETE:
        return {
            Stage.UNSIGNED: _("Not signed: this is an unsigned draft"),
            Stage.EMPLOYER_ONLY: _("Not complete: only the employer has sealed"),
            Stage.BOTH_NOT_FINAL: _("Not the final file: signed by both parties, but cut short"),
        }.get(version.stage, _("Signed by both parties, but a later version exists"))
    if "not_platform" in codes:
        return _("Not valid: not a document of this platform")
    if codes & {"extra_signature", "extra_party_signature", "not_a_party", "out_of_order", "not_recorded"}:
        return _("Not valid: a signature was added by someone who is not a party")
    if codes & {"changed", "added_after_signing", "added_data"}:
        return _("Not valid: this file was changed after signing")
    return _("Not valid")


def _is_notice(version: Version) -> bool:
    return version.kind is not None and Kind(version.kind).is_notice


def version_lines(version: Version, *, changed: bool = False) -> list[str]:
    """Which version the file is, in plain words; "in force" only for the final version of a contract in force.

    ``changed``: a signature of the file is broken, so an unknown file may be a changed copy of a stored version.
    """
    if version.stage is Stage.UNKNOWN:
        if changed:
            return [_("This file does not match any version of a contract stored on this platform.")]
        return [_("Not a document of this platform.")]
    kind = Kind(version.kind).label if version.kind else ""
    lines = [_("Document: %(kind)s %(number)s.", kind=kind, number=version.contract_number)]
    if version.stage is Stage.UNSIGNED:
        lines.append(_("This is the unsigned draft: neither party has signed it."))
    elif version.stage is Stage.EMPLOYER_ONLY:
        lines.append(_("Only the employer has sealed; the worker has not signed. This is not a complete contract."))
    elif version.stage is Stage.BOTH_NOT_FINAL:
        lines.append(
            _(
                "Signed by both parties, but this is not the final file: it stops before the platform completed it "
                "(the long-term validation data and the archive timestamp are missing)."
            )
        )
    elif _is_notice(version):
        lines.append(_("Sealed by the employer and delivered to the worker (final); a notice needs no countersignature."))
    else:
        lines.append(_("Signed by both parties (final)."))
    if version.stage is not Stage.FINAL:
        lines.append(_progress(version))
    elif version.in_force:
        lines.append(_("This contract is in force."))
    for later in version.later:
        lines.append(_later_line(later))
    if version.changes_number:
        lines.append(_("This document changes contract %(number)s.", number=version.changes_number))
    return [line for line in lines if line]


def _progress(version: Version) -> str:
    """What happened to the contract after the version in this file."""
    if version.completed_at is not None:
        return _(
            "The worker signed on %(date)s: the complete contract is a different file.",
            date=_day(version.completed_at),
        )
    return {
        Status.AWAITING_EMPLOYER.value: _("The contract is still waiting for the employer's seal."),
        Status.AWAITING_WORKER.value: _("The contract is still waiting for the worker's signature."),
        Status.REFUSED.value: _("The worker refused to sign this contract; it never came into force."),
        Status.WITHDRAWN.value: _("The employer withdrew this contract before it was signed; it never came into force."),
    }.get(version.status or "", "")


def _later_line(later: LaterDocument) -> str:
    day, number = _day(later.signed_at), later.number
    return {
        Kind.AMENDMENT.value: _("A later version exists: amended on %(date)s (%(number)s).", date=day, number=number),
        Kind.RESCISSION.value: _("A later version exists: rescinded on %(date)s (%(number)s).", date=day, number=number),
        Kind.TERMINATION.value: _("A later version exists: terminated on %(date)s (%(number)s).", date=day, number=number),
        Kind.RENEWAL.value: _("A later version exists: renewed on %(date)s (%(number)s).", date=day, number=number),
    }.get(later.kind, _("A later version exists: %(number)s of %(date)s.", date=day, number=number))


def advice(result: Result, version: Version, findings: Sequence[Finding]) -> str | None:
    """What to do, for a file that is not a valid, complete, current contract."""
    if result is Result.VALID:
        return None
    if result is Result.INCOMPLETE:
        if version.stage is Stage.FINAL:
            return _("Read it together with the later document; both are in 我的合同 (My contracts).")
        return _(
            "This file is not the signed contract. The complete contract is signed by both parties: "
            "download it from 我的合同 (My contracts) or ask the employer for it."
        )
    return finding_text(findings[0])[1] if findings else None


def finding_text(finding: Finding, *, mask: Callable[[str | None, str | None], str] | None = None) -> tuple[str, str]:
    """The finding in plain words and what to do, in the current language; ``mask`` hides names on public pages."""
    template, names, what_to_do = _FINDING_TEXTS.get(finding.code, _FINDING_TEXTS["unconfirmed"])
    message = str(template)
    if names:
        values = _finding_values(finding, mask or _plain_name)
        message = message % {name: values[name] for name in names}
    return message, _advice_text(what_to_do)


def _finding_values(finding: Finding, mask: Callable[[str | None, str | None], str]) -> dict[str, Any]:
    """The values a finding's message may name: the signature's position, who made it, and who was expected."""
    name = mask(finding.signer, finding.signer_role)
    role = _role_label(finding.signer_role)
    who = _("%(name)s (%(role)s, certificate %(serial)s)", name=name, role=role, serial=finding.certificate_serial or "—")
    return {"n": finding.signature or 0, "who": who, "expected": _expected_label(finding.expected)}


def _advice_text(code: str) -> str:
    if code == _FROM_PLATFORM:
        return _(
            "If you were given this file as a contract of this platform, ask the employer for the copy signed here, "
            "or download yours from 我的合同 (My contracts)."
        )
    if code == _KEEP_AND_ASK:
        return _(
            "Do not rely on this file: download your copy again from 我的合同 (My contracts) and compare. Keep this "
            "file in case you need to report it to the labour inspectors."
        )
    return _("Do not rely on this file: ask the employer, or download your copy again from 我的合同 (My contracts).")


def issuer_label(issuer_cn: str | None, trusted: bool) -> str:
    """The certificate issuer in the reader's language (the platform's CA names are English in the certificate)."""
    if issuer_cn and issuer_cn.endswith((" Signing CA", " Root CA")):
        if not trusted:
            return _("Named like this platform's certificate authority, but not confirmed")
        if issuer_cn.endswith(" Signing CA"):
            return _("This platform's signing certificate authority")
        return _("This platform's root certificate authority")
    return issuer_cn or "—"


def role_label(role: str | None) -> str:
    return _role_label(role)


def _role_label(role: str | None) -> str:
    if role == EMPLOYER:
        return _("employer")
    if role == WORKER:
        return _("worker")
    return _("no party role")


def _expected_label(expected: str | None) -> str:
    if expected == EMPLOYER:
        return _("the employer's seal")
    if expected == WORKER:
        return _("the worker's signature")
    return ""


def _plain_name(name: str | None, _role: str | None) -> str:
    return name or "—"


def _day(moment: datetime) -> str:
    china: date = clock.china_date(moment)
    return china.isoformat()
