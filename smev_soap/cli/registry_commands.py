"""``smev-soap grant|classified`` and what every registry command shares: one transaction per
command (a refusal writes nothing), the operator's name, reading files, dates and kind names."""

from __future__ import annotations

import argparse
import getpass
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.errors import CommandError
from smev_soap.config import load_settings
from smev_soap.crypto import CryptoError
from smev_soap.db import Database

T = TypeVar("T")
CLARK = re.compile(r"\{(?P<namespace>[^}]+)\}(?P<root>.+)")


def register(commands: argparse._SubParsersAction) -> None:
    grant = commands.add_parser(
        "grant", help="allow a participant a kind of information (extends its agreement)")
    grant.add_argument("--participant", required=True, metavar="CODE")
    grant.add_argument("--kind", required=True, metavar="URI", help="the kind's namespace")
    grant.add_argument("--root", metavar="ELEMENT")
    grant.add_argument("--role", choices=(registry.CONSUMER, registry.PROVIDER),
                       default=registry.CONSUMER)
    grant.add_argument("--allow-test", action="store_true", help="allow test messages (D14)")
    grant.set_defaults(handler=_grant)

    classified = commands.add_parser("classified", help="the classified list (гриф)")
    actions = classified.add_subparsers(dest="classified_command", required=True,
                                        metavar="ACTION")
    add = actions.add_parser("add", help="list a namespace (or one root in it) as classified")
    add.add_argument("--namespace", required=True, metavar="URI")
    add.add_argument("--root", metavar="ELEMENT")
    add.set_defaults(handler=_classified_add)


def operator() -> str:
    """Who makes a change from the command line (journalled)."""
    return f"cli:{getpass.getuser()}"


@contextmanager
def registry_session() -> Iterator[Session]:
    """One transaction on the configured database; a refused change becomes a CommandError."""
    database = Database(load_settings().database_url)
    try:
        with database.transaction() as session:
            yield session
    except registry.RegistryError as error:
        raise CommandError(str(error)) from error
    finally:
        database.dispose()


def read(path: Path, reader: Callable[[Path], T]) -> T:
    """``reader(path)``, with an unreadable file as a CommandError."""
    try:
        return reader(path)
    except (OSError, CryptoError, ValueError) as error:
        raise CommandError(f"cannot read {path}: {error}") from error


def read_text(path: Path | None) -> str | None:
    return None if path is None else read(path, lambda p: p.read_text(encoding="utf-8"))


def day(text: str) -> date:
    """An argparse type: a calendar day ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def moment(text: str) -> datetime:
    """An argparse type: an ISO 8601 moment, UTC unless it names its offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date/time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def kind_named(session: Session, name: str) -> registry.KindOfInformation:
    """The kind named ``URI`` (when the namespace has one kind) or ``{URI}Root``."""
    found = CLARK.fullmatch(name)
    if found:
        return registry.resolve_kind(session, found["namespace"], found["root"])
    return registry.resolve_kind(session, name)


def service_named(session: Session, sid: str) -> registry.ElectronicService:
    service = registry.get_service(session, sid)
    if service is None:
        raise registry.RegistryError(f"service {sid} is not registered")
    return service


def _grant(args: argparse.Namespace) -> int:
    with registry_session() as session:
        kind = registry.resolve_kind(session, args.kind, args.root)
        entry = registry.grant(session, args.participant, kind, args.role, operator(),
                               allow_test=args.allow_test)
        label, number = kind.label, entry.agreement.number
    print(f"{args.participant} may act as {args.role} of {label} (agreement {number})")
    return 0


def _classified_add(args: argparse.Namespace) -> int:
    with registry_session() as session:
        registry.add_classified(session, args.namespace, args.root, operator())
    print(f"classified: {args.namespace}" + (f" {args.root}" if args.root else ""))
    return 0
