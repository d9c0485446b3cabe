"""The worker process (``smev-soap worker``, D15): every periodic job of the gateway.

Each job runs under a one-node lock (PostgreSQL advisory lock, a file lock on SQLite); a node
that finds the lock taken skips the round. The loop sleeps at most :data:`MAX_SLEEP` seconds at a
time, so a stop request (SIGTERM/SIGINT) is honoured within that bound once the running job ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smev_soap.journal import seal_pending
from smev_soap.journal.locks import job_lock
from smev_soap.queue.replay import forget_before
from smev_soap.service.dead_letters import dead_letter_pass
from smev_soap.service.gateway import Gateway

log = logging.getLogger(__name__)

SEALS_LOG = "journal-seals.log"
#: Rows younger than this wait for the next pass (a later commit may still take a smaller id).
SEAL_GRACE_SECONDS = 5.0
DEAD_LETTER_INTERVAL = 5.0
DEAD_LETTER_LOCK = "dead-letters"
MAX_SLEEP = 1.0

SKIPPED = "skipped: another node holds the lock"
FAILED = "failed"


@dataclass(frozen=True)
class Job:
    """A periodic job; ``run`` returns a summary, or None when another node holds its lock."""

    name: str
    interval: float
    run: Callable[[], str | None]


def seals_log_path(gateway: Gateway) -> Path:
    """The outside anchor of the journal seals (D20)."""
    return gateway.settings.var_dir / SEALS_LOG


def seal_journal(gateway: Gateway) -> str | None:
    """Seal the journal rows older than the grace period (``seal_pending`` takes its lock)."""
    heads = seal_pending(gateway.database, gateway.key, gateway.cert, seals_log_path(gateway),
                         grace_seconds=SEAL_GRACE_SECONDS)
    if heads is None:
        return None
    return f"sealed {sum(head.count for head in heads)} rows in {len(heads)} batch(es)"


def dead_letters(gateway: Gateway) -> str | None:
    """Dead-letter exhausted queue items and notify the senders, under the job's lock."""
    with job_lock(gateway.database, DEAD_LETTER_LOCK, gateway.settings.var_dir) as held:
        if not held:
            return None
        return f"{len(dead_letter_pass(gateway))} dead letter(s)"


def forget_control_calls(gateway: Gateway) -> str | None:
    """Drop remembered control calls older than the idempotency window (their Date is stale)."""
    moment = datetime.now(UTC) - timedelta(seconds=gateway.settings.idempotency_window)
    with gateway.database.transaction() as session:
        return f"forgot {forget_before(session, moment)} control call(s)"


def default_jobs(gateway: Gateway) -> list[Job]:
    """The jobs ``smev-soap worker`` runs."""
    return [
        Job("journal-seal", float(gateway.settings.journal_seal_interval),
            lambda: seal_journal(gateway)),
        Job("dead-letters", DEAD_LETTER_INTERVAL, lambda: dead_letters(gateway)),
        Job("control-calls", float(gateway.settings.journal_seal_interval),
            lambda: forget_control_calls(gateway)),
    ]


class Worker:
    """Runs jobs at their intervals until stopped; one failing job never stops the others."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self.jobs = list(jobs)

    def run_job(self, job: Job) -> str:
        """Run one job now; its summary, :data:`SKIPPED` or :data:`FAILED`."""
        try:
            summary = job.run()
        except Exception:
            log.exception("job %s failed", job.name)
            return FAILED
        return SKIPPED if summary is None else summary

    def run_once(self) -> dict[str, str]:
        """Every job once, in order: name → outcome."""
        return {job.name: self.run_job(job) for job in self.jobs}

    def run(self, stop: threading.Event) -> None:
        """Run every job when due until ``stop`` is set."""
        due = {job.name: 0.0 for job in self.jobs}
        while not stop.is_set():
            for job in self.jobs:
                if stop.is_set():
                    return
                if time.monotonic() >= due[job.name]:
                    outcome = self.run_job(job)
                    log.log(logging.WARNING if outcome == FAILED else logging.DEBUG,
                            "%s: %s", job.name, outcome)
                    due[job.name] = time.monotonic() + job.interval
            pause = min(due.values()) - time.monotonic()
            stop.wait(min(max(pause, 0.0), MAX_SLEEP))
