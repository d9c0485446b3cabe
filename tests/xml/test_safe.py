"""parse_xml refuses DTDs, entities, oversize and deep input, and keeps everything else intact."""

from __future__ import annotations

import threading
import time

import pytest
from lxml import etree

from smev_soap.xml import safe
from smev_soap.xml.safe import XmlRejected, parse_xml

MB = 1 << 20


def _reason(data: bytes, **kw) -> str:
    with pytest.raises(XmlRejected) as info:
        parse_xml(data, max_bytes=kw.pop("max_bytes", MB), **kw)
    assert str(info.value)
    return info.value.reason


def test_plain_document_parses_with_whitespace_kept():
    root = parse_xml(b"<a xmlns='urn:x'>\n  <b>t</b>\n</a>", max_bytes=MB)
    assert root.tag == "{urn:x}a"
    assert root.text == "\n  " and root[0].tail == "\n"


def test_external_entity_is_refused_unexpanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'
    ).encode()
    assert _reason(data) == safe.DOCTYPE


def test_parameter_entity_and_external_dtd_are_refused():
    pe = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><r/>'
    ext = b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>'
    assert _reason(pe) in (safe.DOCTYPE, safe.MALFORMED)
    assert _reason(ext) == safe.DOCTYPE


def test_billion_laughs_is_refused_quickly():
    decls = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">{decls}]><lolz>&l9;</lolz>'
    data = data.encode()
    started = time.perf_counter()
    assert _reason(data) == safe.DOCTYPE
    assert time.perf_counter() - started < 1.0


def test_plain_doctype_is_refused_also_in_utf16():
    assert _reason(b"<!DOCTYPE r><r/>") == safe.DOCTYPE
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>'.encode("utf-16")
    assert _reason(utf16) == safe.DOCTYPE


def test_oversize_is_refused_before_parsing():
    assert _reason(b"<a/>" + b" " * 100, max_bytes=50) == safe.TOO_LARGE
    assert parse_xml(b"<a/>", max_bytes=4).tag == "a"


def test_depth_limit():
    def nested(n: int) -> bytes:
        return b"<a>" * n + b"</a>" * n

    assert parse_xml(nested(10), max_bytes=MB, max_depth=10) is not None
    assert _reason(nested(11), max_depth=10) == safe.TOO_DEEP
    assert parse_xml(nested(256), max_bytes=MB) is not None
    assert _reason(nested(257)) == safe.TOO_DEEP
    assert _reason(nested(100000), max_bytes=10 * MB) == safe.TOO_DEEP
    with pytest.raises(ValueError):
        parse_xml(b"<a/>", max_bytes=MB, max_depth=257)


def test_depth_limit_in_every_encoding():
    def nested(n: int, encoding: str, declared: bool = True) -> bytes:
        head = f'<?xml version="1.0" encoding="{encoding}"?>' if declared else ""
        return (head + "<a>" * n + "</a>" * n).encode(encoding)

    def utf7(n: int) -> bytes:  # "<" and ">" written as base64 runs: no byte 0x3C in the tags
        return (b'<?xml version="1.0" encoding="UTF-7"?>'
                + b"+ADw-a+AD4-" * n + b"+ADw-/a+AD4-" * n)

    for encoding in ("UTF-8", "UTF-16", "windows-1251"):
        assert parse_xml(nested(10, encoding), max_bytes=MB, max_depth=10) is not None
        assert _reason(nested(11, encoding), max_depth=10) == safe.TOO_DEEP, encoding
    assert _reason(nested(11, "UTF-16", declared=False), max_depth=10) == safe.TOO_DEEP
    assert len(parse_xml(utf7(10), max_bytes=MB, max_depth=10)) == 1
    assert _reason(utf7(11), max_depth=10) == safe.TOO_DEEP
    assert _reason(b"<a>" * 6 + b"<b/>" + b"</a>" * 6, max_depth=6) == safe.TOO_DEEP


def test_empty_and_malformed():
    assert _reason(b"") == safe.EMPTY
    assert _reason(b"  \n") == safe.EMPTY
    assert _reason(b"<a><b></a>") == safe.MALFORMED
    assert _reason(b"not xml") == safe.MALFORMED


def test_each_thread_has_its_own_parser():
    parsers = []

    def work():
        parse_xml(b"<a/>", max_bytes=MB)
        parsers.append(safe._parser())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(p) for p in parsers}) == 3
    assert all(isinstance(p, etree.XMLParser) for p in parsers)
