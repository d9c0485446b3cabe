"""``smev-soap agreement``: agreements (соглашения) and the kinds and services they cover."""

from __future__ import annotations

import argparse

from smev_soap import registry
from smev_soap.cli.errors import CommandError
from smev_soap.cli.registry_commands import (
    day,
    kind_named,
    operator,
    registry_session,
    service_named,
)
from smev_soap.registry.agreements import TERMS

ROLES = (registry.CONSUMER, registry.PROVIDER)
KIND_HELP = "namespace URI or {URI}Root (repeat for several)"


def register(commands: argparse._SubParsersAction) -> None:
    agreement = commands.add_parser("agreement", help="agreements of participants (соглашения)")
    actions = agreement.add_subparsers(dest="agreement_command", required=True,
                                       metavar="ACTION")
    add = actions.add_parser("add", help="register an agreement")
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
    add.set_defaults(handler=_add)

    update = actions.add_parser("update", help="change an agreement's validity or terms")
    update.add_argument("number")
    update.add_argument("--valid-from", type=day, metavar="YYYY-MM-DD")
    validity = update.add_mutually_exclusive_group()
    validity.add_argument("--valid-to", type=day, metavar="YYYY-MM-DD")
    validity.add_argument("--open-ended", action="store_true", help="drop valid-to")
    test = update.add_mutually_exclusive_group()
    test.add_argument("--allow-test", dest="allow_test", action="store_true", default=None)
    test.add_argument("--no-allow-test", dest="allow_test", action="store_false")
    _terms(update)
    update.set_defaults(handler=_update)

    for action, help_text in (("add-kind", "let the participant consume or provide a kind"),
                              ("remove-kind", "take a kind out of the agreement")):
        parser = actions.add_parser(action, help=help_text)
        parser.add_argument("number")
        parser.add_argument("--kind", required=True, metavar="KIND", help=KIND_HELP)
        parser.add_argument("--role", choices=ROLES, default=registry.CONSUMER)
        if action == "add-kind":
            parser.add_argument("--allow-test", action="store_true")
        parser.set_defaults(handler=_kind_entry)
    for action, help_text in (("add-service", "let the participant use a service"),
                              ("remove-service", "take a service out of the agreement")):
        parser = actions.add_parser(action, help=help_text)
        parser.add_argument("number")
        parser.add_argument("--service", required=True, metavar="SID")
        parser.add_argument("--role", choices=ROLES, default=registry.CONSUMER)
        parser.set_defaults(handler=_service_entry)

    show = actions.add_parser("show", help="an agreement with its entries")
    show.add_argument("number")
    show.set_defaults(handler=_show)
    listing = actions.add_parser("list", help="list agreements")
    listing.add_argument("--participant", metavar="CODE")
    listing.set_defaults(handler=_list)


def _terms(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--connection-address", metavar="TEXT", help="адрес подключения")
    parser.add_argument("--officials", metavar="TEXT", help="authorised officials")
    parser.add_argument("--message-structures", metavar="TEXT",
                        help="description of the message structures")
    parser.add_argument("--restricted-handling", metavar="TEXT",
                        help="how restricted information is handled")


def _given_terms(args: argparse.Namespace) -> dict[str, str]:
    return {key: getattr(args, key) for key in TERMS if getattr(args, key) is not None}


def _add(args: argparse.Namespace) -> int:
    actor = operator()
    with registry_session() as session:
        registry.add_agreement(
            session, args.number, args.participant, actor, signed_on=args.signed_on,
            valid_from=args.valid_from, valid_to=args.valid_to, allow_test=args.allow_test,
            **_given_terms(args),
        )
        for role, kinds, services in ((registry.CONSUMER, args.consume, args.consume_service),
                                      (registry.PROVIDER, args.provide, args.provide_service)):
            for name in kinds:
                registry.add_agreement_kind(session, args.number, kind_named(session, name),
                                            role, actor)
            for sid in services:
                registry.add_agreement_service(session, args.number,
                                               service_named(session, sid), role, actor)
    print(f"agreement {args.number} of {args.participant} registered")
    return 0


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


def _kind_entry(args: argparse.Namespace) -> int:
    with registry_session() as session:
        kind = kind_named(session, args.kind)
        if args.agreement_command == "add-kind":
            registry.add_agreement_kind(session, args.number, kind, args.role, operator(),
                                        allow_test=args.allow_test)
        else:
            registry.remove_agreement_kind(session, args.number, kind, args.role, operator())
        label = kind.label
    done = "covers" if args.agreement_command == "add-kind" else "no longer covers"
    print(f"agreement {args.number} {done} {args.role} of {label}")
    return 0


def _service_entry(args: argparse.Namespace) -> int:
    with registry_session() as session:
        service = service_named(session, args.service)
        if args.agreement_command == "add-service":
            registry.add_agreement_service(session, args.number, service, args.role,
                                           operator())
        else:
            registry.remove_agreement_service(session, args.number, service, args.role,
                                              operator())
    done = "covers" if args.agreement_command == "add-service" else "no longer covers"
    print(f"agreement {args.number} {done} {args.role} of service {args.service}")
    return 0


def _show(args: argparse.Namespace) -> int:
    with registry_session() as session:
        a = registry.get_agreement(session, args.number)
        if a is None:
            raise CommandError(f"agreement {args.number} is not registered")
        print(f"number\t{a.number}\nparticipant\t{a.participant_code}\nsigned\t{a.signed_on}\n"
              f"valid\t{a.valid_from} to {a.valid_to or 'open-ended'}\n"
              f"test traffic\t{'allowed' if a.allow_test else 'per entry'}")
        for key in TERMS:
            print(f"{key.replace('_', ' ')}\t{getattr(a, key) or '-'}")
        for entry in a.kinds:
            test = "\ttest" if entry.allow_test else ""
            print(f"{entry.role}\t{entry.kind.label}{test}")
        for service_entry in a.services:
            print(f"{service_entry.role}\tservice {service_entry.service.sid}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with registry_session() as session:
        for a in registry.list_agreements(session, args.participant):
            print(f"{a.number}\t{a.participant_code}\t{a.valid_from} to "
                  f"{a.valid_to or 'open-ended'}\t{len(a.kinds)} kind(s), "
                  f"{len(a.services)} service(s)")
    return 0
