"""Contract checks of a message's data (R7): AppData against the kind's XSD, and attachments.

AppData holds exactly one element unless the kind is registered multi-root (D2); every element
is validated. Attachment problems the kind tolerates come back as warnings (D13).
"""

from __future__ import annotations

from lxml import etree

from smev_soap.envelope import attachments
from smev_soap.envelope.appdata import build_warning
from smev_soap.envelope.errors import AttachmentError
from smev_soap.envelope.model import AppDocument
from smev_soap.errors import CODES, SmevRefusal
from smev_soap.registry.models import KindOfInformation
from smev_soap.registry.schemas import compiled_schema

_ATTACHMENT_REFUSALS = {
    "attachment_too_large": "RSMEV-402",
    "zip_too_large": "RSMEV-402",
    "zip_bomb": "RSMEV-403",
    "zip_too_many_entries": "RSMEV-404",
    "zip_corrupt": "RSMEV-405",
    "zip_unsupported": "RSMEV-405",
    "reference_missing_part": "RSMEV-407",
    "reference_digest_mismatch": "RSMEV-408",
    "bad_base64": "RSMEV-409",
}


def payload(app_data: etree._Element | None) -> list[etree._Element]:
    """The business elements of AppData; text beside them is a format error."""
    if app_data is None:
        return []
    if (app_data.text or "").strip() or any((child.tail or "").strip() for child in app_data):
        raise SmevRefusal("RSMEV-401", "AppData holds text outside its elements")
    return [child for child in app_data if isinstance(child.tag, str)]


def validate_app_data(kind: KindOfInformation, elements: list[etree._Element]) -> None:
    """Each element must be valid against the kind's registered schema."""
    if len(elements) > 1 and not kind.multi_root:
        raise SmevRefusal("RSMEV-401", f"{len(elements)} elements in AppData")
    schema = compiled_schema(kind)
    for element in elements:
        if not schema.validate(element):
            error = schema.error_log.last_error
            raise SmevRefusal("RSMEV-400", f"line {error.line}: {error.message}")


def check_attachments(
    kind: KindOfInformation | None,
    document: AppDocument | None,
    parts: dict[str, bytes],
    limits: attachments.AttachmentLimits,
) -> list[etree._Element]:
    """Check AppDocument; return Warning elements for what a lenient kind tolerates."""
    if document is None:
        return []
    try:
        if document.reference_href:
            attachments.check_reference(document, parts)
            return []
        if document.binary_data is None:
            return []
        report = attachments.inspect_app_document(document, limits)
    except AttachmentError as error:
        raise SmevRefusal(_ATTACHMENT_REFUSALS.get(error.code, "RSMEV-405"), str(error)) from None
    if not report.findings:
        return []
    strict = kind is None or kind.strict_attachments
    if strict:
        finding = report.findings[0]
        raise SmevRefusal("RSMEV-406", f"{finding.code}: {finding.detail}")
    error = CODES["RSMEV-406"]
    return [build_warning(error.code, error.ru, error.en, f"{f.code}: {f.detail}")
            for f in report.findings]
