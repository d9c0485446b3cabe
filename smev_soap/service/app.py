"""The gateway's SOAP faces as WSGI applications; the single electronic service (``/smev/ws``).

:class:`SoapService` serves one :class:`~smev_soap.service.spec.ServiceSpec`: ``GET ?wsdl`` the
spyne-generated WSDL, ``GET ?xsd=NAME`` our schemas. ``POST`` runs the hot path: transport
guard → safe parse → WS-Security verify → authorship → the operation → a signed answer. Only
what cannot be answered as a SMEV message becomes a SOAP Fault (D11).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import parse_qs

from smev_soap.envelope.model import Status
from smev_soap.errors import SmevRefusal
from smev_soap.journal.events import EventType, record
from smev_soap.queue.replay import first_use
from smev_soap.resources import XSD_DIR
from smev_soap.service.answers import refusal_answer
from smev_soap.service.faults import fault_envelope
from smev_soap.service.gateway import Gateway
from smev_soap.service.inbound import Inbound, Located, authenticate, locate
from smev_soap.service.pulling import acknowledge, get_request, get_response
from smev_soap.service.rate_limits import RateLimits
from smev_soap.service.reporting import get_queue_statistics, get_status
from smev_soap.service.sending import cancel_request, send_request, send_response
from smev_soap.service.spec import Handler, ServiceSpec
from smev_soap.service.transport import read_request

log = logging.getLogger(__name__)

PATH = "/smev/ws"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

OPERATION_HANDLERS: dict[str, Handler] = {
    "SendRequest": send_request,
    "GetRequest": get_request,
    "SendResponse": send_response,
    "GetResponse": get_response,
    "Ack": acknowledge,
    "CancelRequest": cancel_request,
    "GetStatus": get_status,
    "GetQueueStatistics": get_queue_statistics,
}

SINGLE_SERVICE = ServiceSpec(
    name="SingleService",
    path=PATH,
    namespace_setting="service_namespace",
    handlers=OPERATION_HANDLERS,
    schemas=("smev-rev120315.xsd", "smev-soap-types.xsd", "xop-include.xsd", "xml.xsd"),
    wsdl_file="single-service.wsdl",
)


class SoapService:
    """WSGI callable of one SOAP face (``spec``) for one worker process."""

    spec: ClassVar[ServiceSpec]

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.address = gateway.settings.public_url.rstrip("/") + self.spec.path
        self.rate_limits = RateLimits.from_settings(gateway.settings)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            status, content_type, body = self.describe(environ.get("QUERY_STRING", ""))
        elif method == "POST":
            status, body = self.handle(environ)
            content_type = XML_CONTENT_TYPE
        else:
            status, content_type, body = "405 Method Not Allowed", "text/plain", b"POST or GET\n"
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]

    def describe(self, query: str) -> tuple[str, str, bytes]:
        """The WSDL (``?wsdl``) or one of our schemas (``?xsd=NAME``)."""
        params = parse_qs(query, keep_blank_values=True)
        if "xsd" in params:
            name = params["xsd"][0]
            if name not in self.spec.schemas:
                return "404 Not Found", "text/plain", f"no schema {name}\n".encode()
            return "200 OK", XML_CONTENT_TYPE, (XSD_DIR / name).read_bytes()
        if "wsdl" in params or "WSDL" in params:
            return "200 OK", XML_CONTENT_TYPE, self.spec.wsdl(self.gateway.settings, self.address)
        return "404 Not Found", "text/plain", b"try ?wsdl\n"

    def handle(self, environ: dict) -> tuple[str, bytes]:
        """One SOAP exchange: a signed SMEV answer, or a SOAP Fault for transport breakage."""
        try:
            request = read_request(environ, self.gateway.settings.max_body_bytes)
            located = locate(self.gateway, self.spec, request)
        except SmevRefusal as refusal:
            self._journal_refusal(refusal, None)
            return "500 Internal Server Error", fault_envelope(refusal.code, refusal.detail)
        with self.gateway.request_scope():
            try:
                inbound = authenticate(self.gateway, located)
                # Charged only once the signature proves the sender: a limit keyed on an
                # unverified Sender/Code would let anyone spend a victim's budget (RSMEV-800).
                self.rate_limits.charge(inbound, applicant=located.applicant)
                if inbound.message.status is Status.PING:
                    self._refuse_replay(inbound)
                self.gateway.end_reads()
                return "200 OK", self.spec.handlers[located.operation](self.gateway, inbound)
            except SmevRefusal as refusal:
                return self._refuse(located, refusal)
            except Exception:
                log.exception("internal error in %s", located.operation)
                return self._refuse(located, SmevRefusal("RSMEV-900"))

    def _refuse_replay(self, inbound: Inbound) -> None:
        """A control call (Status PING) is answered once: a repeat of its signed Body is a replay."""
        with self.gateway.transaction() as session:
            if not first_use(session, inbound.sender, inbound.body_digest, datetime.now(UTC)):
                raise SmevRefusal("RSMEV-111", "this signed control call was already answered")

    def _refuse(self, located: Located, refusal: SmevRefusal) -> tuple[str, bytes]:
        self._journal_refusal(refusal, located)
        if refusal.is_fault:  # a code that is never a SMEV answer (D11), wherever it arose
            return "500 Internal Server Error", fault_envelope(refusal.code, refusal.detail)
        try:
            return "200 OK", refusal_answer(self.gateway, located.addressee, refusal)
        except Exception:  # never answer unsigned: the request fails instead
            log.exception("could not sign the refusal %s", refusal.code)
            return "500 Internal Server Error", fault_envelope("RSMEV-901", refusal.code)

    def _journal_refusal(self, refusal: SmevRefusal, located: Located | None) -> None:
        participant = located.addressee.recipient.code if located else None
        operation = located.operation if located else "transport"
        try:
            with self.gateway.transaction() as session:
                record(session, EventType.REFUSED, participant=participant,
                       error_code=refusal.code, detail=f"{operation}: {refusal.detail}"[:2000])
        except Exception:
            log.exception("could not journal the refusal %s", refusal.code)


class SingleService(SoapService):
    """The single electronic service (R1)."""

    spec = SINGLE_SERVICE
