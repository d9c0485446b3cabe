"""The registry: participants and certificates, electronic services, kinds of information,
agreements and the classified list (R2, R3, R11, R15, R20). Plain functions over a session;
every change bumps ``registry_version`` and is journalled with its author."""

from smev_soap.registry.access import is_granted
from smev_soap.registry.agreement_models import Agreement, AgreementKind, AgreementService
from smev_soap.registry.agreements import (
    add_agreement,
    add_agreement_kind,
    add_agreement_service,
    current_agreement,
    get_agreement,
    list_agreements,
    remove_agreement_kind,
    remove_agreement_service,
    update_agreement,
)
from smev_soap.registry.certificates import (
    add_certificate,
    participant_for_certificate,
    retire_certificate,
)
from smev_soap.registry.changes import registry_version
from smev_soap.registry.classified import add_classified, is_classified
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.grants import grant
from smev_soap.registry.kind_lookup import (
    find_kind,
    find_kind_by_service,
    get_kind,
    list_kinds,
    resolve_kind,
)
from smev_soap.registry.kinds import add_kind, add_kind_version, update_kind, withdraw_kind
from smev_soap.registry.models import (
    ACTIVE,
    BLOCKED,
    CONSUMER,
    PENDING,
    PROVIDER,
    RESTRICTED,
    SUSPENDED,
    WITHDRAWN,
    ClassifiedEntry,
    KindOfInformation,
    KindProvider,
    Participant,
    ParticipantCertificate,
)
from smev_soap.registry.participants import (
    activate_participant,
    add_participant,
    block_participant,
    get_participant,
    list_participants,
    suspend_participant,
    unblock_participant,
    update_participant,
)
from smev_soap.registry.routing import route
from smev_soap.registry.schemas import compiled_schema
from smev_soap.registry.service_models import ElectronicService
from smev_soap.registry.services import (
    add_service,
    get_service,
    list_services,
    record_probe,
    set_service_status,
    update_service,
)
from smev_soap.registry.validity import next_validity_change

__all__ = [
    "ACTIVE", "BLOCKED", "CONSUMER", "PENDING", "PROVIDER", "RESTRICTED", "SUSPENDED",
    "WITHDRAWN", "Agreement", "AgreementKind", "AgreementService", "ClassifiedEntry",
    "ElectronicService", "KindOfInformation", "KindProvider", "Participant",
    "ParticipantCertificate", "RegistryError",
    "activate_participant", "add_agreement", "add_agreement_kind", "add_agreement_service",
    "add_certificate", "add_classified", "add_kind", "add_kind_version", "add_participant",
    "add_service", "block_participant", "compiled_schema", "current_agreement",
    "find_kind", "find_kind_by_service", "get_agreement", "get_kind", "get_participant",
    "get_service", "grant", "is_classified", "is_granted", "list_agreements", "list_kinds",
    "list_participants", "list_services", "next_validity_change", "participant_for_certificate",
    "record_probe", "registry_version", "remove_agreement_kind", "remove_agreement_service",
    "resolve_kind", "retire_certificate", "route", "set_service_status", "suspend_participant",
    "unblock_participant", "update_agreement", "update_kind", "update_participant",
    "update_service", "withdraw_kind",
]
