"""SendRequest, SendResponse and CancelRequest: messages that enter the queues.

Each runs policy and contract checks and writes the message, its queue item and its journal
events in one transaction (the hot path); the signed answer is built after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from smev_soap.envelope.appdata import build_accepted, build_history
from smev_soap.envelope.attachments import AttachmentLimits
from smev_soap.envelope.model import Status
from smev_soap.errors import SmevRefusal
from smev_soap.journal.events import EventType, entry, record
from smev_soap.queue import (
    REQUEST,
    RESPONSE,
    CancelOutcome,
    Queued,
    cancel,
    enqueue,
    find_duplicate,
    store_parts,
)
from smev_soap.queue import Message as QueuedMessage
from smev_soap.registry import CONSUMER, PROVIDER, KindOfInformation
from smev_soap.service import history as chain_history
from smev_soap.service.answers import answer
from smev_soap.service.contract import check_attachments, payload, validate_app_data
from smev_soap.service.delivery import send_status_message
from smev_soap.service.gateway import Gateway
from smev_soap.service.inbound import FUTURE_TOLERANCE, Inbound

ANSWER_STATUSES = frozenset({Status.RESULT, Status.REJECT, Status.PROCESS, Status.STATE,
                             Status.NOTIFY})
FINAL_STATUSES = frozenset({Status.RESULT.value, Status.REJECT.value})


def require_status(inbound: Inbound, *allowed: Status) -> None:
    status = inbound.message.status
    if status not in allowed:
        wanted = "/".join(s.value for s in allowed)
        raise SmevRefusal("RSMEV-112", f"{inbound.operation} takes Status {wanted}, not {status}")


def _limits(gateway: Gateway) -> AttachmentLimits:
    return AttachmentLimits(max_binary_size=gateway.settings.max_body_bytes)


def _kind_of(session: Session, inbound: Inbound, elements: list[etree._Element]
             ) -> KindOfInformation:
    """The kind named by the payload's root element, else by Service/Mnemonic or ServiceName."""
    if elements:
        root = etree.QName(elements[0])
        kind = inbound.registry.find_kind(session, root.namespace or "", root.localname)
        if kind is not None:
            return kind
    message = inbound.message
    mnemonic = message.service.mnemonic if message.service else message.service_name
    kind = inbound.registry.find_kind_by_service(session, mnemonic) if mnemonic else None
    if kind is None:
        what = etree.QName(elements[0]).text if elements else (mnemonic or "no payload")
        raise SmevRefusal("RSMEV-303", what)
    return kind


def _check_policy(session: Session, gateway: Gateway, inbound: Inbound,
                  kind: KindOfInformation, role: str) -> None:
    """State secrets (R20), test traffic (D14) and the participant's grant (R11)."""
    registry = inbound.registry
    if registry.is_classified(session, kind.namespace, kind.root_element):
        # The refusal rolls this transaction back; the service journals it with this detail.
        raise SmevRefusal("RSMEV-305", f"incident: classified kind {kind.namespace} in traffic "
                                       f"from {inbound.sender}")
    test_only = inbound.message.test_msg and gateway.settings.environment == "production"
    if not registry.is_granted(session, inbound.sender, kind, role):
        raise SmevRefusal("RSMEV-304", f"{inbound.sender} as {role} of {kind.namespace}")
    if test_only and not registry.is_granted(session, inbound.sender, kind, role, test=True):
        raise SmevRefusal("RSMEV-306", inbound.sender)


def _duplicate(session: Session, gateway: Gateway, inbound: Inbound,
               detail: str | None = None) -> QueuedMessage | None:
    """The message this one repeats within the idempotency window (D10), journalled."""
    # A Date may lie up to FUTURE_TOLERANCE ahead, so a copy stays fresh that much longer.
    window = timedelta(seconds=gateway.settings.idempotency_window) + FUTURE_TOLERANCE
    original_id = find_duplicate(session, inbound.sender, inbound.body_digest,
                                 datetime.now(UTC) - window)
    if original_id is None:
        return None
    original = session.get(QueuedMessage, original_id)
    record(session, EventType.DUPLICATE, participant=inbound.sender, message_id=original_id,
           chain_id=original.chain_id if original else None, digest=inbound.body_digest,
           detail=detail)
    return original


Accepted = tuple[QueuedMessage | Queued, list[etree._Element]]  # the message, ACCEPT extras


