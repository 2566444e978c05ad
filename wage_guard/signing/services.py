"""The signing service: the platform CA in the database, signers' identities, and PAdES signing/validation.

Views and contract journeys call this module; it is the only caller of the pure ``pki``, ``keystore``,
``pkcs11``, ``timestamps`` and ``pades`` modules, and it is where configuration (KEK, key store, TSA URL)
meets them.

Keys: the root CA key leaves :func:`init_authority` only as a passphrase-encrypted file for offline keeping
(:class:`RootKeyFile`) and comes back only for :func:`reissue_root_crl`; :func:`export_root_key` moves the
root key that older versions kept in the database out to such a file. The online platform keys (issuing CA,
TSA, evidence log) are wrapped under the KEK, or, with ``KEY_STORE = "pkcs11"``, generated in the HSM and
referred to by their key ID; each row records where its keys are, so it keeps working if the setting changes.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app, has_request_context, url_for

from wage_guard import clock
from wage_guard.errors import NotFound, WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.signing import pades, pki, timestamps
from wage_guard.signing.errors import (
    KeyFileUnreadable,
    KeyMismatch,
    KeyStoreUnavailable,
    SigningError,
    TimestampUnavailable,
    WrongPassphrase,
)
from wage_guard.signing.keystore import EncryptedKeyStore, KeyStore, unwrap_private_key, wrap_private_key
from wage_guard.signing.models import SigningAuthority, SigningIdentity

if TYPE_CHECKING:
    from wage_guard.signing.pkcs11 import Pkcs11KeyStore

log = logging.getLogger(__name__)
T = TypeVar("T")
#: The root CRL is signed with the root key at set-up and lasts two years; ``flask signing reissue-root-crl`` renews it.
ROOT_CRL_VALIDITY = timedelta(days=730)
#: The offline root key file's passphrase is its only protection: no shorter ones.
MIN_PASSPHRASE_LENGTH = 12
#: The CRLs published at ``/pki/crl/<name>.crl`` and named in certificates' CRL distribution points.
CRL_NAMES = ("issuing", "root")
#: The issuing CA's CRL lasts ``pki.CRL_VALIDITY`` (30 days). The scheduler renews it once less than this is left;
#: any use renews it when less than :data:`CRL_RENEW_ON_USE` is left, so a stopped scheduler cannot make every
#: contract unverifiable (a stale CRL proves nothing about today).
CRL_RENEW_BY_SCHEDULER = timedelta(days=15)
CRL_RENEW_ON_USE = timedelta(days=1)


class SigningFailed(WageGuardError):
    """Signing could not be completed; nothing was stored. ``message`` says why in the user's language."""

    status = 503


def _failure(exc: SigningError) -> SigningFailed:
    """A message for the person signing, in their language and without internals; the details go to the log.

    The reason of a signing error can name the timestamp authority's internal address or the HSM's library:
    operators need it, the worker at the signing page must never see it.
    """
    log.warning("signing failed (%s): %s", type(exc).__name__, exc.reason)
    if isinstance(exc, TimestampUnavailable):
        return SigningFailed(
            _(
                "The trusted time service could not be reached, so nothing was signed. "
                "Please try again in a few minutes; your link still works."
            )
        )
    if isinstance(exc, KeyStoreUnavailable):
        return SigningFailed(
            _(
                "The signing service is not available right now, so nothing was signed. "
                "Please try again later; your link still works."
            )
        )
    return SigningFailed(_("Signing failed and nothing was saved. Please try again; if it fails again, tell the site office."))


@dataclasses.dataclass(frozen=True)
class RootKeyFile:
    """The offline root key file (to write, or to read) and the passphrase that encrypts it."""

    path: Path
    passphrase: str = dataclasses.field(repr=False)


class RootKeyUnusable(WageGuardError):
    """The offline root key file cannot be written or used; nothing was changed."""

    status = 422


class RootKeyFileMissing(RootKeyUnusable):
    """The file does not exist, cannot be read or written, or is not an encrypted key file."""


class RootKeyPassphraseWrong(RootKeyUnusable):
    """The passphrase does not open the file."""


class RootKeyMismatch(RootKeyUnusable):
    """The file holds a key that is not this platform's root key."""


class RootKeyFileExists(RootKeyUnusable):
    """The file to write exists already; a key file is never overwritten."""


