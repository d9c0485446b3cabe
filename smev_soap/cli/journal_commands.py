"""``smev-soap journal show|verify|seal``: a message's history and the journal's integrity."""

from __future__ import annotations

import argparse
from pathlib import Path

from smev_soap.cli.errors import CommandError
from smev_soap.config import Settings, load_settings
from smev_soap.crypto import Certificate, CryptoError, PrivateKey
from smev_soap.db import Database
from smev_soap.journal import history, seal_pending, verify_journal

SEALS_LOG = "journal-seals.log"


def register(commands: argparse._SubParsersAction) -> None:
    journal = commands.add_parser("journal", help="message history and tamper evidence")
    actions = journal.add_subparsers(dest="journal_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print the history of a message's chain")
    show.add_argument("message_id", metavar="MESSAGE_ID")
    show.set_defaults(handler=_show)
    verify = actions.add_parser(
        "verify", help="check every sealed batch; exit 1 naming the first bad entry"
    )
    verify.set_defaults(handler=_verify)
    actions.add_parser("seal", help="seal the unsealed journal rows now").set_defaults(
        handler=_seal
    )


def seals_log_path(settings: Settings) -> Path:
    """The outside anchor of the seals (D20)."""
    return settings.var_dir / SEALS_LOG


def _show(args: argparse.Namespace) -> int:
    database = Database(load_settings().database_url)
    with database.transaction() as session:
        events = history(session, args.message_id)
        if not events:
            raise CommandError(f"no journal events for message {args.message_id}")
        for e in events:
            fields = [f"#{e.id}", e.at.isoformat(), e.event, e.participant or "-",
                      e.message_id or "-"]
            fields += [text for text in (e.error_code, e.detail) if text]
            print("\t".join(fields))
    return 0


def _certificate(settings: Settings) -> Certificate:
    try:
        return Certificate.from_file(settings.cert)
    except (OSError, CryptoError) as error:
        raise CommandError(f"cannot read the gateway certificate {settings.cert}: {error}") from None


def _verify(_args: argparse.Namespace) -> int:
    settings = load_settings()
    public_key = _certificate(settings).public_key
    report = verify_journal(Database(settings.database_url), public_key, seals_log_path(settings))
    print(f"{report.sealed_batches} sealed batches, {report.sealed_rows} sealed rows, "
          f"{report.unsealed_rows} rows not yet sealed (not yet protected)")
    if report.unanchored:
        print(f"batches not in the seals log: {', '.join(map(str, report.unanchored))}")
    for problem in report.problems:
        print(f"BAD: {problem.message}")
    if report.first_problem:
        print(f"first bad entry: {report.first_problem.message}")
        return 1
    print("journal OK")
    return 0


def _seal(_args: argparse.Namespace) -> int:
    settings = load_settings()
    certificate = _certificate(settings)
    try:
        key = PrivateKey.from_file(settings.key, settings.key_password())
    except (OSError, CryptoError) as error:
        raise CommandError(f"cannot read the gateway key {settings.key}: {error}") from None
    heads = seal_pending(Database(settings.database_url), key, certificate,
                         seals_log_path(settings), grace_seconds=0)
    if heads is None:
        raise CommandError("another process is sealing the journal")
    rows = sum(head.count for head in heads)
    print(f"sealed {rows} rows in {len(heads)} batch(es)")
    return 0
