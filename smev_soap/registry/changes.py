"""Every registry change bumps ``registry_version`` (D21) and is journalled with its author."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smev_soap.db_direct import DirectStatement
from smev_soap.journal import EventType, record
from smev_soap.meta import RegistryVersion

REGISTRY_VERSION_ROW = 1
_READ_VERSION = DirectStatement(
    "read_registry_version",
    select(RegistryVersion.version).where(RegistryVersion.id == REGISTRY_VERSION_ROW))


def registry_changed(
    session: Session, actor: str, detail: str, participant: str | None = None
) -> None:
    """Note a change made in ``session``: one version bump and one ``registry_change`` event."""
    now = datetime.now(UTC)
    session.execute(
        update(RegistryVersion)
        .where(RegistryVersion.id == REGISTRY_VERSION_ROW)
        .values(version=RegistryVersion.version + 1, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    record(session, EventType.REGISTRY_CHANGE, participant=participant, actor=actor,
           detail=detail, at=now)


def registry_version(session: Session) -> int:
    """The current version; a per-process registry cache revalidates against it (D21)."""
    # Read on every request (D21), hence a direct statement.
    version = _READ_VERSION.scalar(session, {})
    if version is None:
        raise LookupError("the registry_version row is missing; run the migrations")
    return version
