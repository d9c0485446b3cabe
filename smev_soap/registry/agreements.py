"""Agreements (соглашения): registration, terms, and the kinds and services each one covers.

A participant has at most one valid agreement on any day: an overlapping one is refused.
Consuming a restricted kind needs the agreement to state how restricted information is handled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from smev_soap.registry.agreement_models import Agreement, AgreementKind, AgreementService
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.models import (
    ACTIVE,
    CONSUMER,
    PROVIDER,
    RESTRICTED,
    KindOfInformation,
    Participant,
)
from smev_soap.registry.service_models import ElectronicService
from smev_soap.registry.validity import today

ROLES = (CONSUMER, PROVIDER)
E = TypeVar("E", AgreementKind, AgreementService)
#: Terms ``add_agreement``/``update_agreement`` take besides the validity.
TERMS = ("connection_address", "officials", "message_structures", "restricted_handling")


def add_agreement(
    session: Session, number: str, participant_code: str, actor: str, *,
    signed_on: date, valid_from: date, valid_to: date | None = None, allow_test: bool = False,
    **terms: str | None,
) -> Agreement:
    """Register an agreement with no entries yet; refused when it overlaps another one."""
    agreement = new_agreement(session, number, participant_code, actor, signed_on=signed_on,
                              valid_from=valid_from, valid_to=valid_to, allow_test=allow_test,
                              **terms)
    registry_changed(session, actor, f"agreement {agreement.number} of {participant_code} added, "
                                     f"valid {_period(valid_from, valid_to)}", participant_code)
    return agreement


def new_agreement(
    session: Session, number: str, participant_code: str, actor: str, *,
    signed_on: date, valid_from: date, valid_to: date | None = None, allow_test: bool = False,
    **terms: str | None,
) -> Agreement:
    """Check and add an agreement without journalling (the caller notes the change)."""
    number = number.strip()
    if not number:
        raise RegistryError("an agreement needs a number")
    registered(session.get(Participant, participant_code), f"participant {participant_code}")
    if session.scalars(select(Agreement.id).where(Agreement.number == number)).first():
        raise RegistryError(f"agreement {number} is already registered")
    agreement = Agreement(
        number=number, participant_code=participant_code, signed_on=signed_on,
        valid_from=valid_from, valid_to=valid_to, allow_test=allow_test,
        created_by=actor, created_at=datetime.now(UTC), **_terms(terms),
    )
    _check_validity(session, agreement, valid_from, valid_to)
    session.add(agreement)
    return agreement


def update_agreement(
    session: Session, number: str, actor: str, *, valid_from: date | None = None,
    valid_to: date | None = None, open_ended: bool = False, allow_test: bool | None = None,
    **terms: str | None,
) -> Agreement:
    """Change an agreement's validity (``open_ended`` drops ``valid_to``), test flag or terms."""
    agreement = require_agreement(session, number)
    changes = {key: value for key, value in _terms(terms).items()
               if value != getattr(agreement, key)}
    for key, value in (("valid_from", valid_from), ("valid_to", valid_to),
                       ("allow_test", allow_test)):
        if value is not None and value != getattr(agreement, key):
            changes[key] = value
    if open_ended and agreement.valid_to is not None:
        changes["valid_to"] = None
    if not changes:
        raise RegistryError(f"agreement {number}: nothing to change")
    _check_validity(session, agreement, changes.get("valid_from", agreement.valid_from),
                    changes.get("valid_to", agreement.valid_to))
    if "restricted_handling" in changes and changes["restricted_handling"] is None and any(
            entry.role == CONSUMER and entry.kind.classification == RESTRICTED
            for entry in agreement.kinds):
        raise RegistryError(f"agreement {number} lets its participant consume restricted kinds: "
                            "the handling of restricted information cannot be removed")
    for key, value in changes.items():
        setattr(agreement, key, value)
    registry_changed(session, actor, f"agreement {number} updated: {', '.join(changes)}",
                     agreement.participant_code)
    return agreement


def add_agreement_kind(
    session: Session, number: str, kind: KindOfInformation, role: str, actor: str,
    *, allow_test: bool = False,
) -> AgreementKind:
    """Let the agreement's participant act in ``role`` on ``kind`` (or change ``allow_test``)."""
    agreement = require_agreement(session, number)
    entry = put_kind_entry(agreement, kind, role, allow_test=allow_test)
    test = " with test traffic" if allow_test else ""
    registry_changed(session, actor, f"agreement {number}: {role} of {kind.label}{test}",
                     agreement.participant_code)
    return entry


def remove_agreement_kind(
    session: Session, number: str, kind: KindOfInformation, role: str, actor: str
) -> None:
    agreement = require_agreement(session, number)
    _remove_entry(session, agreement, agreement.kinds, lambda e: e.kind_id == kind.id, role,
                  kind.label, actor)


