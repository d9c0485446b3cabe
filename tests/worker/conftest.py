"""Worker fixtures: the gateway's key pair on disk and ``smev-soap`` run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from smev_soap.cli import main
from smev_soap.config import Settings, load_settings
from smev_soap.crypto import PrivateKey, issue_certificate
from smev_soap.service.gateway import Gateway


@pytest.fixture(scope="session")
def key_files(tmp_path_factory) -> tuple[Path, Path]:
    """The gateway's key and certificate PEM files (made once per run)."""
    folder = tmp_path_factory.mktemp("worker-keys")
    key = PrivateKey.generate("gost2012-256")
    cert = issue_certificate("CN=RSMV00001 gateway", key)
    (folder / "gateway.key.pem").write_bytes(key.to_pem())
    (folder / "gateway.cert.pem").write_bytes(cert.to_pem())
    (folder / "trust").mkdir()
    (folder / "trust" / "gateway.cert.pem").write_bytes(cert.to_pem())  # fail closed without
    return folder / "gateway.key.pem", folder / "gateway.cert.pem"


@pytest.fixture
def worker_env(database, key_files, tmp_path, monkeypatch) -> Settings:
    """SMEV_* variables naming the test database, var dir and key; the settings they give."""
    for name in ("SMEV_CONFIG", "SMEV_KEY_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMEV_TRUST_DIR", str(key_files[1].parent / "trust"))
    monkeypatch.setenv("SMEV_DATABASE_URL", database.url)
    monkeypatch.setenv("SMEV_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SMEV_KEY", str(key_files[0]))
    monkeypatch.setenv("SMEV_CERT", str(key_files[1]))
    monkeypatch.setenv("SMEV_MAX_DELIVERIES", "2")
    return load_settings()


@pytest.fixture
def gateway(worker_env, database) -> Gateway:
    return Gateway.from_settings(worker_env, database)


@pytest.fixture
def smev(worker_env, capsys):
    """Run ``smev-soap ARGS``; returns (exit code, stdout)."""

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    return run
