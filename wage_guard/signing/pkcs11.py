"""Keys inside a PKCS#11 HSM (the production 加密机; SoftHSM2 in tests): signers' keys and the platform's own.

Keys are generated on the token as non-extractable pairs and never leave it; the reference the caller stores
is the key's random ``CKA_ID``. Signers' PDF signatures go through pyHanko's ``PKCS11Signer`` with
``use_raw_mechanism=True``, because SoftHSM (and many HSMs) offer only raw ``CKM_ECDSA``, not
``CKM_ECDSA_SHA256`` (signing-notes.md).

The platform's online keys (issuing CA, timestamp authority: ECDSA P-256; evidence log: Ed25519) sign
certificates, CRLs, RFC 3161 tokens and tree heads, which are built with ``cryptography``, not pyHanko. For
them :meth:`Pkcs11KeyStore.ec_private_key` and :meth:`Pkcs11KeyStore.ed25519_private_key` return objects that
implement cryptography's private-key interfaces and sign on the token (hashing happens here, the raw
``CKM_ECDSA`` / ``CKM_EDDSA`` signature on the token), so ``CertificateBuilder.sign``, ``pki.issue_crl``, the
embedded TSA and the log sign with an HSM key exactly as with a software key, and nothing but the ``CKA_ID``
is stored in the database. Exporting such a key raises :class:`~wage_guard.signing.errors.KeyStoreUnavailable`.

One logged-in session is shared by the store and every signer it hands out. PKCS#11 forbids two
operations at once on one session, so they are serialised with a lock; an HSM signature takes about
2 ms, far less than the PDF work around it. Every PKCS#11 failure (library, token, PIN, key, device)
becomes :class:`~wage_guard.signing.errors.KeyStoreUnavailable`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import pkcs11
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key
from cryptography.utils import Buffer
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import PKCS11Error, UserAlreadyLoggedIn
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.signers import Signer

from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.keystore import KeyHandle, KeyStore, LruCache, cache_key, check_key_matches, to_asn1_certificate

_ID_SIZE = 16
#: ``CKA_EC_PARAMS`` of an Ed25519 key: the id-Ed25519 OID (RFC 8410), which PKCS#11 3.0 accepts for edwards25519.
_ED25519_PARAMS = asn1_core.ObjectIdentifier("1.3.101.112").dump()
_PRIVATE_TEMPLATE = {Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.SIGN: True}


@dataclass(frozen=True)
class TokenKey:
    """A private key object on the token as PKCS#11 lists it (for audits and tests)."""

    label: str
    key_id: bytes
    key_type: str
    sensitive: bool
    extractable: bool