def _outside_event_loop(function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """Run pyHanko (which calls ``asyncio.run``) in a helper thread when this thread already runs an event loop,
    as under an async server or a test driving a browser; otherwise call it directly."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _kek() -> bytes:
    return base64.b64decode(current_app.config["KEY_ENCRYPTION_KEY"])


def is_set_up() -> bool:
    """Whether the platform CA exists (``flask signing init-ca`` has run)."""
    return db.session.scalar(sa.select(SigningAuthority.id).limit(1)) is not None


def init_authority(*, now: datetime, root_key_file: RootKeyFile | None = None) -> tuple[SigningAuthority, bool]:
    """Create the platform CA (root, issuing CA, TSA) once; returns it and whether it was created now.

    The root key is written to ``root_key_file`` (never overwriting a file) and stored nowhere else; without
    a file (tests, the demo) it is discarded, so that installation's root CRL cannot be renewed. With
    ``KEY_STORE = "pkcs11"`` the issuing CA and TSA keys are generated in the HSM and only their IDs stored.

    :raises RootKeyUnusable: the file exists, its folder does not, or the passphrase is too short.
    :raises SigningFailed: the HSM could not be used.
    """
    existing = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    if existing is not None:
        return existing, False
    if root_key_file is not None:
        _check_new_key_file(root_key_file)
    store_name = current_app.config["KEY_STORE"]
    try:
        issuing_key: ec.EllipticCurvePrivateKey | None = None
        tsa_key: ec.EllipticCurvePrivateKey | None = None
        if store_name == "pkcs11":
            token = hsm()
            issuing_reference = token.create_key("wage_guard issuing CA").reference
            tsa_reference = token.create_key("wage_guard timestamp authority").reference
            issuing_key, tsa_key = token.ec_private_key(issuing_reference), token.ec_private_key(tsa_reference)
        # Certificates and CRLs follow the real clock, which validators use, whatever the business clock says.
        ca = pki.create_platform_ca(
            "wage_guard",
            now=clock.wallclock(),
            root_crl_url=crl_url("root"),
            issuing_crl_url=crl_url("issuing"),
            issuing_key=issuing_key,
            tsa_key=tsa_key,
        )
        root_crl = pki.issue_crl(ca, [], clock.wallclock(), issuer="root", next_update=ROOT_CRL_VALIDITY)
    except KeyStoreUnavailable as exc:
        raise SigningFailed(_("The platform keys could not be created in the HSM: %(reason)s", reason=exc.reason)) from exc
    assert ca.root_key is not None
    if store_name != "pkcs11":
        stored = ca.export(_kek())
        issuing_reference, tsa_reference = stored.issuing_key, stored.tsa_key
    authority = SigningAuthority(
        root_cert_pem=pki.certificate_to_pem(ca.root_cert),
        issuing_cert_pem=pki.certificate_to_pem(ca.issuing_cert),
        tsa_cert_pem=pki.certificate_to_pem(ca.tsa_cert),
        root_crl_pem=root_crl.public_bytes(serialization.Encoding.PEM).decode(),
        key_store=store_name,
        issuing_key=issuing_reference,
        tsa_key=tsa_reference,
        created_at=now,
    )
    db.session.add(authority)
    db.session.flush()
    if root_key_file is not None:
        _write_root_key_file(root_key_file, ca.root_key, ca.root_cert)
    else:
        log.info("platform CA %s created without a root key file: its root key is discarded", authority.id)
    return authority, True


def reissue_root_crl(root_key_file: RootKeyFile) -> SigningAuthority:
    """Sign a fresh root CRL with the root key from its offline file (before the stored one runs out).

    :raises RootKeyUnusable: the file is missing or unreadable, the passphrase is wrong, or the key is not
        this platform's root key; nothing is changed.
    """
    authority = _authority()
    root_cert = x509.load_pem_x509_certificate(authority.root_cert_pem.encode())
    ca = dataclasses.replace(platform_ca(), root_key=_read_root_key_file(root_key_file, root_cert))
    crl = pki.issue_crl(ca, [], clock.wallclock(), issuer="root", next_update=ROOT_CRL_VALIDITY)
    authority.root_crl_pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    db.session.flush()
    return authority


def export_root_key(root_key_file: RootKeyFile) -> SigningAuthority:
    """Move a root key that an older version kept in the database (wrapped under the KEK) to an offline file.

    The file is written and read back before the database value is erased. Run :func:`purge_erased_values`
    after the commit, so the old value does not linger in the database's files.

    :raises RootKeyUnusable: the root key is not in the database, or the file cannot be written.
    :raises SigningFailed: not set up, or the stored root key cannot be unwrapped with this KEK.
    """
    authority = _authority()
    if authority.root_key is None:
        raise RootKeyUnusable(_("The root key is not in the database: it is already kept offline."))
    _check_new_key_file(root_key_file)
    root_cert = x509.load_pem_x509_certificate(authority.root_cert_pem.encode())
    try:
        root_key = pki.unwrap_legacy_root_key(authority.root_key, _kek(), root_cert)
    except (KeyStoreUnavailable, KeyMismatch) as exc:
        log.warning("the stored root key cannot be exported: %s", exc.reason)
        raise SigningFailed(
            _("The root key in the database cannot be read with this key-encryption key; nothing was changed.")
        ) from exc
    _write_root_key_file(root_key_file, root_key, root_cert)
    authority.root_key = None
    db.session.flush()
    return authority


def purge_erased_values() -> None:
    """Rewrite the database's storage so erased values are gone from disk, not only from the table.

    An UPDATE leaves the old bytes in SQLite's free pages and in PostgreSQL's dead row versions until they are
    reused. Runs outside any transaction: call it after the commit. Backups taken earlier still hold them.
    """
    engine = db.engine
    statement = {"sqlite": "VACUUM", "postgresql": "VACUUM FULL signing_authority"}.get(engine.dialect.name)
    if statement is None:
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(statement)


def _check_new_key_file(target: RootKeyFile) -> None:
    """Refuse before anything is created: a short passphrase, an existing file, a missing folder."""
    if len(target.passphrase) < MIN_PASSPHRASE_LENGTH:
        raise RootKeyUnusable(_("The passphrase must be at least %(count)d characters long.", count=MIN_PASSPHRASE_LENGTH))
    if target.path.exists():
        raise RootKeyFileExists(_("%(path)s already exists: a root key file is never overwritten.", path=target.path))
    if not target.path.parent.is_dir():
        raise RootKeyFileMissing(_("The folder %(path)s does not exist.", path=target.path.parent))


def _write_root_key_file(target: RootKeyFile, root_key: ec.EllipticCurvePrivateKey, root_cert: x509.Certificate) -> None:
    """Write the encrypted root key (owner-only, never overwriting) and read it back before relying on it."""
    data = pki.root_key_file(root_key, target.passphrase)
    try:
        descriptor = os.open(target.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise RootKeyFileExists(_("%(path)s already exists: a root key file is never overwritten.", path=target.path)) from exc
    except OSError as exc:
        raise RootKeyFileMissing(
            _("The root key file %(path)s cannot be written: %(reason)s", path=target.path, reason=exc.strerror)
        ) from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    _read_root_key_file(target, root_cert)


def _read_root_key_file(source: RootKeyFile, root_cert: x509.Certificate) -> ec.EllipticCurvePrivateKey:
    """The root key from its file, checked against the root certificate."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise RootKeyFileMissing(
            _("The root key file %(path)s cannot be read: %(reason)s", path=source.path, reason=exc.strerror)
        ) from exc
    try:
        return pki.load_root_key(data, source.passphrase, root_cert)
    except KeyFileUnreadable as exc:
        raise RootKeyFileMissing(_("%(path)s is not an encrypted private key file.", path=source.path)) from exc
    except WrongPassphrase as exc:
        raise RootKeyPassphraseWrong(_("The passphrase does not open the root key file %(path)s.", path=source.path)) from exc
    except KeyMismatch as exc:
        raise RootKeyMismatch(
            _("The key in %(path)s is not this platform's root key: it does not match the root certificate.", path=source.path)
        ) from exc


