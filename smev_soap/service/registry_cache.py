"""The registry as the hot path reads it: cached per process, revalidated per request (D21).

Every registry change bumps the ``registry_version`` row in its own transaction. Each request
reads that row once (:meth:`RegistryCache.view`) and gets the :class:`RegistryView` of that
version: lookups are memoised in the view and read from the database only on a miss, so a change
(a block, a grant, a new kind) takes effect on the next request and costs one query per request
while nothing changes. Some decisions also change with time alone (a certificate's or an
agreement's validity starts or ends): a view is kept only until the registry's next such moment.
Cached ORM rows are expunged from the session that loaded them and are only read afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.registry import KindOfInformation, Participant

T = TypeVar("T")
R = TypeVar("R", Participant, KindOfInformation)

#: A view holding more lookups than this starts afresh (bounds memory for unbounded keys).
MAX_ENTRIES = 20_000


def _detached(session: Session, row: R | None) -> R | None:
    """The row, out of the session that loaded it (kept as loaded, shared read-only)."""
    if row is not None:
        session.expunge(row)
    return row


class RegistryView:
    """Registry lookups as of one ``registry_version``, memoised until ``expires`` (if any)."""

    def __init__(self, version: int, expires: datetime | None = None) -> None:
        self.version = version
        self.expires = expires
        self._memo: dict[Hashable, object] = {}

    def is_current(self, version: int, now: datetime) -> bool:
        return version == self.version and (self.expires is None or now < self.expires)

    def _lookup(self, key: Hashable, load: Callable[[], T]) -> T:
        try:
            return self._memo[key]  # type: ignore[return-value]
        except KeyError:
            pass
        value = load()
        if len(self._memo) >= MAX_ENTRIES:
            self._memo.clear()
        self._memo[key] = value
        return value

    def participant_for_certificate(self, session: Session, fingerprint: str
                                    ) -> Participant | None:
        return self._lookup(("participant", fingerprint), lambda: _detached(
            session, registry.participant_for_certificate(session, fingerprint)))

    def find_kind(self, session: Session, namespace: str, root: str
                  ) -> KindOfInformation | None:
        return self._lookup(("kind", namespace, root), lambda: _detached(
            session, registry.find_kind(session, namespace, root)))

    def find_kind_by_service(self, session: Session, mnemonic: str) -> KindOfInformation | None:
        return self._lookup(("service", mnemonic), lambda: _detached(
            session, registry.find_kind_by_service(session, mnemonic)))

    def is_classified(self, session: Session, namespace: str, root: str) -> bool:
        return self._lookup(("classified", namespace, root),
                            lambda: registry.is_classified(session, namespace, root))

    def is_granted(self, session: Session, code: str, kind: KindOfInformation, role: str,
                   *, test: bool = False) -> bool:
        return self._lookup(("granted", code, kind.id, role, test),
                            lambda: registry.is_granted(session, code, kind, role, test=test))

    def route(self, session: Session, kind: KindOfInformation, recipient_code: str | None,
              oktmo: str | None) -> str:
        """The provider (D9); a refusal is raised afresh each time, never memoised."""
        return self._lookup(("route", kind.id, recipient_code, oktmo),
                            lambda: registry.route(session, kind, recipient_code, oktmo))


class RegistryCache:
    """One per gateway process: the view of the newest ``registry_version`` read."""

    def __init__(self) -> None:
        self._view = RegistryView(-1)  # swapped whole (one assignment): no lock needed

    def view(self, session: Session, now: datetime | None = None) -> RegistryView:
        """Read ``registry_version`` (one query) and return the view current at ``now``."""
        now = now or datetime.now(UTC)
        version = registry.registry_version(session)
        current = self._view
        if current.is_current(version, now):
            return current
        fresh = self._view = RegistryView(version, registry.next_validity_change(session, now))
        return fresh
