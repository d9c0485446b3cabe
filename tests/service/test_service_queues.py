"""Queue behaviour through the single service: leases and redelivery, dead letters, concurrent
pollers, restarts, cancellation, test traffic, lenient attachments, selectors (D6–D8, D13, D14)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from service_samples import payments_request, payments_response
from service_tools import TYPES, assert_refused, journal, zip_archive
from sqlalchemy import select
from test_service_refusals import answer_to, multipart, referenced, request, with_document

from smev_soap.client import open_delivery
from smev_soap.db import Database
from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT, DEMO_SERVICE
from smev_soap.envelope.appdata import Selector, build_selector, find_types_element
from smev_soap.envelope.attachments import check_reference
from smev_soap.envelope.model import Status, TypeCode
from smev_soap.errors import CODES
from smev_soap.queue import DEAD, QueueItem
from smev_soap.registry import find_kind
from smev_soap.registry.changes import registry_changed
from smev_soap.service.dead_letters import dead_letter_pass
from smev_soap.service.gateway import Gateway


def t(name: str) -> str:
    return f"{{{TYPES}}}{name}"


def get_request(harness, selector: Selector | None = None):
    app_data = [build_selector(selector)] if selector else []
    return harness.call(harness.agency.control("GetRequest", app_data=app_data))


def ack(harness, who, message_id: str):
    answer = harness.call(who.control("Ack", request_id_ref=message_id))
    assert answer.status is Status.ACCEPT
    return answer


def cancel(harness, request_id: str, who=None):
    who = who or harness.mfc
    return harness.call(who.envelope("CancelRequest", Status.CANCEL, recipient=who.gateway,
                                     request_id_ref=request_id, type_code=TypeCode.OTHR,
                                     exchange_type="0"))


def responses_of(harness, request_id: str) -> list:
    """Every pending answer and status message of the chain, acknowledged as read."""
    got = []
    while (answer := harness.call(harness.mfc.control("GetResponse", request_id_ref=request_id))
           ).delivery is not None and answer.delivery.delivery_count > 0:
        if any(a.delivery.message_id == answer.delivery.message_id for a in got):
            break  # the acknowledged final answer read again (D8)
        got.append(answer)
        ack(harness, harness.mfc, answer.delivery.message_id)
        if answer.status in (Status.RESULT, Status.REJECT):
            break
    return got


def history_types(answer) -> list[str]:
    return [e.findtext(t("Type")) for e in answer.types_element("History").iter(t("Event"))]


def inner_history_types(delivery) -> list[str]:
    _, parsed = open_delivery(delivery)
    history = find_types_element(parsed.app_data, "History")
    return [e.findtext(t("Type")) for e in history.iter(t("Event"))]


# ----------------------------------------------------------------------- leases, redelivery


def test_redelivery_after_lease_expiry_has_the_same_id_and_bytes(harness):
    harness.reconfigure(lease_seconds=0)  # every lease has expired by the next poll
    request_id = harness.send_request().message.request_id_ref

    first = get_request(harness)
    second = get_request(harness)
    assert first.status is second.status is Status.REQUEST
    assert first.delivery.message_id == second.delivery.message_id == request_id
    assert first.message.request_id_ref == second.message.request_id_ref == request_id
    assert (first.delivery.delivery_count, second.delivery.delivery_count) == (1, 2)
    assert first.delivery.envelope == second.delivery.envelope, "the same bytes (D7)"
    assert [e.message_id for e in journal(harness, "redelivered")] == [request_id]

    ack(harness, harness.agency, request_id)
    assert get_request(harness).delivery is None, "an acknowledged message leaves the queue"
    notices = responses_of(harness, request_id)
    assert [n.status for n in notices] == [Status.STATE], "one 'delivered' notice, not two"


def test_an_unexpired_lease_is_not_handed_out_again(harness):
    harness.send_request()
    assert get_request(harness).delivery is not None
    empty = get_request(harness)
    assert empty.status is Status.PROCESS and empty.delivery is None


def test_ack_only_by_the_owner_and_only_once(harness):
    request_id = harness.send_request().message.request_id_ref
    get_request(harness)
    assert_refused(harness, harness.call(harness.mfc.control("Ack", request_id_ref=request_id)),
                   "RSMEV-501")
    ack(harness, harness.agency, request_id)
    assert_refused(harness, harness.call(harness.agency.control("Ack", request_id_ref=request_id)),
                   "RSMEV-501")


# ------------------------------------------------------------------------------ dead letters


def test_dead_letter_tells_the_sender(harness):
    harness.reconfigure(lease_seconds=0, max_deliveries=2)
    request_id = harness.send_request().message.request_id_ref
    assert [get_request(harness).delivery.delivery_count for _ in range(2)] == [1, 2]
    assert dead_letter_pass(harness.gateway, now=datetime.now(UTC) - timedelta(minutes=1)) == []

    dead = dead_letter_pass(harness.gateway, now=datetime.now(UTC) + timedelta(seconds=1))
    assert [(d.message.id, d.owner_code, d.delivery_count) for d in dead] == [
        (request_id, harness.agency.code, 2)]
    assert dead_letter_pass(harness.gateway, now=datetime.now(UTC) + timedelta(seconds=2)) == []
    with harness.gateway.database.sessions() as session:
        assert session.scalar(select(QueueItem.state).where(
            QueueItem.message_id == request_id)) == DEAD
    [event] = journal(harness, "dead_lettered")
    assert (event.message_id, event.error_code, event.participant) == (
        request_id, "RSMEV-503", harness.agency.code)

    assert get_request(harness).delivery is None, "a dead letter is not delivered again"
    stats = harness.call(harness.agency.control("GetQueueStatistics"))
    requests = next(q for q in stats.types_element("QueueStatistics").iter(t("Queue"))
                    if q.findtext(t("Name")) == "requests")
    assert (requests.findtext(t("Pending")), requests.findtext(t("Leased")),
            requests.findtext(t("DeadLettered"))) == ("0", "0", "1")

    notices = responses_of(harness, request_id)
    assert [n.status for n in notices] == [Status.STATE, Status.NOTIFY]
    notify = notices[-1]
    verification, parsed = open_delivery(notify.delivery, harness.trust)
    assert verification.sender.certificate == harness.gateway.cert
    assert parsed.message.status is Status.NOTIFY
    assert parsed.message.request_id_ref == request_id
    error = find_types_element(parsed.app_data, "Error")
    assert error.findtext(t("Code")) == "RSMEV-503"
    texts = {e.get("{http://www.w3.org/XML/1998/namespace}lang"): e.text
             for e in error.iter(t("Text"))}
    assert texts == {"ru": CODES["RSMEV-503"].ru, "en": CODES["RSMEV-503"].en}


# ---------------------------------------------------------------- concurrency (PostgreSQL)


def _poll_concurrently(harness, pollers: int, acknowledge: bool) -> list[list[str]]:
    barrier = threading.Barrier(pollers)
    got: list[list[str]] = [[] for _ in range(pollers)]
    errors: list[BaseException] = []

    def poll(n: int) -> None:
        try:
            barrier.wait()
            while (answer := get_request(harness)).delivery is not None:
                got[n].append(answer.delivery.message_id)
                assert answer.delivery.delivery_count == 1
                if acknowledge:
                    ack(harness, harness.agency, answer.delivery.message_id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(pollers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return got


@pytest.mark.postgres
@pytest.mark.parametrize("acknowledge", [True, False], ids=["acked", "unacked"])
def test_concurrent_pollers_get_each_message_exactly_once(harness, acknowledge):
    if harness.gateway.database.dialect != "postgresql":
        pytest.skip("concurrency guarantees are proven on PostgreSQL (D16)")
    sent = {harness.send_request(snils=f"{n:011d}").message.request_id_ref for n in range(20)}
    got = _poll_concurrently(harness, 2, acknowledge)
    delivered = got[0] + got[1]
    assert len(delivered) == len(set(delivered)), "never two leases of one message"
    assert set(delivered) == sent
    assert len(journal(harness, "delivered")) == len(sent)


# ------------------------------------------------------------------------------- restarts


def test_messages_survive_a_gateway_restart(harness):
    harness.reconfigure(lease_seconds=0)
    request_id = harness.send_request().message.request_id_ref
    before = get_request(harness)

    database = Database(harness.gateway.database.url)  # a new process: engine, keys, app
    try:
        harness.use_gateway(Gateway.from_settings(harness.gateway.settings, database))
        after = get_request(harness)
        assert after.delivery.message_id == request_id
        assert after.delivery.delivery_count == 2
        assert after.delivery.envelope == before.delivery.envelope
        ack(harness, harness.agency, request_id)
        assert get_request(harness).delivery is None
    finally:
        database.dispose()


# ---------------------------------------------------------------------------- cancellation


def test_cancel_before_delivery_withdraws_the_request(harness):
    request_id = harness.send_request().message.request_id_ref
    cancelled = cancel(harness, request_id)
    assert cancelled.status is Status.ACCEPT
    assert cancelled.message.request_id_ref == request_id

    assert get_request(harness).delivery is None, "gone from the provider's queue"
    [notice] = responses_of(harness, request_id)
    assert notice.status is Status.STATE
    assert inner_history_types(notice.delivery) == ["cancelled"]
    status = harness.call(harness.mfc.control("GetStatus", request_id_ref=request_id))
    assert "cancelled" in history_types(status)
    assert_refused(harness, cancel(harness, request_id), "RSMEV-502")


def test_cancel_after_delivery_is_delivered_to_the_provider(harness):
    request_id = harness.send_request().message.request_id_ref
    ack(harness, harness.agency, get_request(harness).delivery.message_id)

    assert cancel(harness, request_id).status is Status.ACCEPT
    cancellation = get_request(harness)
    assert cancellation.status is Status.CANCEL
    verification, parsed = open_delivery(cancellation.delivery, harness.trust)
    assert verification.sender.certificate == harness.mfc.cert, "the consumer's own signature"
    assert parsed.message.status is Status.CANCEL
    assert parsed.message.request_id_ref == request_id
    assert cancellation.delivery.message_id != request_id, "a message of its own (D7)"
    ack(harness, harness.agency, cancellation.delivery.message_id)

    assert_refused(harness, cancel(harness, request_id), "RSMEV-502")
    assert get_request(harness).delivery is None, "cancelled once, delivered once"
    assert [n.status for n in responses_of(harness, request_id)] == [Status.STATE, Status.STATE]


def test_cancel_of_an_answered_request_is_refused(harness):
    request_id = harness.send_request().message.request_id_ref
    ack(harness, harness.agency, get_request(harness).delivery.message_id)
    harness.call(answer_to(harness, request_id))
    assert_refused(harness, cancel(harness, request_id), "RSMEV-502")


def test_only_the_sender_cancels(harness):
    request_id = harness.send_request().message.request_id_ref
    assert_refused(harness, cancel(harness, request_id, who=harness.agency), "RSMEV-500")
    assert get_request(harness).delivery.message_id == request_id


# --------------------------------------------------------------------------- answers, reads


def test_intermediate_answers_then_the_result_in_order(harness):
    request_id = harness.send_request().message.request_id_ref
    ack(harness, harness.agency, get_request(harness).delivery.message_id)
    for status in (Status.PROCESS, Status.RESULT):
        assert harness.call(answer_to(harness, request_id, status=status)).status is Status.ACCEPT
    statuses = [a.status for a in responses_of(harness, request_id)]
    assert statuses == [Status.STATE, Status.PROCESS, Status.RESULT]
    again = harness.call(harness.mfc.control("GetResponse", request_id_ref=request_id))
    assert again.status is Status.RESULT and again.delivery.delivery_count == 1


def test_pending_request_answers_process(harness):
    request_id = harness.send_request().message.request_id_ref
    pending = harness.call(harness.mfc.control("GetResponse", request_id_ref=request_id))
    assert pending.status is Status.PROCESS and pending.delivery is None


def test_get_response_without_request_id_reads_the_whole_queue(harness):
    request_id = harness.send_request().message.request_id_ref
    ack(harness, harness.agency, get_request(harness).delivery.message_id)
    harness.call(answer_to(harness, request_id))
    seen = []
    while (got := harness.call(harness.mfc.control("GetResponse"))).delivery is not None:
        seen.append(got.status)
        ack(harness, harness.mfc, got.delivery.message_id)
    assert seen == [Status.STATE, Status.RESULT]
    assert got.status is Status.PROCESS


def test_get_response_of_someone_elses_request(harness):
    request_id = harness.send_request().message.request_id_ref
    answer = harness.call(harness.agency.control("GetResponse", request_id_ref=request_id))
    assert_refused(harness, answer, "RSMEV-500")


@pytest.mark.parametrize("selector,found", [
    (Selector(namespace_uri=DEMO_KIND_NAMESPACE, root_local_name=DEMO_KIND_ROOT), True),
    (Selector(service_mnemonic=DEMO_SERVICE), True),
    (Selector(), True),
])
def test_get_request_with_a_selector(harness, selector, found):
    request_id = harness.send_request().message.request_id_ref
    got = get_request(harness, selector)
    assert (got.delivery.message_id if got.delivery else None) == (request_id if found else None)


def test_get_request_with_an_unknown_selector(harness):
    harness.send_request()
    got = get_request(harness, Selector(namespace_uri="urn://example/unknown", root_local_name="X"))
    assert_refused(harness, got, "RSMEV-303")


# --------------------------------------------------------------------- test traffic (D14)


def test_test_message_is_accepted_with_allow_test(harness):
    """The demo МФЦ's agreement allows test traffic, in production too."""
    assert harness.gateway.settings.environment == "production"
    accepted = harness.send_request(test=True)
    assert accepted.status is Status.ACCEPT and accepted.message.test_msg
    delivered = get_request(harness)
    _, parsed = open_delivery(delivered.delivery)
    assert parsed.message.test_msg


