"""Registry test fixtures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from registry_samples import new_certificate

from smev_soap.cli import main
from smev_soap.crypto import Certificate


@pytest.fixture(scope="session")
def make_certificate() -> Callable[[], Certificate]:
    """A new self-signed GOST certificate on every call."""
    return new_certificate


@pytest.fixture
def smev(tmp_path, monkeypatch, capsys):
    """Run ``smev-soap`` on a fresh migrated database; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv("SMEV_CONFIG", raising=False)
    monkeypatch.setenv("SMEV_DATABASE_URL", f"sqlite:///{tmp_path / 'smev.db'}")
    monkeypatch.setenv("SMEV_VAR_DIR", str(tmp_path / "var"))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "upgrade")[0] == 0
    return run
