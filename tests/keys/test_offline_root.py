"""The root CA key is kept offline: ``init-ca`` writes it to an encrypted file and stores nothing of it,
``reissue-root-crl`` takes it from that file, ``export-root-key`` moves an older installation's copy out of
the database. Every refusal is one clear line and its own exit code, never a traceback."""

from __future__ import annotations

import base64
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask

from tests.factories import World
from tests.journeys.conftest import final_pdf, make_signing_world
from tests.journeys.test_signing_journey import sign_one
from tests.keys.support import (
    PASSPHRASE,
    load_key_file,
    places_holding,
    raw_file_holds,
    root_certificate,
    signing_cli,
)
from wage_guard import clock
from wage_guard.extensions import db
from wage_guard.ledger.models import LogKey
from wage_guard.signing import ca_setup, offline_root, pki
from wage_guard.signing import cli as signing_cli_module
from wage_guard.signing import services as signing
from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.keystore import wrap_private_key
from wage_guard.signing.models import SigningAuthority

EXIT_NOT_POSSIBLE, EXIT_USAGE, EXIT_FILE, EXIT_PASSPHRASE, EXIT_WRONG_KEY, EXIT_EXISTS = 1, 2, 3, 4, 5, 6


def _kek(app: Flask) -> bytes:
    return base64.b64decode(app.config["KEY_ENCRYPTION_KEY"])


def _database_file(app: Flask) -> Path:
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database:
        pytest.skip("the on-disk check reads the SQLite file (the suite runs on PostgreSQL too)")
    return Path(url.database)


def _authority(app: Flask) -> SigningAuthority:
    with app.app_context():
        authority = db.session.scalars(sa.select(SigningAuthority)).one()
        db.session.expunge(authority)
        return authority


def _root_crl(app: Flask) -> x509.CertificateRevocationList:
    return x509.load_pem_x509_crl(_authority(app).root_crl_pem.encode())


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert output.count("\n") <= 2, output  # one line of error (and a prompt at most)


