"""``smev-soap classifier``: classifiers (справочники НСИ), imported and exported whole."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap.cli.common import (
    action_group,
    add_action,
    open_input,
    operator,
    output,
    registry_command,
    registry_session,
)
from smev_soap.registry import classifiers
from smev_soap.registry.classifier_export import export_classifier
from smev_soap.registry.classifier_import import import_classifier

BAR_WIDTH = 30


def register(commands: argparse._SubParsersAction) -> None:
    actions = action_group(commands, "classifier", "classifiers (справочники НСИ)")
    imp = add_action(actions, "import", "import a whole classifier as its next version", _import)
    imp.add_argument("--name", required=True)
    imp.add_argument("--format", required=True, choices=("csv", "xml"))
    imp.add_argument("--title")
    imp.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    imp.add_argument("file", type=Path, metavar="FILE")
    add_action(actions, "list", "list classifiers", _list)
    show = add_action(actions, "show", "current items, or changes since a version", _show, "name")
    show.add_argument("--since-version", type=int, metavar="N")
    export = add_action(actions, "export", "write a classifier (or its changes)", _export, "name")
    export.add_argument("--format", required=True, choices=("csv", "xml", "json"))
    export.add_argument("--since-version", type=int, metavar="N")
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")


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


def _import(args: argparse.Namespace) -> int:
    with open_input(args.file) as stream:
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


@registry_command
def _list(_args: argparse.Namespace, session: Session) -> None:
    for c in classifiers.list_classifiers(session):
        print(f"{c.name}\tversion {c.current_version}\t{c.title or ''}")


@registry_command
def _show(args: argparse.Namespace, session: Session) -> None:
    classifier = classifiers.get_classifier(session, args.name)
    since = "" if args.since_version is None else f", changes since {args.since_version}"
    print(f"{classifier.name} version {classifier.current_version}{since}")
    for e in classifiers.iter_classifier_items(session, classifier, args.since_version):
        change = f"{e.change}\t" if e.change else ""
        print(f"{change}{e.code}\t{e.value}\t{e.parent_code or ''}")


def _export(args: argparse.Namespace) -> int:
    with registry_session() as session, output(args.output) as out:
        export_classifier(session, args.name, args.format, out, args.since_version)
    return 0
