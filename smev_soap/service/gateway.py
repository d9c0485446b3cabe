"""What one worker process of the gateway holds: settings, database, key, trust store, and its
registry cache (D21)."""

from __future__ import annotations

from dataclasses import dataclass, field

from smev_soap.config import Settings
from smev_soap.crypto import Certificate, PrivateKey, TrustStore
from smev_soap.db import Database
from smev_soap.envelope.model import Org
from smev_soap.service.registry_cache import RegistryCache


@dataclass
class Gateway:
    """The gateway as a participant of its own service (D5) plus its shared resources."""

    settings: Settings
    database: Database
    key: PrivateKey
    cert: Certificate
    trust: TrustStore | None
    registry: RegistryCache = field(default_factory=RegistryCache)

    @classmethod
    def from_settings(cls, settings: Settings, database: Database | None = None) -> Gateway:
        """Load the key pair and trust store named by the settings (once per process)."""
        assert settings.key is not None and settings.cert is not None
        trust_dir = settings.trust_dir
        trust = (
            TrustStore(trust_dir, settings.crl_dir)
            if trust_dir is not None and trust_dir.is_dir()
            else None
        )
        return cls(
            settings=settings,
            database=database or Database(settings.database_url),
            key=PrivateKey.from_file(settings.key, settings.key_password()),
            cert=Certificate.from_file(settings.cert),
            trust=trust,
        )

    @property
    def code(self) -> str:
        return self.settings.gateway_code

    @property
    def org(self) -> Org:
        return Org(self.settings.gateway_code, self.settings.gateway_name)

    @property
    def tns(self) -> str:
        return self.settings.service_namespace
