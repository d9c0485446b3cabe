"""Concurrent pollers on PostgreSQL never lease the same message (D7, D16)."""

from __future__ import annotations

import threading

import pytest
from queue_samples import put

from smev_soap.queue import REQUESTS, ack, lease

MESSAGES = 200
POLLERS = 4


@pytest.mark.postgres
def test_concurrent_pollers_never_lease_the_same_message(pg_database):
    database = pg_database
    with database.engine.begin() as connection:  # fresh queue tables for this test
        connection.exec_driver_sql("TRUNCATE queue_item, message RESTART IDENTITY CASCADE")
    with database.transaction() as session:
        expected = {put(session) for _ in range(MESSAGES)}
    start = threading.Barrier(POLLERS)
    leased: list[list[str]] = [[] for _ in range(POLLERS)]
    errors: list[BaseException] = []

    def poll(index: int) -> None:
        try:
            start.wait()
            while True:
                with database.transaction() as session:
                    item = lease(session, "PFRS00001", REQUESTS, lease_seconds=600)
                    if item is None:
                        return
                    leased[index].append(item.message.id)
                    if len(leased[index]) % 2:  # ack half of them in the same transaction
                        assert ack(session, "PFRS00001", item.message.id)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(POLLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    every = [message_id for ids in leased for message_id in ids]
    assert len(every) == len(set(every)) == MESSAGES
    assert set(every) == expected
    with database.transaction() as session:
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=600) is None
