"""SMEV-2 message model: parse and build Message / MessageData / AppDocument / Header."""

from .errors import AttachmentError, EnvelopeError, Finding
from .model import (
    AppDocument,
    Header,
    Message,
    MessageClass,
    Org,
    PacketId,
    ServiceRef,
    Status,
    SubMessage,
    TypeCode,
)
from .parse import ParsedMessage, find_header, parse_body, parse_header, parse_message

__all__ = [
    "AppDocument",
    "AttachmentError",
    "EnvelopeError",
    "Finding",
    "Header",
    "Message",
    "MessageClass",
    "Org",
    "PacketId",
    "ParsedMessage",
    "ServiceRef",
    "Status",
    "SubMessage",
    "TypeCode",
    "find_header",
    "parse_body",
    "parse_header",
    "parse_message",
]
