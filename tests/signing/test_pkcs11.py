"""Keys in a PKCS#11 HSM, exercised with SoftHSM2 tokens in a temporary directory.

PKCS#11 login state is per process and token, and python-pkcs11 loads a module once per process, so the
wrong-PIN case uses a second token that nothing has logged in to.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.signing.conftest import EMPLOYER_BOX, Party, make_party, require_tool, sign_as, tool_unavailable
from wage_guard.signing import pades, pki
from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.pkcs11 import Pkcs11KeyStore
from wage_guard.signing.timestamps import EmbeddedTimestamper

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, OTHER_TOKEN = "wage-guard-test", "wage-guard-other"
PIN, SO_PIN = "246810", "13579111"


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Two fresh SoftHSM2 tokens; SOFTHSM2_CONF points at them for this module."""
    tool = require_tool("softhsm2-util", "softhsm2")
    if not Path(MODULE).exists():
        tool_unavailable(f"SoftHSM2 PKCS#11 module not found at {MODULE}; apt-get install softhsm2")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    try:
        for label in (TOKEN, OTHER_TOKEN):
            init = [tool, "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", PIN]
            subprocess.run(init, check=True, capture_output=True, env=os.environ.copy())
        yield config
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="module")
def hsm(softhsm: Path) -> Pkcs11KeyStore:
    return Pkcs11KeyStore(MODULE, TOKEN, PIN)


@pytest.fixture(scope="module")
def hsm_worker(hsm: Pkcs11KeyStore, ca: pki.PlatformCA, now: datetime) -> Party:
    return make_party(hsm, pki.PlatformIssuer(ca), pki.PersonSubject("王五", "worker", "5e2d9c"), now)


def test_hsm_signature_validates(
    hsm: Pkcs11KeyStore,
    hsm_worker: Party,
    contract_pdf: bytes,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
    ca: pki.PlatformCA,
) -> None:
    signed = sign_as(contract_pdf, hsm_worker, hsm, timestamper, "worker", EMPLOYER_BOX, seal_png)

    report = pades.validate_pdf(signed, trust_roots=[ca.root_cert])

    assert report.ok, report.problems
    assert report.signatures[0].summary.startswith("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>")
    assert report.signatures[0].signer_cn == "王五"


def test_hsm_key_reference_is_an_opaque_id(hsm: Pkcs11KeyStore, hsm_worker: Party) -> None:
    assert len(hsm_worker.reference) == 16
    assert hsm.signer(hsm_worker.reference, hsm_worker.cert, hsm_worker.chain) is hsm.signer(
        hsm_worker.reference, hsm_worker.cert, hsm_worker.chain
    )


def test_hsm_unknown_key_is_unavailable(hsm: Pkcs11KeyStore, hsm_worker: Party) -> None:
    with pytest.raises(KeyStoreUnavailable, match="not found"):
        hsm.signer(b"\x00" * 16, hsm_worker.cert, hsm_worker.chain)


def test_hsm_key_of_another_certificate_is_refused(hsm: Pkcs11KeyStore, hsm_worker: Party, worker: Party) -> None:
    with pytest.raises(KeyStoreUnavailable, match="does not belong"):
        hsm.signer(hsm_worker.reference, worker.cert, worker.chain)


@pytest.mark.parametrize(
    ("module", "token", "pin", "reason"),
    [
        ("/nonexistent/libnope.so", TOKEN, PIN, "could not be loaded"),
        (MODULE, "no-such-token", PIN, "no HSM token"),
        (MODULE, OTHER_TOKEN, "000000", "wrong PIN"),
    ],
    ids=["module", "token", "pin"],
)
def test_unavailable_hsm_raises(softhsm: Path, module: str, token: str, pin: str, reason: str) -> None:
    store = Pkcs11KeyStore(module, token, pin)

    with pytest.raises(KeyStoreUnavailable, match=reason):
        store.create_key("worker-1")
    with pytest.raises(KeyStoreUnavailable):
        store.connect()
