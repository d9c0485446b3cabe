"""GOST cryptography for smev_soap: digests, keys, signatures, certificates, trust.

GOST R 34.10/34.11 run on system libcrypto with gost-engine (ctypes, no compiler needed)
behind a small backend interface (``backend.GostBackend``); RSA/ECDSA keys, for non-GOST
test deployments, go through ``cryptography``. gost-engine is not a certified СКЗИ.
"""

from .algorithms import (
    SignatureAlgorithm,
    digest_name_by_uri,
    signature_algorithm_by_name,
    signature_algorithm_by_uri,
)
from .backend import GostBackend, get_backend, set_backend
from .certificates import Certificate, issue_certificate
from .digest import digest
from .errors import (
    CertificateRejected,
    CryptoError,
    KeyLoadError,
    OpenSSLError,
    UnsupportedAlgorithm,
)
from .keys import PrivateKey, PublicKey
from .selftest import SelfTestResult, run_selftest
from .trust import TrustStore, issue_crl

__all__ = [
    "Certificate",
    "CertificateRejected",
    "CryptoError",
    "GostBackend",
    "KeyLoadError",
    "OpenSSLError",
    "PrivateKey",
    "PublicKey",
    "SelfTestResult",
    "SignatureAlgorithm",
    "TrustStore",
    "UnsupportedAlgorithm",
    "digest",
    "digest_name_by_uri",
    "get_backend",
    "issue_certificate",
    "issue_crl",
    "run_selftest",
    "set_backend",
    "signature_algorithm_by_name",
    "signature_algorithm_by_uri",
]
