"""Strict write: everything built validates against our XSD and the published one."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from smev_soap.envelope import (
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
    ns,
    parse_body,
    parse_header,
)
from smev_soap.envelope.appdata import build_error
from smev_soap.envelope.build import (
    build_envelope,
    build_header,
    build_message_envelope,
    build_operation,
    new_header,
)
from smev_soap.envelope.schemas import schema_errors, structure_errors

TNS = "urn://smev-soap/single-service/1.0"
DATE = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone(timedelta(hours=3)))


def full_message(**changes) -> Message:
    values = {
        "sender": Org("ABCD00001", "Потребитель"),
        "recipient": Org("RSMV00001", "РСМЭВ"),
        "originator": Org("MFCR00001", "МФЦ"),
        "service": ServiceRef("svc", "1.00"),
        "type_code": TypeCode.GSRV,
        "status": Status.PACKET,
        "date": DATE,
        "exchange_type": "2",
        "request_id_ref": "r1",
        "origin_request_id_ref": "o1",
        "service_code": "5800000010000053602",
        "case_number": "123",
        "sub_messages": [
            SubMessage(
                sub_request_number="1",
                status=Status.REQUEST,
                date=DATE,
                originator=Org("MFCR00001", "МФЦ"),
                case_number="c1",
            ),
            SubMessage(sub_request_number="2", status=Status.REQUEST, date=DATE),
        ],
        "test_msg": True,
        "oktmo": "07701000",
    }
    values.update(changes)
    return Message(**values)


def assert_valid_both(element, published):
    assert schema_errors(element) == []
    assert published.validate(element), published.error_log


def assert_compact(root):
    for el in root.iter():
        assert el.text is None or el.text.strip() or el.text == "", repr(el.text)
        assert el.tail is None, f"tail after {el.tag}"


def test_full_message_in_envelope(published):
    soap = build_envelope(TNS)
    app_data = [etree.fromstring('<k:Q xmlns:k="urn:kind"><k:A>1</k:A></k:Q>')]
    doc = AppDocument.from_bytes("req_1", b"PK\x03\x04data")
    op = build_operation(f"{{{TNS}}}SendRequest", full_message(), app_data, doc, parent=soap.body)
    assert soap.body.get(ns.WSU_ID) == "body"
    assert structure_errors(op) == []
    for child in op:
        assert_valid_both(child, published)
    assert_compact(soap.envelope)
    # every prefix declared once, at the root
    assert all(
        el.nsmap == soap.envelope.nsmap
        for el in soap.envelope.iter()
        if el.tag.startswith(("{" + ns.SOAP, "{" + ns.SMEV, "{" + TNS))
    )
    xml = etree.tostring(soap.envelope).decode()
    assert xml.count(f'xmlns:smev="{ns.SMEV}"') == 1 and xml.count(f'xmlns:tns="{TNS}"') == 1
    assert "<tns:SendRequest><smev:Message><smev:Sender>" in xml
    # the date carries an explicit offset
    assert "<smev:Date>2024-05-06T07:08:09.123+03:00</smev:Date>" in xml

    parsed = parse_body(etree.fromstring(xml).find(f"{{{ns.SOAP}}}Body"))
    assert parsed.message == full_message()
    assert parsed.app_document == doc
    assert parsed.app_data[0].tag == "{urn:kind}Q"


def test_minimal_message_control_call(published):
    message = full_message(
        originator=None,
        service=None,
        request_id_ref=None,
        origin_request_id_ref=None,
        service_code=None,
        case_number=None,
        sub_messages=[],
        test_msg=False,
        oktmo=None,
        status=Status.PING,
        type_code=TypeCode.OTHR,
        exchange_type="0",
        date=datetime(2024, 1, 1, tzinfo=UTC),
    )
    op = build_operation(f"{{{TNS}}}GetRequest", message)
    assert op.nsmap == {"tns": TNS, "smev": ns.SMEV}
    assert [etree.QName(c).localname for c in op[0]] == [
        "Sender",
        "Recipient",
        "TypeCode",
        "Status",
        "Date",
        "ExchangeType",
    ]
    assert op[0].findtext(f"{{{ns.SMEV}}}Date") == "2024-01-01T00:00:00.000+00:00"
    assert len(op[1]) == 0  # MessageData without AppData
    for child in op:
        assert_valid_both(child, published)
    assert parse_body(op).message == message


def test_service_name_style(published):
    op = build_operation(f"{{{TNS}}}Op", full_message(), service_name_style=True)
    assert op[0].findtext(f"{{{ns.SMEV}}}ServiceName") == "svc"
    assert op[0].find(f"{{{ns.SMEV}}}Service") is None
    assert_valid_both(op[0], published)


def test_reference_app_document(published):
    doc = AppDocument("req_2", reference_href="cid:part-1", digest_value="AAECAw==")
    op = build_operation(f"{{{TNS}}}Op", full_message(), [], doc)
    assert_valid_both(op[1], published)
    assert parse_body(op).app_document == doc
    assert op[1][0].tag == f"{{{ns.SMEV}}}AppData" and len(op[1][0]) == 0


def test_types_app_data_inside_envelope_declares_nothing_new(published):
    soap = build_envelope(TNS)
    error = build_error("RSMEV-101", "Ошибка", "Error")
    build_operation(
        f"{{{TNS}}}SendRequestResponse",
        full_message(status=Status.INVALID),
        [error],
        parent=soap.body,
    )
    xml = etree.tostring(soap.envelope).decode()
    assert xml.count("xmlns:") == len(soap.envelope.nsmap)
    assert "<st:Error><st:Code>RSMEV-101</st:Code>" in xml


def _element_by_element(tag: str, message: Message, app_data) -> bytes:
    """The envelope built without build_message_envelope's cached template."""
    soap = build_envelope(etree.QName(tag).namespace)
    op = etree.SubElement(soap.body, tag, nsmap={"tns": etree.QName(tag).namespace, "smev": ns.SMEV})
    message_el = etree.SubElement(op, f"{{{ns.SMEV}}}Message")

    def add(parent, name, text=None):
        el = etree.SubElement(parent, f"{{{ns.SMEV}}}{name}")
        el.text = text
        return el

    for name, org in (("Sender", message.sender), ("Recipient", message.recipient),
                      ("Originator", message.originator)):
        if org is not None:
            org_el = add(message_el, name)
            add(org_el, "Code", org.code)
            add(org_el, "Name", org.name)
    add(message_el, "TypeCode", message.type_code.value)
    add(message_el, "Status", message.status.value)
    add(message_el, "Date", message.date.isoformat(timespec="milliseconds"))
    add(message_el, "ExchangeType", message.exchange_type)
    for name in ("request_id_ref", "origin_request_id_ref", "case_number"):
        if getattr(message, name):
            add(message_el, "".join(p.title() for p in name.split("_")),
                getattr(message, name))
    if message.test_msg:
        add(message_el, "TestMsg")
    data = add(op, "MessageData")
    if app_data is not None:
        add(data, "AppData").extend(app_data)
    return etree.tostring(soap.envelope)


