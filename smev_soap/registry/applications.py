"""Applications to connect a system (заявки на подключение, R15): submitted with the system's
details, certificate and requested kinds; the operator approves (the participant is registered
and granted the kinds) or refuses with a reason. Every step is journalled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from smev_soap.crypto import Certificate, CryptoError
from smev_soap.journal import EventType, record
from smev_soap.registry.certificates import check_new_certificates
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.grants import grant
from smev_soap.registry.kind_lookup import find_kind
from smev_soap.registry.models import CATEGORIES, CONSUMER, PROVIDER, Participant
from smev_soap.registry.participants import add_participant, check_code
from smev_soap.registry.reference_models import (
    APPROVED,
    REFUSED,
    SUBMITTED,
    ApplicationKind,
    ConnectionApplication,
)

ROLES = (CONSUMER, PROVIDER)
MAX_TEXT = 500


@dataclass(frozen=True)
class RequestedKind:
    """A kind of information asked for, by namespace and root element, in a role."""

    namespace: str
    root: str
    role: str


@dataclass(frozen=True)
class ApplicationStatus:
    """Where an application stands (for the applicant)."""

    id: int
    participant_code: str
    status: str
    reason: str | None
    submitted_at: datetime
    decided_at: datetime | None


def submit_application(
    session: Session,
    *,
    code: str,
    organisation: str,
    system_name: str,
    category: str,
    contacts: str,
    certificate: bytes,
    kinds: Sequence[RequestedKind],
    actor: str,
) -> ConnectionApplication:
    """Record an application; ``certificate`` is PEM or DER, ``category`` the kind of system
    (federal, regional, municipal, mfc, portal). Refused when the code or certificate is taken,
    an application for the code or with the certificate is open, or a kind is unknown."""
    check_code(code)
    details = {"organisation": organisation, "system name": system_name, "contacts": contacts}
    for label, value in details.items():
        if not value.strip() or len(value) > MAX_TEXT:
            raise RegistryError(f"the {label} must be 1 to {MAX_TEXT} characters")
    if category not in CATEGORIES:
        raise RegistryError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    try:
        parsed = Certificate.load(certificate)
    except CryptoError as error:
        raise RegistryError(f"the certificate is not readable: {error}") from None
    if session.get(Participant, code) is not None:
        raise RegistryError(f"participant {code} is already registered")
    if _open_application(session, code) is not None:
        raise RegistryError(f"an application for {code} is already awaiting a decision")
    if _open_application_of(session, parsed.fingerprint_sha256) is not None:
        # one certificate, one open application: no reserving codes wholesale
        raise RegistryError("an application with this certificate is already awaiting a decision")
    check_new_certificates(session, [parsed])
    _check_kinds(session, kinds)
    application = ConnectionApplication(
        participant_code=code, organisation=organisation.strip(),
        system_name=system_name.strip(), category=category, contacts=contacts.strip(),
        certificate_der=parsed.der, certificate_fingerprint=parsed.fingerprint_sha256,
        certificate_subject=parsed.subject, status=SUBMITTED, submitted_by=actor,
        submitted_at=datetime.now(UTC),
        kinds=[ApplicationKind(namespace=k.namespace, root_element=k.root, role=k.role)
               for k in kinds],
    )
    session.add(application)
    session.flush()
    record(session, EventType.REGISTRY_CHANGE, participant=code, actor=actor,
           detail=f"application {application.id} submitted for {code}: {_described(kinds)}")
    return application


def approve_application(session: Session, application_id: int, actor: str) -> ConnectionApplication:
    """Register the participant with its certificate and grant it the requested kinds."""
    application = _awaiting(session, application_id)
    code = application.participant_code
    add_participant(session, code, application.organisation,
                    [Certificate(application.certificate_der)], actor,
                    system_name=application.system_name, category=application.category,
                    contacts=application.contacts)
    for entry in application.kinds:
        kind = find_kind(session, entry.namespace, entry.root_element)
        if kind is None:
            raise RegistryError(f"kind {{{entry.namespace}}}{entry.root_element} is no longer "
                                "registered; refuse the application")
        grant(session, code, kind, entry.role, actor)
    _decide(application, APPROVED, None, actor)
    registry_changed(session, actor, f"application {application.id} approved: {code} connected",
                     code)
    return application


def refuse_application(
    session: Session, application_id: int, reason: str, actor: str
) -> ConnectionApplication:
    """Refuse an application, saying why."""
    if not reason.strip():
        raise RegistryError("refusing an application needs a reason")
    application = _awaiting(session, application_id)
    _decide(application, REFUSED, reason.strip(), actor)
    record(session, EventType.REGISTRY_CHANGE, participant=application.participant_code,
           actor=actor, detail=f"application {application.id} refused: {reason.strip()}")
    return application


def get_application(session: Session, application_id: int) -> ConnectionApplication:
    application = session.get(ConnectionApplication, application_id,
                              options=[selectinload(ConnectionApplication.kinds)])
    if application is None:
        raise RegistryError(f"application {application_id} does not exist")
    return application


def application_status(session: Session, application_id: int) -> ApplicationStatus:
    a = get_application(session, application_id)
    return ApplicationStatus(a.id, a.participant_code, a.status, a.reason, a.submitted_at,
                             a.decided_at)


def list_applications(session: Session, status: str | None = None) -> list[ConnectionApplication]:
    """Applications, newest first, optionally of one status."""
    query = select(ConnectionApplication).options(selectinload(ConnectionApplication.kinds))
    if status is not None:
        query = query.where(ConnectionApplication.status == status)
    return list(session.scalars(query.order_by(ConnectionApplication.id.desc())))


def _open_application(session: Session, code: str) -> ConnectionApplication | None:
    return session.scalars(select(ConnectionApplication).where(
        ConnectionApplication.participant_code == code,
        ConnectionApplication.status == SUBMITTED)).first()


def _open_application_of(session: Session, fingerprint: str) -> ConnectionApplication | None:
    return session.scalars(select(ConnectionApplication).where(
        ConnectionApplication.certificate_fingerprint == fingerprint,
        ConnectionApplication.status == SUBMITTED)).first()


def _awaiting(session: Session, application_id: int) -> ConnectionApplication:
    application = get_application(session, application_id)
    if application.status != SUBMITTED:
        raise RegistryError(f"application {application_id} is already {application.status}")
    return application


def _decide(application: ConnectionApplication, status: str, reason: str | None,
            actor: str) -> None:
    application.status, application.reason = status, reason
    application.decided_by, application.decided_at = actor, datetime.now(UTC)


def _check_kinds(session: Session, kinds: Sequence[RequestedKind]) -> None:
    if not kinds:
        raise RegistryError("an application asks for at least one kind of information")
    if len(set(kinds)) != len(kinds):
        raise RegistryError("a kind is requested twice in the same role")
    for kind in kinds:
        if kind.role not in ROLES:
            raise RegistryError(f"role must be one of {', '.join(ROLES)}, not {kind.role!r}")
        registered(find_kind(session, kind.namespace, kind.root),
                   f"kind {{{kind.namespace}}}{kind.root}")


def _described(kinds: Sequence[RequestedKind]) -> str:
    return ", ".join(f"{k.role} of {{{k.namespace}}}{k.root}" for k in kinds)
