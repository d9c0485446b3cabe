"""``smev-soap grant|classified``: the grant shortcut and the classified list."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.cli.common import action_group, add_action, operator, registry_command


def register(commands: argparse._SubParsersAction) -> None:
    grant = commands.add_parser(
        "grant", help="allow a participant a kind of information (extends its agreement)")
    grant.add_argument("--participant", required=True, metavar="CODE")
    grant.add_argument("--kind", required=True, metavar="URI", help="the kind's namespace")
    grant.add_argument("--root", metavar="ELEMENT")
    grant.add_argument("--role", choices=(registry.CONSUMER, registry.PROVIDER),
                       default=registry.CONSUMER)
    grant.add_argument("--allow-test", action="store_true", help="allow test messages (D14)")
    grant.set_defaults(handler=_grant)

    actions = action_group(commands, "classified", "the classified list (гриф)")
    add = add_action(actions, "add", "list a namespace (or one root in it) as classified",
                     _classified_add)
    add.add_argument("--namespace", required=True, metavar="URI")
    add.add_argument("--root", metavar="ELEMENT")


@registry_command
def _grant(args: argparse.Namespace, session: Session) -> str:
    kind = registry.resolve_kind(session, args.kind, args.root)
    entry = registry.grant(session, args.participant, kind, args.role, operator(),
                           allow_test=args.allow_test)
    return (f"{args.participant} may act as {args.role} of {kind.label} "
            f"(agreement {entry.agreement.number})")


@registry_command
def _classified_add(args: argparse.Namespace, session: Session) -> str:
    registry.add_classified(session, args.namespace, args.root, operator())
    return f"classified: {args.namespace}" + (f" {args.root}" if args.root else "")
