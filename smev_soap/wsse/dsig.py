"""XMLDSig core shared by the SMEV-2 and SMEV-3 profiles: read, digest, build, sign, verify.

Only what the SMEV profiles use: exclusive c14n for SignedInfo, one fixed transform chain per
profile, same-document references (`#id`). `ec:InclusiveNamespaces` is honoured on read and never
written. Whitespace inside SignedInfo is kept as received (it is signed).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from smev_soap.crypto import (
    Certificate,
    CertificateRejected,
    CryptoError,
    PrivateKey,
    PublicKey,
    SignatureAlgorithm,
    TrustStore,
    UnsupportedAlgorithm,
    digest,
    digest_name_by_uri,
    signature_algorithm_by_uri,
)
from smev_soap.wsse import reasons
from smev_soap.wsse.reasons import SignatureError
from smev_soap.xml import smev_transform as _smev
from smev_soap.xml.c14n import exc_c14n
from smev_soap.xml.ns import DS, EC, tag

C14N_EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
SMEV_TRANSFORM = _smev.URI

DS_SIGNATURE = tag(DS, "Signature")
DS_SIGNED_INFO = tag(DS, "SignedInfo")
DS_C14N_METHOD = tag(DS, "CanonicalizationMethod")
DS_SIGNATURE_METHOD = tag(DS, "SignatureMethod")
DS_REFERENCE = tag(DS, "Reference")
DS_TRANSFORMS = tag(DS, "Transforms")
DS_TRANSFORM = tag(DS, "Transform")
DS_DIGEST_METHOD = tag(DS, "DigestMethod")
DS_DIGEST_VALUE = tag(DS, "DigestValue")
DS_SIGNATURE_VALUE = tag(DS, "SignatureValue")
DS_KEY_INFO = tag(DS, "KeyInfo")
DS_X509_DATA = tag(DS, "X509Data")
DS_X509_CERTIFICATE = tag(DS, "X509Certificate")
EC_INCLUSIVE_NAMESPACES = tag(EC, "InclusiveNamespaces")

Prefixes = tuple[str, ...] | None


class Reference(NamedTuple):
    """One `ds:Reference` as read."""

    uri: str
    transforms: tuple[str, ...]
    inclusive_prefixes: Prefixes  # of the exc-c14n transform
    digest_name: str
    digest_value: bytes


class ParsedSignature(NamedTuple):
    """A `ds:Signature` as read, structure checked, nothing verified yet."""

    element: etree._Element
    signed_info: etree._Element
    c14n_prefixes: Prefixes
    algorithm: SignatureAlgorithm
    references: tuple[Reference, ...]
    value: bytes
    key_info: etree._Element | None


def children(element: etree._Element) -> list[etree._Element]:
    """Element children, without comments and processing instructions."""
    return list(element.iterchildren(etree.Element))


def decode_base64(text: str | None) -> bytes:
    """Strict base64 after removing whitespace (line breaks are common on the wire)."""
    try:
        return binascii.a2b_base64("".join((text or "").split()).encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError):
        raise SignatureError(reasons.MALFORMED, "invalid base64 content") from None


def encode_base64(data: bytes) -> str:
    """Single-line base64."""
    return base64.b64encode(data).decode("ascii")


def _malformed(message: str) -> SignatureError:
    return SignatureError(reasons.MALFORMED, message)


def _c14n_prefixes(method: etree._Element) -> Prefixes:
    """The optional InclusiveNamespaces PrefixList of an exc-c14n method or transform."""
    if not len(method):
        return None
    extra = children(method)
    if not extra:
        return None
    if len(extra) > 1 or extra[0].tag != EC_INCLUSIVE_NAMESPACES:
        raise SignatureError(reasons.UNSUPPORTED_TRANSFORM, "unexpected c14n parameters")
    return tuple(extra[0].get("PrefixList", "").split())


# (Reference, [Transform…], DigestMethod, DigestValue)
_RefParts = tuple[etree._Element, list[etree._Element], etree._Element, etree._Element]


@lru_cache(maxsize=16)
def _plain_shape(chain_length: int, references: int) -> list[tuple[str, int]]:
    """(tag, child count) of each SignedInfo node in preorder, in the layout everybody writes."""
    reference = (
        ((DS_REFERENCE, 3), (DS_TRANSFORMS, chain_length))
        + ((DS_TRANSFORM, 0),) * chain_length
        + ((DS_DIGEST_METHOD, 0), (DS_DIGEST_VALUE, 0))
    )
    head = ((DS_SIGNED_INFO, 2 + references), (DS_C14N_METHOD, 0), (DS_SIGNATURE_METHOD, 0))
    return list(head + reference * references)  # never mutated: compared only


def _layout(
    signed_info: etree._Element, chain_length: int
) -> tuple[etree._Element, etree._Element, list[_RefParts]]:
    """(CanonicalizationMethod, SignatureMethod, references) after the structure check.

    The usual layout is recognised in one pass (the verification hot path); anything else
    (comments, InclusiveNamespaces, errors) goes through the general reader below.
    """
    nodes = list(signed_info.iter())
    references = len(signed_info) - 2
    if references > 0 and [(n.tag, len(n)) for n in nodes] == _plain_shape(
        chain_length, references
    ):
        step = 4 + chain_length
        return nodes[1], nodes[2], [
            (nodes[i], nodes[i + 2:i + step - 2], nodes[i + step - 2], nodes[i + step - 1])
            for i in range(3, len(nodes), step)
        ]
    return _general_layout(signed_info)


def _general_layout(
    signed_info: etree._Element,
) -> tuple[etree._Element, etree._Element, list[_RefParts]]:
    """The structure check tolerating comments; parameters are checked by the caller."""
    info = children(signed_info)
    tags = [i.tag for i in info]
    if len(tags) < 3 or tags[0] != DS_C14N_METHOD or tags[1] != DS_SIGNATURE_METHOD or any(
        t != DS_REFERENCE for t in tags[2:]
    ):
        raise _malformed("SignedInfo must hold CanonicalizationMethod, SignatureMethod, Reference+")
    refs = []
    for ref in info[2:]:
        parts = children(ref)
        tags = [p.tag for p in parts]
        if tags != [DS_TRANSFORMS, DS_DIGEST_METHOD, DS_DIGEST_VALUE]:
            if DS_TRANSFORMS not in tags:
                raise SignatureError(reasons.UNSUPPORTED_TRANSFORM, "Reference without Transforms")
            raise _malformed("Reference must hold Transforms, DigestMethod, DigestValue")
        steps = children(parts[0])
        if not steps or any(s.tag != DS_TRANSFORM for s in steps):
            raise SignatureError(reasons.UNSUPPORTED_TRANSFORM, "empty or unknown Transforms")
        refs.append((ref, steps, parts[1], parts[2]))
    return info[0], info[1], refs


def _read_reference(parts: _RefParts, chain: tuple[str, ...]) -> Reference:
    ref, steps, method, value = parts
    found = tuple([s.get("Algorithm") for s in steps])
    if found != chain:
        raise SignatureError(
            reasons.UNSUPPORTED_TRANSFORM, f"transform chain {found!r}, expected {chain!r}"
        )
    if len(steps) > 1 and any(len(s) for s in steps[1:]):
        raise SignatureError(reasons.UNSUPPORTED_TRANSFORM, "unexpected transform parameters")
    uri = ref.get("URI")
    if uri is None or len(uri) < 2 or uri[0] != "#":
        raise _malformed(f"Reference URI must be a same-document #id, got {uri!r}")
    try:
        digest_name = digest_name_by_uri(method.get("Algorithm", ""))
    except UnsupportedAlgorithm as exc:
        raise SignatureError(reasons.UNSUPPORTED_ALGORITHM, str(exc)) from None
    return Reference(uri, found, _c14n_prefixes(steps[0]), digest_name, decode_base64(value.text))


def parse_signature(signature: etree._Element, chain: tuple[str, ...]) -> ParsedSignature:
    """Read a `ds:Signature` whose references must all use the transform `chain`."""
    parts = children(signature)
    tags = [p.tag for p in parts]
    if signature.tag != DS_SIGNATURE or tags[:2] != [DS_SIGNED_INFO, DS_SIGNATURE_VALUE] or (
        tags[2:] and tags[2:] != [DS_KEY_INFO]
    ):
        raise _malformed("Signature must hold SignedInfo, SignatureValue, KeyInfo?")
    signed_info = parts[0]
    c14n, method, refs = _layout(signed_info, len(chain))
    if c14n.get("Algorithm") != C14N_EXC:
        raise SignatureError(
            reasons.UNSUPPORTED_ALGORITHM, f"canonicalization {c14n.get('Algorithm')!r}"
        )
    try:
        algorithm = signature_algorithm_by_uri(method.get("Algorithm", ""))
    except UnsupportedAlgorithm as exc:
        raise SignatureError(reasons.UNSUPPORTED_ALGORITHM, str(exc)) from None
    return ParsedSignature(
        signature,
        signed_info,
        _c14n_prefixes(c14n),
        algorithm,
        tuple(_read_reference(r, chain) for r in refs),
        decode_base64(parts[1].text),
        parts[2] if len(parts) == 3 else None,
    )


def check_key_family(parsed: ParsedSignature, key_algorithm: SignatureAlgorithm) -> None:
    """The signature and digest URIs must belong to the signer key's family."""
    if parsed.algorithm.name != key_algorithm.name or any(
        r.digest_name != key_algorithm.digest_name for r in parsed.references
    ):
        raise SignatureError(
            reasons.ALGORITHM_MISMATCH,
            f"algorithm URIs do not match the {key_algorithm.name} key of the certificate",
        )


