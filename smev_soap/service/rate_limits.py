"""Per-participant rate limits: a token bucket per sender, shared by one node's workers (D21).

Every authenticated request takes one token from its sender's bucket; a bucket holds at most
``SMEV_RATE_BURST`` tokens and refills at ``SMEV_RATE_LIMIT`` tokens a second. A request that
finds less than one token is refused with RSMEV-800 (a signed FAILURE answer). ``SMEV_RATE_LIMIT
= 0`` disables the limits (no file is opened).

The buckets live in one fixed-size file, ``<SMEV_VAR_DIR>/rate-limits.bin``, mapped with
``mmap`` by every gunicorn worker of the node, so the limit holds for the node whichever worker
or thread serves a request. A take is: a thread lock (threads of one worker), ``flock`` on the
file (other workers; each process opens its own file description, reopened after a fork), one
hash probe and a read-modify-write of 40 bytes: a few microseconds.

Layout: a 64-byte header (magic, slot count, probe window) and ``SLOTS`` slots of ``<24sdd``:
the key (the participant code, NUL-padded), the tokens left and the clock reading of the last
take. A key lives in the first ``WINDOW`` slots from ``crc32(key) % SLOTS`` (linear probing):
its own slot, else the first empty one, else, the window being full, the stalest slot (the
smallest last take) is evicted and reused. Slots are never emptied, so a lookup stops at the
first empty slot. An evicted participant comes back with a full bucket (the limit fails open
for it), which only matters when more than ``WINDOW`` keys hashed to one window are all active
within ``burst / rate`` seconds: a bucket idle that long is full anyway.

Time is ``time.monotonic`` (``CLOCK_MONOTONIC``: one clock for every process of a Linux host,
not stepped by NTP or by changes of the wall clock), read while the file lock is held, so the
takes of all processes are ordered. A table left from before a reboot holds readings from the
future: such a bucket keeps its tokens, is not refilled for the lost time, and counts from now.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from smev_soap.config import Settings
from smev_soap.errors import SmevRefusal

if TYPE_CHECKING:
    from smev_soap.service.inbound import Inbound

TABLE_FILE = "rate-limits.bin"
MAGIC = b"SMEVRL01"
SLOTS = 4096
WINDOW = 32
KEY_BYTES = 24

_HEADER = struct.Struct("<8sII")
HEADER_BYTES = 64
_SLOT = struct.Struct(f"<{KEY_BYTES}sdd")
_STATE = struct.Struct("<dd")  # tokens, last take
_LAST = struct.Struct("<d")

Clock = Callable[[], float]


def encode_key(key: str) -> bytes:
    """``key`` as a slot key: its ASCII bytes, or a digest when longer than a slot holds."""
    data = key.encode("utf-8")
    if not data or data[0] == 0 or len(data) > KEY_BYTES:
        data = b"#" + hashlib.blake2b(data, digest_size=KEY_BYTES - 1).digest()
    return data.ljust(KEY_BYTES, b"\0")


class TokenTable:
    """The shared bucket file of one node; one instance per process and path (:func:`table`)."""

    def __init__(self, path: Path, slots: int = SLOTS, window: int = WINDOW) -> None:
        self.path = Path(path)
        self.slots = slots
        self.window = min(window, slots)
        self.size = HEADER_BYTES + slots * _SLOT.size
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._map: mmap.mmap | None = None

    def take(self, key: bytes, rate: float, burst: float, clock: Clock = time.monotonic) -> float:
        """Take a token from ``key``'s bucket: 0.0 when taken, else the seconds until one is
        available (nothing is taken then). ``key`` is a slot key (:func:`encode_key`)."""
        with self._lock:
            if self._map is None:
                self._open()
            fd, table = self._fd, self._map
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                now = clock()
                offset, found = self._slot(table, key)
                if found:
                    tokens, last = _STATE.unpack_from(table, offset + KEY_BYTES)
                    if now > last:
                        tokens += (now - last) * rate
                    tokens = min(burst, tokens)
                else:
                    table[offset:offset + KEY_BYTES] = key
                    tokens = burst
                if tokens >= 1.0:
                    _STATE.pack_into(table, offset + KEY_BYTES, tokens - 1.0, now)
                    return 0.0
                _STATE.pack_into(table, offset + KEY_BYTES, tokens, now)
                return (1.0 - tokens) / rate if rate > 0 else float("inf")
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _slot(self, table: mmap.mmap, key: bytes) -> tuple[int, bool]:
        """The offset of ``key``'s slot and whether it holds ``key`` already (else it is an
        empty or evicted slot for the caller to claim)."""
        start = zlib.crc32(key) % self.slots
        for step in range(self.window):
            offset = HEADER_BYTES + ((start + step) % self.slots) * _SLOT.size
            if table[offset] == 0:
                return offset, False
            if table[offset:offset + KEY_BYTES] == key:
                return offset, True
        stalest, stalest_last = 0, float("inf")
        for step in range(self.window):
            offset = HEADER_BYTES + ((start + step) % self.slots) * _SLOT.size
            (last,) = _LAST.unpack_from(table, offset + KEY_BYTES + 8)
            if last < stalest_last:
                stalest, stalest_last = offset, last
        return stalest, False

    def _open(self) -> None:
        """Open and map the file, (re)initialising it when it is new or of another layout."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Never through a link planted in the var dir; the gateway's own file, private to it.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            if os.fstat(fd).st_uid != os.geteuid():
                raise PermissionError(f"{self.path} belongs to another user")
            os.fchmod(fd, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                header = _HEADER.pack(MAGIC, self.slots, self.window)
                if (os.fstat(fd).st_size != self.size
                        or os.pread(fd, _HEADER.size, 0) != header):
                    os.ftruncate(fd, 0)
                    os.ftruncate(fd, self.size)
                    os.pwrite(fd, header, 0)
                table = mmap.mmap(fd, self.size)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._map = fd, table

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._map is not None:
            self._map.close()
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._map = None, None

    def _after_fork(self) -> None:
        """In a forked child: a fresh thread lock and a file description of its own (``flock``
        belongs to the description, which a child shares with its parent until it reopens)."""
        self._lock = threading.Lock()
        try:
            self._drop()
        except OSError:
            self._fd, self._map = None, None


_tables: dict[str, TokenTable] = {}
_tables_lock = threading.Lock()


def table(path: Path) -> TokenTable:
    """The process's one :class:`TokenTable` for ``path``."""
    name = os.path.abspath(path)
    with _tables_lock:
        found = _tables.get(name)
        if found is None:
            found = _tables[name] = TokenTable(Path(name))
        return found


def _after_fork_in_child() -> None:
    global _tables_lock
    _tables_lock = threading.Lock()
    for each in _tables.values():
        each._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


class RateLimits:
    """The node's rate limits as one SOAP face applies them (``SMEV_RATE_LIMIT``,
    ``SMEV_RATE_BURST``); a no-op when disabled."""

    def __init__(self, rate: float, burst: float, path: Path,
                 clock: Clock = time.monotonic) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self.path = Path(path)
        self.clock = clock
        self._table: TokenTable | None = None  # the process's table for ``path``, once used

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(settings.rate_limit, settings.rate_burst, settings.var_dir / TABLE_FILE)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def wait(self, key: str) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds until it would be."""
        if not self.enabled:
            return 0.0
        if self._table is None:
            self._table = table(self.path)
        return self._table.take(encode_key(key), self.rate, self.burst, self.clock)

    def charge(self, inbound: Inbound, *, applicant: bool = False) -> None:
        """Charge one authenticated request to its sender, or raise RSMEV-800.

        The key is the participant code, which authentication has bound to the signing
        certificate. An applicant (registry service) is not registered, so the code it claims
        proves nothing: its requests are charged to its certificate instead.
        """
        if not self.enabled:
            return
        key = f"cert:{inbound.certificate.fingerprint_sha256}" if applicant else inbound.sender
        wait = self.wait(key)
        if wait:
            raise SmevRefusal("RSMEV-800", f"more than {self.rate:g} messages a second (burst "
                                           f"{self.burst:g}) from {key}; retry in {wait:.2f} s")
