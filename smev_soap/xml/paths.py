"""Lookups along child paths, the XPath way but without the XPath engine.

An XPath evaluation is cheap only while libxml2's XPath code is in the CPU caches; on the request
path, after the other work of the previous request, each first one cost tens of microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree


def first_at(element: etree._Element, path: Sequence[str]) -> etree._Element | None:
    """The first element in document order at the child ``path`` (tags) below ``element``.

    What XPath ``(t1/t2/…)[1]`` selects from ``element``; ``element`` itself for an empty path.
    """
    if not path:
        return element
    for child in element.iterchildren(path[0]):
        found = first_at(child, path[1:])
        if found is not None:
            return found
    return None


def string_value(element: etree._Element | None) -> str:
    """XPath ``string()`` of an element: all its descendant text (not comments or PIs); "" for None."""
    if element is None:
        return ""
    if not len(element):
        return element.text or ""
    return "".join(element.itertext())
