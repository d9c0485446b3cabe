"""Registry test fixtures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_support import cli_runner
from registry_samples import NS, ROOT, new_certificate, sample_xsd

from smev_soap.crypto import Certificate
from smev_soap.registry import KindOfInformation, add_kind, add_participant


@pytest.fixture(scope="session")
def make_certificate() -> Callable[[], Certificate]:
    """A new self-signed GOST certificate on every call."""
    return new_certificate


@pytest.fixture
def kind(database, make_certificate) -> KindOfInformation:
    """The kind {NS}ROOT provided by PFRS00001, with MFCA00001 registered too."""
    with database.transaction() as session:
        add_participant(session, "PFRS00001", "ПФР", [make_certificate()], "op")
        add_participant(session, "MFCA00001", "МФЦ", [make_certificate()], "op")
        return add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "op")


@pytest.fixture
def smev(tmp_path, monkeypatch, capsys):
    """Run ``smev-soap`` on a fresh migrated database; returns (exit code, stdout, stderr)."""
    return cli_runner(tmp_path, monkeypatch, capsys)
