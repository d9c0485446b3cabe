"""Files the gateway ships beside the package: our schemas (``xsd/``) and WSDLs (``wsdl/``)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
XSD_DIR = ROOT / "xsd"
WSDL_DIR = ROOT / "wsdl"


def read_schema(name: str) -> etree._Element:
    """A fresh tree of one of our schemas (the caller may modify it)."""
    return etree.parse(str(XSD_DIR / name), etree.XMLParser(remove_blank_text=True)).getroot()