def test_test_message_in_the_sandbox_needs_no_flag(harness, pki):
    harness.reconfigure(environment="sandbox")
    consumer = harness.register("MFCR00002", "МФЦ без тестового трафика", *pki.consumer,
                                consumer=True, allow_test=False)
    assert harness.call(request(harness, sender=consumer, test=True)).status is Status.ACCEPT


# ------------------------------------------------------------------- attachments (D13)


def test_lenient_kind_gets_a_warning_instead_of_a_refusal(harness):
    strict = harness.call(with_document(harness, zip_archive({"scan.pdf": b"%PDF-1.4"})))
    assert_refused(harness, strict, "RSMEV-406")
    with harness.gateway.database.transaction() as session:
        find_kind(session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT).strict_attachments = False
        registry_changed(session, "test", "the demo kind takes lenient attachments")
    lenient = harness.call(with_document(harness, zip_archive({"scan.pdf": b"%PDF-1.4 v2"})))
    assert lenient.status is Status.ACCEPT
    assert lenient.types_element("Accepted") is not None
    warning = lenient.types_element("Warning")
    assert warning.findtext(t("Code")) == "RSMEV-406"
    assert "manifest_missing" in warning.findtext(t("Detail"))
    assert get_request(harness).delivery is not None


def test_reference_attachment_in_a_multipart_request_is_accepted(harness):
    scan = b"%PDF-1.4 the scan" * 100
    body, content_type = multipart(referenced(harness, "part-1", scan), {"part-1": scan})
    assert harness.call(body, content_type).status is Status.ACCEPT


