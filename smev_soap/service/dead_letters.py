"""Dead letters (D7, R8): messages whose delivery attempts are exhausted, and their senders told.

A periodic job (the worker's) runs :func:`dead_letter_pass`. An item whose last allowed lease
(``SMEV_MAX_DELIVERIES``) expired unacknowledged moves to ``dead`` and is journalled
``dead_lettered``; the sender of a dead request (or cancellation) gets a gateway-signed ``NOTIFY``
status message with ``AppData/Error`` RSMEV-503. A dead answer or status message is only
journalled: its addressee is the one not acknowledging it.
"""

from __future__ import annotations

from datetime import datetime

from smev_soap.envelope.appdata import build_error
from smev_soap.envelope.model import Status
from smev_soap.errors import CODES
from smev_soap.journal.events import EventType, record
from smev_soap.queue import REQUEST, DeadLetter, expire_and_dead_letter
from smev_soap.service.delivery import send_status_message
from smev_soap.service.gateway import Gateway

UNDELIVERED = "RSMEV-503"


def dead_letter_pass(gateway: Gateway, now: datetime | None = None) -> list[DeadLetter]:
    """Dead-letter what expired for the last time (at ``now``), in one transaction."""
    error = CODES[UNDELIVERED]
    with gateway.database.transaction() as session:
        dead = expire_and_dead_letter(session, gateway.settings.max_deliveries, now)
        for letter in dead:
            message = letter.message
            detail = (f"{letter.owner_code} did not acknowledge {message.id} after "
                      f"{letter.delivery_count} deliveries")
            record(session, EventType.DEAD_LETTERED, participant=letter.owner_code,
                   actor=gateway.code, message_id=message.id, chain_id=message.chain_id,
                   error_code=UNDELIVERED, detail=detail)
            if message.message_class == REQUEST and message.sender_code != gateway.code:
                send_status_message(
                    session, gateway, message, Status.NOTIFY,
                    [build_error(error.code, error.ru, error.en, detail)],
                    f"{UNDELIVERED}: undelivered",
                )
    return dead
