"""Finding kinds of information: by payload root, by service mnemonic, by an operator's name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from smev_soap.registry.errors import RegistryError
from smev_soap.registry.models import ACTIVE, KindOfInformation
from smev_soap.registry.service_models import ElectronicService, service_kind


def find_kind(session: Session, namespace: str, root: str) -> KindOfInformation | None:
    """The active kind routed by AppData's root element ``{namespace}root`` (not withdrawn)."""
    kind = get_kind(session, namespace, root)
    return kind if kind is not None and kind.status == ACTIVE else None


def get_kind(session: Session, namespace: str, root: str) -> KindOfInformation | None:
    """The kind ``{namespace}root`` in any status."""
    return session.scalars(
        select(KindOfInformation).where(
            KindOfInformation.namespace == namespace, KindOfInformation.root_element == root
        )
    ).first()


def find_kind_by_service(session: Session, mnemonic: str) -> KindOfInformation | None:
    """The active kind a message addressed by ``Service/Mnemonic`` (or ``ServiceName``) means.

    A kind's own service mnemonic first; else the kind of the newest active electronic service
    with that mnemonic, when that service serves exactly one active kind.
    """
    kind = session.scalars(
        select(KindOfInformation).where(KindOfInformation.service_mnemonic == mnemonic,
                                        KindOfInformation.status == ACTIVE)
    ).first()
    if kind is not None:
        return kind
    service_id = session.scalars(
        select(ElectronicService.id)
        .where(ElectronicService.mnemonic == mnemonic, ElectronicService.status == ACTIVE)
        .order_by(ElectronicService.id.desc()).limit(1)
    ).first()
    if service_id is None:
        return None
    kinds = list(session.scalars(
        select(KindOfInformation)
        .join(service_kind, service_kind.c.kind_id == KindOfInformation.id)
        .where(service_kind.c.service_id == service_id, KindOfInformation.status == ACTIVE)
        .limit(2)
    ))
    return kinds[0] if len(kinds) == 1 else None


def resolve_kind(session: Session, namespace: str, root: str | None = None) -> KindOfInformation:
    """The kind named by namespace (and root, needed when the namespace has several kinds)."""
    query = select(KindOfInformation).where(KindOfInformation.namespace == namespace)
    if root is not None:
        query = query.where(KindOfInformation.root_element == root)
    kinds = list(session.scalars(query.limit(2)))
    if not kinds:
        raise RegistryError(f"no kind of information is registered in {namespace}"
                            + (f" with root {root}" if root else ""))
    if len(kinds) > 1:
        raise RegistryError(f"{namespace} has several kinds of information; name the root")
    return kinds[0]


def list_kinds(session: Session) -> list[KindOfInformation]:
    return list(session.scalars(
        select(KindOfInformation)
        .options(selectinload(KindOfInformation.providers))
        .order_by(KindOfInformation.namespace, KindOfInformation.root_element)
    ))
