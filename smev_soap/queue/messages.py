"""Accepting messages into queues, their stored envelopes and the idempotency lookup (D6, D10)."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from smev_soap.db_direct import DirectStatement
from smev_soap.queue.models import (
    REQUEST,
    REQUESTS,
    RESPONSES,
    Message,
    MessagePart,
)
from smev_soap.queue.store import write_accepted


def compress(data: bytes) -> bytes:
    """zlib at its fastest level: every accepted message pays it."""
    return zlib.compress(data, 1)

_MESSAGES = Message.__table__
_FIND_DUPLICATE = DirectStatement(
    "find_duplicate",
    select(_MESSAGES.c.id)
    .where(_MESSAGES.c.sender_code == bindparam("sender"),
           _MESSAGES.c.body_digest == bindparam("digest"),
           _MESSAGES.c.created_at >= bindparam("since", type_=_MESSAGES.c.created_at.type))
)


@dataclass(frozen=True)
class Queued:
    """A message just accepted into a queue (what :func:`enqueue` wrote, minus the bytes)."""

    id: str
    kind_id: int | None
    sender_code: str
    recipient_code: str
    message_class: str
    status: str
    chain_id: str
    request_id_ref: str | None
    case_number: str | None
    test: bool
    body_digest: str | None
    created_at: datetime


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
    events: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> Queued | None:
    """Store a message under a new gateway id, queue it for ``recipient`` and journal
    ``events`` about it (journal entries; their message and chain ids are filled in).

    None when the sender's message with this ``body_digest`` is already stored (a concurrent
    copy committed first, D10); nothing is written then.

    Requests go to the recipient's ``requests`` queue, everything else to its ``responses``
    queue; ``chain_id`` defaults to the new id (the message opens its chain).
    """
    created = (now or datetime.now(UTC)).astimezone(UTC)
    message_id = str(uuid.uuid1())
    chain_id = chain_id or message_id
    queued = Queued(
        id=message_id, kind_id=kind_id, sender_code=sender, recipient_code=recipient,
        message_class=message_class, status=status, chain_id=chain_id,
        request_id_ref=request_id_ref, case_number=case_number, test=test,
        body_digest=body_digest, created_at=created,
    )
    stored = write_accepted(
        session,
        {**queued.__dict__, "envelope": compress(envelope)},
        REQUESTS if message_class == REQUEST else RESPONSES,
        events,
    )
    return queued if stored else None


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
        .values(delivery_envelope_z=compress(envelope))
    )
    if stored.rowcount:
        return envelope
    compressed = session.scalar(select(Message.delivery_envelope_z).where(Message.id == message_id))
    if compressed is None:
        raise LookupError(f"message {message_id} does not exist")
    return zlib.decompress(compressed)


def find_duplicate(
    session: Session, sender: str, body_digest: str, since: datetime
) -> str | None:
    """The id of the sender's message with the same Body digest accepted since ``since``."""
    return _FIND_DUPLICATE.scalar(session, {
        "sender": sender, "digest": body_digest, "since": since,
    })


def store_parts(session: Session, message_id: str, parts: dict[str, bytes]) -> None:
    """Keep the multipart parts that came with the message, by Content-ID."""
    session.add_all(MessagePart(message_id=message_id, content_id=content_id,
                                content_z=compress(content))
                    for content_id, content in parts.items())


def message_parts(session: Session, message_id: str) -> tuple[tuple[str, bytes], ...]:
    """The message's stored parts as (Content-ID, bytes), in Content-ID order."""
    rows = session.scalars(select(MessagePart).where(MessagePart.message_id == message_id)
                           .order_by(MessagePart.content_id))
    return tuple((row.content_id, row.content) for row in rows)
