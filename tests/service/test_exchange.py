"""The whole SMEV-2 exchange through the single service (issue: every operation's success)."""

from service_samples import payments_response

from smev_soap.client import open_delivery
from smev_soap.envelope.model import Status
from smev_soap.journal.events import history


def test_full_exchange_request_delivery_answer_ack(harness):
    accepted = harness.send_request()
    assert accepted.status is Status.ACCEPT
    request_id = accepted.message.request_id_ref
    assert accepted.message.origin_request_id_ref == request_id

    delivered = harness.call(harness.agency.control("GetRequest"))
    assert delivered.status is Status.REQUEST
    delivery = delivered.delivery
    assert delivery.message_id == request_id and delivery.delivery_count == 1
    verification, parsed = open_delivery(delivery, harness.trust)
    assert verification.sender.certificate.fingerprint_sha256 == \
        harness.mfc.cert.fingerprint_sha256
    assert parsed.message.sender.code == "MFCR00001"
    assert harness.call(harness.agency.control("Ack", request_id_ref=request_id)).status \
        is Status.ACCEPT

    answered = harness.call(harness.agency.envelope(
        "SendResponse", Status.RESULT, recipient=harness.mfc.org,
        request_id_ref=request_id, origin_request_id_ref=request_id,
        app_data=[payments_response()]))
    assert answered.status is Status.ACCEPT

    statuses = []
    while True:
        got = harness.call(harness.mfc.control("GetResponse", request_id_ref=request_id))
        if got.delivery is None:
            break
        statuses.append(got.status)
        _, inner = open_delivery(got.delivery, harness.trust)
        assert harness.call(harness.mfc.control("Ack", request_id_ref=got.delivery.message_id)
                            ).status is Status.ACCEPT
        if got.status is Status.RESULT:
            assert inner.message.sender.code == "SZNR00001"
            break
    assert statuses == [Status.STATE, Status.RESULT]

    again = harness.call(harness.mfc.control("GetResponse", request_id_ref=request_id))
    assert again.status is Status.RESULT, "an acknowledged final answer is read again (D8)"

    status = harness.call(harness.mfc.control("GetStatus", request_id_ref=request_id))
    assert status.status is Status.RESULT
    events = [e.findtext("{urn://smev-soap/types/1.0}Type")
              for e in status.types_element("History")]
    for expected in ("received", "queued", "delivered", "acked", "answered"):
        assert expected in events

    with harness.gateway.database.sessions() as session:
        assert len(history(session, request_id)) >= 8


def test_empty_queue_is_process_without_delivery(harness):
    got = harness.call(harness.agency.control("GetRequest"))
    assert got.status is Status.PROCESS and got.delivery is None


def test_queue_statistics(harness):
    harness.send_request()
    stats = harness.call(harness.agency.control("GetQueueStatistics"))
    assert stats.status is Status.RESULT
    queues = {q.findtext("{urn://smev-soap/types/1.0}Name"):
              q.findtext("{urn://smev-soap/types/1.0}Pending")
              for q in stats.types_element("QueueStatistics").iter(
                  "{urn://smev-soap/types/1.0}Queue")}
    assert queues == {"requests": "1", "responses": "0"}
