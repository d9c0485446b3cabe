"""The gateway's AppData vocabulary against xsd/smev-soap-types.xsd."""

from datetime import UTC, datetime

import pytest
from lxml import etree

from smev_soap.envelope import EnvelopeError, ns
from smev_soap.envelope.appdata import (
    Delivery,
    HistoryEvent,
    QueueStats,
    Selector,
    build_accepted,
    build_delivery,
    build_error,
    build_history,
    build_queue_statistics,
    build_selector,
    build_warning,
    find_types_element,
    parse_delivery,
    parse_selector,
)
from smev_soap.envelope.schemas import TYPES_XSD, schema_errors

T = f"{{{ns.TYPES}}}"
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def valid(element) -> bool:
    return schema_errors(element, TYPES_XSD) == []


@pytest.mark.parametrize("build", [build_error, build_warning])
def test_error_and_warning(build):
    el = build("RSMEV-401", "Подпись неверна", "Bad signature", "Reference #body")
    assert valid(el)
    texts = el.findall(f"{T}Text")
    assert [(t.get(ns.XML_LANG), t.text) for t in texts] == [
        ("ru", "Подпись неверна"),
        ("en", "Bad signature"),
    ]
    assert el.findtext(f"{T}Detail") == "Reference #body"
    assert valid(build("RSMEV-101", "а", "a"))
    assert not valid(build("SMEV-1", "а", "a"))
    texts[0].attrib.pop(ns.XML_LANG)
    assert not valid(el)


def test_accepted():
    el = build_accepted("6f1c2d3e-0000-11ef-8000-000000000001")
    assert valid(el)
    assert etree.tostring(el) == (
        b'<st:Accepted xmlns:st="urn://smev-soap/types/1.0"><st:MessageId>'
        b"6f1c2d3e-0000-11ef-8000-000000000001</st:MessageId></st:Accepted>"
    )


def test_delivery_round_trip():
    delivery = Delivery("m-1", 2, b"<soap:Envelope>\xd0\x96</soap:Envelope>")
    el = build_delivery(delivery)
    assert valid(el)
    assert parse_delivery(el) == delivery
    el.find(f"{T}DeliveryCount").text = "0"
    assert not valid(el)
    el.remove(el.find(f"{T}Envelope"))
    with pytest.raises(EnvelopeError) as error:
        parse_delivery(el)
    assert error.value.code == "bad_delivery"


@pytest.mark.parametrize(
    "selector",
    [
        Selector(),
        Selector(namespace_uri="urn://kind/1.0", root_local_name="Request"),
        Selector(namespace_uri="urn://kind/1.0"),
        Selector(service_mnemonic="svedmereconzatrpodvod"),
    ],
)
def test_selector_round_trip(selector):
    el = build_selector(selector)
    assert valid(el)
    assert parse_selector(el) == selector


def test_selector_absent_and_lookup():
    assert parse_selector(None) == Selector()
    app_data = etree.Element(f"{{{ns.SMEV}}}AppData")
    assert find_types_element(app_data, "Selector") is None
    app_data.append(build_selector(Selector(service_mnemonic="svc")))
    assert parse_selector(find_types_element(app_data, "Selector")).service_mnemonic == "svc"
    both = etree.fromstring(
        f'<st:Selector xmlns:st="{ns.TYPES}"><st:NamespaceURI>urn:a</st:NamespaceURI>'
        "<st:ServiceMnemonic>s</st:ServiceMnemonic></st:Selector>"
    )
    assert not valid(both)


def test_history():
    events = [
        HistoryEvent(NOW, "received", "m-1", participant="ABCD00001", status="REQUEST"),
        HistoryEvent(
            NOW,
            "refused",
            "m-2",
            participant="RSMV00001",
            status="INVALID",
            code="RSMEV-401",
            detail="schema",
        ),
        HistoryEvent(NOW, "acknowledged", "m-1"),
    ]
    el = build_history("m-1", events)
    assert valid(el)
    assert [e.findtext(f"{T}Type") for e in el.findall(f"{T}Event")] == [
        "received",
        "refused",
        "acknowledged",
    ]
    assert valid(build_history("m-1", []))
    el.find(f"{T}Event/{T}Participant").text = "bad"
    assert not valid(el)


def test_queue_statistics():
    el = build_queue_statistics(
        NOW, [QueueStats("ABCD00001.requests", 3, 1, 0), QueueStats("ABCD00001.responses", 0, 0, 2)]
    )
    assert valid(el)
    assert el.findtext(f"{T}Time") == "2024-05-06T07:08:09.000+00:00"
    assert [q.findtext(f"{T}DeadLettered") for q in el.findall(f"{T}Queue")] == ["0", "2"]
    el.find(f"{T}Queue/{T}Pending").text = "-1"
    assert not valid(el)
