"""AppDocument attachments: BinaryData ZIP with manifest, limits, zip bombs, Reference parts."""

import base64
import io
import random
import struct
import tracemalloc
import zipfile

import pytest
from envelope_support import MANIFEST_XSD, load_schema
from lxml import etree

from smev_soap.envelope import AppDocument, AttachmentError, parse_body
from smev_soap.envelope.attachments import (
    AttachmentLimits,
    check_manifest,
    check_reference,
    decode_binary_data,
    find_manifest,
    inspect_app_document,
    parse_manifest,
    read_zip,
)

REQUEST_CODE = "req_c801ccf5-2593-4b84-9f34-1432f35fdf51"
MANIFEST = f"{REQUEST_CODE}.xml"
MiB = 1024 * 1024


@pytest.fixture
def sample_doc(sample) -> AppDocument:
    return parse_body(sample.getroot()[1]).app_document


def make_zip(entries: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def manifest_xml(*docs: tuple[str, str | None]) -> bytes:
    items = "".join(
        f"<r:AppliedDocument r:ID='d{i}'><r:Name>{name}</r:Name><r:URL>{name}</r:URL>"
        f"<r:Type>text/xml</r:Type>{f'<r:DigestValue>{d}</r:DigestValue>' if d else ''}"
        "</r:AppliedDocument>"
        for i, (name, d) in enumerate(docs)
    )
    return (
        '<r:AppliedDocuments xmlns:r="http://smev.gosuslugi.ru/request/rev111111">'
        f"{items}</r:AppliedDocuments>"
    ).encode()


def code_of(call) -> str:
    with pytest.raises(AttachmentError) as error:
        call()
    return error.value.code


# -- the conformance sample -----------------------------------------------------------------


def test_sample_archive(sample_doc):
    files = read_zip(decode_binary_data(sample_doc, MiB))
    assert list(files) == ["request.xml", "request.xml.sig", MANIFEST, f"{MANIFEST}.sig"]
    for name in ("request.xml", MANIFEST):
        assert files[name].startswith(b"\xef\xbb\xbf<?xml")  # UTF-8 with BOM
    assert find_manifest(files, REQUEST_CODE) == MANIFEST
    assert find_manifest(files) == MANIFEST
    assert load_schema(MANIFEST_XSD).validate(etree.fromstring(files[MANIFEST]))
    entries = parse_manifest(files[MANIFEST])
    assert [(e.name, e.url, e.type, e.code_document, e.number) for e in entries] == [
        ("request.xml", "request.xml", "text/xml", "0000", "0"),
        ("request.xml.sig", "request.xml.sig", "text/plain", "0000", "1"),
    ]


def test_sample_manifest_digests_gost94(sample_doc, digest):
    """request.xml.sig matches (GOST R 34.11-94); request.xml does not: the fixture was edited."""
    files = read_zip(decode_binary_data(sample_doc, MiB))
    entries = parse_manifest(files[MANIFEST])
    findings = check_manifest(files, MANIFEST, entries, ("gost94",), digest)
    assert [(f.code, f.name) for f in findings] == [("manifest_digest_mismatch", "request.xml")]
    sig_entry = entries[1]
    assert base64.b64decode(sig_entry.digest_value) == digest("gost94", files["request.xml.sig"])


def test_sample_strict_and_lenient(sample_doc, digest):
    report = inspect_app_document(sample_doc, digest=digest)
    assert report.manifest_name == MANIFEST and len(report.manifest) == 2
    assert len(report.files) == 4
    # lenient kinds turn these into a Warning; strict kinds (the default) refuse the message
    assert [f.code for f in report.findings] == ["manifest_digest_mismatch"]
    streebog_only = inspect_app_document(sample_doc, algorithms=("streebog256",), digest=digest)
    assert [f.name for f in streebog_only.findings] == ["request.xml", "request.xml.sig"]


# -- manifests ------------------------------------------------------------------------------


def test_consistent_archive_has_no_findings(digest):
    body = "<a>Ж</a>".encode()
    value = base64.b64encode(digest("streebog256", body)).decode()
    archive = make_zip({"a.xml": body, "req_1.xml": manifest_xml(("a.xml", value))})
    report = inspect_app_document(AppDocument.from_bytes("req_1", archive), digest=digest)
    assert report.findings == [] and report.manifest[0].id == "d0"


def test_manifest_findings(digest):
    archive = make_zip(
        {
            "a.xml": b"<a/>",
            "extra.bin": b"x",
            "req_1.xml": manifest_xml(("a.xml", "AAAA"), ("missing.xml", None), ("./a.xml", "@@")),
        }
    )
    report = inspect_app_document(AppDocument.from_bytes("req_1", archive), digest=digest)
    assert [(f.code, f.name) for f in report.findings] == [
        ("manifest_digest_mismatch", "a.xml"),
        ("manifest_missing_file", "missing.xml"),
        ("manifest_digest_mismatch", "a.xml"),
        ("manifest_unlisted_file", "extra.bin"),
    ]


def test_manifest_missing_or_invalid():
    no_manifest = make_zip({"a.xml": b"<a/>"})
    report = inspect_app_document(AppDocument.from_bytes("req_1", no_manifest))
    assert [f.code for f in report.findings] == ["manifest_missing"]
    for bad in (
        b"not xml",
        b"<other/>",
        (
            b'<!DOCTYPE r [<!ENTITY e "x">]><r:AppliedDocuments '
            b'xmlns:r="http://smev.gosuslugi.ru/request/rev111111"/>'
        ),
    ):
        archive = make_zip({"req_1.xml": bad})
        report = inspect_app_document(AppDocument.from_bytes("req_1", archive))
        assert [f.code for f in report.findings] == ["manifest_invalid"], bad


# -- limits and broken archives ------------------------------------------------------------


def test_zip_bomb_refused_without_inflating():
    bomb = make_zip({"zeros.bin": bytes(100 * MiB)}, level=9)
    assert len(bomb) < MiB
    doc = AppDocument.from_bytes("req_1", bomb)
    tracemalloc.start()
    try:
        assert code_of(lambda: inspect_app_document(doc)) == "zip_bomb"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * MiB


def test_many_small_bombs_hit_the_archive_ratio():
    archive = make_zip({f"z{i}": bytes(MiB // 2) for i in range(8)}, level=9)
    assert code_of(lambda: read_zip(archive)) == "zip_bomb"


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Patch the uncompressed size of the (only) entry in both headers."""
    data = bytearray(data)
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, size)
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


def test_lying_sizes_stop_at_the_declared_size():
    archive = _lie_about_size(make_zip({"big": bytes(4 * MiB)}), 1000)
    assert code_of(lambda: read_zip(archive)) in {"zip_bomb", "zip_corrupt"}


def test_total_size_cap():
    noise = random.Random(1).randbytes(MiB)
    archive = make_zip({"a": noise, "b": noise[::-1]})
    limits = AttachmentLimits(max_total_size=MiB)
    assert code_of(lambda: read_zip(archive, limits)) == "zip_too_large"
    assert len(read_zip(archive, AttachmentLimits(max_total_size=2 * MiB))["a"]) == MiB


def test_too_many_entries():
    archive = make_zip({f"f{i}.txt": b"" for i in range(1001)})
    assert code_of(lambda: read_zip(archive)) == "zip_too_many_entries"
    assert len(read_zip(archive, AttachmentLimits(max_entries=1001))) == 1001


def test_corrupt_archives(sample_doc):
    good = decode_binary_data(sample_doc, MiB)
    assert code_of(lambda: read_zip(b"definitely not a zip")) == "zip_corrupt"
    assert code_of(lambda: read_zip(good[: len(good) // 2])) == "zip_corrupt"
    flipped = bytearray(good)
    flipped[100] ^= 0xFF  # inside request.xml's deflate stream
    assert code_of(lambda: read_zip(bytes(flipped))) == "zip_corrupt"
    duplicate = io.BytesIO()
    with zipfile.ZipFile(duplicate, "w") as archive:
        archive.writestr("a", b"1")
        with pytest.warns(UserWarning):
            archive.writestr("a", b"2")
    assert code_of(lambda: read_zip(duplicate.getvalue())) == "zip_corrupt"


def test_encrypted_entry_unsupported():
    data = bytearray(make_zip({"a": b"secret"}))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01
    assert code_of(lambda: read_zip(bytes(data))) == "zip_unsupported"


def test_binary_data_limits():
    payload = bytes(range(256)) * 40
    encoded = base64.encodebytes(payload).decode()  # with line breaks every 76 characters
    doc = AppDocument("req_1", binary_data=encoded)
    assert "\n" in encoded and decode_binary_data(doc, len(payload)) == payload
    assert code_of(lambda: decode_binary_data(doc, len(payload) - 1)) == "attachment_too_large"
    bad = AppDocument("req_1", binary_data="UEsDB@@@")
    assert code_of(lambda: decode_binary_data(bad, MiB)) == "bad_base64"
    oversized = AppDocument.from_bytes("req_1", b"x" * (MiB + 1))
    limits = AttachmentLimits(max_binary_size=MiB)
    assert code_of(lambda: inspect_app_document(oversized, limits)) == "attachment_too_large"


# -- Reference + DigestValue (multipart/related parts) ---------------------------------------


def test_check_reference(digest):
    part = b"%PDF-1.4 part bytes"
    value = base64.b64encode(digest("streebog256", part)).decode()
    doc = AppDocument("req_1", reference_href="cid:part1%40example.org", digest_value=value)
    assert check_reference(doc, {"<part1@example.org>": part}, digest) == part
    assert check_reference(doc, {"part1@example.org": part}, digest) == part
    assert (
        code_of(lambda: check_reference(doc, {"<other>": part}, digest)) == "reference_missing_part"
    )
    assert (
        code_of(lambda: check_reference(doc, {"<part1@example.org>": part + b"!"}, digest))
        == "reference_digest_mismatch"
    )
    gost94 = AppDocument(
        "req_1",
        reference_href="cid:p",
        digest_value=base64.b64encode(digest("gost94", part)).decode(),
    )
    assert (
        code_of(lambda: check_reference(gost94, {"p": part}, digest)) == "reference_digest_mismatch"
    )
    broken = AppDocument("req_1", reference_href="cid:p", digest_value="@@")
    assert code_of(lambda: check_reference(broken, {"p": part}, digest)) == "bad_base64"
