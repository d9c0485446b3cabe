"""A 100k-row classifier import runs in bounded memory (D24: memory is asserted, not time)."""

from __future__ import annotations

import tracemalloc

import pytest

from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.classifiers import get_classifier

ROWS = 100_000
#: Python heap peak of the whole import. Streaming needs ~3 MB; holding the file's rows would
#: take over 50 MB (100k dicts), so the bound separates the two with room to spare.
PEAK_BOUND = 12 * 1024 * 1024


def write_csv(path, rows: int) -> None:
    """A hierarchy: 100 roots, every other item the child of item ``i // 100``."""
    with path.open("w", encoding="utf-8") as out:
        out.write("code,value,parent_code,valid_from,okato\n")
        for i in range(rows):
            parent = "" if i < 100 else f"{i // 100:011d}"
            out.write(f"{i:011d},Территория № {i},{parent},2014-01-01,{i:011d}\n")


@pytest.mark.slow
def test_a_100k_row_csv_imports_in_bounded_memory(database, tmp_path):
    path = tmp_path / "big.csv"
    write_csv(path, ROWS)
    reports: list[tuple[int, int]] = []
    tracemalloc.start()
    try:
        with database.transaction() as session, path.open("rb") as stream:
            version = import_classifier(session, "BIG", stream, "csv", "tester",
                                        progress=lambda rows, done: reports.append((rows, done)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (version.items, version.added) == (ROWS, ROWS)
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MiB"
    assert reports[-1] == (ROWS, path.stat().st_size) and len(reports) > 10
    with database.transaction() as session:
        assert get_classifier(session, "BIG").current_version == 1
