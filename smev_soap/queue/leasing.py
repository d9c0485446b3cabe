"""Leasing, acknowledging, cancelling and dead-lettering queue items (D7, D8, D16).

``lease`` is one ``UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING`` on both backends; on
PostgreSQL the sub-select is ``FOR UPDATE SKIP LOCKED`` so concurrent pollers never take the same
item, on SQLite ``BEGIN IMMEDIATE`` serialises writers. States are written as SQL literals so that
both planners can use the partial indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import literal_column, or_, select, update
from sqlalchemy.orm import Session

from smev_soap.queue.models import (
    ACKED,
    CANCELLED,
    DEAD,
    LEASED,
    PENDING,
    REQUESTS,
    Message,
    QueueItem,
)

_PENDING = literal_column("'pending'")
_LEASED = literal_column("'leased'")
_OPEN = QueueItem.state.in_([_PENDING, _LEASED])


@dataclass(frozen=True)
class LeasedItem:
    """A message handed out under a lease; ``delivery_count`` > 1 means a redelivery."""

    message: Message
    queue_name: str
    delivery_count: int
    lease_until: datetime

    @property
    def is_redelivery(self) -> bool:
        return self.delivery_count > 1


@dataclass(frozen=True)
class DeadLetter:
    """An item given up after ``max_deliveries`` leases expired unacknowledged."""

    message: Message
    owner_code: str
    queue_name: str
    delivery_count: int


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"  # withdrawn before any delivery
    DELIVERED = "delivered"  # already handed to the recipient (leased, acked or dead)
    CLOSED = "closed"  # cancelled before
    NOT_FOUND = "not_found"  # no such request from this sender


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def lease(
    session: Session,
    owner: str,
    queue: str,
    *,
    lease_seconds: int,
    now: datetime | None = None,
    kind_filter: int | None = None,
    chain_id: str | None = None,
) -> LeasedItem | None:
    """Lease the owner's oldest deliverable item (pending, or leased with an expired lease)."""
    now = _utc(now)
    candidate = (
        select(QueueItem.id)
        .where(QueueItem.owner_code == owner, QueueItem.queue_name == queue, _OPEN,
               or_(QueueItem.state == _PENDING, QueueItem.lease_until < now))
        .order_by(QueueItem.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if kind_filter is not None:
        candidate = candidate.where(QueueItem.kind_id == kind_filter)
    if chain_id is not None:
        candidate = candidate.where(QueueItem.chain_id == chain_id)
    until = now + timedelta(seconds=lease_seconds)
    leased = session.execute(
        update(QueueItem)
        .where(QueueItem.id == candidate.scalar_subquery())
        .values(state=LEASED, delivery_count=QueueItem.delivery_count + 1, lease_until=until)
        .returning(QueueItem.message_id, QueueItem.delivery_count)
        .execution_options(synchronize_session=False)
    ).first()
    if leased is None:
        return None
    message = session.get(Message, leased.message_id)
    assert message is not None  # the foreign key guarantees it
    return LeasedItem(message, queue, leased.delivery_count, until)


def ack(session: Session, owner: str, message_id: str, *, now: datetime | None = None) -> bool:
    """Take the message out of the owner's queue; False when it is not there unacknowledged."""
    result = session.execute(
        update(QueueItem)
        .where(QueueItem.message_id == message_id, QueueItem.owner_code == owner, _OPEN)
        .values(state=ACKED, acked_at=_utc(now), lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def cancel(session: Session, sender: str, message_id: str) -> CancelOutcome:
    """Withdraw the sender's request if it has not been delivered yet."""
    item = session.execute(
        select(QueueItem.id, QueueItem.state)
        .join(Message, Message.id == QueueItem.message_id)
        .where(QueueItem.message_id == message_id, QueueItem.queue_name == REQUESTS,
               Message.sender_code == sender)
    ).first()
    if item is None:
        return CancelOutcome.NOT_FOUND
    if item.state == PENDING:
        withdrawn = session.execute(
            update(QueueItem)
            .where(QueueItem.id == item.id, QueueItem.state == PENDING)
            .values(state=CANCELLED)
            .execution_options(synchronize_session=False)
        ).rowcount
        return CancelOutcome.CANCELLED if withdrawn else CancelOutcome.DELIVERED
    return CancelOutcome.CLOSED if item.state == CANCELLED else CancelOutcome.DELIVERED


def expire_and_dead_letter(
    session: Session, max_deliveries: int, now: datetime | None = None
) -> list[DeadLetter]:
    """Move items whose last allowed lease expired to ``dead``; the caller notifies senders."""
    expired = (
        select(QueueItem.id)
        .where(QueueItem.state == _LEASED, QueueItem.lease_until < _utc(now),
               QueueItem.delivery_count >= max_deliveries)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(QueueItem)
        .where(QueueItem.id.in_(expired.scalar_subquery()))
        .values(state=DEAD, lease_until=None)
        .returning(QueueItem.message_id, QueueItem.owner_code, QueueItem.queue_name,
                   QueueItem.delivery_count)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        return []
    messages = {m.id: m for m in session.scalars(
        select(Message).where(Message.id.in_([row.message_id for row in rows])))}
    return [DeadLetter(messages[row.message_id], row.owner_code, row.queue_name,
                       row.delivery_count) for row in rows]
