"""The small interface a GOST implementation provides (gost-engine today, a certified СКЗИ later).

Only hashing and key operations go through it. Certificate issuance and chain validation
(``certificates``, ``trust``) use libcrypto's X.509 code directly.
"""

from __future__ import annotations

from typing import Protocol

from .algorithms import SignatureAlgorithm


class PrivateKeyImpl(Protocol):
    """A loaded private key of one backend."""

    algorithm: SignatureAlgorithm

    def sign(self, data: bytes) -> bytes: ...

    def sign_digest(self, digest: bytes) -> bytes: ...

    def public_spki_der(self) -> bytes: ...

    def to_pem(self, password: bytes | None) -> bytes: ...


class PublicKeyImpl(Protocol):
    """A loaded public key of one backend."""

    algorithm: SignatureAlgorithm
    spki_der: bytes

    def verify(self, data: bytes, signature: bytes) -> bool: ...

    def verify_digest(self, digest: bytes, signature: bytes) -> bool: ...


class GostBackend(Protocol):
    """GOST hashing and GOST R 34.10 keys.

    Signatures are XMLDSig bytes, BE(s)||BE(r); digests are raw hash output (GOST.md §2).
    """

    name: str

    def digest(self, name: str, data: bytes) -> bytes:
        """``streebog256``, ``streebog512`` or ``gost94`` of ``data``."""
        ...

    def load_private_key(self, data: bytes, password: bytes | None) -> PrivateKeyImpl:
        """A PKCS#8 key, PEM or DER; raises KeyLoadError."""
        ...

    def load_public_key(self, spki_der: bytes) -> PublicKeyImpl:
        """A SubjectPublicKeyInfo; raises KeyLoadError."""
        ...

    def generate_private_key(
        self, algorithm: SignatureAlgorithm, paramset: str | None
    ) -> PrivateKeyImpl:
        """A fresh key; ``paramset`` as in ``openssl -pkeyopt paramset:`` (XA, A...)."""
        ...


_backend: GostBackend | None = None


def get_backend() -> GostBackend:
    """The GOST backend in use (gost-engine through libcrypto by default)."""
    global _backend
    if _backend is None:
        from ._engine import EngineBackend

        _backend = EngineBackend()
    return _backend


def set_backend(backend: GostBackend) -> None:
    """Replace the GOST backend (e.g. with a certified СКЗИ binding)."""
    global _backend
    _backend = backend
