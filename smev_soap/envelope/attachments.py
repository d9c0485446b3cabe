"""AppDocument attachments (D13): BinaryData ZIP archives with their manifest, and Reference parts.

Hard failures (size, zip bomb, corruption, Reference digest) raise :class:`AttachmentError`;
manifest problems are returned as :class:`Finding` so the caller refuses them for strict kinds
and reports them as a Warning for lenient ones.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from smev_soap.xml.safe import XmlRejected, parse_xml

from . import ns
from .errors import AttachmentError, EnvelopeError, Finding
from .model import AppDocument

DigestFn = Callable[[str, bytes], bytes]

#: Manifest digests: GOST R 34.11-94 (legacy senders) or Streebog-256 (GOST 2012 senders).
MANIFEST_ALGORITHMS = ("gost94", "streebog256")
#: ``Reference`` + ``DigestValue``: Streebog-256 of the part (D13).
REFERENCE_ALGORITHM = "streebog256"

_MANIFEST_NAME_RE = re.compile(r"req_[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\.xml")
MAX_MANIFEST_SIZE = 1024 * 1024
_MANIFEST_ROOT = f"{{{ns.SMEV_REQUEST}}}AppliedDocuments"
_CHUNK = 64 * 1024
_MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """Caps on one AppDocument; ratios are checked for entries and archives above ``ratio_floor``."""

    max_binary_size: int = 20 * _MiB
    max_entries: int = 1000
    max_total_size: int = 100 * _MiB
    max_ratio: int = 100
    ratio_floor: int = _MiB


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One ``smev-request:AppliedDocument`` of the manifest."""

    name: str
    url: str
    type: str
    id: str | None = None
    code_document: str | None = None
    number: str | None = None
    digest_value: str | None = None


@dataclass(slots=True)
class AttachmentReport:
    """The archive's files, its manifest (``None`` if absent or unreadable) and the findings."""

    files: dict[str, bytes]
    manifest_name: str | None
    manifest: list[ManifestEntry] | None
    findings: list[Finding] = field(default_factory=list)


def decode_binary_data(doc: AppDocument, max_size: int) -> bytes:
    """Decode BinaryData (line breaks tolerated), refusing it before decoding when too large."""
    if doc.binary_data is None:
        raise ValueError("AppDocument has no BinaryData")
    text = "".join(doc.binary_data.split())
    if len(text) // 4 * 3 - text[-2:].count("=") > max_size:
        raise AttachmentError("attachment_too_large", f"BinaryData exceeds {max_size} bytes")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise AttachmentError("bad_base64", f"BinaryData is not base64: {exc}") from None


def read_zip(data: bytes, limits: AttachmentLimits = AttachmentLimits()) -> dict[str, bytes]:
    """The files of a ZIP archive, by name, within ``limits``.

    Declared sizes and ratios are checked before inflating anything; while inflating, the
    bytes are counted so that an archive lying about its sizes is stopped as well.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise AttachmentError("zip_corrupt", f"not a readable ZIP archive: {exc}") from None
    with archive:
        infos = archive.infolist()
        _check_declared(infos, len(data), limits)
        files: dict[str, bytes] = {}
        budget = limits.max_total_size
        for info in infos:
            if info.is_dir():
                continue
            if info.filename in files:
                raise AttachmentError("zip_corrupt", f"duplicate entry {info.filename!r}")
            files[info.filename] = _inflate(archive, info, budget)
            budget -= len(files[info.filename])
    return files


def find_manifest(files: Mapping[str, bytes], request_code: str | None = None) -> str | None:
    """The manifest's entry name: ``<RequestCode>.xml``, else the only ``req_<uuid>.xml``."""
    if request_code and f"{request_code}.xml" in files:
        return f"{request_code}.xml"
    candidates = [name for name in files if _MANIFEST_NAME_RE.fullmatch(name.rsplit("/", 1)[-1])]
    return candidates[0] if len(candidates) == 1 else None


def parse_manifest(data: bytes) -> list[ManifestEntry]:
    """Read ``smev-request:AppliedDocuments``; raises EnvelopeError("manifest_invalid")."""
    try:
        root = parse_xml(data, max_bytes=MAX_MANIFEST_SIZE)
    except XmlRejected as exc:
        raise EnvelopeError("manifest_invalid", f"manifest refused: {exc}") from None
    if root.tag != _MANIFEST_ROOT:
        raise EnvelopeError("manifest_invalid", f"manifest root is {root.tag}")
    entries = []
    for doc in root.iterchildren(f"{{{ns.SMEV_REQUEST}}}AppliedDocument"):
        name, url = _manifest_text(doc, "Name"), _manifest_text(doc, "URL")
        if not url:
            raise EnvelopeError("manifest_invalid", f"AppliedDocument {name!r} has no URL")
        digest = _manifest_text(doc, "DigestValue")
        entries.append(
            ManifestEntry(
                name=name or url,
                url=url,
                type=_manifest_text(doc, "Type") or "",
                id=doc.get(f"{{{ns.SMEV_REQUEST}}}ID"),
                code_document=_manifest_text(doc, "CodeDocument"),
                number=_manifest_text(doc, "Number"),
                digest_value="".join(digest.split()) if digest else None,
            )
        )
    return entries