def platform_ca() -> pki.PlatformCA:
    """The CA with usable issuing and TSA keys (cached per process and authority row); never the root key.

    :raises SigningFailed: not set up yet, or its keys cannot be used (wrong KEK, HSM unavailable).
    """
    authority = _authority()
    try:
        if authority.key_store == "pkcs11":
            return _load_hsm_ca(authority.id, authority.issuing_cert_pem, _pkcs11_settings())
        return _load_ca(authority.id, authority.issuing_cert_pem, _kek())
    except KeyStoreUnavailable as exc:
        raise _failure(exc) from exc


@cache
def _load_ca(authority_id: int, issuing_pem: str, kek: bytes) -> pki.PlatformCA:
    authority = db.session.get(SigningAuthority, authority_id)
    assert authority is not None
    stored = pki.StoredCA(
        root_cert_pem=authority.root_cert_pem,
        issuing_cert_pem=issuing_pem,
        tsa_cert_pem=authority.tsa_cert_pem,
        issuing_key=authority.issuing_key,
        tsa_key=authority.tsa_key,
    )
    return pki.PlatformCA.load(stored, kek)


@cache
def _load_hsm_ca(authority_id: int, issuing_pem: str, settings: tuple[str, str | None, str | None]) -> pki.PlatformCA:
    authority = db.session.get(SigningAuthority, authority_id)
    assert authority is not None
    token = _pkcs11_store(*settings)
    return pki.PlatformCA(
        root_cert=x509.load_pem_x509_certificate(authority.root_cert_pem.encode()),
        issuing_cert=x509.load_pem_x509_certificate(issuing_pem.encode()),
        issuing_key=token.ec_private_key(authority.issuing_key),
        tsa_cert=x509.load_pem_x509_certificate(authority.tsa_cert_pem.encode()),
        tsa_key=token.ec_private_key(authority.tsa_key),
    )


