"""What tells one SOAP face of the gateway from another (single service, registry service).

:class:`ServiceSpec` is all that :class:`~smev_soap.service.app.SoapService` needs to serve a
face: its namespace setting, operations and their handlers, path, WSDL and published schemas.
The pipeline itself (guard → parse → verify → authorship → handler → signed answer) is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smev_soap.config import Settings
from smev_soap.service.wsdl import render_wsdl

if TYPE_CHECKING:
    from smev_soap.service.gateway import Gateway
    from smev_soap.service.inbound import Inbound

Handler = Callable[["Gateway", "Inbound"], bytes]


@dataclass(frozen=True, eq=False)
class ServiceSpec:
    """One face: ``tns`` from its setting, operation name → handler, where it is served."""

    name: str  # the WSDL's service name
    path: str  # e.g. /smev/ws
    namespace_setting: str  # the Settings field holding its tns
    handlers: Mapping[str, Handler]
    schemas: tuple[str, ...]  # served as ?xsd=NAME from xsd/
    wsdl_file: str  # the committed WSDL in wsdl/
    #: Operations whose signer needs only a trusted certificate, not a registered participant.
    applicant_operations: frozenset[str] = field(default_factory=frozenset)

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(self.handlers)

    def tns(self, settings: Settings) -> str:
        return getattr(settings, self.namespace_setting)

    def wsdl(self, settings: Settings, address: str) -> bytes:
        """The WSDL with ``soap:address`` = ``address``."""
        return render_wsdl(self.tns(settings), address, self.name, self.operations)
