"""The registry: participants, certificates, kinds of information, providers, classified list
and access grants (R2, R3, R11, R15, R20). Plain functions over a SQLAlchemy session."""

from smev_soap.registry.changes import registry_version
from smev_soap.registry.classified import add_classified, is_classified
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.grants import grant, is_granted
from smev_soap.registry.kinds import (
    add_kind,
    find_kind,
    find_kind_by_service,
    list_kinds,
    resolve_kind,
)
from smev_soap.registry.models import (
    ACTIVE,
    BLOCKED,
    CONSUMER,
    PROVIDER,
    AccessGrant,
    ClassifiedEntry,
    KindOfInformation,
    KindProvider,
    Participant,
    ParticipantCertificate,
)
from smev_soap.registry.participants import (
    add_certificate,
    add_participant,
    block_participant,
    get_participant,
    list_participants,
    participant_for_certificate,
    unblock_participant,
)
from smev_soap.registry.routing import route
from smev_soap.registry.schemas import compiled_schema

__all__ = [
    "ACTIVE", "BLOCKED", "CONSUMER", "PROVIDER", "AccessGrant", "ClassifiedEntry",
    "KindOfInformation", "KindProvider", "Participant", "ParticipantCertificate", "RegistryError",
    "add_certificate", "add_classified", "add_kind", "add_participant", "block_participant",
    "compiled_schema", "find_kind", "find_kind_by_service", "get_participant", "grant",
    "is_classified", "is_granted", "list_kinds", "list_participants",
    "participant_for_certificate", "registry_version", "resolve_kind", "route",
    "unblock_participant",
]