@pytest.fixture
def key_file(app: Flask, tmp_path: Path) -> Path:
    """The platform CA created by ``flask signing init-ca``; returns the root key file it wrote."""
    path = tmp_path / "offline" / "root-key.p8"
    path.parent.mkdir()
    result = signing_cli(app, "init-ca", "--root-key-file", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_init_ca_writes_the_root_key_to_an_owner_only_encrypted_file(app: Flask, key_file: Path) -> None:
    root = root_certificate(app)

    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_key_file(key_file, root).public_key() == root.public_key()
    with app.app_context():
        authority = db.session.scalars(sa.select(SigningAuthority)).one()
        assert authority.key_store == "encrypted"
        assert db.session.scalars(sa.select(LogKey)).one() is not None  # the log key is made at set-up too


def test_after_init_ca_the_root_key_is_nowhere_in_the_database(app: Flask, key_file: Path) -> None:
    root_key = load_key_file(key_file, root_certificate(app))

    assert places_holding(app, root_key, _kek(app), key_file.read_bytes()) == []
    assert raw_file_holds(_database_file(app), root_key, key_file.read_bytes()) is False
    assert _authority(app).root_key is None
    with app.app_context():
        authority = db.session.scalars(sa.select(SigningAuthority)).one()
        with pytest.raises(ValueError, match="root CA key must not be stored"):
            authority.root_key = wrap_private_key(root_key, _kek(app), "wage_guard.platform_ca.root")


def test_the_scan_would_find_a_root_key_wrapped_in_the_database(app: Flask, key_file: Path) -> None:
    """The check above can fail: the same scan finds a wrapped root key put where older versions kept it."""
    root_key = load_key_file(key_file, root_certificate(app))
    with app.app_context():
        blob = wrap_private_key(root_key, _kek(app), "wage_guard.platform_ca.root")
        db.session.execute(sa.update(SigningAuthority).values(root_key=blob))
        db.session.commit()

    assert places_holding(app, root_key, _kek(app)) == ["signing_authority.root_key"]


def test_init_ca_asks_for_the_passphrase_twice_when_it_is_not_in_the_environment(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "root-key.p8"

    result = signing_cli(app, "init-ca", "--root-key-file", str(path), passphrase=None, stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")

    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output
    assert load_key_file(path, root_certificate(app)).public_key() == root_certificate(app).public_key()


def test_init_ca_never_overwrites_a_file_and_then_creates_nothing(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "root-key.p8"
    path.write_bytes(b"the operator's other key")

    result = signing_cli(app, "init-ca", "--root-key-file", str(path))

    assert result.exit_code == EXIT_EXISTS, result.output
    assert "root-key.p8" in result.output
    _no_traceback(result.output)
    assert path.read_bytes() == b"the operator's other key"
    with app.app_context():
        assert not ca_setup.is_set_up()


@pytest.mark.parametrize(
    ("arguments", "passphrase", "exit_code"),
    [
        ([], PASSPHRASE, EXIT_USAGE),
        (["--root-key-file", "{tmp}/root-key.p8"], "too short", EXIT_NOT_POSSIBLE),
        (["--root-key-file", "{tmp}/no-such-folder/root-key.p8"], PASSPHRASE, EXIT_FILE),
    ],
    ids=["no-file", "short-passphrase", "missing-folder"],
)
def test_init_ca_refuses_without_a_usable_key_file(
    app: Flask, tmp_path: Path, arguments: list[str], passphrase: str, exit_code: int
) -> None:
    result = signing_cli(app, "init-ca", *(a.format(tmp=tmp_path) for a in arguments), passphrase=passphrase)

    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert not ca_setup.is_set_up()
    assert not (tmp_path / "root-key.p8").exists()


def test_init_ca_failing_after_the_key_file_was_written_removes_it_and_stores_nothing(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hsm_fails(*, now: object) -> None:
        raise KeyStoreUnavailable("the HSM failed to sign")

    monkeypatch.setattr(signing_cli_module.ledger, "log_key", hsm_fails)
    path = tmp_path / "root-key.p8"

    result = signing_cli(app, "init-ca", "--root-key-file", str(path))

    assert result.exit_code == EXIT_NOT_POSSIBLE, result.output
    assert "the HSM failed to sign" in result.output
    _no_traceback(result.output)
    assert not path.exists()
    with app.app_context():
        assert not ca_setup.is_set_up()


def test_init_ca_again_reports_the_existing_ca_without_a_key_file(app: Flask, key_file: Path) -> None:
    result = signing_cli(app, "init-ca", passphrase=None)

    assert result.exit_code == 0, result.output
    assert "already set up" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningAuthority)) == 1


def test_root_crl_is_renewed_from_the_key_file(app: Flask, key_file: Path) -> None:
    before = _root_crl(app)
    root = root_certificate(app)

    result = signing_cli(app, "reissue-root-crl", "--root-key-file", str(key_file))

    assert result.exit_code == 0, result.output
    after = _root_crl(app)
    assert after.public_bytes(Encoding.DER) != before.public_bytes(Encoding.DER)
    assert after.is_signature_valid(root.public_key())  # type: ignore[arg-type]
    assert after.issuer == root.subject
    assert after.next_update_utc is not None
    assert after.next_update_utc - clock.wallclock() > timedelta(days=700)


def _key_file_for(case: str, key_file: Path, directory: Path) -> Path:
    """The file a renewal case hands over: the real one, another installation's root key, none, a certificate."""
    if case == "another-installations-root":
        other = pki.create_platform_ca("wage_guard", now=clock.wallclock())  # same names, different key
        assert other.root_key is not None
        path = directory / "other-root.p8"
        path.write_bytes(offline_root.root_key_file(other.root_key, PASSPHRASE))
        return path
    if case == "missing-file":
        return directory / "missing.p8"
    if case == "not-a-key-file":
        path = directory / "root.pem"
        path.write_text(pki.certificate_to_pem(pki.create_platform_ca(now=clock.wallclock()).root_cert))
        return path
    return key_file


@pytest.mark.parametrize(
    ("case", "passphrase", "exit_code", "says"),
    [
        ("wrong-passphrase", PASSPHRASE + "!", EXIT_PASSPHRASE, "root-key.p8"),
        ("another-installations-root", PASSPHRASE, EXIT_WRONG_KEY, "other-root.p8"),
        ("missing-file", PASSPHRASE, EXIT_FILE, "missing.p8"),
        ("not-a-key-file", PASSPHRASE, EXIT_FILE, "root.pem"),
    ],
)
def test_root_crl_renewal_refuses_clearly_and_changes_nothing(
    app: Flask, key_file: Path, tmp_path: Path, case: str, passphrase: str, exit_code: int, says: str
) -> None:
    before = _authority(app).root_crl_pem
    path = _key_file_for(case, key_file, tmp_path)

    result = signing_cli(app, "reissue-root-crl", "--root-key-file", str(path), passphrase=passphrase)

    assert result.exit_code == exit_code, result.output
    assert says in result.output
    _no_traceback(result.output)
    assert _authority(app).root_crl_pem == before


def test_contracts_still_verify_after_the_root_crl_is_renewed_from_the_file(app: Flask, world: World, key_file: Path) -> None:
    signing_world = make_signing_world(app, world)  # uses the CA that init-ca made
    signed = final_pdf(app, sign_one(app, signing_world))

    result = signing_cli(app, "reissue-root-crl", "--root-key-file", str(key_file))

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert signing.verify(signed).ok


def _put_root_key_back_in_the_database(app: Flask, key_file: Path, *, kek: bytes | None = None) -> bytes:
    """Make the installation look like one set up by an older version: the wrapped root key in its column."""
    root_key = load_key_file(key_file, root_certificate(app))
    blob = wrap_private_key(root_key, kek or _kek(app), "wage_guard.platform_ca.root")
    with app.app_context():
        db.session.execute(sa.update(SigningAuthority).values(root_key=blob))
        db.session.commit()
    key_file.unlink()
    return blob


def test_export_root_key_moves_an_older_installations_root_key_out_of_the_database(
    app: Flask, key_file: Path, tmp_path: Path
) -> None:
    root_key = load_key_file(key_file, root_certificate(app))
    blob = _put_root_key_back_in_the_database(app, key_file)
    exported = tmp_path / "exported-root-key.p8"
    assert places_holding(app, root_key, _kek(app)) == ["signing_authority.root_key"]
    assert raw_file_holds(_database_file(app), root_key, blob) is True

    result = signing_cli(app, "export-root-key", "--root-key-file", str(exported))

    assert result.exit_code == 0, result.output
    assert load_key_file(exported, root_certificate(app)).private_numbers() == root_key.private_numbers()
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    assert _authority(app).root_key is None
    assert places_holding(app, root_key, _kek(app), blob) == []
    assert raw_file_holds(_database_file(app), root_key, blob) is False  # not even in free pages
    renewed = signing_cli(app, "reissue-root-crl", "--root-key-file", str(exported))
    assert renewed.exit_code == 0, renewed.output
    again = signing_cli(app, "export-root-key", "--root-key-file", str(tmp_path / "again.p8"))
    assert again.exit_code == EXIT_NOT_POSSIBLE
    assert not (tmp_path / "again.p8").exists()
    _no_traceback(again.output)


def test_export_root_key_refuses_an_existing_file_and_keeps_the_key_until_it_is_written(
    app: Flask, key_file: Path, tmp_path: Path
) -> None:
    blob = _put_root_key_back_in_the_database(app, key_file)
    existing = tmp_path / "existing.p8"
    existing.write_bytes(b"something else")

    result = signing_cli(app, "export-root-key", "--root-key-file", str(existing))

    assert result.exit_code == EXIT_EXISTS, result.output
    _no_traceback(result.output)
    assert existing.read_bytes() == b"something else"
    with app.app_context():
        assert db.session.scalar(sa.select(SigningAuthority.root_key)) == blob


def test_export_root_key_with_another_kek_changes_nothing(app: Flask, key_file: Path, tmp_path: Path) -> None:
    blob = _put_root_key_back_in_the_database(app, key_file, kek=bytes(32))
    target = tmp_path / "root-key.p8"

    result = signing_cli(app, "export-root-key", "--root-key-file", str(target))

    assert result.exit_code == EXIT_NOT_POSSIBLE, result.output
    _no_traceback(result.output)
    assert not target.exists()
    with app.app_context():
        assert db.session.scalar(sa.select(SigningAuthority.root_key)) == blob
