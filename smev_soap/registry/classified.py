"""The classified list (гриф, D14): namespaces and roots whose traffic is never processed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.models import ClassifiedEntry


def add_classified(
    session: Session, namespace: str, root: str | None, actor: str
) -> ClassifiedEntry:
    """List a namespace (every root when ``root`` is None) or one root as classified."""
    if not namespace.strip():
        raise RegistryError("a classified entry needs a namespace")
    duplicate = session.scalars(
        select(ClassifiedEntry.id).where(
            ClassifiedEntry.namespace == namespace,
            ClassifiedEntry.root_element.is_(None) if root is None
            else ClassifiedEntry.root_element == root,
        )
    ).first()
    if duplicate is not None:
        raise RegistryError(f"{_label(namespace, root)} is already classified")
    entry = ClassifiedEntry(namespace=namespace, root_element=root, added_by=actor,
                            added_at=datetime.now(UTC))
    session.add(entry)
    registry_changed(session, actor, f"classified {_label(namespace, root)}")
    return entry


def is_classified(session: Session, namespace: str, root: str) -> bool:
    """True when the namespace as a whole or this root in it is on the classified list."""
    return session.scalars(
        select(ClassifiedEntry.id).where(
            ClassifiedEntry.namespace == namespace,
            or_(ClassifiedEntry.root_element.is_(None), ClassifiedEntry.root_element == root),
        ).limit(1)
    ).first() is not None


def _label(namespace: str, root: str | None) -> str:
    return f"{{{namespace}}}{root}" if root else f"namespace {namespace}"
