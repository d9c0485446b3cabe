"""One object per thread, made on first use (lxml parsers must not be shared between threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_thread(factory: Callable[[], T]) -> Callable[[], T]:
    """A function returning the calling thread's object, made by ``factory`` on its first call."""
    local = threading.local()

    def get() -> T:
        value = getattr(local, "value", None)
        if value is None:
            value = local.value = factory()
        return value

    return get