def check_manifest(
    files: Mapping[str, bytes],
    manifest_name: str,
    manifest: Iterable[ManifestEntry],
    algorithms: Iterable[str] = MANIFEST_ALGORITHMS,
    digest: DigestFn | None = None,
) -> list[Finding]:
    """Compare the manifest with the archive: missing, unlisted files and digest mismatches.

    A DigestValue matches when it equals the digest under any of ``algorithms``.
    """
    algorithms = tuple(algorithms)
    digest = digest or _crypto_digest
    by_path = {_normalise(name): name for name in files}
    listed = {manifest_name, f"{manifest_name}.sig"}
    findings = []
    for entry in manifest:
        name = by_path.get(_normalise(entry.url))
        if name is None:
            findings.append(
                Finding("manifest_missing_file", f"{entry.url!r} is not in the archive", entry.url)
            )
            continue
        listed.add(name)
        if entry.digest_value is not None and not _digest_matches(
            entry.digest_value, files[name], algorithms, digest
        ):
            findings.append(
                Finding(
                    "manifest_digest_mismatch",
                    f"DigestValue of {name!r} does not match its content",
                    name,
                )
            )
    findings.extend(
        Finding("manifest_unlisted_file", f"{name!r} is not listed in the manifest", name)
        for name in files
        if name not in listed
    )
    return findings


def inspect_app_document(
    doc: AppDocument,
    limits: AttachmentLimits = AttachmentLimits(),
    algorithms: Iterable[str] = MANIFEST_ALGORITHMS,
    digest: DigestFn | None = None,
) -> AttachmentReport:
    """Decode a BinaryData ZIP, read its manifest and check it against the files."""
    files = read_zip(decode_binary_data(doc, limits.max_binary_size), limits)
    manifest_name = find_manifest(files, doc.request_code)
    if manifest_name is None:
        finding = Finding("manifest_missing", f"no manifest {doc.request_code}.xml in the archive")
        return AttachmentReport(files, None, None, [finding])
    try:
        manifest = parse_manifest(files[manifest_name])
    except EnvelopeError as exc:
        return AttachmentReport(
            files, manifest_name, None, [Finding(exc.code, exc.message, manifest_name)]
        )
    findings = check_manifest(files, manifest_name, manifest, algorithms, digest)
    return AttachmentReport(files, manifest_name, manifest, findings)


def check_reference(
    doc: AppDocument, parts: Mapping[str, bytes], digest: DigestFn | None = None
) -> bytes:
    """The bytes of the part named by ``Reference``, checked against DigestValue (Streebog-256).

    ``parts`` maps Content-ID (with or without ``<>`` / ``cid:``) to the part's bytes.
    """
    if not (doc.reference_href and doc.digest_value):
        raise ValueError("AppDocument has no Reference + DigestValue")
    wanted = _content_id(doc.reference_href)
    part = next((data for cid, data in parts.items() if _content_id(cid) == wanted), None)
    if part is None:
        raise AttachmentError("reference_missing_part", f"no MIME part {wanted!r}")
    expected = _b64(doc.digest_value, "Reference DigestValue")
    if (digest or _crypto_digest)(REFERENCE_ALGORITHM, part) != expected:
        raise AttachmentError("reference_digest_mismatch", f"digest of part {wanted!r} differs")
    return part


def _check_declared(
    infos: list[zipfile.ZipInfo], archive_size: int, limits: AttachmentLimits
) -> None:
    if len(infos) > limits.max_entries:
        raise AttachmentError(
            "zip_too_many_entries", f"{len(infos)} entries, at most {limits.max_entries}"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise AttachmentError("zip_unsupported", f"{info.filename!r} is encrypted")
        if info.file_size > limits.ratio_floor and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise AttachmentError(
                "zip_bomb",
                f"{info.filename!r} inflates {info.compress_size} to {info.file_size} bytes",
            )
        total += info.file_size
    if total > limits.ratio_floor and total > limits.max_ratio * max(archive_size, 1):
        raise AttachmentError("zip_bomb", f"archive of {archive_size} bytes inflates to {total}")
    if total > limits.max_total_size:
        raise AttachmentError(
            "zip_too_large", f"{total} bytes uncompressed, at most {limits.max_total_size}"
        )


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    allowed = min(info.file_size, budget)
    chunks = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > allowed:
                    raise AttachmentError(
                        "zip_bomb",
                        f"{info.filename!r} inflates beyond its declared {info.file_size} bytes",
                    )
                chunks.append(chunk)
    except NotImplementedError as exc:
        raise AttachmentError("zip_unsupported", f"{info.filename!r}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise AttachmentError("zip_corrupt", f"{info.filename!r}: {exc}") from None
    return b"".join(chunks)


def _manifest_text(parent: etree._Element, name: str) -> str | None:
    child = parent.find(f"{{{ns.SMEV_REQUEST}}}{name}")
    return None if child is None else (child.text or "").strip() or None


def _normalise(path: str) -> str:
    path = unquote(path).replace("\\", "/")
    while path.startswith(("./", "/")):
        path = path[1:] if path.startswith("/") else path[2:]
    return path


def _digest_matches(value: str, data: bytes, algorithms: tuple[str, ...], digest: DigestFn) -> bool:
    try:
        expected = _b64(value, "manifest DigestValue")
    except AttachmentError:
        return False
    return any(digest(name, data) == expected for name in algorithms)


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except binascii.Error:
        raise AttachmentError("bad_base64", f"{what} is not base64") from None


def _content_id(value: str) -> str:
    value = value.strip()
    if value[:4].lower() == "cid:":
        value = unquote(value[4:])
    return value.strip("<>")


def _crypto_digest(name: str, data: bytes) -> bytes:
    from smev_soap.crypto.digest import digest  # loads the GOST backend on first use

    return digest(name, data)
