from __future__ import annotations

import pytest
from sqlalchemy import func, select

from smev_soap.journal import JournalEvent
from smev_soap.registry import (
    BLOCKED,
    Participant,
    RegistryError,
    add_certificate,
    add_participant,
    block_participant,
    get_participant,
    list_participants,
    participant_for_certificate,
    registry_version,
    unblock_participant,
)


def test_participant_life_cycle(database, make_certificate):
    cert, second = make_certificate(), make_certificate()
    with database.transaction() as session:
        version = registry_version(session)
        add_participant(session, "MFCA00001", "МФЦ Ставрополь", [cert], "op:ivanov")
    with database.transaction() as session:
        participant = get_participant(session, "MFCA00001")
        assert participant.is_active and participant.name == "МФЦ Ставрополь"
        found = participant_for_certificate(session, cert.fingerprint_sha256)
        assert found.code == "MFCA00001"
        colon_form = ":".join(cert.fingerprint_sha256[i:i + 2] for i in range(0, 64, 2)).upper()
        assert participant_for_certificate(session, colon_form).code == "MFCA00001"
        add_certificate(session, "MFCA00001", second, "op:ivanov")
    with database.transaction() as session:
        assert participant_for_certificate(session, second.fingerprint_sha256).code == "MFCA00001"
        assert len(get_participant(session, "MFCA00001").certificates) == 2
        block_participant(session, "MFCA00001", "нарушение регламента", "op:petrov")
    with database.transaction() as session:
        blocked = get_participant(session, "MFCA00001")
        assert (blocked.status, blocked.status_reason, blocked.status_changed_by) == (
            BLOCKED, "нарушение регламента", "op:petrov")
        # authorship still resolves; the service refuses blocked senders (RSMEV-301)
        assert participant_for_certificate(session, cert.fingerprint_sha256).code == "MFCA00001"
        unblock_participant(session, "MFCA00001", "op:petrov")
    with database.transaction() as session:
        assert get_participant(session, "MFCA00001").is_active
        assert [p.code for p in list_participants(session)] == ["MFCA00001"]
        assert registry_version(session) == version + 4
        events = session.scalars(select(JournalEvent).order_by(JournalEvent.id)).all()
        assert [(e.event, e.actor, e.participant) for e in events] == [
            ("registry_change", "op:ivanov", "MFCA00001"),
            ("registry_change", "op:ivanov", "MFCA00001"),
            ("registry_change", "op:petrov", "MFCA00001"),
            ("registry_change", "op:petrov", "MFCA00001"),
        ]
        assert "нарушение регламента" in events[2].detail


def test_unknown_certificate_has_no_participant(database):
    with database.transaction() as session:
        assert participant_for_certificate(session, "00" * 32) is None
        assert get_participant(session, "NONE00001") is None


@pytest.mark.parametrize("code", ["mfca00001", "MFCA0001", "MFCA000012", "MFC-00001", "MFCAB0001"])
def test_malformed_code_is_refused(database, make_certificate, code):
    with database.transaction() as session, pytest.raises(RegistryError, match="does not match"):
        add_participant(session, code, "X", [make_certificate()], "op")


def _version(database) -> int:
    with database.transaction() as session:
        return registry_version(session)


def _assert_registry_untouched(database, version: int, participants: int = 1) -> None:
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == participants
        assert registry_version(session) == version
        assert session.scalar(select(func.count()).select_from(JournalEvent)) == participants


def test_refusals_write_nothing(database, make_certificate):
    cert = make_certificate()
    with database.transaction() as session:
        add_participant(session, "MFCA00001", "МФЦ", [cert], "op")
    version = _version(database)
    refusals = [
        (("MFCA00001", "Другой", [make_certificate()]), "already registered"),
        (("MFCA00002", "Другой", [cert]), "already registered to MFCA00001"),
        (("MFCA00002", "Другой", []), "at least one certificate"),
        (("MFCA00002", " ", [make_certificate()]), "needs a name"),
    ]
    twice = make_certificate()
    refusals.append((("MFCA00002", "Другой", [twice, twice]), "given twice"))
    for args, message in refusals:
        with database.transaction() as session, pytest.raises(RegistryError, match=message):
            add_participant(session, *args, "op")
    _assert_registry_untouched(database, version)


def test_status_change_refusals(database, make_certificate):
    with database.transaction() as session:
        add_participant(session, "MFCA00001", "МФЦ", [make_certificate()], "op")
    version = _version(database)
    with database.transaction() as session:
        with pytest.raises(RegistryError, match="not registered"):
            block_participant(session, "NONE00001", "reason", "op")
        with pytest.raises(RegistryError, match="needs a reason"):
            block_participant(session, "MFCA00001", "  ", "op")
        with pytest.raises(RegistryError, match="already active"):
            unblock_participant(session, "MFCA00001", "op")
        with pytest.raises(RegistryError, match="not registered"):
            add_certificate(session, "NONE00001", make_certificate(), "op")
    _assert_registry_untouched(database, version)
