"""Signing fixtures: one throwaway platform CA per session, two signers, a 2-page Chinese test PDF and the
signed copies the read-only tests share, plus poppler's pdfsig with the platform root in a temporary NSS db.

External tools (pdfsig, certutil, softhsm2-util) missing means a LOUD skip, or a failure under ``CI=true``
so a CI machine that lost a package cannot go green by skipping.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from wage_guard.signing import pades, pki
from wage_guard.signing.keystore import EncryptedKeyStore, KeyStore
from wage_guard.signing.timestamps import EmbeddedTimestamper, Timestamper

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
#: y of the first line on each page; tests flip one digit of page 1's ("72 760 Tm") to tamper.
LINE_Y = (760, 700)
EMPLOYER_BOX: tuple[float, float, float, float] = (330.0, 80.0, 450.0, 200.0)
WORKER_BOX: tuple[float, float, float, float] = (120.5, 80.0, 240.5, 200.0)


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Override tests/conftest.py: the signing library is pure (no app, database or clock to reset)."""


def tool_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"SIGNING TESTS CANNOT RUN UNDER CI=true: {reason}", pytrace=False)
    pytest.skip(f"SIGNING TESTS SKIPPED: {reason}")


def require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        tool_unavailable(f"'{name}' not found; apt-get install {package}")
    return path


@dataclass(frozen=True)
class Party:
    """A signer as the service layer would hold it: key reference, certificate, chain."""

    reference: bytes
    cert: x509.Certificate
    chain: list[x509.Certificate]


@pytest.fixture(scope="session")
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="session")
def ca(now: datetime) -> pki.PlatformCA:
    return pki.create_platform_ca("wage_guard test", now=now)


@pytest.fixture(scope="session")
def other_ca(now: datetime) -> pki.PlatformCA:
    """A second, unrelated CA whose signatures must never be trusted."""
    return pki.create_platform_ca("impostor", now=now)


@pytest.fixture(scope="session")
def crls(ca: pki.PlatformCA, now: datetime) -> list[x509.CertificateRevocationList]:
    return [pki.issue_crl(ca, [], now), pki.issue_crl(ca, [], now, issuer="root")]


@pytest.fixture(scope="session")
def store() -> EncryptedKeyStore:
    return EncryptedKeyStore(os.urandom(32))


def make_party(store: KeyStore, issuer: pki.CertificateIssuer, subject: pki.PersonSubject, now: datetime) -> Party:
    handle = store.create_key(subject.pseudonym)
    chain = issuer.issue(handle.public_key, subject, now)
    return Party(handle.reference, chain[0], chain[1:])


@pytest.fixture(scope="session")
def employer(store: EncryptedKeyStore, ca: pki.PlatformCA, now: datetime) -> Party:
    subject = pki.PersonSubject("李建国", "employer", "9f1c0b7e5a3d2c41", "某某建筑劳务有限公司")
    return make_party(store, pki.PlatformIssuer(ca), subject, now)


@pytest.fixture(scope="session")
def worker(store: EncryptedKeyStore, ca: pki.PlatformCA, now: datetime) -> Party:
    subject = pki.PersonSubject("张三", "worker", "0b8e4f2a7c6d1e93")
    return make_party(store, pki.PlatformIssuer(ca), subject, now)


@pytest.fixture(scope="session")
def timestamper(ca: pki.PlatformCA) -> EmbeddedTimestamper:
    return EmbeddedTimestamper.from_ca(ca)


@pytest.fixture(scope="session")
def contract_pdf() -> bytes:
    """Two A4 pages of Chinese text (embedded WenQuanYi font, uncompressed content streams)."""
    pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    for number, y in enumerate(LINE_Y, start=1):
        pdf.setFont("wqy", 14)
        pdf.drawString(72, y, f"测试文件第{number}页：这不是合同，只是签章测试用的中文文本。")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def seal_png() -> bytes:
    """A solid red disc on a transparent background."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, 239, 239), fill=(230, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


Box = tuple[float, float, float, float]


def sign_as(pdf: bytes, party: Party, store: KeyStore, timestamper: Timestamper, field: str, box: Box, seal_png: bytes) -> bytes:
    """Sign page 2 (index 1) of ``pdf`` as ``party`` with the red seal in ``box``."""
    return pades.sign_pdf(
        pdf,
        signer=store.signer(party.reference, party.cert, party.chain),
        timestamper=timestamper,
        field_name=field,
        placement=pades.SealPlacement(1, box, seal_png),
        reason="签署劳动合同",
        location="北京市",
    )


@pytest.fixture(scope="session")
def signed_bt(
    contract_pdf: bytes,
    employer: Party,
    worker: Party,
    store: EncryptedKeyStore,
    timestamper: EmbeddedTimestamper,
    seal_png: bytes,
) -> bytes:
    """Employer signs, then the worker signs in a second incremental update (both B-T, seals on page 2)."""
    first = sign_as(contract_pdf, employer, store, timestamper, "employer", EMPLOYER_BOX, seal_png)
    return sign_as(first, worker, store, timestamper, "worker", WORKER_BOX, seal_png)


@pytest.fixture(scope="session")
def signed_lta(
    signed_bt: bytes, ca: pki.PlatformCA, crls: list[x509.CertificateRevocationList], timestamper: EmbeddedTimestamper
) -> bytes:
    return pades.complete_lta(
        signed_bt, trust_roots=[ca.root_cert], other_certs=[ca.issuing_cert], crls=crls, timestamper=timestamper
    )


@pytest.fixture(scope="session")
def pdfsig(tmp_path_factory: pytest.TempPathFactory, ca: pki.PlatformCA) -> Callable[[bytes], list[str]]:
    """Run poppler's pdfsig with only the platform root trusted; returns one text block per signature."""
    pdfsig_path = require_tool("pdfsig", "poppler-utils")
    certutil = require_tool("certutil", "libnss3-tools")
    directory = tmp_path_factory.mktemp("nss")
    root_pem = directory / "root.pem"
    root_pem.write_bytes(ca.root_cert.public_bytes(serialization.Encoding.PEM))
    nss = f"sql:{directory}"
    subprocess.run([certutil, "-N", "-d", nss, "--empty-password"], check=True, capture_output=True)
    trust = [certutil, "-A", "-d", nss, "-n", "wage-guard-root", "-t", "CT,C,C", "-i", str(root_pem)]
    subprocess.run(trust, check=True, capture_output=True)

    def run(pdf: bytes) -> list[str]:
        target = directory / "document.pdf"
        target.write_bytes(pdf)
        result = subprocess.run([pdfsig_path, "-nssdir", nss, str(target)], capture_output=True, text=True, check=False)
        return re.split(r"^Signature #\d+:$", result.stdout, flags=re.MULTILINE)[1:]

    return run
