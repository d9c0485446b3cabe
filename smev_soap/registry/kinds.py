"""Kinds of information (реестр видов сведений): registration, new versions, changes, withdrawal.

A new version of a kind is a kind of its own with a new namespace URI (…/1.0.0 → …/1.1.0):
consumers of the old version keep their agreements and schema until they move.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.agreement_models import Agreement, AgreementKind
from smev_soap.registry.attributes import derive_attributes
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.classified import is_classified
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.grants import put_grant
from smev_soap.registry.kind_lookup import get_kind
from smev_soap.registry.models import (
    ACTIVE,
    CONSUMER,
    FEDERAL,
    PROVIDER,
    PUBLIC,
    REGIONAL,
    RESTRICTED,
    STATE_SECRET,
    WITHDRAWN,
    KindOfInformation,
    KindProvider,
    Participant,
)
from smev_soap.registry.schemas import check_xsd, xsd_sha256
from smev_soap.registry.service_models import ElectronicService

OKTMO_PREFIX = re.compile(r"\d{1,11}")
VERSION = re.compile(r"\d+(?:\.\d+){1,2}")
VERSION_IN_NAMESPACE = re.compile(r"[/:](\d+(?:\.\d+){1,2})/?$")
DEFAULT_VERSION = "1.0"
CLASSIFICATIONS = (PUBLIC, RESTRICTED)
SCOPES = (REGIONAL, FEDERAL)
#: Details ``update_kind`` may change.
DETAILS = ("name", "classification", "scope", "strict_attachments")


def add_kind(
    session: Session,
    namespace: str,
    root: str,
    xsd: str,
    providers: Sequence[tuple[str, str | None]],
    actor: str,
    *,
    name: str | None = None,
    version: str | None = None,
    classification: str = PUBLIC,
    scope: str = REGIONAL,
    service_mnemonic: str | None = None,
    strict_attachments: bool = True,
    multi_root: bool = False,
) -> KindOfInformation:
    """Register a kind with its XSD and providers ``(code, OKTMO prefix or None)``.

    The version defaults to the one ending the namespace URI. Every provider gets the provider
    role in its agreement. Refused (nothing written) on a duplicate kind or mnemonic, a classified
    namespace/root or a state-secret classification, a bad XSD or an unknown provider.
    """
    label = f"{{{namespace}}}{root}"
    if is_classified(session, namespace, root):
        raise RegistryError(f"{label} is on the classified list and cannot be registered")
    _check_classification(classification, label)
    if scope not in SCOPES:
        raise RegistryError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if get_kind(session, namespace, root) is not None:
        raise RegistryError(f"kind {label} is already registered")
    if service_mnemonic:
        _check_mnemonic_free(session, service_mnemonic)
    _check_providers(session, providers)
    check_xsd(xsd, namespace, root)
    kind = KindOfInformation(
        namespace=namespace, root_element=root, name=(name or "").strip() or root,
        version=_version(namespace, version), classification=classification, scope=scope,
        status=ACTIVE, xsd=xsd, xsd_sha256=xsd_sha256(xsd),
        service_mnemonic=service_mnemonic or None, strict_attachments=strict_attachments,
        multi_root=multi_root, created_at=datetime.now(UTC),
    )
    kind.providers = [KindProvider(participant_code=code, oktmo_prefix=oktmo)
                      for code, oktmo in providers]
    session.add(kind)
    session.flush()
    derive_attributes(session, kind, actor)
    for code in dict.fromkeys(code for code, _ in providers):
        put_grant(session, code, kind, PROVIDER, actor)
    described = ", ".join(code + (f":{oktmo}" if oktmo else "") for code, oktmo in providers)
    registry_changed(session, actor, f"kind {label} version {kind.version} added, "
                                     f"providers {described}")
    return kind


def add_kind_version(
    session: Session, previous: KindOfInformation, namespace: str, xsd: str, actor: str,
    *, version: str | None = None,
) -> KindOfInformation:
    """Register a new version of ``previous`` in ``namespace``, beside it (same root, name,
    classification, scope and providers; no service mnemonic: that stays with ``previous``)."""
    new_version = _version(namespace, version)
    if namespace == previous.namespace or new_version == previous.version:
        raise RegistryError(f"a new version of {previous.label} needs its own namespace URI and "
                            f"version (not {new_version})")
    return add_kind(
        session, namespace, previous.root_element, xsd,
        [(p.participant_code, p.oktmo_prefix) for p in previous.providers], actor,
        name=previous.name, version=new_version, classification=previous.classification,
        scope=previous.scope, strict_attachments=previous.strict_attachments,
        multi_root=previous.multi_root,
    )


def update_kind(session: Session, kind: KindOfInformation, actor: str,
                **details: str | bool | None) -> KindOfInformation:
    """Change a kind's ``name``, ``classification``, ``scope`` or ``strict_attachments``."""
    unknown = sorted(set(details) - set(DETAILS))
    if unknown:
        raise RegistryError(f"a kind has no detail {', '.join(unknown)}")
    changes = {key: value for key, value in details.items()
               if value is not None and value != getattr(kind, key)}
    if not changes:
        raise RegistryError(f"kind {kind.label}: nothing to change")
    if "name" in changes and not str(changes["name"]).strip():
        raise RegistryError("a kind needs a name")
    if "classification" in changes:
        _check_classification(str(changes["classification"]), kind.label)
        if changes["classification"] == RESTRICTED:
            _check_consumers_handle_restricted(session, kind)
    if "scope" in changes and changes["scope"] not in SCOPES:
        raise RegistryError(f"scope must be one of {', '.join(SCOPES)}, not {changes['scope']!r}")
    for key, value in changes.items():
        setattr(kind, key, value)
    registry_changed(session, actor, f"kind {kind.label} updated: {', '.join(changes)}")
    return kind


