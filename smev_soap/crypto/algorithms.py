"""XMLDSig signature and digest algorithms: the URIs we write and the spellings we accept."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UnsupportedAlgorithm

_W3 = "http://www.w3.org/2001/04/xmldsig-more#"
_CP = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:"


@dataclass(frozen=True)
class SignatureAlgorithm:
    """A signature family: its name, the URIs we write, and its digest."""

    name: str
    signature_uri: str
    digest_uri: str
    digest_name: str


GOST2012_256 = SignatureAlgorithm(
    "gost2012-256",
    _CP + "gostr34102012-gostr34112012-256",
    _CP + "gostr34112012-256",
    "streebog256",
)
GOST2012_512 = SignatureAlgorithm(
    "gost2012-512",
    _CP + "gostr34102012-gostr34112012-512",
    _CP + "gostr34112012-512",
    "streebog512",
)
GOST2001 = SignatureAlgorithm(
    "gost2001", _W3 + "gostr34102001-gostr3411", _W3 + "gostr3411", "gost94"
)
RSA_SHA256 = SignatureAlgorithm(
    "rsa-sha256", _W3 + "rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256", "sha256"
)
ECDSA_SHA256 = SignatureAlgorithm(
    "ecdsa-sha256", _W3 + "ecdsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256", "sha256"
)

ALGORITHMS = (GOST2012_256, GOST2012_512, GOST2001, RSA_SHA256, ECDSA_SHA256)
GOST_ALGORITHMS = (GOST2012_256, GOST2012_512, GOST2001)

_BY_NAME = {a.name: a for a in ALGORITHMS}

# Both spellings of every GOST URI (GOST.md §1.1), plus the standard RSA/ECDSA ones.
_SIGNATURE_URIS = {
    _W3 + "gostr34102001-gostr3411": GOST2001,
    _CP + "gostr34102001-gostr3411": GOST2001,
    _W3 + "gostr34102012-gostr34112012-256": GOST2012_256,
    _CP + "gostr34102012-gostr34112012-256": GOST2012_256,
    _W3 + "gostr34102012-gostr34112012-512": GOST2012_512,
    _CP + "gostr34102012-gostr34112012-512": GOST2012_512,
    RSA_SHA256.signature_uri: RSA_SHA256,
    ECDSA_SHA256.signature_uri: ECDSA_SHA256,
}
_DIGEST_URIS = {
    _W3 + "gostr3411": "gost94",
    _CP + "gostr3411": "gost94",
    _W3 + "gostr34112012-256": "streebog256",
    _CP + "gostr34112012-256": "streebog256",
    _W3 + "gostr34112012-512": "streebog512",
    _CP + "gostr34112012-512": "streebog512",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
}


def signature_algorithm_by_uri(uri: str) -> SignatureAlgorithm:
    """The algorithm of a ``SignatureMethod/@Algorithm`` (either spelling)."""
    try:
        return _SIGNATURE_URIS[uri.strip()]
    except KeyError:
        raise UnsupportedAlgorithm(f"unsupported signature algorithm {uri!r}") from None


def digest_name_by_uri(uri: str) -> str:
    """The digest name (as accepted by :func:`digest`) of a ``DigestMethod/@Algorithm``."""
    try:
        return _DIGEST_URIS[uri.strip()]
    except KeyError:
        raise UnsupportedAlgorithm(f"unsupported digest algorithm {uri!r}") from None


def signature_algorithm_by_name(name: str) -> SignatureAlgorithm:
    """The algorithm called ``name`` (``gost2012-256``, ``rsa-sha256``...)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnsupportedAlgorithm(f"unsupported signature algorithm {name!r}") from None
