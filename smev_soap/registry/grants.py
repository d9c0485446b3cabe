"""Minimal access grants (participant × kind × role) until agreements arrive (R11, D14, D17)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.models import (
    CONSUMER,
    PROVIDER,
    AccessGrant,
    KindOfInformation,
    Participant,
)

ROLES = (CONSUMER, PROVIDER)


def grant(
    session: Session,
    participant_code: str,
    kind: KindOfInformation,
    role: str,
    actor: str,
    *,
    allow_test: bool = False,
) -> AccessGrant:
    """Grant (or re-grant with a new ``allow_test``) a role on a kind to a participant."""
    if session.get(Participant, participant_code) is None:
        raise RegistryError(f"participant {participant_code} is not registered")
    row = put_grant(session, participant_code, kind, role, actor, allow_test=allow_test)
    test = " with test traffic" if allow_test else ""
    registry_changed(
        session, actor,
        f"{participant_code} granted {role} of {{{kind.namespace}}}{kind.root_element}{test}",
        participant_code,
    )
    return row


def put_grant(
    session: Session,
    participant_code: str,
    kind: KindOfInformation,
    role: str,
    actor: str,
    *,
    allow_test: bool = False,
) -> AccessGrant:
    """Create or update a grant row without journalling (the caller notes the change)."""
    if role not in ROLES:
        raise RegistryError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    row = session.scalars(
        select(AccessGrant).where(
            AccessGrant.participant_code == participant_code,
            AccessGrant.kind_id == kind.id,
            AccessGrant.role == role,
        )
    ).first()
    if row is None:
        row = AccessGrant(participant_code=participant_code, kind_id=kind.id, role=role)
        session.add(row)
    row.allow_test = allow_test
    row.granted_by = actor
    row.granted_at = datetime.now(UTC)
    return row


def is_granted(
    session: Session, participant_code: str, kind: KindOfInformation, role: str,
    *, test: bool = False,
) -> bool:
    """May the participant act in ``role`` on ``kind`` (for test traffic, when ``test``)?"""
    query = select(AccessGrant.id).where(
        AccessGrant.participant_code == participant_code,
        AccessGrant.kind_id == kind.id,
        AccessGrant.role == role,
    )
    if test:
        query = query.where(AccessGrant.allow_test.is_(True))
    return session.scalars(query.limit(1)).first() is not None
