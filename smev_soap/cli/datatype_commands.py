"""``smev-soap datatype``: data types and the attributes of kinds (типы и атрибуты)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap.cli.common import (
    action_group,
    add_action,
    open_input,
    operator,
    output,
    print_given,
    registry_command,
    registry_session,
)
from smev_soap.cli.errors import CommandError
from smev_soap.registry import attributes, datatypes
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.datatype_exchange import export_datatypes, import_datatypes
from smev_soap.registry.kind_lookup import get_kind
from smev_soap.registry.models import KindOfInformation


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "datatype", "data types and attributes (типы и атрибуты)")
    for verb, text in (("add", "register a data type"), ("update", "change a data type")):
        parser = add_action(actions, verb, text, _add if verb == "add" else _update, "name")
        parser.add_argument("--base", required=verb == "add", metavar="TYPE",
                            help="base type, e.g. xs:string")
        parser.add_argument("--pattern", help="XSD regular expression")
        parser.add_argument("--min-length", type=int, metavar="N")
        parser.add_argument("--max-length", type=int, metavar="N")
        parser.add_argument("--description")
    add_action(actions, "list", "list data types", _list)
    add_action(actions, "show", "one data type", _show, "name")
    export = add_action(actions, "export", "data types and attributes, for other systems",
                        _export)
    export.add_argument("--format", required=True, choices=("xml", "json"))
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    imp = add_action(actions, "import", "data types and attributes from another system", _import)
    imp.add_argument("--format", required=True, choices=("xml", "json"))
    imp.add_argument("file", type=Path, metavar="FILE")
    attrs = add_action(actions, "attributes", "attributes of a kind of information",
                       _attributes, "namespace", "root")
    attrs.add_argument("--derive", action="store_true", help="derive them again from the XSD")
    edit = add_action(actions, "set-attribute", "edit one attribute of a kind", _set_attribute,
                      "namespace", "root", "path")
    edit.add_argument("--type", dest="type_name")
    obligation = edit.add_mutually_exclusive_group()
    obligation.add_argument("--required", action="store_true", default=None)
    obligation.add_argument("--optional", dest="required", action="store_false")
    edit.add_argument("--description")


def _spec_of(args: argparse.Namespace, base: datatypes.DataTypeSpec) -> datatypes.DataTypeSpec:
    given = {"base_type": args.base, "pattern": args.pattern, "min_length": args.min_length,
             "max_length": args.max_length, "description": args.description}
    return replace(base, **{key: value for key, value in given.items() if value is not None})


@registry_command
def _add(args: argparse.Namespace, session: Session) -> str:
    datatypes.add_datatype(session, _spec_of(args, datatypes.DataTypeSpec(args.name, "")),
                           operator())
    return f"data type {args.name} registered"


@registry_command
def _update(args: argparse.Namespace, session: Session) -> str:
    current = datatypes.DataTypeSpec.of(datatypes.get_datatype(session, args.name))
    datatypes.update_datatype(session, _spec_of(args, current), operator())
    return f"data type {args.name} updated"


@registry_command
def _list(_args: argparse.Namespace, session: Session) -> None:
    for t in datatypes.list_datatypes(session):
        print(f"{t.name}\t{t.base_type}\t{t.description or ''}")


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    t = datatypes.get_datatype(session, args.name)
    print_given((("name", t.name), ("base", t.base_type), ("pattern", t.pattern),
                 ("min length", t.min_length), ("max length", t.max_length),
                 ("description", t.description), ("changed by", t.changed_by),
                 ("changed at", f"{t.changed_at:%Y-%m-%d %H:%M:%S}Z")))


def _export(args: argparse.Namespace) -> int:
    with registry_session() as session:
        data = export_datatypes(session, args.format)
    with output(args.output) as out:
        out.write(data)
    return 0


def _import(args: argparse.Namespace) -> int:
    with open_input(args.file) as stream:
        data = stream.read()
    with registry_session() as session:
        changed, kinds = import_datatypes(session, data, args.format, operator())
    print(f"{changed} data type(s) changed, attributes of {kinds} kind(s) replaced")
    return 0


def _kind(session: Session, namespace: str, root: str) -> KindOfInformation:
    kind = get_kind(session, namespace, root)
    if kind is None:
        raise CommandError(f"kind {{{namespace}}}{root} is not registered")
    return kind


@registry_command
def _attributes(args: argparse.Namespace, session: Session) -> None:
    kind = _kind(session, args.namespace, args.root)
    if args.derive:
        attributes.derive_attributes(session, kind, operator())
        registry_changed(session, operator(),
                         f"attributes of {attributes.kind_label(kind)} derived")
    for a in attributes.kind_attributes(session, kind):
        obligation = "required" if a.required else "optional"
        many = ", multiple" if a.multiple else ""
        print(f"{a.path}\t{a.type_name or '(complex)'}\t{obligation}{many}\t"
              f"{a.description or ''}")


@registry_command
def _set_attribute(args: argparse.Namespace, session: Session) -> str:
    kind = _kind(session, args.namespace, args.root)
    attributes.edit_attribute(session, kind, args.path, operator(),
                              type_name=args.type_name, required=args.required,
                              description=args.description)
    return f"attribute {args.path} updated"
