"""``smev-soap service``: the registry of electronic services (реестр электронных сервисов)."""

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
from smev_soap.registry.service_models import DELIVERY_MODES
from smev_soap.registry.services import require_service

KIND_HELP = "a kind it serves: namespace URI or {URI}Root (repeat for several)"


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "service", "electronic services of providers")
    add = add_action(actions, "add", "register an electronic service", _add)
    add.add_argument("--sid", required=True, help="SID followed by 7 digits")
    add.add_argument("--mnemonic", required=True)
    add.add_argument("--version", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--provider", required=True, metavar="CODE")
    add.add_argument("--delivery", choices=DELIVERY_MODES, default="queue")
    add.add_argument("--endpoint", metavar="URL", help="needed for push and smev2-proxy")
    add.add_argument("--wsdl", type=Path, metavar="FILE")
    add.add_argument("--kind", action="append", default=[], metavar="KIND", help=KIND_HELP)

    update = add_action(actions, "update", "change a service's details", _update, "sid")
    update.add_argument("--name")
    update.add_argument("--delivery", choices=DELIVERY_MODES)
    update.add_argument("--endpoint", metavar="URL", help="'' removes it")
    update.add_argument("--wsdl", type=Path, metavar="FILE")
    update.add_argument("--kind", action="append", metavar="KIND",
                        help=KIND_HELP + "; replaces the list")

    for action, help_text in (("suspend", "stop routing by the service for a while"),
                              ("withdraw", "withdraw the service for good")):
        parser = add_action(actions, action, help_text, _status, "sid")
        parser.add_argument("--reason", required=True)
    add_action(actions, "resume", "resume a suspended service", _status, "sid", reason=None)

    add_action(actions, "show", "a service with its kinds and health", _show, "sid")
    listing = add_action(actions, "list", "list services", _list)
    listing.add_argument("--provider", metavar="CODE")


def _add(args: argparse.Namespace) -> int:
    wsdl = read_text(args.wsdl)
    with registry_session() as session:
        registry.add_service(
            session, args.sid, args.mnemonic, args.version, args.name, args.provider, operator(),
            delivery=args.delivery, endpoint_url=args.endpoint, wsdl=wsdl,
            kinds=[kind_named(session, name) for name in args.kind],
        )
    print(f"service {args.sid} ({args.mnemonic} {args.version}) registered")
    return 0


def _update(args: argparse.Namespace) -> int:
    details = {key: value for key, value in (
        ("name", args.name), ("delivery", args.delivery), ("endpoint_url", args.endpoint),
        ("wsdl", read_text(args.wsdl))) if value is not None}
    if not details and args.kind is None:
        raise CommandError("give at least one of --name, --delivery, --endpoint, --wsdl, --kind")
    with registry_session() as session:
        kinds = None if args.kind is None else [kind_named(session, n) for n in args.kind]
        registry.update_service(session, args.sid, operator(), kinds=kinds, **details)
    print(f"service {args.sid} updated")
    return 0


@registry_command
def _status(args: argparse.Namespace, session: Session) -> str:
    status = {"suspend": registry.SUSPENDED, "withdraw": registry.WITHDRAWN,
              "resume": registry.ACTIVE}[args.service_command]
    registry.set_service_status(session, args.sid, status, operator(), args.reason)
    return f"service {args.sid} {status}"


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    s = require_service(session, args.sid)
    health = "never probed" if s.last_probe_at is None else (
        f"{'ok' if s.last_probe_ok else 'failing'} at {s.last_probe_at:%Y-%m-%d %H:%M:%S}, "
        f"{s.last_latency_ms if s.last_latency_ms is not None else '-'} ms"
        + (f", {s.last_probe_detail}" if s.last_probe_detail else ""))
    reason = f" ({s.status_reason})" if s.status_reason else ""
    print_fields((("sid", s.sid), ("mnemonic", s.mnemonic), ("version", s.version),
                  ("name", s.name), ("provider", s.provider_code), ("delivery", s.delivery),
                  ("endpoint", s.endpoint_url or "-"), ("wsdl", "yes" if s.wsdl else "no"),
                  ("status", f"{s.status}{reason}"), ("health", health)))
    print_fields(("kind", kind.label) for kind in s.kinds)


@registry_command
def _list(args: argparse.Namespace, session: Session) -> None:
    for s in registry.list_services(session, args.provider):
        print(f"{s.sid}\t{s.mnemonic} {s.version}\t{s.status}\t{s.provider_code}\t"
              f"{s.delivery}\t{s.name}")