def issuer() -> pki.CertificateIssuer:
    """The certificate issuer: the platform CA (a licensed CA can be plugged in here)."""
    return pki.PlatformIssuer(platform_ca(), crl_url=crl_url("issuing"))


def crl_url(name: str) -> str | None:
    """The public URL of a CRL (``/pki/crl/<name>.crl``) for certificates' CRL distribution points.

    Under ``PUBLIC_BASE_URL`` when set, else the request's host; None outside a request without a base URL (the
    certificate then names no distribution point: a wrong address would stay in it for years).
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + current_app.url_map.bind("localhost").build("pki.crl", {"name": name})
    if has_request_context():
        return url_for("pki.crl", name=name, _external=True)
    return None


def trust_roots() -> list[x509.Certificate]:
    return issuer().trust_roots()


def root_certificate() -> x509.Certificate | None:
    """The platform root certificate as stored (no key is unwrapped: it is public), or None before ``init-ca``.

    Its fingerprint is published and evidence packages are compared with it (``ledger verify-package``)."""
    pem = db.session.scalar(sa.select(SigningAuthority.root_cert_pem).order_by(SigningAuthority.id).limit(1))
    return None if pem is None else x509.load_pem_x509_certificate(pem.encode())


def key_store() -> KeyStore:
    """The configured key store: keys wrapped in the database, or the PKCS#11 HSM."""
    if current_app.config["KEY_STORE"] == "pkcs11":
        return hsm()
    return _encrypted_store(_kek())


def hsm() -> Pkcs11KeyStore:
    """The configured PKCS#11 token (``PKCS11_MODULE``, ``PKCS11_TOKEN_LABEL``, ``PKCS11_USER_PIN``)."""
    return _pkcs11_store(*_pkcs11_settings())


def _pkcs11_settings() -> tuple[str, str | None, str | None]:
    config = current_app.config
    return config["PKCS11_MODULE"], config["PKCS11_TOKEN_LABEL"], config["PKCS11_USER_PIN"]


