"""Namespace URIs, actor URIs and Clark-notation tags used on the SMEV wire (SMEV.md §0, §7.1)."""

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
SMEV = "http://smev.gosuslugi.ru/rev120315"
SMEV_OLD = "http://smev.gosuslugi.ru/rev111111"
SMEV_REQUEST = "http://smev.gosuslugi.ru/request/rev111111"
XOP = "http://www.w3.org/2004/08/xop/include"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"

SMEV3_WSDL = "urn://x-artefacts-smev-gov-ru/services/message-exchange/1.1"
SMEV3_TYPES = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/1.1"
SMEV3_BASIC = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/basic/1.1"
SMEV3_FAULTS = "urn://x-artefacts-smev-gov-ru/services/message-exchange/types/faults/1.1"

ACTOR_SMEV = "http://smev.gosuslugi.ru/actors/smev"
ACTOR_RECIPIENT = "http://smev.gosuslugi.ru/actors/recipient"

WSS_BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
WSS_X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"


def tag(namespace: str, local: str) -> str:
    """Clark notation `{namespace}local`."""
    return f"{{{namespace}}}{local}"


SOAP_ENVELOPE = tag(SOAP, "Envelope")
SOAP_HEADER = tag(SOAP, "Header")
SOAP_BODY = tag(SOAP, "Body")
SOAP_ACTOR = tag(SOAP, "actor")
WSSE_SECURITY = tag(WSSE, "Security")
WSSE_TOKEN = tag(WSSE, "BinarySecurityToken")
WSSE_STR = tag(WSSE, "SecurityTokenReference")
WSSE_REFERENCE = tag(WSSE, "Reference")
WSU_ID = tag(WSU, "Id")
SMEV_HEADER = tag(SMEV, "Header")
SMEV_OLD_HEADER = tag(SMEV_OLD, "Header")
