"""Lenient read of smev:Message / MessageData / Header (SMEV.md Part IV)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from envelope_support import PUBLISHED_OLD_XSD, load_schema
from lxml import etree

from smev_soap.envelope import (
    AppDocument,
    EnvelopeError,
    MessageClass,
    Org,
    ServiceRef,
    Status,
    TypeCode,
    find_header,
    ns,
    parse_body,
    parse_header,
)
from smev_soap.envelope.dates import parse_datetime

MSK = timezone(timedelta(hours=3))
SOAP_BODY = f"{{{ns.SOAP}}}Body"


def body_of(tree: etree._ElementTree) -> etree._Element:
    return tree.getroot().find(SOAP_BODY)


def operation(
    message_xml: str, smev: str = ns.SMEV, data: str = "<smev:MessageData/>"
) -> etree._Element:
    return etree.fromstring(
        f'<op:Op xmlns:op="urn:example" xmlns:smev="{smev}" xmlns:xop="{ns.XOP}">'
        f"<smev:Message>{message_xml}</smev:Message>{data}</op:Op>"
    )


ORGS = (
    "<smev:Sender><smev:Code>ABCD00001</smev:Code><smev:Name>A</smev:Name></smev:Sender>"
    "<smev:Recipient><smev:Code>RSMV00001</smev:Code><smev:Name>B</smev:Name></smev:Recipient>"
)
TAIL = (
    "<smev:TypeCode>GSRV</smev:TypeCode><smev:Status>REQUEST</smev:Status>"
    "<smev:Date>2024-05-06T07:08:09Z</smev:Date><smev:ExchangeType>0</smev:ExchangeType>"
)


def test_sample_all_fields(sample):
    parsed = parse_body(body_of(sample))
    assert parsed.operation_qname == etree.QName("http://tempuri.org/", "InputMsgSendRequest")
    assert parsed.revision == ns.SMEV
    message = parsed.message
    mcx = Org("MCXR02001", "Информационная система Минсельхоза России")
    assert (message.sender, message.recipient, message.originator) == (mcx, mcx, mcx)
    assert message.service == ServiceRef("svedmereconzatrpodvod", "2.00")
    assert message.service_name is None
    assert message.type_code is TypeCode.GFNC
    assert message.status is Status.REQUEST
    # 2015-02-19T09:48:46.9153051+03:00: seven fractional digits, truncated to microseconds
    assert message.date == datetime(2015, 2, 19, 9, 48, 46, 915305, tzinfo=MSK)
    assert message.exchange_type == "2"
    assert message.case_number == "123"
    assert message.test_msg is True  # empty <smev:TestMsg/>
    assert message.request_id_ref is message.origin_request_id_ref is None
    assert message.service_code is message.oktmo is None
    assert message.sub_messages == []
    assert parsed.app_data is None
    doc = parsed.app_document
    assert doc.request_code == "req_c801ccf5-2593-4b84-9f34-1432f35fdf51"
    assert doc.binary_data.startswith("UEsDBBQAAAAI") and not any(
        c.isspace() for c in doc.binary_data
    )
    assert doc.reference_href is None


def test_operation_element_or_body_give_the_same(sample):
    body = body_of(sample)
    from_body = parse_body(body)
    from_operation = parse_body(body[0])
    assert from_body.message == from_operation.message
    assert from_body.operation is from_operation.operation


def test_app_data_is_the_untouched_element():
    op = operation(
        ORGS + TAIL,
        data='<smev:MessageData><smev:AppData wsu:Id="x" xmlns:wsu="urn:w">'
        '<k:Q xmlns:k="urn:kind">1</k:Q></smev:AppData></smev:MessageData>',
    )
    parsed = parse_body(op)
    assert parsed.app_data.getparent().getparent() is op
    assert parsed.app_data.get("{urn:w}Id") == "x"
    assert parsed.app_data[0].tag == "{urn:kind}Q"
    assert parsed.app_document is None


def test_rev111111_message_empty_optionals():
    op = operation(
        ORGS + TAIL + "<smev:ServiceCode/><smev:CaseNumber> </smev:CaseNumber><smev:TestMsg/>",
        smev=ns.SMEV_OLD,
    )
    parsed = parse_body(op)
    assert parsed.revision == ns.SMEV_OLD
    assert parsed.message.service_code is None
    assert parsed.message.case_number is None
    assert parsed.message.test_msg is True


def test_no_test_msg_means_production():
    assert parse_body(operation(ORGS + TAIL)).message.test_msg is False


def test_service_name_style_and_packet():
    sub = (
        "<smev:SubMessages><smev:SubMessage><smev:SubRequestNumber>1</smev:SubRequestNumber>"
        "<smev:Status>REQUEST</smev:Status><smev:Date>2024-01-01T00:00:00+05:00</smev:Date>"
        "<smev:CaseNumber>c1</smev:CaseNumber></smev:SubMessage></smev:SubMessages>"
    )
    xml = (
        ORGS + "<smev:ServiceName>svc</smev:ServiceName>" + TAIL.replace("REQUEST", "PACKET") + sub
    )
    message = parse_body(operation(xml)).message
    assert message.service_name == "svc" and message.service is None
    assert message.status is Status.PACKET
    [packet] = message.sub_messages
    assert packet.sub_request_number == "1" and packet.case_number == "c1"
    assert packet.date.utcoffset() == timedelta(hours=5)


def test_reference_app_document():
    data = (
        "<smev:MessageData><smev:AppDocument><smev:RequestCode>req_1</smev:RequestCode>"
        '<smev:Reference><xop:Include href="cid:part1@x"/></smev:Reference>'
        "<smev:DigestValue>AAEC\n</smev:DigestValue></smev:AppDocument></smev:MessageData>"
    )
    doc = parse_body(operation(ORGS + TAIL, data=data)).app_document
    assert doc == AppDocument("req_1", reference_href="cid:part1@x", digest_value="AAEC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-01-17T06:01:55Z", datetime(2017, 1, 17, 6, 1, 55, tzinfo=UTC)),
        ("2017-01-17T06:01:55.1+03:00", datetime(2017, 1, 17, 6, 1, 55, 100000, tzinfo=MSK)),
        ("2017-01-18T00:49:38.998+03:00", datetime(2017, 1, 18, 0, 49, 38, 998000, tzinfo=MSK)),
        ("2015-02-19T09:48:46.9153051+03:00", datetime(2015, 2, 19, 9, 48, 46, 915305, tzinfo=MSK)),
        ("2015-02-19T09:48:46.123456789Z", datetime(2015, 2, 19, 9, 48, 46, 123456, tzinfo=UTC)),
        (" 2020-02-29T23:59:59-05:00 ", datetime(2020, 3, 1, 4, 59, 59, tzinfo=UTC)),
        ("2020-02-29T23:59:59", datetime(2020, 2, 29, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_dates(text, expected):
    parsed = parse_datetime(text)
    assert parsed == expected and parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["", "2020-02-30T00:00:00Z", "yesterday", "2020-01-01 00:00:00Z"])
def test_bad_dates(text):
    with pytest.raises(EnvelopeError) as error:
        parse_datetime(text)
    assert error.value.code == "bad_date"


@pytest.mark.parametrize(
    ("message_xml", "code", "field"),
    [
        (ORGS.replace("ABCD00001", "ABC0001") + TAIL, "bad_sender_code", "Sender"),
        (ORGS.replace("ABCD00001", "") + TAIL, "bad_sender_code", "Sender"),
        (
            ORGS.replace("<smev:Sender>", "<smev:X>").replace("</smev:Sender>", "</smev:X>") + TAIL,
            "missing_field",
            "Sender",
        ),
        (ORGS.split("<smev:Recipient>")[0] + TAIL, "missing_field", "Recipient"),
        (ORGS + TAIL.replace("REQUEST", "DONE"), "bad_status", "Status"),
        (ORGS + TAIL.replace("GSRV", "XXXX"), "bad_type_code", "TypeCode"),
        (ORGS + TAIL.replace("<smev:Status>REQUEST</smev:Status>", ""), "missing_field", "Status"),
        (ORGS + TAIL.replace("2024-05-06T07:08:09Z", "06.05.2024"), "bad_date", "Date"),
        (
            ORGS + TAIL.replace("<smev:ExchangeType>0</smev:ExchangeType>", ""),
            "missing_field",
            "ExchangeType",
        ),
    ],
)
def test_refusals(message_xml, code, field):
    with pytest.raises(EnvelopeError) as error:
        parse_body(operation(message_xml))
    assert (error.value.code, error.value.field) == (code, field)


def test_recipient_code_read_leniently():
    xml = ORGS.replace("RSMV00001", "provider") + TAIL
    assert parse_body(operation(xml)).message.recipient.code == "provider"


def test_no_message_no_operation_duplicates():
    with pytest.raises(EnvelopeError) as error:
        parse_body(etree.fromstring('<op xmlns="urn:x"><Message/></op>'))
    assert error.value.code == "no_message"
    body = etree.fromstring(f'<s:Body xmlns:s="{ns.SOAP}"><!-- nothing --></s:Body>')
    with pytest.raises(EnvelopeError) as error:
        parse_body(body)
    assert error.value.code == "no_operation"
    op = operation(ORGS + TAIL)
    op.insert(0, etree.fromstring(f'<smev:Message xmlns:smev="{ns.SMEV_OLD}"/>'))
    with pytest.raises(EnvelopeError) as error:
        parse_body(op)
    assert error.value.code == "duplicate_element"


REV111111_DELIVERED = f"""<S:Envelope xmlns:S="{ns.SOAP}" xmlns:wsu="{ns.WSU}"><S:Header>\
<smev:Header xmlns:smev="{ns.SMEV_OLD}" wsu:Id="ID-55cd76d5-4f15-4dbb-9f16-a4531b5a69d5">\
<smev:NodeId>99</smev:NodeId><smev:MessageId>710aab39-40f9-4039-be05-dbe87d0acc09</smev:MessageId>\
<smev:TimeStamp>2017-01-18T00:49:38.998+03:00</smev:TimeStamp>\
<smev:MessageClass>RESPONSE</smev:MessageClass></smev:Header></S:Header><S:Body/></S:Envelope>"""


def test_rev111111_header_with_wsu_id():
    soap_header = etree.fromstring(REV111111_DELIVERED)[0]
    element = find_header(soap_header)
    # the published rev111111 schema forbids wsu:Id; we read it anyway (SMEV.md §3)
    assert not load_schema(PUBLISHED_OLD_XSD).validate(element)
    header = parse_header(element)
    assert header.node_id == "99"
    assert header.message_id == "710aab39-40f9-4039-be05-dbe87d0acc09"
    assert header.timestamp == datetime(2017, 1, 18, 0, 49, 38, 998000, tzinfo=MSK)
    assert header.message_class is MessageClass.RESPONSE
    assert header.wsu_id == "ID-55cd76d5-4f15-4dbb-9f16-a4531b5a69d5"
    assert header.packet_ids == []


def test_header_packet_ids_and_refusals():
    xml = (
        f'<smev:Header xmlns:smev="{ns.SMEV}"><smev:NodeId>1</smev:NodeId>'
        "<smev:MessageId>m</smev:MessageId><smev:TimeStamp>2024-01-01T00:00:00Z</smev:TimeStamp>"
        "<smev:MessageClass>REQUEST</smev:MessageClass><smev:PacketIds><smev:Id>"
        "<smev:MessageId>m1</smev:MessageId><smev:SubRequestNumber>1</smev:SubRequestNumber>"
        "</smev:Id></smev:PacketIds></smev:Header>"
    )
    header = parse_header(etree.fromstring(xml))
    assert [(p.message_id, p.sub_request_number) for p in header.packet_ids] == [("m1", "1")]
    assert header.wsu_id is None
    with pytest.raises(EnvelopeError) as error:
        parse_header(etree.fromstring(xml.replace(">REQUEST<", ">OTHER<")))
    assert error.value.code == "bad_message_class"
    assert find_header(etree.fromstring(f'<s:Header xmlns:s="{ns.SOAP}"/>')) is None
