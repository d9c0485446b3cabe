"""One settings object for the gateway.

Values come from ``SMEV_*`` environment variables, optionally from an ini file named by
``SMEV_CONFIG`` (section ``[smev]``, keys without the prefix, lower case); the environment wins.
The defaults are the embedded mode: SQLite and keys under ``./var``, served on 127.0.0.1:8080.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "SMEV_"


@dataclass(frozen=True)
class Settings:
    """Gateway configuration; see README "Configuration" for every field."""

    var_dir: Path = Path("var")
    database_url: str = ""
    bind: str = "127.0.0.1:8080"
    public_url: str = ""
    # Two processes a core: a request waits on PostgreSQL between its CPU stretches, and more
    # processes keep the cores busy with less contention on each one's GIL.
    workers: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    threads: int = 4
    gateway_code: str = "RSMV00001"
    gateway_name: str = "Региональная СМЭВ"
    node_id: str = "RSMV-1"
    environment: str = "production"
    service_namespace: str = "urn://smev-soap/single-service/1.0"
    registry_namespace: str = "urn://smev-soap/registry/1.0"
    key: Path | None = None
    cert: Path | None = None
    key_password_file: Path | None = None
    trust_dir: Path | None = None
    crl_dir: Path | None = None
    accept_non_gost: bool = False
    max_body_bytes: int = 10 * 1024 * 1024
    max_xml_depth: int = 128
    lease_seconds: int = 60
    max_deliveries: int = 10
    idempotency_window: int = 24 * 3600
    journal_seal_interval: int = 60
    provider_timeout: int = 60
    rate_limit: float = 100.0
    rate_burst: int = 200
    demo: bool = False
    log_level: str = "info"
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        keys = self.var_dir / "keys"
        defaults = {
            "database_url": f"sqlite:///{(self.var_dir / 'smev.db').resolve()}",
            "public_url": f"http://{self.bind}",
            "key": keys / "gateway.key.pem",
            "cert": keys / "gateway.cert.pem",
            "trust_dir": keys / "trust",
        }
        for name, value in defaults.items():
            if not getattr(self, name):
                object.__setattr__(self, name, value)
        if self.environment not in ("production", "sandbox"):
            raise ValueError(f"SMEV_ENVIRONMENT must be production or sandbox, not {self.environment!r}")
        if self.rate_limit < 0 or (self.rate_limit > 0 and self.rate_burst < 1):
            raise ValueError("SMEV_RATE_LIMIT must be 0 (no limit) or positive, with "
                             f"SMEV_RATE_BURST at least 1 (not {self.rate_limit}, {self.rate_burst})")

    @property
    def keys_dir(self) -> Path:
        """Where ``make run`` keeps the demo CA and demo keys."""
        return self.var_dir / "keys"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def key_password(self) -> bytes | None:
        """The gateway key's password, read from ``SMEV_KEY_PASSWORD_FILE`` when set."""
        if not self.key_password_file:
            return None
        return Path(self.key_password_file).read_bytes().strip()


def _convert(kind: object, raw: str) -> object:
    text = str(kind)
    if kind is bool or text == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind is int or text == "int":
        return int(raw)
    if kind is float or text == "float":
        return float(raw)
    if "Path" in text:
        return Path(raw) if raw else None
    return raw


def _ini_values() -> dict[str, str]:
    path = os.environ.get(ENV_PREFIX + "CONFIG")
    if not path:
        return {}
    parser = configparser.ConfigParser()
    if not parser.read(path, encoding="utf-8"):
        raise FileNotFoundError(f"SMEV_CONFIG names a missing file: {path}")
    return dict(parser["smev"]) if parser.has_section("smev") else {}


def load_settings(**overrides: object) -> Settings:
    """Settings from the ini file, then the environment, then explicit overrides."""
    raw = _ini_values()
    for name, value in os.environ.items():
        if name.startswith(ENV_PREFIX) and name != ENV_PREFIX + "CONFIG":
            raw[name[len(ENV_PREFIX):].lower()] = value
    fields = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}
    values: dict[str, object] = {}
    extra: dict[str, str] = {}
    for name, text in raw.items():
        if name in fields:
            values[name] = _convert(fields[name].type, text)
        else:
            extra[name] = text
    values.update(overrides)
    return Settings(**values, extra=extra)  # type: ignore[arg-type]
