"""What the registry commands share: one transaction per command (a refusal writes nothing), the
operator's name, reading and writing files, dates and kind names, the shape of an action group
and the printing of a record's fields."""

from __future__ import annotations

import argparse
import functools
import getpass
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO, TypeVar

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.errors import CommandError
from smev_soap.config import load_settings
from smev_soap.crypto import CryptoError
from smev_soap.db import Database

T = TypeVar("T")
Handler = Callable[[argparse.Namespace], int]
CLARK = re.compile(r"\{(?P<namespace>[^}]+)\}(?P<root>.+)")


def action_group(commands: argparse._SubParsersAction, name: str,
                 text: str) -> argparse._SubParsersAction:
    """``smev-soap NAME ACTION``: the actions of the group (``args.NAME_command`` is the one run)."""
    parser = commands.add_parser(name, help=text)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def add_action(actions: argparse._SubParsersAction, name: str, text: str, handler: Handler,
               *positionals: str, **defaults: object) -> argparse.ArgumentParser:
    """The action ``name`` run by ``handler``, with plain positional arguments; ``defaults`` are
    set beside the handler. Further options are added to the parser returned."""
    parser = actions.add_parser(name, help=text)
    for positional in positionals:
        parser.add_argument(positional)
    parser.set_defaults(handler=handler, **defaults)
    return parser


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


def registry_command(body: Callable[[argparse.Namespace, Session], str | None]) -> Handler:
    """A handler whose ``body`` runs in one ``registry_session``; the line the body returns (if
    any) is printed once the transaction has committed. Exit code 0."""

    @functools.wraps(body)
    def handler(args: argparse.Namespace) -> int:
        with registry_session() as session:
            line = body(args, session)
        if line is not None:
            print(line)
        return 0

    return handler


def print_fields(fields: Iterable[tuple[str, object]]) -> None:
    """One ``label<TAB>value`` line a field."""
    for label, value in fields:
        print(f"{label}\t{value}")


def print_given(fields: Iterable[tuple[str, object]]) -> None:
    """One ``label:<TAB>value`` line a field whose value is not None."""
    for label, value in fields:
        if value is not None:
            print(f"{label}:\t{value}")


def read(path: Path, reader: Callable[[Path], T]) -> T:
    """``reader(path)``, with an unreadable file as a CommandError."""
    try:
        return reader(path)
    except (OSError, CryptoError, ValueError) as error:
        raise CommandError(f"cannot read {path}: {error}") from error


def read_text(path: Path | None) -> str | None:
    return None if path is None else read(path, lambda p: p.read_text(encoding="utf-8"))


def open_input(path: Path) -> BinaryIO:
    """``path`` opened for reading bytes, with an unreadable file as a CommandError."""
    try:
        return path.open("rb")
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error


@contextmanager
def output(path: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or a file that appears only when complete."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as stream:
            yield stream
        partial.replace(path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from error
    finally:
        partial.unlink(missing_ok=True)


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
