"""``smev-soap`` run in-process by CLI tests, on a fresh migrated SQLite database.

Imported by bare module name (``tests/`` is on ``sys.path`` through ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from smev_soap.cli import main
from smev_soap.config import load_settings
from smev_soap.db import Database

Run = Callable[..., tuple[int, str, str]]


def cli_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capture) -> Run:
    """``run(*argv) -> (exit code, stdout, stderr)`` on ``tmp_path/smev.db``, already upgraded.

    ``capture`` is ``capsys``, or ``capsysbinary`` (its output is decoded as UTF-8).
    """
    monkeypatch.delenv("SMEV_CONFIG", raising=False)
    monkeypatch.setenv("SMEV_DATABASE_URL", f"sqlite:///{tmp_path / 'smev.db'}")
    monkeypatch.setenv("SMEV_VAR_DIR", str(tmp_path / "var"))

    def run(*argv: object) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capture.readouterr()
        if isinstance(out, bytes):
            out, err = out.decode("utf-8"), err.decode("utf-8")
        return code, out, err

    assert run("db", "upgrade")[0] == 0
    return run


def cli_database() -> Database:
    """The database the CLI of the current test uses."""
    return Database(load_settings().database_url)
