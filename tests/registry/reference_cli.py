"""``smev-soap`` run in-process on a fresh migrated SQLite database (reference-data CLI tests)."""

from __future__ import annotations

import pytest
from cli_support import Run, cli_runner


@pytest.fixture
def smev(tmp_path, monkeypatch, capsysbinary) -> Run:
    """Returns run(*argv) -> (exit code, stdout, stderr), decoded as UTF-8."""
    return cli_runner(tmp_path, monkeypatch, capsysbinary)
