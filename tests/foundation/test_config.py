import re
from pathlib import Path

import pytest

from smev_soap.config import load_settings


def test_defaults_are_the_embedded_mode(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("SMEV_"):
            monkeypatch.delenv(name)
    settings = load_settings()
    assert settings.bind == "127.0.0.1:8080"
    assert settings.is_sqlite and settings.database_url.endswith("var/smev.db")
    assert settings.gateway_code == "RSMV00001"
    assert settings.key == Path("var/keys/gateway.key.pem")
    assert settings.max_body_bytes == 10 * 1024 * 1024
    assert settings.lease_seconds == 60


def test_environment_overrides_and_types(monkeypatch):
    monkeypatch.setenv("SMEV_BIND", "127.0.0.1:9999")
    monkeypatch.setenv("SMEV_LEASE_SECONDS", "5")
    monkeypatch.setenv("SMEV_DEMO", "yes")
    monkeypatch.setenv("SMEV_TRUST_DIR", "/etc/smev/trust")
    settings = load_settings()
    assert settings.bind == "127.0.0.1:9999"
    assert settings.public_url == "http://127.0.0.1:9999"
    assert settings.lease_seconds == 5 and settings.demo is True
    assert settings.trust_dir == Path("/etc/smev/trust")


def test_ini_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    ini = tmp_path / "smev.ini"
    ini.write_text("[smev]\nnode_id = NODE-7\nbind = 127.0.0.1:7000\n", encoding="utf-8")
    monkeypatch.setenv("SMEV_CONFIG", str(ini))
    monkeypatch.setenv("SMEV_BIND", "127.0.0.1:7001")
    settings = load_settings()
    assert settings.node_id == "NODE-7"
    assert settings.bind == "127.0.0.1:7001"


def test_bad_environment_value_is_refused(monkeypatch):
    monkeypatch.setenv("SMEV_ENVIRONMENT", "staging")
    with pytest.raises(ValueError, match="production or sandbox"):
        load_settings()


def test_readme_documents_every_setting():
    import dataclasses

    from smev_soap.config import Settings
    from smev_soap.resources import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(SMEV_[A-Z_]+)`(?: / `(SMEV_[A-Z_]+)`)?", readme, re.MULTILINE)
    names = {name for pair in rows for name in pair if name}
    fields = {"SMEV_" + f.name.upper() for f in dataclasses.fields(Settings) if f.name != "extra"}
    assert fields - names == set(), "settings missing from the README's Configuration table"
