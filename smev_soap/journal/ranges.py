"""Compact text form of a sorted id list: ``[1, 2, 3, 5]`` ⇄ ``"1-3,5"``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def to_ranges(ids: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive ids, as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for value in ids:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def format_ranges(runs: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def parse_ranges(spec: str) -> list[int]:
    ids: list[int] = []
    for part in filter(None, spec.split(",")):
        first, _, last = part.partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return ids