def _once(gateway: Gateway, inbound: Inbound,
          store: Callable[[Session], Accepted | None]) -> bytes:
    """Check and store a message, once (D10): a repeat gets the original's ACCEPT.

    The repeat is noticed when the unique key turns the copy away (``store`` returns None), or
    when the checks refuse it (the registry may have changed since the original): the happy
    path pays no lookup for it.
    """
    try:
        with gateway.transaction() as session:
            accepted = store(session)
            if accepted is None:
                accepted = (_original(session, gateway, inbound), [])
    except SmevRefusal as refusal:
        # The checks' verdict on the copy stays in the journal (an RSMEV-305 incident, say).
        with gateway.transaction() as session:
            original = _duplicate(session, gateway, inbound,
                                  f"checks now refuse it: {refusal.code} {refusal.detail}"[:2000])
        if original is None:
            raise
        accepted = (original, [])
    message, extra = accepted
    return _accept(gateway, inbound, message, extra)


def _original(session: Session, gateway: Gateway, inbound: Inbound) -> QueuedMessage:
    """The copy that went in first (the unique key said so)."""
    original = _duplicate(session, gateway, inbound)
    if original is None:  # the key is taken, yet by no message of the window
        raise SmevRefusal("RSMEV-111", "this signed Body was already accepted")
    return original


def _accept(gateway: Gateway, inbound: Inbound, message: QueuedMessage | Queued,
            extra: list[etree._Element] = ()) -> bytes:
    return answer(gateway, inbound.addressee, Status.ACCEPT, request_id_ref=message.id,
                  origin_request_id_ref=message.chain_id,
                  app_data=[build_accepted(message.id), *extra])


def _queue_inbound(session: Session, inbound: Inbound, *, recipient: str, message_class: str,
                   status: str, event: EventType, **fields: Any) -> Queued | None:
    """Queue the received message for ``recipient``, journalled with it as received, verified
    and ``event`` (None when a copy of it is stored already, see :func:`enqueue`)."""
    events = [
        entry(step, participant=who, actor=inbound.sender, digest=inbound.body_digest,
              detail=f"{status} {message_class}")
        for step, who in ((EventType.RECEIVED, inbound.sender),
                          (EventType.VERIFIED, inbound.sender), (event, recipient))
    ]
    return enqueue(session, sender=inbound.sender, recipient=recipient,
                   message_class=message_class, status=status, envelope=inbound.envelope,
                   body_digest=inbound.body_digest, events=events, **fields)


def _joined_chain(session: Session, inbound: Inbound) -> str | None:
    """The chain ``OriginRequestIdRef`` names, when the sender is a party of its first request.

    A provider asking another provider on behalf of its consumer continues the consumer's chain;
    anybody else naming a chain would join its history (GetStatus) and is given a new one.
    """
    origin_id = inbound.message.origin_request_id_ref
    origin = session.get(QueuedMessage, origin_id) if origin_id else None
    if origin is None:
        return None
    root = session.get(QueuedMessage, origin.chain_id) or origin
    if inbound.sender not in (root.sender_code, root.recipient_code):
        return None
    return root.chain_id


def _check_request_root(kind: KindOfInformation, elements: list[etree._Element]) -> None:
    """A request carries the kind's request root (D2): not nothing, not another global element
    of its schema (its answer, say), when the kind was named by Service/Mnemonic instead."""
    if not elements:
        raise SmevRefusal("RSMEV-401", "AppData holds no element")
    root = etree.QName(elements[0])
    if not kind.multi_root and (root.namespace, root.localname) != (kind.namespace,
                                                                     kind.root_element):
        raise SmevRefusal("RSMEV-400", f"{root.text} is not the request root "
                                       f"{{{kind.namespace}}}{kind.root_element} of the kind")


def send_request(gateway: Gateway, inbound: Inbound) -> bytes:
    """A consumer's request: routed to a provider's request queue; answered ACCEPT + id."""
    require_status(inbound, Status.REQUEST)
    return _once(gateway, inbound, lambda session: _store_request(session, gateway, inbound))


def _store_request(session: Session, gateway: Gateway, inbound: Inbound) -> Accepted | None:
    message = inbound.message
    elements = payload(inbound.parsed.app_data)
    kind = _kind_of(session, inbound, elements)
    _check_policy(session, gateway, inbound, kind, CONSUMER)
    provider = inbound.registry.route(session, kind, message.recipient.code, message.oktmo)
    _check_request_root(kind, elements)
    validate_app_data(kind, elements)
    warnings = check_attachments(kind, inbound.parsed.app_document, inbound.parts,
                                 _limits(gateway))
    queued = _queue_inbound(
        session, inbound, recipient=provider, message_class=REQUEST,
        status=Status.REQUEST.value, event=EventType.QUEUED, kind_id=kind.id,
        chain_id=_joined_chain(session, inbound), case_number=message.case_number,
        test=message.test_msg,
    )
    if queued is None:
        return None
    store_parts(session, queued.id, inbound.parts)
    return queued, warnings


