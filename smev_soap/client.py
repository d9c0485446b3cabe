"""A participant's side of the single service: build signed requests, read signed answers.

Used by the demo, the demo agent, the benchmarks and the tests; an agency integrator can use it
as a reference for what goes on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from smev_soap.crypto import Certificate, PrivateKey, TrustStore
from smev_soap.envelope.appdata import Delivery, find_types_element, parse_delivery
from smev_soap.envelope.build import build_envelope, build_operation
from smev_soap.envelope.model import AppDocument, Message, Org, ServiceRef, Status, TypeCode
from smev_soap.envelope.parse import ParsedMessage, parse_body
from smev_soap.wsse.smev2 import EnvelopeVerification, sign_envelope, verify_envelope
from smev_soap.xml.ns import XML
from smev_soap.xml.safe import parse_xml

MAX_ANSWER_BYTES = 64 * 1024 * 1024
TYPES_NS = "urn://smev-soap/types/1.0"


def sign_message(
    tns: str,
    tag: str,
    message: Message,
    key: PrivateKey,
    cert: Certificate,
    app_data: Iterable[etree._Element] = (),
    app_document: AppDocument | None = None,
) -> bytes:
    """A SOAP envelope ``{tns}tag(Message, MessageData)`` signed with actor ``smev``."""
    skeleton = build_envelope(tns)
    build_operation(f"{{{tns}}}{tag}", message, list(app_data) or None, app_document,
                    parent=skeleton.body)
    sign_envelope(skeleton.envelope, key, cert)
    return etree.tostring(skeleton.envelope, xml_declaration=True, encoding="UTF-8")


@dataclass
class Answer:
    """A gateway answer, verified: its Message, AppData and (for pulls) the Delivery."""

    verification: EnvelopeVerification
    parsed: ParsedMessage

    @property
    def message(self) -> Message:
        return self.parsed.message

    @property
    def status(self) -> Status:
        return self.message.status

    def types_element(self, name: str) -> etree._Element | None:
        return find_types_element(self.parsed.app_data, name)

    @property
    def error_code(self) -> str | None:
        error = self.types_element("Error")
        return None if error is None else error.findtext(f"{{{TYPES_NS}}}Code")

    @property
    def error_texts(self) -> dict[str, str]:
        error = self.types_element("Error")
        if error is None:
            return {}
        return {t.get(f"{{{XML}}}lang"): t.text or "" for t in error.iter(f"{{{TYPES_NS}}}Text")}

    @property
    def delivery(self) -> Delivery | None:
        element = self.types_element("Delivery")
        return None if element is None else parse_delivery(element)


def read_answer(data: bytes, trust: TrustStore | None = None) -> Answer:
    """Verify the gateway's signature on an answer and parse it (raises ValueError if bad)."""
    root = parse_xml(data, max_bytes=MAX_ANSWER_BYTES)
    verification = verify_envelope(root, trust=trust)
    if not verification.ok:
        raise ValueError(f"the answer's signature does not verify: {verification.reason}")
    return Answer(verification, parse_body(verification.body))


def open_delivery(delivery: Delivery, trust: TrustStore | None = None) -> tuple[
        EnvelopeVerification, ParsedMessage]:
    """Verify both signatures of a delivered envelope (sender's and gateway's) and parse it."""
    root = parse_xml(delivery.envelope, max_bytes=MAX_ANSWER_BYTES)
    verification = verify_envelope(root, trust=trust)
    if not verification.ok or verification.recipient is None:
        raise ValueError(f"the delivered envelope does not verify: {verification.reason}")
    return verification, parse_body(verification.body)


@dataclass
class Participant:
    """A connected system with its key: writes the requests of the single service."""

    code: str
    name: str
    key: PrivateKey
    cert: Certificate
    tns: str = "urn://smev-soap/single-service/1.0"
    gateway: Org = field(default_factory=lambda: Org("RSMV00001", "Региональная СМЭВ"))

    @property
    def org(self) -> Org:
        return Org(self.code, self.name)

    def envelope(
        self,
        operation: str,
        status: Status,
        *,
        recipient: Org | None = None,
        app_data: Iterable[etree._Element] = (),
        app_document: AppDocument | None = None,
        request_id_ref: str | None = None,
        origin_request_id_ref: str | None = None,
        type_code: TypeCode = TypeCode.GSRV,
        exchange_type: str = "2",
        case_number: str | None = None,
        service: ServiceRef | None = None,
        test: bool = False,
        oktmo: str | None = None,
        date: datetime | None = None,
    ) -> bytes:
        """A signed request of ``operation``; control calls go to the gateway itself (D5)."""
        message = Message(
            sender=self.org,
            recipient=recipient or self.gateway,
            service=service,
            type_code=type_code,
            status=status,
            date=date or datetime.now(UTC),
            exchange_type=exchange_type,
            request_id_ref=request_id_ref,
            origin_request_id_ref=origin_request_id_ref,
            case_number=case_number,
            test_msg=test,
            oktmo=oktmo,
        )
        return sign_message(self.tns, operation, message, self.key, self.cert, app_data,
                            app_document)

    def control(self, operation: str, *, request_id_ref: str | None = None,
                app_data: Iterable[etree._Element] = ()) -> bytes:
        """A control call (Get*, Ack, GetStatus, GetQueueStatistics): PING, OTHR, type 0."""
        return self.envelope(operation, Status.PING, request_id_ref=request_id_ref,
                             app_data=app_data, type_code=TypeCode.OTHR, exchange_type="0")

