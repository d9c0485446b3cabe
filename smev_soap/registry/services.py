"""Electronic services (реестр электронных сервисов, R2): registration, changes, status, health."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.models import (
    ACTIVE,
    SUSPENDED,
    WITHDRAWN,
    KindOfInformation,
    KindProvider,
    Participant,
)
from smev_soap.registry.schemas import parse_document
from smev_soap.registry.service_models import DELIVERY_MODES, ENDPOINT_MODES, ElectronicService

SID_PATTERN = re.compile(r"SID\d{7}")
VERSION = re.compile(r"\d+(?:\.\d+){0,2}")
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
MAX_WSDL_BYTES = 5 * 1024 * 1024
#: Details ``update_service`` may change.
DETAILS = ("name", "delivery", "endpoint_url", "wsdl")


def add_service(
    session: Session, sid: str, mnemonic: str, version: str, name: str, provider_code: str,
    actor: str, *, delivery: str = "queue", endpoint_url: str | None = None,
    wsdl: str | None = None, kinds: Sequence[KindOfInformation] = (),
) -> ElectronicService:
    """Register a provider's service; refused on a duplicate SID or mnemonic + version, an
    unknown provider, a kind the provider does not provide, a bad endpoint or WSDL."""
    if not SID_PATTERN.fullmatch(sid):
        raise RegistryError(f"service code {sid!r} is not SID followed by 7 digits")
    if not mnemonic.strip() or not name.strip():
        raise RegistryError("a service needs a mnemonic and a name")
    if not VERSION.fullmatch(version):
        raise RegistryError(f"version {version!r} is not like 1, 1.0 or 1.0.0")
    if get_service(session, sid) is not None:
        raise RegistryError(f"service {sid} is already registered")
    taken = session.scalars(select(ElectronicService.sid).where(
        ElectronicService.mnemonic == mnemonic, ElectronicService.version == version)).first()
    if taken is not None:
        raise RegistryError(f"service {mnemonic} version {version} is already registered as "
                            f"{taken}")
    if session.get(Participant, provider_code) is None:
        raise RegistryError(f"unknown provider {provider_code}: register the participant first")
    _check_kind_mnemonic(session, mnemonic, kinds)
    service = ElectronicService(
        sid=sid, mnemonic=mnemonic.strip(), version=version, name=name.strip(),
        provider_code=provider_code, status=ACTIVE, created_at=datetime.now(UTC),
    )
    _set_delivery(service, delivery, endpoint_url, wsdl)
    service.kinds = _checked_kinds(session, provider_code, kinds)
    session.add(service)
    registry_changed(session, actor, f"service {sid} {mnemonic} {version} of {provider_code} "
                                     f"added ({delivery})", provider_code)
    return service


def update_service(
    session: Session, sid: str, actor: str, *, kinds: Sequence[KindOfInformation] | None = None,
    **details: str | None,
) -> ElectronicService:
    """Change a service's ``name``, ``delivery``, ``endpoint_url``, ``wsdl`` or its kinds."""
    service = require_service(session, sid)
    unknown = sorted(set(details) - set(DETAILS))
    if unknown:
        raise RegistryError(f"a service has no detail {', '.join(unknown)}")
    changes = [key for key, value in details.items() if value != getattr(service, key)]
    if kinds is not None and {k.id for k in kinds} != {k.id for k in service.kinds}:
        _check_kind_mnemonic(session, service.mnemonic, kinds)
        changes.append("kinds")
    if not changes:
        raise RegistryError(f"service {sid}: nothing to change")
    name = (details.get("name", service.name) or "").strip()
    if not name:
        raise RegistryError("a service needs a name")
    checked = None if "kinds" not in changes else _checked_kinds(
        session, service.provider_code, kinds or ())
    _set_delivery(service, details.get("delivery", service.delivery),
                  details.get("endpoint_url", service.endpoint_url),
                  details.get("wsdl", service.wsdl))
    service.name = name
    if checked is not None:
        service.kinds = checked
    registry_changed(session, actor, f"service {sid} updated: {', '.join(changes)}",
                     service.provider_code)
    return service


