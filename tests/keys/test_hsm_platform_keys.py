"""With ``KEY_STORE = "pkcs11"`` the issuing CA, timestamp authority and evidence-log keys live in the HSM
(SoftHSM2 here): generated on the token by ``flask signing init-ca``, used there for certificates, CRLs,
timestamps and tree heads, and known to the database only by their key IDs."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pkcs11
import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from flask import Flask
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.exceptions import UserAlreadyLoggedIn
from pkcs11.util.ec import encode_ec_public_key

from tests.factories import World
from tests.journeys.conftest import final_pdf, make_signing_world
from tests.journeys.test_signing_journey import sign_one
from tests.keys.support import load_key_file, places_holding, root_certificate, signing_cli
from tests.softhsm import MODULE, PIN, token
from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.ledger import services as ledger
from wage_guard.ledger.models import LogKey
from wage_guard.signing import ca_setup, validation
from wage_guard.signing import services as signing
from wage_guard.signing.models import SigningAuthority, SigningIdentity

TOKEN = "wage-guard-platform"


@pytest.fixture
def hsm_app(app: Flask, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with every new key in the SoftHSM2 token ``wage-guard-platform``."""
    token(tmp_path_factory, TOKEN)
    settings = {"KEY_STORE": "pkcs11", "PKCS11_MODULE": MODULE, "PKCS11_TOKEN_LABEL": TOKEN, "PKCS11_USER_PIN": PIN}
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    return app


@pytest.fixture
def key_file(hsm_app: Flask, tmp_path: Path) -> Path:
    path = tmp_path / "root-key.p8"
    result = signing_cli(hsm_app, "init-ca", "--root-key-file", str(path))
    assert result.exit_code == 0, result.output
    assert "keys: pkcs11" in result.output
    return path


@pytest.fixture
def session() -> Iterator[pkcs11.Session]:
    """Our own PKCS#11 session on the token, to see what is there independently of the application."""
    tokens = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    try:
        opened = tokens.open(user_pin=PIN)
    except UserAlreadyLoggedIn:  # login state is per process: the application's store logged in already
        opened = tokens.open()
    with opened as session:
        yield session


def _spki(public_key: ec.EllipticCurvePublicKey | Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _token_public_key(session: pkcs11.Session, key_id: bytes) -> bytes:
    """The SubjectPublicKeyInfo of the token's public key object with ``key_id``."""
    public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, id=key_id)
    if public.key_type == KeyType.EC_EDWARDS:
        point = public[Attribute.EC_POINT]
        return _spki(Ed25519PublicKey.from_public_bytes(point[-32:]))
    return encode_ec_public_key(public)


def test_init_ca_generates_the_issuing_tsa_and_log_keys_in_the_token(
    hsm_app: Flask, key_file: Path, session: pkcs11.Session
) -> None:
    with hsm_app.app_context():
        authority = db.session.scalars(sa.select(SigningAuthority)).one()
        log_key = db.session.scalars(sa.select(LogKey)).one()
        references = {"issuing": authority.issuing_key, "tsa": authority.tsa_key, "log": log_key.private_key}
        public_keys = {
            "issuing": _spki(x509.load_pem_x509_certificate(authority.issuing_cert_pem.encode()).public_key()),  # type: ignore[arg-type]
            "tsa": _spki(x509.load_pem_x509_certificate(authority.tsa_cert_pem.encode()).public_key()),  # type: ignore[arg-type]
            "log": _spki(load_pem_public_key(log_key.public_key_pem.encode())),  # type: ignore[arg-type]
        }
        assert (authority.key_store, log_key.key_store) == ("pkcs11", "pkcs11")

    on_token = {key.id: key for key in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY})}
    for name, reference in references.items():
        assert len(reference) == 16, f"the database holds more than a key ID for the {name} key"
        key = on_token[reference]
        assert key[Attribute.SENSITIVE], f"the {name} key is not sensitive"
        assert not key[Attribute.EXTRACTABLE], f"the {name} key can leave the token"
        assert _token_public_key(session, reference) == public_keys[name], f"the token's {name} key is not the certified one"
    assert on_token[references["log"]].key_type == KeyType.EC_EDWARDS
    # The root key is in its offline file only: not on the token, not in the database.
    root = root_certificate(hsm_app)
    root_key = load_key_file(key_file, root)
    token_keys = {_token_public_key(session, key_id) for key_id in on_token}
    assert _spki(root.public_key()) not in token_keys  # type: ignore[arg-type]
    assert places_holding(hsm_app, root_key, base64.b64decode(hsm_app.config["KEY_ENCRYPTION_KEY"])) == []


def test_contract_signed_and_timestamped_with_hsm_keys_validates_and_tree_heads_verify(
    hsm_app: Flask, world: World, key_file: Path
) -> None:
    signing_world = make_signing_world(hsm_app, world)  # the CA that init-ca made in the token
    signed = final_pdf(hsm_app, sign_one(hsm_app, signing_world))

    with hsm_app.app_context():
        report = signing.verify(signed)
        assert report.ok, report.problems
        assert [s.field_name for s in report.signatures] == ["employer", "worker"]
        assert all(s.timestamp_trusted for s in report.signatures)
        assert report.document_timestamps
        assert all(t.trusted for t in report.document_timestamps)
        assert {i.key_store for i in db.session.scalars(sa.select(SigningIdentity))} == {"pkcs11"}
        head = ledger.publish_tree_head(now=clock.utcnow()) or ledger.latest_tree_head()
        assert head is not None
        head_json = ledger.tree_head_json(head)
        log_key = db.session.scalars(sa.select(LogKey)).one()
    # pyHanko alone, with nothing but the root: the PDF carries the chain, the TSA's token and the CRLs.
    alone = validation.validate_pdf(signed, trust_roots=[root_certificate(hsm_app)])
    assert alone.ok, alone.problems
    # The tree head was signed on the token with the published log key.
    assert head_json["key_id"] == log_key.key_id
    assert ledger.head_signature_ok(head_json, log_key.public_key_pem)
    assert not ledger.head_signature_ok({**head_json, "size": head_json["size"] + 1}, log_key.public_key_pem)


def test_root_crl_is_renewed_from_the_file_while_the_other_keys_stay_in_the_token(hsm_app: Flask, key_file: Path) -> None:
    with hsm_app.app_context():
        before = db.session.scalar(sa.select(SigningAuthority.root_crl_pem))

    result = signing_cli(hsm_app, "reissue-root-crl", "--root-key-file", str(key_file))

    assert result.exit_code == 0, result.output
    with hsm_app.app_context():
        after = db.session.scalar(sa.select(SigningAuthority.root_crl_pem))
        assert after != before
        assert x509.load_pem_x509_crl(after.encode()).is_signature_valid(root_certificate(hsm_app).public_key())  # type: ignore[arg-type, union-attr]


def test_unreachable_hsm_at_init_ca_is_one_clear_error(hsm_app: Flask, tmp_path: Path) -> None:
    hsm_app.config["PKCS11_TOKEN_LABEL"] = "no-such-token"

    result = signing_cli(hsm_app, "init-ca", "--root-key-file", str(tmp_path / "root-key.p8"))

    assert result.exit_code == 1, result.output
    assert "no-such-token" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "root-key.p8").exists()
    with hsm_app.app_context():
        assert not ca_setup.is_set_up()
