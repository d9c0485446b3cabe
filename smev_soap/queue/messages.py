"""Accepting messages into queues, their stored envelopes and the idempotency lookup (D6, D10)."""

from __future__ import annotations

import uuid
import zlib
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from smev_soap.queue.models import (
    PENDING,
    REQUEST,
    REQUESTS,
    RESPONSES,
    Message,
    MessagePart,
    QueueItem,
)

_INSERT_MESSAGE = insert(Message.__table__)
_INSERT_ITEM = insert(QueueItem.__table__)
_MESSAGES = Message.__table__
_FIND_DUPLICATE = (
    select(_MESSAGES.c.id)
    .where(_MESSAGES.c.sender_code == bindparam("sender"),
           _MESSAGES.c.body_digest == bindparam("digest"),
           _MESSAGES.c.created_at >= bindparam("since"))
    .order_by(_MESSAGES.c.created_at)
    .limit(1)
)


def enqueue(
    session: Session,
    *,
    sender: str,
    recipient: str,
    message_class: str,
    status: str,
    envelope: bytes,
    kind_id: int | None = None,
    chain_id: str | None = None,
    request_id_ref: str | None = None,
    case_number: str | None = None,
    test: bool = False,
    body_digest: str | None = None,
    now: datetime | None = None,
) -> Message:
    """Store a message under a new gateway id and queue it for ``recipient``.

    Returns the stored row as a detached object (read it; it is not in the session).

    Requests go to the recipient's ``requests`` queue, everything else to its ``responses``
    queue; ``chain_id`` defaults to the new id (the message opens its chain).
    """
    created = (now or datetime.now(UTC)).astimezone(UTC)
    message_id = str(uuid.uuid1())
    chain_id = chain_id or message_id
    envelope_z = zlib.compress(envelope)
    # Core inserts: the hot path pays no unit-of-work bookkeeping for rows it never changes.
    connection = session.connection()
    connection.execute(_INSERT_MESSAGE, {
        "id": message_id, "kind_id": kind_id, "sender_code": sender,
        "recipient_code": recipient, "message_class": message_class, "status": status,
        "chain_id": chain_id, "request_id_ref": request_id_ref, "case_number": case_number,
        "test": test, "body_digest": body_digest, "envelope": envelope_z, "created_at": created,
    })
    connection.execute(_INSERT_ITEM, {
        "message_id": message_id, "owner_code": recipient,
        "queue_name": REQUESTS if message_class == REQUEST else RESPONSES, "kind_id": kind_id,
        "chain_id": chain_id, "state": PENDING, "delivery_count": 0, "created_at": created,
    })
    return Message(
        id=message_id, kind_id=kind_id, sender_code=sender, recipient_code=recipient,
        message_class=message_class, status=status, chain_id=chain_id,
        request_id_ref=request_id_ref, case_number=case_number, test=test,
        body_digest=body_digest, envelope_z=envelope_z, created_at=created,
    )


def get_message(session: Session, message_id: str) -> Message | None:
    return session.get(Message, message_id)


def store_delivery_envelope(session: Session, message_id: str, envelope: bytes) -> bytes:
    """Keep the delivery-format envelope built at first delivery; return the one stored.

    When another delivery stored one first, that one wins, so every redelivery carries the
    same bytes (D7).
    """
    stored = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.delivery_envelope_z.is_(None))
        .values(delivery_envelope_z=zlib.compress(envelope))
    )
    if stored.rowcount:
        return envelope
    compressed = session.scalar(select(Message.delivery_envelope_z).where(Message.id == message_id))
    if compressed is None:
        raise LookupError(f"message {message_id} does not exist")
    return zlib.decompress(compressed)


def lock_idempotency_key(session: Session, sender: str, body_digest: str) -> None:
    """Serialise transactions over one (sender, digest) until commit, so that concurrent copies
    of a message cannot both miss :func:`find_duplicate` (SQLite's writers are serial anyway)."""
    if session.bind.dialect.name == "postgresql":
        session.connection().exec_driver_sql(
            "SELECT pg_advisory_xact_lock(hashtextextended(%(key)s, 0))",
            {"key": f"{sender}\n{body_digest}"},
        )


def find_duplicate(
    session: Session, sender: str, body_digest: str, since: datetime
) -> str | None:
    """The id of the sender's message with the same Body digest accepted since ``since``."""
    return session.connection().execute(_FIND_DUPLICATE, {
        "sender": sender, "digest": body_digest, "since": since.astimezone(UTC),
    }).scalar()


def store_parts(session: Session, message_id: str, parts: dict[str, bytes]) -> None:
    """Keep the multipart parts that came with the message, by Content-ID."""
    session.add_all(MessagePart(message_id=message_id, content_id=content_id,
                                content_z=zlib.compress(content))
                    for content_id, content in parts.items())


def message_parts(session: Session, message_id: str) -> tuple[tuple[str, bytes], ...]:
    """The message's stored parts as (Content-ID, bytes), in Content-ID order."""
    rows = session.scalars(select(MessagePart).where(MessagePart.message_id == message_id)
                           .order_by(MessagePart.content_id))
    return tuple((row.content_id, row.content) for row in rows)
