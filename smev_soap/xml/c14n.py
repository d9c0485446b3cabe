"""Exclusive XML canonicalization without comments (http://www.w3.org/2001/10/xml-exc-c14n#)."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree


def exc_c14n(element: etree._Element, inclusive_prefixes: Sequence[str] | None = None) -> bytes:
    """exc-c14n of `element`'s subtree (its tail excluded), as UTF-8 bytes."""
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=list(inclusive_prefixes) if inclusive_prefixes else None,
    )
