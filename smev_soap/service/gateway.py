"""What one worker process of the gateway holds: settings, database, key, trust store, and its
registry cache (D21)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from smev_soap.config import Settings
from smev_soap.crypto import Certificate, PrivateKey, TrustStore
from smev_soap.db import Database
from smev_soap.envelope.model import Org
from smev_soap.service.registry_cache import RegistryCache

# The session of the request being handled by this thread (see Gateway.request_scope).
_request_session: ContextVar[Session | None] = ContextVar("request_session", default=None)


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
        if trust_dir is None or not trust_dir.exists():
            # Without a trust store no chain or revocation check would run (D19): fail closed.
            raise FileNotFoundError(f"SMEV_TRUST_DIR {trust_dir} does not exist")
        trust = TrustStore(trust_dir, settings.crl_dir)
        return cls(
            settings=settings,
            database=database or Database(settings.database_url),
            key=PrivateKey.from_file(settings.key, settings.key_password()),
            cert=Certificate.from_file(settings.cert),
            trust=trust,
        )

    @contextmanager
    def request_scope(self) -> Iterator[Session]:
        """One database session for the whole request: authorship and the operation share it
        (one connection checkout per request on the hot path)."""
        session = self.database.sessions()
        token = _request_session.set(session)
        try:
            yield session
        finally:
            _request_session.reset(token)
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work on the request's session (or a session of its own outside a request):
        committed on success, rolled back on any exception."""
        session = _request_session.get()
        if session is None:
            with self.database.transaction() as own:
                yield own
            return
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    def end_reads(self) -> None:
        """End the request's read-only transaction on SQLite, where every transaction holds the
        write lock (BEGIN IMMEDIATE, D16): checks before the operation's writes run unlocked."""
        session = _request_session.get()
        if session is not None and self.database.dialect == "sqlite" and session.in_transaction():
            session.rollback()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """The request's session for reads (nothing committed), or a short-lived one."""
        session = _request_session.get()
        if session is not None:
            yield session
            return
        with self.database.sessions() as own:
            yield own

    @property
    def code(self) -> str:
        return self.settings.gateway_code

    @property
    def org(self) -> Org:
        return Org(self.settings.gateway_code, self.settings.gateway_name)

    @property
    def tns(self) -> str:
        return self.settings.service_namespace
