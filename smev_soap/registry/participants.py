"""Participants (участники) and their certificates: registration, blocking, authorship lookup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.models import (
    ACTIVE,
    BLOCKED,
    Participant,
    ParticipantCertificate,
)

CODE_PATTERN = re.compile(r"[A-Z0-9]{4}\d{5}")


class CertificateInfo(Protocol):
    """What the registry keeps of a certificate (``smev_soap.crypto.Certificate`` fits)."""

    fingerprint_sha256: str
    subject: str
    not_before: datetime
    not_after: datetime
    der: bytes


def normalise_fingerprint(fingerprint: str) -> str:
    """Lower-case hex without separators."""
    return fingerprint.replace(":", "").strip().lower()


def check_code(code: str) -> str:
    if not CODE_PATTERN.fullmatch(code):
        raise RegistryError(f"participant code {code!r} does not match [A-Z0-9]{{4}}\\d{{5}}")
    return code


def add_participant(
    session: Session, code: str, name: str, certificates: Sequence[CertificateInfo], actor: str
) -> Participant:
    """Register an active participant with its certificates (at least one)."""
    check_code(code)
    if not name.strip():
        raise RegistryError("a participant needs a name")
    if not certificates:
        raise RegistryError(f"participant {code}: at least one certificate is required")
    if session.get(Participant, code) is not None:
        raise RegistryError(f"participant {code} is already registered")
    _check_new_certificates(session, certificates)
    participant = Participant(code=code, name=name.strip(), status=ACTIVE,
                              status_changed_by=actor, status_changed_at=datetime.now(UTC))
    session.add(participant)
    for certificate in certificates:
        session.add(_certificate_row(code, certificate))
    registry_changed(session, actor, f"participant {code} added: {name.strip()}", code)
    return participant


def add_certificate(
    session: Session, code: str, certificate: CertificateInfo, actor: str
) -> ParticipantCertificate:
    """Register one more certificate to an existing participant."""
    _require(session, code)
    _check_new_certificates(session, [certificate])
    row = _certificate_row(code, certificate)
    session.add(row)
    registry_changed(session, actor, f"certificate {row.fingerprint} added to {code}", code)
    return row


def block_participant(session: Session, code: str, reason: str, actor: str) -> Participant:
    """Restrict a participant's work (R15); takes effect on its next request (D21)."""
    if not reason.strip():
        raise RegistryError("blocking needs a reason")
    return _set_status(session, code, BLOCKED, reason.strip(), actor)


def unblock_participant(session: Session, code: str, actor: str) -> Participant:
    return _set_status(session, code, ACTIVE, None, actor)


def get_participant(session: Session, code: str) -> Participant | None:
    return session.get(Participant, code)


def list_participants(session: Session) -> list[Participant]:
    return list(session.scalars(select(Participant).order_by(Participant.code)))


def participant_for_certificate(session: Session, fingerprint: str) -> Participant | None:
    """The participant a certificate is registered to (any status), by SHA-256 fingerprint."""
    return session.scalars(
        select(Participant)
        .join(ParticipantCertificate)
        .where(ParticipantCertificate.fingerprint == normalise_fingerprint(fingerprint))
    ).first()


def _require(session: Session, code: str) -> Participant:
    participant = session.get(Participant, code)
    if participant is None:
        raise RegistryError(f"participant {code} is not registered")
    return participant


def _set_status(
    session: Session, code: str, status: str, reason: str | None, actor: str
) -> Participant:
    participant = _require(session, code)
    if participant.status == status:
        raise RegistryError(f"participant {code} is already {status}")
    participant.status = status
    participant.status_reason = reason
    participant.status_changed_by = actor
    participant.status_changed_at = datetime.now(UTC)
    detail = f"participant {code} {status}" + (f": {reason}" if reason else "")
    registry_changed(session, actor, detail, code)
    return participant


def _check_new_certificates(session: Session, certificates: Sequence[CertificateInfo]) -> None:
    fingerprints = [normalise_fingerprint(c.fingerprint_sha256) for c in certificates]
    if len(set(fingerprints)) != len(fingerprints):
        raise RegistryError("the same certificate is given twice")
    owners = session.execute(
        select(ParticipantCertificate.fingerprint, ParticipantCertificate.participant_code)
        .where(ParticipantCertificate.fingerprint.in_(fingerprints))
    ).first()
    if owners is not None:
        raise RegistryError(f"certificate {owners[0]} is already registered to {owners[1]}")


def _certificate_row(code: str, certificate: CertificateInfo) -> ParticipantCertificate:
    return ParticipantCertificate(
        fingerprint=normalise_fingerprint(certificate.fingerprint_sha256),
        participant_code=code,
        subject=certificate.subject,
        not_before=certificate.not_before,
        not_after=certificate.not_after,
        der=certificate.der,
    )
