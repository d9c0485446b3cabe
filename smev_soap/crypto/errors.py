"""Exceptions raised by the crypto package."""


class CryptoError(Exception):
    """Base class of every error raised by ``smev_soap.crypto``."""


class OpenSSLError(CryptoError):
    """libcrypto (or the GOST engine) reported a failure."""


class UnsupportedAlgorithm(CryptoError):
    """An algorithm URI, key type or parameter set we cannot handle."""


class KeyLoadError(CryptoError):
    """A private or public key could not be read (garbage, wrong password...)."""


class CertificateRejected(CryptoError):
    """A certificate failed validation; ``reason`` says why.

    ``reason`` is one of ``expired``, ``not_yet_valid``, ``untrusted``, ``revoked``, ``invalid``.
    """

    REASONS = frozenset({"expired", "not_yet_valid", "untrusted", "revoked", "invalid"})

    def __init__(self, reason: str, message: str) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        super().__init__(message)
        self.reason = reason
