"""``smev-soap demo-agent`` and ``smev-soap demo play``: the demo agency and the demo exchange."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from smev_soap.cli.errors import CommandError
from smev_soap.config import load_settings


def register(commands: argparse._SubParsersAction) -> None:
    agent = commands.add_parser("demo-agent", help="the demo agency answering the demo kind")
    agent.add_argument("--url", help="single service URL (default: the bind address, loopback)")
    agent.add_argument("--interval", type=float, default=1.0, help="seconds between idle polls")
    agent.set_defaults(handler=_agent)

    demo = commands.add_parser("demo", help="demo exchanges").add_subparsers(
        dest="demo_command", required=True, metavar="ACTION")
    play = demo.add_parser("play", help="the full exchange as the МФЦ, with zeep")
    play.add_argument("--url", help="single service URL (default: SMEV_PUBLIC_URL + /smev/ws)")
    play.add_argument("--snils", default="12345678901", help="the person's SNILS")
    play.add_argument("--agent-wait", type=float, default=5.0,
                      help="seconds to wait for the demo-agent before answering as the agency")
    play.add_argument("--timeout", type=float, default=60.0, help="give up after this long")
    play.set_defaults(handler=_play)


def _agent(args: argparse.Namespace) -> int:
    from smev_soap.demo_agent import DemoAgent

    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s [demo-agent] %(levelname)s %(name)s: %(message)s")
    agent = DemoAgent.from_settings(load_settings(), args.url)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    logging.getLogger(__name__).info("%s polling %s", agent.participant.code, agent.url)
    agent.run(stop, args.interval)
    return 0


def _play(args: argparse.Namespace) -> int:
    from smev_soap.demo_play import PlayError, demo_url, play, print_play

    settings = load_settings()
    try:
        outcome = play(settings, args.url or demo_url(settings), args.snils,
                       agent_wait=args.agent_wait, timeout=args.timeout)
    except (PlayError, OSError, ValueError) as error:
        raise CommandError(f"demo play: {error}") from error
    print_play(outcome, sys.stdout)
    return 0
