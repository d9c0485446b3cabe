from __future__ import annotations

import pytest
from registry_samples import NS, ROOT, sample_xsd

from smev_soap.errors import SmevRefusal
from smev_soap.registry import add_kind, add_participant, block_participant, route


@pytest.fixture
def kind_with(database, make_certificate):
    """Register the providers' participants and a kind with the given providers."""

    def register(*providers: tuple[str, str | None]):
        with database.transaction() as session:
            for code in dict.fromkeys(code for code, _ in providers):
                add_participant(session, code, code, [make_certificate()], "op")
            return add_kind(session, NS, ROOT, sample_xsd(), list(providers), "op")

    return register


def _route(database, kind, recipient, oktmo):
    with database.transaction() as session:
        return route(session, kind, recipient, oktmo)


def test_recipient_code_wins_when_it_is_an_active_provider(database, kind_with):
    kind = kind_with(("SOCZ00001", "07701"), ("SOCZ00002", "07"))
    assert _route(database, kind, "SOCZ00002", "07701000") == "SOCZ00002"


def test_sole_provider_takes_any_recipient(database, kind_with):
    kind = kind_with(("PFRS00001", None))
    assert _route(database, kind, None, None) == "PFRS00001"
    assert _route(database, kind, "GATE00001", "07701000") == "PFRS00001"


def test_longest_oktmo_prefix_wins(database, kind_with):
    kind = kind_with(("SOCZ00001", "07701"), ("SOCZ00002", "07"), ("SOCZ00003", "0770"))
    assert _route(database, kind, None, "07701000001") == "SOCZ00001"
    assert _route(database, kind, "RSMV00001", "07702000") == "SOCZ00003"
    assert _route(database, kind, None, "07900000") == "SOCZ00002"


@pytest.mark.parametrize("oktmo", [None, "45000000"])
def test_ambiguous_provider_is_rejected(database, kind_with, oktmo):
    kind = kind_with(("SOCZ00001", "07701"), ("SOCZ00002", "07702"))
    with pytest.raises(SmevRefusal) as refusal:
        _route(database, kind, None, oktmo)
    assert refusal.value.code == "RSMEV-307"


def test_equal_prefixes_of_two_providers_are_ambiguous(database, kind_with):
    kind = kind_with(("SOCZ00001", "07"), ("SOCZ00002", "07"))
    with pytest.raises(SmevRefusal, match="RSMEV-307"):
        _route(database, kind, None, "07701000")


def test_blocked_providers_are_skipped(database, kind_with):
    kind = kind_with(("SOCZ00001", "07701"), ("SOCZ00002", "07"))
    with database.transaction() as session:
        block_participant(session, "SOCZ00001", "на проверке", "op")
    assert _route(database, kind, "SOCZ00001", "07701000") == "SOCZ00002"
    with database.transaction() as session:
        block_participant(session, "SOCZ00002", "на проверке", "op")
    with pytest.raises(SmevRefusal) as refusal:
        _route(database, kind, None, "07701000")
    assert refusal.value.code == "RSMEV-302"
