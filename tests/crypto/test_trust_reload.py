"""A TrustStore read from directories notices CRLs and CAs published after it started.

The clock is injected: "after the check interval" is one step of a fake monotonic clock, so no
test sleeps or measures time.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import weakref
from datetime import UTC, datetime, timedelta

import pytest

import smev_soap.crypto.trust as trust_module
from smev_soap.crypto import (
    CertificateRejected,
    PrivateKey,
    TrustStore,
    issue_certificate,
    issue_crl,
)

NOW = datetime.now(UTC)
INTERVAL = 30.0


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def step(self, seconds: float = INTERVAL) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def pki(key256, key512):
    root = issue_certificate("CN=Reload Root CA", key256, ca=True, days=3650,
                             not_before=NOW - timedelta(days=10))
    other_key = PrivateKey.generate()
    other = issue_certificate("CN=Reload Other CA", other_key, ca=True, days=3650)
    return {
        "root": root,
        "root_key": key256,
        "valid": issue_certificate("CN=stays valid", key512, key256, root),
        "victim": issue_certificate("CN=to be revoked", key512, key256, root),
        "other": other,
        "other_leaf": issue_certificate("CN=other leaf", key512, other_key, other),
    }


@pytest.fixture
def dirs(tmp_path, pki):
    ca_dir, crl_dir = tmp_path / "ca", tmp_path / "crl"
    ca_dir.mkdir()
    crl_dir.mkdir()
    (ca_dir / "root.cer").write_bytes(pki["root"].der)
    return ca_dir, crl_dir


def publish(path, data: bytes) -> None:
    """As an operator should: a hidden temporary file renamed into place (atomic)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def revoking(pki) -> bytes:
    return issue_crl(pki["root"], pki["root_key"], [pki["victim"].serial])


def reason(store, cert) -> str:
    with pytest.raises(CertificateRejected) as info:
        store.validate(cert)
    return info.value.reason


def test_new_crl_takes_effect_after_the_interval_and_a_newer_one_lifts_it(dirs, pki):
    ca_dir, crl_dir = dirs
    clock = Clock()
    trust = TrustStore(ca_dir, crl_dir, check_seconds=INTERVAL, clock=clock)
    trust.validate(pki["victim"])  # valid, and remembered as such
    assert trust.crl_count == 0

    publish(crl_dir / "root.crl", revoking(pki))
    clock.step(INTERVAL - 1)
    trust.validate(pki["victim"])  # not looked yet: the old store (and its memo) still serve
    clock.step(1)
    assert reason(trust, pki["victim"]) == "revoked"  # the memo went with the old store
    assert trust.crl_count == 1
    trust.validate(pki["valid"])

    publish(crl_dir / "root.crl", issue_crl(pki["root"], pki["root_key"]))  # lists nobody
    clock.step()
    trust.validate(pki["victim"])
    assert trust.crl_count == 1


def test_a_replaced_crl_is_read_again(dirs, pki):
    ca_dir, crl_dir = dirs
    clock = Clock()
    publish(crl_dir / "root.crl", issue_crl(pki["root"], pki["root_key"]))
    trust = TrustStore(ca_dir, crl_dir, check_seconds=INTERVAL, clock=clock)
    trust.validate(pki["victim"])
    publish(crl_dir / "root.crl", revoking(pki))  # same name, next CRL of the same CA
    clock.step()
    assert reason(trust, pki["victim"]) == "revoked"


def test_the_hot_path_only_compares_the_clock(dirs, pki, monkeypatch):
    ca_dir, crl_dir = dirs
    clock = Clock()
    trust = TrustStore(ca_dir, crl_dir, check_seconds=INTERVAL, clock=clock)
    looks = []
    real = trust_module._signature
    monkeypatch.setattr(trust_module, "_signature", lambda locs: looks.append(1) or real(locs))
    for _ in range(50):
        trust.validate(pki["valid"])
    assert looks == []
    clock.step()
    for _ in range(50):
        trust.validate(pki["valid"])
    assert len(looks) == 1  # one listing of the directories per interval
    assert trust.refresh() is False and len(looks) == 2


