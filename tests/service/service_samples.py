"""Payloads of the demo kind for the service tests."""

from __future__ import annotations

from datetime import date

from lxml import etree

from smev_soap.demo import DEMO_KIND_NAMESPACE as PAYMENTS


def payments_request(snils: str = "12345678901") -> etree._Element:
    e = etree.Element(f"{{{PAYMENTS}}}PaymentsRequest", nsmap={"p": PAYMENTS})
    person = etree.SubElement(e, f"{{{PAYMENTS}}}Person")
    for name, value in (("FamilyName", "Иванов"), ("FirstName", "Иван"),
                        ("BirthDate", "1980-01-31"), ("Snils", snils)):
        etree.SubElement(person, f"{{{PAYMENTS}}}{name}").text = value
    etree.SubElement(e, f"{{{PAYMENTS}}}PeriodFrom").text = date(2026, 1, 1).isoformat()
    etree.SubElement(e, f"{{{PAYMENTS}}}PeriodTo").text = date(2026, 6, 30).isoformat()
    return e


def payments_response(snils: str = "12345678901") -> etree._Element:
    e = etree.Element(f"{{{PAYMENTS}}}PaymentsResponse", nsmap={"p": PAYMENTS})
    etree.SubElement(e, f"{{{PAYMENTS}}}Snils").text = snils
    payment = etree.SubElement(e, f"{{{PAYMENTS}}}Payment")
    for name, value in (("Measure", "ЕДВ"), ("Month", "2026-03"), ("Amount", "1520.50")):
        etree.SubElement(payment, f"{{{PAYMENTS}}}{name}").text = value
    return e
