"""``smev-soap application``: applications to connect a system (заявки)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap.cli.common import (
    action_group,
    add_action,
    open_input,
    operator,
    print_given,
    registry_command,
    registry_session,
)
from smev_soap.registry import applications as apps
from smev_soap.registry.models import CATEGORIES, CONSUMER, PROVIDER


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "application", "applications to connect (заявки)")
    submit = add_action(actions, "submit", "record an application to connect a system", _submit)
    submit.add_argument("--code", required=True)
    submit.add_argument("--organisation", required=True)
    submit.add_argument("--system-name", required=True)
    submit.add_argument("--category", required=True, choices=CATEGORIES)
    submit.add_argument("--contacts", required=True)
    submit.add_argument("--cert", required=True, type=Path, metavar="CERT",
                        help="signing certificate, PEM or DER")
    for role in (CONSUMER, PROVIDER):
        submit.add_argument(f"--{role}", action="append", nargs=2, default=[],
                            metavar=("NAMESPACE", "ROOT"), help=f"a kind to use as {role}")
    listing = add_action(actions, "list", "list applications, newest first", _list)
    listing.add_argument("--status", choices=(apps.SUBMITTED, apps.APPROVED, apps.REFUSED))
    for verb, handler in (("show", _show), ("approve", _approve), ("refuse", _refuse)):
        parser = add_action(actions, verb, f"{verb} an application", handler)
        parser.add_argument("id", type=int)
        if verb == "refuse":
            parser.add_argument("--reason", required=True)


def _submit(args: argparse.Namespace) -> int:
    with open_input(args.cert) as stream:
        certificate = stream.read()
    kinds = [apps.RequestedKind(namespace, root, role)
             for role in (CONSUMER, PROVIDER) for namespace, root in getattr(args, role)]
    with registry_session() as session:
        application = apps.submit_application(
            session, code=args.code, organisation=args.organisation,
            system_name=args.system_name, category=args.category, contacts=args.contacts,
            certificate=certificate, kinds=kinds, actor=operator())
        number = application.id
    print(f"application {number} submitted for {args.code}")
    return 0


@registry_command
def _list(args: argparse.Namespace, session: Session) -> None:
    for a in apps.list_applications(session, args.status):
        print(f"{a.id}\t{a.status}\t{a.participant_code}\t{a.organisation}\t"
              f"{a.submitted_at:%Y-%m-%d %H:%M}")


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    a = apps.get_application(session, args.id)
    print_given((
        ("application", a.id), ("status", a.status), ("reason", a.reason),
        ("code", a.participant_code), ("organisation", a.organisation),
        ("system", a.system_name), ("category", a.category), ("contacts", a.contacts),
        ("certificate", f"{a.certificate_fingerprint} {a.certificate_subject}"),
        ("submitted", f"{a.submitted_at:%Y-%m-%d %H:%M:%S}Z by {a.submitted_by}"),
        ("decided", a.decided_at and f"{a.decided_at:%Y-%m-%d %H:%M:%S}Z by {a.decided_by}"),
    ))
    for k in a.kinds:
        print(f"kind:\t{k.role} of {{{k.namespace}}}{k.root_element}")


@registry_command
def _approve(args: argparse.Namespace, session: Session) -> str:
    code = apps.approve_application(session, args.id, operator()).participant_code
    return f"application {args.id} approved: participant {code} registered"


@registry_command
def _refuse(args: argparse.Namespace, session: Session) -> str:
    apps.refuse_application(session, args.id, args.reason, operator())
    return f"application {args.id} refused"
