"""Namespaces and prefixes of the SMEV-2 message model (wire URIs from ``smev_soap.xml.ns``)."""

from smev_soap.xml.ns import SMEV, SMEV_OLD, SMEV_REQUEST, SOAP, WSSE, WSU, WSU_ID, XML, XOP

__all__ = [
    "PREFIXES",
    "SMEV",
    "SMEV_NAMESPACES",
    "SMEV_OLD",
    "SMEV_REQUEST",
    "SOAP",
    "TNS_PREFIX",
    "TYPES",
    "WSSE",
    "WSU",
    "WSU_ID",
    "XML",
    "XML_LANG",
    "XOP",
]

#: The gateway's own AppData vocabulary (D4, xsd/smev-soap-types.xsd).
TYPES = "urn://smev-soap/types/1.0"

#: Revisions of ``smev:Message`` we read; we write only rev120315.
SMEV_NAMESPACES = (SMEV, SMEV_OLD)

#: Prefixes we write, declared once at the envelope root; the operation namespace gets ``tns``.
PREFIXES = {"soap": SOAP, "wsse": WSSE, "wsu": WSU, "smev": SMEV, "st": TYPES}
TNS_PREFIX = "tns"

XML_LANG = f"{{{XML}}}lang"
