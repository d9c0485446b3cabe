"""The ``smev-soap`` command: one sub-command group per area of the gateway."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


class CommandError(Exception):
    """A bad argument or state that the command reports in one line and exit code 2."""


# The groups import CommandError from this module, so they come after it.
from smev_soap.cli import (
    crypto_commands,
    db_commands,
    journal_commands,
    registry_commands,
    run_command,
    sign_commands,
)

GROUPS = (
    run_command, db_commands, crypto_commands, sign_commands, registry_commands, journal_commands,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smev-soap", description="Regional SMEV (РСМЭВ) gateway: serve, administer, sign."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CommandError as error:
        print(f"smev-soap: {error}", file=sys.stderr)
        return 2

