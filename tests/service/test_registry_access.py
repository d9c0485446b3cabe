"""The single service's access decisions follow the registry: agreements, key rotation and
kind versions take effect on the next request (R11, D17, D21)."""

from __future__ import annotations

from lxml import etree
from service_samples import payments_request
from service_tools import assert_refused, signed_by

from smev_soap.demo import (
    DEMO_AGENCY,
    DEMO_KIND_NAMESPACE,
    DEMO_KIND_ROOT,
    DEMO_KIND_XSD,
    DEMO_MFC,
)
from smev_soap.envelope.model import Status
from smev_soap.registry import (
    CONSUMER,
    PROVIDER,
    add_agreement_kind,
    add_certificate,
    add_kind_version,
    current_agreement,
    find_kind,
    remove_agreement_kind,
    retire_certificate,
)


def _demo_kind(session):
    return find_kind(session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT)


def test_removing_the_kind_from_the_agreement_refuses_and_adding_it_back_accepts(harness):
    assert harness.send_request("20000000001").status is Status.ACCEPT
    with harness.gateway.database.transaction() as session:
        number = current_agreement(session, DEMO_MFC.code).number
        remove_agreement_kind(session, number, _demo_kind(session), CONSUMER, "operator")
    assert_refused(harness, harness.send_request("20000000002"), "RSMEV-304")
    with harness.gateway.database.transaction() as session:
        add_agreement_kind(session, number, _demo_kind(session), CONSUMER, "operator")
    assert harness.send_request("20000000003").status is Status.ACCEPT


def _send(harness, sender, payload) -> object:
    return harness.call(sender.envelope("SendRequest", Status.REQUEST,
                                        recipient=harness.agency.org, app_data=[payload]))


def test_key_rotation_with_an_overlap(harness, pki):
    """Old and new certificates both work during the overlap; the old one is refused after."""
    rotated = signed_by(harness.mfc, *pki.consumer)
    with harness.gateway.database.transaction() as session:
        add_certificate(session, DEMO_MFC.code, pki.consumer[1], "operator")
    assert _send(harness, harness.mfc, payments_request("20000000011")).status is Status.ACCEPT
    assert _send(harness, rotated, payments_request("20000000012")).status is Status.ACCEPT
    with harness.gateway.database.transaction() as session:
        retire_certificate(session, harness.mfc.cert.fingerprint_sha256, "operator")
    assert_refused(harness, _send(harness, harness.mfc, payments_request("20000000013")),
                   "RSMEV-211")
    assert _send(harness, rotated, payments_request("20000000014")).status is Status.ACCEPT


def _renamed(element: etree._Element, namespace: str) -> etree._Element:
    text = etree.tostring(element).decode().replace(DEMO_KIND_NAMESPACE, namespace)
    return etree.fromstring(text)


def test_a_new_kind_version_does_not_break_consumers_of_the_old(harness):
    new_namespace = DEMO_KIND_NAMESPACE.replace("1.0.0", "1.1.0")
    xsd = DEMO_KIND_XSD.read_text(encoding="utf-8").replace(DEMO_KIND_NAMESPACE, new_namespace)
    with harness.gateway.database.transaction() as session:
        add_kind_version(session, _demo_kind(session), new_namespace, xsd, "operator")
    new_payload = _renamed(payments_request("20000000021"), new_namespace)
    assert _send(harness, harness.mfc, payments_request("20000000022")).status is Status.ACCEPT
    assert_refused(harness, _send(harness, harness.mfc, new_payload), "RSMEV-304")
    with harness.gateway.database.transaction() as session:
        number = current_agreement(session, DEMO_MFC.code).number
        add_agreement_kind(session, number, find_kind(session, new_namespace, DEMO_KIND_ROOT),
                           CONSUMER, "operator")
    assert _send(harness, harness.mfc, new_payload).status is Status.ACCEPT
    assert _send(harness, harness.mfc, payments_request("20000000023")).status is Status.ACCEPT


def test_a_provider_whose_agreement_drops_the_kind_is_not_routed_to(harness):
    with harness.gateway.database.transaction() as session:
        number = current_agreement(session, DEMO_AGENCY.code).number
        remove_agreement_kind(session, number, _demo_kind(session), PROVIDER, "operator")
    assert_refused(harness, harness.send_request("20000000021"), "RSMEV-302")
    with harness.gateway.database.transaction() as session:
        add_agreement_kind(session, number, _demo_kind(session), PROVIDER, "operator")
    assert harness.send_request("20000000022").status is Status.ACCEPT
