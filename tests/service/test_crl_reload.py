"""A CRL published into SMEV_CRL_DIR while the gateway runs refuses the revoked signer (RSMEV-210)
without a restart."""

from __future__ import annotations

import dataclasses
import os

from service_samples import payments_request
from service_tools import assert_refused, signed_by

from smev_soap.envelope.model import Status
from smev_soap.registry import add_certificate
from smev_soap.service.gateway import Gateway


def test_a_crl_published_while_serving_takes_effect(harness, pki, tmp_path):
    h = harness
    crl_dir = tmp_path / "crl"
    crl_dir.mkdir()
    settings = dataclasses.replace(h.gateway.settings, crl_dir=crl_dir)
    h.use_gateway(Gateway.from_settings(settings, h.gateway.database))
    trust = h.gateway.trust
    assert trust is not None and trust.crl_count == 0
    with h.gateway.database.transaction() as session:
        add_certificate(session, h.mfc.code, pki.revoked[1], "test")
    revoked_mfc = signed_by(h.mfc, *pki.revoked)

    def request(sender):
        return sender.envelope("SendRequest", Status.REQUEST, recipient=h.agency.org,
                               app_data=[payments_request()])

    assert h.call(request(revoked_mfc)).status is Status.ACCEPT  # not revoked yet

    temporary = crl_dir / ".demo-ca.crl.tmp"
    temporary.write_bytes(pki.crl)
    os.replace(temporary, crl_dir / "demo-ca.crl")
    assert trust.refresh() is True  # what the first validation after the interval does
    assert trust.crl_count == 1

    assert_refused(h, h.call(request(revoked_mfc)), "RSMEV-210")
    assert h.call(request(h.mfc)).status is Status.ACCEPT  # the others still pass