def test_reference_attachment_reaches_the_provider(harness):
    scan = b"%PDF-1.4 the scan" * 100
    body, content_type = multipart(referenced(harness, "part-1", scan), {"part-1": scan})
    harness.call(body, content_type)
    delivery = get_request(harness).delivery
    assert dict(delivery.attachments) == {"part-1": scan}
    _, parsed = open_delivery(delivery, harness.trust)
    document = parsed.app_document
    assert document.reference_href.endswith("part-1")
    assert check_reference(document, dict(delivery.attachments)) == scan


# --------------------------------------------------------------------- GetStatus (R4)


def test_provider_reads_the_history_of_a_request_it_got(harness):
    request_id = harness.send_request().message.request_id_ref
    get_request(harness)
    status = harness.call(harness.agency.control("GetStatus", request_id_ref=request_id))
    assert status.status is Status.RESULT
    assert {"received", "queued", "delivered"} <= set(history_types(status))


def test_unique_ids_are_uuid1(harness):
    ids = [harness.send_request(snils=f"{n:011d}").message.request_id_ref for n in range(3)]
    assert len(set(ids)) == 3 and all(uuid.UUID(i).version == 1 for i in ids)


def test_answer_of_a_foreign_kind_is_schema_refused(harness):
    request_id = harness.send_request().message.request_id_ref
    other = etree.Element("{urn://example/other/1.0}Answer")
    other.text = "x"
    envelope = harness.agency.envelope("SendResponse", Status.RESULT, recipient=harness.mfc.org,
                                       request_id_ref=request_id, app_data=[other])
    assert_refused(harness, harness.call(envelope), "RSMEV-400")
    ok = harness.agency.envelope("SendResponse", Status.RESULT, recipient=harness.mfc.org,
                                 request_id_ref=request_id, app_data=[payments_response()])
    assert harness.call(ok).status is Status.ACCEPT
    assert payments_request  # the request sample module stays the one source of payloads


def test_history_shows_only_the_messages_the_caller_sent_or_received(harness):
    request_id = harness.send_request().message.request_id_ref
    get_request(harness)  # delivery: the МФЦ gets a STATE status message in the chain
    provider_view = harness.call(harness.agency.control("GetStatus", request_id_ref=request_id))
    consumer_view = harness.call(harness.mfc.control("GetStatus", request_id_ref=request_id))
    assert "status_sent" in history_types(consumer_view)
    assert "status_sent" not in history_types(provider_view)
    assert {"received", "queued", "delivered"} <= set(history_types(provider_view))
