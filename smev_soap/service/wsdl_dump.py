"""Regenerate the committed WSDLs in ``wsdl/`` (``make wsdl``); drift tests keep them in step (D1).

A committed file is the served WSDL with the default namespace and public address, indented for
review.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from smev_soap.config import Settings
from smev_soap.resources import WSDL_DIR
from smev_soap.service.app import SINGLE_SERVICE
from smev_soap.service.registry_service import REGISTRY_SERVICE
from smev_soap.service.spec import ServiceSpec

SPECS = (SINGLE_SERVICE, REGISTRY_SERVICE)


def default_address(spec: ServiceSpec) -> str:
    return Settings().public_url + spec.path


def committed_path(spec: ServiceSpec) -> Path:
    return WSDL_DIR / spec.wsdl_file


def committed_wsdl(spec: ServiceSpec) -> bytes:
    """``spec``'s WSDL as committed: default namespace and address, indented."""
    root = etree.fromstring(spec.wsdl(Settings(), default_address(spec)))
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def main() -> None:
    for spec in SPECS:
        committed_path(spec).write_bytes(committed_wsdl(spec))
        print(committed_path(spec))


if __name__ == "__main__":
    main()
