"""Regenerate ``wsdl/single-service.wsdl`` (``make wsdl``); a drift test keeps it in step (D1).

The committed file is the served WSDL with the default public address, indented for review.
"""

from __future__ import annotations

from lxml import etree

from smev_soap.config import Settings
from smev_soap.resources import WSDL_DIR
from smev_soap.service.app import PATH
from smev_soap.service.wsdl import render_wsdl

SINGLE_SERVICE_WSDL = WSDL_DIR / "single-service.wsdl"
DEFAULT_ADDRESS = Settings().public_url + PATH


def committed_wsdl() -> bytes:
    """The single service's WSDL as committed: default namespace and address, indented."""
    root = etree.fromstring(render_wsdl(Settings().service_namespace, DEFAULT_ADDRESS))
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def main() -> None:
    SINGLE_SERVICE_WSDL.write_bytes(committed_wsdl())
    print(SINGLE_SERVICE_WSDL)


if __name__ == "__main__":
    main()