class Pkcs11KeyStore(KeyStore):
    """A :class:`KeyStore` on one PKCS#11 token; connects on first use, so a down HSM does not stop start-up."""

    def __init__(self, module_path: str, token_label: str, user_pin: str, *, cache_size: int = 256) -> None:
        self._module_path = module_path
        self._token_label = token_label
        self._user_pin = user_pin
        self._session: Any = None
        self._lock = threading.RLock()
        self._signers: LruCache[bytes, Signer] = LruCache(cache_size)

    def connect(self) -> None:
        """Open and log in to the token now (otherwise done on first use).

        :raises KeyStoreUnavailable: missing library, unknown token, wrong PIN, device error.
        """
        self._open()

    def close(self) -> None:
        """Close the session; the next use reconnects (e.g. after the HSM restarted)."""
        with self._lock:
            session, self._session = self._session, None
            self._signers.clear()
        if session is not None:
            try:
                session.close()
            except PKCS11Error:
                pass  # the session is already gone with the device; nothing left to release

    def create_key(self, label: str) -> KeyHandle:
        """Generate a non-extractable P-256 key pair on the token under ``label`` and a random ID."""
        key_id = os.urandom(_ID_SIZE)
        with self._lock, _unavailable("could not generate a key in the HSM"):
            session = self._open()
            parameters = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
            )
            public, _ = parameters.generate_keypair(store=True, label=label, id=key_id, private_template=_PRIVATE_TEMPLATE)
            public_key = load_der_public_key(encode_ec_public_key(public))
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        return KeyHandle(public_key=public_key, reference=key_id)

    def create_ed25519_key(self, label: str) -> tuple[bytes, Ed25519PublicKey]:
        """Generate a non-extractable Ed25519 key pair on the token; returns its ID and public key."""
        key_id = os.urandom(_ID_SIZE)
        with self._lock, _unavailable("could not generate an Ed25519 key in the HSM"):
            public, _ = self._open().generate_keypair(
                KeyType.EC_EDWARDS,
                mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
                store=True,
                label=label,
                id=key_id,
                public_template={Attribute.EC_PARAMS: _ED25519_PARAMS},
                private_template=_PRIVATE_TEMPLATE,
            )
            point = public[Attribute.EC_POINT]
        return key_id, _ed25519_public(point)

    def ec_private_key(self, reference: bytes) -> ec.EllipticCurvePrivateKey:
        """The token's ECDSA key with ID ``reference``, usable wherever cryptography takes a private key.

        :raises KeyStoreUnavailable: HSM unavailable, or no such key pair on the token.
        """
        with self._lock, _unavailable("the platform key was not found in the HSM"):
            session = self._open()
            session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=reference)
            public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, id=reference)
            try:
                public_key = load_der_public_key(encode_ec_public_key(public))
            except (ValueError, UnsupportedAlgorithm):
                public_key = None
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise KeyStoreUnavailable("the platform key in the HSM is not an ECDSA key")
        return _TokenEcKey(self, reference, public_key)

    def ed25519_private_key(self, reference: bytes) -> Ed25519PrivateKey:
        """The token's Ed25519 key with ID ``reference``, usable wherever cryptography takes an Ed25519 key.

        :raises KeyStoreUnavailable: HSM unavailable, or no such key pair on the token.
        """
        with self._lock, _unavailable("the platform key was not found in the HSM"):
            session = self._open()
            session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=reference)
            point = session.get_key(object_class=ObjectClass.PUBLIC_KEY, id=reference)[Attribute.EC_POINT]
        return _TokenEd25519Key(self, reference, _ed25519_public(point))

    def private_keys(self) -> list[TokenKey]:
        """Every private key object on the token, as PKCS#11 lists it."""
        with self._lock, _unavailable("could not list the keys in the HSM"):
            return [
                TokenKey(
                    label=key.label,
                    key_id=key.id,
                    key_type=key.key_type.name,
                    sensitive=bool(key[Attribute.SENSITIVE]),
                    extractable=bool(key[Attribute.EXTRACTABLE]),
                )
                for key in self._open().get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY})
            ]

    def sign_on_token(self, reference: bytes, data: bytes, mechanism: Mechanism) -> bytes:
        """Sign ``data`` with the token key ``reference`` using the raw ``mechanism``; serialised like signers."""
        with self._lock, _unavailable("the HSM failed to sign"):
            key = self._open().get_key(object_class=ObjectClass.PRIVATE_KEY, id=reference)
            return bytes(key.sign(data, mechanism=mechanism))

    def signer(self, reference: bytes, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> Signer:
        """Return a (cached) signer for the token key with ID ``reference``; checks the key exists and fits ``cert``."""
        return self._signers.get_or_create(cache_key(reference, cert, chain), lambda: self._build(reference, cert, chain))

    def _build(self, reference: bytes, cert: x509.Certificate, chain: Sequence[x509.Certificate]) -> Signer:
        with self._lock, _unavailable("the signing key was not found in the HSM"):
            session = self._open()
            session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=reference)
            public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, id=reference)
            public_key = load_der_public_key(encode_ec_public_key(public))
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        check_key_matches(public_key, cert)
        signer = _LockedPkcs11Signer(
            self._lock,
            session,
            key_id=reference,
            signing_cert=to_asn1_certificate(cert),
            ca_chain=[to_asn1_certificate(c) for c in chain],
            use_raw_mechanism=True,
        )
        with self._lock, _unavailable("the signing key was not found in the HSM"):
            signer.signing_cert  # noqa: B018 - looks up the key handle now, under the lock, not mid-signature
        return signer

    def _open(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = self._login()
            return self._session

    def _login(self) -> Any:
        with _unavailable(f"the HSM module {self._module_path!r} could not be loaded"):
            library = pkcs11.lib(self._module_path)
        with _unavailable(f"no HSM token labelled {self._token_label!r}"):
            token = library.get_token(token_label=self._token_label)
        try:
            with _unavailable(f"could not log in to HSM token {self._token_label!r} (wrong PIN or token locked)"):
                return token.open(user_pin=self._user_pin, rw=True)
        except KeyStoreUnavailable as exc:
            # PKCS#11 login state is per process and token: another store here already logged in with the PIN.
            if not isinstance(exc.__cause__, UserAlreadyLoggedIn):
                raise
        with _unavailable(f"could not open a session on HSM token {self._token_label!r}"):
            return token.open(rw=True)


class _LockedPkcs11Signer(PKCS11Signer):
    """``PKCS11Signer`` that serialises token operations and reports failures as ``KeyStoreUnavailable``."""

    def __init__(self, lock: threading.RLock, session: Any, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._lock = lock

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        with self._lock, _unavailable("the HSM failed to sign"):
            return await super().async_sign_raw(data, digest_algorithm, dry_run=dry_run)


class _TokenEcKey(ec.EllipticCurvePrivateKey):
    """An ECDSA private key that stays on the token: cryptography hashes, the HSM signs (``CKM_ECDSA``)."""

    def __init__(self, store: Pkcs11KeyStore, reference: bytes, public_key: ec.EllipticCurvePublicKey) -> None:
        self._store = store
        self._reference = reference
        self._public_key = public_key

    @property
    def curve(self) -> ec.EllipticCurve:
        return self._public_key.curve

    @property
    def key_size(self) -> int:
        return self._public_key.key_size

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public_key

    def sign(self, data: Buffer, signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        """Return a DER ECDSA signature over ``data`` (or over a ``Prehashed`` digest), made on the token."""
        if not isinstance(signature_algorithm, ec.ECDSA):
            raise KeyStoreUnavailable("the HSM key signs with ECDSA only")
        algorithm = signature_algorithm.algorithm
        if isinstance(algorithm, Prehashed):
            digest = bytes(data)
        else:
            hasher = hashes.Hash(algorithm)
            hasher.update(data)
            digest = hasher.finalize()
        raw = self._store.sign_on_token(self._reference, digest, Mechanism.ECDSA)
        half = len(raw) // 2
        return encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        raise KeyStoreUnavailable("the HSM key is for signing only")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        _not_exportable()

    def private_bytes(self, encoding: Any, format: Any, encryption_algorithm: Any) -> bytes:  # noqa: A002 - cryptography's name
        _not_exportable()

    def __copy__(self) -> _TokenEcKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _TokenEcKey:
        return self


class _TokenEd25519Key(Ed25519PrivateKey):
    """An Ed25519 private key that stays on the token (``CKM_EDDSA``)."""

    def __init__(self, store: Pkcs11KeyStore, reference: bytes, public_key: Ed25519PublicKey) -> None:
        self._store = store
        self._reference = reference
        self._public_key = public_key

    def public_key(self) -> Ed25519PublicKey:
        return self._public_key

    def sign(self, data: Buffer) -> bytes:
        """Return the 64-byte Ed25519 signature of ``data``, made on the token."""
        return self._store.sign_on_token(self._reference, bytes(data), Mechanism.EDDSA)

    def private_bytes(self, encoding: Any, format: Any, encryption_algorithm: Any) -> bytes:  # noqa: A002 - cryptography's name
        _not_exportable()

    def private_bytes_raw(self) -> bytes:
        _not_exportable()

    def __copy__(self) -> _TokenEd25519Key:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _TokenEd25519Key:
        return self


def _not_exportable() -> NoReturn:
    raise KeyStoreUnavailable("keys in the HSM cannot be exported")


def _ed25519_public(point: bytes) -> Ed25519PublicKey:
    """Read ``CKA_EC_POINT`` of an Ed25519 key: DER OCTET STRING per PKCS#11 3.0, raw 32 bytes on some tokens."""
    try:
        raw = point if len(point) == 32 else asn1_core.OctetString.load(point).native
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise KeyStoreUnavailable("the HSM returned an Ed25519 public key this application cannot read") from exc


@contextmanager
def _unavailable(reason: str) -> Iterator[None]:
    """Translate PKCS#11 (and pyHanko's PKCS#11) errors into :class:`KeyStoreUnavailable`."""
    try:
        yield
    except (PKCS11Error, PyhankoSigningError) as exc:
        raise KeyStoreUnavailable(f"{reason} ({type(exc).__name__})") from exc
