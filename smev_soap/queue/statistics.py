"""Queue depth per participant (R10, ``GetQueueStatistics``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.orm import Session

from smev_soap.queue.models import DEAD, LEASED, PENDING, REQUESTS, RESPONSES, QueueItem


@dataclass
class QueueCounts:
    pending: int = 0
    leased: int = 0  # including leases that expired and wait for redelivery
    dead: int = 0


def queue_statistics(session: Session, owner: str) -> dict[str, QueueCounts]:
    """Pending, leased and dead counts of the owner's ``requests`` and ``responses`` queues."""
    counts = {REQUESTS: QueueCounts(), RESPONSES: QueueCounts()}
    rows = session.execute(
        select(QueueItem.queue_name, QueueItem.state, func.count())
        .where(QueueItem.owner_code == owner,
               or_(QueueItem.state.in_([literal_column(f"'{PENDING}'"),
                                        literal_column(f"'{LEASED}'")]),
                   QueueItem.state == literal_column(f"'{DEAD}'")))
        .group_by(QueueItem.queue_name, QueueItem.state)
    )
    for queue_name, state, count in rows:
        setattr(counts.setdefault(queue_name, QueueCounts()), state, count)
    return counts
