"""Per-participant rate limits (D21): the shared token-bucket table, then RSMEV-800 through the
SOAP faces. Clocks are injected; nothing here depends on how fast the machine is."""

from __future__ import annotations

import multiprocessing
import threading
import zlib
from pathlib import Path

import pytest
from service_tools import assert_refused, journal, signed_by

from smev_soap.config import load_settings
from smev_soap.envelope.model import Status
from smev_soap.service import rate_limits
from smev_soap.service.rate_limits import (
    HEADER_BYTES,
    KEY_BYTES,
    SLOTS,
    RateLimits,
    TokenTable,
    encode_key,
)
from smev_soap.service.registry_appdata import application_query
from smev_soap.service.registry_service import RegistryService

MFC, AGENCY = "MFCR00001", "SZNR00001"
NO_REFILL = 1e-9  # tokens a second: a bucket that never refills within a test


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limits(tmp_path: Path, rate: float, burst: int, clock: Clock | None = None) -> RateLimits:
    return RateLimits(rate, burst, tmp_path / "rate-limits.bin", clock or Clock())


def takes(limiter: RateLimits, key: str, count: int) -> list[bool]:
    return [limiter.wait(key) == 0.0 for _ in range(count)]


# ---------------------------------------------------------------------------------- buckets


def test_a_bucket_allows_its_burst_then_refills_at_the_rate(tmp_path):
    clock = Clock()
    limiter = limits(tmp_path, rate=2, burst=3, clock=clock)
    assert takes(limiter, MFC, 3) == [True] * 3
    assert limiter.wait(MFC) == pytest.approx(0.5), "the seconds until the next token"
    clock.now += 0.25
    assert limiter.wait(MFC) == pytest.approx(0.25), "half a token refilled, none taken"
    clock.now += 0.25
    assert takes(limiter, MFC, 2) == [True, False]
    clock.now += 3600
    assert takes(limiter, MFC, 4) == [True] * 3 + [False], "refill stops at the burst"


def test_participants_have_separate_buckets(tmp_path):
    limiter = limits(tmp_path, rate=NO_REFILL, burst=2)
    assert takes(limiter, MFC, 3) == [True, True, False]
    assert takes(limiter, AGENCY, 3) == [True, True, False]


def test_a_clock_from_before_a_reboot_neither_refills_nor_resets(tmp_path):
    clock = Clock(1_000_000.0)
    limiter = limits(tmp_path, rate=1, burst=2, clock=clock)
    assert takes(limiter, MFC, 3) == [True, True, False]
    clock.now = 5.0  # CLOCK_MONOTONIC restarts at boot; the file survived
    assert limiter.wait(MFC) == pytest.approx(1.0)
    clock.now = 6.0
    assert takes(limiter, MFC, 2) == [True, False]


def test_zero_disables_the_limits_and_opens_no_file(tmp_path):
    limiter = limits(tmp_path, rate=0, burst=0)
    assert not limiter.enabled
    assert takes(limiter, MFC, 1000) == [True] * 1000
    assert not (tmp_path / "rate-limits.bin").exists()


def test_the_table_is_a_fixed_file_of_codes_and_a_foreign_file_is_reinitialised(tmp_path):
    path = tmp_path / "rate-limits.bin"
    path.write_bytes(b"not a table")
    limiter = limits(tmp_path, rate=NO_REFILL, burst=1)
    assert takes(limiter, MFC, 2) == [True, False]
    data = path.read_bytes()
    assert len(data) == HEADER_BYTES + SLOTS * (KEY_BYTES + 16)
    assert data.startswith(rate_limits.MAGIC) and MFC.encode() in data


def test_keys_too_long_for_a_slot_are_digested():
    assert encode_key(MFC) == MFC.encode().ljust(KEY_BYTES, b"\0")
    long = encode_key("cert:" + "ab" * 32)
    assert len(long) == KEY_BYTES and long.startswith(b"#")
    assert long != encode_key("cert:" + "ab" * 31 + "ac")


# ------------------------------------------------------------------- collisions and eviction


def test_codes_hashed_to_one_slot_keep_separate_buckets(tmp_path):
    first: dict[int, str] = {}
    for number in range(1, 100_000):
        code = f"MFCR{number:05d}"
        start = zlib.crc32(encode_key(code)) % SLOTS
        if start in first:
            a, b = first[start], code
            break
        first[start] = code
    limiter = limits(tmp_path, rate=NO_REFILL, burst=2)
    assert takes(limiter, a, 3) == [True, True, False]
    assert takes(limiter, b, 3) == [True, True, False]
    assert takes(limiter, a, 1) == [False]


def test_a_full_window_evicts_its_stalest_bucket(tmp_path):
    clock = Clock(0.0)
    table = TokenTable(tmp_path / "small.bin", slots=4, window=4)

    def take(key: str, at: float) -> bool:
        clock.now = at
        return table.take(encode_key(key), NO_REFILL, 2, clock) == 0.0

    for at, key in enumerate("ABCD"):  # four slots, four keys, one token spent each
        assert take(key, at)
    assert take("A", 4) and not take("A", 5), "A has its own bucket"
    assert take("E", 6), "a fifth key evicts the stalest: B (last seen at 1)"
    assert take("D", 7) and not take("D", 8), "D kept its state"
    assert take("B", 9), "B comes back with a full bucket (evicting C, last seen at 2)"
    assert take("B", 10) and not take("B", 11)
    assert take("C", 12) and take("C", 13) and not take("C", 14), "C back full (evicting A)"
    assert take("E", 15) and not take("E", 16), "E kept its state"
    assert take("A", 17) and take("A", 18), "A back full (evicting D, last seen at 8)"
    table.close()