def test_refresh_looks_at_once(dirs, pki):
    ca_dir, crl_dir = dirs
    trust = TrustStore(ca_dir, crl_dir, clock=Clock())
    trust.validate(pki["victim"])
    publish(crl_dir / "root.crl", revoking(pki))
    assert trust.refresh() is True
    assert reason(trust, pki["victim"]) == "revoked"
    assert trust.refresh() is False


def test_a_fixed_store_never_looks(pki, monkeypatch):
    trust = TrustStore.from_certificates([pki["root"]], [revoking(pki)])
    empty = TrustStore(None)
    monkeypatch.setattr(trust_module, "_signature", lambda locations: pytest.fail("looked"))
    assert reason(trust, pki["victim"]) == "revoked"
    assert trust.refresh() is False
    assert reason(empty, pki["valid"]) == "untrusted"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "renamed_garbage", "dir_removed"])
def test_a_broken_crl_keeps_the_previous_revocations(dirs, pki, caplog, damage):
    ca_dir, crl_dir = dirs
    clock = Clock()
    crl = revoking(pki)
    publish(crl_dir / "root.crl", crl)
    trust = TrustStore(ca_dir, crl_dir, check_seconds=INTERVAL, clock=clock)
    assert reason(trust, pki["victim"]) == "revoked"

    if damage == "garbage":
        publish(crl_dir / "root.crl", b"-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n")
    elif damage == "truncated":  # caught half-written
        (crl_dir / "root.crl").write_bytes(crl[: len(crl) // 2])
    elif damage == "renamed_garbage":  # the good one gone, a bad one in its place
        (crl_dir / "root.crl").unlink()
        publish(crl_dir / "root-new.crl", b"\x30\x82garbage")
    else:
        shutil.rmtree(crl_dir)
    with caplog.at_level(logging.ERROR, logger=trust_module.__name__):
        for _ in range(3):
            clock.step()
            assert reason(trust, pki["victim"]) == "revoked"
            trust.validate(pki["valid"])
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, "logged once per state of the files, not at every look"
    assert "previous" in errors[0].getMessage()
    assert trust.reload_error and trust.crl_count == 1

    # Repaired: the next look loads it (a failed state is retried, whatever its timestamps).
    crl_dir.mkdir(exist_ok=True)
    for leftover in crl_dir.iterdir():
        leftover.unlink()
    publish(crl_dir / "root.crl", issue_crl(pki["root"], pki["root_key"]))
    clock.step()
    trust.validate(pki["victim"])
    assert trust.reload_error is None


def test_a_failed_state_is_read_again_at_every_look(dirs, pki, monkeypatch):
    ca_dir, crl_dir = dirs
    clock = Clock()
    trust = TrustStore(ca_dir, crl_dir, check_seconds=INTERVAL, clock=clock)
    publish(crl_dir / "root.crl", revoking(pki))
    real_load, loads = trust_module._load, []

    def flaky(*locations):
        loads.append(1)
        if len(loads) == 1:
            raise OSError("transient")
        return real_load(*locations)

    monkeypatch.setattr(trust_module, "_load", flaky)
    clock.step()
    trust.validate(pki["victim"])  # the first read failed: previous store (no CRL yet)
    clock.step()
    assert reason(trust, pki["victim"]) == "revoked"  # same files, read again, loaded
    assert len(loads) == 2


def test_trust_anchors_are_reloaded_too(dirs, pki):
    ca_dir, crl_dir = dirs
    clock = Clock()
    trust = TrustStore(ca_dir, crl_dir, check_seconds=INTERVAL, clock=clock)
    assert reason(trust, pki["other_leaf"]) == "untrusted"
    publish(ca_dir / "other.pem", pki["other"].to_pem())
    clock.step()
    trust.validate(pki["other_leaf"])
    assert len(trust.certificates) == 2

    publish(ca_dir / "broken.pem", b"not a certificate")
    clock.step()
    trust.validate(pki["other_leaf"])  # kept: the previous anchors
    assert trust.reload_error and "broken.pem" in trust.reload_error

    (ca_dir / "broken.pem").unlink()
    (ca_dir / "other.pem").unlink()
    clock.step()
    assert reason(trust, pki["other_leaf"]) == "untrusted"  # the success memo was dropped
    trust.validate(pki["valid"])


def test_dropping_every_crl_keeps_the_previous_ones(dirs, pki, caplog):
    """An emptied CRL directory (an unmounted volume, say) never switches revocation off."""
    ca_dir, crl_dir = dirs
    publish(crl_dir / "root.crl", revoking(pki))
    trust = TrustStore(ca_dir, crl_dir, clock=Clock())
    (crl_dir / "root.crl").unlink()
    with caplog.at_level(logging.ERROR, logger=trust_module.__name__):
        assert trust.refresh() is False
    assert any("no CRL any more" in r.getMessage() for r in caplog.records)
    assert reason(trust, pki["victim"]) == "revoked"
    assert trust.crl_count == 1 and trust.reload_error


def test_a_store_in_use_outlives_a_reload(dirs, pki, monkeypatch):
    """A validation that started before a swap finishes on the store it started with, which is
    freed only after that."""
    ca_dir, crl_dir = dirs
    trust = TrustStore(ca_dir, crl_dir, clock=Clock())
    started, go_on = threading.Event(), threading.Event()
    real_verify = trust_module._Store.verify

    def slow_verify(store, cert, at):
        if threading.current_thread().name == "slow":
            started.set()
            assert go_on.wait(10)
        real_verify(store, cert, at)

    monkeypatch.setattr(trust_module._Store, "verify", slow_verify)
    old = weakref.ref(trust._current)
    outcome = []
    slow = threading.Thread(target=lambda: outcome.append(trust.validate(pki["victim"])),
                            name="slow")
    slow.start()
    assert started.wait(10)
    publish(crl_dir / "root.crl", revoking(pki))
    assert trust.refresh() is True
    assert reason(trust, pki["victim"]) == "revoked"
    assert old() is not None, "still in use by the slow validation"
    go_on.set()
    slow.join(10)
    assert outcome == [None]  # it validated against the store it started with
    assert old() is None, "freed once its last user is done"


def test_concurrent_validations_during_reloads(dirs, pki, monkeypatch):
    ca_dir, crl_dir = dirs
    # check_seconds=0: every validation looks too, so the threads race the reloads themselves.
    trust = TrustStore(ca_dir, crl_dir, check_seconds=0)
    stores: list[weakref.ref] = []
    real_load = trust_module._load

    def tracked(*locations):
        store = real_load(*locations)
        stores.append(weakref.ref(store))
        return store

    monkeypatch.setattr(trust_module, "_load", tracked)
    failures: list[BaseException] = []
    outcomes: dict[str, set[str]] = {"valid": set(), "victim": set()}
    running, stop = threading.Barrier(5), threading.Event()

    def validate_many() -> None:
        try:
            running.wait(10)
            i = 0
            while not stop.is_set() or i < 100:
                i += 1
                name = "valid" if i % 2 else "victim"
                try:
                    trust.validate(pki[name])
                    outcomes[name].add("ok")
                except CertificateRejected as exc:
                    outcomes[name].add(exc.reason)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    crl, lifted, revoked = revoking(pki), issue_crl(pki["root"], pki["root_key"]), False
    threads = [threading.Thread(target=validate_many) for _ in range(4)]
    # Short GIL slices: the validating threads would otherwise slow the publisher down.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        for thread in threads:
            thread.start()
        running.wait(10)
        for _ in range(20):
            revoked = not revoked
            publish(crl_dir / "root.crl", crl if revoked else lifted)
            trust.refresh()
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        sys.setswitchinterval(switch)

    assert failures == []
    assert outcomes["valid"] == {"ok"}
    assert outcomes["victim"] <= {"ok", "revoked"}
    assert len(stores) >= 20, "every state of the directory was loaded"
    assert sum(ref() is not None for ref in stores) <= 1, "replaced stores are freed"
    if revoked:
        assert reason(trust, pki["victim"]) == "revoked"
    else:
        trust.validate(pki["victim"])
