"""The floor of ``bench/service.py`` (D25): the least a signed-message gateway must do.

A bare WSGI app that reads the request, parses it with the gateway's safe parser, verifies its
WS-Security signature (``verify_envelope`` with the trust store) and answers a fixed SMEV message
signed with two references (``smev:Header`` and Body). No database, no policy, no spyne. gunicorn
serves it with the gateway's own configuration:
``gunicorn -c python:smev_soap.gunicorn_conf --pythonpath bench 'floor_app:create_app()'``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from lxml import etree

from smev_soap.config import Settings, load_settings
from smev_soap.crypto import Certificate, PrivateKey, TrustStore
from smev_soap.envelope.appdata import build_accepted
from smev_soap.envelope.build import build_envelope, build_header, build_operation, new_header
from smev_soap.envelope.model import Message, MessageClass, Org, Status, TypeCode
from smev_soap.wsse.smev2 import add_recipient_signature, verify_envelope
from smev_soap.xml.ns import SMEV_HEADER, SOAP_HEADER
from smev_soap.xml.safe import parse_xml

ANSWER_ID = "00000000-0000-1000-8000-000000000000"


def answer_template(settings: Settings) -> etree._Element:
    """A fixed ACCEPT answer with a ``smev:Header`` (wsu:Id) and a Body (wsu:Id), unsigned."""
    skeleton = build_envelope(settings.service_namespace)
    now = datetime.now(UTC)
    build_header(new_header(settings.node_id, ANSWER_ID, MessageClass.RESPONSE, now),
                 parent=skeleton.header)
    message = Message(sender=Org(settings.gateway_code, settings.gateway_name),
                      recipient=Org("MFCR00001", "МФЦ"), type_code=TypeCode.GSRV,
                      status=Status.ACCEPT, date=now, exchange_type="2",
                      request_id_ref=ANSWER_ID, origin_request_id_ref=ANSWER_ID)
    build_operation(f"{{{settings.service_namespace}}}SendRequestResponse", message,
                    [build_accepted(ANSWER_ID)], parent=skeleton.body)
    return skeleton.envelope


class FloorApp:
    """Parse, verify, sign; each stage is a method so that the bench can time it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = PrivateKey.from_file(settings.key, settings.key_password())
        self.cert = Certificate.from_file(settings.cert)
        self.trust = TrustStore(settings.trust_dir, settings.crl_dir)
        self.template = answer_template(settings)

    def parse(self, environ: dict) -> etree._Element:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        return parse_xml(body, max_bytes=self.settings.max_body_bytes,
                         max_depth=self.settings.max_xml_depth)

    def verify(self, root: etree._Element) -> bool:
        return verify_envelope(root, trust=self.trust).ok

    def sign(self) -> bytes:
        answer = copy.deepcopy(self.template)
        header = next(answer.iter(SOAP_HEADER))
        add_recipient_signature(answer, self.key, self.cert, next(header.iter(SMEV_HEADER)))
        return etree.tostring(answer, xml_declaration=True, encoding="UTF-8")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            status, body = "200 OK", b"floor\n"
        elif self.verify(self.parse(environ)):
            status, body = "200 OK", self.sign()
        else:
            status, body = "400 Bad Request", b"signature does not verify\n"
        start_response(status, [("Content-Type", "text/xml; charset=utf-8"),
                                ("Content-Length", str(len(body)))])
        return [body]


def create_app() -> FloorApp:
    """gunicorn's app factory: settings from the ``SMEV_*`` environment, like the gateway."""
    return FloorApp(load_settings())