def create_platform_ed25519_key(label: str, *, context: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """A new Ed25519 key for a platform service (the evidence log) where ``KEY_STORE`` says: in the HSM, or
    wrapped under the KEK with ``context``. Returns the store's name, the reference to keep and the public key.

    :raises KeyStoreUnavailable: the HSM could not be used.
    """
    if current_app.config["KEY_STORE"] == "pkcs11":
        reference, public_key = hsm().create_ed25519_key(label)
        return "pkcs11", reference, public_key
    key = Ed25519PrivateKey.generate()
    return "encrypted", wrap_private_key(key, _kek(), context), key.public_key()


def platform_ed25519_key(store_name: str, reference: bytes, *, context: str) -> Ed25519PrivateKey:
    """The key behind a reference from :func:`create_platform_ed25519_key` (on the token, or unwrapped).

    :raises KeyStoreUnavailable: HSM unavailable, key missing, wrong KEK or not an Ed25519 key.
    """
    if store_name == "pkcs11":
        return hsm().ed25519_private_key(reference)
    key = unwrap_private_key(reference, _kek(), context)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreUnavailable("the stored platform key is not an Ed25519 key")
    return key


@cache
def _encrypted_store(kek: bytes) -> EncryptedKeyStore:
    return EncryptedKeyStore(kek)


@cache
def _pkcs11_store(module: str, label: str | None, pin: str | None) -> Pkcs11KeyStore:
    from wage_guard.signing.pkcs11 import Pkcs11KeyStore  # python-pkcs11 is loaded only when an HSM is configured

    return Pkcs11KeyStore(module, label or "", pin or "")


def pseudonym(owner_kind: str, owner_id: int) -> str:
    """An opaque, stable subject pseudonym for certificates (never the ID number)."""
    key = base64.b64decode(current_app.config["BLIND_INDEX_KEY"])
    return hmac.new(key, f"cert:{owner_kind}:{owner_id}".encode(), hashlib.sha256).hexdigest()[:32]


def identity_for(owner_kind: str, owner_id: int, *, common_name: str, organization: str | None, now: datetime) -> SigningIdentity:
    """The signer's key and certificate, created on first signing and again after a revocation."""
    store_name = current_app.config["KEY_STORE"]
    existing = db.session.scalar(
        sa.select(SigningIdentity).where(
            SigningIdentity.owner_kind == owner_kind,
            SigningIdentity.owner_id == owner_id,
            SigningIdentity.key_store == store_name,
            SigningIdentity.revoked_at.is_(None),  # a revoked certificate is never used again: a new one is made
        )
    )
    if existing is not None:
        return existing
    try:
        handle = key_store().create_key(f"{owner_kind}-{owner_id}")
        subject = pki.PersonSubject(
            common_name=common_name,
            role=owner_kind,  # type: ignore[arg-type]
            pseudonym=pseudonym(owner_kind, owner_id),
            organization=organization,
        )
        chain = issuer().issue(handle.public_key, subject, clock.wallclock())
    except SigningError as exc:
        raise _failure(exc) from exc
    identity = SigningIdentity(
        owner_kind=owner_kind,
        owner_id=owner_id,
        key_store=store_name,
        key_reference=handle.reference,
        cert_pem=pki.certificate_to_pem(chain[0]),
        chain_pem=pki.certificates_to_pem(chain[1:]),
        not_after=chain[0].not_valid_after_utc,
        created_at=now,
    )
    db.session.add(identity)
    db.session.flush()
    return identity


def timestamper() -> timestamps.Timestamper:
    return timestamps.make_timestamper(
        current_app.config.get("TSA_URL"), platform_ca(), timeout=current_app.config["TSA_TIMEOUT_SECONDS"]
    )


def sign(
    pdf: bytes, identity: SigningIdentity, *, field_name: str, placement: pades.SealPlacement, reason: str, location: str
) -> bytes:
    """Add one B-T signature with a visible seal; raises :class:`SigningFailed` with the reason."""
    if identity.revoked_at is not None:  # identity_for never hands one out; this keeps any other path honest
        raise SigningFailed(_("This signing certificate has been revoked, so nothing was signed. Please try again."))
    cert = x509.load_pem_x509_certificate(identity.cert_pem.encode())
    chain = pki.certificates_from_pem(identity.chain_pem) if identity.chain_pem.strip() else []
    try:
        signer = key_store().signer(identity.key_reference, cert, chain)
        return _outside_event_loop(
            pades.sign_pdf,
            pdf,
            signer=signer,
            timestamper=timestamper(),
            field_name=field_name,
            placement=placement,
            reason=reason,
            location=location,
        )
    except SigningError as exc:
        raise _failure(exc) from exc


def revocation_lists(now: datetime) -> list[x509.CertificateRevocationList]:
    """The platform's current CRLs: the issuing CA's (as published) and the root's."""
    authority = _authority()
    root_crl = x509.load_pem_x509_crl(authority.root_crl_pem.encode())
    return [issuing_crl(), root_crl]


def _authority() -> SigningAuthority:
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1))
    if authority is None:
        raise SigningFailed(_("Signing is not set up yet: an administrator must run 'flask signing init-ca'."))
    return authority


