"""Signers' keys inside a PKCS#11 HSM (the production 加密机; SoftHSM2 in tests).

Keys are generated on the token as non-extractable ECDSA P-256 pairs and never leave it; the reference the
caller stores is the key's random ``CKA_ID``. Signing goes through pyHanko's ``PKCS11Signer`` with
``use_raw_mechanism=True``, because SoftHSM (and many HSMs) offer only raw ``CKM_ECDSA``, not
``CKM_ECDSA_SHA256`` (signing-notes.md).

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
from typing import Any

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.exceptions import PKCS11Error, UserAlreadyLoggedIn
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.signers import Signer

from wage_guard.signing.errors import KeyStoreUnavailable
from wage_guard.signing.keystore import KeyHandle, KeyStore, LruCache, cache_key, check_key_matches, to_asn1_certificate

_ID_SIZE = 16


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
            public, _ = parameters.generate_keypair(
                store=True,
                label=label,
                id=key_id,
                private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False, Attribute.SIGN: True},
            )
            public_key = load_der_public_key(encode_ec_public_key(public))
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        return KeyHandle(public_key=public_key, reference=key_id)

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


@contextmanager
def _unavailable(reason: str) -> Iterator[None]:
    """Translate PKCS#11 (and pyHanko's PKCS#11) errors into :class:`KeyStoreUnavailable`."""
    try:
        yield
    except (PKCS11Error, PyhankoSigningError) as exc:
        raise KeyStoreUnavailable(f"{reason} ({type(exc).__name__})") from exc
