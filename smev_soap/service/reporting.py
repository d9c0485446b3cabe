"""GetStatus (a message chain's history, R4) and GetQueueStatistics (R10)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select

from smev_soap.envelope.appdata import QueueStats, build_history, build_queue_statistics
from smev_soap.envelope.model import Status
from smev_soap.errors import SmevRefusal
from smev_soap.queue import Message as QueuedMessage
from smev_soap.queue import queue_statistics
from smev_soap.service.answers import answer
from smev_soap.service.gateway import Gateway
from smev_soap.service.history import chain_events
from smev_soap.service.inbound import Inbound
from smev_soap.service.sending import require_status


def get_status(gateway: Gateway, inbound: Inbound) -> bytes:
    """The history of ``RequestIdRef`` and its chain: for its sender and recipient only, and
    only the events of the chain's messages the caller sent or received."""
    require_status(inbound, Status.PING)
    message_id = inbound.message.request_id_ref
    if not message_id:
        raise SmevRefusal("RSMEV-113", "RequestIdRef names the message")
    with gateway.reading() as session:
        message = session.get(QueuedMessage, message_id)
        if message is None:
            raise SmevRefusal("RSMEV-500", message_id)
        root = session.get(QueuedMessage, message.chain_id) or message
        parties = {message.sender_code, message.recipient_code, root.sender_code,
                   root.recipient_code}
        if inbound.sender not in parties:
            raise SmevRefusal("RSMEV-309", f"{inbound.sender} is not a party of {message_id}")
        # Only the chain's messages the caller sent or received: a sub-request to another
        # provider joined to this chain stays that provider's and its consumer's business.
        own = set(session.scalars(select(QueuedMessage.id).where(
            QueuedMessage.chain_id == message.chain_id,
            or_(QueuedMessage.sender_code == inbound.sender,
                QueuedMessage.recipient_code == inbound.sender))))
        events = [e for e in chain_events(session, message_id) if e.message_id in own]
    return answer(gateway, inbound.addressee, Status.RESULT, request_id_ref=message_id,
                  origin_request_id_ref=message.chain_id,
                  app_data=[build_history(message_id, events)])


def get_queue_statistics(gateway: Gateway, inbound: Inbound) -> bytes:
    """Pending, leased and dead-lettered counts of the caller's two queues."""
    require_status(inbound, Status.PING)
    with gateway.reading() as session:
        counts = queue_statistics(session, inbound.sender)
    stats = [QueueStats(name, c.pending, c.leased, c.dead) for name, c in counts.items()]
    return answer(gateway, inbound.addressee, Status.RESULT,
                  app_data=[build_queue_statistics(datetime.now(UTC), stats)])
