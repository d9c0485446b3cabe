"""Namespace URIs and prefixes used by the SMEV-2 message model.

Kept here until ``smev_soap.xml.ns`` exists; then this module should re-export from it.
"""

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
SMEV = "http://smev.gosuslugi.ru/rev120315"
SMEV_OLD = "http://smev.gosuslugi.ru/rev111111"
SMEV_REQUEST = "http://smev.gosuslugi.ru/request/rev111111"
XOP = "http://www.w3.org/2004/08/xop/include"
XML = "http://www.w3.org/XML/1998/namespace"
TYPES = "urn://smev-soap/types/1.0"

#: Revisions of ``smev:Message`` we read; we write only rev120315.
SMEV_NAMESPACES = (SMEV, SMEV_OLD)

#: Prefixes we write. The operation namespace always gets ``tns``.
PREFIXES = {"soap": SOAP, "wsse": WSSE, "wsu": WSU, "smev": SMEV, "st": TYPES}
TNS_PREFIX = "tns"

WSU_ID = f"{{{WSU}}}Id"
XML_LANG = f"{{{XML}}}lang"
