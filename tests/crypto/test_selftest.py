from smev_soap.crypto import backend, digest, run_selftest, selftest
from smev_soap.crypto._engine import EngineBackend


def test_all_known_answers_pass():
    results = run_selftest()
    assert len(results) == 8
    assert [r.name for r in results if not r.ok] == []
    assert all(r.detail for r in results)


def test_failures_are_reported_not_raised(monkeypatch):
    monkeypatch.setattr(selftest, "digest", lambda name, data: b"\0" * 32)
    results = {r.name: r for r in run_selftest()}
    assert not results["streebog256 M1"].ok
    assert "got 0000" in results["streebog256 M1"].detail
    assert results["gost2012-256 sign/verify round trip"].ok


class CountingBackend(EngineBackend):
    """A stand-in for another GOST implementation: the engine, counting calls."""

    name = "counting"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def digest(self, name, data):
        self.calls.append("digest")
        return super().digest(name, data)

    def generate_private_key(self, algorithm, paramset):
        self.calls.append("generate")
        return super().generate_private_key(algorithm, paramset)

    def load_public_key(self, spki_der):
        self.calls.append("load_public_key")
        return super().load_public_key(spki_der)


def test_gost_operations_go_through_the_backend(monkeypatch):
    counting = CountingBackend()
    monkeypatch.setattr(backend, "_backend", None)
    backend.set_backend(counting)
    assert backend.get_backend() is counting
    digest("streebog256", b"x")
    assert [r.ok for r in run_selftest()] == [True] * 8
    assert {"digest", "generate", "load_public_key"} <= set(counting.calls)
    assert digest("sha256", b"x") and counting.calls.count("digest") == 5
