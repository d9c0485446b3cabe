"""D24: the binding's leak test (1M cheap calls plus 100k verifies keep RSS flat)."""

import os

import pytest

from smev_soap.crypto import (
    Certificate,
    KeyLoadError,
    PrivateKey,
    PublicKey,
    digest,
    issue_certificate,
)

RSS_GROWTH_LIMIT = 8 * 1024 * 1024  # bytes, after warm-up
CHEAP_CALLS, VERIFIES, KEY_CYCLES = 1_000_000, 100_000, 10_000


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def workload(cheap: int, verifies: int, cycles: int, key: PrivateKey) -> None:
    public = key.public_key()
    message = b"<SignedInfo>" * 40
    good, bad = key.sign(message), b"\1" * 64
    small = b"0123456789abcdef" * 4
    for _ in range(cheap):
        digest("streebog256", small)
    for i in range(verifies):
        assert public.verify(message, bad if i % 2 else good) is not bool(i % 2)
    spki, pem = public.spki_der, key.to_pem(b"pw")
    cert_der = issue_certificate("CN=leak", key).der
    for i in range(cycles):
        PublicKey.from_spki_der(spki)
        Certificate(cert_der).public_key.verify(message, good)
        if i % 20 == 0:
            PrivateKey.load(pem, b"pw").sign(message)
            with pytest.raises(KeyLoadError):
                PrivateKey.load(pem, b"wrong")


@pytest.mark.slow
def test_rss_stays_flat():
    key = PrivateKey.generate()
    workload(20_000, 2_000, 500, key)  # warm-up: caches, allocator arenas
    before = rss()
    workload(CHEAP_CALLS, VERIFIES, KEY_CYCLES, key)
    growth = rss() - before
    assert growth < RSS_GROWTH_LIMIT, f"RSS grew by {growth / 2**20:.1f} MiB"