def withdraw_kind(session: Session, kind: KindOfInformation, actor: str) -> KindOfInformation:
    """Withdraw a kind: its traffic is refused as unregistered (RSMEV-303) from now on."""
    if kind.status == WITHDRAWN:
        raise RegistryError(f"kind {kind.label} is already {WITHDRAWN}")
    kind.status = WITHDRAWN
    registry_changed(session, actor, f"kind {kind.label} withdrawn")
    return kind


def _version(namespace: str, version: str | None) -> str:
    if version is None:
        found = VERSION_IN_NAMESPACE.search(namespace)
        return found.group(1) if found else DEFAULT_VERSION
    if not VERSION.fullmatch(version):
        raise RegistryError(f"version {version!r} is not like 1.0 or 1.0.0")
    return version


def _check_classification(classification: str, label: str) -> None:
    if classification == STATE_SECRET:
        raise RegistryError(f"{label}: information classified as a state secret cannot be "
                            "registered (R20)")
    if classification not in CLASSIFICATIONS:
        raise RegistryError(f"classification must be one of {', '.join(CLASSIFICATIONS)}, "
                            f"not {classification!r}")


def _check_consumers_handle_restricted(session: Session, kind: KindOfInformation) -> None:
    unprepared = list(session.scalars(
        select(Agreement.number).join(AgreementKind)
        .where(AgreementKind.kind_id == kind.id, AgreementKind.role == CONSUMER,
               Agreement.restricted_handling.is_(None))
    ))
    if unprepared:
        raise RegistryError(f"kind {kind.label} cannot become restricted: agreement(s) "
                            f"{', '.join(unprepared)} consume it without stating the handling "
                            "of restricted information")


def _check_mnemonic_free(session: Session, mnemonic: str) -> None:
    if session.scalars(select(KindOfInformation.id)
                       .where(KindOfInformation.service_mnemonic == mnemonic)).first():
        raise RegistryError(f"service mnemonic {mnemonic!r} is already taken")
    sid = session.scalars(select(ElectronicService.sid)
                          .where(ElectronicService.mnemonic == mnemonic)).first()
    if sid is not None:
        raise RegistryError(f"service mnemonic {mnemonic!r} is already taken by service {sid}")


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
