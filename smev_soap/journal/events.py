"""Appending events to the journal and reading a message chain's history (R4)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from smev_soap.db_direct import DirectStatement, insert_rows, per_count, row_values
from smev_soap.journal.models import JournalEvent

EVENT_COLUMNS = ("at", "event", "participant", "actor", "message_id", "chain_id", "error_code",
                 "detail", "digest")


class EventType(StrEnum):
    """What happened; stored as its value."""

    RECEIVED = "received"
    VERIFIED = "verified"
    REFUSED = "refused"
    QUEUED = "queued"
    DELIVERED = "delivered"
    REDELIVERED = "redelivered"
    ACKED = "acked"
    ANSWERED = "answered"
    DEAD_LETTERED = "dead_lettered"
    CANCELLED = "cancelled"
    DUPLICATE = "duplicate"
    STATUS_SENT = "status_sent"
    REGISTRY_CHANGE = "registry_change"


def entry(
    event: EventType,
    *,
    participant: str | None = None,
    actor: str | None = None,
    message_id: str | None = None,
    chain_id: str | None = None,
    error_code: str | None = None,
    detail: str | None = None,
    digest: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One event's column values, not yet written (see :func:`record_rows`)."""
    return {
        "at": (at or datetime.now(UTC)).astimezone(UTC),
        "event": EventType(event).value,
        "participant": participant,
        "actor": actor,
        "message_id": message_id,
        "chain_id": chain_id,
        "error_code": error_code,
        "detail": detail,
        "digest": digest,
    }


def record(session: Session, event: EventType, **fields: Any) -> JournalEvent:
    """Append one event inside the caller's transaction (no lock; the id orders events).

    ``fields`` are those of :func:`entry`. Returns the event as written, with its ``id``
    (detached from the session).
    """
    values = entry(event, **fields)
    ident = session.connection().execute(_INSERT_EVENT_RETURNING_ID, values).scalar_one()
    return JournalEvent(id=ident, **values)


_INSERT_EVENT_RETURNING_ID = insert(JournalEvent.__table__).returning(JournalEvent.__table__.c.id)


@per_count
def _insert_events(count: int) -> DirectStatement:
    return insert_rows(f"insert_{count}_journal_events", JournalEvent.__table__, EVENT_COLUMNS,
                       count)


def record_rows(session: Session, entries: list[dict[str, Any]]) -> None:
    """Insert events in one statement, run directly (the hot path's journal write)."""
    if entries:
        _insert_events(len(entries)).run(session, row_values(entries, EVENT_COLUMNS))


def history(session: Session, message_id: str) -> list[JournalEvent]:
    """Every event of the message's chain (or of the message alone), oldest first."""
    chain_id = session.scalars(
        select(JournalEvent.chain_id)
        .where(JournalEvent.message_id == message_id, JournalEvent.chain_id.is_not(None))
        .limit(1)
    ).first()
    condition = JournalEvent.message_id == message_id
    if chain_id is not None:
        condition = or_(condition, JournalEvent.chain_id == chain_id)
    return list(session.scalars(select(JournalEvent).where(condition).order_by(JournalEvent.id)))
