"""Replays and malformed bodies found by review: each is refused, none is delivered."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from lxml import etree
from service_samples import payments_request
from service_tools import assert_fault, assert_refused, body_of, parse, resign, serialise
from sqlalchemy import func, select

from smev_soap.config import load_settings
from smev_soap.crypto import PrivateKey, issue_certificate
from smev_soap.demo import demo_ca
from smev_soap.envelope.model import Status
from smev_soap.queue import Message as QueuedMessage
from smev_soap.service.gateway import Gateway
from smev_soap.xml.ns import SMEV_OLD


def test_a_captured_poll_cannot_be_replayed(harness):
    request_id = harness.send_request().message.request_id_ref
    poll = harness.agency.control("GetRequest")
    first = harness.call(poll)
    assert first.delivery.message_id == request_id
    replayed = harness.call(poll)
    assert_refused(harness, replayed, "RSMEV-111")
    assert replayed.delivery is None


def test_two_operation_elements_in_the_body_are_refused(harness):
    root = parse(harness.mfc.envelope("SendRequest", Status.REQUEST, recipient=harness.agency.org,
                                      app_data=[payments_request()]))
    body = body_of(root)
    body.append(etree.fromstring(etree.tostring(body[0])))
    assert_fault(harness, harness.post(serialise(root)), "RSMEV-100")


def test_a_comment_before_the_operation_is_not_an_element(harness):
    root = parse(harness.mfc.control("GetRequest"))
    body_of(root).insert(0, etree.Comment("hello"))  # c14n drops comments: still signed
    answer = harness.call(serialise(root))
    assert answer.status is Status.PROCESS and answer.delivery is None


def test_an_old_namespace_sibling_does_not_switch_the_schema_check_off(harness):
    envelope = harness.mfc.envelope("SendRequest", Status.REQUEST, recipient=harness.agency.org,
                                    app_data=[payments_request()])
    junked = resign(harness.mfc, envelope,
                    lambda root: etree.SubElement(body_of(root)[0], f"{{{SMEV_OLD}}}Junk"))
    assert_refused(harness, harness.call(junked), "RSMEV-110")


def test_concurrent_copies_of_one_request_queue_one_message(harness):
    if harness.gateway.database.dialect != "postgresql":
        pytest.skip("SQLite writers are serial; the race exists on PostgreSQL")
    envelope = harness.mfc.envelope("SendRequest", Status.REQUEST, recipient=harness.agency.org,
                                    app_data=[payments_request()])
    barrier = threading.Barrier(6)
    ids: list[str] = []

    def send() -> None:
        barrier.wait()
        ids.append(harness.call(envelope).message.request_id_ref)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    with harness.gateway.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(QueuedMessage)) == 1


def test_the_gateway_refuses_to_start_without_its_trust_store(harness, tmp_path):
    settings = dataclasses.replace(harness.gateway.settings, trust_dir=tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="SMEV_TRUST_DIR"):
        Gateway.from_settings(settings, harness.gateway.database)


def test_rsa_signatures_only_where_the_operator_allows_them(harness, keys_dir):
    ca_key, ca_cert = demo_ca(load_settings(var_dir=keys_dir)).load()
    key = PrivateKey.generate("rsa-sha256")
    cert = issue_certificate({"C": "RU", "CN": "RSAT00001"}, key, ca_key, ca_cert)
    rsa = harness.register("RSAT00001", "RSA test system", key, cert, consumer=True)

    def send() -> object:
        return harness.call(rsa.envelope("SendRequest", Status.REQUEST,
                                         recipient=harness.agency.org,
                                         app_data=[payments_request()]))

    assert_refused(harness, send(), "RSMEV-206")
    harness.reconfigure(accept_non_gost=True)
    assert send().status is Status.ACCEPT
