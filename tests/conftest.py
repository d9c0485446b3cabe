"""Shared fixtures: databases on both backends (D18)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from smev_soap import migrate
from smev_soap.db import Database

PG_ADMIN_URL = os.environ.get(
    "SMEV_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin_engine():
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg2")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def temporary_pg_database() -> Iterator[str]:
    """Create a PostgreSQL database, yield its URL, drop it afterwards."""
    name = f"smev_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {error}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {error}")
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The run's PostgreSQL database, shared by the tests through ``pg_database``."""
    with temporary_pg_database() as url:
        yield url


@pytest.fixture
def scratch_pg_url() -> Iterator[str]:
    """A PostgreSQL database of the test's own (for schema changes)."""
    with temporary_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_database(pg_url: str) -> Iterator[Database]:
    """The run's PostgreSQL database with every migration applied."""
    database = Database(pg_url)
    migrate.upgrade(database)
    yield database
    database.dispose()


def _empty_tables(database: Database) -> None:
    tables = [t for t in reversed(migrate.target_metadata().sorted_tables)
              if t.name != "registry_version"]
    with database.engine.begin() as connection:
        if database.dialect == "postgresql" and tables:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        connection.execute(text("UPDATE registry_version SET version = 0"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A migrated, empty database on each backend in turn."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'smev.db'}")
        migrate.upgrade(db)
        yield db
        db.dispose()
    else:
        db = request.getfixturevalue("pg_database")
        _empty_tables(db)
        yield db


