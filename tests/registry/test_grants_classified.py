from __future__ import annotations

import pytest
from registry_samples import NS, ROOT

from smev_soap.registry import (
    CONSUMER,
    PROVIDER,
    RegistryError,
    add_classified,
    grant,
    is_classified,
    is_granted,
    registry_version,
)


def test_grant_life_cycle(database, kind):
    with database.transaction() as session:
        version = registry_version(session)
        assert not is_granted(session, "MFCA00001", kind, CONSUMER)
        grant(session, "MFCA00001", kind, CONSUMER, "op:ivanov")
    with database.transaction() as session:
        assert is_granted(session, "MFCA00001", kind, CONSUMER)
        assert not is_granted(session, "MFCA00001", kind, CONSUMER, test=True)
        assert not is_granted(session, "MFCA00001", kind, PROVIDER)
        grant(session, "MFCA00001", kind, CONSUMER, "op:ivanov", allow_test=True)
    with database.transaction() as session:
        assert is_granted(session, "MFCA00001", kind, CONSUMER, test=True)
        assert registry_version(session) == version + 2


def test_grant_refusals(database, kind):
    with database.transaction() as session:
        with pytest.raises(RegistryError, match="not registered"):
            grant(session, "NONE00001", kind, CONSUMER, "op")
        with pytest.raises(RegistryError, match="role must be one of"):
            grant(session, "MFCA00001", kind, "owner", "op")


def test_classified_list(database):
    with database.transaction() as session:
        version = registry_version(session)
        add_classified(session, "urn://secret/1.0", None, "op:security")
        add_classified(session, NS, "TopSecret", "op:security")
    with database.transaction() as session:
        assert is_classified(session, "urn://secret/1.0", "Anything")
        assert is_classified(session, NS, "TopSecret")
        assert not is_classified(session, NS, ROOT)
        assert registry_version(session) == version + 2
        with pytest.raises(RegistryError, match="already classified"):
            add_classified(session, NS, "TopSecret", "op")
        with pytest.raises(RegistryError, match="already classified"):
            add_classified(session, "urn://secret/1.0", None, "op")
        with pytest.raises(RegistryError, match="needs a namespace"):
            add_classified(session, " ", None, "op")
