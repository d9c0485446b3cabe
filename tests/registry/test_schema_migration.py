"""The migrations create exactly the tables the registry, queue and journal models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from smev_soap import migrate


def test_migrations_match_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, migrate.target_metadata()) == []

