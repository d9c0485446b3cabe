"""Unique ~4 KiB ``SendRequest`` envelopes signed by the demo МФЦ before a run (D25).

Each carries its own СНИЛС, so the gateway's idempotency check (D10) never short-cuts one; the
``Patronymic`` is padded so that the whole envelope is :data:`TARGET_SIZE` bytes.
"""

from __future__ import annotations

import multiprocessing
from datetime import date

from lxml import etree

from smev_soap.client import Participant
from smev_soap.config import Settings
from smev_soap.demo import DEMO_AGENCY, DEMO_KIND_NAMESPACE, DEMO_MFC, demo_participant_keys
from smev_soap.envelope.model import Org, Status

TARGET_SIZE = 4096
PAD_CHAR = "ж"  # two bytes in UTF-8

_signer: tuple[Participant, str] | None = None


def payments_request(snils: str, pad: str) -> etree._Element:
    """A PaymentsRequest of the demo kind with a padded Patronymic."""
    ns = DEMO_KIND_NAMESPACE
    request = etree.Element(f"{{{ns}}}PaymentsRequest", nsmap={"p": ns})
    person = etree.SubElement(request, f"{{{ns}}}Person")
    for name, value in (("FamilyName", "Иванов"), ("FirstName", "Иван"),
                        ("Patronymic", "Иванович" + pad), ("BirthDate", "1980-01-31"),
                        ("Snils", snils)):
        etree.SubElement(person, f"{{{ns}}}{name}").text = value
    etree.SubElement(request, f"{{{ns}}}PeriodFrom").text = date(2026, 1, 1).isoformat()
    etree.SubElement(request, f"{{{ns}}}PeriodTo").text = date(2026, 6, 30).isoformat()
    return request


def _signed(participant: Participant, number: int, pad: str) -> bytes:
    return participant.envelope("SendRequest", Status.REQUEST,
                                recipient=Org(DEMO_AGENCY.code, DEMO_AGENCY.name),
                                app_data=[payments_request(f"{number:011d}", pad)])


def _init(settings: Settings) -> None:
    global _signer
    key, cert = demo_participant_keys(settings, DEMO_MFC).load()
    participant = Participant(DEMO_MFC.code, DEMO_MFC.name, key, cert,
                              tns=settings.service_namespace,
                              gateway=Org(settings.gateway_code, settings.gateway_name))
    unpadded = len(_signed(participant, 0, ""))
    _signer = participant, PAD_CHAR * max(0, (TARGET_SIZE - unpadded) // 2)


def _sign_range(bounds: tuple[int, int]) -> list[bytes]:
    assert _signer is not None
    participant, pad = _signer
    return [_signed(participant, n, pad) for n in range(*bounds)]


def sign_requests(settings: Settings, first: int, count: int, processes: int = 2) -> list[bytes]:
    """``count`` envelopes numbered from ``first``, signed in ``processes`` processes."""
    step = max(1, -(-count // (processes * 4)))
    chunks = [(start, min(start + step, first + count)) for start in range(first, first + count,
                                                                            step)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_init, initargs=(settings,)) as pool:
        return [envelope for chunk in pool.map(_sign_range, chunks) for envelope in chunk]
