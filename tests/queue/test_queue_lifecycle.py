from __future__ import annotations

import os
import uuid
import zlib

import pytest
from queue_samples import LEASE, T0, at, put
from sqlalchemy import exc, func, select

from smev_soap.queue import (
    ACKED,
    REQUEST,
    REQUESTS,
    RESPONSE,
    RESPONSES,
    CancelOutcome,
    QueueItem,
    ack,
    cancel,
    enqueue,
    expire_and_dead_letter,
    find_duplicate,
    get_message,
    lease,
    queue_statistics,
    store_delivery_envelope,
)
from smev_soap.queue.messages import compress


def test_enqueue_stores_the_message_under_a_uuid1(database, kind_ids):
    envelope = "<Envelope>доход</Envelope>".encode() * 50
    with database.transaction() as session:
        message_id = put(session, envelope=envelope, kind_id=kind_ids[0], case_number="42",
                         test=True, body_digest="qUE=")
    assert uuid.UUID(message_id).version == 1
    with database.transaction() as session:
        message = get_message(session, message_id)
        assert message.envelope == envelope
        assert len(message.envelope_z) < len(envelope)  # stored compressed
        assert message.chain_id == message_id  # a request opens its chain
        assert (message.kind_id, message.case_number, message.test, message.body_digest) == (
            kind_ids[0], "42", True, "qUE=")
        assert message.delivery_envelope is None
    assert get_message_or_none(database, "no-such-id") is None


def get_message_or_none(database, message_id):
    with database.transaction() as session:
        return get_message(session, message_id)


def test_lease_then_ack(database):
    with database.transaction() as session:
        message_id = put(session)
    with database.transaction() as session:
        leased = lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(1))
        assert leased.message.id == message_id
        assert (leased.queue_name, leased.delivery_count, leased.lease_until) == (
            REQUESTS, 1, at(1 + LEASE))
        assert not leased.is_redelivery
    with database.transaction() as session:
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(2)) is None
        assert not ack(session, "MFCA00001", message_id)  # only the owner acks
        assert ack(session, "PFRS00001", message_id, now=at(3))
    with database.transaction() as session:
        assert not ack(session, "PFRS00001", message_id)  # ⇒ RSMEV-501
        assert not ack(session, "PFRS00001", "unknown")
        item = session.query(QueueItem).filter_by(message_id=message_id).one()
        assert item.state == ACKED and item.acked_at is not None
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(999)) is None


def test_lease_is_oldest_first_per_owner_and_queue(database):
    with database.transaction() as session:
        first = put(session, now=T0)
        second = put(session, now=at(1))
        put(session, recipient="SOCZ00001")
        response = put(session, sender="PFRS00001", recipient="MFCA00001",
                       message_class=RESPONSE, status="RESULT", chain_id=first)
    with database.transaction() as session:
        leases = [lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(5))
                  for _ in range(3)]
        assert [x.message.id if x else None for x in leases] == [first, second, None]
        assert lease(session, "MFCA00001", REQUESTS, lease_seconds=LEASE, now=at(5)) is None
        got = lease(session, "MFCA00001", RESPONSES, lease_seconds=LEASE, now=at(5))
        assert got.message.id == response and got.message.chain_id == first


def test_redelivery_after_lease_expiry_keeps_the_message_id(database):
    with database.transaction() as session:
        message_id = put(session)
    with database.transaction() as session:
        lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(0))
    with database.transaction() as session:
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(LEASE)) is None
        again = lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(LEASE + 1))
        assert again.message.id == message_id
        assert again.delivery_count == 2 and again.is_redelivery


def test_kind_and_chain_filters(database, kind_ids):
    with database.transaction() as session:
        a = put(session, kind_id=kind_ids[0])
        b = put(session, kind_id=kind_ids[1])
        reply_a = put(session, sender="PFRS00001", recipient="MFCA00001", message_class=RESPONSE,
                      status="RESULT", chain_id=a)
        reply_b = put(session, sender="PFRS00001", recipient="MFCA00001", message_class=RESPONSE,
                      status="RESULT", chain_id=b)
    with database.transaction() as session:
        by_kind = lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(1),
                        kind_filter=kind_ids[1])
        assert by_kind.message.id == b
        by_chain = lease(session, "MFCA00001", RESPONSES, lease_seconds=LEASE, now=at(1),
                         chain_id=b)
        assert by_chain.message.id == reply_b
        assert lease(session, "MFCA00001", RESPONSES, lease_seconds=LEASE, now=at(1),
                     chain_id=b) is None
        assert lease(session, "MFCA00001", RESPONSES, lease_seconds=LEASE,
                     now=at(1)).message.id == reply_a


