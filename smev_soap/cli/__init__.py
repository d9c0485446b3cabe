"""The ``smev-soap`` command: one sub-command group per area of the gateway.

Only the module that registers the command being run is imported (``sign`` must not pay for
SQLAlchemy and Alembic: the node SOAP client calls it once per message); ``--help`` loads all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from smev_soap.cli.errors import CommandError

# command word -> the module (in this package) that registers it
COMMAND_MODULES: dict[str, str] = {
    "run": "run_command",
    "db": "db_commands",
    "crypto": "crypto_commands",
    "keys": "crypto_commands",
    "sign": "sign_commands",
    "verify": "sign_commands",
    "participant": "participant_commands",
    "kind": "kind_commands",
    "service": "service_commands",
    "agreement": "agreement_commands",
    "grant": "registry_commands",
    "classified": "registry_commands",
    "classifier": "classifier_commands",
    "datatype": "datatype_commands",
    "application": "application_commands",
    "journal": "journal_commands",
    "worker": "worker_commands",
    "demo-agent": "demo_commands",
    "demo": "demo_commands",
}

__all__ = ["COMMAND_MODULES", "CommandError", "build_parser", "main"]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only that command's group is registered."""
    parser = argparse.ArgumentParser(
        prog="smev-soap", description="Regional SMEV (РСМЭВ) gateway: serve, administer, sign."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for name in dict.fromkeys(wanted):
        importlib.import_module(f"smev_soap.cli.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CommandError as error:
        print(f"smev-soap: {error}", file=sys.stderr)
        return 2
