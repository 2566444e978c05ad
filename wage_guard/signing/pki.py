"""The platform's own certificate authority: root, issuing CA, timestamp authority and signers' certificates.

Workers and employers sign with personal keys whose certificates name them, so a contract carries evidence
of *who* signed that an independent validator (Adobe, poppler, pyHanko) can check against one root. Until a
licensed CA (电子认证服务机构) issues those certificates, the platform issues them itself; the
:class:`CertificateIssuer` protocol is the seam where a licensed CA plugs in later.

Design choices:

- ECDSA everywhere (root P-384, everything else P-256): small signatures and fast signing on two cores.
- Certificates carry no resident ID number (身份证号). The caller supplies an opaque pseudonym (for example
  an HMAC of the ID under a platform key); it goes in the X.520 ``pseudonym`` attribute and keeps two workers
  called 张伟 apart without publishing anything a reader could reverse.
- Revocation by CRL (:func:`issue_crl`, entries with an RFC 5280 reason and time), no OCSP. Certificates name
  the CRL's public URL in a CRL distribution point when the platform's base URL is known, so any validator can
  fetch it; completed contracts embed the CRLs in their DSS as well, so validation also works offline and
  for decades.

Where the CA's keys live:

- The root key signs only the issuing CA's certificate and the root CRL (every two years). It never enters the
  database: :func:`create_platform_ca` hands it back once, the caller writes it to a passphrase-encrypted
  file kept offline, and reads it back for a CRL renewal, refusing a key that is not this root's (both in
  :mod:`wage_guard.signing.offline_root`). Wrapped under the same key-encryption key as the online keys, one
  leaked KEK plus a database copy would let anyone mint a second, fully trusted issuing CA.
- The issuing CA and TSA keys are online: wrapped under the KEK (:class:`StoredCA`), or inside the HSM, where
  ``wage_guard.signing.pkcs11`` hands out keys that implement cryptography's private-key interface and sign
  on the token, so every function here works with either.

Only ``cryptography.x509`` is used here; keys are stored wrapped by :mod:`wage_guard.signing.keystore`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol, get_args

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wage_guard.signing.keystore import unwrap_private_key, wrap_private_key

Role = Literal["worker", "employer"]
ROLES: tuple[str, ...] = get_args(Role)

ROOT_VALIDITY = timedelta(days=20 * 365)
ISSUING_VALIDITY = timedelta(days=10 * 365)
TSA_VALIDITY = timedelta(days=9 * 365)
SIGNER_VALIDITY = timedelta(days=5 * 365)
CRL_VALIDITY = timedelta(days=30)
#: Certificates start slightly before ``now`` so a signature made right after issuance validates
#: even if the timestamp authority's clock is a little behind the caller's.
BACKDATE = timedelta(minutes=5)

#: An 18-character PRC resident identity number (17 digits and a digit or X).
_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
_KEY_CONTEXT = "wage_guard.platform_ca.{}"


@dataclass(frozen=True)
class PersonSubject:
    """Who a signer's certificate names. ``pseudonym`` is an opaque, caller-derived value, never an ID number."""

    common_name: str
    role: Role
    pseudonym: str
    organization: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}")
        if not self.common_name.strip() or not self.pseudonym.strip():
            raise ValueError("common_name and pseudonym must not be empty")
        for value in (self.common_name, self.pseudonym, self.organization or ""):
            if _ID_NUMBER.search(value):
                raise ValueError("a certificate must not contain a resident ID number; pass a pseudonym")

    def name(self) -> x509.Name:
        """Return the X.509 subject: C, O (if any), title (the role), CN and pseudonym."""
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
        if self.organization:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization))
        attributes += [
            x509.NameAttribute(NameOID.TITLE, self.role),
            x509.NameAttribute(NameOID.COMMON_NAME, self.common_name),
            x509.NameAttribute(NameOID.PSEUDONYM, self.pseudonym),
        ]
        return x509.Name(attributes)


@dataclass(frozen=True)
class RevokedEntry:
    """One line of a CRL: a certificate's serial, when it was revoked and why (RFC 5280 reason code)."""

    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags | None = None


def crl_time(moment: datetime) -> datetime:
    """``moment`` as a CRL can state it: CRL times have whole seconds, so round *up*.

    A revocation reported at 10:00:00.4 is listed as 10:00:01. Rounding down would list it as 10:00:00, before a
    signature timestamped at 10:00:00.2, i.e. before the report, and turn that good signature into a revoked one.
    """
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def crl_distribution_points(certificate: x509.Certificate) -> list[str]:
    """The URLs a certificate names for its issuer's CRL (empty when it names none)."""
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name.value for point in points for name in point.full_name or [] if isinstance(name, x509.UniformResourceIdentifier)]


