"""Message digests by name: raw hash output, as DigestValue carries it (GOST.md §2)."""

from __future__ import annotations

import hashlib

from .backend import get_backend

DIGEST_NAMES = ("streebog256", "streebog512", "gost94", "sha256")


def digest(name: str, data: bytes) -> bytes:
    """``streebog256``, ``streebog512``, ``gost94`` or ``sha256`` of ``data``.

    Raises UnsupportedAlgorithm for any other name.
    """
    if name == "sha256":
        return hashlib.sha256(data).digest()
    return get_backend().digest(name, data)
