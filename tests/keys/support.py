"""Helpers for the key tests: run the signing CLI with a passphrase, and look for a key in every stored value."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from click.testing import Result
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from flask import Flask

from wage_guard.extensions import db
from wage_guard.signing import offline_root
from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.keystore import unwrap_private_key
from wage_guard.signing.models import SigningAuthority

PASSPHRASE = "长城 correct horse battery"
#: Every context the application wraps keys under: a root key wrapped under any of them would be found.
WRAPPING_CONTEXTS = (
    "wage_guard.platform_ca.root",
    "wage_guard.platform_ca.issuing",
    "wage_guard.platform_ca.tsa",
    "wage_guard.signing.signer_key",
    "wage_guard.ledger.log_key",
)


def signing_cli(app: Flask, *args: str, passphrase: str | None = PASSPHRASE, stdin: str | None = None) -> Result:
    """``flask signing ARGS`` with the passphrase in the environment (or typed at the prompt via ``stdin``)."""
    env = {"WAGE_GUARD_ROOT_KEY_PASSPHRASE": passphrase or ""}
    return app.test_cli_runner().invoke(args=["signing", *args], env=env, input=stdin)


def root_certificate(app: Flask) -> x509.Certificate:
    with app.app_context():
        pem = db.session.scalars(sa.select(SigningAuthority.root_cert_pem)).one()
    return x509.load_pem_x509_certificate(pem.encode())


def stored_values(app: Flask) -> Iterator[tuple[str, str, object]]:
    """(table, column, value) for every value of every table in the database, found by reflection."""
    with app.app_context(), db.engine.connect() as connection:
        metadata = sa.MetaData()
        metadata.reflect(bind=connection)
        for table in metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                for column, value in row._mapping.items():
                    yield table.name, str(column), value


def key_forms(key: ec.EllipticCurvePrivateKey) -> list[bytes]:
    """The ways a private key's secret could be written down: raw scalar (bytes, hex, base64), DER and PEM."""
    size = (key.curve.key_size + 7) // 8
    scalar = key.private_numbers().private_value.to_bytes(size, "big")
    forms = [scalar, scalar.hex().encode(), scalar.hex().upper().encode(), base64.b64encode(scalar)]
    for private_format in (PrivateFormat.PKCS8, PrivateFormat.TraditionalOpenSSL):
        der = key.private_bytes(Encoding.DER, private_format, NoEncryption())
        pem = key.private_bytes(Encoding.PEM, private_format, NoEncryption())
        forms += [der, base64.b64encode(der), pem, b"".join(pem.splitlines()[1:-1])]
    return forms


def places_holding(app: Flask, key: ec.EllipticCurvePrivateKey, kek: bytes, *extra: bytes) -> list[str]:
    """Every table.column whose value contains ``key`` in any form, or a blob that unwraps to it under ``kek``."""
    needles = [*key_forms(key), *extra]
    found = []
    for table, column, value in stored_values(app):
        if value is None:
            continue
        data = value if isinstance(value, bytes) else str(value).encode()
        if any(needle in data for needle in needles) or _unwraps_to(data, kek, key):
            found.append(f"{table}.{column}")
    return found


def raw_file_holds(path: Path, key: ec.EllipticCurvePrivateKey, *extra: bytes) -> bool:
    """Whether a file on disk (a database file, free pages included) contains the key in any form, or ``extra``."""
    data = path.read_bytes()
    return any(needle in data for needle in [*key_forms(key), *extra])


def _unwraps_to(data: bytes, kek: bytes, key: ec.EllipticCurvePrivateKey) -> bool:
    for context in WRAPPING_CONTEXTS:
        try:
            candidate = unwrap_private_key(data, kek, context)
        except (KeyStoreUnavailable, ValueError):
            continue
        if isinstance(candidate, ec.EllipticCurvePrivateKey) and candidate.private_numbers() == key.private_numbers():
            return True
    return False


def load_key_file(path: Path, root: x509.Certificate, passphrase: str = PASSPHRASE) -> ec.EllipticCurvePrivateKey:
    return offline_root.load_root_key(path.read_bytes(), passphrase, root)
