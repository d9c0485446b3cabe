"""Every answer of a SOAP face is a SMEV-2 message signed by the gateway (D5, D11)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from smev_soap.envelope.appdata import build_error
from smev_soap.envelope.build import build_message_envelope
from smev_soap.envelope.model import Message, Org, Status, TypeCode
from smev_soap.errors import SmevRefusal
from smev_soap.service.gateway import Gateway
from smev_soap.wsse.smev2 import sign_envelope


@dataclass(frozen=True)
class Addressee:
    """Who an answer goes to and what it repeats of the request (its operation's namespace)."""

    namespace: str
    operation: str
    recipient: Org
    type_code: TypeCode = TypeCode.OTHR
    exchange_type: str = "0"
    case_number: str | None = None
    test: bool = False

    @classmethod
    def of(cls, namespace: str, operation: str, message: Message) -> Addressee:
        return cls(namespace, operation, message.sender, message.type_code, message.exchange_type,
                   message.case_number, message.test_msg)


def signed_message(
    gateway: Gateway,
    tag: str,
    message: Message,
    app_data: Iterable[etree._Element] = (),
) -> bytes:
    """A complete SOAP envelope ``tag(Message, MessageData)`` signed by the gateway."""
    envelope = build_message_envelope(tag, message, list(app_data) or None).envelope
    sign_envelope(envelope, gateway.key, gateway.cert)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def answer(
    gateway: Gateway,
    to: Addressee,
    status: Status,
    *,
    request_id_ref: str | None = None,
    origin_request_id_ref: str | None = None,
    app_data: Iterable[etree._Element] = (),
) -> bytes:
    """The gateway's answer ``<Operation>Response`` to ``to``."""
    message = Message(
        sender=gateway.org,
        recipient=to.recipient,
        type_code=to.type_code,
        status=status,
        date=datetime.now(UTC),
        exchange_type=to.exchange_type,
        request_id_ref=request_id_ref,
        origin_request_id_ref=origin_request_id_ref,
        case_number=to.case_number,
        test_msg=to.test,
    )
    return signed_message(gateway, f"{{{to.namespace}}}{to.operation}Response", message,
                          app_data)


def refusal_answer(
    gateway: Gateway, to: Addressee, refusal: SmevRefusal, *, request_id_ref: str | None = None
) -> bytes:
    """INVALID / REJECT / FAILURE with ``AppData/Error`` (D12)."""
    error = refusal.error
    return answer(
        gateway, to, Status(error.status), request_id_ref=request_id_ref,
        app_data=[build_error(error.code, error.ru, error.en, refusal.detail or None)],
    )
