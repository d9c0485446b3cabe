"""Replay guard for control calls (D10): a signed poll or Ack is good for one exchange only.

``SendRequest``/``SendResponse`` repeats get the original ACCEPT (idempotency); a repeated
``GetRequest``, ``GetResponse``, ``Ack``… would let whoever captured it lease the sender's next
message, so the same signed Body of the same sender is refused within the window.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from smev_soap.db import Base, UtcDateTime


class ControlCall(Base):
    """A control call already answered: the sender and the DigestValue of its signed Body."""

    __tablename__ = "control_call"

    sender_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    body_digest: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)


def first_use(session: Session, sender: str, body_digest: str, now: datetime) -> bool:
    """Remember the call; False when the same sender sent the same signed Body before."""
    try:
        with session.begin_nested():
            session.connection().execute(insert(ControlCall.__table__), {
                "sender_code": sender, "body_digest": body_digest, "received_at": now})
    except IntegrityError:
        return False
    return True


def forget_before(session: Session, moment: datetime) -> int:
    """Drop calls older than the idempotency window (their Date is refused as stale anyway)."""
    return session.execute(
        delete(ControlCall).where(ControlCall.received_at < moment)
    ).rowcount
