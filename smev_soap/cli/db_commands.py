"""``smev-soap db upgrade|downgrade|current``."""

from __future__ import annotations

import argparse

from smev_soap import migrate
from smev_soap.config import load_settings
from smev_soap.db import Database


def register(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database schema migrations").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    up = db.add_parser("upgrade", help="apply migrations (default: to the newest revision)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=_upgrade)
    down = db.add_parser("downgrade", help="revert migrations to REVISION (base = empty)")
    down.add_argument("revision")
    down.set_defaults(handler=_downgrade)
    db.add_parser("current", help="print the database's revision").set_defaults(handler=_current)


def _database() -> Database:
    return Database(load_settings().database_url)


def _upgrade(args: argparse.Namespace) -> int:
    database = _database()
    migrate.upgrade(database, args.revision)
    print(f"database at revision {migrate.current(database)}")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    database = _database()
    migrate.downgrade(database, args.revision)
    print(f"database at revision {migrate.current(database) or 'base'}")
    return 0


def _current(_args: argparse.Namespace) -> int:
    print(migrate.current(_database()) or "base")
    return 0
