import pytest
from sqlalchemy import select, text

from smev_soap import migrate
from smev_soap.db import Database
from smev_soap.meta import RegistryVersion


def test_single_migration_head():
    assert len(migrate.heads()) == 1


def test_migrated_database_has_the_registry_version_row(database):
    with database.transaction() as session:
        assert session.scalars(select(RegistryVersion.version)).one() == 0


def test_transaction_rolls_back_on_error(database):
    with pytest.raises(RuntimeError), database.transaction() as session:
        session.execute(text("UPDATE registry_version SET version = 42"))
        raise RuntimeError("boom")
    with database.transaction() as session:
        assert session.scalars(select(RegistryVersion.version)).one() == 0


def _upgrade_downgrade_round_trip(db: Database) -> None:
    migrate.upgrade(db)
    assert migrate.current(db) == migrate.heads()[0]
    migrate.downgrade(db, "base")
    assert migrate.current(db) is None
    migrate.upgrade(db)
    assert migrate.current(db) == migrate.heads()[0]


def test_upgrade_and_downgrade_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    _upgrade_downgrade_round_trip(db)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_upgrade_and_downgrade_on_postgresql(scratch_pg_url):
    db = Database(scratch_pg_url)
    try:
        _upgrade_downgrade_round_trip(db)
        assert db.engine.dialect.driver == "psycopg2"
    finally:
        db.dispose()


def _copies_stored_before_the_unique_key(db: Database) -> None:
    """Migration 0007 builds its unique index over messages stored before it: of copies with
    one key, the first keeps its digest."""
    migrate.upgrade(db, "0006")
    insert = text(
        "INSERT INTO message (id, sender_code, recipient_code, message_class, status, chain_id,"
        " test, body_digest, envelope, created_at) VALUES (:id, 'MFCA00001', 'SOCZ00001',"
        " 'REQUEST', 'REQUEST', :id, false, :digest, :envelope, :at)")
    with db.engine.begin() as connection:
        for ident, digest, at in (("m1", "ZGln", "2026-01-01 10:00:00"),
                                  ("m2", "ZGln", "2026-01-01 10:00:05"),
                                  ("m3", "b3Ro", "2026-01-01 10:00:06"),
                                  ("m4", None, "2026-01-01 10:00:07")):
            connection.execute(insert, {"id": ident, "digest": digest, "envelope": b"x",
                                        "at": at})
    migrate.upgrade(db)
    with db.engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, body_digest FROM message")).all())
    assert rows == {"m1": "ZGln", "m2": None, "m3": "b3Ro", "m4": None}


def test_unique_key_migration_keeps_earlier_copies_on_sqlite(tmp_path):
    _copies_stored_before_the_unique_key(Database(f"sqlite:///{tmp_path / 'b.db'}"))


@pytest.mark.postgres
def test_unique_key_migration_keeps_earlier_copies_on_postgresql(scratch_pg_url):
    db = Database(scratch_pg_url)
    try:
        _copies_stored_before_the_unique_key(db)
    finally:
        db.dispose()
