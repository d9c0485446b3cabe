"""``smev-soap participant``: participants, their status and their certificates."""

from __future__ import annotations

import argparse
from pathlib import Path

from smev_soap import registry
from smev_soap.cli.errors import CommandError
from smev_soap.cli.registry_commands import moment, operator, read, registry_session
from smev_soap.crypto import Certificate
from smev_soap.registry.models import CATEGORIES, REGIONAL
from smev_soap.registry.participants import STATUSES


def register(commands: argparse._SubParsersAction) -> None:
    participant = commands.add_parser("participant", help="participants of the exchange")
    actions = participant.add_subparsers(dest="participant_command", required=True,
                                         metavar="ACTION")
    add = actions.add_parser("add", help="register a participant with its certificates")
    add.add_argument("--code", required=True, help="9-character code, [A-Z0-9]{4}\\d{5}")
    add.add_argument("--name", required=True, help="the organisation")
    add.add_argument("--cert", required=True, action="append", type=Path, metavar="CERT.pem",
                     help="signing certificate (repeat for several)")
    _details(add)
    add.add_argument("--pending", action="store_true", help="register, activate later")
    add.set_defaults(handler=_add, category=REGIONAL)

    update = actions.add_parser("update", help="change a participant's details")
    update.add_argument("code")
    update.add_argument("--name", help="the organisation")
    _details(update)
    update.set_defaults(handler=_update)

    show = actions.add_parser("show", help="a participant with its certificates")
    show.add_argument("code")
    show.set_defaults(handler=_show)
    listing = actions.add_parser("list", help="list participants")
    listing.add_argument("--status", choices=STATUSES)
    listing.set_defaults(handler=_list)

    for action, help_text in (("block", "restrict a participant's work"),
                              ("suspend", "suspend an active participant's work")):
        parser = actions.add_parser(action, help=help_text)
        parser.add_argument("code")
        parser.add_argument("--reason", required=True)
        parser.set_defaults(handler=_status)
    for action, help_text in (("unblock", "lift a block or a suspension"),
                              ("activate", "let a pending participant work")):
        parser = actions.add_parser(action, help=help_text)
        parser.add_argument("code")
        parser.set_defaults(handler=_status)

    cert = actions.add_parser("add-cert", help="register one more certificate (key rotation)")
    cert.add_argument("code")
    cert.add_argument("--cert", required=True, type=Path, metavar="CERT.pem")
    cert.add_argument("--valid-from", type=moment, metavar="ISO",
                      help="registered validity start (default: the certificate's)")
    cert.add_argument("--valid-to", type=moment, metavar="ISO",
                      help="registered validity end (default: the certificate's)")
    cert.set_defaults(handler=_add_cert)
    retire = actions.add_parser("retire-cert", help="end a certificate's registered validity")
    retire.add_argument("fingerprint", help="SHA-256 fingerprint (hex)")
    retire.add_argument("--at", type=moment, metavar="ISO", help="when (default: now)")
    retire.set_defaults(handler=_retire_cert)


def _details(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--system-name", help="the information system's name")
    parser.add_argument("--category", choices=CATEGORIES, help="kind of participant")
    parser.add_argument("--contacts")


def _add(args: argparse.Namespace) -> int:
    certificates = [read(path, Certificate.from_file) for path in args.cert]
    status = registry.PENDING if args.pending else registry.ACTIVE
    with registry_session() as session:
        registry.add_participant(
            session, args.code, args.name, certificates, operator(),
            system_name=args.system_name, category=args.category, contacts=args.contacts,
            status=status,
        )
    print(f"participant {args.code} registered ({status}) with {len(certificates)} "
          "certificate(s)")
    return 0


def _update(args: argparse.Namespace) -> int:
    details = {key: getattr(args, key) for key in ("name", "system_name", "category", "contacts")
               if getattr(args, key) is not None}
    if not details:
        raise CommandError("give at least one of --name, --system-name, --category, --contacts")
    with registry_session() as session:
        registry.update_participant(session, args.code, operator(), **details)
    print(f"participant {args.code} updated: {', '.join(details)}")
    return 0


def _status(args: argparse.Namespace) -> int:
    action = args.participant_command
    with registry_session() as session:
        if action == "block":
            done = registry.block_participant(session, args.code, args.reason, operator())
        elif action == "suspend":
            done = registry.suspend_participant(session, args.code, args.reason, operator())
        elif action == "unblock":
            done = registry.unblock_participant(session, args.code, operator())
        else:
            done = registry.activate_participant(session, args.code, operator())
        status = done.status
    print(f"participant {args.code} {status}")
    return 0


def _show(args: argparse.Namespace) -> int:
    with registry_session() as session:
        p = registry.get_participant(session, args.code)
        if p is None:
            raise CommandError(f"participant {args.code} is not registered")
        print(f"code\t{p.code}\norganisation\t{p.name}\nsystem\t{p.system_name or '-'}\n"
              f"category\t{p.category}\ncontacts\t{p.contacts or '-'}\nstatus\t{p.status}"
              + (f" ({p.status_reason})" if p.status_reason else "")
              + f", by {p.status_changed_by or '-'} at {p.status_changed_at:%Y-%m-%d %H:%M}")
        for c in p.certificates:
            print(f"certificate\t{c.fingerprint}\tvalid {c.valid_from:%Y-%m-%d %H:%M} to "
                  f"{c.valid_to:%Y-%m-%d %H:%M}\t{c.subject}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with registry_session() as session:
        for p in registry.list_participants(session, args.status):
            reason = f" ({p.status_reason})" if p.status_reason else ""
            print(f"{p.code}\t{p.status}{reason}\t{p.name}")
    return 0


def _add_cert(args: argparse.Namespace) -> int:
    certificate = read(args.cert, Certificate.from_file)
    with registry_session() as session:
        row = registry.add_certificate(session, args.code, certificate, operator(),
                                       valid_from=args.valid_from, valid_to=args.valid_to)
        fingerprint = row.fingerprint
    print(f"certificate {fingerprint} registered to {args.code}")
    return 0


def _retire_cert(args: argparse.Namespace) -> int:
    with registry_session() as session:
        row = registry.retire_certificate(session, args.fingerprint, operator(), at=args.at)
        until = row.valid_to
    print(f"certificate {args.fingerprint} valid until {until:%Y-%m-%d %H:%M:%S} UTC")
    return 0
