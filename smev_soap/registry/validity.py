"""Dates and moments at which registry decisions change without a registry change.

Agreements are valid by calendar day (UTC); certificates by their registered validity. The
per-process registry cache (D21) keeps a view only until :func:`next_validity_change`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smev_soap.registry.agreement_models import Agreement
from smev_soap.registry.models import ParticipantCertificate


def today(at: datetime | None = None) -> date:
    """The calendar day (UTC) agreements are judged on."""
    return (at or datetime.now(UTC)).astimezone(UTC).date()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def next_validity_change(session: Session, now: datetime) -> datetime | None:
    """The first moment after ``now`` when a certificate or an agreement starts or ends."""
    day = today(now)
    moments = [
        session.scalar(select(func.min(ParticipantCertificate.valid_from))
                       .where(ParticipantCertificate.valid_from > now)),
        session.scalar(select(func.min(ParticipantCertificate.valid_to))
                       .where(ParticipantCertificate.valid_to > now)),
    ]
    starts = session.scalar(select(func.min(Agreement.valid_from))
                            .where(Agreement.valid_from > day))
    ends = session.scalar(select(func.min(Agreement.valid_to)).where(Agreement.valid_to >= day))
    days = [start_of(starts) if starts else None,
            start_of(ends + timedelta(days=1)) if ends else None]
    found = [moment for moment in moments + days if moment is not None]
    return min(found) if found else None
