"""``grant``: the shortcut that puts one kind into a participant's agreement (D17).

It extends the agreement valid today, or creates an open-ended one from today numbered
``CODE/n`` when the participant has none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from smev_soap.registry.agreement_models import AgreementKind
from smev_soap.registry.agreements import (
    agreement_count,
    current_agreement,
    get_agreement,
    new_agreement,
    put_kind_entry,
)
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import registered
from smev_soap.registry.models import KindOfInformation, Participant
from smev_soap.registry.validity import today


def grant(
    session: Session,
    participant_code: str,
    kind: KindOfInformation,
    role: str,
    actor: str,
    *,
    allow_test: bool = False,
) -> AgreementKind:
    """Grant (or re-grant with a new ``allow_test``) a role on a kind to a participant."""
    entry = put_grant(session, participant_code, kind, role, actor, allow_test=allow_test)
    test = " with test traffic" if allow_test else ""
    registry_changed(
        session, actor,
        f"{participant_code} granted {role} of {kind.label} in agreement "
        f"{entry.agreement.number}{test}",
        participant_code,
    )
    return entry


def put_grant(
    session: Session,
    participant_code: str,
    kind: KindOfInformation,
    role: str,
    actor: str,
    *,
    allow_test: bool = False,
) -> AgreementKind:
    """Create or update the entry in the current agreement (created when there is none)."""
    registered(session.get(Participant, participant_code), f"participant {participant_code}")
    agreement = current_agreement(session, participant_code)
    if agreement is None:
        start = today()
        agreement = new_agreement(session, _free_number(session, participant_code),
                                  participant_code, actor, signed_on=start, valid_from=start)
    return put_kind_entry(agreement, kind, role, allow_test=allow_test)


def _free_number(session: Session, participant_code: str) -> str:
    """``CODE/n``: the first free number from the participant's agreement count on."""
    n = agreement_count(session, participant_code) + 1
    while get_agreement(session, f"{participant_code}/{n}") is not None:
        n += 1
    return f"{participant_code}/{n}"
