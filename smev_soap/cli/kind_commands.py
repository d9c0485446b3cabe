"""``smev-soap kind``: kinds of information (виды сведений) and their versions."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.common import (
    action_group,
    add_action,
    kind_named,
    operator,
    print_fields,
    read_text,
    registry_command,
    registry_session,
)
from smev_soap.cli.errors import CommandError
from smev_soap.registry.kinds import CLASSIFICATIONS, SCOPES
from smev_soap.registry.models import PUBLIC, REGIONAL, STATE_SECRET

KIND_HELP = "the kind: its namespace URI, or {URI}Root when the namespace has several"


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "kind", "kinds of information (виды сведений)")
    add = add_action(actions, "add", "register a kind of information", _add,
                     classification=PUBLIC)
    add.add_argument("--namespace", required=True, metavar="URI")
    add.add_argument("--root", required=True, metavar="ELEMENT")
    add.add_argument("--xsd", required=True, type=Path, metavar="FILE")
    add.add_argument("--provider", required=True, action="append", metavar="CODE[:OKTMO]")
    add.add_argument("--name")
    add.add_argument("--version", help="default: the version ending the namespace URI")
    _classification(add)
    add.add_argument("--scope", choices=SCOPES, default=REGIONAL)
    add.add_argument("--service", metavar="MNEMONIC")
    add.add_argument("--lenient-attachments", action="store_true",
                     help="report attachment digest mismatches as warnings (D13)")

    version = add_action(actions, "add-version",
                         "register a new version of a kind beside the old one", _add_version)
    version.add_argument("kind", help=KIND_HELP)
    version.add_argument("--namespace", required=True, metavar="URI",
                         help="the new version's namespace")
    version.add_argument("--xsd", required=True, type=Path, metavar="FILE")
    version.add_argument("--version", help="default: the version ending the namespace URI")

    update = add_action(actions, "update", "change a kind's details", _update)
    update.add_argument("kind", help=KIND_HELP)
    update.add_argument("--name")
    _classification(update)
    update.add_argument("--scope", choices=SCOPES)
    strict = update.add_mutually_exclusive_group()
    strict.add_argument("--strict-attachments", dest="strict_attachments", action="store_true",
                        default=None)
    strict.add_argument("--lenient-attachments", dest="strict_attachments",
                        action="store_false")

    withdraw = add_action(actions, "withdraw", "withdraw a kind (its traffic is refused)",
                          _withdraw)
    withdraw.add_argument("kind", help=KIND_HELP)
    show = add_action(actions, "show", "a kind's details", _show)
    show.add_argument("kind", help=KIND_HELP)
    show.add_argument("--xsd", action="store_true", help="print the XSD too")
    add_action(actions, "list", "list kinds of information", _list)


def _classification(parser: argparse.ArgumentParser) -> None:
    # state-secret is accepted here only to be refused with the registry's own reason (R20)
    parser.add_argument("--classification", choices=(*CLASSIFICATIONS, STATE_SECRET))


def _provider(spec: str) -> tuple[str, str | None]:
    code, _, oktmo = spec.partition(":")
    return code, oktmo or None


def _add(args: argparse.Namespace) -> int:
    xsd = read_text(args.xsd) or ""
    with registry_session() as session:
        kind = registry.add_kind(
            session, args.namespace, args.root, xsd, [_provider(p) for p in args.provider],
            operator(), name=args.name, version=args.version,
            classification=args.classification, scope=args.scope,
            service_mnemonic=args.service, strict_attachments=not args.lenient_attachments,
        )
        version = kind.version
    print(f"kind {{{args.namespace}}}{args.root} version {version} registered")
    return 0


def _add_version(args: argparse.Namespace) -> int:
    xsd = read_text(args.xsd) or ""
    with registry_session() as session:
        previous = kind_named(session, args.kind)
        kind = registry.add_kind_version(session, previous, args.namespace, xsd, operator(),
                                         version=args.version)
        label, version, old = kind.label, kind.version, previous.version
    print(f"kind {label} version {version} registered beside version {old}")
    return 0


def _update(args: argparse.Namespace) -> int:
    details = {key: getattr(args, key)
               for key in ("name", "classification", "scope", "strict_attachments")
               if getattr(args, key) is not None}
    if not details:
        raise CommandError("give at least one of --name, --classification, --scope, "
                           "--strict-attachments, --lenient-attachments")
    with registry_session() as session:
        kind = registry.update_kind(session, kind_named(session, args.kind), operator(),
                                    **details)
        label = kind.label
    print(f"kind {label} updated: {', '.join(details)}")
    return 0


@registry_command
def _withdraw(args: argparse.Namespace, session: Session) -> str:
    label = registry.withdraw_kind(session, kind_named(session, args.kind), operator()).label
    return f"kind {label} withdrawn"


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    k = kind_named(session, args.kind)
    providers = ", ".join(_described(p) for p in k.providers)
    print_fields((("kind", k.label), ("name", k.name), ("version", k.version),
                  ("status", k.status), ("classification", k.classification),
                  ("scope", k.scope), ("service", k.service_mnemonic or "-"),
                  ("providers", providers),
                  ("attachments", "strict" if k.strict_attachments else "lenient"),
                  ("xsd sha256", k.xsd_sha256)))
    if args.xsd:
        print(k.xsd)


@registry_command
def _list(_args: argparse.Namespace, session: Session) -> None:
    for kind in registry.list_kinds(session):
        providers = ", ".join(_described(p) for p in kind.providers)
        service = f"\tservice {kind.service_mnemonic}" if kind.service_mnemonic else ""
        status = f"\t{kind.status}" if kind.status != registry.ACTIVE else ""
        print(f"{kind.label}\t{kind.name}\tproviders {providers}{service}{status}")


def _described(provider: registry.KindProvider) -> str:
    return provider.participant_code + (f":{provider.oktmo_prefix}"
                                        if provider.oktmo_prefix else "")