# ------------------------------------------------------------------- shared by processes


def _spend(path: Path, attempts: int, threads: int, results) -> None:
    limiter = RateLimits(NO_REFILL, 100, path, Clock())
    allowed = [0] * threads

    def run(index: int) -> None:
        allowed[index] = sum(takes(limiter, MFC, attempts))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(sum(allowed))


def test_forked_workers_and_their_threads_share_one_bucket(tmp_path):
    """Like gunicorn: the parent has the table open before it forks; four children of three
    threads each try 30 takes: exactly the burst (100 of 360) succeed, across all of them."""
    path = tmp_path / "rate-limits.bin"
    parent = RateLimits(NO_REFILL, 100, path, Clock())
    assert parent.wait(AGENCY) == 0.0  # the parent's open file description is inherited
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_spend, args=(path, 30, 3, results)) for _ in range(4)]
    for child in children:
        child.start()
    allowed = [results.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert sum(allowed) == 100, allowed
    assert parent.wait(MFC) > 0, "the parent sees the bucket its children emptied"
    assert takes(parent, AGENCY, 99) == [True] * 99


# ---------------------------------------------------------------------------------- settings


def test_settings(monkeypatch):
    monkeypatch.delenv("SMEV_RATE_LIMIT", raising=False)
    monkeypatch.delenv("SMEV_RATE_BURST", raising=False)
    settings = load_settings()
    assert (settings.rate_limit, settings.rate_burst) == (100.0, 200)
    monkeypatch.setenv("SMEV_RATE_LIMIT", "0.5")
    monkeypatch.setenv("SMEV_RATE_BURST", "3")
    settings = load_settings()
    assert (settings.rate_limit, settings.rate_burst) == (0.5, 3)
    limiter = RateLimits.from_settings(settings)
    assert limiter.path == settings.var_dir / "rate-limits.bin" and limiter.enabled
    assert not RateLimits.from_settings(load_settings(rate_limit=0, rate_burst=0)).enabled
    for rate, burst in ((-1, 10), (10, 0)):
        with pytest.raises(ValueError, match="SMEV_RATE_LIMIT"):
            load_settings(rate_limit=rate, rate_burst=burst)


# ---------------------------------------------------------------------------- the service


def limit(harness, tmp_path: Path, burst: int) -> None:
    """Serve with ``burst`` messages per participant, no refill, and a fresh table."""
    harness.reconfigure(var_dir=tmp_path, rate_limit=NO_REFILL, rate_burst=burst)
    harness.app.rate_limits.clock = Clock()


def test_a_participant_over_its_burst_gets_a_signed_refusal_and_others_do_not(harness,
                                                                              tmp_path):
    limit(harness, tmp_path, burst=2)
    for _ in range(2):
        assert harness.send_request().status is Status.ACCEPT
    refused_before = len(journal(harness, "refused"))
    answer = harness.send_request()
    assert_refused(harness, answer, "RSMEV-800")  # signed by the gateway: Harness.call
    assert answer.status is Status.FAILURE
    assert answer.message.recipient.code == MFC
    assert len(journal(harness, "refused")) == refused_before + 1, "journalled once"
    assert_refused(harness, harness.call(harness.mfc.control("GetQueueStatistics")), "RSMEV-800")
    statistics = harness.call(harness.agency.control("GetQueueStatistics"))
    assert statistics.status is Status.RESULT, "another participant is unaffected"
    delivered = harness.call(harness.agency.control("GetRequest"))
    assert delivered.delivery is not None, "the accepted requests were queued"


def test_messages_that_fail_authentication_are_not_charged_to_the_claimed_sender(harness, pki,
                                                                                  tmp_path):
    limit(harness, tmp_path, burst=1)
    forger = signed_by(harness.mfc, *pki.foreign)  # claims the МФЦ's code, signs with its own key
    for _ in range(3):
        answer = harness.call(forger.control("GetQueueStatistics"))
        assert answer.error_code == "RSMEV-211"
    assert harness.call(harness.mfc.control("GetQueueStatistics")).status is Status.RESULT


def test_the_registry_service_shares_the_node_budget(harness, tmp_path):
    limit(harness, tmp_path, burst=1)
    assert harness.call(harness.mfc.control("GetQueueStatistics")).status is Status.RESULT
    reg = harness.facing(RegistryService)
    reg.app.rate_limits.clock = Clock()
    assert_refused(reg, reg.call(reg.mfc.control("ListAvailable")), "RSMEV-800")
    assert reg.call(reg.agency.control("ListAvailable")).status is Status.RESULT


def test_an_applicant_is_charged_to_its_certificate_not_to_the_code_it_claims(harness, pki,
                                                                               tmp_path):
    limit(harness, tmp_path, burst=1)
    reg = harness.facing(RegistryService)
    reg.app.rate_limits.clock = Clock()
    applicant = signed_by(reg.mfc, *pki.foreign)  # not registered; claims the МФЦ's code
    query = application_query(424242)
    first = reg.call(applicant.control("GetApplicationStatus", app_data=[query]))
    assert first.error_code == "RSMEV-311", "charged, then refused by the operation"
    assert_refused(reg, reg.call(applicant.control("GetApplicationStatus", app_data=[query])),
                   "RSMEV-800")
    assert reg.call(reg.mfc.control("ListAvailable")).status is Status.RESULT, \
        "the МФЦ's own budget is untouched"


def test_the_table_is_never_opened_through_a_link(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"precious")
    (tmp_path / "rate-limits.bin").symlink_to(target)
    with pytest.raises(OSError):
        TokenTable(tmp_path / "rate-limits.bin").take(encode_key("MFCA00001"), 1.0, 5.0)
    assert target.read_bytes() == b"precious"
