"""``make run`` + ``make demo``: ``smev-soap run --demo`` (registry, demo-agent) and ``demo play``."""

from __future__ import annotations

import io
import subprocess
import sys

from gateway_process import child_env, start_gateway, stop_gateway

from smev_soap.demo_agent import load_payments, payments_response
from smev_soap.demo_play import payments_request, play, print_play
from smev_soap.envelope.model import Status

JOURNAL = ("received", "verified", "queued", "delivered", "answered", "acked")


def test_fixture_answers_by_snils_within_the_period():
    payments = load_payments()
    march = payments_response(payments_request("12345678901", ("2026-02-01", "2026-03-31")),
                              payments)
    assert [(p.findtext("{*}Month"), p.findtext("{*}Amount")) for p in march.iter("{*}Payment")] \
        == [("2026-02", "1520.50"), ("2026-02", "2310.00"), ("2026-03", "1520.50")]
    none = payments_response(payments_request("98765432100"), payments)
    assert none.findtext("{*}Snils") == "98765432100" and none.find("{*}Payment") is None
    assert payments_response(payments_request("00000000000"), payments) is None


def test_demo_play_answers_as_the_agency_when_no_agent_runs(gateway):
    outcome = play(gateway.settings, gateway.url, agent_wait=0.5, timeout=30)
    assert outcome.final is Status.RESULT
    assert outcome.answered_by.startswith("this script")
    trail = [(s.who, s.operation, s.status) for s in outcome.steps]
    assert trail[0] == ("MFCR00001", "SendRequest", "ACCEPT")
    for step in (("SZNR00001", "GetRequest", "REQUEST"), ("SZNR00001", "SendResponse", "ACCEPT"),
                 ("SZNR00001", "Ack", "ACCEPT"), ("MFCR00001", "GetResponse", "STATE"),
                 ("MFCR00001", "GetResponse", "RESULT")):
        assert step in trail
    assert trail[-1] == ("MFCR00001", "GetStatus", "RESULT")
    assert len(outcome.payload.findall("{*}Payment")) == 4
    assert {e["Type"] for e in outcome.history} >= set(JOURNAL)
    text = io.StringIO()
    print_play(outcome, text)
    assert f"request {outcome.request_id}" in text.getvalue()
    assert "final answer: RESULT" in text.getvalue()


def test_run_demo_loads_the_registry_and_the_agent_answers(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    settings, process, log, _ = start_gateway(var, "--demo")
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "smev_soap.cli", "demo", "play", "--agent-wait", "30"],
            env=child_env(SMEV_VAR_DIR=str(var), SMEV_BIND=settings.bind),
            capture_output=True, text=True, timeout=120, check=False)
        assert shown.returncode == 0, shown.stderr + log.read_text(errors="replace")[-3000:]
        assert "answered by: demo-agent" in shown.stdout
        assert "final answer: RESULT" in shown.stdout
        assert "ЕДВ ветеранам труда" in shown.stdout
        for event in JOURNAL:
            assert f"  {event}  " in shown.stdout

        unknown = play(settings, f"http://{settings.bind}/smev/ws", "00000000000",
                       agent_wait=30, timeout=60)
        assert unknown.final is Status.REJECT and unknown.payload is None
        assert unknown.answered_by == "demo-agent"
    finally:
        code = stop_gateway(process)
    output = log.read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert "[demo-agent]" in output and "REQUEST: RESULT" in output and "REQUEST: REJECT" in output
