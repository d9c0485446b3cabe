"""``smev-soap worker [--once]``: the periodic jobs (journal seals, dead letters, D15)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from smev_soap.cli.errors import CommandError
from smev_soap.config import load_settings
from smev_soap.crypto import CryptoError
from smev_soap.service.gateway import Gateway
from smev_soap.worker import FAILED, Worker, default_jobs
from smev_soap.wsgi import SelfTestFailed, require_selftest


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser("worker", help="run the periodic jobs until SIGTERM/SIGINT")
    worker.add_argument("--once", action="store_true",
                        help="run each job once, print the outcomes and exit")
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s [worker] %(levelname)s %(name)s: %(message)s")
    try:
        require_selftest()
        gateway = Gateway.from_settings(settings)
    except SelfTestFailed as error:
        raise CommandError(f"{error}; refusing to start") from error
    except (OSError, CryptoError) as error:
        raise CommandError(f"cannot load the gateway's key or certificate: {error}") from None
    worker = Worker(default_jobs(gateway))
    try:
        if args.once:
            outcomes = worker.run_once()
            for name, outcome in outcomes.items():
                print(f"{name}: {outcome}")
            return 1 if FAILED in outcomes.values() else 0
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        logging.getLogger(__name__).info("worker started (%s)", ", ".join(
            job.name for job in worker.jobs))
        worker.run(stop)
        return 0
    finally:
        gateway.database.dispose()
