"""Transport guard: method, content type and size of a SOAP request, before any XML is parsed.

A plain request is ``text/xml``; a request with ``Reference`` attachments is ``multipart/related``
(MTOM/XOP) whose root part is the envelope and whose other parts are addressed by Content-ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

from smev_soap.errors import SmevRefusal

XML_TYPES = ("text/xml", "application/xop+xml")


@dataclass
class TransportRequest:
    """The envelope's bytes and, for multipart requests, the other parts by Content-ID."""

    envelope: bytes
    parts: dict[str, bytes] = field(default_factory=dict)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def read_body(environ: dict, max_bytes: int) -> bytes:
    """The request body, refused (RSMEV-102) past ``max_bytes`` without reading it all."""
    length_header = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length_header.strip():
        try:
            length = int(length_header)
        except ValueError:
            raise SmevRefusal("RSMEV-100", "bad Content-Length") from None
        if length > max_bytes:
            raise SmevRefusal("RSMEV-102", f"{length} bytes, the limit is {max_bytes}")
        body = stream.read(length) if length > 0 else b""
    else:
        body = stream.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise SmevRefusal("RSMEV-102", f"more than {max_bytes} bytes")
    if not body:
        raise SmevRefusal("RSMEV-100", "empty request body")
    return body


def _content_id(value: str | None) -> str:
    return (value or "").strip().strip("<>")


def split_multipart(content_type: str, body: bytes) -> TransportRequest:
    """Split a ``multipart/related`` body into the root envelope and the other parts."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise SmevRefusal("RSMEV-101", "multipart/related without parts")
    start = _content_id(message.get_param("start", header="content-type"))
    parts = list(message.iter_parts())
    root = next((p for p in parts if start and _content_id(p["Content-ID"]) == start), parts[0])
    if _media_type(root.get_content_type()) not in XML_TYPES:
        raise SmevRefusal("RSMEV-101", f"root part is {root.get_content_type()}")
    others = {_content_id(p["Content-ID"]): p.get_payload(decode=True) or b""
              for p in parts if p is not root}
    return TransportRequest(root.get_payload(decode=True) or b"", others)


def read_request(environ: dict, max_bytes: int) -> TransportRequest:
    """Check the content type and size; return the envelope bytes (and MIME parts)."""
    content_type = environ.get("CONTENT_TYPE", "")
    media_type = _media_type(content_type)
    if media_type not in ("text/xml", "multipart/related"):
        raise SmevRefusal(
            "RSMEV-101", f"{media_type or 'no content type'}; SOAP 1.1 wants text/xml"
        )
    body = read_body(environ, max_bytes)
    if media_type == "multipart/related":
        return split_multipart(content_type, body)
    return TransportRequest(body)
