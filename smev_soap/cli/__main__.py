"""``python -m smev_soap.cli`` is the ``smev-soap`` command."""

import sys

from smev_soap.cli import main

sys.exit(main())
