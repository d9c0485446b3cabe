"""The demo agency (D15): answers the demo kind of information from fixtures.

As ``SZNR00001`` it polls its request queue over HTTP (GetRequest), answers each PaymentsRequest
with a PaymentsResponse built from ``demo_fixtures/payments.json`` (an unknown SNILS gets REJECT),
acknowledges the request, and sleeps briefly when the queue is empty. It answers before it
acknowledges, so a crash in between means a redelivery, never a lost request.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from smev_soap.client import Answer, Participant, open_delivery, read_answer
from smev_soap.config import Settings
from smev_soap.crypto import TrustStore
from smev_soap.demo import DEMO_AGENCY, DEMO_KIND_NAMESPACE, DemoParticipant, demo_participant_keys
from smev_soap.envelope.appdata import Delivery
from smev_soap.envelope.model import Org, Status
from smev_soap.service.app import PATH

log = logging.getLogger(__name__)

FIXTURES = Path(__file__).resolve().parent / "demo_fixtures" / "payments.json"
HTTP_TIMEOUT = 30.0
_P = f"{{{DEMO_KIND_NAMESPACE}}}"
# No proxies: the agent talks to its own gateway on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Payments = dict[str, list[dict[str, str]]]


def loopback_url(settings: Settings) -> str:
    """The single service on the gateway's own listening port, reached over loopback."""
    host, _, port = settings.bind.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}{PATH}"


def post_envelope(url: str, envelope: bytes, timeout: float = HTTP_TIMEOUT) -> bytes:
    """POST a SOAP 1.1 envelope; a SOAP Fault (HTTP 500) becomes ValueError."""
    request = urllib.request.Request(
        url, data=envelope, method="POST",
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise ValueError(f"HTTP {error.code}: {error.read()[:500]!r}") from None


def demo_participant(settings: Settings, who: DemoParticipant) -> Participant:
    """A demo participant with its key, addressing control calls to this gateway."""
    key, cert = demo_participant_keys(settings, who).load()
    return Participant(who.code, who.name, key, cert, tns=settings.service_namespace,
                       gateway=Org(settings.gateway_code, settings.gateway_name))


def trust_store(settings: Settings) -> TrustStore | None:
    trust_dir = settings.trust_dir
    return TrustStore(trust_dir, settings.crl_dir) if trust_dir and trust_dir.is_dir() else None


def load_payments(path: Path = FIXTURES) -> Payments:
    """Payments by SNILS (keys starting with ``_`` are comments)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {snils: rows for snils, rows in data.items() if not snils.startswith("_")}


def payments_response(request: etree._Element, payments: Payments) -> etree._Element | None:
    """PaymentsResponse for a PaymentsRequest (payments within its period); None if unknown."""
    snils = (request.findtext(f"{_P}Person/{_P}Snils") or "").strip()
    if snils not in payments:
        return None
    period = ((request.findtext(f"{_P}PeriodFrom") or "")[:7],
              (request.findtext(f"{_P}PeriodTo") or "9999-12")[:7])
    response = etree.Element(f"{_P}PaymentsResponse", nsmap={"p": DEMO_KIND_NAMESPACE})
    etree.SubElement(response, f"{_P}Snils").text = snils
    for row in payments[snils]:
        if period[0] <= row["Month"] <= period[1]:
            payment = etree.SubElement(response, f"{_P}Payment")
            for name in ("Measure", "Month", "Amount"):
                etree.SubElement(payment, f"{_P}{name}").text = row[name]
    return response


@dataclass
class DemoAgent:
    """The demo agency's polling client."""

    participant: Participant
    url: str
    trust: TrustStore | None
    payments: Payments
    observer: Callable[[str, str, Answer], None] | None = None  # (code, operation, answer)

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> DemoAgent:
        return cls(demo_participant(settings, DEMO_AGENCY), url or loopback_url(settings),
                   trust_store(settings), load_payments())

    def call(self, operation: str, envelope: bytes) -> Answer:
        answer = read_answer(post_envelope(self.url, envelope), self.trust)
        if self.observer is not None:
            self.observer(self.participant.code, operation, answer)
        return answer

    def poll(self, limit: int = 20) -> int:
        """Answer and acknowledge up to ``limit`` queued requests; return how many were taken."""
        for taken in range(limit):
            got = self.call("GetRequest", self.participant.control("GetRequest"))
            if got.delivery is None:
                if got.status is not Status.PROCESS:
                    raise ValueError(f"GetRequest: {got.status} {got.error_code}")
                return taken
            self.handle(got.delivery)
        return limit

    def handle(self, delivery: Delivery) -> Status | None:
        """Answer one delivered request (a cancellation is only acknowledged), then Ack it."""
        _, parsed = open_delivery(delivery, self.trust)
        request = parsed.message
        status = None
        if request.status is Status.REQUEST:
            found = None if parsed.app_data is None else parsed.app_data.find(
                f"{_P}PaymentsRequest")
            answer = None if found is None else payments_response(found, self.payments)
            status = Status.RESULT if answer is not None else Status.REJECT
            sent = self.call("SendResponse", self.participant.envelope(
                "SendResponse", status, recipient=request.sender,
                request_id_ref=delivery.message_id,
                origin_request_id_ref=request.origin_request_id_ref or delivery.message_id,
                app_data=[answer] if answer is not None else (),
                type_code=request.type_code, exchange_type=request.exchange_type,
                case_number=request.case_number, test=request.test_msg,
            ))
            if sent.status is not Status.ACCEPT and sent.error_code != "RSMEV-502":
                raise ValueError(f"SendResponse for {delivery.message_id}: {sent.status} "
                                 f"{sent.error_code}")
        acked = self.call("Ack", self.participant.control("Ack",
                                                          request_id_ref=delivery.message_id))
        if acked.status is not Status.ACCEPT:
            raise ValueError(f"Ack of {delivery.message_id}: {acked.status} {acked.error_code}")
        log.info("%s %s: %s", delivery.message_id, request.status,
                 status or "acknowledged")
        return status

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Poll until ``stop`` is set; sleep ``interval`` when idle or after an error."""
        reachable = True
        while not stop.is_set():
            busy = False
            try:
                busy = self.poll() > 0
                reachable = True
            except OSError as error:
                if reachable:
                    log.warning("gateway %s not reachable: %s", self.url, error)
                reachable = False
            except ValueError as error:
                log.warning("%s", error)
            except Exception:  # one bad exchange must not stop the demo agency
                log.exception("poll failed")
            if not busy:
                stop.wait(interval)
