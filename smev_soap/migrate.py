"""Schema migrations (Alembic, one history in ``smev_soap/migrations``; D17)."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData

from smev_soap.db import Base, Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Every module that declares tables; imported so that ``Base.metadata`` is complete.
MODEL_MODULES: tuple[str, ...] = (
    "smev_soap.meta",
    "smev_soap.journal.models",
    "smev_soap.registry.models",
    "smev_soap.registry.service_models",
    "smev_soap.registry.agreement_models",
    "smev_soap.registry.reference_models",
    "smev_soap.queue.models",
    "smev_soap.queue.replay",
)


def target_metadata() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata


def _config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _run(database: Database, action: str, revision: str) -> None:
    config = _config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (default: the newest)."""
    _run(database, "upgrade", revision)


def downgrade(database: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` drops everything)."""
    _run(database, "downgrade", revision)


def heads() -> list[str]:
    """The heads of the migration history (exactly one on main)."""
    return list(ScriptDirectory.from_config(_config(None)).get_heads())  # type: ignore[arg-type]


def current(database: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
