"""Unsigned SOAP 1.1 Faults: only for what cannot be answered as a signed SMEV message (D11)."""

from __future__ import annotations

from lxml import etree

from smev_soap.errors import CODES
from smev_soap.xml.ns import SOAP, XML

TYPES_NS = "urn://smev-soap/types/1.0"


def fault_envelope(code: str, detail: str = "") -> bytes:
    """A SOAP Fault whose faultcode is ``soap:Client.<code>`` or ``soap:Server.<code>``."""
    error = CODES[code]
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{error.fault_side}.{code}"
    etree.SubElement(fault, "faultstring").text = f"{code}: {error.en}" + (
        f": {detail}" if detail else ""
    )
    details = etree.SubElement(fault, "detail")
    element = etree.SubElement(details, f"{{{TYPES_NS}}}Error", nsmap={"t": TYPES_NS})
    etree.SubElement(element, f"{{{TYPES_NS}}}Code").text = code
    for lang, text in (("ru", error.ru), ("en", error.en)):
        etree.SubElement(element, f"{{{TYPES_NS}}}Text", {f"{{{XML}}}lang": lang}).text = text
    if detail:
        etree.SubElement(element, f"{{{TYPES_NS}}}Detail").text = detail
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
