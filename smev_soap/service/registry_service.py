"""The registry service (``/smev/registry``): the registry as connected systems read it.

A SOAP face like the single service (same pipeline, WSDL mechanism and signed answers) in its
own namespace (``SMEV_REGISTRY_NAMESPACE``, D4). Parameters and results travel in AppData in
``urn://smev-soap/registry/1.0`` (``xsd/smev-soap-registry.xsd``). SubmitApplication and
GetApplicationStatus take a signer that is not (yet) a participant: a certificate the trust store
accepts; every other operation needs a registered active participant.
"""

from __future__ import annotations

from smev_soap.service.app import SoapService
from smev_soap.service.registry_applications import get_application_status, submit_application
from smev_soap.service.registry_operations import (
    get_classifier,
    get_data_types,
    get_kind_schema,
    list_available,
    list_classifiers,
)
from smev_soap.service.spec import ServiceSpec

PATH = "/smev/registry"

REGISTRY_SERVICE = ServiceSpec(
    name="RegistryService",
    path=PATH,
    namespace_setting="registry_namespace",
    handlers={
        "ListAvailable": list_available,
        "GetKindSchema": get_kind_schema,
        "ListClassifiers": list_classifiers,
        "GetClassifier": get_classifier,
        "GetDataTypes": get_data_types,
        "SubmitApplication": submit_application,
        "GetApplicationStatus": get_application_status,
    },
    schemas=("smev-rev120315.xsd", "smev-soap-types.xsd", "smev-soap-registry.xsd",
             "xop-include.xsd", "xml.xsd"),
    wsdl_file="registry.wsdl",
    applicant_operations=frozenset({"SubmitApplication", "GetApplicationStatus"}),
)


class RegistryService(SoapService):
    """The registry service (R2, R3, R14, R15)."""

    spec = REGISTRY_SERVICE
