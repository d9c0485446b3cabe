"""Queue test fixtures: two kinds of information to file messages under."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smev_soap.registry import KindOfInformation


@pytest.fixture
def kind_ids(database) -> tuple[int, int]:
    """Ids of two kinds (rows written directly: the queue does not care about their XSDs)."""
    with database.transaction() as session:
        kinds = [
            KindOfInformation(namespace=f"urn://example.ru/q/{n}", root_element="Request",
                              name=f"kind {n}", xsd="-", xsd_sha256="-",
                              created_at=datetime.now(UTC))
            for n in (1, 2)
        ]
        session.add_all(kinds)
        session.flush()
        return kinds[0].id, kinds[1].id
