"""SMEV-2 WS-Security profile (SMEV.md §2, §7): `wsse:Security` blocks in the SOAP 1.1 Header.

Actors and who writes what:

* actor ``smev`` (ЭП-ОВ): exactly one Reference, to the soap:Body. Written by `sign_envelope`.
  **The gateway signs its own answers this way too** (ACCEPT/INVALID/REJECT answers, the D6
  pull answers): in them the gateway is the sending participant of its own service, the answer
  carries no smev:Header, and every SMEV-2 client expects an actor-``smev`` block over the Body.
* actor ``recipient`` (ЭП-СМЭВ): two References, the smev:Header first, then the Body. Written by
  `add_recipient_signature` into a received envelope when it is delivered (§2.2); the sender's
  block and Body are left byte-identical, so the sender's signature keeps verifying.

`verify_envelope` checks every block strictly (§7.5) and reads leniently (Part IV). The element a
caller may process is `EnvelopeVerification.body` (and `.header`): never look the Body up again.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from smev_soap.crypto import (
    Certificate,
    CryptoError,
    PrivateKey,
    SignatureAlgorithm,
    TrustStore,
)
from smev_soap.wsse import dsig, reasons
from smev_soap.wsse.reasons import SignatureError
from smev_soap.xml.ns import (
    ACTOR_RECIPIENT,
    ACTOR_SMEV,
    SMEV_HEADER,
    SMEV_OLD_HEADER,
    SOAP,
    SOAP_ACTOR,
    SOAP_BODY,
    SOAP_ENVELOPE,
    SOAP_HEADER,
    WSS_BASE64,
    WSS_X509V3,
    WSSE,
    WSSE_REFERENCE,
    WSSE_SECURITY,
    WSSE_STR,
    WSSE_TOKEN,
    WSU,
    WSU_ID,
)

CHAIN = (dsig.C14N_EXC,)
BODY_ID = "body"
_SMEV_HEADERS = (SMEV_HEADER, SMEV_OLD_HEADER)
# Every id-like attribute (wsu:Id, Id, xml:id, any *:Id): a value shared by two elements is
# ambiguous for some verifier, so it is refused as a duplicate.
_IDS = etree.XPath("//@*[local-name()='Id' or local-name()='id']", regexp=False)


class BlockVerification(NamedTuple):
    """Outcome for one `wsse:Security` block."""

    actor: str | None
    valid: bool
    reason: str
    element_ids: tuple[str, ...] = ()
    elements: tuple[etree._Element, ...] = ()  # the signed elements, in reference order
    certificate: Certificate | None = None
    algorithm: str | None = None  # e.g. "gost2012-256"
    digests: tuple[bytes, ...] = ()  # the verified DigestValues, in reference order

    def digest_of(self, element: etree._Element) -> bytes | None:
        """The verified digest of ``element``, if this block signs it."""
        return next((d for e, d in zip(self.elements, self.digests, strict=True)
                     if e is element), None)


class EnvelopeVerification(NamedTuple):
    """Outcome for a whole envelope. `body`/`header` are set only when `ok`."""

    reason: str
    blocks: tuple[BlockVerification, ...] = ()
    body: etree._Element | None = None
    header: etree._Element | None = None
    sender: BlockVerification | None = None
    recipient: BlockVerification | None = None

    @property
    def ok(self) -> bool:
        return self.reason == reasons.OK


def envelope_parts(root: etree._Element) -> tuple[etree._Element | None, etree._Element]:
    """(soap:Header or None, soap:Body) as direct children of a soap:Envelope root."""
    if root.tag != SOAP_ENVELOPE:
        raise SignatureError(reasons.BAD_ENVELOPE, "the document root is not a SOAP 1.1 Envelope")
    header = body = None
    for child in root:
        if child.tag == SOAP_HEADER:
            if header is not None or body is not None:
                raise SignatureError(reasons.BAD_ENVELOPE, "misplaced or repeated soap:Header")
            header = child
        elif child.tag == SOAP_BODY:
            if body is not None:
                raise SignatureError(reasons.BAD_ENVELOPE, "repeated soap:Body")
            body = child
    if body is None:
        raise SignatureError(reasons.BAD_ENVELOPE, "no soap:Body")
    return header, body


# ---------------------------------------------------------------------------------------- signing


def sign_envelope(
    root: etree._Element, key: PrivateKey, cert: Certificate, actor: str = ACTOR_SMEV
) -> etree._Element:
    """Add the actor-``smev`` block signing the Body; return the block.

    Adds an empty soap:Header if there is none and `wsu:Id="body"` to a Body without an id.
    Only ``actor=ACTOR_SMEV`` is accepted: the recipient block needs a smev:Header
    (use `add_recipient_signature`).
    """
    if actor != ACTOR_SMEV:
        raise ValueError("sign_envelope writes actor smev only; see add_recipient_signature")
    header, body = envelope_parts(root)
    if header is None:
        header = etree.SubElement(root, SOAP_HEADER)
        body.addprevious(header)
    _refuse_second_block(header, ACTOR_SMEV)
    body = _ensure_body_id(body)
    return _add_block(header, len(header), key, cert, ACTOR_SMEV, (body,))


def add_recipient_signature(
    root: etree._Element, key: PrivateKey, cert: Certificate, header_element: etree._Element
) -> etree._Element:
    """Add the delivering party's actor-``recipient`` block as the first Header child.

    `header_element` is the smev:Header the caller already put into soap:Header, with a wsu:Id.
    Nothing else in the envelope is changed. Returns the new block.
    """
    header, body = envelope_parts(root)
    if header is None or header_element.getparent() is not header:
        raise ValueError("header_element must be a direct child of soap:Header")
    if header_element.tag not in _SMEV_HEADERS or not header_element.get(WSU_ID):
        raise ValueError("header_element must be a smev:Header with a wsu:Id")
    if not body.get(WSU_ID):
        raise ValueError("the Body has no wsu:Id (the envelope is not a signed SMEV-2 message)")
    _refuse_second_block(header, ACTOR_RECIPIENT)
    return _add_block(header, 0, key, cert, ACTOR_RECIPIENT, (header_element, body))


def _refuse_second_block(header: etree._Element, actor: str) -> None:
    if any(c.tag == WSSE_SECURITY and c.get(SOAP_ACTOR) == actor for c in header):
        raise ValueError(f"the envelope already has a wsse:Security block for {actor}")


def _ensure_body_id(body: etree._Element) -> etree._Element:
    """The Body with a wsu:Id; rebuilt (children moved) if `wsu` is not declared in its scope."""
    if body.get(WSU_ID):
        return body
    if WSU in body.nsmap.values():
        body.set(WSU_ID, BODY_ID)
        return body
    parent = body.getparent()
    inherited = parent.nsmap
    own = {p: u for p, u in body.nsmap.items() if inherited.get(p) != u}
    new = etree.SubElement(parent, SOAP_BODY, nsmap={**own, "wsu": WSU})
    new.attrib.update(body.attrib)
    new.set(WSU_ID, BODY_ID)
    new.text, new.tail = body.text, body.tail
    new.extend(list(body))
    parent.replace(body, new)
    return new


def _add_block(
    header: etree._Element,
    position: int,
    key: PrivateKey,
    cert: Certificate,
    actor: str,
    targets: Sequence[etree._Element],
) -> etree._Element:
    algorithm = key.algorithm
    soap_prefix = header.prefix
    block = copy.deepcopy(_template(soap_prefix, actor, cert, algorithm, len(targets)))
    header.insert(position, block)
    token, signature = block
    token_id = f"CertId-{uuid.uuid4()}"
    token.set(WSU_ID, token_id)
    for reference, target in zip(signature[0][2:], targets, strict=True):
        reference.set("URI", "#" + target.get(WSU_ID))
        value = dsig.digest_element(target, CHAIN, None, algorithm.digest_name)
        reference[2].text = dsig.encode_base64(value)
    signature[2][0][0].set("URI", "#" + token_id)
    dsig.sign(signature, key)
    return block


_templates = threading.local()


def _template(
    soap_prefix: str | None, actor: str, cert: Certificate, algorithm: SignatureAlgorithm,
    references: int,
) -> etree._Element:
    """A complete block with blank ids, digests and SignatureValue, cached per thread.

    Copying it is several times cheaper than building ~17 elements one by one.
    """
    cache: dict[tuple, etree._Element] = _templates.__dict__.setdefault("cache", {})
    key = (soap_prefix, actor, cert, algorithm.name, references)
    block = cache.get(key)
    if block is None:
        if len(cache) >= 64:
            cache.clear()
        envelope = etree.Element(SOAP_ENVELOPE, nsmap={soap_prefix: SOAP})
        header = etree.SubElement(envelope, SOAP_HEADER)
        block = etree.SubElement(
            header, WSSE_SECURITY, {SOAP_ACTOR: actor}, nsmap={"wsse": WSSE, "wsu": WSU}
        )
        token = etree.SubElement(
            block, WSSE_TOKEN, {"EncodingType": WSS_BASE64, "ValueType": WSS_X509V3, WSU_ID: ""}
        )
        token.text = dsig.encode_base64(cert.der)
        signature = dsig.build_signature(block, algorithm, [("", b"")] * references, CHAIN)
        key_info = etree.SubElement(signature, dsig.DS_KEY_INFO)
        token_ref = etree.SubElement(key_info, WSSE_STR)
        etree.SubElement(token_ref, WSSE_REFERENCE, URI="", ValueType=WSS_X509V3)
        cache[key] = block
    return block


# ----------------------------------------------------------------------------------- verification


class _Context:
    """Per-envelope state: the id index and the digests already computed (Body digested once)."""

    __slots__ = ("_digests", "_ids", "body", "header", "root")

    def __init__(self, root: etree._Element, header: etree._Element, body: etree._Element):
        self.root, self.header, self.body = root, header, body
        self._ids: dict[str, list[etree._Element]] | None = None
        self._digests: dict[tuple, bytes] = {}

    def resolve(self, uri: str) -> etree._Element:
        """The single element whose wsu:Id is `uri[1:]`."""
        if self._ids is None:
            ids: dict[str, list[etree._Element]] = {}
            for attribute in _IDS(self.root):
                carriers = ids.setdefault(str(attribute), [])
                element = attribute.getparent()
                if not any(e is element for e in carriers):
                    carriers.append(element)
            self._ids = ids
        ident = uri[1:]
        found = self._ids.get(ident, ())
        if len(found) > 1:
            raise SignatureError(
                reasons.DUPLICATE_ID, f"id {ident!r} is carried by {len(found)} elements"
            )
        if not found or found[0].get(WSU_ID) != ident:
            raise SignatureError(reasons.REFERENCE_NOT_FOUND, f"no element with wsu:Id {ident!r}")
        return found[0]

    def digest(self, element: etree._Element, reference: dsig.Reference) -> bytes:
        key = (element, reference.inclusive_prefixes, reference.digest_name)
        value = self._digests.get(key)
        if value is None:
            value = dsig.digest_element(
                element, CHAIN, reference.inclusive_prefixes, reference.digest_name
            )
            self._digests[key] = value
        return value


@lru_cache(maxsize=512)
def _certificate(base64_text: str) -> Certificate:
    """Decoded token certificates (keyed by the token text as is): senders sign again and again."""
    return Certificate.load(dsig.decode_base64(base64_text))


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    """The first child named `name` (cheaper than ElementPath's find)."""
    if element is not None:
        for child in element:
            if child.tag == name:
                return child
    return None


def _token_certificate(block: etree._Element, parsed: dsig.ParsedSignature, ctx: _Context
                       ) -> Certificate:
    reference = _child(_child(parsed.key_info, WSSE_STR), WSSE_REFERENCE)
    uri = reference.get("URI", "") if reference is not None else ""
    if not uri.startswith("#"):
        raise SignatureError(reasons.MISSING_TOKEN, "no SecurityTokenReference to a token")
    try:
        token = ctx.resolve(uri)
    except SignatureError as exc:
        if exc.reason == reasons.DUPLICATE_ID:
            raise
        raise SignatureError(reasons.MISSING_TOKEN, f"token {uri} not found") from None
    if token.tag != WSSE_TOKEN or token.getparent() is not block:
        raise SignatureError(reasons.MISSING_TOKEN, f"{uri} is not a token of this block")
    if token.get("ValueType", WSS_X509V3) != WSS_X509V3:
        raise SignatureError(reasons.BAD_CERTIFICATE, "token is not an X.509v3 certificate")
    try:
        return _certificate(token.text or "")
    except (CryptoError, ValueError) as exc:
        raise SignatureError(reasons.BAD_CERTIFICATE, f"token certificate: {exc}") from None


_Signed = list[tuple[dsig.Reference, etree._Element]]


def _targets(actor: str, parsed: dsig.ParsedSignature, ctx: _Context) -> _Signed:
    """Resolve the references and check they are exactly what the actor's profile signs.

    Returned in reporting order: smev:Header first, then the Body.
    """
    signed = [(r, ctx.resolve(r.uri)) for r in parsed.references]
    for _, target in signed:
        if target is not ctx.body and not (
            actor == ACTOR_RECIPIENT
            and target.tag in _SMEV_HEADERS
            and target.getparent() is ctx.header
        ):
            allowed = "Body" if actor == ACTOR_SMEV else "Body or smev:Header"
            raise SignatureError(
                reasons.WRONG_TARGET,
                f"the reference to {target.get(WSU_ID)!r} is not the envelope's {allowed}",
            )
    expected = 1 if actor == ACTOR_SMEV else 2
    if len(signed) != expected or len({id(t) for _, t in signed}) != expected:
        raise SignatureError(
            reasons.UNEXPECTED_REFERENCES, f"actor {actor} needs {expected} distinct references"
        )
    if expected == 2 and signed[0][1] is ctx.body:
        signed.reverse()
    return signed


def _verify_block(
    block: etree._Element, actor: str, ctx: _Context, trust: TrustStore | None, at: datetime | None
) -> BlockVerification:
    certificate = algorithm = None
    signed: _Signed = []
    try:
        signatures = [c for c in block if c.tag == dsig.DS_SIGNATURE]
        if len(signatures) != 1:
            raise SignatureError(reasons.MALFORMED, "a block must hold exactly one ds:Signature")
        parsed = dsig.parse_signature(signatures[0], CHAIN)
        certificate = _token_certificate(block, parsed, ctx)
        family = dsig.key_algorithm(certificate)
        algorithm = family.name
        signed = _targets(actor, parsed, ctx)
        dsig.check_key_family(parsed, family)
        for reference, target in signed:
            dsig.check_digest(reference, ctx.digest(target, reference))
        dsig.check_signer(parsed, certificate, trust, at)
        reason = reasons.OK
    except SignatureError as exc:
        reason = exc.reason
    return BlockVerification(
        actor,
        reason == reasons.OK,
        reason,
        tuple(r.uri[1:] for r, _ in signed),
        tuple(t for _, t in signed),
        certificate,
        algorithm,
        tuple(r.digest_value for r, _ in signed),
    )


def verify_envelope(
    root: etree._Element, *, trust: TrustStore | None = None, at: datetime | None = None
) -> EnvelopeVerification:
    """Verify every `wsse:Security` block of a parsed SMEV-2 envelope (never raises for bad input).

    With `trust`, each signer certificate is also validated (at `at`, default now).
    """
    try:
        header, body = envelope_parts(root)
    except SignatureError as exc:
        return EnvelopeVerification(exc.reason)
    blocks = [c for c in header if c.tag == WSSE_SECURITY] if header is not None else []
    if not blocks:
        return EnvelopeVerification(reasons.NO_SIGNATURE)
    ctx = _Context(root, header, body)
    results: list[BlockVerification] = []
    by_actor: dict[str, BlockVerification] = {}
    for block in blocks:
        actor = block.get(SOAP_ACTOR)
        if actor not in (ACTOR_SMEV, ACTOR_RECIPIENT):
            result = BlockVerification(actor, False, reasons.UNKNOWN_ACTOR)
        elif actor in by_actor:
            result = BlockVerification(actor, False, reasons.DUPLICATE_ACTOR)
        else:
            result = by_actor[actor] = _verify_block(block, actor, ctx, trust, at)
        results.append(result)
    sender, recipient = by_actor.get(ACTOR_SMEV), by_actor.get(ACTOR_RECIPIENT)
    if sender is None:
        reason = reasons.NO_SENDER_SIGNATURE
    else:
        failed = [r for r in [sender, *results] if not r.valid]
        reason = failed[0].reason if failed else reasons.OK
    if reason != reasons.OK:
        return EnvelopeVerification(reason, tuple(results), sender=sender, recipient=recipient)
    return EnvelopeVerification(
        reason,
        tuple(results),
        body=sender.elements[0],
        header=recipient.elements[0] if recipient is not None else None,
        sender=sender,
        recipient=recipient,
    )
