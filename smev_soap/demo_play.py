"""``smev-soap demo play`` (``make demo``): the demo exchange against a running gateway.

zeep plays the МФЦ (MFCR00001): SendRequest of a PaymentsRequest, then GetResponse by
RequestIdRef until the final answer, acknowledging each delivered status message and answer.
The agency side is the running ``demo-agent``; when no provider takes the request within a few
seconds, this script answers as the agency itself. It ends with the chain's journal (GetStatus).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TextIO

from lxml import etree

from smev_soap.client import Answer, open_delivery
from smev_soap.config import Settings
from smev_soap.demo import DEMO_AGENCY, DEMO_KIND_NAMESPACE, DEMO_MFC
from smev_soap.demo_agent import DemoAgent, demo_participant, trust_store
from smev_soap.envelope.model import Org, Status
from smev_soap.envelope.ns import TYPES
from smev_soap.service.app import PATH
from smev_soap.zeep_client import ZeepParticipant

_P = f"{{{DEMO_KIND_NAMESPACE}}}"
_T = f"{{{TYPES}}}"
FINAL = (Status.RESULT, Status.REJECT)
PERSON = (("FamilyName", "Иванов"), ("FirstName", "Иван"), ("BirthDate", "1980-01-31"))


class PlayError(RuntimeError):
    """The exchange did not complete (refused, or no final answer in time)."""


@dataclass
class Step:
    """One call of the trail: who called what, the answer's Status and the ids it named."""

    who: str
    operation: str
    status: str
    ids: str
    repeat: int = 1


@dataclass
class Play:
    """The outcome of one demo exchange."""

    url: str
    request_id: str = ""
    steps: list[Step] = field(default_factory=list)
    answered_by: str = "demo-agent"
    final: Status | None = None
    payload: etree._Element | None = None  # the agency's PaymentsResponse, if any
    history: list[dict[str, str]] = field(default_factory=list)

    def record(self, who: str, operation: str, answer: Answer) -> None:
        """Add a step; a repeat of the previous step (polling) is counted, not listed."""
        message = answer.message
        delivery = answer.delivery
        ids = " ".join(f"{name}={value}" for name, value in (
            ("message", delivery.message_id if delivery else None),
            ("ref", message.request_id_ref), ("origin", message.origin_request_id_ref))
            if value)
        step = Step(who, operation, answer.status.value, ids)
        last = self.steps[-1] if self.steps else None
        if last is not None and last == Step(who, operation, step.status, ids, last.repeat):
            last.repeat += 1
        else:
            self.steps.append(step)


def payments_request(snils: str, period: tuple[str, str] = ("2026-01-01", "2026-12-31")
                     ) -> etree._Element:
    """The МФЦ's PaymentsRequest for the demo person with ``snils``."""
    request = etree.Element(f"{_P}PaymentsRequest", nsmap={"p": DEMO_KIND_NAMESPACE})
    person = etree.SubElement(request, f"{_P}Person")
    for name, value in (*PERSON, ("Snils", snils)):
        etree.SubElement(person, f"{_P}{name}").text = value
    etree.SubElement(request, f"{_P}PeriodFrom").text = period[0]
    etree.SubElement(request, f"{_P}PeriodTo").text = period[1]
    return request


def play(settings: Settings, url: str, snils: str = "12345678901", *, agent_wait: float = 5.0,
         timeout: float = 60.0, interval: float = 0.5) -> Play:
    """Run the exchange as the МФЦ; answer as the agency if nobody took the request in time."""
    trust = trust_store(settings)
    outcome = Play(url)
    mfc = ZeepParticipant(url + "?wsdl", demo_participant(settings, DEMO_MFC), trust, url)

    def control(operation: str, request_id_ref: str) -> Answer:
        answer = mfc.control(operation, request_id_ref).answer
        outcome.record(DEMO_MFC.code, operation, answer)
        return answer

    sent = mfc.call("SendRequest", Status.REQUEST,
                    recipient=Org(DEMO_AGENCY.code, DEMO_AGENCY.name),
                    app_data=[payments_request(snils)], case_number=f"DEMO-{snils}").answer
    outcome.record(DEMO_MFC.code, "SendRequest", sent)
    if sent.status is not Status.ACCEPT:
        raise PlayError(f"SendRequest was answered {sent.status} {sent.error_code or ''} "
                        f"{sent.error_texts.get('en', '')}")
    outcome.request_id = sent.message.request_id_ref
    started = time.monotonic()
    while outcome.final is None:
        if time.monotonic() - started > timeout:
            raise PlayError(f"no final answer to {outcome.request_id} within {timeout:.0f} s")
        got = control("GetResponse", outcome.request_id)
        if got.delivery is not None:
            control("Ack", got.delivery.message_id)
            if got.status in FINAL:
                outcome.final = got.status
                _, inner = open_delivery(got.delivery, trust)
                outcome.payload = None if inner.app_data is None else \
                    inner.app_data.find(f"{_P}PaymentsResponse")
            continue
        if outcome.answered_by == "demo-agent" and time.monotonic() - started > agent_wait \
                and not any(step.status == Status.STATE for step in outcome.steps):
            outcome.answered_by = "this script (no demo-agent took the request)"
            agency = DemoAgent.from_settings(settings, url)
            agency.observer = outcome.record
            agency.poll()
        time.sleep(interval)
    journal = control("GetStatus", outcome.request_id).types_element("History")
    outcome.history = [{child.tag[len(_T):]: child.text or "" for child in event}
                       for event in (journal if journal is not None else ())
                       if event.tag == f"{_T}Event"]
    return outcome


def print_play(outcome: Play, out: TextIO) -> None:
    """The trail, the answer's payments and the chain's journal, as plain text."""
    print(f"demo exchange at {outcome.url}: request {outcome.request_id}", file=out)
    print(f"\n{'#':>3}  {'participant':<11}  {'operation':<13}  {'status':<8}  ids", file=out)
    for number, step in enumerate(outcome.steps, 1):
        times = f"  (x{step.repeat})" if step.repeat > 1 else ""
        print(f"{number:>3}  {step.who:<11}  {step.operation:<13}  {step.status:<8}  "
              f"{step.ids}{times}", file=out)
    print(f"\nanswered by: {outcome.answered_by}", file=out)
    print(f"final answer: {outcome.final}", file=out)
    if outcome.payload is not None:
        payments = list(outcome.payload.iter(f"{_P}Payment"))
        for payment in payments:
            print(f"  {payment.findtext(f'{_P}Month')}  {payment.findtext(f'{_P}Amount'):>10}  "
                  f"{payment.findtext(f'{_P}Measure')}", file=out)
        if not payments:
            print("  (no payments in the period)", file=out)
    print(f"\njournal of {outcome.request_id} (GetStatus):", file=out)
    for event in outcome.history:
        print("  " + "  ".join(event.get(name) or "-" for name in
                               ("Time", "Type", "Participant", "MessageId", "Status", "Code")),
              file=out)


def demo_url(settings: Settings) -> str:
    """The single service at the gateway's public URL."""
    return settings.public_url.rstrip("/") + PATH
