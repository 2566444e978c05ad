"""RFC 3161 timestamps for signatures: the platform's embedded TSA, or an external TSA over HTTP.

A PAdES B-T signature needs a timestamp token from a time-stamping authority; when none can be had the
signature must not be made at all (never fall back to the server's clock), so both timestampers raise
:class:`~wage_guard.signing.errors.TimestampUnavailable` instead of pyHanko's ``TimestampRequestError``.

The embedded TSA is written here rather than using pyHanko's ``DummyTimeStamper``, which is documented as a
test device, signs with RSA only, re-parses its key for every token and claims a third party's policy OID.
:class:`EmbeddedTimestamper` signs with the platform TSA's ECDSA key (parsed once), embeds the TSA chain,
and answers malformed requests with an RFC 3161 rejection so it can also serve HTTP clients.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import aiohttp
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError

from wage_guard.clock import wallclock
from wage_guard.signing.errors import TimestampUnavailable
from wage_guard.signing.keystore import to_asn1_certificate
from wage_guard.signing.pki import PlatformCA

#: The type every signing function accepts (pyHanko's), re-exported so callers need not import pyHanko.
Timestamper = TimeStamper

#: Timestamp policy of the embedded TSA: a UUID-based OID (ITU-T X.667, arc 2.25), which needs no registration.
EMBEDDED_TSA_POLICY = "2.25.176740049316640454364406315286064532911"
_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


#: How far an external TSA's time may be from this server's real clock. A token minutes off would date a signature
#: wrongly for ever (and a validator comparing it with the signing time could refuse it); either clock may be wrong,
#: so signing stops until they agree, as when the TSA is down.
MAX_CLOCK_SKEW = timedelta(minutes=2)


def _checked_token(token: cms.ContentInfo, message_digest: bytes, *, now: datetime | None = None) -> cms.ContentInfo:
    """Refuse a token that does not stamp the digest we asked for (a misbehaving or hostile TSA), or, given the
    real time ``now``, one whose time is more than ``MAX_CLOCK_SKEW`` away from it."""
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    if tst_info["message_imprint"]["hashed_message"].native != message_digest:
        raise TimestampUnavailable("the timestamp authority stamped a different document digest")
    if now is not None:
        skew = tst_info["gen_time"].native - now
        if abs(skew) > MAX_CLOCK_SKEW:
            seconds = int(skew.total_seconds())
            raise TimestampUnavailable(f"the timestamp authority's clock is {seconds:+d} s away from this server's")
    return token


class EmbeddedTimestamper(TimeStamper):
    """The platform TSA, in process: ECDSA P-256 tokens with the TSA certificate and its chain embedded."""

    def __init__(
        self,
        tsa_cert: x509.Certificate,
        tsa_key: ec.EllipticCurvePrivateKey,
        chain: Sequence[x509.Certificate] = (),
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(include_nonce=True)
        self._key = tsa_key
        self._cert = to_asn1_certificate(tsa_cert)
        self._certificates = [self._cert, *(to_asn1_certificate(c) for c in chain)]
        # Encoded once: the attribute object re-encoded its whole certificate reference on every use (3 ms a time,
        # about 12 of the 14 ms a token took), so each token loads it back from these bytes.
        self._signing_certificate = simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(self._cert)).dump()
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def from_ca(cls, ca: PlatformCA) -> EmbeddedTimestamper:
        """Build the TSA of ``ca`` (its certificate, key and issuing CA)."""
        return cls(ca.tsa_cert, ca.tsa_key, [ca.issuing_cert])

    @property
    def certificates(self) -> list[asn1_x509.Certificate]:
        """The certificates embedded in every token: the TSA's own, then its chain."""
        return list(self._certificates)

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer one RFC 3161 request (synchronously; also usable behind an HTTP endpoint)."""
        imprint = req["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        if _DIGEST_SIZES.get(algorithm) != len(imprint["hashed_message"].native):
            return _rejection("bad_alg", f"unsupported or malformed message imprint ({algorithm})")
        tst_info = self._tst_info(req, self._clock())
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": self._token(tst_info)})

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer one request in this thread: the token is signed in process (a few milliseconds, measured in
        ``benchmarks.signing_request``), too short to be worth an executor."""
        return self.request_tsa_response(req)

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        """Return a token for ``message_digest``; raises :class:`TimestampUnavailable` instead of pyHanko errors."""
        try:
            token = await super().async_timestamp(message_digest, md_algorithm)
        except (TimestampRequestError, ValueError) as exc:
            raise TimestampUnavailable("the platform timestamp authority refused the request") from exc
        return _checked_token(token, message_digest)

    def _tst_info(self, req: tsp.TimeStampReq, now: datetime) -> tsp.TSTInfo:
        fields = {
            "version": "v1",
            "policy": EMBEDDED_TSA_POLICY,
            "message_imprint": req["message_imprint"],
            "serial_number": int.from_bytes(os.urandom(16), "big") >> 1,
            "gen_time": now.astimezone(UTC),
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self._cert.subject),
        }
        if req["nonce"].native is not None:
            fields["nonce"] = req["nonce"]
        return tsp.TSTInfo(fields)

    def _token(self, tst_info: tsp.TSTInfo) -> cms.ContentInfo:
        content = tst_info.dump()
        digest = hashes.Hash(hashes.SHA256())
        digest.update(content)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("message_digest", digest.finalize()),
                cms.CMSAttribute.load(self._signing_certificate),
            ]
        )
        signature = self._key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer_info = {
            "version": "v1",
            "sid": {"issuer_and_serial_number": {"issuer": self._cert.issuer, "serial_number": self._cert.serial_number}},
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": signature,
        }
        signed_data = {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(content)},
            "certificates": self._certificates,
            "signer_infos": [signer_info],
        }
        return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})


def _rejection(fail_info: str, text: str) -> tsp.TimeStampResp:
    status = {"status": "rejection", "status_string": [text], "fail_info": tsp.PKIFailureInfo({fail_info})}
    return tsp.TimeStampResp({"status": status})


class HttpTimestamper(HTTPTimeStamper):
    """An external RFC 3161 TSA reached over HTTP(S) (pyHanko's aiohttp client)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        super().__init__(url, timeout=timeout)

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        """Return a token, or raise :class:`TimestampUnavailable` when the TSA is down or answers badly."""
        try:
            token = await super().async_timestamp(message_digest, md_algorithm)
        except (TimestampRequestError, aiohttp.ClientError, OSError, ValueError, KeyError, TypeError) as exc:
            raise TimestampUnavailable(f"the timestamp authority at {self.url} is unavailable") from exc
        return _checked_token(token, message_digest, now=wallclock())


def make_timestamper(url: str | None, ca: PlatformCA, *, timeout: float = 10.0) -> Timestamper:
    """Return the external TSA at ``url`` if configured, otherwise the platform's embedded TSA."""
    if url:
        return HttpTimestamper(url, timeout=timeout)
    return EmbeddedTimestamper.from_ca(ca)