def set_service_status(
    session: Session, sid: str, status: str, actor: str, reason: str | None = None
) -> ElectronicService:
    """Suspend (with a reason), resume (``active``) or withdraw (with a reason) a service."""
    service = require_service(session, sid)
    if status not in (ACTIVE, SUSPENDED, WITHDRAWN):
        raise RegistryError(f"a service is {ACTIVE}, {SUSPENDED} or {WITHDRAWN}, not {status!r}")
    if service.status == status:
        raise RegistryError(f"service {sid} is already {status}")
    if service.status == WITHDRAWN:
        raise RegistryError(f"service {sid} is withdrawn; register a new version instead")
    reason = (reason or "").strip() or None
    if status != ACTIVE and reason is None:
        raise RegistryError(f"a {status} service needs a reason")
    service.status, service.status_reason = status, reason
    registry_changed(session, actor, f"service {sid} {status}" + (f": {reason}" if reason else ""),
                     service.provider_code)
    return service


def record_probe(
    session: Session, sid: str, ok: bool, latency_ms: int | None, detail: str | None = None,
    *, at: datetime | None = None,
) -> ElectronicService:
    """Store a health probe's result (monitoring; not a registry change, no version bump)."""
    service = require_service(session, sid)
    service.last_probe_at = at or datetime.now(UTC)
    service.last_probe_ok = ok
    service.last_latency_ms = latency_ms
    service.last_probe_detail = detail
    return service


def get_service(session: Session, sid: str) -> ElectronicService | None:
    return session.scalars(select(ElectronicService).where(ElectronicService.sid == sid)).first()


def require_service(session: Session, sid: str) -> ElectronicService:
    return registered(get_service(session, sid), f"service {sid}")


def list_services(session: Session, provider_code: str | None = None) -> list[ElectronicService]:
    query = select(ElectronicService).order_by(ElectronicService.sid)
    if provider_code is not None:
        query = query.where(ElectronicService.provider_code == provider_code)
    return list(session.scalars(query))


def _set_delivery(service: ElectronicService, delivery: str | None, endpoint_url: str | None,
                  wsdl: str | None) -> None:
    """Check the delivery mode with its endpoint and WSDL, then set all three."""
    if delivery not in DELIVERY_MODES:
        raise RegistryError(f"delivery must be one of {', '.join(DELIVERY_MODES)}, "
                            f"not {delivery!r}")
    endpoint_url = (endpoint_url or "").strip() or None
    if delivery in ENDPOINT_MODES and endpoint_url is None:
        raise RegistryError(f"delivery {delivery} needs the provider's endpoint URL")
    if endpoint_url is not None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RegistryError(f"endpoint {endpoint_url!r} is not an http(s) URL")
    wsdl = (wsdl or "").strip() or None
    if wsdl is not None:
        _check_wsdl(wsdl)
    service.delivery, service.endpoint_url, service.wsdl = delivery, endpoint_url, wsdl


def _check_wsdl(wsdl: str) -> None:
    parse_document(wsdl, "WSDL", max_bytes=MAX_WSDL_BYTES, root_tag=f"{{{WSDL_NS}}}definitions",
                   root_name="wsdl:definitions")


def _checked_kinds(session: Session, provider_code: str, kinds: Sequence[KindOfInformation]
                   ) -> list[KindOfInformation]:
    provided = set(session.scalars(select(KindProvider.kind_id)
                                   .where(KindProvider.participant_code == provider_code)))
    for kind in kinds:
        if kind.status != ACTIVE:
            raise RegistryError(f"kind {kind.label} is {kind.status}")
        if kind.id not in provided:
            raise RegistryError(f"{provider_code} is not a provider of {kind.label}")
    return list({kind.id: kind for kind in kinds}.values())


def _check_kind_mnemonic(session: Session, mnemonic: str, kinds: Sequence[KindOfInformation]
                         ) -> None:
    """A mnemonic a kind already answers to belongs to services of that kind only."""
    owner = session.scalars(select(KindOfInformation)
                            .where(KindOfInformation.service_mnemonic == mnemonic)).first()
    if owner is not None and owner.id not in {kind.id for kind in kinds}:
        raise RegistryError(f"service mnemonic {mnemonic!r} belongs to kind {owner.label}; "
                            "the service must serve it")