@dataclass(frozen=True)
class StoredCA:
    """A :class:`PlatformCA` as stored online: certificates in PEM, issuing and TSA keys wrapped under the KEK.

    There is no root key here: it is kept offline (:mod:`wage_guard.signing.offline_root`).
    """

    root_cert_pem: str
    issuing_cert_pem: str
    tsa_cert_pem: str
    issuing_key: bytes
    tsa_key: bytes


@dataclass(frozen=True)
class PlatformCA:
    """Root, issuing CA and TSA. ``root_key`` is present only right after creation or once loaded from its
    offline file (``offline_root.load_root_key``), to sign the root CRL."""

    root_cert: x509.Certificate
    issuing_cert: x509.Certificate
    issuing_key: ec.EllipticCurvePrivateKey
    tsa_cert: x509.Certificate
    tsa_key: ec.EllipticCurvePrivateKey
    root_key: ec.EllipticCurvePrivateKey | None = None

    def export(self, kek: bytes) -> StoredCA:
        """Return the CA for online storage; the root key is always left out."""
        return StoredCA(
            root_cert_pem=certificate_to_pem(self.root_cert),
            issuing_cert_pem=certificate_to_pem(self.issuing_cert),
            tsa_cert_pem=certificate_to_pem(self.tsa_cert),
            issuing_key=wrap_private_key(self.issuing_key, kek, _KEY_CONTEXT.format("issuing")),
            tsa_key=wrap_private_key(self.tsa_key, kek, _KEY_CONTEXT.format("tsa")),
        )

    @classmethod
    def load(cls, stored: StoredCA, kek: bytes) -> PlatformCA:
        """Rebuild a CA (without its root key) from :meth:`export`; raises ``KeyStoreUnavailable`` for a wrong KEK."""
        return cls(
            root_cert=x509.load_pem_x509_certificate(stored.root_cert_pem.encode()),
            issuing_cert=x509.load_pem_x509_certificate(stored.issuing_cert_pem.encode()),
            issuing_key=unwrap_platform_key(stored.issuing_key, kek, "issuing"),
            tsa_cert=x509.load_pem_x509_certificate(stored.tsa_cert_pem.encode()),
            tsa_key=unwrap_platform_key(stored.tsa_key, kek, "tsa"),
        )


class CertificateIssuer(Protocol):
    """Issues signers' certificates; the platform CA today, a licensed CA later."""

    def issue(self, public_key: ec.EllipticCurvePublicKey, subject: PersonSubject, now: datetime) -> list[x509.Certificate]:
        """Return the end-entity certificate first, then its chain up to (excluding) the root."""
        ...

    def trust_roots(self) -> list[x509.Certificate]:
        """Return the roots a validator must trust for certificates from :meth:`issue`."""
        ...


class PlatformIssuer:
    """:class:`CertificateIssuer` backed by the :class:`PlatformCA`."""

    def __init__(self, ca: PlatformCA, validity: timedelta = SIGNER_VALIDITY, *, crl_url: str | None = None) -> None:
        self._ca = ca
        self._validity = validity
        #: Where the issuing CA's CRL is published; named in every certificate issued (none when unknown).
        self._crl_url = crl_url

    def issue(self, public_key: ec.EllipticCurvePublicKey, subject: PersonSubject, now: datetime) -> list[x509.Certificate]:
        """Issue a 5-year signing certificate (digitalSignature + nonRepudiation) for ``subject``."""
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
            raise ValueError("signers' keys must be ECDSA P-256")
        not_after = min(now + self._validity, self._ca.issuing_cert.not_valid_after_utc)
        builder = _builder(subject.name(), public_key, self._ca.issuing_cert, now - BACKDATE, not_after)
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        builder = _with_crl_url(builder, self._crl_url)
        certificate = builder.sign(self._ca.issuing_key, hashes.SHA256())
        return [certificate, self._ca.issuing_cert]

    def trust_roots(self) -> list[x509.Certificate]:
        """Return the platform root."""
        return [self._ca.root_cert]


