"""Shortcuts for queue tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smev_soap.queue import REQUEST, enqueue

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
LEASE = 60


def at(seconds: float) -> datetime:
    """T0 plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def put(session, *, sender="MFCA00001", recipient="PFRS00001", message_class=REQUEST,
        status="REQUEST", envelope=b"<Envelope/>", now=T0, **fields):
    """Enqueue a message with test defaults; returns its id."""
    return enqueue(session, sender=sender, recipient=recipient, message_class=message_class,
                   status=status, envelope=envelope, now=now, **fields).id