def _answered_request(session: Session, inbound: Inbound) -> QueuedMessage:
    """The request ``RequestIdRef`` names, which only its recipient may answer."""
    request_id = inbound.message.request_id_ref
    if not request_id:
        raise SmevRefusal("RSMEV-113", "RequestIdRef names the request being answered")
    # Locked, so that two answers (or an answer and a cancellation) are decided one at a time.
    request = session.get(QueuedMessage, request_id, with_for_update=True)
    if request is None or request.message_class != REQUEST \
            or request.status != Status.REQUEST.value:
        raise SmevRefusal("RSMEV-500", f"request {request_id}")
    if request.recipient_code != inbound.sender:
        raise SmevRefusal("RSMEV-308", f"request {request_id} went to another provider")
    return request


def send_response(gateway: Gateway, inbound: Inbound) -> bytes:
    """A provider's answer to a request it received: queued for the request's sender."""
    require_status(inbound, *ANSWER_STATUSES)
    return _once(gateway, inbound, lambda session: _store_response(session, gateway, inbound))


def _store_response(session: Session, gateway: Gateway, inbound: Inbound) -> Accepted | None:
    message = inbound.message
    elements = payload(inbound.parsed.app_data)
    request = _answered_request(session, inbound)
    if chain_history.final_answer(session, request) is not None:
        raise SmevRefusal("RSMEV-502", f"request {request.id} already has its final answer")
    kind = session.get(KindOfInformation, request.kind_id) if request.kind_id else None
    if kind is not None:
        _check_policy(session, gateway, inbound, kind, PROVIDER)
        foreign = [e for e in elements if etree.QName(e).namespace != kind.namespace]
        if foreign:
            raise SmevRefusal("RSMEV-400", f"{etree.QName(foreign[0]).text} is not of "
                                           f"the kind {kind.namespace}")
        validate_app_data(kind, elements)
    warnings = check_attachments(kind, inbound.parsed.app_document, inbound.parts,
                                 _limits(gateway))
    queued = _queue_inbound(
        session, inbound, recipient=request.sender_code, message_class=RESPONSE,
        status=message.status.value, event=EventType.ANSWERED, kind_id=request.kind_id,
        chain_id=request.chain_id, request_id_ref=request.id, case_number=message.case_number,
        test=message.test_msg,
    )
    if queued is None:
        return None
    store_parts(session, queued.id, inbound.parts)
    return queued, warnings


def cancel_request(gateway: Gateway, inbound: Inbound) -> bytes:
    """Withdraw a request: dropped if not yet delivered, else the cancellation is delivered."""
    require_status(inbound, Status.CANCEL)
    request_id = inbound.message.request_id_ref
    if not request_id:
        raise SmevRefusal("RSMEV-113", "RequestIdRef names the request to cancel")
    with gateway.transaction() as session:
        session.get(QueuedMessage, request_id, with_for_update=True)  # one decision at a time
        outcome = cancel(session, inbound.sender, request_id)
        if outcome is CancelOutcome.NOT_FOUND:
            raise SmevRefusal("RSMEV-500", f"request {request_id} of {inbound.sender}")
        if outcome is CancelOutcome.CLOSED:
            raise SmevRefusal("RSMEV-502", f"request {request_id} is already cancelled")
        request = session.get(QueuedMessage, request_id)
        if outcome is CancelOutcome.DELIVERED:
            if chain_history.final_answer(session, request) is not None:
                raise SmevRefusal("RSMEV-502", f"request {request_id} is already answered")
            if chain_history.cancellation(session, request) is not None:
                raise SmevRefusal("RSMEV-502", f"request {request_id} is already cancelled")
            cancellation = _queue_inbound(
                session, inbound, recipient=request.recipient_code, message_class=REQUEST,
                status=Status.CANCEL.value, event=EventType.QUEUED, kind_id=request.kind_id,
                chain_id=request.chain_id, request_id_ref=request.id,
                case_number=request.case_number, test=request.test,
            )
            if cancellation is None:  # this very cancellation was queued before
                raise SmevRefusal("RSMEV-502", f"request {request_id} is already cancelled")
        record(session, EventType.CANCELLED, participant=inbound.sender, actor=inbound.sender,
               message_id=request.id, chain_id=request.chain_id, detail=outcome.value)
        notice = chain_history.event(request.id, "cancelled", inbound.sender, Status.CANCEL,
                                     detail=outcome.value)
        send_status_message(session, gateway, request, Status.STATE,
                            [build_history(request.id, [notice])], f"cancelled, {outcome.value}")
    return answer(gateway, inbound.addressee, Status.ACCEPT, request_id_ref=request.id,
                  origin_request_id_ref=request.chain_id)

