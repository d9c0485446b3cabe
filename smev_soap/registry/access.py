"""Access decisions of the single service (R11, D14): read from the agreements valid today."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smev_soap.registry.agreement_models import Agreement, AgreementKind, AgreementService
from smev_soap.registry.models import ACTIVE, KindOfInformation
from smev_soap.registry.service_models import ElectronicService, service_kind
from smev_soap.registry.validity import today


def is_granted(
    session: Session, participant_code: str, kind: KindOfInformation, role: str,
    *, test: bool = False,
) -> bool:
    """May the participant act in ``role`` on ``kind`` today (for test traffic, when ``test``)?

    Yes when its agreement valid today lists the kind, or an active electronic service serving
    it, for that role; test traffic also needs ``allow_test`` on the agreement or the kind entry.
    """
    if kind.status != ACTIVE:
        return False
    day = today()
    valid = (Agreement.participant_code == participant_code, Agreement.valid_from <= day,
             or_(Agreement.valid_to.is_(None), Agreement.valid_to >= day))
    by_kind = (
        select(AgreementKind.id).join(Agreement)
        .where(*valid, AgreementKind.kind_id == kind.id, AgreementKind.role == role)
    )
    if test:
        by_kind = by_kind.where(or_(Agreement.allow_test, AgreementKind.allow_test))
    if session.scalars(by_kind.limit(1)).first() is not None:
        return True
    by_service = (
        select(AgreementService.id).join(Agreement)
        .join(ElectronicService, ElectronicService.id == AgreementService.service_id)
        .join(service_kind, service_kind.c.service_id == AgreementService.service_id)
        .where(*valid, service_kind.c.kind_id == kind.id, AgreementService.role == role,
               ElectronicService.status == ACTIVE)
    )
    if test:
        by_service = by_service.where(Agreement.allow_test)
    return session.scalars(by_service.limit(1)).first() is not None
