"""Classifiers (классификаторы и справочники НСИ, R14): the current items of a classifier, or
what changed since a version a connected system already holds."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased

from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.reference_models import Classifier, ClassifierItem, ClassifierVersion

ADDED = "added"
CHANGED = "changed"
REMOVED = "removed"
FETCH_BATCH = 2000


@dataclass(frozen=True)
class ClassifierEntry:
    """One item (позиция); ``change`` is set when reading changes since a version."""

    code: str
    value: str
    parent_code: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    valid_from: date | None = None
    valid_to: date | None = None
    change: str | None = None


@dataclass(frozen=True)
class ClassifierItems:
    """A classifier's items at ``version``: all of them, or the changes after ``since_version``."""

    name: str
    title: str | None
    version: int
    since_version: int | None
    items: list[ClassifierEntry]


def list_classifiers(session: Session) -> list[Classifier]:
    return list(session.scalars(select(Classifier).order_by(Classifier.name)))


def find_classifier(session: Session, name: str) -> Classifier | None:
    return session.scalars(select(Classifier).where(Classifier.name == name)).first()


def get_classifier(session: Session, name: str) -> Classifier:
    return registered(find_classifier(session, name), f"classifier {name}")


def classifier_versions(session: Session, name: str) -> list[ClassifierVersion]:
    """The imports of a classifier, oldest first."""
    return list(get_classifier(session, name).versions)


def classifier_items(
    session: Session, name: str, since_version: int | None = None
) -> ClassifierItems:
    """The current items (by code), or the items added, changed and removed after
    ``since_version`` (removed ones as they were last)."""
    classifier = get_classifier(session, name)
    return ClassifierItems(classifier.name, classifier.title, classifier.current_version,
                           since_version,
                           list(iter_classifier_items(session, classifier, since_version)))


def iter_classifier_items(
    session: Session, classifier: Classifier, since_version: int | None = None
) -> Iterator[ClassifierEntry]:
    """Stream the items of :func:`classifier_items` in code order (for large exports)."""
    if since_version is None:
        yield from _entries(session, _live(classifier), None)
        return
    if not 0 <= since_version <= classifier.current_version:
        raise RegistryError(f"classifier {classifier.name} has versions 0 to "
                            f"{classifier.current_version}, not {since_version}")
    yield from heapq.merge(_new_since(session, classifier, since_version),
                           _removed_since(session, classifier, since_version),
                           key=lambda entry: entry.code)


_COLUMNS = (ClassifierItem.code, ClassifierItem.value, ClassifierItem.parent_code,
            ClassifierItem.attributes, ClassifierItem.valid_from, ClassifierItem.valid_to)


def _live(classifier: Classifier) -> Select:
    return (select(*_COLUMNS)
            .where(ClassifierItem.classifier_id == classifier.id,
                   ClassifierItem.version_removed.is_(None))
            .order_by(ClassifierItem.code))


def _new_since(session: Session, classifier: Classifier, since: int) -> Iterator[ClassifierEntry]:
    """Live rows opened after ``since``: changed when the code had another live row then."""
    old = aliased(ClassifierItem)
    old_content = (old.value, old.parent_code, old.attributes, old.valid_from, old.valid_to)
    query = (
        select(*_COLUMNS, old.id, *old_content)
        # the old row by the code index of closed rows, one lookup per new row (``+ 0`` keeps
        # planners from ranging over the version indexes instead)
        .outerjoin(old, and_(old.classifier_id == ClassifierItem.classifier_id,
                             old.code == ClassifierItem.code, old.version_removed.is_not(None),
                             old.version_added + 0 <= since, old.version_removed + 0 > since))
        .where(ClassifierItem.classifier_id == classifier.id,
               ClassifierItem.version_removed.is_(None), ClassifierItem.version_added > since)
        # an expression, not the column: the planner then reads the rows added after ``since``
        # by the version index and sorts them, instead of walking the whole classifier by code
        .order_by(ClassifierItem.code + "")
    )
    for row in _stream(session, query):
        if row[6] is None:
            yield _entry(row, ADDED)
        elif tuple(row[1:6]) != tuple(row[7:]):  # back to what it was at ``since``: no change
            yield _entry(row, CHANGED)


def _removed_since(
    session: Session, classifier: Classifier, since: int
) -> Iterator[ClassifierEntry]:
    """Rows live at ``since`` and closed since, whose code has no live row now."""
    new = aliased(ClassifierItem)
    live_now = (select(new.id).where(new.classifier_id == ClassifierItem.classifier_id,
                                     new.code == ClassifierItem.code,
                                     new.version_removed.is_(None)).exists())
    query = (select(*_COLUMNS)
             .where(ClassifierItem.classifier_id == classifier.id,
                    ClassifierItem.version_removed > since,
                    ClassifierItem.version_added <= since, ~live_now)
             .order_by(ClassifierItem.code))
    yield from _entries(session, query, REMOVED)


def _entries(session: Session, query: Select, change: str | None) -> Iterator[ClassifierEntry]:
    for row in _stream(session, query):
        yield _entry(row, change)


def _stream(session: Session, query: Select) -> Iterator[Any]:
    """Rows fetched in batches (a server-side cursor on PostgreSQL)."""
    yield from session.execute(query.execution_options(yield_per=FETCH_BATCH))


def _entry(row: Any, change: str | None) -> ClassifierEntry:
    code, value, parent_code, attributes, valid_from, valid_to = row[:6]
    return ClassifierEntry(code, value, parent_code,
                           json.loads(attributes) if attributes else {},
                           valid_from, valid_to, change)
