"""Kinds of information (виды сведений): registration and hot-path lookups."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.classified import is_classified
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.grants import put_grant
from smev_soap.registry.models import PROVIDER, KindOfInformation, KindProvider, Participant
from smev_soap.registry.schemas import check_xsd, xsd_sha256

OKTMO_PREFIX = re.compile(r"\d{1,11}")


def add_kind(
    session: Session,
    namespace: str,
    root: str,
    xsd: str,
    providers: Sequence[tuple[str, str | None]],
    actor: str,
    *,
    name: str | None = None,
    service_mnemonic: str | None = None,
    strict_attachments: bool = True,
    multi_root: bool = False,
) -> KindOfInformation:
    """Register a kind with its XSD and providers ``(code, OKTMO prefix or None)``.

    Every provider is granted the provider role. Refused (nothing written) on a duplicate
    kind or mnemonic, a classified namespace/root, a bad XSD or an unknown provider.
    """
    label = f"{{{namespace}}}{root}"
    if is_classified(session, namespace, root):
        raise RegistryError(f"{label} is on the classified list and cannot be registered")
    if find_kind(session, namespace, root) is not None:
        raise RegistryError(f"kind {label} is already registered")
    if service_mnemonic and find_kind_by_service(session, service_mnemonic) is not None:
        raise RegistryError(f"service mnemonic {service_mnemonic!r} is already taken")
    _check_providers(session, providers)
    check_xsd(xsd, namespace, root)
    kind = KindOfInformation(
        namespace=namespace, root_element=root, name=name or root, xsd=xsd,
        xsd_sha256=xsd_sha256(xsd), service_mnemonic=service_mnemonic or None,
        strict_attachments=strict_attachments, multi_root=multi_root,
        created_at=datetime.now(UTC),
    )
    kind.providers = [KindProvider(participant_code=code, oktmo_prefix=oktmo)
                      for code, oktmo in providers]
    session.add(kind)
    session.flush()
    for code in dict.fromkeys(code for code, _ in providers):
        put_grant(session, code, kind, PROVIDER, actor)
    described = ", ".join(code + (f":{oktmo}" if oktmo else "") for code, oktmo in providers)
    registry_changed(session, actor, f"kind {label} added, providers {described}")
    return kind


def find_kind(session: Session, namespace: str, root: str) -> KindOfInformation | None:
    """The kind routed by AppData's root element ``{namespace}root``."""
    return session.scalars(
        select(KindOfInformation).where(
            KindOfInformation.namespace == namespace, KindOfInformation.root_element == root
        )
    ).first()


def find_kind_by_service(session: Session, mnemonic: str) -> KindOfInformation | None:
    """The kind a message addressed by ``Service/Mnemonic`` (or ``ServiceName``) means."""
    return session.scalars(
        select(KindOfInformation).where(KindOfInformation.service_mnemonic == mnemonic)
    ).first()


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


def _check_providers(session: Session, providers: Sequence[tuple[str, str | None]]) -> None:
    if not providers:
        raise RegistryError("a kind of information needs at least one provider")
    if len(set(providers)) != len(providers):
        raise RegistryError("a provider is given twice")
    for _, oktmo in providers:
        if oktmo is not None and not OKTMO_PREFIX.fullmatch(oktmo):
            raise RegistryError(f"OKTMO prefix {oktmo!r} is not 1 to 11 digits")
    codes = {code for code, _ in providers}
    known = set(session.scalars(select(Participant.code).where(Participant.code.in_(codes))))
    unknown = sorted(codes - known)
    if unknown:
        raise RegistryError(f"unknown provider {', '.join(unknown)}: register the participant first")
