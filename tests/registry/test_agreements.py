"""Agreements: life cycle, validity by day, overlap refusal, entries by kind and by service,
test traffic, restricted information, and ``grant`` as the shortcut that extends one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from registry_samples import NS, ROOT
from sqlalchemy import select

from smev_soap.journal import JournalEvent
from smev_soap.registry import (
    CONSUMER,
    PROVIDER,
    RegistryError,
    add_agreement,
    add_agreement_kind,
    add_agreement_service,
    add_service,
    current_agreement,
    find_kind,
    get_agreement,
    get_service,
    grant,
    is_granted,
    list_agreements,
    registry_version,
    remove_agreement_kind,
    remove_agreement_service,
    update_agreement,
    update_kind,
)
from smev_soap.registry.validity import today

TODAY = today()
DAY = timedelta(days=1)


def _agreement(session, number="12/2026", **kwargs):
    terms = {"signed_on": TODAY - 30 * DAY, "valid_from": TODAY - 30 * DAY,
             "connection_address": "https://mfc.example.ru/smev", "officials": "Иванов И. И.",
             "message_structures": "по методическим рекомендациям"} | kwargs
    return add_agreement(session, number, "MFCA00001", "op:ivanov", **terms)


def test_agreement_life_cycle(database, kind):
    with database.transaction() as session:
        version = registry_version(session)
        _agreement(session, valid_to=TODAY + 30 * DAY)
        add_agreement_kind(session, "12/2026", find_kind(session, NS, ROOT), CONSUMER, "op:ivanov")
    with database.transaction() as session:
        k = find_kind(session, NS, ROOT)
        assert is_granted(session, "MFCA00001", k, CONSUMER)
        assert not is_granted(session, "MFCA00001", k, CONSUMER, test=True)
        assert not is_granted(session, "MFCA00001", k, PROVIDER)
        agreement = current_agreement(session, "MFCA00001")
        assert (agreement.number, agreement.officials) == ("12/2026", "Иванов И. И.")
        update_agreement(session, "12/2026", "op:petrov", allow_test=True, officials="Петров")
    with database.transaction() as session:
        assert is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER, test=True)
        update_agreement(session, "12/2026", "op:petrov", valid_to=TODAY - DAY)  # ended
    with database.transaction() as session:
        assert not is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)
        assert current_agreement(session, "MFCA00001") is None
        update_agreement(session, "12/2026", "op:petrov", open_ended=True)
    with database.transaction() as session:
        assert is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)
        remove_agreement_kind(session, "12/2026", find_kind(session, NS, ROOT), CONSUMER, "op")
    with database.transaction() as session:
        assert not is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)
        assert [a.number for a in list_agreements(session, "MFCA00001")] == ["12/2026"]
        assert registry_version(session) == version + 6
        actors = session.scalars(select(JournalEvent.actor).where(
            JournalEvent.participant == "MFCA00001").order_by(JournalEvent.id)).all()
        assert actors[-6:] == ["op:ivanov"] * 2 + ["op:petrov"] * 3 + ["op"]


def test_a_future_agreement_takes_over_on_its_first_day(database, kind):
    with database.transaction() as session:
        _agreement(session, "1/2025", valid_to=TODAY)
        _agreement(session, "2/2026", valid_from=TODAY + DAY)
        add_agreement_kind(session, "2/2026", find_kind(session, NS, ROOT), CONSUMER, "op")
    with database.transaction() as session:
        assert current_agreement(session, "MFCA00001").number == "1/2025"
        assert current_agreement(session, "MFCA00001", TODAY + DAY).number == "2/2026"
        assert not is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)


@pytest.mark.parametrize(("valid_from", "valid_to"), [
    (TODAY - 60 * DAY, TODAY - 30 * DAY),  # ends on the other's first day
    (TODAY + 10 * DAY, None),
    (TODAY - 90 * DAY, None),
])
def test_an_overlapping_agreement_is_refused(database, kind, valid_from, valid_to):
    with database.transaction() as session:
        _agreement(session, valid_to=TODAY + 30 * DAY)
    with database.transaction() as session:
        version = registry_version(session)
        with pytest.raises(RegistryError, match=r"overlaps agreement 12/2026 of MFCA00001"):
            _agreement(session, "13/2026", valid_from=valid_from, valid_to=valid_to)
        assert registry_version(session) == version
    with database.transaction() as session:
        assert get_agreement(session, "13/2026") is None
        _agreement(session, "14/2026", valid_from=TODAY + 31 * DAY)  # adjacent: fine
    with database.transaction() as session, pytest.raises(RegistryError, match="overlaps"):
        update_agreement(session, "12/2026", "op", open_ended=True)


def test_agreement_refusals(database, kind):
    with database.transaction() as session:
        _agreement(session)
    with database.transaction() as session:
        version = registry_version(session)
        k = find_kind(session, NS, ROOT)
        for change, message in [
            (lambda: _agreement(session), "12/2026 is already registered"),
            (lambda: _agreement(session, " "), "needs a number"),
            (lambda: add_agreement(session, "X", "NONE00001", "op", signed_on=TODAY,
                                   valid_from=TODAY), "NONE00001 is not registered"),
            (lambda: update_agreement(session, "12/2026", "op", valid_to=TODAY - 31 * DAY),
             "is before valid_from"),
            (lambda: update_agreement(session, "12/2026", "op", officials="Иванов И. И."),
             "nothing to change"),
            (lambda: update_agreement(session, "12/2026", "op", owner="x"), "no term owner"),
            (lambda: add_agreement_kind(session, "12/2026", k, "owner", "op"),
             "role must be one of"),
            (lambda: add_agreement_kind(session, "99/2026", k, CONSUMER, "op"),
             "99/2026 is not registered"),
            (lambda: remove_agreement_kind(session, "12/2026", k, CONSUMER, "op"),
             "has no consumer entry"),
        ]:
            with pytest.raises(RegistryError, match=message):
                change()
        assert registry_version(session) == version


def test_restricted_kinds_need_the_handling_stated(database, kind):
    with database.transaction() as session:
        update_kind(session, find_kind(session, NS, ROOT), "op", classification="restricted")
        _agreement(session)
    with database.transaction() as session:
        k = find_kind(session, NS, ROOT)
        with pytest.raises(RegistryError, match="must state the handling of restricted"):
            add_agreement_kind(session, "12/2026", k, CONSUMER, "op")
        update_agreement(session, "12/2026", "op", restricted_handling="по 152-ФЗ, ДСП")
        add_agreement_kind(session, "12/2026", k, CONSUMER, "op")
    with database.transaction() as session:
        assert is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)
        with pytest.raises(RegistryError, match="cannot be removed"):
            update_agreement(session, "12/2026", "op", restricted_handling="")
        update_kind(session, find_kind(session, NS, ROOT), "op", classification="public")
    with database.transaction() as session:
        update_agreement(session, "12/2026", "op", restricted_handling=None)
        with pytest.raises(RegistryError, match="cannot become restricted: agreement"):
            update_kind(session, find_kind(session, NS, ROOT), "op",
                        classification="restricted")


def test_access_through_an_electronic_service(database, kind):
    with database.transaction() as session:
        add_service(session, "SID0000001", "INCOMESVC", "1", "Доходы", "PFRS00001", "op",
                    kinds=[find_kind(session, NS, ROOT)])
        _agreement(session)
        add_agreement_service(session, "12/2026", get_service(session, "SID0000001"), CONSUMER,
                              "op")
    with database.transaction() as session:
        k = find_kind(session, NS, ROOT)
        assert is_granted(session, "MFCA00001", k, CONSUMER)
        assert not is_granted(session, "MFCA00001", k, CONSUMER, test=True)
        with pytest.raises(RegistryError, match="already lists consumer of service"):
            add_agreement_service(session, "12/2026", get_service(session, "SID0000001"),
                                  CONSUMER, "op")
        remove_agreement_service(session, "12/2026", get_service(session, "SID0000001"),
                                 CONSUMER, "op")
    with database.transaction() as session:
        assert not is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)


def test_grant_extends_the_current_agreement_or_creates_one(database, kind):
    with database.transaction() as session:
        provider = current_agreement(session, "PFRS00001")  # made by add_kind
        assert (provider.number, provider.valid_from, provider.valid_to) == (
            "PFRS00001/1", TODAY, None)
        assert [(e.kind.root_element, e.role) for e in provider.kinds] == [(ROOT, PROVIDER)]
        _agreement(session)
        entry = grant(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER, "op",
                      allow_test=True)
        assert entry.agreement.number == "12/2026"
    with database.transaction() as session:
        assert is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER, test=True)
        update_agreement(session, "12/2026", "op", valid_to=TODAY + 5 * DAY)
        _agreement(session, "13/2026", valid_from=TODAY + 6 * DAY)
        update_agreement(session, "12/2026", "op", valid_to=TODAY - DAY)
    with database.transaction() as session, pytest.raises(RegistryError, match="overlaps"):
        # no agreement today, a later one exists: the shortcut will not paper over the gap
        grant(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER, "op")
