"""Private and public keys: GOST through the backend, RSA/ECDSA through ``cryptography``."""

from __future__ import annotations

from pathlib import Path

from . import _der, _pyca
from ._engine import read_private_pkey
from .algorithms import GOST_ALGORITHMS, SignatureAlgorithm, signature_algorithm_by_name
from .backend import PrivateKeyImpl, PublicKeyImpl, get_backend
from .errors import KeyLoadError

GOST_KEY_OIDS = frozenset({"1.2.643.2.2.19", "1.2.643.7.1.1.1.1", "1.2.643.7.1.1.1.2"})


class PublicKey:
    """A public key that verifies XMLDSig signatures of its algorithm family."""

    def __init__(self, impl: PublicKeyImpl) -> None:
        self._impl = impl

    @classmethod
    def from_spki_der(cls, der: bytes) -> PublicKey:
        """Load a DER SubjectPublicKeyInfo; raises KeyLoadError or UnsupportedAlgorithm."""
        try:
            oid, _ = _der.spki_algorithm(der)
        except ValueError as exc:
            raise KeyLoadError(f"not a SubjectPublicKeyInfo: {exc}") from None
        if oid in GOST_KEY_OIDS:
            return cls(get_backend().load_public_key(der))
        return cls(_pyca.load_public_key(der))

    @property
    def algorithm(self) -> SignatureAlgorithm:
        return self._impl.algorithm

    @property
    def spki_der(self) -> bytes:
        """The DER SubjectPublicKeyInfo."""
        return self._impl.spki_der

    def verify(self, data: bytes, signature: bytes) -> bool:
        """Hash ``data`` with the family's digest and check ``signature`` (XMLDSig bytes)."""
        return self._impl.verify(data, signature)

    def verify_digest(self, digest: bytes, signature: bytes) -> bool:
        """Check ``signature`` over a precomputed raw digest."""
        return self._impl.verify_digest(digest, signature)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other.spki_der == self.spki_der

    def __hash__(self) -> int:
        return hash(self.spki_der)

    def __repr__(self) -> str:
        return f"<PublicKey {self.algorithm.name}>"


class PrivateKey:
    """A private key that makes XMLDSig signatures (GOST: BE(s)||BE(r))."""

    def __init__(self, impl: PrivateKeyImpl) -> None:
        self._impl = impl
        self._public: PublicKey | None = None

    @classmethod
    def load(cls, data: bytes, password: bytes | None = None) -> PrivateKey:
        """Load a PKCS#8 key, PEM (optionally encrypted) or DER; raises KeyLoadError."""
        if not data or not data.strip():
            raise KeyLoadError("empty private key data")
        impl = _pyca.load_private_key(data, password)
        return cls(impl or get_backend().load_private_key(data, password))

    @classmethod
    def from_file(cls, path: str | Path, password: bytes | None = None) -> PrivateKey:
        """Load a key file; raises KeyLoadError."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise KeyLoadError(f"cannot read private key {path}: {exc}") from None
        return cls.load(data, password)

    @classmethod
    def generate(cls, algorithm: str = "gost2012-256", paramset: str | None = None) -> PrivateKey:
        """A fresh key; GOST paramset as in ``openssl -pkeyopt paramset:`` (256: XA, 512: A)."""
        alg = signature_algorithm_by_name(algorithm)
        if alg in GOST_ALGORITHMS:
            return cls(get_backend().generate_private_key(alg, paramset))
        return cls(_pyca.generate(alg))

    @property
    def algorithm(self) -> SignatureAlgorithm:
        return self._impl.algorithm

    def sign(self, data: bytes) -> bytes:
        """Hash ``data`` with the family's digest and sign it."""
        return self._impl.sign(data)

    def sign_digest(self, digest: bytes) -> bytes:
        """Sign a precomputed raw digest."""
        return self._impl.sign_digest(digest)

    def public_key(self) -> PublicKey:
        """The matching public key."""
        if self._public is None:
            self._public = PublicKey.from_spki_der(self._impl.public_spki_der())
        return self._public

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted (AES-256-CBC, PBES2) when ``password`` is given."""
        return self._impl.to_pem(password)

    def _libcrypto_pkey(self):
        """This key as an owned EVP_PKEY (``.ptr``), for libcrypto X.509 signing."""
        owned = getattr(self._impl, "owned_pkey", None)
        return owned or read_private_pkey(self._impl.to_pem(None), None)

    def __repr__(self) -> str:
        return f"<PrivateKey {self.algorithm.name}>"
