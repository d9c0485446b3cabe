"""``smev-soap agreement``: agreements (соглашения) and the kinds and services they cover."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.common import (
    action_group,
    add_action,
    day,
    kind_named,
    operator,
    print_fields,
    registry_command,
    registry_session,
)
from smev_soap.cli.errors import CommandError
from smev_soap.registry.agreements import TERMS, require_agreement
from smev_soap.registry.services import require_service

ROLES = (registry.CONSUMER, registry.PROVIDER)
KIND_HELP = "namespace URI or {URI}Root (repeat for several)"


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "agreement", "agreements of participants (соглашения)")
    add = add_action(actions, "add", "register an agreement", _add)
    add.add_argument("--number", required=True)
    add.add_argument("--participant", required=True, metavar="CODE")
    add.add_argument("--signed-on", required=True, type=day, metavar="YYYY-MM-DD")
    add.add_argument("--valid-from", required=True, type=day, metavar="YYYY-MM-DD")
    add.add_argument("--valid-to", type=day, metavar="YYYY-MM-DD", help="default: open-ended")
    add.add_argument("--allow-test", action="store_true", help="test messages for every entry")
    _terms(add)
    for role in ROLES:
        verb = "consume" if role == registry.CONSUMER else "provide"
        add.add_argument(f"--{verb}", action="append", default=[], metavar="KIND",
                         help=f"a kind it may {verb}: {KIND_HELP}")
        add.add_argument(f"--{verb}-service", action="append", default=[], metavar="SID",
                         help=f"a service it may {verb} (repeat for several)")

    update = add_action(actions, "update", "change an agreement's validity or terms", _update,
                        "number")
    update.add_argument("--valid-from", type=day, metavar="YYYY-MM-DD")
    validity = update.add_mutually_exclusive_group()
    validity.add_argument("--valid-to", type=day, metavar="YYYY-MM-DD")
    validity.add_argument("--open-ended", action="store_true", help="drop valid-to")
    test = update.add_mutually_exclusive_group()
    test.add_argument("--allow-test", dest="allow_test", action="store_true", default=None)
    test.add_argument("--no-allow-test", dest="allow_test", action="store_false")
    _terms(update)

    for action, help_text in (("add-kind", "let the participant consume or provide a kind"),
                              ("remove-kind", "take a kind out of the agreement")):
        parser = add_action(actions, action, help_text, _kind_entry, "number")
        parser.add_argument("--kind", required=True, metavar="KIND", help=KIND_HELP)
        parser.add_argument("--role", choices=ROLES, default=registry.CONSUMER)
        if action == "add-kind":
            parser.add_argument("--allow-test", action="store_true")
    for action, help_text in (("add-service", "let the participant use a service"),
                              ("remove-service", "take a service out of the agreement")):
        parser = add_action(actions, action, help_text, _service_entry, "number")
        parser.add_argument("--service", required=True, metavar="SID")
        parser.add_argument("--role", choices=ROLES, default=registry.CONSUMER)

    add_action(actions, "show", "an agreement with its entries", _show, "number")
    listing = add_action(actions, "list", "list agreements", _list)
    listing.add_argument("--participant", metavar="CODE")


def _terms(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--connection-address", metavar="TEXT", help="адрес подключения")
    parser.add_argument("--officials", metavar="TEXT", help="authorised officials")
    parser.add_argument("--message-structures", metavar="TEXT",
                        help="description of the message structures")
    parser.add_argument("--restricted-handling", metavar="TEXT",
                        help="how restricted information is handled")


def _given_terms(args: argparse.Namespace) -> dict[str, str]:
    return {key: getattr(args, key) for key in TERMS if getattr(args, key) is not None}


@registry_command
def _add(args: argparse.Namespace, session: Session) -> str:
    actor = operator()
    registry.add_agreement(
        session, args.number, args.participant, actor, signed_on=args.signed_on,
        valid_from=args.valid_from, valid_to=args.valid_to, allow_test=args.allow_test,
        **_given_terms(args),
    )
    for role, kinds, services in ((registry.CONSUMER, args.consume, args.consume_service),
                                  (registry.PROVIDER, args.provide, args.provide_service)):
        for name in kinds:
            registry.add_agreement_kind(session, args.number, kind_named(session, name), role,
                                        actor)
        for sid in services:
            registry.add_agreement_service(session, args.number, require_service(session, sid),
                                           role, actor)
    return f"agreement {args.number} of {args.participant} registered"


def _update(args: argparse.Namespace) -> int:
    terms = _given_terms(args)
    if not terms and args.valid_from is None and args.valid_to is None \
            and not args.open_ended and args.allow_test is None:
        raise CommandError("give at least one change (see --help)")
    with registry_session() as session:
        registry.update_agreement(session, args.number, operator(), valid_from=args.valid_from,
                                  valid_to=args.valid_to, open_ended=args.open_ended,
                                  allow_test=args.allow_test, **terms)
    print(f"agreement {args.number} updated")
    return 0


@registry_command
def _kind_entry(args: argparse.Namespace, session: Session) -> str:
    kind = kind_named(session, args.kind)
    if args.agreement_command == "add-kind":
        registry.add_agreement_kind(session, args.number, kind, args.role, operator(),
                                    allow_test=args.allow_test)
    else:
        registry.remove_agreement_kind(session, args.number, kind, args.role, operator())
    return _entry_done(args, kind.label)


@registry_command
def _service_entry(args: argparse.Namespace, session: Session) -> str:
    service = require_service(session, args.service)
    if args.agreement_command == "add-service":
        registry.add_agreement_service(session, args.number, service, args.role, operator())
    else:
        registry.remove_agreement_service(session, args.number, service, args.role, operator())
    return _entry_done(args, f"service {args.service}")


def _entry_done(args: argparse.Namespace, what: str) -> str:
    done = "covers" if args.agreement_command.startswith("add-") else "no longer covers"
    return f"agreement {args.number} {done} {args.role} of {what}"


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    a = require_agreement(session, args.number)
    print_fields((("number", a.number), ("participant", a.participant_code),
                  ("signed", a.signed_on),
                  ("valid", f"{a.valid_from} to {a.valid_to or 'open-ended'}"),
                  ("test traffic", "allowed" if a.allow_test else "per entry")))
    print_fields((key.replace("_", " "), getattr(a, key) or "-") for key in TERMS)
    for entry in a.kinds:
        test = "\ttest" if entry.allow_test else ""
        print(f"{entry.role}\t{entry.kind.label}{test}")
    print_fields((entry.role, f"service {entry.service.sid}") for entry in a.services)


@registry_command
def _list(args: argparse.Namespace, session: Session) -> None:
    for a in registry.list_agreements(session, args.participant):
        print(f"{a.number}\t{a.participant_code}\t{a.valid_from} to "
              f"{a.valid_to or 'open-ended'}\t{len(a.kinds)} kind(s), "
              f"{len(a.services)} service(s)")
