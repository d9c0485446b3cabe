"""``smev-soap`` run in-process on a fresh migrated SQLite database (reference-data CLI tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smev_soap.cli import main
from smev_soap.config import load_settings
from smev_soap.db import Database

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def smev(tmp_path, monkeypatch, capsysbinary) -> Run:
    """Returns run(*argv) -> (exit code, stdout, stderr), decoded as UTF-8."""
    monkeypatch.delenv("SMEV_CONFIG", raising=False)
    monkeypatch.setenv("SMEV_DATABASE_URL", f"sqlite:///{tmp_path / 'smev.db'}")
    monkeypatch.setenv("SMEV_VAR_DIR", str(tmp_path / "var"))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsysbinary.readouterr()
        return code, out.decode("utf-8"), err.decode("utf-8")

    assert run("db", "upgrade")[0] == 0
    return run


def database() -> Database:
    """The database the CLI of the current test uses."""
    return Database(load_settings().database_url)
