"""The bench's world: a scratch PostgreSQL database and a var dir with the demo keys and registry.

Everything stays on the loopback interface: a PostgreSQL URL naming another host is refused.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from smev_soap import migrate
from smev_soap.config import Settings, load_settings
from smev_soap.db import Database
from smev_soap.demo import (
    DEMO_AGENCY,
    DEMO_MFC,
    demo_participant_keys,
    ensure_gateway_keys,
    load_demo_registry,
)

ADMIN_URL = os.environ.get("SMEV_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def require_loopback(url: str) -> None:
    host = make_url(url).host or "localhost"
    if host not in LOOPBACK:
        raise SystemExit(f"bench: {host} is not the loopback interface; refusing to run")


@contextmanager
def scratch_database() -> Iterator[str]:
    """Create ``smev_bench_<random>``, yield its URL, drop it afterwards."""
    require_loopback(ADMIN_URL)
    name = f"smev_bench_{secrets.token_hex(6)}"
    admin = create_engine(make_url(ADMIN_URL).set(drivername="postgresql+psycopg2"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        raise SystemExit(f"bench: PostgreSQL unreachable at {ADMIN_URL} (SMEV_BENCH_PG_URL): "
                         f"{error.orig}") from None
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def prepare(var_dir: Path, database_url: str) -> Settings:
    """Export the ``SMEV_*`` settings for this process and its children; migrate; load the demo.

    The gateway's key, the demo CA and the demo МФЦ and agency keys are made under ``var_dir``.
    """
    os.environ.update({
        "SMEV_VAR_DIR": str(var_dir),
        "SMEV_DATABASE_URL": database_url,
        # One МФЦ sends everything here: its quota is raised above any rate the bench reaches,
        # while the limiter itself still runs on every request (D21).
        "SMEV_RATE_LIMIT": "1000000",
        "SMEV_RATE_BURST": "1000000",
    })
    settings = load_settings()
    database = Database(database_url)
    try:
        migrate.upgrade(database)
        ensure_gateway_keys(settings)
        for who in (DEMO_MFC, DEMO_AGENCY):
            demo_participant_keys(settings, who)
        load_demo_registry(settings, database)
    finally:
        database.dispose()
    return settings
