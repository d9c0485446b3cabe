"""``smev-soap run`` as ``make run`` starts it: migrations, demo keys, gunicorn, /healthz."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from smev_soap.crypto import Certificate, TrustStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30.0) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_run_migrates_creates_keys_and_serves(tmp_path):
    port = free_port()
    env = {**os.environ, "SMEV_VAR_DIR": str(tmp_path / "var"), "SMEV_BIND": f"127.0.0.1:{port}",
           "SMEV_WORKERS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "smev_soap.cli", "run"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        health = json.loads(wait_for(f"http://127.0.0.1:{port}/healthz"))
        assert health["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    keys = tmp_path / "var" / "keys"
    gateway = Certificate.from_file(keys / "gateway.cert.pem")
    TrustStore(keys / "trust").validate(gateway)
    assert (tmp_path / "var" / "smev.db").exists()
