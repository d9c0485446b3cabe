"""Delivery format (SMEV.md §2.2, D6) and the gateway's status messages (R8).

A delivered message is the received envelope with the gateway's ``smev:Header`` and its
actor-``recipient`` signature block added; the sender's block and Body stay as received, so the
sender's signature verifies at the recipient. It is built once, at first delivery, and stored:
every redelivery carries the same bytes (D7).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy.orm import Session

from smev_soap.envelope.build import build_header, new_header
from smev_soap.envelope.model import Message, MessageClass, Org, Status, TypeCode
from smev_soap.journal.events import EventType, entry
from smev_soap.queue import RESPONSE, Queued, enqueue, store_delivery_envelope
from smev_soap.queue import Message as QueuedMessage
from smev_soap.service.answers import signed_message
from smev_soap.service.gateway import Gateway
from smev_soap.wsse.smev2 import add_recipient_signature
from smev_soap.xml.ns import SOAP
from smev_soap.xml.safe import parse_xml

# Stored envelopes passed the size cap once; this only guards the re-parse.
_STORED_LIMIT = 512 * 1024 * 1024


def build_delivery_envelope(gateway: Gateway, message: QueuedMessage) -> bytes:
    """The received envelope + ``smev:Header`` + the gateway's actor-recipient signature."""
    root = parse_xml(message.envelope, max_bytes=_STORED_LIMIT)
    header = root.find(f"{{{SOAP}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP}}}Header")
        root.find(f"{{{SOAP}}}Body").addprevious(header)
    message_class = MessageClass.REQUEST if message.message_class == "REQUEST" else \
        MessageClass.RESPONSE
    smev_header = build_header(
        new_header(gateway.settings.node_id, message.id, message_class, message.created_at),
        parent=header,
    )
    add_recipient_signature(root, gateway.key, gateway.cert, smev_header)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def delivery_envelope(session: Session, gateway: Gateway, message: QueuedMessage) -> bytes:
    """The stored delivery envelope, built and stored on first delivery."""
    stored = message.delivery_envelope
    if stored is not None:
        return stored
    return store_delivery_envelope(session, message.id, build_delivery_envelope(gateway, message))


def send_status_message(
    session: Session,
    gateway: Gateway,
    request: QueuedMessage,
    status: Status,
    app_data: Iterable[etree._Element],
    detail: str,
) -> Queued:
    """Queue a gateway-signed status message about ``request`` for its sender (R8)."""
    message = Message(
        sender=gateway.org,
        recipient=Org(request.sender_code, request.sender_code),
        type_code=TypeCode.OTHR,
        status=status,
        date=datetime.now(UTC),
        exchange_type="0",
        request_id_ref=request.id,
        origin_request_id_ref=request.chain_id,
        case_number=request.case_number,
        test_msg=request.test,
    )
    envelope = signed_message(gateway, f"{{{gateway.tns}}}SendResponse", message, app_data)
    queued = enqueue(
        session, sender=gateway.code, recipient=request.sender_code, message_class=RESPONSE,
        status=status.value, envelope=envelope, kind_id=request.kind_id,
        chain_id=request.chain_id, request_id_ref=request.id, case_number=request.case_number,
        test=request.test,
        events=[entry(EventType.STATUS_SENT, participant=request.sender_code, actor=gateway.code,
                      detail=f"{status.value}: {detail}")],
    )
    assert queued is not None  # a gateway-made message has no idempotency key to collide on
    return queued
