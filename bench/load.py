"""A small HTTP/1.1 keep-alive load generator for loopback: processes × threads × connections.

Every connection replays its own slice of pre-built ``POST`` requests. Closed loop (``rate`` None):
each connection sends its next request as soon as the answer is in. Paced (``rate`` given): each
connection sends on a fixed schedule and latency counts from the scheduled time, so a stalled
server shows up as latency instead of being hidden by the client waiting (no coordinated
omission). Only answers completed inside the measured window count.
"""

from __future__ import annotations

import math
import multiprocessing
import re
import socket
import threading
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

START_DELAY = 0.5  # seconds for the processes to start before the common start time
_WORK: list[list[bytes]] = []  # the per-connection requests, inherited by the forked processes


@dataclass
class LoadResult:
    """What one run measured; latencies in seconds."""

    seconds: float
    accepted: int = 0
    errors: int = 0
    exhausted: bool = False
    latencies: array = field(default_factory=lambda: array("d"))
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def merge(self, other: LoadResult) -> None:
        self.accepted += other.accepted
        self.errors += other.errors
        self.exhausted |= other.exhausted
        self.latencies.extend(other.latencies)
        self.first_error = self.first_error or other.first_error


def post_requests(host: str, port: int, path: str, bodies: Sequence[bytes]) -> list[bytes]:
    """Complete ``POST`` requests (head and body) of ``SendRequest`` envelopes."""
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"SendRequest\"\r\n")
    return [f"{head}Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body for body in bodies]


class _Connection:
    """One keep-alive connection; ``exchange`` returns (HTTP status, body)."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(self.address)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.split(b":", 1) for line in lines[1:])
        headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
        length = int(headers.get(b"content-length", b"0"))
        while len(self.buffer) < length:
            self._receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, body

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def _describe(status: int, body: bytes) -> str:
    """An answer that is not the expected one, by its error code when it has one."""
    found = re.search(rb"(RSMEV-\d+)</[^>]*>(.{0,400})", body, re.DOTALL)
    shown = found.group(1) + b" " + re.sub(rb"<[^>]+>", b" ", found.group(2)) if found else \
        body[:300]
    return f"HTTP {status}: " + " ".join(shown.decode("utf-8", "replace").split())


def _drive(index: int, host: str, port: int, start: float, stop: float, interval: float | None,
           reuse: bool, marker: bytes, result: LoadResult) -> None:
    """One connection's loop (a thread)."""
    requests = _WORK[index]
    connection = _Connection(host, port)
    position = 0
    offset = interval * index / max(1, len(_WORK)) if interval else 0.0
    while time.monotonic() < start:
        time.sleep(min(0.01, max(0.0, start - time.monotonic())))
    sent = 0
    while True:
        scheduled = start + offset + sent * interval if interval else time.monotonic()
        if scheduled >= stop:
            break
        if interval:
            time.sleep(max(0.0, scheduled - time.monotonic()))
        if position == len(requests):
            if not reuse:
                result.exhausted = True
                break
            position = 0
        request = requests[position]
        position += 1
        sent += 1
        try:
            status, body = connection.exchange(request)
            good = status == 200 and marker in body
            problem = "" if good else _describe(status, body)
        except OSError as error:
            connection.close()
            good, problem = False, f"{type(error).__name__}: {error}"
        done = time.monotonic()
        if done > stop:
            break
        if good:
            result.accepted += 1
            result.latencies.append(done - scheduled)
        else:
            result.errors += 1
            result.first_error = result.first_error or problem
    connection.close()


def _process(indexes: list[int], host: str, port: int, start: float, stop: float,
             interval: float | None, reuse: bool, marker: bytes,
             out: multiprocessing.Queue) -> None:
    results = [LoadResult(stop - start) for _ in indexes]
    threads = [threading.Thread(target=_drive, args=(i, host, port, start, stop, interval, reuse,
                                                     marker, r))
               for i, r in zip(indexes, results, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = LoadResult(stop - start)
    for result in results:
        total.merge(result)
    out.put(total)


def run_load(host: str, port: int, requests: Sequence[bytes], *, seconds: float,
             connections: int, processes: int, rate: float | None = None, reuse: bool = False,
             marker: bytes = b"") -> LoadResult:
    """Drive ``connections`` connections in ``processes`` processes for ``seconds``.

    ``requests`` are dealt round-robin to the connections; ``reuse`` replays them when they run
    out (else the connection stops and the result says ``exhausted``). An answer is good when it
    is HTTP 200 and contains ``marker``.
    """
    _WORK[:] = [list(requests[i::connections]) for i in range(connections)]
    start = time.monotonic() + START_DELAY
    stop = start + seconds
    interval = connections / rate if rate else None
    out: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    context = multiprocessing.get_context("fork")
    groups = [list(range(p, connections, processes)) for p in range(min(processes, connections))]
    children = [context.Process(target=_process, args=(group, host, port, start, stop, interval,
                                                       reuse, marker, out))
                for group in groups]
    for child in children:
        child.start()
    total = LoadResult(seconds)
    for _ in children:
        total.merge(out.get())
    for child in children:
        child.join()
    _WORK.clear()
    return total
