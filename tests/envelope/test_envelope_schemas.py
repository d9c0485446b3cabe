"""Our xsd/smev-rev120315.xsd against the published rev120315 schema (D3 equivalence)."""

import copy

import pytest
from lxml import etree

from smev_soap.envelope import ns
from smev_soap.envelope.schemas import SMEV_XSD, schema, schema_errors, structure_errors

S = f"{{{ns.SMEV}}}"


@pytest.fixture
def message(sample) -> etree._Element:
    return sample.getroot().find(f".//{S}Message")


@pytest.fixture
def message_data(sample) -> etree._Element:
    return sample.getroot().find(f".//{S}MessageData")


def both(element, published) -> tuple[bool, bool]:
    return schema(SMEV_XSD).validate(element), published.validate(element)


def test_sample_validates(sample, message, message_data, published):
    assert both(message, published) == (True, True)
    assert both(message_data, published) == (True, True)
    assert structure_errors(message.getparent()) == []


def _set(message, path, value):
    message.find(path, {"smev": ns.SMEV}).text = value


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda m: _set(m, "smev:Sender/smev:Code", "MCXR0200"), id="code-8-chars"),
        pytest.param(lambda m: _set(m, "smev:Sender/smev:Code", "MCXR020011"), id="code-10-chars"),
        pytest.param(lambda m: _set(m, "smev:Recipient/smev:Code", "mcxr02001"), id="code-lower"),
        pytest.param(lambda m: _set(m, "smev:Originator/smev:Code", "MCXRA2001"), id="code-letter"),
        pytest.param(lambda m: _set(m, "smev:Service/smev:Version", "2.0"), id="version-1-dec"),
        pytest.param(lambda m: _set(m, "smev:Service/smev:Version", "100.00"), id="version-3-int"),
        pytest.param(lambda m: _set(m, "smev:Service/smev:Version", "v2.00"), id="version-prefix"),
        pytest.param(lambda m: _set(m, "smev:Status", "DONE"), id="unknown-status"),
        pytest.param(lambda m: _set(m, "smev:TypeCode", "GSVC"), id="unknown-typecode"),
        pytest.param(lambda m: _set(m, "smev:Date", "19.02.2015"), id="bad-date"),
        pytest.param(lambda m: m.insert(4, m[5]), id="status-before-typecode"),
        pytest.param(lambda m: m.append(m[0]), id="sender-last"),
        pytest.param(lambda m: m.remove(m.find(f"{S}ExchangeType")), id="no-exchangetype"),
        pytest.param(lambda m: m.remove(m.find(f"{S}Recipient")), id="no-recipient"),
        pytest.param(
            lambda m: m.insert(
                3, etree.fromstring(f'<s:ServiceName xmlns:s="{ns.SMEV}">x</s:ServiceName>')
            ),
            id="servicename-and-service",
        ),
        pytest.param(
            lambda m: m.append(etree.fromstring(f'<s:Extra xmlns:s="{ns.SMEV}"/>')),
            id="unknown-element",
        ),
    ],
)
def test_negatives_rejected_by_both(message, published, mutate):
    mutate(message)
    assert both(message, published) == (False, False)
    assert schema_errors(message)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda m: m.remove(m.find(f"{S}Service")), id="no-service"),
        pytest.param(
            lambda m: m.replace(
                m.find(f"{S}Service"),
                etree.fromstring(f'<s:ServiceName xmlns:s="{ns.SMEV}">svc</s:ServiceName>'),
            ),
            id="servicename",
        ),
        pytest.param(
            lambda m: _set(m, "smev:Sender/smev:Code", "  MCXR02001 "), id="code-collapse"
        ),
        pytest.param(lambda m: _set(m, "smev:Status", "PACKET"), id="status-packet"),
        pytest.param(lambda m: _set(m, "smev:TypeCode", "OTHR"), id="typecode-othr"),
        pytest.param(lambda m: _set(m, "smev:Service/smev:Version", "12.34"), id="version-2-int"),
        pytest.param(lambda m: m.remove(m.find(f"{S}TestMsg")), id="no-testmsg"),
    ],
)
def test_positives_accepted_by_both(message, published, mutate):
    mutate(message)
    assert both(message, published) == (True, True)


def test_message_data_variants(message_data, published):
    doc = message_data.find(f"{S}AppDocument")
    binary = doc.find(f"{S}BinaryData")
    binary.text = "@@not base64@@"
    assert both(message_data, published) == (False, False)
    doc.remove(binary)
    assert both(message_data, published) == (False, False)  # neither BinaryData nor Reference
    reference = etree.SubElement(doc, f"{S}Reference")
    etree.SubElement(reference, f"{{{ns.XOP}}}Include", href="cid:a")
    etree.SubElement(doc, f"{S}DigestValue").text = "AAEC"
    assert both(message_data, published) == (True, True)
    del reference[0].attrib["href"]
    assert both(message_data, published) == (False, False)
    app_data = etree.Element(f"{S}AppData", {"{urn:any}Id": "x"})
    etree.SubElement(app_data, "{urn:kind}Q")
    message_data.insert(0, app_data)
    reference[0].set("href", "cid:a")
    assert both(message_data, published) == (True, True)
    message_data.append(copy.deepcopy(app_data))
    assert both(message_data, published) == (False, False)  # AppData after AppDocument


HEADER = (
    f'<smev:Header xmlns:smev="{ns.SMEV}" xmlns:wsu="{ns.WSU}" wsu:Id="ID-1" actor="x">'
    "<smev:NodeId>1</smev:NodeId><smev:MessageId>m</smev:MessageId>"
    "<smev:TimeStamp>2024-01-01T00:00:00Z</smev:TimeStamp>"
    "<smev:MessageClass>RESPONSE</smev:MessageClass></smev:Header>"
)


def test_header_lenient_attributes(published):
    header = etree.fromstring(HEADER)
    assert both(header, published) == (True, True)
    header.set("{urn:other}anything", "y")
    assert both(header, published) == (True, True)
    header.find(f"{S}MessageClass").text = "PUSH"
    assert both(header, published) == (False, False)
    header.remove(header.find(f"{S}MessageClass"))
    assert both(header, published) == (False, False)


def test_structure_errors_on_operation(sample):
    operation = sample.getroot().find(".//{http://tempuri.org/}InputMsgSendRequest")
    operation.append(operation[0])  # MessageData, Message
    assert structure_errors(operation)
    old = etree.fromstring(f'<op xmlns:s="{ns.SMEV_OLD}"><s:Message/><s:MessageData/></op>')
    assert structure_errors(old) == []  # rev111111 is read leniently, not checked
