"""Migration 0003 turns the minimal grants into agreements (D17), and back on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from smev_soap import migrate
from smev_soap.db import Database

GRANTED_AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
ROWS = [  # participant, role, allow_test
    ("PFRS00001", "provider", False),
    ("MFCA00001", "consumer", True),
    ("MFCB00001", "consumer", False),
]


def _seed(connection) -> None:
    now = {"at": GRANTED_AT}
    for code, _, _ in ROWS:
        connection.execute(text(
            "INSERT INTO participant (code, name, status, status_changed_at) "
            "VALUES (:code, :code, 'active', :at)"), {"code": code, **now})
    connection.execute(text(
        "INSERT INTO kind_of_information (id, namespace, root_element, name, xsd, xsd_sha256, "
        "strict_attachments, multi_root, created_at) VALUES (1, 'urn://x/income/1.2.0', 'R', "
        "'R', '<xs:schema/>', 'h', true, false, :at)"), now)
    for code, role, allow_test in ROWS:
        connection.execute(text(
            "INSERT INTO access_grant (participant_code, kind_id, role, allow_test, granted_by, "
            "granted_at) VALUES (:code, 1, :role, :test, 'op', :at)"),
            {"code": code, "role": role, "test": allow_test, **now})


def _round_trip(database: Database) -> None:
    migrate.upgrade(database, "0002")
    with database.engine.begin() as connection:
        _seed(connection)
    migrate.upgrade(database, "0003")
    with database.engine.connect() as connection:
        agreements = connection.execute(text(
            "SELECT a.number, a.participant_code, a.valid_from, a.valid_to, k.role, k.allow_test "
            "FROM agreement a JOIN agreement_kind k ON k.agreement_id = a.id "
            "ORDER BY a.number")).all()
        version = connection.execute(text(
            "SELECT version FROM kind_of_information")).scalar()
    assert [(n, c, str(f), t, r, bool(a)) for n, c, f, t, r, a in agreements] == [
        ("MFCA00001/1", "MFCA00001", "2026-11-02", None, "consumer", True),
        ("MFCB00001/1", "MFCB00001", "2026-11-02", None, "consumer", False),
        ("PFRS00001/1", "PFRS00001", "2026-11-02", None, "provider", False),
    ]
    assert version == "1.2.0"
    migrate.downgrade(database, "0002")
    with database.engine.connect() as connection:
        grants = connection.execute(text(
            "SELECT participant_code, role, allow_test FROM access_grant "
            "ORDER BY participant_code")).all()
    assert [(c, r, bool(a)) for c, r, a in grants] == sorted(ROWS)


def test_grants_become_agreements_on_sqlite(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        _round_trip(database)
    finally:
        database.dispose()


@pytest.mark.postgres
def test_grants_become_agreements_on_postgresql(scratch_pg_url):
    database = Database(scratch_pg_url)
    try:
        _round_trip(database)
    finally:
        database.dispose()
