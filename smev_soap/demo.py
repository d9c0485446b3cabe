"""The embedded default's demo material: a demo CA that issues every demo certificate (D19)."""

from __future__ import annotations

import shutil

from smev_soap.config import Settings
from smev_soap.keytool import KeyPair, write_key_pair

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
