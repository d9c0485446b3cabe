"""The worker's loop: jobs run when due, a failing job never stops the others, stop is clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from smev_soap.worker import FAILED, Job, Worker


def test_failing_job_does_not_stop_the_others():
    stop = threading.Event()
    runs: list[str] = []

    def broken() -> str:
        runs.append("broken")
        raise RuntimeError("database down")

    def counting() -> str:
        runs.append("counting")
        if runs.count("counting") == 3:
            stop.set()
        return "done"

    worker = Worker([Job("broken", 0.0, broken), Job("counting", 0.0, counting)])
    assert worker.run_once() == {"broken": FAILED, "counting": "done"}
    worker.run(stop)
    assert runs == ["broken", "counting"] * 3


def test_stop_request_ends_the_loop():
    stop = threading.Event()
    stop.set()
    Worker([Job("never", 0.0, _must_not_run)]).run(stop)


def _must_not_run() -> str:
    raise AssertionError("a stopped worker runs no job")


def test_sigterm_stops_the_worker_process(worker_env):
    process = subprocess.Popen([sys.executable, "-m", "smev_soap.cli", "worker"],
                               env=dict(os.environ), stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "worker started" in line:
                break
        assert any("worker started" in line for line in lines), "".join(lines)
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, "".join(lines) + rest
