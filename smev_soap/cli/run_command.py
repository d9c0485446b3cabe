"""``smev-soap run``: prepare the embedded default and serve (gunicorn plus helpers, D15)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

from smev_soap import migrate
from smev_soap.cli.errors import CommandError
from smev_soap.config import load_settings
from smev_soap.db import Database
from smev_soap.demo import ensure_gateway_keys, load_demo_registry
from smev_soap.wsgi import SelfTestFailed, require_selftest


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="migrate, create missing demo keys and serve")
    run.add_argument("--demo", action="store_true",
                     help="also load the demo registry and start the demo-agent")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(**({"demo": True} if args.demo else {}))
    try:
        require_selftest()
    except SelfTestFailed as error:
        raise CommandError(f"{error}; refusing to start") from error
    database = Database(settings.database_url)
    migrate.upgrade(database)
    ensure_gateway_keys(settings)
    commands = [
        [sys.executable, "-m", "gunicorn", "-c", "python:smev_soap.gunicorn_conf"],
        [sys.executable, "-m", "smev_soap.cli", "worker"],
    ]
    if settings.demo:
        load_demo_registry(settings, database)
        commands.append([sys.executable, "-m", "smev_soap.cli", "demo-agent"])
    database.dispose()
    print(f"smev-soap: serving on http://{settings.bind} (database {settings.database_url})")
    return supervise(commands)


def supervise(commands: list[list[str]]) -> int:
    """Run the processes together; stop all when one exits or on SIGINT/SIGTERM."""
    children = [subprocess.Popen(command) for command in commands]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    codes = [child.wait() for child in children]
    return 0 if stopping else next((code for code in codes if code), 1)


