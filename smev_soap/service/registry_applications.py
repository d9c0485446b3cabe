"""SubmitApplication and GetApplicationStatus (R15): a system not yet connected applies with its
own certificate (authorship without registration) and follows its application with it."""

from __future__ import annotations

from smev_soap.envelope.model import Status
from smev_soap.errors import SmevRefusal
from smev_soap.registry import applications
from smev_soap.registry.errors import RegistryError
from smev_soap.service.gateway import Gateway
from smev_soap.service.inbound import Inbound
from smev_soap.service.registry_appdata import parameters, read_application_kinds, text_of
from smev_soap.service.registry_operations import result
from smev_soap.service.registry_results import build_application_status
from smev_soap.service.sending import require_status


def submit_application(gateway: Gateway, inbound: Inbound) -> bytes:
    """Record the application of ``Sender/Code``; the signing certificate becomes its own."""
    require_status(inbound, Status.REQUEST)
    details = parameters(inbound, "Application")
    with gateway.transaction() as session:
        try:
            application = applications.submit_application(
                session, code=inbound.sender,
                organisation=text_of(details, "Organisation") or "",
                system_name=text_of(details, "SystemName") or "",
                category=text_of(details, "Category") or "",
                contacts=text_of(details, "Contacts") or "",
                certificate=inbound.certificate.der,
                kinds=read_application_kinds(details), actor=inbound.sender)
        except RegistryError as error:
            raise SmevRefusal("RSMEV-312", str(error)) from None
        element = build_application_status(applications.application_status(session,
                                                                            application.id))
    return result(gateway, inbound, element)


def get_application_status(gateway: Gateway, inbound: Inbound) -> bytes:
    """Where an application stands, for the holder of the certificate that signed it only."""
    require_status(inbound, Status.PING)
    application_id = int(text_of(parameters(inbound, "ApplicationQuery"), "ApplicationId") or 0)
    with gateway.reading() as session:
        try:
            application = applications.get_application(session, application_id)
        except RegistryError:
            application = None
        if (application is None or application.certificate_fingerprint
                != inbound.certificate.fingerprint_sha256):
            raise SmevRefusal("RSMEV-311", f"application {application_id} of this certificate")
        element = build_application_status(applications.application_status(session,
                                                                            application_id))
    return result(gateway, inbound, element)
