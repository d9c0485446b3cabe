"""Applications to connect a system (R15): submit, approve or refuse, every step journalled."""

from __future__ import annotations

import pytest
from registry_samples import NS, ROOT, new_certificate, sample_xsd
from sqlalchemy import select

from smev_soap.journal import JournalEvent
from smev_soap.registry import (
    CONSUMER,
    PROVIDER,
    RegistryError,
    add_kind,
    add_participant,
    find_kind,
    get_participant,
    is_granted,
    registry_version,
)
from smev_soap.registry.applications import (
    RequestedKind,
    application_status,
    approve_application,
    list_applications,
    refuse_application,
    submit_application,
)

OTHER_NS = "urn://example.ru/kinds/other/1.0"


@pytest.fixture
def kinds(database):
    with database.transaction() as session:
        add_participant(session, "PFRS00001", "ПФР", [new_certificate()], "operator")
        add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "operator")
        add_kind(session, OTHER_NS, "Other", sample_xsd(OTHER_NS, "Other"),
                 [("PFRS00001", None)], "operator")
    return database


def _submit(session, code: str = "MFCA00001", certificate: bytes | None = None, **changes):
    details = {
        "code": code, "organisation": "МФЦ Демонстрационного края",
        "system_name": "АИС МФЦ", "category": "mfc", "contacts": "+7 000 000-00-00, it@mfc.ru",
        "certificate": certificate or new_certificate().to_pem(),
        "kinds": [RequestedKind(NS, ROOT, CONSUMER), RequestedKind(OTHER_NS, "Other", PROVIDER)],
        "actor": "applicant",
    }
    return submit_application(session, **(details | changes))


def _events(session) -> list[str]:
    return list(session.scalars(select(JournalEvent.detail).order_by(JournalEvent.id)))


def test_approval_registers_the_participant_and_grants_the_kinds(kinds):
    certificate = new_certificate()
    with kinds.transaction() as session:
        application = _submit(session, certificate=certificate.der)
        number, version = application.id, registry_version(session)
        assert application_status(session, number).status == "submitted"
        assert get_participant(session, "MFCA00001") is None
    with kinds.transaction() as session:
        approve_application(session, number, "operator")
    with kinds.transaction() as session:
        status = application_status(session, number)
        assert (status.status, status.reason, status.decided_at is not None) == (
            "approved", None, True)
        participant = get_participant(session, "MFCA00001")
        assert (participant.name, participant.system_name, participant.category) == (
            "МФЦ Демонстрационного края", "АИС МФЦ", "mfc")
        assert [c.fingerprint for c in participant.certificates] == [
            certificate.fingerprint_sha256]
        assert is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), CONSUMER)
        assert is_granted(session, "MFCA00001", find_kind(session, OTHER_NS, "Other"), PROVIDER)
        assert not is_granted(session, "MFCA00001", find_kind(session, NS, ROOT), PROVIDER)
        assert registry_version(session) > version
        events = _events(session)
        assert any(e.startswith(f"application {number} submitted for MFCA00001") for e in events)
        assert events[-1] == f"application {number} approved: MFCA00001 connected"
        with pytest.raises(RegistryError, match="already approved"):
            approve_application(session, number, "operator")


def test_refusal_keeps_the_registry_and_allows_a_new_application(kinds):
    with kinds.transaction() as session:
        number, version = _submit(session).id, registry_version(session)
        with pytest.raises(RegistryError, match="needs a reason"):
            refuse_application(session, number, " ", "operator")
        refuse_application(session, number, "нет соглашения", "operator")
        status = application_status(session, number)
        assert (status.status, status.reason) == ("refused", "нет соглашения")
        assert get_participant(session, "MFCA00001") is None
        assert registry_version(session) == version
        assert _events(session)[-1] == f"application {number} refused: нет соглашения"
        with pytest.raises(RegistryError, match="already refused"):
            approve_application(session, number, "operator")
        second = _submit(session)
        assert [a.id for a in list_applications(session)] == [second.id, number]
        assert [a.id for a in list_applications(session, "refused")] == [number]


@pytest.mark.parametrize(("changes", "message"), [
    ({"code": "bad"}, "does not match"),
    ({"code": "PFRS00001"}, "already registered"),
    ({"organisation": " "}, "organisation must be"),
    ({"category": "private"}, "category must be"),
    ({"certificate": b"not a certificate"}, "not readable"),
    ({"kinds": []}, "at least one kind"),
    ({"kinds": [RequestedKind(NS, ROOT, "owner")]}, "role must be"),
    ({"kinds": [RequestedKind("urn:none", "R", CONSUMER)]}, "is not registered"),
    ({"kinds": [RequestedKind(NS, ROOT, CONSUMER)] * 2}, "twice"),
])
def test_bad_applications_are_refused(kinds, changes, message):
    with pytest.raises(RegistryError, match=message), kinds.transaction() as session:
        _submit(session, **changes)
    with kinds.transaction() as session:
        assert list_applications(session) == []


def test_one_open_application_per_code_and_certificate_not_taken(kinds):
    with kinds.transaction() as session:
        _submit(session)
        with pytest.raises(RegistryError, match="awaiting a decision"):
            _submit(session)
        taken = get_participant(session, "PFRS00001").certificates[0].der
        with pytest.raises(RegistryError, match="already registered to PFRS00001"):
            _submit(session, code="MFCB00001", certificate=taken)


def test_one_certificate_cannot_hold_several_codes_open(kinds):
    certificate = new_certificate().to_pem()
    with kinds.transaction() as session:
        _submit(session, certificate=certificate)
        with pytest.raises(RegistryError, match="with this certificate is already awaiting"):
            _submit(session, code="MFCC00001", certificate=certificate)


def test_approval_fails_whole_when_the_certificate_was_taken_meanwhile(kinds):
    certificate = new_certificate()
    with kinds.transaction() as session:
        number = _submit(session, certificate=certificate.to_pem()).id
        add_participant(session, "OTHR00001", "Другой", [certificate], "operator")
    with pytest.raises(RegistryError, match="already registered"), \
            kinds.transaction() as session:
        approve_application(session, number, "operator")
    with kinds.transaction() as session:
        assert application_status(session, number).status == "submitted"
        assert get_participant(session, "MFCA00001") is None


def test_unknown_application(kinds):
    with kinds.transaction() as session, pytest.raises(RegistryError, match="does not exist"):
        application_status(session, 999)
