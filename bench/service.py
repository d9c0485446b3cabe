"""D25: the single service's SendRequest throughput under gunicorn + PostgreSQL, against a floor.

1. A scratch PostgreSQL database ``smev_bench_<random>`` gets the migrations and the demo
   registry; the gateway's and the demo participants' keys go to a temporary var dir.
2. ~4 KiB ``SendRequest`` envelopes are signed by the demo МФЦ before each measured slice: unique
   ones for the gateway (its idempotency check would short-cut a repeat), a replayed set for the
   floor.
3. The FLOOR (``bench/floor_app.py``: parse, verify, sign a fixed two-reference answer) and the
   gateway (``smev_soap.wsgi:create_app()``) run side by side under the same gunicorn
   configuration (``smev_soap.gunicorn_conf``), each on its own 127.0.0.1 port, and are measured
   in alternating slices (closed loop), so that load from other processes hits both alike. Then
   the gateway gets a paced run at 80% of its peak.
4. One gateway and one floor are profiled in this process, stage by stage (CPU per request).

Usage: python bench/service.py [--seconds 10] [--rounds 5] [--connections 8] [--processes 4]
       [--stages-only] [--cprofile N]
Prints figures; asserts nothing. Everything stays on the loopback interface.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import floor_app
import stages
from envelopes import TARGET_SIZE, sign_requests
from load import LoadResult, post_requests, run_load
from scratch import prepare, scratch_database

from smev_soap.config import Settings
from smev_soap.service.app import PATH
from smev_soap.service.gateway import Gateway

BENCH_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:smev_soap.gunicorn_conf"]
FLOOR_APP = ["--pythonpath", str(BENCH_DIR), "floor_app:create_app()"]
ACCEPTED, SIGNED = b">ACCEPT<", b"SignatureValue"
TARGET, STRETCH = 0.40, 0.50
PACED_SHARE = 0.8
# Unique envelopes signed for a gateway slice, over the floor's best rate: the gateway cannot
# outrun the floor, but its connections are not served evenly.
HEADROOM = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> int:
    """Status of a GET on loopback (a bare socket: no proxy settings apply)."""
    with socket.create_connection((HOST, port), timeout=2) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
        return int(sock.recv(64).split()[1])


@contextmanager
def gunicorn(extra: list[str], port: int, log: Path, ready_path: str) -> Iterator[None]:
    """gunicorn with the gateway's configuration on ``port``; SIGTERM when the block ends."""
    env = {**os.environ, "SMEV_BIND": f"{HOST}:{port}"}
    with open(log, "ab") as output:
        process = subprocess.Popen(GUNICORN + extra, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}:\n"
                                 + log.read_text(errors="replace")[-3000:])
            try:
                if _get(port, ready_path) == 200:
                    break
            except (OSError, ValueError, IndexError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start on port {port}")
            time.sleep(0.2)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Bench:
    """The settings, ports and envelope numbering of one bench run."""

    def __init__(self, settings: Settings, args: argparse.Namespace) -> None:
        self.settings, self.args = settings, args
        self.floor_port, self.gateway_port = free_port(), free_port()
        self.numbered = 0

    def sign(self, count: int) -> list[bytes]:
        envelopes = sign_requests(self.settings, self.numbered, count)
        self.numbered += count
        return envelopes

    def requests(self, port: int, count: int) -> list[bytes]:
        return post_requests(HOST, port, PATH, self.sign(count))

    def load(self, port: int, requests: list[bytes], seconds: float, *,
             rate: float | None = None, reuse: bool = False) -> LoadResult:
        marker = SIGNED if port == self.floor_port else ACCEPTED
        return run_load(HOST, port, requests, seconds=seconds,
                        connections=self.args.connections, processes=self.args.processes,
                        rate=rate, reuse=reuse, marker=marker)

    def gateway_slice(self, floor_rate: float, seconds: float) -> LoadResult:
        """A closed-loop slice of the gateway on fresh unique envelopes."""
        count = math.ceil(max(floor_rate, 100.0) * HEADROOM * seconds)
        return self.load(self.gateway_port, self.requests(self.gateway_port, count), seconds)


def _merged(results: list[LoadResult]) -> LoadResult:
    total = LoadResult(sum(r.seconds for r in results))
    for result in results:
        total.merge(result)
    return total


def _line(name: str, result: LoadResult) -> str:
    ms = 1000
    return (f"{name:<38} {result.rate:8.1f} msg/s  p50 {result.percentile(0.5) * ms:6.1f} ms  "
            f"p99 {result.percentile(0.99) * ms:6.1f} ms  errors {result.errors}"
            + ("  (ran out of envelopes)" if result.exhausted else "")
            + (f"\n    first error: {result.first_error}" if result.first_error else ""))


def _verdict(ratio: float) -> str:
    target = "ok" if ratio >= TARGET else "MISSED"
    stretch = "ok" if ratio >= STRETCH else "missed"
    return f"target >= {TARGET:.2f}: {target}; stretch >= {STRETCH:.2f}: {stretch}"


def measure_servers(bench: Bench, floor_requests: list[bytes], log: Path) -> None:
    """Floor and gateway side by side: warm-up, alternating slices, then the paced run."""
    args = bench.args
    piece = args.seconds / args.rounds
    floors: list[LoadResult] = []
    gateways: list[LoadResult] = []
    with ExitStack() as servers:
        servers.enter_context(gunicorn(FLOOR_APP, bench.floor_port, log, "/"))
        servers.enter_context(gunicorn([], bench.gateway_port, log, "/healthz"))
        warm = bench.load(bench.floor_port, floor_requests, args.warmup, reuse=True)
        bench.gateway_slice(warm.rate, args.warmup)
        for _ in range(args.rounds):
            floors.append(bench.load(bench.floor_port, floor_requests, piece, reuse=True))
            gateways.append(bench.gateway_slice(max(f.rate for f in floors), piece))
        floor, peak = _merged(floors), _merged(gateways)
        ratios = [g.rate / f.rate for f, g in zip(floors, gateways, strict=True)]
        print(_line("floor (parse + verify + sign 2 refs)", floor))
        print(_line("gateway (SendRequest -> ACCEPT)", peak))
        ratio = statistics.median(ratios)
        print(f"ratio gateway/floor {ratio:.2f} (median of {args.rounds} rounds: "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; {_verdict(ratio)})")
        paced_rate = PACED_SHARE * peak.rate
        paced_requests = bench.requests(bench.gateway_port,
                                        math.ceil(paced_rate * args.seconds) + 100)
        paced = bench.load(bench.gateway_port, paced_requests, args.seconds, rate=paced_rate)
        print(_line(f"gateway paced at {paced_rate:.0f}/s (80% of peak)", paced))


def _stage_table(gateway: stages.StageReport, floor: stages.StageReport) -> list[str]:
    title = (f"per-stage CPU of one process, in-process WSGI calls ({gateway.requests} requests "
             f"each); ms per request, wall in brackets")
    lines = [title, f"  {'stage':<18}{'gateway':>18}{'floor':>18}"]
    for stage in stages.GATEWAY_STAGES:
        cells = [f"{r.cpu[stage] * 1000:7.3f} ({r.wall[stage] * 1000:6.3f})" if stage in r.cpu
                 else "-" for r in (gateway, floor)]
        lines.append(f"  {stage:<18}{cells[0]:>18}{cells[1]:>18}")
    lines.append(f"  {'total':<18}{gateway.total_cpu * 1000:>9.3f}{'':9}"
                 f"{floor.total_cpu * 1000:>9.3f}")
    lines.append(f"  CPU ratio floor/gateway {floor.total_cpu / gateway.total_cpu:.2f}")
    return lines


def profile_stages(bench: Bench, floor_bodies: list[bytes]) -> None:
    """The in-process stage table, and optionally the gateway's costliest functions."""
    count = bench.args.profile_requests
    gateway = Gateway.from_settings(bench.settings)
    try:
        gateway_report = stages.profile_gateway(gateway, bench.sign(count))
        floor_report = stages.profile_floor(floor_app.FloorApp(bench.settings),
                                            floor_bodies[:count])
        print("\n".join(_stage_table(gateway_report, floor_report)))
        if bench.args.cprofile:
            print(stages.top_functions(gateway, bench.sign(count), bench.args.cprofile))
    finally:
        gateway.database.dispose()


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="smev-bench-") as tmp, scratch_database() as url:
        settings = prepare(Path(tmp) / "var", url)
        bench = Bench(settings, args)
        started = time.monotonic()
        floor_bodies = bench.sign(args.floor_envelopes)
        print(f"{len(floor_bodies[0])}-byte signed SendRequest envelopes (target {TARGET_SIZE}), "
              f"{args.floor_envelopes} signed in {time.monotonic() - started:.1f} s; gunicorn "
              f"{settings.workers} gthread workers x {settings.threads} threads per server; "
              f"client {args.connections} keep-alive connections in {args.processes} processes; "
              f"{args.rounds} rounds of {args.seconds / args.rounds:g} s per server after "
              f"{args.warmup:g} s warm-up; PostgreSQL database {url.rsplit('/', 1)[-1]}; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        if not args.stages_only:
            floor_requests = post_requests(HOST, bench.floor_port, PATH, floor_bodies)
            measure_servers(bench, floor_requests, Path(tmp) / "gunicorn.log")
        profile_stages(bench, floor_bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="measured seconds per server (split into rounds)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating slices per server")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per server")
    parser.add_argument("--connections", type=int, default=8, help="client connections")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--floor-envelopes", type=int, default=3000,
                        help="envelopes the floor replays (it keeps no state)")
    parser.add_argument("--profile-requests", type=int, default=400,
                        help="requests of the in-process stage profile")
    parser.add_argument("--stages-only", action="store_true",
                        help="skip gunicorn; only the in-process stage profile")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="also print the gateway's N costliest functions (cProfile)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
