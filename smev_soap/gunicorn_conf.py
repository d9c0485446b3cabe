"""gunicorn settings derived from :mod:`smev_soap.config` (used by ``smev-soap run``)."""

from smev_soap.config import load_settings

_settings = load_settings()

bind = _settings.bind
workers = _settings.workers
worker_class = "gthread"
threads = _settings.threads
# Above the largest provider timeout, so a proxied call is never cut by gunicorn first (D15).
timeout = _settings.provider_timeout + 30
graceful_timeout = 30
keepalive = 5
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level
wsgi_app = "smev_soap.wsgi:create_app()"
