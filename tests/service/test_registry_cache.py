"""The per-process registry cache (D21): one version read per request, changes seen at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from service_tools import assert_refused
from sqlalchemy import event

from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_MFC
from smev_soap.envelope.model import Status
from smev_soap.registry import add_classified, block_participant, unblock_participant
from smev_soap.service import registry_cache
from smev_soap.service.registry_cache import RegistryCache

REGISTRY_READS = re.compile(r"\b(FROM|JOIN)\s+(participant|participant_certificate|"
                            r"kind_of_information|kind_provider|classified_entry|agreement|"
                            r"agreement_kind|agreement_service|electronic_service|service_kind)\b")


@contextmanager
def statements(harness) -> Iterator[list[str]]:
    """The SQL the gateway's engine runs inside the block."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    engine = harness.gateway.database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_unchanged_registry_is_read_once_per_request(harness):
    with statements(harness) as first:
        assert harness.send_request("10000000001").status is Status.ACCEPT
    assert any(REGISTRY_READS.search(s) for s in first)  # the cache starts empty
    with statements(harness) as seen:
        assert harness.send_request("10000000002").status is Status.ACCEPT
    assert [s for s in seen if REGISTRY_READS.search(s)] == []
    assert sum("registry_version" in s for s in seen) == 1, seen


def test_a_block_takes_effect_on_the_next_request(harness):
    assert harness.send_request("10000000003").status is Status.ACCEPT
    with harness.gateway.database.transaction() as session:
        block_participant(session, DEMO_MFC.code, "нарушение регламента", "operator")
    assert_refused(harness, harness.send_request("10000000004"), "RSMEV-301")
    with harness.gateway.database.transaction() as session:
        unblock_participant(session, DEMO_MFC.code, "operator")
    assert harness.send_request("10000000005").status is Status.ACCEPT


def test_a_classified_entry_takes_effect_on_the_next_request(harness):
    assert harness.send_request("10000000006").status is Status.ACCEPT
    with harness.gateway.database.transaction() as session:
        add_classified(session, DEMO_KIND_NAMESPACE, None, "operator")
    assert_refused(harness, harness.send_request("10000000007"), "RSMEV-305")


def test_view_is_kept_while_the_version_holds(harness):
    cache = RegistryCache()
    with harness.gateway.database.sessions() as session:
        first = cache.view(session)
        assert cache.view(session) is first
    with harness.gateway.database.transaction() as session:
        block_participant(session, DEMO_MFC.code, "проверка", "operator")
    with harness.gateway.database.sessions() as session:
        second = cache.view(session)
    assert second is not first and second.version == first.version + 1


def test_view_expires_when_a_validity_starts_or_ends(harness):
    """Certificates and agreements change decisions with time alone: the view lasts till then."""
    cache = RegistryCache()
    now = datetime.now(UTC)
    with harness.gateway.database.sessions() as session:
        first = cache.view(session, now)
        assert first.expires is not None and first.expires > now  # the demo certificates end
        assert cache.view(session, first.expires - timedelta(seconds=1)) is first
        later = cache.view(session, first.expires)
    assert later is not first and later.version == first.version


def test_view_memo_is_bounded(harness, monkeypatch):
    monkeypatch.setattr(registry_cache, "MAX_ENTRIES", 3)
    with harness.gateway.database.sessions() as session:
        view = RegistryCache().view(session)
        for n in range(10):
            assert view.is_classified(session, f"urn:example:{n}", "Root") is False
        assert len(view._memo) <= 3
