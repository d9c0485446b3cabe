"""zeep, consuming ``?wsdl``, drives the whole exchange as the МФЦ and as the agency.

Signing is a zeep egress plugin over ``sign_envelope``; the gateway's signature is checked on the
tree zeep parsed (ingress plugin) and on the raw received bytes (``read_answer``).
"""

import base64

from interop_support import delivered_payload, emitted_problems, kind_schema, payload_bytes

from smev_soap.demo_agent import load_payments, payments_response
from smev_soap.demo_play import payments_request
from smev_soap.envelope.model import Status
from smev_soap.zeep_client import ZeepAnswer, ZeepParticipant

TYPES = "{urn://smev-soap/types/1.0}"


def checked(call: ZeepAnswer, status: Status, gateway, published) -> ZeepAnswer:
    """zeep and our reader agree on the answer, which is gateway-signed and schema-valid."""
    assert call.answer.status is status, (call.answer.error_code, call.answer.error_texts)
    message = call.result.Message
    assert message.Status == status.value
    assert message.Sender.Code == gateway.settings.gateway_code
    assert message.RequestIdRef == call.answer.message.request_id_ref
    assert call.answer.verification.sender.certificate.fingerprint_sha256 == gateway.fingerprint
    assert emitted_problems(call.received, published, gateway.trust) == []
    return call


def test_zeep_full_exchange(gateway, published):
    mfc = ZeepParticipant(gateway.wsdl_url, gateway.mfc, gateway.trust)
    agency = ZeepParticipant(gateway.wsdl_url, gateway.agency, gateway.trust)

    sent = checked(mfc.call("SendRequest", Status.REQUEST, recipient=gateway.agency.org,
                            app_data=[payments_request("12345678901")]),
                   Status.ACCEPT, gateway, published)
    request_id = sent.answer.message.request_id_ref
    accepted = sent.result.MessageData.AppData._value_1
    assert [element.tag for element in accepted] == [f"{TYPES}Accepted"], \
        "zeep hands xs:any content back as lxml elements"

    got = checked(agency.control("GetRequest"), Status.REQUEST, gateway, published)
    delivered_bytes, delivered = delivered_payload(got.answer, gateway.trust)
    assert delivered_bytes == payload_bytes(sent.sent), "the payload arrives byte-identical"
    assert kind_schema().validate(delivered)
    zeep_delivery = got.result.MessageData.AppData._value_1[0]
    assert base64.b64decode(zeep_delivery.findtext(f"{TYPES}Envelope")) == \
        got.answer.delivery.envelope

    answer = payments_response(delivered, load_payments())
    answered = checked(agency.call("SendResponse", Status.RESULT, recipient=gateway.mfc.org,
                        request_id_ref=request_id, origin_request_id_ref=request_id,
                        app_data=[answer]), Status.ACCEPT, gateway, published)
    checked(agency.control("Ack", request_id), Status.ACCEPT, gateway, published)

    statuses = []
    for _ in range(10):
        polled = mfc.control("GetResponse", request_id)
        checked(polled, polled.answer.status, gateway, published)
        if polled.answer.delivery is None:
            continue
        statuses.append(polled.answer.status)
        checked(mfc.control("Ack", polled.answer.delivery.message_id), Status.ACCEPT, gateway,
                published)
        if polled.answer.status is Status.RESULT:
            break
    assert statuses == [Status.STATE, Status.RESULT]
    result_bytes, result = delivered_payload(polled.answer, gateway.trust)
    assert kind_schema().validate(result)
    assert len(result.findall("{*}Payment")) == 4
    assert result_bytes == payload_bytes(answered.sent)
