"""Production gunicorn configuration: ``gunicorn -c deploy/gunicorn.conf.py``.

Every value comes from the ``SMEV_*`` settings; see smev_soap/gunicorn_conf.py.
"""

from smev_soap.gunicorn_conf import *  # noqa: F401,F403
