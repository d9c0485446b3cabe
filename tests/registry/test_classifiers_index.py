"""Reading a classifier, whole or changes since a version, reads its rows through indexes (D24)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import event, text

from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.classifiers import classifier_items


def _versions(session) -> None:
    rows = [f"{i:08d},item {i}," for i in range(300)]
    for version in range(3):
        changed = [r.replace("item", f"v{version}") if i % 7 == version else r
                   for i, r in enumerate(rows)]
        data = "code,value,parent_code\n" + "\n".join(changed[version:]) + "\n"
        import_classifier(session, "IDX", io.BytesIO(data.encode()), "csv", "tester")


def _statements(database, session, since) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "classifier_item" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        classifier_items(session, "IDX", since)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return seen


#: SQLite: the indexes each query of classifier_items() reads (whole; since: new, removed)
INDEXES = {None: [["ix_classifier_item_live"]],
           1: [["ix_classifier_item_added", "ix_classifier_item_code"],
               ["ix_classifier_item_removed", "ix_classifier_item_live"]]}


@pytest.mark.parametrize("since", [None, 1])
def test_item_queries_use_indexes(database, since):
    with database.transaction() as session:
        _versions(session)
        statements = _statements(database, session, since)
        connection = session.connection()
        for (statement, parameters), indexes in zip(statements, INDEXES[since], strict=True):
            if database.dialect == "sqlite":
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                used = [re.search(r"USING INDEX (\w+)", row[-1]) for row in plan]
                assert [m.group(1) for m in used if m] == indexes
                assert "SCAN" not in str(plan)
            else:
                connection.execute(text("SET LOCAL enable_seqscan = off"))
                plan = " | ".join(row[0] for row in connection.exec_driver_sql(
                    f"EXPLAIN {statement}", parameters))
                assert "Seq Scan on classifier_item" not in plan, plan
