"""The WSGI application served by gunicorn: routes a request to the gateway's faces."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from smev_soap import __version__
from smev_soap.config import Settings, load_settings
from smev_soap.crypto.selftest import run_selftest
from smev_soap.db import Database
from smev_soap.service.app import SingleService
from smev_soap.service.gateway import Gateway
from smev_soap.service.registry_service import RegistryService

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class SelfTestFailed(RuntimeError):
    """The crypto known-answer tests failed: the gateway refuses to start."""


def require_selftest() -> None:
    """Run the crypto self-test; raise when any known answer is wrong."""
    failed = [result for result in run_selftest() if not result.ok]
    if failed:
        names = ", ".join(f"{r.name} ({r.detail})" for r in failed)
        raise SelfTestFailed(f"crypto self-test failed: {names}")


def respond(start_response: Callable, status: str, body: bytes, content_type: str) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def health_app(database: Database) -> WsgiApp:
    """``/healthz``: 200 when the database answers, 503 otherwise."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            with database.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            state, status = "ok", "200 OK"
        except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
            state, status = f"database unavailable: {type(error).__name__}", "503 Service Unavailable"
        body = json.dumps({"status": state, "version": __version__}).encode()
        return respond(start_response, status, body, "application/json")

    return app


def not_found(environ: dict, start_response: Callable) -> Iterable[bytes]:
    return respond(start_response, "404 Not Found", b"not found\n", "text/plain; charset=utf-8")


def create_app(settings: Settings | None = None) -> WsgiApp:
    """Build the gateway for one worker process (called after gunicorn forks)."""
    settings = settings or load_settings()
    require_selftest()
    # A pooled connection for every thread: a smaller pool would open and close the surplus
    # connections on every request once all threads are busy.
    database = Database(settings.database_url, pool_size=max(5, settings.threads))
    gateway = Gateway.from_settings(settings, database)
    routes: dict[str, WsgiApp] = {
        "/healthz": health_app(database),
        **{face.spec.path: face(gateway) for face in (SingleService, RegistryService)},
    }

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        handler = routes.get(environ.get("PATH_INFO", "/").rstrip("/") or "/", not_found)
        return handler(environ, start_response)

    return application
