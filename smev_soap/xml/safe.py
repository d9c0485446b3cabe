"""The one safe XML parser for untrusted input: no DTD, no entities, no network, size and depth caps.

The caller keeps the received bytes (journal, delivery); the returned tree is never re-serialised
in place of them.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from smev_soap.xml.threads import per_thread

#: libxml2 refuses deeper nesting by itself unless `huge_tree` is set (which we never do).
LIBXML2_MAX_DEPTH = 256


class XmlRejected(ValueError):
    """Input refused before or while parsing; `.reason` is one of the module constants TOO_LARGE, DOCTYPE, MALFORMED, TOO_DEEP, EMPTY."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


TOO_LARGE = "too_large"
DOCTYPE = "doctype"
MALFORMED = "malformed"
TOO_DEEP = "too_deep"
EMPTY = "empty"


#: The calling thread's parser (lxml parsers must not be shared between threads).
_parser = per_thread(lambda: etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
))


@lru_cache(maxsize=8)
def _too_deep_xpath(max_depth: int) -> etree.XPath:
    """`/*/*/…` with max_depth + 1 steps: non-empty iff some element is deeper than max_depth."""
    return etree.XPath(f"boolean({'/*' * (max_depth + 1)})", regexp=False)


def parse_xml(data: bytes, *, max_bytes: int, max_depth: int = LIBXML2_MAX_DEPTH) -> etree._Element:
    """Parse untrusted bytes into a root element, or raise XmlRejected.

    Depth counts element levels, the root being 1; `max_depth` may not exceed 256.
    """
    if max_depth > LIBXML2_MAX_DEPTH or max_depth < 1:
        raise ValueError(f"max_depth must be within 1..{LIBXML2_MAX_DEPTH}")
    if len(data) > max_bytes:
        raise XmlRejected(TOO_LARGE, f"XML document of {len(data)} bytes exceeds {max_bytes}")
    if not data.strip():
        raise XmlRejected(EMPTY, "empty XML document")
    # Fast path for ASCII-compatible encodings: libxml2 never sees the DTD. ("<" cannot occur
    # unescaped in text or attributes, so only a comment/CDATA mentioning it is refused too.)
    if b"<!DOCTYPE" in data:
        raise XmlRejected(DOCTYPE, "XML with a DOCTYPE/DTD is refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            raise XmlRejected(TOO_DEEP, f"XML nesting deeper than {max_depth}") from None
        raise XmlRejected(MALFORMED, f"malformed XML: {exc}") from None
    docinfo = root.getroottree().docinfo  # other encodings (UTF-16…)
    if docinfo.internalDTD is not None or docinfo.doctype or docinfo.system_url:
        raise XmlRejected(DOCTYPE, "XML with a DOCTYPE/DTD is refused")
    if (max_depth < LIBXML2_MAX_DEPTH and _may_nest_deeper(data, docinfo.encoding, max_depth)
            and _too_deep_xpath(max_depth)(root)):
        raise XmlRejected(TOO_DEEP, f"XML nesting deeper than {max_depth}")
    return root


def _may_nest_deeper(data: bytes, encoding: str | None, max_depth: int) -> bool:
    """False when the bytes alone show that the document is at most ``max_depth`` levels deep.

    Depth D takes D start tags and D - 1 end tags at least, each opened by "<". In a document
    lxml reports as UTF-8 (a UTF-16 one found from its byte order mark is reported so, too) each
    "<" holds a byte 0x3C: 2 * max_depth of those bytes or fewer cannot nest deeper. Encodings
    that may write "<" otherwise (UTF-7, say) are named in the declaration and reported by name.
    """
    return (encoding or "").upper() != "UTF-8" or data.count(b"<") > 2 * max_depth
