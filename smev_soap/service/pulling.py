"""GetRequest, GetResponse and Ack: taking messages out of the queues (D6–D8).

A delivery is a gateway-signed answer whose AppData holds ``Delivery{MessageId, DeliveryCount,
Envelope}``, the exact bytes of the delivery-format envelope; its Status repeats the inner one.
An empty queue is Status ``PROCESS`` with no Delivery. A message leaves its queue only on Ack.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.envelope.appdata import (
    Delivery,
    build_delivery,
    build_history,
    find_types_element,
    parse_selector,
)
from smev_soap.envelope.model import Status
from smev_soap.errors import SmevRefusal
from smev_soap.journal.events import EventType, record
from smev_soap.queue import (
    ACKED,
    REQUEST,
    REQUESTS,
    RESPONSES,
    LeasedItem,
    QueueItem,
    ack,
    lease,
    message_parts,
)
from smev_soap.queue import Message as QueuedMessage
from smev_soap.registry import find_kind, find_kind_by_service
from smev_soap.service import history as chain_history
from smev_soap.service.answers import answer
from smev_soap.service.delivery import delivery_envelope, send_status_message
from smev_soap.service.gateway import Gateway
from smev_soap.service.inbound import Inbound
from smev_soap.service.sending import require_status


@dataclass(frozen=True)
class Handed:
    """A message handed to the caller in this exchange."""

    message: QueuedMessage
    delivery_count: int
    envelope: bytes
    attachments: tuple[tuple[str, bytes], ...]


def _kind_filter(session: Session, inbound: Inbound) -> int | None:
    selector = parse_selector(find_types_element(inbound.parsed.app_data, "Selector"))
    if selector.namespace_uri:
        kind = find_kind(session, selector.namespace_uri, selector.root_local_name or "")
    elif selector.service_mnemonic:
        kind = find_kind_by_service(session, selector.service_mnemonic)
    else:
        return None
    if kind is None:
        raise SmevRefusal("RSMEV-303", f"selector {selector}")
    return kind.id


def _hand_over(session: Session, gateway: Gateway, inbound: Inbound, item: LeasedItem) -> Handed:
    """Build (once) the delivery envelope, journal the delivery, tell a request's sender."""
    message = item.message
    envelope = delivery_envelope(session, gateway, message)
    event = EventType.REDELIVERED if item.is_redelivery else EventType.DELIVERED
    record(session, event, participant=inbound.sender, actor=gateway.code, message_id=message.id,
           chain_id=message.chain_id, detail=f"delivery {item.delivery_count}")
    if message.message_class == REQUEST and message.status == Status.REQUEST.value \
            and not item.is_redelivery:
        notice = chain_history.event(message.id, "delivered", inbound.sender, Status.STATE)
        send_status_message(session, gateway, message, Status.STATE,
                            [build_history(message.id, [notice])], "delivered to the provider")
    return Handed(message, item.delivery_count, envelope, message_parts(session, message.id))


def _delivery_answer(gateway: Gateway, inbound: Inbound, handed: Handed | None) -> bytes:
    if handed is None:
        return answer(gateway, inbound.addressee, Status.PROCESS,
                      request_id_ref=inbound.message.request_id_ref)
    message = handed.message
    return answer(
        gateway, inbound.addressee, Status(message.status), request_id_ref=message.id,
        origin_request_id_ref=message.chain_id,
        app_data=[build_delivery(Delivery(message.id, handed.delivery_count, handed.envelope,
                                          handed.attachments))],
    )


def get_request(gateway: Gateway, inbound: Inbound) -> bytes:
    """The provider's oldest deliverable request (optionally of one kind, by ``Selector``)."""
    require_status(inbound, Status.PING)
    with gateway.transaction() as session:
        item = lease(session, inbound.sender, REQUESTS,
                     lease_seconds=gateway.settings.lease_seconds,
                     kind_filter=_kind_filter(session, inbound))
        handed = _hand_over(session, gateway, inbound, item) if item else None
    return _delivery_answer(gateway, inbound, handed)


def _reread_final(session: Session, gateway: Gateway, request: QueuedMessage) -> Handed | None:
    """An acknowledged final answer is read again, never leased again (D8).

    Its DeliveryCount is the one its delivery reached (``xs:positiveInteger``: at least 1).
    """
    final = chain_history.final_answer(session, request)
    if final is None:
        return None
    delivered = session.scalar(
        select(QueueItem.delivery_count)
        .where(QueueItem.message_id == final.id, QueueItem.owner_code == request.sender_code,
               QueueItem.state == ACKED)
    )
    if delivered is None:  # leased to another poll right now: never two deliveries at once (D7)
        return None
    return Handed(final, max(delivered, 1), delivery_envelope(session, gateway, final),
                  message_parts(session, final.id))


def get_response(gateway: Gateway, inbound: Inbound) -> bytes:
    """The consumer's next answer or status message; with RequestIdRef, that chain's (D8)."""
    require_status(inbound, Status.PING)
    request_id = inbound.message.request_id_ref
    with gateway.transaction() as session:
        if not request_id:
            item = lease(session, inbound.sender, RESPONSES,
                         lease_seconds=gateway.settings.lease_seconds)
            handed = _hand_over(session, gateway, inbound, item) if item else None
        else:
            request = session.get(QueuedMessage, request_id)
            if request is None or request.sender_code != inbound.sender:
                raise SmevRefusal("RSMEV-500", f"request {request_id} of {inbound.sender}")
            item = lease(session, inbound.sender, RESPONSES, chain_id=request.chain_id,
                         lease_seconds=gateway.settings.lease_seconds)
            if item is not None:
                handed = _hand_over(session, gateway, inbound, item)
            else:
                handed = _reread_final(session, gateway, request)
    return _delivery_answer(gateway, inbound, handed)


def acknowledge(gateway: Gateway, inbound: Inbound) -> bytes:
    """Ack: the delivered message (``RequestIdRef``) leaves the caller's queue."""
    require_status(inbound, Status.PING, Status.ACCEPT)
    message_id = inbound.message.request_id_ref
    if not message_id:
        raise SmevRefusal("RSMEV-113", "RequestIdRef names the delivered message")
    with gateway.transaction() as session:
        if not ack(session, inbound.sender, message_id):
            raise SmevRefusal("RSMEV-501", message_id)
        acked = session.get(QueuedMessage, message_id)
        record(session, EventType.ACKED, participant=inbound.sender, actor=inbound.sender,
               message_id=message_id, chain_id=acked.chain_id if acked else None)
    return answer(gateway, inbound.addressee, Status.ACCEPT, request_id_ref=message_id)
