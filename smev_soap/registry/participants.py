"""Participants (участники): registration, details, status life cycle (R15)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.certificates import (
    CertificateInfo,
    certificate_row,
    check_new_certificates,
)
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.models import (
    ACTIVE,
    BLOCKED,
    CATEGORIES,
    PENDING,
    REGIONAL,
    SUSPENDED,
    Participant,
)

CODE_PATTERN = re.compile(r"[A-Z0-9]{4}\d{5}")
STATUSES = (PENDING, ACTIVE, SUSPENDED, BLOCKED)
#: Details ``update_participant`` may change.
DETAILS = ("name", "system_name", "category", "contacts")


def check_code(code: str) -> str:
    if not CODE_PATTERN.fullmatch(code):
        raise RegistryError(f"participant code {code!r} does not match [A-Z0-9]{{4}}\\d{{5}}")
    return code


def add_participant(
    session: Session, code: str, name: str, certificates: Sequence[CertificateInfo], actor: str,
    *, system_name: str | None = None, category: str = REGIONAL, contacts: str | None = None,
    status: str = ACTIVE,
) -> Participant:
    """Register a participant (organisation ``name``, its system) with at least one certificate.

    ``status`` is ``active`` or ``pending`` (connected on application, activated later).
    """
    check_code(code)
    if not name.strip():
        raise RegistryError("a participant needs a name")
    _check_category(category)
    if status not in (ACTIVE, PENDING):
        raise RegistryError(f"a new participant is {ACTIVE} or {PENDING}, not {status!r}")
    if not certificates:
        raise RegistryError(f"participant {code}: at least one certificate is required")
    if session.get(Participant, code) is not None:
        raise RegistryError(f"participant {code} is already registered")
    check_new_certificates(session, certificates)
    participant = Participant(
        code=code, name=name.strip(), system_name=_text(system_name), category=category,
        contacts=_text(contacts), status=status, status_changed_by=actor,
        status_changed_at=datetime.now(UTC),
    )
    session.add(participant)
    for certificate in certificates:
        session.add(certificate_row(code, certificate))
    registry_changed(session, actor, f"participant {code} added ({status}): {name.strip()}", code)
    return participant


def update_participant(session: Session, code: str, actor: str, **details: str | None
                       ) -> Participant:
    """Change a participant's details (``name``, ``system_name``, ``category``, ``contacts``)."""
    participant = require_participant(session, code)
    unknown = sorted(set(details) - set(DETAILS))
    if unknown:
        raise RegistryError(f"a participant has no detail {', '.join(unknown)}")
    changes = {key: _text(value) for key, value in details.items()
               if _text(value) != getattr(participant, key)}
    if not changes:
        raise RegistryError(f"participant {code}: nothing to change")
    if "name" in changes and changes["name"] is None:
        raise RegistryError("a participant needs a name")
    if "category" in changes:
        _check_category(changes["category"] or "")
    for key, value in changes.items():
        setattr(participant, key, value)
    registry_changed(session, actor, f"participant {code} updated: {', '.join(changes)}", code)
    return participant


def activate_participant(session: Session, code: str, actor: str) -> Participant:
    """Let a pending participant work."""
    participant = require_participant(session, code)
    if participant.status != PENDING:
        raise RegistryError(f"participant {code} is {participant.status}, not {PENDING}")
    return _set_status(session, participant, ACTIVE, None, actor)


def suspend_participant(session: Session, code: str, reason: str, actor: str) -> Participant:
    """Suspend an active participant's work for a while (приостановление)."""
    participant = require_participant(session, code)
    if participant.status != ACTIVE:
        raise RegistryError(f"participant {code} is {participant.status}, not {ACTIVE}")
    return _set_status(session, participant, SUSPENDED, _reason(reason, "suspending"), actor)


def block_participant(session: Session, code: str, reason: str, actor: str) -> Participant:
    """Restrict a participant's work (R15); takes effect on its next request (D21)."""
    participant = require_participant(session, code)
    reason = _reason(reason, "blocking")
    if participant.status == BLOCKED:
        raise RegistryError(f"participant {code} is already {BLOCKED}")
    return _set_status(session, participant, BLOCKED, reason, actor)


def unblock_participant(session: Session, code: str, actor: str) -> Participant:
    """Lift a block or a suspension."""
    participant = require_participant(session, code)
    if participant.status not in (BLOCKED, SUSPENDED):
        raise RegistryError(f"participant {code} is already {participant.status}")
    return _set_status(session, participant, ACTIVE, None, actor)


def get_participant(session: Session, code: str) -> Participant | None:
    return session.get(Participant, code)


def require_participant(session: Session, code: str) -> Participant:
    return registered(session.get(Participant, code), f"participant {code}")


def list_participants(session: Session, status: str | None = None) -> list[Participant]:
    query = select(Participant).order_by(Participant.code)
    if status is not None:
        query = query.where(Participant.status == status)
    return list(session.scalars(query))


def _set_status(
    session: Session, participant: Participant, status: str, reason: str | None, actor: str
) -> Participant:
    participant.status = status
    participant.status_reason = reason
    participant.status_changed_by = actor
    participant.status_changed_at = datetime.now(UTC)
    detail = f"participant {participant.code} {status}" + (f": {reason}" if reason else "")
    registry_changed(session, actor, detail, participant.code)
    return participant


def _check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise RegistryError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")


def _reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise RegistryError(f"{what} needs a reason")
    return reason.strip()


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None
