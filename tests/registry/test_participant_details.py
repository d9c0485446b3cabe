"""A participant's details and the status life cycle: pending, active, suspended, blocked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smev_soap.journal import JournalEvent
from smev_soap.registry import (
    ACTIVE,
    BLOCKED,
    PENDING,
    SUSPENDED,
    RegistryError,
    activate_participant,
    add_participant,
    block_participant,
    get_participant,
    list_participants,
    registry_version,
    suspend_participant,
    unblock_participant,
    update_participant,
)


def test_details_and_status_life_cycle(database, make_certificate):
    with database.transaction() as session:
        version = registry_version(session)
        add_participant(session, "MFCA00001", "ГАУ МФЦ края", [make_certificate()], "op:a",
                        system_name="АИС МФЦ", category="mfc", contacts="+7 865 000-00-00",
                        status=PENDING)
    steps = [
        (lambda s: activate_participant(s, "MFCA00001", "op:b"), ACTIVE, None),
        (lambda s: suspend_participant(s, "MFCA00001", " плановые работы ", "op:c"), SUSPENDED,
         "плановые работы"),
        (lambda s: unblock_participant(s, "MFCA00001", "op:d"), ACTIVE, None),
        (lambda s: block_participant(s, "MFCA00001", "нарушение", "op:e"), BLOCKED, "нарушение"),
        (lambda s: unblock_participant(s, "MFCA00001", "op:f"), ACTIVE, None),
    ]
    for step, status, reason in steps:
        with database.transaction() as session:
            step(session)
        with database.transaction() as session:
            p = get_participant(session, "MFCA00001")
            assert (p.status, p.status_reason, p.is_active) == (status, reason, status == ACTIVE)
    with database.transaction() as session:
        update_participant(session, "MFCA00001", "op:g", system_name="ЕИС МФЦ", contacts=" ")
    with database.transaction() as session:
        p = get_participant(session, "MFCA00001")
        assert (p.name, p.system_name, p.category, p.contacts) == (
            "ГАУ МФЦ края", "ЕИС МФЦ", "mfc", None)
        assert [x.code for x in list_participants(session, ACTIVE)] == ["MFCA00001"]
        assert list_participants(session, BLOCKED) == []
        assert registry_version(session) == version + 7
        actors = session.scalars(select(JournalEvent.actor).order_by(JournalEvent.id)).all()
        assert actors == ["op:a", "op:b", "op:c", "op:d", "op:e", "op:f", "op:g"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: activate_participant(s, "MFCA00001", "op"), "is active, not pending"),
    (lambda s: unblock_participant(s, "MFCA00001", "op"), "already active"),
    (lambda s: suspend_participant(s, "MFCA00001", " ", "op"), "needs a reason"),
    (lambda s: block_participant(s, "NONE00001", "r", "op"), "not registered"),
    (lambda s: update_participant(s, "MFCA00001", "op", category="ministry"),
     "category must be one of"),
    (lambda s: update_participant(s, "MFCA00001", "op", name=""), "needs a name"),
    (lambda s: update_participant(s, "MFCA00001", "op", name="МФЦ"), "nothing to change"),
    (lambda s: update_participant(s, "MFCA00001", "op", status="blocked"), "no detail status"),
    (lambda s: add_participant(s, "MFCA00002", "X", [], "op", category="x"),
     "category must be one of"),
    (lambda s: add_participant(s, "MFCA00002", "X", [], "op", status=BLOCKED),
     "active or pending"),
])
def test_participant_refusals_change_nothing(database, make_certificate, change, message):
    with database.transaction() as session:
        add_participant(session, "MFCA00001", "МФЦ", [make_certificate()], "op")
    with database.transaction() as session:
        version = registry_version(session)
        with pytest.raises(RegistryError, match=message):
            change(session)
        assert registry_version(session) == version
