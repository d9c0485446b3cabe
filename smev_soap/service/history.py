"""A message chain's state and history: final answers (D8) and journal events (R4)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.envelope.appdata import HistoryEvent
from smev_soap.envelope.model import Status
from smev_soap.journal.events import history
from smev_soap.queue import REQUEST, RESPONSE
from smev_soap.queue import Message as QueuedMessage

FINAL = (Status.RESULT.value, Status.REJECT.value)


def final_answer(session: Session, request: QueuedMessage) -> QueuedMessage | None:
    """The provider's RESULT or REJECT to ``request``, if it has one."""
    return session.scalars(
        select(QueuedMessage)
        .where(QueuedMessage.chain_id == request.chain_id,
               QueuedMessage.request_id_ref == request.id,
               QueuedMessage.message_class == RESPONSE,
               QueuedMessage.sender_code == request.recipient_code,
               QueuedMessage.status.in_(FINAL))
        .order_by(QueuedMessage.created_at.desc())
        .limit(1)
    ).first()


def cancellation(session: Session, request: QueuedMessage) -> QueuedMessage | None:
    """The cancellation of ``request`` queued for its provider, if its sender sent one."""
    return session.scalars(
        select(QueuedMessage)
        .where(QueuedMessage.chain_id == request.chain_id,
               QueuedMessage.request_id_ref == request.id,
               QueuedMessage.message_class == REQUEST,
               QueuedMessage.sender_code == request.sender_code,
               QueuedMessage.status == Status.CANCEL.value)
        .limit(1)
    ).first()


def event(message_id: str, kind: str, participant: str | None, status: Status | None = None,
          *, detail: str | None = None) -> HistoryEvent:
    """One history entry stamped now."""
    return HistoryEvent(time=datetime.now(UTC), type=kind, message_id=message_id,
                        participant=participant, status=status.value if status else None,
                        detail=detail)


def chain_events(session: Session, message_id: str) -> list[HistoryEvent]:
    """The journal of the message's chain, as History entries."""
    return [
        HistoryEvent(
            time=row.at,  # UtcDateTime: always timezone-aware
            type=row.event, message_id=row.message_id or message_id,
            participant=row.participant, code=row.error_code, detail=row.detail,
        )
        for row in history(session, message_id)
    ]