@pytest.mark.parametrize("test_msg", [False, True])
@pytest.mark.parametrize("with_app_data", [False, True])
@pytest.mark.parametrize("refs", [{}, {"request_id_ref": "r1", "case_number": "c 1"}])
def test_message_envelope_is_the_one_built_element_by_element(test_msg, with_app_data, refs):
    tag = f"{{{TNS}}}SendRequestResponse"
    for code, name in (("RSMV00001", "РСМЭВ"), ("ABCD00002", "")):  # the template is reused
        message = Message(sender=Org(code, name), recipient=Org("MFCR00001", "МФЦ"),
                          type_code=TypeCode.GSRV, status=Status.ACCEPT, date=DATE,
                          exchange_type="2", test_msg=test_msg, **refs)

        def app_data():
            return [build_error("RSMEV-101", "Ошибка", "Error")] if with_app_data else None

        soap = build_message_envelope(tag, message, app_data())
        assert etree.tostring(soap.envelope) == _element_by_element(tag, message, app_data())
        assert soap.body.getparent() is soap.envelope and soap.header.getnext() is soap.body
        assert parse_body(soap.body).message == message


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"sender": Org("ABC", "x")}, "Sender/Code"),
        ({"recipient": Org("abcd00001", "x")}, "Recipient/Code"),
        ({"service": ServiceRef("svc", "1.0")}, "Version"),
        ({"date": datetime(2024, 1, 1)}, "timezone-aware"),
    ],
)
def test_strict_write_refuses(changes, text):
    with pytest.raises(ValueError, match=text):
        build_operation("{urn:x}Op", full_message(**changes))


def test_header(published):
    header = new_header("RSMV", "6f1c2d3e-0000-11ef-8000-000000000001", MessageClass.REQUEST)
    assert re.fullmatch(r"ID-[0-9a-f-]{36}", header.wsu_id)
    assert header.timestamp.tzinfo is not None
    el = build_header(header)
    assert el.get(ns.WSU_ID) == header.wsu_id
    assert_valid_both(el, published)
    assert parse_header(el) == Header(
        node_id="RSMV",
        message_id=header.message_id,
        timestamp=header.timestamp.replace(microsecond=header.timestamp.microsecond // 1000 * 1000),
        message_class=MessageClass.REQUEST,
        wsu_id=header.wsu_id,
    )


def test_header_packet_ids_into_soap_header(published):
    soap = build_envelope()
    header = Header(
        node_id="1",
        message_id="m",
        timestamp=DATE,
        message_class=MessageClass.RESPONSE,
        packet_ids=[PacketId("m1", "1"), PacketId("m2", "2")],
    )
    el = build_header(header, soap.header)
    assert el.getparent() is soap.header
    assert el.get(ns.WSU_ID).startswith("ID-")
    assert_valid_both(el, published)
    assert_compact(soap.envelope)
    assert etree.tostring(soap.envelope).decode().count("xmlns:") == len(soap.envelope.nsmap)
    assert parse_header(el).packet_ids == header.packet_ids
