"""``smev-soap participant``: participants, their status and their certificates."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.common import (
    action_group,
    add_action,
    moment,
    operator,
    print_fields,
    read,
    registry_command,
    registry_session,
)
from smev_soap.cli.errors import CommandError
from smev_soap.crypto import Certificate
from smev_soap.registry.models import CATEGORIES, REGIONAL
from smev_soap.registry.participants import STATUSES, require_participant


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "participant", "participants of the exchange")
    add = add_action(actions, "add", "register a participant with its certificates", _add,
                     category=REGIONAL)
    add.add_argument("--code", required=True, help="9-character code, [A-Z0-9]{4}\\d{5}")
    add.add_argument("--name", required=True, help="the organisation")
    add.add_argument("--cert", required=True, action="append", type=Path, metavar="CERT.pem",
                     help="signing certificate (repeat for several)")
    _details(add)
    add.add_argument("--pending", action="store_true", help="register, activate later")

    update = add_action(actions, "update", "change a participant's details", _update, "code")
    update.add_argument("--name", help="the organisation")
    _details(update)

    add_action(actions, "show", "a participant with its certificates", _show, "code")
    listing = add_action(actions, "list", "list participants", _list)
    listing.add_argument("--status", choices=STATUSES)

    for action, help_text, with_reason in (
            ("block", "restrict a participant's work", True),
            ("suspend", "suspend an active participant's work", True),
            ("unblock", "lift a block or a suspension", False),
            ("activate", "let a pending participant work", False)):
        parser = add_action(actions, action, help_text, _status, "code")
        if with_reason:
            parser.add_argument("--reason", required=True)

    cert = add_action(actions, "add-cert", "register one more certificate (key rotation)",
                      _add_cert, "code")
    cert.add_argument("--cert", required=True, type=Path, metavar="CERT.pem")
    cert.add_argument("--valid-from", type=moment, metavar="ISO",
                      help="registered validity start (default: the certificate's)")
    cert.add_argument("--valid-to", type=moment, metavar="ISO",
                      help="registered validity end (default: the certificate's)")
    retire = add_action(actions, "retire-cert", "end a certificate's registered validity",
                        _retire_cert)
    retire.add_argument("fingerprint", help="SHA-256 fingerprint (hex)")
    retire.add_argument("--at", type=moment, metavar="ISO", help="when (default: now)")


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


@registry_command
def _status(args: argparse.Namespace, session: Session) -> str:
    action = args.participant_command
    if action == "block":
        done = registry.block_participant(session, args.code, args.reason, operator())
    elif action == "suspend":
        done = registry.suspend_participant(session, args.code, args.reason, operator())
    elif action == "unblock":
        done = registry.unblock_participant(session, args.code, operator())
    else:
        done = registry.activate_participant(session, args.code, operator())
    return f"participant {args.code} {done.status}"


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    p = require_participant(session, args.code)
    reason = f" ({p.status_reason})" if p.status_reason else ""
    status = (f"{p.status}{reason}, by {p.status_changed_by or '-'} "
              f"at {p.status_changed_at:%Y-%m-%d %H:%M}")
    print_fields((("code", p.code), ("organisation", p.name), ("system", p.system_name or "-"),
                  ("category", p.category), ("contacts", p.contacts or "-"), ("status", status)))
    for c in p.certificates:
        print(f"certificate\t{c.fingerprint}\tvalid {c.valid_from:%Y-%m-%d %H:%M} to "
              f"{c.valid_to:%Y-%m-%d %H:%M}\t{c.subject}")


@registry_command
def _list(args: argparse.Namespace, session: Session) -> None:
    for p in registry.list_participants(session, args.status):
        reason = f" ({p.status_reason})" if p.status_reason else ""
        print(f"{p.code}\t{p.status}{reason}\t{p.name}")


def _add_cert(args: argparse.Namespace) -> int:
    certificate = read(args.cert, Certificate.from_file)
    with registry_session() as session:
        row = registry.add_certificate(session, args.code, certificate, operator(),
                                       valid_from=args.valid_from, valid_to=args.valid_to)
        fingerprint = row.fingerprint
    print(f"certificate {fingerprint} registered to {args.code}")
    return 0


@registry_command
def _retire_cert(args: argparse.Namespace, session: Session) -> str:
    until = registry.retire_certificate(session, args.fingerprint, operator(), at=args.at).valid_to
    return f"certificate {args.fingerprint} valid until {until:%Y-%m-%d %H:%M:%S} UTC"