def test_dead_letter_after_max_deliveries(database):
    with database.transaction() as session:
        message_id = put(session)
        keeper = put(session, now=at(1))
    for attempt in range(3):
        with database.transaction() as session:
            got = lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE,
                        now=at(attempt * 100))
            assert got.message.id == message_id and got.delivery_count == attempt + 1
            if attempt == 0:
                assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE * 10,
                             now=at(0)).message.id == keeper
            # not yet expired: nothing to do
            assert expire_and_dead_letter(session, 3, now=at(attempt * 100 + 1)) == []
    with database.transaction() as session:
        dead = expire_and_dead_letter(session, 3, now=at(1000))
        assert [(d.message.id, d.owner_code, d.queue_name, d.delivery_count) for d in dead] == [
            (message_id, "PFRS00001", REQUESTS, 3)]
        assert dead[0].message.sender_code == "MFCA00001"  # whom to notify
        # the item leased 10 times longer (2 deliveries short of the limit) stays
    with database.transaction() as session:
        assert expire_and_dead_letter(session, 3, now=at(2000)) == []
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE,
                     now=at(2000)).message.id == keeper
        stats = queue_statistics(session, "PFRS00001")
        assert (stats[REQUESTS].pending, stats[REQUESTS].leased, stats[REQUESTS].dead) == (0, 1, 1)
        assert not ack(session, "PFRS00001", message_id)  # dead letters are not acked


def test_cancel(database):
    with database.transaction() as session:
        pending = put(session)
        delivered = put(session, now=at(1))
    with database.transaction() as session:
        assert cancel(session, "SOCZ00001", pending) is CancelOutcome.NOT_FOUND  # not the sender
        assert cancel(session, "MFCA00001", "unknown") is CancelOutcome.NOT_FOUND
        assert cancel(session, "MFCA00001", pending) is CancelOutcome.CANCELLED
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE,
                     now=at(2)).message.id == delivered
        assert cancel(session, "MFCA00001", delivered) is CancelOutcome.DELIVERED
        assert cancel(session, "MFCA00001", pending) is CancelOutcome.CLOSED
        assert not ack(session, "PFRS00001", pending)


def test_delivery_envelope_is_built_once(database):
    with database.transaction() as session:
        message_id = put(session)
    with database.transaction() as session:
        assert store_delivery_envelope(session, message_id, b"<first/>") == b"<first/>"
    with database.transaction() as session:
        assert store_delivery_envelope(session, message_id, b"<second/>") == b"<first/>"
        assert get_message(session, message_id).delivery_envelope == b"<first/>"


def test_idempotency_window(database):
    with database.transaction() as session:
        original = put(session, body_digest="ZGlnZXN0", now=T0)
        put(session, sender="SOCZ00001", body_digest="b3RoZXI=", now=T0)
    with database.transaction() as session:
        assert find_duplicate(session, "MFCA00001", "ZGlnZXN0", since=at(-3600)) == original
        assert find_duplicate(session, "MFCA00001", "ZGlnZXN0", since=at(1)) is None  # too old
        assert find_duplicate(session, "SOCZ00001", "ZGlnZXN0", since=at(-3600)) is None
        assert find_duplicate(session, "MFCA00001", "b3RoZXI=", since=at(-3600)) is None


def test_one_message_per_idempotency_key(database):
    with database.transaction() as session:
        original = put(session, body_digest="ZGlnZXN0", now=T0)
    with database.transaction() as session:
        again = enqueue(session, sender="MFCA00001", recipient="SOCZ00001",
                        message_class=REQUEST, status="REQUEST", envelope=b"<copy/>",
                        body_digest="ZGlnZXN0", now=at(5))
        assert again is None  # nothing written: no message, no queue item
        assert session.scalar(select(func.count()).select_from(QueueItem)) == 1
        # gateway-made messages carry no digest and never collide
        assert put(session, sender="GATE00001") != put(session, sender="GATE00001")
    assert get_message_or_none(database, original).envelope == b"<Envelope/>"


def test_queue_statistics(database):
    with database.transaction() as session:
        for n in range(3):
            put(session, now=at(n))
        put(session, sender="PFRS00001", recipient="PFRS00001", message_class=RESPONSE,
            status="STATE")
        lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(5))
    with database.transaction() as session:
        stats = queue_statistics(session, "PFRS00001")
        assert (stats[REQUESTS].pending, stats[REQUESTS].leased, stats[REQUESTS].dead) == (2, 1, 0)
        assert (stats[RESPONSES].pending, stats[RESPONSES].leased) == (1, 0)
        empty = queue_statistics(session, "NONE00001")
        assert empty[REQUESTS].pending == empty[RESPONSES].pending == 0


@pytest.mark.postgres
def test_an_over_long_journal_value_is_refused_not_cut(pg_database):
    from smev_soap.journal.events import EventType, entry
    from smev_soap.journal.models import JournalEvent

    def events() -> int:
        with pg_database.sessions() as session:
            return session.scalar(select(func.count()).select_from(JournalEvent))

    before = events()
    too_long = entry(EventType.QUEUED, participant="P" * 10)  # the column holds 9
    with pytest.raises(exc.DataError), pg_database.transaction() as session:
        enqueue(session, sender="MFCA00001", recipient="SOCZ00001", message_class=REQUEST,
                status="REQUEST", envelope=b"<e/>", events=[too_long])
    assert events() == before


def test_stored_envelopes_decompress_whatever_their_size():
    text = "<Envelope>доход</Envelope>".encode()
    for data in (b"", text, text * 2500, text * 2600, os.urandom(300_000)):
        assert zlib.decompress(compress(data)) == data
