"""``smev-soap participant|kind|grant|classified``: the operator's registry commands."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.errors import CommandError
from smev_soap.config import load_settings
from smev_soap.crypto import Certificate, CryptoError
from smev_soap.db import Database

T = TypeVar("T")


def register(commands: argparse._SubParsersAction) -> None:
    participant = commands.add_parser("participant", help="participants of the exchange")
    actions = participant.add_subparsers(dest="participant_command", required=True,
                                         metavar="ACTION")
    add = actions.add_parser("add", help="register a participant with its certificates")
    add.add_argument("--code", required=True, help="9-character code, [A-Z0-9]{4}\\d{5}")
    add.add_argument("--name", required=True)
    add.add_argument("--cert", required=True, action="append", type=Path, metavar="CERT.pem",
                     help="signing certificate (repeat for several)")
    add.set_defaults(handler=_participant_add)
    block = actions.add_parser("block", help="restrict a participant's work")
    block.add_argument("code")
    block.add_argument("--reason", required=True)
    block.set_defaults(handler=_participant_block)
    unblock = actions.add_parser("unblock", help="lift a block")
    unblock.add_argument("code")
    unblock.set_defaults(handler=_participant_unblock)
    actions.add_parser("list", help="list participants").set_defaults(handler=_participant_list)

    kind = commands.add_parser("kind", help="kinds of information (виды сведений)")
    actions = kind.add_subparsers(dest="kind_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register a kind of information")
    add.add_argument("--namespace", required=True, metavar="URI")
    add.add_argument("--root", required=True, metavar="ELEMENT")
    add.add_argument("--xsd", required=True, type=Path, metavar="FILE")
    add.add_argument("--provider", required=True, action="append", metavar="CODE[:OKTMO]")
    add.add_argument("--name")
    add.add_argument("--service", metavar="MNEMONIC")
    add.add_argument("--lenient-attachments", action="store_true",
                     help="report attachment digest mismatches as warnings (D13)")
    add.set_defaults(handler=_kind_add)
    actions.add_parser("list", help="list kinds of information").set_defaults(handler=_kind_list)

    grant = commands.add_parser("grant", help="allow a participant a kind of information")
    grant.add_argument("--participant", required=True, metavar="CODE")
    grant.add_argument("--kind", required=True, metavar="URI", help="the kind's namespace")
    grant.add_argument("--root", metavar="ELEMENT")
    grant.add_argument("--role", choices=(registry.CONSUMER, registry.PROVIDER), default=registry.CONSUMER)
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


def _read(path: Path, reader: Callable[[Path], T]) -> T:
    try:
        return reader(path)
    except (OSError, CryptoError, ValueError) as error:
        raise CommandError(f"cannot read {path}: {error}") from error


def _participant_add(args: argparse.Namespace) -> int:
    certificates = [_read(path, Certificate.from_file) for path in args.cert]
    with registry_session() as session:
        registry.add_participant(session, args.code, args.name, certificates, operator())
    print(f"participant {args.code} registered with {len(certificates)} certificate(s)")
    return 0


def _participant_block(args: argparse.Namespace) -> int:
    with registry_session() as session:
        registry.block_participant(session, args.code, args.reason, operator())
    print(f"participant {args.code} blocked")
    return 0


def _participant_unblock(args: argparse.Namespace) -> int:
    with registry_session() as session:
        registry.unblock_participant(session, args.code, operator())
    print(f"participant {args.code} unblocked")
    return 0


def _participant_list(_args: argparse.Namespace) -> int:
    with registry_session() as session:
        for p in registry.list_participants(session):
            reason = f" ({p.status_reason})" if p.status_reason else ""
            print(f"{p.code}\t{p.status}{reason}\t{p.name}")
    return 0


def _provider(spec: str) -> tuple[str, str | None]:
    code, _, oktmo = spec.partition(":")
    return code, oktmo or None


def _kind_add(args: argparse.Namespace) -> int:
    xsd = _read(args.xsd, lambda path: path.read_text(encoding="utf-8"))
    with registry_session() as session:
        registry.add_kind(
            session, args.namespace, args.root, xsd, [_provider(p) for p in args.provider],
            operator(), name=args.name, service_mnemonic=args.service,
            strict_attachments=not args.lenient_attachments,
        )
    print(f"kind {{{args.namespace}}}{args.root} registered")
    return 0


def _kind_list(_args: argparse.Namespace) -> int:
    with registry_session() as session:
        for kind in registry.list_kinds(session):
            providers = ", ".join(p.participant_code + (f":{p.oktmo_prefix}" if p.oktmo_prefix
                                                        else "") for p in kind.providers)
            service = f"\tservice {kind.service_mnemonic}" if kind.service_mnemonic else ""
            print(f"{{{kind.namespace}}}{kind.root_element}\t{kind.name}\t"
                  f"providers {providers}{service}")
    return 0


def _grant(args: argparse.Namespace) -> int:
    with registry_session() as session:
        kind = registry.resolve_kind(session, args.kind, args.root)
        registry.grant(session, args.participant, kind, args.role, operator(),
                       allow_test=args.allow_test)
        label = f"{{{kind.namespace}}}{kind.root_element}"
    print(f"{args.participant} may act as {args.role} of {label}")
    return 0


def _classified_add(args: argparse.Namespace) -> int:
    with registry_session() as session:
        registry.add_classified(session, args.namespace, args.root, operator())
    print(f"classified: {args.namespace}" + (f" {args.root}" if args.root else ""))
    return 0
