"""SMEV-3 signature profile (SMEV.md §18): detached `ds:Signature` in a wrapper element.

The wrapper (CallerInformationSystemSignature, SMEVSignature, PersonalSignature…) is a sibling of
the signed element, or otherwise outside it. One Reference `#<Id>` (unqualified `Id`), transforms
exc-c14n + `urn://smev-gov-ru/xmldsig/transform`, certificate in `KeyInfo/X509Data`.

`verify_signature` returns the verified element: that element, and nothing looked up again by name,
is what the caller processes. Where the element sits (e.g. a sibling of the wrapper) is the
caller's check, since it differs per signature kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from lxml import etree

from smev_soap.crypto import (
    Certificate,
    CryptoError,
    PrivateKey,
    TrustStore,
)
from smev_soap.wsse import dsig, reasons
from smev_soap.wsse.reasons import SignatureError

CHAIN = (dsig.C14N_EXC, dsig.SMEV_TRANSFORM)
_BY_ID = etree.XPath("//*[@Id = $ident]", regexp=False)


class Smev3Verification(NamedTuple):
    """A verified SMEV-3 signature: the signed element, its signer and algorithm name."""

    element: etree._Element
    certificate: Certificate
    algorithm: str


def _by_id(document_element: etree._Element, ident: str) -> list[etree._Element]:
    return _BY_ID(document_element, ident=ident)


def sign_element(
    element: etree._Element, key: PrivateKey, cert: Certificate, wrapper: etree._Element
) -> etree._Element:
    """Append to `wrapper` a detached signature over `element` (which must carry a unique `Id`)."""
    ident = element.get("Id")
    if not ident:
        raise ValueError("the signed element has no Id attribute")
    if wrapper is element or element in wrapper.iterancestors():
        raise ValueError("the wrapper must lie outside the signed element")
    if len(_by_id(element, ident)) != 1:
        raise ValueError(f"Id {ident!r} is not unique in the document")
    algorithm = key.algorithm
    value = dsig.digest_element(element, CHAIN, None, algorithm.digest_name)
    signature = dsig.build_signature(wrapper, algorithm, [("#" + ident, value)], CHAIN)
    key_info = etree.SubElement(signature, dsig.DS_KEY_INFO)
    x509 = etree.SubElement(key_info, dsig.DS_X509_DATA)
    etree.SubElement(x509, dsig.DS_X509_CERTIFICATE).text = dsig.encode_base64(cert.der)
    dsig.sign(signature, key)
    return signature


def _certificate(parsed: dsig.ParsedSignature) -> Certificate:
    key_info = parsed.key_info
    x509 = key_info.find(dsig.DS_X509_DATA) if key_info is not None else None
    found = x509.findall(dsig.DS_X509_CERTIFICATE) if x509 is not None else []
    if len(found) != 1:
        raise SignatureError(reasons.MISSING_TOKEN, "KeyInfo must hold one X509Certificate")
    try:
        return Certificate.load(dsig.decode_base64(found[0].text))
    except (CryptoError, ValueError) as exc:
        raise SignatureError(reasons.BAD_CERTIFICATE, f"X509Certificate: {exc}") from None


def verify_signature(
    signature: etree._Element, *, trust: TrustStore | None = None, at: datetime | None = None
) -> Smev3Verification:
    """Verify a SMEV-3 `ds:Signature`; raise SignatureError (with `.reason`) on any failure."""
    parsed = dsig.parse_signature(signature, CHAIN)
    if len(parsed.references) != 1:
        raise SignatureError(reasons.UNEXPECTED_REFERENCES, "SMEV-3 signs exactly one element")
    reference = parsed.references[0]
    ident = reference.uri[1:]
    found = _by_id(signature, ident)
    if len(found) > 1:
        raise SignatureError(reasons.DUPLICATE_ID, f"Id {ident!r} is not unique")
    if not found:
        raise SignatureError(reasons.REFERENCE_NOT_FOUND, f"no element with Id {ident!r}")
    element = found[0]
    if element is signature or element in signature.iterancestors():
        raise SignatureError(reasons.WRONG_TARGET, "an enveloping element cannot be signed")
    certificate = _certificate(parsed)
    family = dsig.key_algorithm(certificate)
    dsig.check_key_family(parsed, family)
    dsig.check_digest(reference, dsig.digest_element(
        element, CHAIN, reference.inclusive_prefixes, reference.digest_name))
    dsig.check_signer(parsed, certificate, trust, at)
    return Smev3Verification(element, certificate, family.name)
