"""Ingress of a SOAP face: parse once, verify, and identify the sender (D2, hot path).

:func:`locate` reads just enough of the untrusted tree to address an answer (or to decide that
only a SOAP Fault is possible, D11). :func:`authenticate` then verifies the WS-Security
signature and parses ``smev:Message`` from **the element the verifier returned**; everything
downstream reads only that. Authorship is a certificate registered to ``Sender/Code``; an
applicant (a system applying to connect) needs only a certificate the trust store accepts.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lxml import etree
from sqlalchemy.orm import Session

from smev_soap.crypto import Certificate
from smev_soap.envelope.errors import EnvelopeError
from smev_soap.envelope.model import CODE_RE, Message, Org
from smev_soap.envelope.ns import SMEV_NAMESPACES
from smev_soap.envelope.parse import ParsedMessage, parse_body
from smev_soap.envelope.schemas import has_text, structure_errors
from smev_soap.errors import SmevRefusal
from smev_soap.service.answers import Addressee
from smev_soap.service.gateway import Gateway
from smev_soap.service.registry_cache import RegistryView
from smev_soap.service.spec import ServiceSpec
from smev_soap.service.transport import TransportRequest
from smev_soap.wsse import reasons
from smev_soap.wsse.smev2 import BlockVerification, verify_envelope
from smev_soap.xml.ns import (
    SMEV,
    SOAP_BODY,
    SOAP_ENVELOPE,
    SOAP_HEADER,
)
from smev_soap.xml.paths import first_at, string_value
from smev_soap.xml.safe import XmlRejected, parse_xml

FUTURE_TOLERANCE = timedelta(minutes=5)

_XML_REFUSALS = {"too_large": "RSMEV-102", "doctype": "RSMEV-103", "too_deep": "RSMEV-104"}

_SIGNATURE_REFUSALS = {
    reasons.NO_SIGNATURE: "RSMEV-200",
    reasons.NO_SENDER_SIGNATURE: "RSMEV-200",
    reasons.BAD_SIGNATURE: "RSMEV-201",
    reasons.DIGEST_MISMATCH: "RSMEV-202",
    reasons.WRONG_TARGET: "RSMEV-203",
    reasons.UNEXPECTED_REFERENCES: "RSMEV-203",
    reasons.DUPLICATE_ID: "RSMEV-204",
    reasons.MISSING_TOKEN: "RSMEV-205",
    reasons.BAD_CERTIFICATE: "RSMEV-205",
    reasons.UNSUPPORTED_ALGORITHM: "RSMEV-206",
    reasons.UNSUPPORTED_TRANSFORM: "RSMEV-206",
    reasons.ALGORITHM_MISMATCH: "RSMEV-206",
    reasons.CERTIFICATE_EXPIRED: "RSMEV-207",
    reasons.CERTIFICATE_NOT_YET_VALID: "RSMEV-208",
    reasons.CERTIFICATE_UNTRUSTED: "RSMEV-209",
    reasons.CERTIFICATE_INVALID: "RSMEV-209",
    reasons.CERTIFICATE_REVOKED: "RSMEV-210",
}

_ENVELOPE_REFUSALS = {
    "no_operation": "RSMEV-105",
    "no_message": "RSMEV-106",
    "bad_sender_code": "RSMEV-107",
    "missing_field": "RSMEV-113",
}

_SMEV_HEADERS = frozenset(f"{{{uri}}}Header" for uri in SMEV_NAMESPACES)

_MESSAGE = f"{{{SMEV}}}Message"
_SENDER_CODE = (_MESSAGE, f"{{{SMEV}}}Sender", f"{{{SMEV}}}Code")
_SENDER_NAME = (_MESSAGE, f"{{{SMEV}}}Sender", f"{{{SMEV}}}Name")


@dataclass
class Located:
    """An envelope parsed and addressed, not yet verified."""

    operation: str
    envelope: bytes
    root: etree._Element
    addressee: Addressee
    parts: dict[str, bytes] = field(default_factory=dict)
    applicant: bool = False  # the signer needs no registration (ServiceSpec.applicant_operations)


@dataclass
class Inbound:
    """A verified request: the sender's participant code, its certificate and its message."""

    operation: str
    envelope: bytes
    root: etree._Element
    parsed: ParsedMessage
    certificate: Certificate
    sender: str
    body_digest: str
    addressee: Addressee
    parts: dict[str, bytes]
    registry: RegistryView  # the registry as of this request (D21)

    @property
    def message(self) -> Message:
        return self.parsed.message


