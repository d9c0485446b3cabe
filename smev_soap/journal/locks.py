"""One node at a time for a periodic job (D15): a PostgreSQL advisory lock, or a file lock."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from smev_soap.db import Database


@contextmanager
def job_lock(database: Database, name: str, lock_dir: Path) -> Iterator[bool]:
    """Yield True when this process holds the lock named ``name``, False when another does.

    PostgreSQL: a session advisory lock on a dedicated connection (so it also covers work done
    after the job's transaction commits). SQLite: ``flock`` on ``lock_dir/<name>.lock``.
    """
    if database.dialect == "postgresql":
        key = zlib.crc32(name.encode("utf-8"))
        with database.engine.connect() as connection:
            held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{name}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
