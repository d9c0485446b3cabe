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
