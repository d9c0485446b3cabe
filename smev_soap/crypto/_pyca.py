"""RSA and ECDSA keys through the ``cryptography`` package (non-GOST test deployments)."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as PycaUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from ._der import looks_like_pem
from .algorithms import ECDSA_SHA256, RSA_SHA256, SignatureAlgorithm
from .errors import KeyLoadError, UnsupportedAlgorithm

_SHA256 = hashes.SHA256()
_PREHASHED = utils.Prehashed(_SHA256)


def _algorithm_of(key) -> SignatureAlgorithm:
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return RSA_SHA256
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return ECDSA_SHA256
    raise UnsupportedAlgorithm(f"unsupported key type {type(key).__name__}")


def _field_size(key) -> int:
    return (key.curve.key_size + 7) // 8


class PycaPublicKey:
    """An RSA or EC public key; ECDSA signatures are raw r||s as XMLDSig wants."""

    def __init__(self, key) -> None:
        self._key = key
        self.algorithm = _algorithm_of(key)
        self.spki_der = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verify(self, data: bytes, signature: bytes) -> bool:
        return self._verify(data, signature, _SHA256)

    def verify_digest(self, digest: bytes, signature: bytes) -> bool:
        return self._verify(digest, signature, _PREHASHED)

    def _verify(self, message: bytes, signature: bytes, hashing) -> bool:
        try:
            if self.algorithm is RSA_SHA256:
                self._key.verify(signature, message, padding.PKCS1v15(), hashing)
            else:
                n = _field_size(self._key)
                if len(signature) != 2 * n:
                    return False
                r, s = (int.from_bytes(signature[i : i + n], "big") for i in (0, n))
                der = utils.encode_dss_signature(r, s)
                self._key.verify(der, message, ec.ECDSA(hashing))
        except InvalidSignature:
            return False
        return True


class PycaPrivateKey:
    """An RSA or EC private key."""

    def __init__(self, key) -> None:
        self._key = key
        self.algorithm = _algorithm_of(key)

    def sign(self, data: bytes) -> bytes:
        return self._sign(data, _SHA256)

    def sign_digest(self, digest: bytes) -> bytes:
        return self._sign(digest, _PREHASHED)

    def _sign(self, message: bytes, hashing) -> bytes:
        if self.algorithm is RSA_SHA256:
            return self._key.sign(message, padding.PKCS1v15(), hashing)
        r, s = utils.decode_dss_signature(self._key.sign(message, ec.ECDSA(hashing)))
        n = _field_size(self._key)
        return r.to_bytes(n, "big") + s.to_bytes(n, "big")

    def public_spki_der(self) -> bytes:
        return PycaPublicKey(self._key.public_key()).spki_der

    def to_pem(self, password: bytes | None) -> bytes:
        encryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


def load_private_key(data: bytes, password: bytes | None) -> PycaPrivateKey | None:
    """An RSA/EC key, or None when ``cryptography`` cannot read it (GOST, garbage...)."""
    loader = (
        serialization.load_pem_private_key
        if looks_like_pem(data)
        else serialization.load_der_private_key
    )
    try:
        key = loader(data, password)
    except (ValueError, TypeError, PycaUnsupported):
        return None
    try:
        return PycaPrivateKey(key)
    except UnsupportedAlgorithm:
        return None


def load_public_key(spki_der: bytes) -> PycaPublicKey:
    """An RSA/EC SubjectPublicKeyInfo; raises KeyLoadError or UnsupportedAlgorithm."""
    try:
        key = serialization.load_der_public_key(spki_der)
    except PycaUnsupported as exc:
        raise UnsupportedAlgorithm(str(exc)) from None
    except ValueError as exc:
        raise KeyLoadError(f"not a SubjectPublicKeyInfo: {exc}") from None
    return PycaPublicKey(key)


def generate(algorithm: SignatureAlgorithm) -> PycaPrivateKey:
    """A fresh RSA-2048 or EC P-256 key."""
    if algorithm is RSA_SHA256:
        return PycaPrivateKey(rsa.generate_private_key(65537, 2048))
    if algorithm is ECDSA_SHA256:
        return PycaPrivateKey(ec.generate_private_key(ec.SECP256R1()))
    raise UnsupportedAlgorithm(f"{algorithm.name} is not an RSA/ECDSA algorithm")