def digest_element(
    element: etree._Element, chain: tuple[str, ...], prefixes: Prefixes, digest_name: str
) -> bytes:
    """Digest of `element` through the transform chain (exc-c14n first, then the SMEV transform)."""
    data = exc_c14n(element, prefixes)
    if SMEV_TRANSFORM in chain:
        data = _smev.smev_transform(data)
    return digest(digest_name, data)


def check_digest(reference: Reference, computed: bytes) -> None:
    """The DigestValue as read must equal the digest computed over the resolved element."""
    if not hmac.compare_digest(reference.digest_value, computed):
        raise SignatureError(reasons.DIGEST_MISMATCH, f"digest of {reference.uri} does not match")


def key_algorithm(certificate: Certificate) -> SignatureAlgorithm:
    """The signature family of the certified key."""
    try:
        return certificate.key_algorithm
    except UnsupportedAlgorithm as exc:
        raise SignatureError(reasons.UNSUPPORTED_ALGORITHM, str(exc)) from None


def check_signature_value(parsed: ParsedSignature, public_key: PublicKey) -> None:
    """Verify SignatureValue over exc-c14n(SignedInfo) exactly as it is in the tree."""
    data = exc_c14n(parsed.signed_info, parsed.c14n_prefixes)
    try:
        good = public_key.verify(data, parsed.value)
    except CryptoError:
        good = False
    if not good:
        raise SignatureError(reasons.BAD_SIGNATURE, "SignatureValue does not verify")