def revoked_entries(ca: pki.PlatformCA) -> list[pki.RevokedEntry]:
    """Every revoked signer certificate of the issuing CA, with its time and reason, for its CRL."""
    rows = db.session.execute(
        sa.select(SigningIdentity.cert_pem, SigningIdentity.revoked_at, SigningIdentity.revocation_reason)
        .where(SigningIdentity.revoked_at.is_not(None))
        .order_by(SigningIdentity.id)
    )
    entries = []
    for cert_pem, revoked_at, reason in rows:
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
        if revoked_at is not None and cert.issuer == ca.issuing_cert.subject:
            flag = x509.ReasonFlags(reason) if reason else None
            entries.append(pki.RevokedEntry(cert.serial_number, clock.as_utc(revoked_at), flag))
    return entries


def renew_issuing_crl() -> x509.CertificateRevocationList:
    """Sign the issuing CA's CRL now, listing every revoked certificate, and store it (the caller commits).

    The authority row is locked first, so two revocations at once cannot each publish a list without the other.
    """
    authority = db.session.scalar(sa.select(SigningAuthority).order_by(SigningAuthority.id).limit(1).with_for_update())
    if authority is None:
        raise SigningFailed(_("Signing is not set up yet: an administrator must run 'flask signing init-ca'."))
    ca = platform_ca()
    crl = pki.issue_crl(ca, revoked_entries(ca), clock.wallclock())
    authority.issuing_crl_pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    db.session.flush()
    return crl


def issuing_crl(*, renew_within: timedelta = CRL_RENEW_ON_USE) -> x509.CertificateRevocationList:
    """The issuing CA's stored CRL, renewed first when there is none or less than ``renew_within`` is left."""
    pem = _authority().issuing_crl_pem
    crl = None if pem is None else x509.load_pem_x509_crl(pem.encode())
    next_update = None if crl is None else crl.next_update_utc
    if next_update is None or next_update - clock.wallclock() < renew_within:
        crl = renew_issuing_crl()
    assert crl is not None
    return crl


def renew_crls_when_due() -> dict[str, str]:
    """The scheduler's CRL upkeep: renew the issuing CA's CRL once less than half its life is left, and warn while
    the root CRL (signed only where the offline root key is kept) has under 60 days to run.

    Returns the next update of each CRL (ISO 8601) for the job log; nothing when signing is not set up.
    """
    if db.session.scalar(sa.select(SigningAuthority.id).limit(1)) is None:
        return {}
    issuing = issuing_crl(renew_within=CRL_RENEW_BY_SCHEDULER)
    root = x509.load_pem_x509_crl(_authority().root_crl_pem.encode())
    if root.next_update_utc is not None and root.next_update_utc - clock.wallclock() < timedelta(days=60):
        log.error(
            "the root CRL ends on %s: renew it where the root key file is kept"
            " (flask signing reissue-root-crl --root-key-file PATH)",
            root.next_update_utc.isoformat(),
        )
    return {
        name: "" if crl.next_update_utc is None else crl.next_update_utc.isoformat()
        for name, crl in (("issuing", issuing), ("root", root))
    }


def crl_der(name: str) -> bytes:
    """The current CRL called ``name`` (:data:`CRL_NAMES`) in DER, as published.

    :raises NotFound: for another name, or before the platform CA is set up.
    """
    if name not in CRL_NAMES or db.session.scalar(sa.select(SigningAuthority.id).limit(1)) is None:
        raise NotFound(_("There is no such revocation list."))
    if name == "issuing":
        crl = issuing_crl()
    else:
        crl = x509.load_pem_x509_crl(_authority().root_crl_pem.encode())
    return crl.public_bytes(serialization.Encoding.DER)


def complete(pdf: bytes, *, now: datetime) -> bytes:
    """Add validation data and a document timestamp (B-LTA) once the last party has signed."""
    ca = platform_ca()
    try:
        return _outside_event_loop(
            pades.complete_lta,
            pdf,
            trust_roots=[ca.root_cert],
            other_certs=[ca.issuing_cert, ca.tsa_cert],
            crls=revocation_lists(now),
            timestamper=timestamper(),
        )
    except SigningError as exc:
        raise _failure(exc) from exc


def verify(pdf: bytes) -> pades.ValidationReport:
    """Validate every signature and document timestamp against the platform roots.

    :raises signing.errors.NotAPdf: for bytes that are not a readable PDF.
    """
    ca = platform_ca()
    return _outside_event_loop(
        pades.validate_pdf,
        pdf,
        trust_roots=[ca.root_cert],
        other_certs=[ca.issuing_cert, ca.tsa_cert],
        crls=revocation_lists(clock.wallclock()),
    )
