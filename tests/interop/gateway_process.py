"""A real gateway in a child process: ``smev-soap run`` on a free loopback port, its own var dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from smev_soap.config import Settings, load_settings

START_TIMEOUT = 60.0
_NO_PROXY = {"http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: no SMEV_* of the caller, no proxies."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SMEV_") and k not in _NO_PROXY}
    return {**env, **extra}


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    """Poll /healthz until it answers (bounded); fail with the server's log otherwise."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with opener.open(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the gateway did not start:\n{log.read_text(errors='replace')[-3000:]}")


def start_gateway(var: Path, *args: str) -> tuple[Settings, subprocess.Popen, Path, str]:
    """``smev-soap run ARGS`` with its own var folder and port; returns once it is healthy."""
    port = free_port()
    settings = load_settings(var_dir=var, bind=f"127.0.0.1:{port}")
    log = var / "server.log"
    env = child_env(SMEV_VAR_DIR=str(var), SMEV_BIND=settings.bind, SMEV_WORKERS="2")
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "smev_soap.cli", "run", *args],
                                   env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base_url = f"http://{settings.bind}"
    try:
        wait_healthy(base_url, process, log)
    except BaseException:
        stop_gateway(process)
        raise
    return settings, process, log, base_url


def stop_gateway(process: subprocess.Popen) -> int:
    """SIGTERM to ``smev-soap run`` (it stops its children); its whole group is killed if stuck."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


