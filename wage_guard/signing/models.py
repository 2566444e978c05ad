"""The platform's signing authority (CA and TSA) and each signer's key and certificate.

The database holds the online keys only by reference: wrapped under the key-encryption key, or the ``CKA_ID``
of a key inside the HSM. The root CA key is never stored here (it lives in an encrypted file kept offline);
:class:`SigningAuthority` refuses a value in its legacy ``root_key`` column.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from wage_guard import clock
from wage_guard.extensions import db


class SigningAuthority(db.Model):  # type: ignore[name-defined,misc]
    """The platform CA created at set-up: root, issuing CA and timestamp authority, with references to their keys."""

    id: Mapped[int] = mapped_column(primary_key=True)
    root_cert_pem: Mapped[str] = mapped_column(sa.Text)
    issuing_cert_pem: Mapped[str] = mapped_column(sa.Text)
    tsa_cert_pem: Mapped[str] = mapped_column(sa.Text)
    #: The root's CRL (signed with the root key at set-up, long-lived) covering the issuing CA and the TSA.
    root_crl_pem: Mapped[str] = mapped_column(sa.Text)
    #: The issuing CA's current CRL (signers' and the TSA's certificates), as published at ``/pki/crl/issuing.crl``:
    #: signed anew on every revocation and by the scheduler before it ends (``signing.crls.issuing_crl``).
    issuing_crl_pem: Mapped[str | None] = mapped_column(sa.Text)
    #: Legacy: installations set up before the root key went offline kept it here, wrapped under the KEK.
    #: ``flask signing export-root-key`` moves it to a file and empties this column; nothing may write it.
    root_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: Where ``issuing_key`` and ``tsa_key`` are: ``encrypted`` (wrapped under the KEK) or ``pkcs11`` (their
    #: ``CKA_ID`` on the HSM token; the keys never leave it).
    key_store: Mapped[str] = mapped_column(sa.String(16), default="encrypted", server_default="encrypted")
    issuing_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    tsa_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    @validates("root_key")
    def _no_root_key(self, key: str, value: bytes | None) -> bytes | None:
        """The root key is kept offline: the only value this column may take is None (after export)."""
        if value is not None:
            raise ValueError("the root CA key must not be stored in the database")
        return value


class SigningIdentity(db.Model):  # type: ignore[name-defined,misc]
    """A signer's own key pair and certificate: one in use per worker and per employer (and key store).

    A revoked identity stays (its certificate is on the CRL and in signed contracts); the next signature of its
    owner gets a new key and certificate.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``worker`` or ``employer``.
    owner_kind: Mapped[str] = mapped_column(sa.String(16))
    owner_id: Mapped[int]
    #: ``encrypted`` (key wrapped under the KEK, stored in ``key_reference``) or ``pkcs11`` (label in the HSM).
    key_store: Mapped[str] = mapped_column(sa.String(16))
    key_reference: Mapped[bytes] = mapped_column(sa.LargeBinary)
    cert_pem: Mapped[str] = mapped_column(sa.Text)
    chain_pem: Mapped[str] = mapped_column(sa.Text)
    not_after: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    #: When the certificate was revoked, as the CRL states it (real clock, whole seconds rounded up).
    revoked_at: Mapped[datetime | None]
    #: The RFC 5280 reason (``cryptography.x509.ReasonFlags`` value, e.g. ``keyCompromise``).
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(32))
    #: Who reported it: ``worker:<id>`` (in the portal) or ``staff:<id>`` (in person).
    revoked_by: Mapped[str | None] = mapped_column(sa.String(32))

    __table_args__ = (
        # One identity in use per owner and key store; revoked ones are kept beside it.
        sa.Index(
            "uq_signing_identity_in_use",
            "owner_kind",
            "owner_id",
            "key_store",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )
