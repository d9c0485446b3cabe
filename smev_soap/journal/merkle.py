"""Leaf hashes over a canonical form of journal rows and their Merkle root (Streebog-256).

Leaves and inner nodes carry distinct prefixes (0x00, 0x01) as in RFC 6962; on a level with an
odd count the last node moves up unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from smev_soap.crypto import digest
from smev_soap.journal.models import JournalEvent

HASH = "streebog256"
EMPTY_ROOT = "0" * 64  # the "previous root" of the first batch


def canonical_time(value: datetime) -> str:
    """UTC with microseconds; a naive value (SQLite) is UTC already."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def canonical_row(row: JournalEvent) -> bytes:
    """Every field of the row, in a fixed order, as compact UTF-8 JSON."""
    fields = [
        row.id, canonical_time(row.at), row.event, row.participant, row.actor, row.message_id,
        row.chain_id, row.error_code, row.detail, row.digest, row.batch_id,
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def leaf_hash(row: JournalEvent) -> bytes:
    return digest(HASH, b"\x00" + canonical_row(row))


def merkle_root(leaves: Sequence[bytes]) -> str:
    """Hex root of the leaves in the given order (at least one leaf)."""
    level = list(leaves)
    if not level:
        raise ValueError("a Merkle root needs at least one leaf")
    while len(level) > 1:
        paired = [digest(HASH, b"\x01" + a + b) for a, b in zip(level[::2], level[1::2])]
        level = paired + level[len(paired) * 2:]
    return level[0].hex()
