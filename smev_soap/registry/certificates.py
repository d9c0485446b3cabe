"""Participants' signing certificates: registration with a validity, rotation, authorship lookup.

A certificate identifies its participant only while registered and within its registered
validity (``valid_from`` ≤ now < ``valid_to``). Keys rotate without downtime: register the new
certificate, let both work during the overlap, then retire the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.models import Participant, ParticipantCertificate


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


def add_certificate(
    session: Session, code: str, certificate: CertificateInfo, actor: str,
    *, valid_from: datetime | None = None, valid_to: datetime | None = None,
) -> ParticipantCertificate:
    """Register one more certificate to a participant, for its whole validity by default."""
    registered(session.get(Participant, code), f"participant {code}")
    check_new_certificates(session, [certificate])
    row = certificate_row(code, certificate, valid_from, valid_to)
    session.add(row)
    registry_changed(session, actor, f"certificate {row.fingerprint} added to {code}, valid "
                                     f"{row.valid_from:%Y-%m-%d %H:%M} to "
                                     f"{row.valid_to:%Y-%m-%d %H:%M}", code)
    return row


def retire_certificate(
    session: Session, fingerprint: str, actor: str, *, at: datetime | None = None
) -> ParticipantCertificate:
    """End a certificate's registered validity at ``at`` (now by default): the end of a rotation."""
    row = registered(session.get(ParticipantCertificate, normalise_fingerprint(fingerprint)),
                     f"certificate {fingerprint}")
    at = at or datetime.now(UTC)
    if at >= row.valid_to:
        raise RegistryError(f"certificate {row.fingerprint} is already valid only to "
                            f"{row.valid_to:%Y-%m-%d %H:%M}")
    row.valid_to = max(at, row.valid_from)
    registry_changed(session, actor, f"certificate {row.fingerprint} of {row.participant_code} "
                                     f"retired at {row.valid_to:%Y-%m-%d %H:%M}",
                     row.participant_code)
    return row


def participant_for_certificate(
    session: Session, fingerprint: str, *, at: datetime | None = None
) -> Participant | None:
    """The participant (any status) a certificate is registered to and valid for at ``at``."""
    at = at or datetime.now(UTC)
    return session.scalars(
        select(Participant)
        .join(ParticipantCertificate)
        .where(ParticipantCertificate.fingerprint == normalise_fingerprint(fingerprint),
               ParticipantCertificate.valid_from <= at, ParticipantCertificate.valid_to > at)
    ).first()


def check_new_certificates(session: Session, certificates: Sequence[CertificateInfo]) -> None:
    fingerprints = [normalise_fingerprint(c.fingerprint_sha256) for c in certificates]
    if len(set(fingerprints)) != len(fingerprints):
        raise RegistryError("the same certificate is given twice")
    owners = session.execute(
        select(ParticipantCertificate.fingerprint, ParticipantCertificate.participant_code)
        .where(ParticipantCertificate.fingerprint.in_(fingerprints))
    ).first()
    if owners is not None:
        raise RegistryError(f"certificate {owners[0]} is already registered to {owners[1]}")


def certificate_row(
    code: str, certificate: CertificateInfo,
    valid_from: datetime | None = None, valid_to: datetime | None = None,
) -> ParticipantCertificate:
    """The row for a new certificate; its registered validity lies within its own."""
    start = valid_from or certificate.not_before
    end = valid_to or certificate.not_after
    if start < certificate.not_before or end > certificate.not_after:
        raise RegistryError(
            f"the registered validity {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} exceeds "
            f"the certificate's own ({certificate.not_before:%Y-%m-%d %H:%M} to "
            f"{certificate.not_after:%Y-%m-%d %H:%M})")
    if start >= end:
        raise RegistryError("a certificate's registered validity must end after it starts")
    return ParticipantCertificate(
        fingerprint=normalise_fingerprint(certificate.fingerprint_sha256),
        participant_code=code, subject=certificate.subject,
        not_before=certificate.not_before, not_after=certificate.not_after,
        valid_from=start, valid_to=end, der=certificate.der,
    )
