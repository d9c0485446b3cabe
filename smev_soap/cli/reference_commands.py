"""``smev-soap classifier|datatype|application``: reference data and connection applications."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from smev_soap.cli.errors import CommandError
from smev_soap.cli.registry_commands import operator, registry_session
from smev_soap.registry import applications as apps
from smev_soap.registry import attributes, classifiers, datatypes
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.classifier_export import export_classifier
from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.datatype_exchange import export_datatypes, import_datatypes
from smev_soap.registry.kind_lookup import get_kind
from smev_soap.registry.models import CATEGORIES, CONSUMER, PROVIDER, KindOfInformation

BAR_WIDTH = 30


def register(commands: argparse._SubParsersAction) -> None:
    _register_classifier(commands)
    _register_datatype(commands)
    _register_application(commands)


def _actions(commands: argparse._SubParsersAction, name: str, text: str) -> argparse._SubParsersAction:
    parser = commands.add_parser(name, help=text)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def _register_classifier(commands: argparse._SubParsersAction) -> None:
    actions = _actions(commands, "classifier", "classifiers (справочники НСИ)")
    imp = actions.add_parser("import", help="import a whole classifier as its next version")
    imp.add_argument("--name", required=True)
    imp.add_argument("--format", required=True, choices=("csv", "xml"))
    imp.add_argument("--title")
    imp.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(handler=_classifier_import)
    actions.add_parser("list", help="list classifiers").set_defaults(handler=_classifier_list)
    show = actions.add_parser("show", help="current items, or changes since a version")
    show.add_argument("name")
    show.add_argument("--since-version", type=int, metavar="N")
    show.set_defaults(handler=_classifier_show)
    export = actions.add_parser("export", help="write a classifier (or its changes)")
    export.add_argument("name")
    export.add_argument("--format", required=True, choices=("csv", "xml", "json"))
    export.add_argument("--since-version", type=int, metavar="N")
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    export.set_defaults(handler=_classifier_export)


def _register_datatype(commands: argparse._SubParsersAction) -> None:
    actions = _actions(commands, "datatype", "data types and attributes (типы и атрибуты)")
    for verb, text in (("add", "register a data type"), ("update", "change a data type")):
        parser = actions.add_parser(verb, help=text)
        parser.add_argument("name")
        parser.add_argument("--base", required=verb == "add", metavar="TYPE",
                            help="base type, e.g. xs:string")
        parser.add_argument("--pattern", help="XSD regular expression")
        parser.add_argument("--min-length", type=int, metavar="N")
        parser.add_argument("--max-length", type=int, metavar="N")
        parser.add_argument("--description")
        parser.set_defaults(handler=_datatype_add if verb == "add" else _datatype_update)
    actions.add_parser("list", help="list data types").set_defaults(handler=_datatype_list)
    show = actions.add_parser("show", help="one data type")
    show.add_argument("name")
    show.set_defaults(handler=_datatype_show)
    export = actions.add_parser("export", help="data types and attributes, for other systems")
    export.add_argument("--format", required=True, choices=("xml", "json"))
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    export.set_defaults(handler=_datatype_export)
    imp = actions.add_parser("import", help="data types and attributes from another system")
    imp.add_argument("--format", required=True, choices=("xml", "json"))
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(handler=_datatype_import)
    attrs = actions.add_parser("attributes", help="attributes of a kind of information")
    attrs.add_argument("namespace")
    attrs.add_argument("root")
    attrs.add_argument("--derive", action="store_true", help="derive them again from the XSD")
    attrs.set_defaults(handler=_attributes)
    edit = actions.add_parser("set-attribute", help="edit one attribute of a kind")
    edit.add_argument("namespace")
    edit.add_argument("root")
    edit.add_argument("path")
    edit.add_argument("--type", dest="type_name")
    obligation = edit.add_mutually_exclusive_group()
    obligation.add_argument("--required", action="store_true", default=None)
    obligation.add_argument("--optional", dest="required", action="store_false")
    edit.add_argument("--description")
    edit.set_defaults(handler=_set_attribute)


def _register_application(commands: argparse._SubParsersAction) -> None:
    actions = _actions(commands, "application", "applications to connect (заявки)")
    submit = actions.add_parser("submit", help="record an application to connect a system")
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
    submit.set_defaults(handler=_application_submit)
    listing = actions.add_parser("list", help="list applications, newest first")
    listing.add_argument("--status", choices=(apps.SUBMITTED, apps.APPROVED, apps.REFUSED))
    listing.set_defaults(handler=_application_list)
    for verb, handler in (("show", _application_show), ("approve", _application_approve),
                          ("refuse", _application_refuse)):
        parser = actions.add_parser(verb, help=f"{verb} an application")
        parser.add_argument("id", type=int)
        if verb == "refuse":
            parser.add_argument("--reason", required=True)
        parser.set_defaults(handler=handler)


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error


@contextmanager
def _output(path: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or a file that appears only when complete."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as stream:
            yield stream
        partial.replace(path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from error
    finally:
        partial.unlink(missing_ok=True)


class ProgressBar:
    """``\r[#####     ]  52% 52000 rows`` on standard error, by bytes read of the file."""

    def __init__(self, total_bytes: int) -> None:
        self.total_bytes = total_bytes
        self.drawn = False

    def __call__(self, rows: int, done: int) -> None:
        fraction = min(done / self.total_bytes, 1.0) if self.total_bytes else 1.0
        filled = int(fraction * BAR_WIDTH)
        sys.stderr.write(f"\r[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] "
                         f"{fraction:4.0%} {rows} rows")
        sys.stderr.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")


def _classifier_import(args: argparse.Namespace) -> int:
    with _open(args.file) as stream:
        bar = ProgressBar(os.fstat(stream.fileno()).st_size)
        try:
            with registry_session() as session:
                version = import_classifier(
                    session, args.name, stream, args.format, operator(), title=args.title,
                    source=args.file.name, delimiter=args.delimiter, progress=bar)
        finally:
            bar.finish()
    print(f"classifier {args.name} version {version.version}: {version.items} items, "
          f"{version.added} added, {version.changed} changed, {version.removed} removed")
    return 0


def _classifier_list(_args: argparse.Namespace) -> int:
    with registry_session() as session:
        for c in classifiers.list_classifiers(session):
            print(f"{c.name}\tversion {c.current_version}\t{c.title or ''}")
    return 0


def _classifier_show(args: argparse.Namespace) -> int:
    with registry_session() as session:
        classifier = classifiers.get_classifier(session, args.name)
        since = "" if args.since_version is None else f", changes since {args.since_version}"
        print(f"{classifier.name} version {classifier.current_version}{since}")
        for e in classifiers.iter_classifier_items(session, classifier, args.since_version):
            change = f"{e.change}\t" if e.change else ""
            print(f"{change}{e.code}\t{e.value}\t{e.parent_code or ''}")
    return 0


def _classifier_export(args: argparse.Namespace) -> int:
    with registry_session() as session, _output(args.output) as out:
        export_classifier(session, args.name, args.format, out, args.since_version)
    return 0


def _spec_of(args: argparse.Namespace, base: datatypes.DataTypeSpec) -> datatypes.DataTypeSpec:
    given = {"base_type": args.base, "pattern": args.pattern, "min_length": args.min_length,
             "max_length": args.max_length, "description": args.description}
    return replace(base, **{key: value for key, value in given.items() if value is not None})


def _datatype_add(args: argparse.Namespace) -> int:
    with registry_session() as session:
        datatypes.add_datatype(session, _spec_of(args, datatypes.DataTypeSpec(args.name, "")),
                               operator())
    print(f"data type {args.name} registered")
    return 0


def _datatype_update(args: argparse.Namespace) -> int:
    with registry_session() as session:
        current = datatypes.DataTypeSpec.of(datatypes.get_datatype(session, args.name))
        datatypes.update_datatype(session, _spec_of(args, current), operator())
    print(f"data type {args.name} updated")
    return 0


def _datatype_list(_args: argparse.Namespace) -> int:
    with registry_session() as session:
        for t in datatypes.list_datatypes(session):
            print(f"{t.name}\t{t.base_type}\t{t.description or ''}")
    return 0


def _datatype_show(args: argparse.Namespace) -> int:
    with registry_session() as session:
        t = datatypes.get_datatype(session, args.name)
        for label, value in (("name", t.name), ("base", t.base_type), ("pattern", t.pattern),
                             ("min length", t.min_length), ("max length", t.max_length),
                             ("description", t.description), ("changed by", t.changed_by),
                             ("changed at", f"{t.changed_at:%Y-%m-%d %H:%M:%S}Z")):
            if value is not None:
                print(f"{label}:\t{value}")
    return 0


def _datatype_export(args: argparse.Namespace) -> int:
    with registry_session() as session:
        data = export_datatypes(session, args.format)
    with _output(args.output) as out:
        out.write(data)
    return 0


def _datatype_import(args: argparse.Namespace) -> int:
    with _open(args.file) as stream:
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


def _attributes(args: argparse.Namespace) -> int:
    with registry_session() as session:
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
    return 0


def _set_attribute(args: argparse.Namespace) -> int:
    with registry_session() as session:
        kind = _kind(session, args.namespace, args.root)
        attributes.edit_attribute(session, kind, args.path, operator(),
                                  type_name=args.type_name, required=args.required,
                                  description=args.description)
    print(f"attribute {args.path} updated")
    return 0


def _application_submit(args: argparse.Namespace) -> int:
    with _open(args.cert) as stream:
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


def _application_list(args: argparse.Namespace) -> int:
    with registry_session() as session:
        for a in apps.list_applications(session, args.status):
            print(f"{a.id}\t{a.status}\t{a.participant_code}\t{a.organisation}\t"
                  f"{a.submitted_at:%Y-%m-%d %H:%M}")
    return 0


def _application_show(args: argparse.Namespace) -> int:
    with registry_session() as session:
        a = apps.get_application(session, args.id)
        for label, value in (
            ("application", a.id), ("status", a.status), ("reason", a.reason),
            ("code", a.participant_code), ("organisation", a.organisation),
            ("system", a.system_name), ("category", a.category), ("contacts", a.contacts),
            ("certificate", f"{a.certificate_fingerprint} {a.certificate_subject}"),
            ("submitted", f"{a.submitted_at:%Y-%m-%d %H:%M:%S}Z by {a.submitted_by}"),
            ("decided", a.decided_at and f"{a.decided_at:%Y-%m-%d %H:%M:%S}Z by {a.decided_by}"),
        ):
            if value is not None:
                print(f"{label}:\t{value}")
        for k in a.kinds:
            print(f"kind:\t{k.role} of {{{k.namespace}}}{k.root_element}")
    return 0


def _application_approve(args: argparse.Namespace) -> int:
    with registry_session() as session:
        code = apps.approve_application(session, args.id, operator()).participant_code
    print(f"application {args.id} approved: participant {code} registered")
    return 0


def _application_refuse(args: argparse.Namespace) -> int:
    with registry_session() as session:
        apps.refuse_application(session, args.id, args.reason, operator())
    print(f"application {args.id} refused")
    return 0