def add_agreement_service(
    session: Session, number: str, service: ElectronicService, role: str, actor: str
) -> AgreementService:
    """Let the agreement's participant use ``service`` (every kind it serves) in ``role``."""
    agreement = require_agreement(session, number)
    _check_role(role)
    if service.status != ACTIVE:
        raise RegistryError(f"service {service.sid} is {service.status}")
    if any(e.service_id == service.id and e.role == role for e in agreement.services):
        raise RegistryError(f"agreement {number} already lists {role} of service {service.sid}")
    if role == CONSUMER and agreement.restricted_handling is None and any(
            kind.classification == RESTRICTED for kind in service.kinds):
        raise RegistryError(_restricted_message(agreement, f"service {service.sid}"))
    entry = AgreementService(service=service, role=role)
    agreement.services.append(entry)
    registry_changed(session, actor, f"agreement {number}: {role} of service {service.sid}",
                     agreement.participant_code)
    return entry


def remove_agreement_service(
    session: Session, number: str, service: ElectronicService, role: str, actor: str
) -> None:
    agreement = require_agreement(session, number)
    _remove_entry(session, agreement, agreement.services, lambda e: e.service_id == service.id,
                  role, f"service {service.sid}", actor)


def _remove_entry(
    session: Session, agreement: Agreement, entries: list[E], covers: Callable[[E], bool],
    role: str, what: str, actor: str,
) -> None:
    """Remove the ``role`` entry that ``covers`` the kind or service ``what`` names; journal it."""
    number = agreement.number
    entry = next((e for e in entries if covers(e) and e.role == role), None)
    if entry is None:
        raise RegistryError(f"agreement {number} has no {role} entry for {what}")
    entries.remove(entry)
    registry_changed(session, actor, f"agreement {number}: no longer {role} of {what}",
                     agreement.participant_code)


def put_kind_entry(
    agreement: Agreement, kind: KindOfInformation, role: str, *, allow_test: bool = False
) -> AgreementKind:
    """Create or update an entry without journalling (the caller notes the change)."""
    _check_role(role)
    if kind.status != ACTIVE:
        raise RegistryError(f"kind {kind.label} is {kind.status}")
    if (role == CONSUMER and kind.classification == RESTRICTED
            and agreement.restricted_handling is None):
        raise RegistryError(_restricted_message(agreement, f"restricted kind {kind.label}"))
    entry = next((e for e in agreement.kinds if e.kind_id == kind.id and e.role == role), None)
    if entry is None:
        entry = AgreementKind(kind=kind, role=role)
        agreement.kinds.append(entry)
    entry.allow_test = allow_test
    return entry


def get_agreement(session: Session, number: str) -> Agreement | None:
    return session.scalars(select(Agreement).where(Agreement.number == number)).first()


def require_agreement(session: Session, number: str) -> Agreement:
    return registered(get_agreement(session, number), f"agreement {number}")


def current_agreement(session: Session, participant_code: str, day: date | None = None
                      ) -> Agreement | None:
    """The participant's agreement valid on ``day`` (today by default)."""
    day = day or today()
    return session.scalars(
        select(Agreement).where(
            Agreement.participant_code == participant_code, Agreement.valid_from <= day,
            or_(Agreement.valid_to.is_(None), Agreement.valid_to >= day),
        )
    ).first()


def list_agreements(session: Session, participant_code: str | None = None) -> list[Agreement]:
    query = select(Agreement).order_by(Agreement.participant_code, Agreement.valid_from)
    if participant_code is not None:
        query = query.where(Agreement.participant_code == participant_code)
    return list(session.scalars(query))


def agreement_count(session: Session, participant_code: str) -> int:
    return session.scalar(select(func.count(Agreement.id))
                          .where(Agreement.participant_code == participant_code)) or 0


def _check_validity(session: Session, agreement: Agreement, valid_from: date,
                    valid_to: date | None) -> None:
    """Refuse a backwards period and one overlapping another agreement of the participant."""
    if valid_to is not None and valid_to < valid_from:
        raise RegistryError(f"agreement {agreement.number}: valid_to {valid_to} is before "
                            f"valid_from {valid_from}")
    query = select(Agreement).where(
        Agreement.participant_code == agreement.participant_code,
        or_(Agreement.valid_to.is_(None), Agreement.valid_to >= valid_from),
    )
    if valid_to is not None:
        query = query.where(Agreement.valid_from <= valid_to)
    if agreement.id is not None:
        query = query.where(Agreement.id != agreement.id)
    other = session.scalars(query.limit(1)).first()
    if other is not None:
        raise RegistryError(
            f"agreement {agreement.number} ({_period(valid_from, valid_to)}) overlaps agreement "
            f"{other.number} of {agreement.participant_code} "
            f"({_period(other.valid_from, other.valid_to)}): end that one first")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise RegistryError(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def _terms(terms: dict[str, str | None]) -> dict[str, str | None]:
    unknown = sorted(set(terms) - set(TERMS))
    if unknown:
        raise RegistryError(f"an agreement has no term {', '.join(unknown)}")
    return {key: (value.strip() or None) if value is not None else None
            for key, value in terms.items()}


def _period(valid_from: date, valid_to: date | None) -> str:
    return f"{valid_from} to {valid_to or 'open-ended'}"


def _restricted_message(agreement: Agreement, what: str) -> str:
    return (f"agreement {agreement.number} must state the handling of restricted information "
            f"before it covers {what}")
