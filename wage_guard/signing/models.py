"""The platform's signing authority (CA and TSA) and each signer's key and certificate."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wage_guard import clock
from wage_guard.extensions import db


class SigningAuthority(db.Model):  # type: ignore[name-defined,misc]
    """The platform CA created at set-up: root, issuing CA and timestamp authority; keys wrapped under the KEK."""

    id: Mapped[int] = mapped_column(primary_key=True)
    root_cert_pem: Mapped[str] = mapped_column(sa.Text)
    issuing_cert_pem: Mapped[str] = mapped_column(sa.Text)
    tsa_cert_pem: Mapped[str] = mapped_column(sa.Text)
    #: The root's CRL (signed with the root key at set-up, long-lived) covering the issuing CA and the TSA.
    root_crl_pem: Mapped[str] = mapped_column(sa.Text)
    #: Wrapped private keys (keystore.wrap_private_key); the root key is kept only to re-issue the issuing CA.
    root_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    issuing_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    tsa_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)


class SigningIdentity(db.Model):  # type: ignore[name-defined,misc]
    """A signer's own key pair and certificate: one per worker and one per employer."""

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

    __table_args__ = (sa.UniqueConstraint("owner_kind", "owner_id", "key_store"),)
