"""The embedded default's demo material: a demo CA that issues every demo certificate (D19)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from smev_soap.config import Settings
from smev_soap.db import Database
from smev_soap.demo_reference import load_demo_reference
from smev_soap.keytool import KeyPair, write_key_pair
from smev_soap.registry import (
    CONSUMER,
    add_kind,
    add_participant,
    find_kind,
    get_participant,
    grant,
)
from smev_soap.resources import XSD_DIR

DEMO_CA_SUBJECT = {"C": "RU", "O": "smev_soap demo", "CN": "smev_soap demo CA"}


def demo_ca(settings: Settings) -> KeyPair:
    """The demo CA under ``<var>/keys``, created on first use and trusted via the trust dir."""
    keys = settings.keys_dir
    pair = KeyPair(keys / "demo-ca.key.pem", keys / "demo-ca.cert.pem")
    if not (pair.key_path.exists() and pair.cert_path.exists()):
        pair = write_key_pair(keys, "demo-ca", DEMO_CA_SUBJECT, ca=True, days=3650)
    if settings.trust_dir:
        settings.trust_dir.mkdir(parents=True, exist_ok=True)
        trusted = settings.trust_dir / pair.cert_path.name
        if not trusted.exists():
            shutil.copyfile(pair.cert_path, trusted)
    return pair


def demo_key_pair(settings: Settings, stem: str, subject: dict[str, str]) -> KeyPair:
    """A demo participant's key pair issued by the demo CA (created when absent)."""
    pair = KeyPair(settings.keys_dir / f"{stem}.key.pem", settings.keys_dir / f"{stem}.cert.pem")
    if pair.key_path.exists() and pair.cert_path.exists():
        return pair
    return write_key_pair(settings.keys_dir, stem, subject, issuer=demo_ca(settings), days=730)


def ensure_gateway_keys(settings: Settings) -> None:
    """Create the gateway's demo key and certificate when neither file exists.

    Demo keys are only made under ``<var>/keys``; configured production paths that are missing,
    or a pair that is only half there, are an operator error, not something to paper over.
    """
    key, cert = settings.key, settings.cert
    assert key is not None and cert is not None
    if key.exists() and cert.exists():
        return
    if key.exists() or cert.exists():
        missing = cert if key.exists() else key
        raise FileNotFoundError(f"the gateway's key pair is incomplete: {missing} is missing")
    if key.parent != settings.keys_dir or cert.parent != settings.keys_dir:
        raise FileNotFoundError(
            f"SMEV_KEY/SMEV_CERT name missing files ({key}, {cert}); demo keys are only "
            f"created under {settings.keys_dir}"
        )
    pair = write_key_pair(
        settings.keys_dir, "gateway",
        {"C": "RU", "O": settings.gateway_name, "CN": f"{settings.gateway_code} gateway"},
        issuer=demo_ca(settings), days=730,
    )
    pair.key_path.replace(key)
    pair.cert_path.replace(cert)


@dataclass(frozen=True)
class DemoParticipant:
    code: str
    name: str
    stem: str


DEMO_MFC = DemoParticipant("MFCR00001", "МФЦ Демонстрационного края", "mfc")
DEMO_AGENCY = DemoParticipant("SZNR00001", "Министерство социальной защиты населения", "szn")
DEMO_KIND_NAMESPACE = "urn://smev-soap/demo/social-payments/1.0.0"
DEMO_KIND_ROOT = "PaymentsRequest"
DEMO_KIND_XSD = XSD_DIR / "demo" / "social-payments-1.0.0.xsd"
DEMO_SERVICE = "SOCPAYMENTS"
DEMO_ACTOR = "demo"


def demo_participant_keys(settings: Settings, who: DemoParticipant) -> KeyPair:
    return demo_key_pair(settings, who.stem, {"C": "RU", "O": who.name, "CN": who.code})


def load_demo_registry(settings: Settings, database: Database) -> None:
    """An МФЦ (consumer) and an agency providing the demo kind, with keys, and the demo
    reference data (classifiers, attributes); idempotent."""
    with database.transaction() as session:
        for who in (DEMO_MFC, DEMO_AGENCY):
            if get_participant(session, who.code) is None:
                _, cert = demo_participant_keys(settings, who).load()
                add_participant(session, who.code, who.name, [cert], DEMO_ACTOR)
        if find_kind(session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT) is None:
            kind = add_kind(
                session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT,
                DEMO_KIND_XSD.read_text(encoding="utf-8"), [(DEMO_AGENCY.code, None)],
                DEMO_ACTOR, name="Сведения о назначенных мерах социальной поддержки",
                service_mnemonic=DEMO_SERVICE,
            )
            grant(session, DEMO_MFC.code, kind, CONSUMER, DEMO_ACTOR, allow_test=True)
        load_demo_reference(session, DEMO_ACTOR)