def check_signer(parsed: ParsedSignature, certificate: Certificate, trust: TrustStore | None,
                 at: datetime | None) -> None:
    """SignatureValue by ``certificate``'s key, then its chain to a trusted CA (if ``trust``)."""
    check_signature_value(parsed, certificate.public_key)
    if trust is not None:
        try:
            trust.validate(certificate, at=at)
        except CertificateRejected as exc:
            raise SignatureError(reasons.certificate_reason(exc.reason), str(exc)) from None


def build_signature(
    parent: etree._Element,
    algorithm: SignatureAlgorithm,
    references: Sequence[tuple[str, bytes]],
    chain: tuple[str, ...],
) -> etree._Element:
    """Append `ds:Signature` (SignedInfo, empty SignatureValue) to `parent` and return it.

    `references` are (URI, raw digest) pairs. No whitespace text nodes are created; the caller
    appends KeyInfo and calls `sign`.
    """
    signature = etree.SubElement(parent, DS_SIGNATURE, nsmap={"ds": DS})
    signed_info = etree.SubElement(signature, DS_SIGNED_INFO)
    etree.SubElement(signed_info, DS_C14N_METHOD, Algorithm=C14N_EXC)
    etree.SubElement(signed_info, DS_SIGNATURE_METHOD, Algorithm=algorithm.signature_uri)
    for uri, value in references:
        reference = etree.SubElement(signed_info, DS_REFERENCE, URI=uri)
        transforms = etree.SubElement(reference, DS_TRANSFORMS)
        for step in chain:
            etree.SubElement(transforms, DS_TRANSFORM, Algorithm=step)
        etree.SubElement(reference, DS_DIGEST_METHOD, Algorithm=algorithm.digest_uri)
        etree.SubElement(reference, DS_DIGEST_VALUE).text = encode_base64(value)
    etree.SubElement(signature, DS_SIGNATURE_VALUE)
    return signature


def sign(signature: etree._Element, key: PrivateKey) -> None:
    """Sign exc-c14n(SignedInfo) as it now sits in the tree; fill SignatureValue."""
    signature[1].text = encode_base64(key.sign(exc_c14n(signature[0])))
