"""Shared keys across threads, and the engine after fork (gunicorn pre-forks)."""

import os
import threading

from smev_soap.crypto import PrivateKey, digest
from smev_soap.crypto import _libcrypto as L
from smev_soap.crypto.selftest import M1, STREEBOG

THREADS, ROUNDS = 4, 150


def test_threads_share_one_key(key256):
    public = key256.public_key()
    failures: list[str] = []
    barrier = threading.Barrier(THREADS)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(ROUNDS):
            message = f"thread {n} message {i}".encode()
            signature = key256.sign(message)
            if not public.verify(message, signature):
                failures.append(f"{n}/{i}: good signature refused")
            if public.verify(message + b"!", signature):
                failures.append(f"{n}/{i}: bad signature accepted")
            if digest("streebog256", M1).hex() != STREEBOG[("M1", "streebog256")]:
                failures.append(f"{n}/{i}: wrong digest")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_failed_verifies_leave_no_errors_behind(key256):
    public = key256.public_key()
    for _ in range(10):
        assert not public.verify(b"x", b"\1" * 64)
    assert L.ERR_get_error() == 0


def test_engine_reinitialised_in_a_forked_child(key256):
    parent_state = L.engine()
    signature = key256.sign(b"before fork")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report through the pipe, never return into pytest
        ok = False
        try:
            child_state = L.engine()
            fresh = PrivateKey.generate()
            ok = (
                child_state.pid == os.getpid() != parent_state.pid
                and key256.public_key().verify(b"before fork", signature)
                and fresh.public_key().verify(b"child", fresh.sign(b"child"))
                and digest("streebog256", M1).hex() == STREEBOG[("M1", "streebog256")]
            )
        finally:
            os.write(write_end, b"1" if ok else b"0")
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert L.engine() is parent_state
