"""``smev-soap service``: the registry of electronic services (реестр электронных сервисов)."""

from __future__ import annotations

import argparse
from pathlib import Path

from smev_soap import registry
from smev_soap.cli.errors import CommandError
from smev_soap.cli.registry_commands import (
    kind_named,
    operator,
    read_text,
    registry_session,
)
from smev_soap.registry.service_models import DELIVERY_MODES

KIND_HELP = "a kind it serves: namespace URI or {URI}Root (repeat for several)"


def register(commands: argparse._SubParsersAction) -> None:
    service = commands.add_parser("service", help="electronic services of providers")
    actions = service.add_subparsers(dest="service_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register an electronic service")
    add.add_argument("--sid", required=True, help="SID followed by 7 digits")
    add.add_argument("--mnemonic", required=True)
    add.add_argument("--version", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--provider", required=True, metavar="CODE")
    add.add_argument("--delivery", choices=DELIVERY_MODES, default="queue")
    add.add_argument("--endpoint", metavar="URL", help="needed for push and smev2-proxy")
    add.add_argument("--wsdl", type=Path, metavar="FILE")
    add.add_argument("--kind", action="append", default=[], metavar="KIND", help=KIND_HELP)
    add.set_defaults(handler=_add)

    update = actions.add_parser("update", help="change a service's details")
    update.add_argument("sid")
    update.add_argument("--name")
    update.add_argument("--delivery", choices=DELIVERY_MODES)
    update.add_argument("--endpoint", metavar="URL", help="'' removes it")
    update.add_argument("--wsdl", type=Path, metavar="FILE")
    update.add_argument("--kind", action="append", metavar="KIND",
                        help=KIND_HELP + "; replaces the list")
    update.set_defaults(handler=_update)

    for action, help_text in (("suspend", "stop routing by the service for a while"),
                              ("withdraw", "withdraw the service for good")):
        parser = actions.add_parser(action, help=help_text)
        parser.add_argument("sid")
        parser.add_argument("--reason", required=True)
        parser.set_defaults(handler=_status)
    resume = actions.add_parser("resume", help="resume a suspended service")
    resume.add_argument("sid")
    resume.set_defaults(handler=_status, reason=None)

    show = actions.add_parser("show", help="a service with its kinds and health")
    show.add_argument("sid")
    show.set_defaults(handler=_show)
    listing = actions.add_parser("list", help="list services")
    listing.add_argument("--provider", metavar="CODE")
    listing.set_defaults(handler=_list)


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


def _status(args: argparse.Namespace) -> int:
    status = {"suspend": registry.SUSPENDED, "withdraw": registry.WITHDRAWN,
              "resume": registry.ACTIVE}[args.service_command]
    with registry_session() as session:
        registry.set_service_status(session, args.sid, status, operator(), args.reason)
    print(f"service {args.sid} {status}")
    return 0


def _show(args: argparse.Namespace) -> int:
    with registry_session() as session:
        s = registry.get_service(session, args.sid)
        if s is None:
            raise CommandError(f"service {args.sid} is not registered")
        health = "never probed" if s.last_probe_at is None else (
            f"{'ok' if s.last_probe_ok else 'failing'} at {s.last_probe_at:%Y-%m-%d %H:%M:%S}, "
            f"{s.last_latency_ms if s.last_latency_ms is not None else '-'} ms"
            + (f", {s.last_probe_detail}" if s.last_probe_detail else ""))
        print(f"sid\t{s.sid}\nmnemonic\t{s.mnemonic}\nversion\t{s.version}\nname\t{s.name}\n"
              f"provider\t{s.provider_code}\ndelivery\t{s.delivery}\n"
              f"endpoint\t{s.endpoint_url or '-'}\nwsdl\t{'yes' if s.wsdl else 'no'}\n"
              f"status\t{s.status}" + (f" ({s.status_reason})" if s.status_reason else "")
              + f"\nhealth\t{health}")
        for kind in s.kinds:
            print(f"kind\t{kind.label}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with registry_session() as session:
        for s in registry.list_services(session, args.provider):
            print(f"{s.sid}\t{s.mnemonic} {s.version}\t{s.status}\t{s.provider_code}\t"
                  f"{s.delivery}\t{s.name}")
    return 0
