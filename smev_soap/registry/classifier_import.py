"""Importing a classifier file as its new version, in bounded memory and all or nothing.

Rows stream into ``classifier_staging`` in batches; set-based statements then check duplicates
and parents, close the rows that changed or went away and open the new ones. Everything runs in
the caller's transaction: a bad file leaves no version, no items and no staging rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy import and_, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.classifier_files import CountingReader, Row, csv_rows, xml_rows
from smev_soap.registry.classifiers import find_classifier
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.reference_models import (
    Classifier,
    ClassifierItem,
    ClassifierStaging,
    ClassifierVersion,
)

FORMATS = ("csv", "xml")
BATCH = 2000
READ_BUFFER = 64 * 1024
MAX_NAME = 100
CONTENT = ("value", "parent_code", "attributes", "valid_from", "valid_to")

Progress = Callable[[int, int], None]  # (rows read, bytes read)
ITEMS = ClassifierItem.__table__
STAGING = ClassifierStaging.__table__


def import_classifier(
    session: Session,
    name: str,
    stream: BinaryIO,
    fmt: str,
    actor: str,
    *,
    title: str | None = None,
    source: str | None = None,
    delimiter: str = ",",
    progress: Progress | None = None,
) -> ClassifierVersion:
    """Read a whole classifier from ``stream`` (``csv`` or ``xml``) as its next version.

    The classifier is created on its first import. Refused, with nothing written, on a
    malformed file, a bad row, a duplicate code, a parent code not in the file or no items.
    """
    if not name.strip() or len(name) > MAX_NAME or name != name.strip():
        raise RegistryError(f"a classifier name is 1 to {MAX_NAME} characters")
    if fmt not in FORMATS:
        raise RegistryError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    counting = CountingReader(stream)
    titles: list[str] = []
    reader = io.BufferedReader(counting, buffer_size=READ_BUFFER)
    rows = csv_rows(reader, delimiter) if fmt == "csv" else xml_rows(reader, name, titles)
    total = _stage(session, rows, counting, progress)
    if total == 0:
        raise RegistryError(f"the {fmt} file holds no items")
    _check_staged(session)
    classifier = _locked_classifier(session, name, title or (titles[0] if titles else None))
    version = _apply(session, classifier, total, source or f"{fmt} file", actor)
    registry_changed(session, actor, f"classifier {name} version {version.version} imported: "
                                     f"{version.items} items, +{version.added} "
                                     f"~{version.changed} -{version.removed}")
    return version


def _stage(session: Session, rows: Iterator[Row], counting: CountingReader,
           progress: Progress | None) -> int:
    session.execute(delete(STAGING))
    batch: list[Row] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            total += _flush(session, batch)
            if progress:
                progress(total, counting.count)
    total += _flush(session, batch)
    if progress:
        progress(total, counting.count)
    return total


def _flush(session: Session, batch: list[Row]) -> int:
    if not batch:
        return 0
    session.execute(insert(STAGING), batch)
    count = len(batch)
    batch.clear()
    return count


def _check_staged(session: Session) -> None:
    duplicate = session.execute(
        select(STAGING.c.code).group_by(STAGING.c.code).having(func.count() > 1).limit(1)
    ).scalar()
    if duplicate is not None:
        raise RegistryError(f"code {duplicate} appears more than once")
    parent = STAGING.alias("parent")
    orphan = session.execute(
        select(STAGING.c.row_number, STAGING.c.code, STAGING.c.parent_code)
        .where(STAGING.c.parent_code.is_not(None),
               ~select(parent.c.id).where(parent.c.code == STAGING.c.parent_code).exists())
        .order_by(STAGING.c.row_number).limit(1)
    ).first()
    if orphan is not None:
        raise RegistryError(f"item {orphan.row_number} ({orphan.code}): parent code "
                            f"{orphan.parent_code} is not in the file")


def _locked_classifier(session: Session, name: str, title: str | None) -> Classifier:
    classifier = find_classifier(session, name)
    if classifier is None:
        classifier = Classifier(name=name, title=title, current_version=0,
                                created_at=datetime.now(UTC))
        session.add(classifier)
        session.flush()
    else:
        session.refresh(classifier, with_for_update=True)
        if title:
            classifier.title = title
    return classifier


def _apply(session: Session, classifier: Classifier, total: int, source: str,
           actor: str) -> ClassifierVersion:
    number = classifier.current_version + 1
    live = and_(ITEMS.c.classifier_id == classifier.id, ITEMS.c.version_removed.is_(None))
    live_before = session.execute(select(func.count()).select_from(ITEMS).where(live)).scalar()
    matched = session.execute(select(func.count()).select_from(STAGING).where(
        select(ITEMS.c.id).where(live, ITEMS.c.code == STAGING.c.code).exists())).scalar()
    same = select(STAGING.c.id).where(
        STAGING.c.code == ITEMS.c.code,
        *(STAGING.c[column].is_not_distinct_from(ITEMS.c[column]) for column in CONTENT))
    closed = session.execute(
        update(ITEMS).where(live, ~same.exists()).values(version_removed=number)).rowcount
    columns = ("code", *CONTENT)
    opened = session.execute(insert(ITEMS).from_select(
        ("classifier_id", *columns, "version_added"),
        select(literal(classifier.id), *(STAGING.c[c] for c in columns), literal(number))
        .where(~select(ITEMS.c.id).where(live, ITEMS.c.code == STAGING.c.code).exists()),
    )).rowcount
    session.execute(delete(STAGING))
    changed = matched - (live_before - closed)
    version = ClassifierVersion(
        classifier_id=classifier.id, version=number, source=source[:500], items=total,
        added=opened - changed, changed=changed, removed=closed - changed,
        imported_by=actor, imported_at=datetime.now(UTC),
    )
    session.add(version)
    classifier.current_version = number
    session.flush()
    return version
