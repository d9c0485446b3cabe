"""The npm ``soap`` package (node-soap), consuming ``?wsdl``, drives the whole exchange.

``node/exchange.js`` signs every envelope through a node-soap security hook that pipes it to
``smev-soap sign`` (D24) and prints each call with the bytes sent and received; here every answer
is verified (gateway signature, published schema) and the payloads compared end to end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gateway_process import child_env
from interop_support import delivered_payload, emitted_problems, kind_schema, payload_bytes
from lxml import etree

from smev_soap.client import read_answer
from smev_soap.demo import DEMO_AGENCY, DEMO_MFC, demo_participant_keys
from smev_soap.demo_agent import load_payments, payments_response
from smev_soap.demo_play import payments_request
from smev_soap.wsse.smev2 import verify_envelope
from smev_soap.xml.safe import parse_xml

NODE_DIR = Path(__file__).resolve().parent / "node"
EXPECTED = [
    ("MFCR00001", "SendRequest", "ACCEPT"),
    ("SZNR00001", "GetRequest", "REQUEST"),
    ("SZNR00001", "SendResponse", "ACCEPT"),
    ("SZNR00001", "Ack", "ACCEPT"),
    ("MFCR00001", "GetResponse", "STATE"),
    ("MFCR00001", "Ack", "ACCEPT"),
    ("MFCR00001", "GetResponse", "RESULT"),
    ("MFCR00001", "Ack", "ACCEPT"),
]


@pytest.fixture(scope="session")
def node() -> str:
    """The node binary, with ``npm ci`` run when node_modules is missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        message = "node and npm are needed (apt-get install nodejs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not (NODE_DIR / "node_modules" / "soap").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, env=child_env(),
                       check=True, timeout=300, capture_output=True)
    return node


def _party(settings, who) -> dict[str, str]:
    pair = demo_participant_keys(settings, who)
    return {"code": who.code, "name": who.name, "key": str(pair.key_path),
            "cert": str(pair.cert_path)}


def test_node_soap_full_exchange(gateway, published, node, tmp_path):
    request = payments_request("12345678901")
    config = {
        "wsdl": gateway.wsdl_url,
        "sign": [sys.executable, "-m", "smev_soap.cli", "sign", "--profile", "smev2"],
        "gateway": {"code": gateway.settings.gateway_code, "name": gateway.settings.gateway_name},
        "mfc": _party(gateway.settings, DEMO_MFC),
        "agency": _party(gateway.settings, DEMO_AGENCY),
        "request": etree.tostring(request, encoding="unicode"),
        "response": etree.tostring(payments_response(request, load_payments()),
                                   encoding="unicode"),
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([node, "exchange.js", str(path)], cwd=NODE_DIR, env=child_env(),
                         capture_output=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    calls = json.loads(run.stdout)["calls"]
    assert [(c["who"], c["operation"], c["status"]) for c in calls] == EXPECTED

    signers = {gateway.mfc.code: gateway.mfc.cert, gateway.agency.code: gateway.agency.cert}
    answers = []
    for call in calls:
        sent = verify_envelope(parse_xml(call["sent"].encode(), max_bytes=1 << 24))
        assert sent.ok and sent.sender.certificate.fingerprint_sha256 == \
            signers[call["who"]].fingerprint_sha256, "smev-soap sign signed what node-soap built"
        received = call["received"].encode()
        answer = read_answer(received, gateway.trust)
        assert answer.status.value == call["status"]
        assert answer.message.request_id_ref == call["requestIdRef"]
        assert answer.verification.sender.certificate.fingerprint_sha256 == gateway.fingerprint
        assert emitted_problems(received, published, gateway.trust) == []
        answers.append(answer)

    delivered_bytes, delivered = delivered_payload(answers[1], gateway.trust)
    assert delivered_bytes == payload_bytes(calls[0]["sent"].encode())
    assert kind_schema().validate(delivered)
    result_bytes, result = delivered_payload(answers[6], gateway.trust)
    assert result_bytes == payload_bytes(calls[2]["sent"].encode())
    assert len(result.findall("{*}Payment")) == 4