def create_platform_ca(
    name: str = "wage_guard",
    *,
    now: datetime,
    root_crl_url: str | None = None,
    issuing_crl_url: str | None = None,
    issuing_key: ec.EllipticCurvePrivateKey | None = None,
    tsa_key: ec.EllipticCurvePrivateKey | None = None,
) -> PlatformCA:
    """Create a fresh root (20 y, P-384), issuing CA (10 y, pathlen 0) and TSA certificate (EKU timeStamping).

    The issuing CA's certificate names ``root_crl_url`` and the TSA's names ``issuing_crl_url`` as their CRL
    distribution points, when given.

    The issuing and TSA keys are generated here (P-256) unless given, e.g. as keys inside an HSM. The root key
    is always generated here and returned in ``root_key``: write it to its offline file and store nothing of it.
    """
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = _ca_name(name, f"{name} Root CA")
    root = _builder(root_name, root_key.public_key(), None, now - BACKDATE, now + ROOT_VALIDITY)
    root = root.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    root = root.add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    root_cert = root.sign(root_key, hashes.SHA384())

    issuing_key = issuing_key if issuing_key is not None else ec.generate_private_key(ec.SECP256R1())
    issuing_name = _ca_name(name, f"{name} Signing CA")
    issuing = _builder(issuing_name, issuing_key.public_key(), root_cert, now - BACKDATE, now + ISSUING_VALIDITY)
    issuing = issuing.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    issuing = issuing.add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    issuing = _with_crl_url(issuing, root_crl_url)
    issuing_cert = issuing.sign(root_key, hashes.SHA384())

    tsa_key = tsa_key if tsa_key is not None else ec.generate_private_key(ec.SECP256R1())
    tsa_name = _ca_name(name, f"{name} Timestamp Authority")
    tsa = _builder(tsa_name, tsa_key.public_key(), issuing_cert, now - BACKDATE, now + TSA_VALIDITY)
    tsa = tsa.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    tsa = tsa.add_extension(_key_usage(digital_signature=True), critical=True)
    tsa = tsa.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    tsa = _with_crl_url(tsa, issuing_crl_url)
    tsa_cert = tsa.sign(issuing_key, hashes.SHA256())
    return PlatformCA(root_cert, issuing_cert, issuing_key, tsa_cert, tsa_key, root_key)


def issue_crl(
    ca: PlatformCA,
    revoked: Iterable[int | RevokedEntry],
    now: datetime,
    *,
    issuer: Literal["issuing", "root"] = "issuing",
    next_update: timedelta = CRL_VALIDITY,
) -> x509.CertificateRevocationList:
    """Return a CRL, by default from the issuing CA, to publish and to embed in PDFs.

    ``revoked`` lists :class:`RevokedEntry` items (a bare serial is revoked at ``now`` without a reason); their
    times are stated in whole seconds, rounded up (:func:`crl_time`). ``issuer="root"`` produces the root's CRL
    covering the issuing CA (needs ``ca.root_key``).
    """
    algorithm: hashes.HashAlgorithm
    if issuer == "root":
        if ca.root_key is None:
            raise ValueError("the root key is offline; issue the root CRL where it is kept")
        cert, key, algorithm = ca.root_cert, ca.root_key, hashes.SHA384()
    else:
        cert, key, algorithm = ca.issuing_cert, ca.issuing_key, hashes.SHA256()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(cert.subject)
        .last_update(now - BACKDATE)
        .next_update(now + next_update)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
    )
    entries = {e.serial: e for e in (RevokedEntry(e, now) if isinstance(e, int) else e for e in revoked)}
    for serial in sorted(entries):
        entry = entries[serial]
        line = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(crl_time(entry.revoked_at))
        if entry.reason is not None:
            line = line.add_extension(x509.CRLReason(entry.reason), critical=False)
        builder = builder.add_revoked_certificate(line.build())
    return builder.sign(key, algorithm)


def certificate_to_pem(certificate: x509.Certificate) -> str:
    """Return one certificate as PEM text."""
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def certificates_to_pem(certificates: Sequence[x509.Certificate]) -> str:
    """Return several certificates as concatenated PEM text (a chain, leaf first)."""
    return "".join(certificate_to_pem(certificate) for certificate in certificates)


def certificates_from_pem(pem: str | bytes) -> list[x509.Certificate]:
    """Parse concatenated PEM certificates, keeping their order."""
    return x509.load_pem_x509_certificates(pem.encode() if isinstance(pem, str) else pem)


def role_of(certificate: x509.Certificate) -> str | None:
    """Return the role (``worker``/``employer``) recorded in a signer's certificate, if any."""
    titles = certificate.subject.get_attributes_for_oid(NameOID.TITLE)
    return str(titles[0].value) if titles else None


def unwrap_platform_key(blob: bytes, kek: bytes, which: str) -> ec.EllipticCurvePrivateKey:
    """Unwrap the platform CA's ``which`` key (``issuing``, ``tsa``, or a legacy ``root``) stored under the KEK."""
    key = unwrap_private_key(blob, kek, _KEY_CONTEXT.format(which))
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"the platform {which} key is not an EC key")
    return key


def _ca_name(organization: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: x509.Certificate | None,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    """Start a certificate with names, validity, serial, SKI and (unless self-signed) AKI."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is not None:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    return builder


def _with_crl_url(builder: x509.CertificateBuilder, url: str | None) -> x509.CertificateBuilder:
    """Name ``url`` as the certificate's CRL distribution point (RFC 5280 4.2.1.13), if there is one."""
    if not url:
        return builder
    point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)], relative_name=None, reasons=None, crl_issuer=None
    )
    return builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )
