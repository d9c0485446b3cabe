"""Per-stage CPU of one process, in-process (D25), by timing the hot path's functions.

The gateway's functions are wrapped for the duration of a run (monkeypatching; nothing in the
product is instrumented) and each request is a WSGI call of :class:`SingleService`. CPU is
``time.process_time`` of this process: the PostgreSQL server's own work is not in it, which is
why the wall time of each stage is reported beside it.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

import floor_app

from smev_soap.service import app as service_app
from smev_soap.service import inbound, sending
from smev_soap.service.app import SingleService
from smev_soap.service.gateway import Gateway
from smev_soap.service.registry_cache import RegistryView

GATEWAY_STAGES = ("transport+parse", "verify", "authorship", "policy+contract", "transaction",
                  "answer signing", "other")
FLOOR_STAGES = ("transport+parse", "verify", "answer signing", "other")
_POLICY_AND_CONTRACT = ("payload", "_kind_of", "_check_policy", "validate_app_data",
                        "check_attachments")


@dataclass
class StageReport:
    """CPU and wall seconds per request for each stage."""

    requests: int
    cpu: dict[str, float]
    wall: dict[str, float]

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu.values())


class _Clock:
    """Inclusive CPU and wall time of wrapped functions, by label."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)

    def wrap(self, label: str, function: Callable) -> Callable:
        @wraps(function)
        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - cpu
                self.wall[label] += time.perf_counter() - wall
        return timed


@contextmanager
def _patched(targets: Sequence[tuple[object, str, str]], clock: _Clock) -> Iterator[None]:
    """Replace ``owner.name`` by its timed version (label) for the block."""
    saved = []
    for owner, name, label in targets:
        original = owner[name] if isinstance(owner, dict) else getattr(owner, name)
        saved.append((owner, name, original))
        timed = clock.wrap(label, original)
        if isinstance(owner, dict):
            owner[name] = timed
        else:
            setattr(owner, name, timed)
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            if isinstance(owner, dict):
                owner[name] = original
            else:
                setattr(owner, name, original)


def environ(body: bytes) -> dict:
    return {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "PATH_INFO": "/smev/ws", "QUERY_STRING": ""}


def _call(app: Callable, body: bytes, marker: bytes) -> None:
    answer = b"".join(app(environ(body), lambda status, headers: None))
    if marker not in answer:
        raise RuntimeError(f"unexpected answer: {answer[:500]!r}")


def _report(requests: int, stages: dict[str, float], walls: dict[str, float]) -> StageReport:
    return StageReport(requests, {k: v / requests for k, v in stages.items()},
                       {k: v / requests for k, v in walls.items()})


def _exclusive(t: dict[str, float]) -> dict[str, float]:
    """Gateway stages from the inclusive times of the wrapped functions."""
    policy = sum(t[name] for name in _POLICY_AND_CONTRACT) + t["route"]
    stages = {
        "transport+parse": t["read_request"] + t["locate"],
        "verify": t["verify_envelope"],
        "authorship": t["authenticate"] - t["verify_envelope"],
        "policy+contract": policy,
        "transaction": t["send_request"] - policy - t["_accept"],
        "answer signing": t["_accept"],
    }
    stages["other"] = t["total"] - sum(stages.values())
    return stages


def profile_gateway(gateway: Gateway, bodies: Sequence[bytes], warmup: int = 20) -> StageReport:
    """Per-stage CPU of ``SendRequest`` → ACCEPT over ``bodies`` (unique envelopes)."""
    service = SingleService(gateway)
    for body in bodies[:warmup]:
        _call(service, body, b">ACCEPT<")
    measured = bodies[warmup:]
    clock = _Clock()
    targets = [
        (service_app, "read_request", "read_request"),
        (service_app, "locate", "locate"),
        (service_app, "authenticate", "authenticate"),
        (inbound, "verify_envelope", "verify_envelope"),
        (service_app.OPERATION_HANDLERS, "SendRequest", "send_request"),
        (sending, "_accept", "_accept"),
        *((sending, name, name) for name in _POLICY_AND_CONTRACT),
        (RegistryView, "route", "route"),
    ]
    timed_service = clock.wrap("total", service)
    with _patched(targets, clock):
        for body in measured:
            _call(timed_service, body, b">ACCEPT<")
    return _report(len(measured), _exclusive(clock.cpu), _exclusive(clock.wall))


def profile_floor(floor: floor_app.FloorApp, bodies: Sequence[bytes], warmup: int = 20
                  ) -> StageReport:
    """Per-stage CPU of the floor app over ``bodies``."""
    for body in bodies[:warmup]:
        _call(floor, body, b"Signature")
    measured = bodies[warmup:]
    clock = _Clock()
    targets = [(floor, "parse", "parse"), (floor, "verify", "verify"), (floor, "sign", "sign")]
    timed_floor = clock.wrap("total", floor)
    with _patched(targets, clock):
        for body in measured:
            _call(timed_floor, body, b"Signature")

    def stages(t: dict[str, float]) -> dict[str, float]:
        named = {"transport+parse": t["parse"], "verify": t["verify"], "answer signing": t["sign"]}
        return {**named, "other": t["total"] - sum(named.values())}

    return _report(len(measured), stages(clock.cpu), stages(clock.wall))


def _package(filename: str) -> str:
    """``sqlalchemy``, ``smev_soap.service``, ``psycopg2``… for a profiled function's file."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/smev_soap/" in filename:
        parts = filename.split("/smev_soap/", 1)[1].split("/")
        return "smev_soap." + (parts[0] if len(parts) > 1 else parts[0].removesuffix(".py"))
    return "python" if filename.startswith("/") else "builtins"


def top_functions(gateway: Gateway, bodies: Sequence[bytes], limit: int) -> str:
    """cProfile (CPU time) of the gateway over ``bodies``: own CPU by package, then the
    ``limit`` costliest functions."""
    service = SingleService(gateway)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for body in bodies:
        _call(service, body, b">ACCEPT<")
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        by_package[_package(filename)] += own
    lines = [f"own CPU by package, ms per request (cProfile, {len(bodies)} requests):"]
    lines += [f"  {name:<28}{seconds * 1000 / len(bodies):7.3f}"
              for name, seconds in sorted(by_package.items(), key=lambda i: -i[1])[:15]]
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(limit)
    return "\n".join(lines) + "\n" + out.getvalue()
