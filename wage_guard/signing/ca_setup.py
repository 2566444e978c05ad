"""Setting up the platform CA once, and the root key that is kept offline afterwards.

The root key leaves :func:`init_authority` only as a passphrase-encrypted file for offline keeping
(:class:`RootKeyFile`) and comes back only for :func:`reissue_root_crl`; :func:`export_root_key` moves the
root key that older versions kept in the database out to such a file. The online platform keys (issuing CA,
TSA) are wrapped under the KEK, or, with ``KEY_STORE = "pkcs11"``, generated in the HSM and referred to by their
key ID; the row records where its keys are, so it keeps working if the setting changes.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from wage_guard import clock
from wage_guard.errors import WageGuardError
from wage_guard.extensions import db
from wage_guard.i18n import _
from wage_guard.settings import settings
from wage_guard.signing import offline_root, pki
from wage_guard.signing.ca import crl_url, hsm, key_encryption_key, platform_ca, stored_authority
from wage_guard.signing.errors import KeyFileUnreadable, KeyMismatch, KeyStoreUnavailable, WrongPassphrase
from wage_guard.signing.failures import SigningFailed
from wage_guard.signing.models import SigningAuthority

log = logging.getLogger(__name__)
#: The root CRL is signed with the root key at set-up and lasts two years; ``flask signing reissue-root-crl`` renews it.
ROOT_CRL_VALIDITY = timedelta(days=730)
#: The offline root key file's passphrase is its only protection: no shorter ones.
MIN_PASSPHRASE_LENGTH = 12


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
    store_name = settings().key_store
    ca, root_crl, issuing_reference, tsa_reference = _create_ca(store_name)
    assert ca.root_key is not None
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


def _create_ca(store_name: str) -> tuple[pki.PlatformCA, x509.CertificateRevocationList, bytes, bytes]:
    """A new CA with its root CRL, and the references to its issuing CA and TSA keys (HSM key IDs or wrapped keys)."""
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
    if store_name != "pkcs11":
        stored = ca.export(key_encryption_key())
        issuing_reference, tsa_reference = stored.issuing_key, stored.tsa_key
    return ca, root_crl, issuing_reference, tsa_reference


def reissue_root_crl(root_key_file: RootKeyFile) -> SigningAuthority:
    """Sign a fresh root CRL with the root key from its offline file (before the stored one runs out).

    :raises RootKeyUnusable: the file is missing or unreadable, the passphrase is wrong, or the key is not
        this platform's root key; nothing is changed.
    """
    authority = stored_authority()
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
    authority = stored_authority()
    if authority.root_key is None:
        raise RootKeyUnusable(_("The root key is not in the database: it is already kept offline."))
    _check_new_key_file(root_key_file)
    root_cert = x509.load_pem_x509_certificate(authority.root_cert_pem.encode())
    try:
        root_key = offline_root.unwrap_legacy_root_key(authority.root_key, key_encryption_key(), root_cert)
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
    data = offline_root.root_key_file(root_key, target.passphrase)
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
        return offline_root.load_root_key(data, source.passphrase, root_cert)
    except KeyFileUnreadable as exc:
        raise RootKeyFileMissing(_("%(path)s is not an encrypted private key file.", path=source.path)) from exc
    except WrongPassphrase as exc:
        raise RootKeyPassphraseWrong(_("The passphrase does not open the root key file %(path)s.", path=source.path)) from exc
    except KeyMismatch as exc:
        raise RootKeyMismatch(
            _("The key in %(path)s is not this platform's root key: it does not match the root certificate.", path=source.path)
        ) from exc
