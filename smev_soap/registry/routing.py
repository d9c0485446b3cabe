"""Routing a request to its provider (D9)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.errors import SmevRefusal
from smev_soap.registry.access import is_granted
from smev_soap.registry.models import (
    ACTIVE,
    PROVIDER,
    KindOfInformation,
    KindProvider,
    Participant,
)


def route(
    session: Session, kind: KindOfInformation, recipient_code: str | None, oktmo: str | None
) -> str:
    """The provider that gets the request.

    Only active providers whose agreement grants the kind as provider count.
    ``Recipient/Code`` when it is an active provider of the kind; else the sole active provider;
    else the active provider whose OKTMO prefix matches ``Message/OKTMO`` longest (unique);
    else RSMEV-307 (RSMEV-302 when the kind has no active provider at all).
    """
    providers = [
        (code, prefix) for code, prefix in session.execute(
            select(KindProvider.participant_code, KindProvider.oktmo_prefix)
            .join(Participant, Participant.code == KindProvider.participant_code)
            .where(KindProvider.kind_id == kind.id, Participant.status == ACTIVE)
        ).all()
        # a provider whose agreement does not (or no longer) grant the kind gets nothing (R11)
        if is_granted(session, code, kind, PROVIDER)
    ]
    codes = {code for code, _ in providers}
    if not codes:
        raise SmevRefusal("RSMEV-302", f"no active provider of {kind.namespace}")
    if recipient_code in codes:
        return recipient_code
    if len(codes) == 1:
        return next(iter(codes))
    if oktmo:
        matches = [(len(prefix), code) for code, prefix in providers
                   if prefix and oktmo.startswith(prefix)]
        if matches:
            longest = max(length for length, _ in matches)
            best = {code for length, code in matches if length == longest}
            if len(best) == 1:
                return best.pop()
    raise SmevRefusal(
        "RSMEV-307", f"{len(codes)} providers of {kind.namespace}, OKTMO {oktmo or 'absent'}"
    )
