"""The registry as the hot path reads it: cached per process, revalidated per request (D21).

Every registry change bumps the ``registry_version`` row in its own transaction. Each request
reads that row once (:meth:`RegistryCache.view`) and gets the :class:`RegistryView` of that
version: lookups are memoised in the view and read from the database only on a miss, so a change
(a block, a grant, a new kind) takes effect on the next request and costs one query per request
while nothing changes. Cached ORM rows are expunged from the session that loaded them and are
only read afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
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
    """Registry lookups as of one ``registry_version``, memoised."""

    def __init__(self, version: int) -> None:
        self.version = version
        self._memo: dict[Hashable, object] = {}

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
        self._view = RegistryView(-1)
        self._lock = threading.Lock()

    def view(self, session: Session) -> RegistryView:
        """Read ``registry_version`` (one query) and return the view for it."""
        version = registry.registry_version(session)
        with self._lock:
            if self._view.version != version:
                self._view = RegistryView(version)
            return self._view