def locate(gateway: Gateway, spec: ServiceSpec, request: TransportRequest) -> Located:
    """Parse safely and find ``spec``'s operation and the sender; refusals here are SOAP Faults."""
    try:
        root = parse_xml(request.envelope, max_bytes=gateway.settings.max_body_bytes,
                         max_depth=gateway.settings.max_xml_depth)
    except XmlRejected as rejected:
        raise SmevRefusal(_XML_REFUSALS.get(rejected.reason, "RSMEV-100"), str(rejected)) from None
    if root.tag != SOAP_ENVELOPE:
        raise SmevRefusal("RSMEV-100", f"root element {root.tag} is not a SOAP 1.1 Envelope")
    bodies = [child for child in root if child.tag == SOAP_BODY]
    elements = list(bodies[0].iterchildren(etree.Element)) if len(bodies) == 1 else []
    if len(elements) != 1 or has_text(bodies[0]):
        # Anything beside the one operation element would be signed, stored and delivered
        # without ever being checked.
        raise SmevRefusal("RSMEV-100", "the Envelope needs one Body holding one operation element")
    operation = etree.QName(elements[0])
    if (operation.namespace != spec.tns(gateway.settings)
            or operation.localname not in spec.handlers):
        raise SmevRefusal("RSMEV-105", f"{operation.text} is not an operation of this service")
    if first_at(elements[0], (_MESSAGE,)) is None:
        raise SmevRefusal("RSMEV-106")
    code = string_value(first_at(elements[0], _SENDER_CODE)).strip()
    if not CODE_RE.fullmatch(code):
        raise SmevRefusal("RSMEV-107", f"Sender/Code {code!r}")
    addressee = Addressee(operation.namespace, operation.localname,
                          Org(code, string_value(first_at(elements[0], _SENDER_NAME)).strip()))
    return Located(operation.localname, request.envelope, root, addressee, request.parts,
                   operation.localname in spec.applicant_operations)


def _body_digest(sender_block: BlockVerification, body: etree._Element) -> str:
    """The idempotency key (D10): the Body digest the sender's signature was verified with."""
    digest = sender_block.digest_of(body)
    if digest is None:
        raise SmevRefusal("RSMEV-212", "the sender's signature does not cover the Body")
    return base64.b64encode(digest).decode()


def _parse_verified(body: etree._Element) -> ParsedMessage:
    try:
        parsed = parse_body(body)
    except EnvelopeError as error:
        raise SmevRefusal(_ENVELOPE_REFUSALS.get(error.code, "RSMEV-110"), str(error)) from None
    problems = structure_errors(parsed.operation)
    if problems:
        raise SmevRefusal("RSMEV-110", problems[0])
    return parsed


def _check_date(gateway: Gateway, message: Message) -> None:
    now = datetime.now(UTC)
    window = timedelta(seconds=gateway.settings.idempotency_window)
    if message.date < now - window:
        raise SmevRefusal("RSMEV-111", f"Date {message.date.isoformat()} is older than {window}")
    if message.date > now + FUTURE_TOLERANCE:
        raise SmevRefusal("RSMEV-111", f"Date {message.date.isoformat()} is in the future")


def _check_author(session: Session, registry: RegistryView, certificate: Certificate,
                  claimed: str) -> None:
    """The certificate is registered to ``claimed``, an active participant."""
    participant = registry.participant_for_certificate(session, certificate.fingerprint_sha256)
    if participant is None or participant.code != claimed:
        raise SmevRefusal("RSMEV-211", f"certificate {certificate.fingerprint_sha256[:16]}… "
                                       f"is not registered to {claimed}")
    if not participant.is_active:
        raise SmevRefusal("RSMEV-301", f"{claimed}: {participant.status_reason or 'blocked'}")


def authenticate(gateway: Gateway, located: Located) -> Inbound:
    """Verify the sender's signature and certificate, map it to a participant (authorship).

    An applicant need not be registered: its certificate must only pass the trust store (a
    gateway without one refuses), and ``sender`` is the code it claims.
    """
    if located.applicant and gateway.trust is None:
        raise SmevRefusal("RSMEV-209", "the gateway has no trust store for applicants")
    verification = verify_envelope(located.root, trust=gateway.trust)
    if not verification.ok:
        raise SmevRefusal(_SIGNATURE_REFUSALS.get(verification.reason, "RSMEV-212"),
                          verification.reason)
    sender_block = verification.sender
    if verification.header is not None or verification.recipient is not None or (
        sender_block is None or sender_block.certificate is None
    ):
        raise SmevRefusal("RSMEV-212", "a participant's message carries one actor-smev block only")
    soap_header = next(located.root.iterchildren(SOAP_HEADER), None)
    if soap_header is not None and any(child.tag in _SMEV_HEADERS for child in soap_header):
        # smev:Header is the gateway's (MessageId, NodeId); one from a participant would be
        # delivered beside ours, unsigned by us, and read by the provider as routing data.
        raise SmevRefusal("RSMEV-110", "smev:Header is added by the gateway, not by the sender")
    certificate = sender_block.certificate
    if not (certificate.key_algorithm.name.startswith("gost")
            or gateway.settings.accept_non_gost):
        # RSA/ECDSA exist for non-GOST test deployments only (SMEV_ACCEPT_NON_GOST).
        raise SmevRefusal("RSMEV-206", f"{certificate.key_algorithm.name} signatures are "
                                       "not accepted; GOST R 34.10-2012 is required")
    parsed = _parse_verified(verification.body)
    claimed = parsed.message.sender.code
    with gateway.reading() as session:
        registry = gateway.registry.view(session)
        if not located.applicant:
            _check_author(session, registry, certificate, claimed)
    _check_date(gateway, parsed.message)
    return Inbound(
        operation=located.operation,
        envelope=located.envelope,
        root=located.root,
        parsed=parsed,
        certificate=certificate,
        sender=claimed,
        body_digest=_body_digest(sender_block, verification.body),
        addressee=Addressee.of(located.addressee.namespace, located.operation, parsed.message),
        parts=located.parts,
        registry=registry,
    )

