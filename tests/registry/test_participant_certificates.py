"""Certificates with a registered validity: key rotation with an overlap, retirement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smev_soap.registry import (
    RegistryError,
    add_certificate,
    add_participant,
    get_participant,
    participant_for_certificate,
    registry_version,
    retire_certificate,
)


def test_rotation_with_overlap(database, make_certificate):
    old, new = make_certificate(), make_certificate()
    now = datetime.now(UTC)
    with database.transaction() as session:
        add_participant(session, "MFCA00001", "МФЦ", [old], "op")
    with database.transaction() as session:
        version = registry_version(session)
        add_certificate(session, "MFCA00001", new, "op:ivanov")
    with database.transaction() as session:  # the overlap: both identify the participant
        for cert in (old, new):
            assert participant_for_certificate(session, cert.fingerprint_sha256).code == \
                "MFCA00001"
        retire_certificate(session, old.fingerprint_sha256, "op:ivanov",
                           at=now + timedelta(days=7))
    with database.transaction() as session:
        assert participant_for_certificate(session, old.fingerprint_sha256,
                                           at=now + timedelta(days=6)).code == "MFCA00001"
        assert participant_for_certificate(session, old.fingerprint_sha256,
                                           at=now + timedelta(days=8)) is None
        assert participant_for_certificate(session, new.fingerprint_sha256,
                                           at=now + timedelta(days=8)).code == "MFCA00001"
        retire_certificate(session, old.fingerprint_sha256, "op:ivanov")  # at once
    with database.transaction() as session:
        assert participant_for_certificate(session, old.fingerprint_sha256) is None
        assert len(get_participant(session, "MFCA00001").certificates) == 2  # kept for history
        assert registry_version(session) == version + 3


def test_registered_validity_bounds(database, make_certificate):
    cert, later = make_certificate(), make_certificate()
    with database.transaction() as session:
        add_participant(session, "MFCA00001", "МФЦ", [cert], "op")
        start = later.not_before + timedelta(days=30)
        row = add_certificate(session, "MFCA00001", later, "op", valid_from=start)
        assert (row.valid_from, row.valid_to) == (start, later.not_after)
    with database.transaction() as session:  # not yet within its registered validity
        assert participant_for_certificate(session, later.fingerprint_sha256) is None
        assert participant_for_certificate(session, later.fingerprint_sha256,
                                           at=start).code == "MFCA00001"


def test_certificate_refusals(database, make_certificate):
    cert, other = make_certificate(), make_certificate()
    with database.transaction() as session:
        add_participant(session, "MFCA00001", "МФЦ", [cert], "op")
    with database.transaction() as session:
        version = registry_version(session)
        with pytest.raises(RegistryError, match="exceeds the certificate's own"):
            add_certificate(session, "MFCA00001", other, "op",
                            valid_to=other.not_after + timedelta(days=1))
        with pytest.raises(RegistryError, match="must end after it starts"):
            add_certificate(session, "MFCA00001", other, "op",
                            valid_from=other.not_before + timedelta(days=2),
                            valid_to=other.not_before + timedelta(days=1))
        with pytest.raises(RegistryError, match="already registered to MFCA00001"):
            add_certificate(session, "MFCA00001", cert, "op")
        with pytest.raises(RegistryError, match="not registered"):
            add_certificate(session, "NONE00001", other, "op")
        with pytest.raises(RegistryError, match="is not registered"):
            retire_certificate(session, other.fingerprint_sha256, "op")
        retire_certificate(session, cert.fingerprint_sha256, "op")
        with pytest.raises(RegistryError, match="already valid only to"):
            retire_certificate(session, cert.fingerprint_sha256, "op")
        assert registry_version(session) == version + 1
