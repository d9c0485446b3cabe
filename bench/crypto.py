"""D25: SMEV-2 envelope signing/verification cost against the raw GOST engine, on one core.

Everything is measured from an already parsed tree, on a ~4 KiB envelope with GOST 2012-256 keys:

* raw_sign / raw_verify: the bare engine operation on a precomputed digest (the unit);
* floor_sign / floor_verify: the unavoidable work, c14n + digest of the Body and of SignedInfo
  plus the raw operation;
* sign_envelope / verify_envelope: the full smev_soap.wsse.smev2 calls (signing gets a fresh
  parsed tree each time; copying it is not timed).

The process is pinned to one CPU; rates are per CPU second (process time), and the measurements
run in interleaved 0.25 s slices so that load from other processes hits them alike.

Usage: python bench/crypto.py [--seconds 2.5]   (CPU seconds per line). No assertions.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time
from collections.abc import Callable

from lxml import etree

from smev_soap.crypto import PrivateKey, digest, issue_certificate
from smev_soap.wsse.smev2 import sign_envelope, verify_envelope
from smev_soap.xml.c14n import exc_c14n
from smev_soap.xml.ns import DS, SOAP_BODY
from smev_soap.xml.safe import parse_xml

TARGET_SIZE = 4096
SLICE = 0.25
VERIFY_TARGET, SIGN_TARGET = 2.0, 4.0

_ENVELOPE = """<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">\
<soap:Header/><soap:Body wsu:Id="body"><tns:SendRequest xmlns:tns="urn://smev-soap/single-service/1.0">\
<smev:Message xmlns:smev="http://smev.gosuslugi.ru/rev120315"><smev:Sender><smev:Code>MCXR02001\
</smev:Code><smev:Name>Информационная система Минсельхоза России</smev:Name></smev:Sender>\
<smev:Recipient><smev:Code>FNSR01001</smev:Code><smev:Name>ФНС России</smev:Name></smev:Recipient>\
<smev:Service><smev:Mnemonic>svedmereconzatrpodvod</smev:Mnemonic><smev:Version>2.00</smev:Version>\
</smev:Service><smev:TypeCode>GSRV</smev:TypeCode><smev:Status>REQUEST</smev:Status>\
<smev:Date>2024-05-17T10:11:12.123+03:00</smev:Date><smev:ExchangeType>2</smev:ExchangeType>\
<smev:CaseNumber>123</smev:CaseNumber></smev:Message><smev:MessageData \
xmlns:smev="http://smev.gosuslugi.ru/rev120315"><smev:AppData><r:Request xmlns:r="urn:example:fns">\
{rows}</r:Request></smev:AppData></smev:MessageData></tns:SendRequest></soap:Body></soap:Envelope>"""
_ROW = ("<r:Person><r:Inn>77{n:010d}</r:Inn><r:Name>Иванов Иван Иванович</r:Name>"
        "<r:Birth>1980-01-{d:02d}</r:Birth></r:Person>")


def _envelope(rows: int) -> bytes:
    return _ENVELOPE.format(rows="".join(_ROW.format(n=i, d=i % 28 + 1) for i in range(rows))
                            ).encode("utf-8")


class _Measure:
    """One measured operation: `prepare` (untimed) returns the inputs `run` consumes one by one."""

    def __init__(self, name: str, op: Callable[..., object],
                 prepare: Callable[[], list] | None = None) -> None:
        self.name, self.op, self.prepare = name, op, prepare
        self.rates: list[float] = []  # one per slice

    def slice(self, seconds: float) -> None:
        """Run for about `seconds` of CPU time."""
        inputs = self.prepare() if self.prepare else None
        op, count = self.op, 0
        started = time.process_time()
        deadline = started + seconds
        if inputs is None:
            while time.process_time() < deadline:
                for _ in range(20):
                    op()
                count += 20
        else:
            for item in inputs:
                op(item)
                count += 1
                if count % 20 == 0 and time.process_time() >= deadline:
                    break
        self.rates.append(count / (time.process_time() - started))

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    def ratio_to(self, unit: _Measure) -> float:
        """Median over slices of (unit rate / own rate), slices of one round side by side."""
        return statistics.median(u / r for u, r in zip(unit.rates, self.rates, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.5, help="run length per measurement")
    seconds = parser.parse_args().seconds
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})

    key = PrivateKey.generate("gost2012-256", "XA")
    cert = issue_certificate("/C=RU/O=Bench/CN=bench", key)
    public = cert.public_key

    rows = 1
    while True:
        unsigned = parse_xml(_envelope(rows), max_bytes=1 << 20)
        signed_root = copy.deepcopy(unsigned)
        sign_envelope(signed_root, key, cert)
        data = etree.tostring(signed_root, encoding="utf-8")
        if len(data) >= TARGET_SIZE:
            break
        rows += 1
    root = parse_xml(data, max_bytes=1 << 20)
    assert verify_envelope(root).ok
    body = root.find(SOAP_BODY)
    signed_info = root.find(f".//{{{DS}}}SignedInfo")
    si_bytes = exc_c14n(signed_info)
    value = key.sign(si_bytes)
    raw_digest = digest("streebog256", si_bytes)
    raw_signature = key.sign_digest(raw_digest)

    def floor_sign() -> None:
        digest("streebog256", exc_c14n(body))
        key.sign(exc_c14n(signed_info))

    def floor_verify() -> None:
        digest("streebog256", exc_c14n(body))
        public.verify(exc_c14n(signed_info), value)

    def fresh_trees() -> list[etree._Element]:
        return [copy.deepcopy(unsigned) for _ in range(2000)]

    measures = [
        _Measure("raw_sign", lambda: key.sign_digest(raw_digest)),
        _Measure("raw_verify", lambda: public.verify_digest(raw_digest, raw_signature)),
        _Measure("floor_sign", floor_sign),
        _Measure("floor_verify", floor_verify),
        _Measure("sign_envelope", lambda tree: sign_envelope(tree, key, cert), fresh_trees),
        _Measure("verify_envelope", lambda: verify_envelope(root)),
    ]
    rounds = max(1, round(seconds / SLICE))
    print(f"envelope {len(data)} bytes signed, Body c14n {len(exc_c14n(body))} bytes, "
          f"key {key.algorithm.name} paramset XA, pinned to cpu {cpu}; "
          f"CPU time, {rounds} interleaved slices of {SLICE:g} s each; medians over slices")
    for _ in range(rounds):
        for measure in measures:
            measure.slice(SLICE)
    raw_sign, raw_verify = measures[:2]
    targets = {"sign_envelope": SIGN_TARGET, "verify_envelope": VERIFY_TARGET}
    for measure in measures:
        ratio = measure.ratio_to(raw_verify if "verify" in measure.name else raw_sign)
        line = f"{measure.name:<16} {measure.rate:7.0f}/s  ratio_to_raw {ratio:4.2f}"
        target = targets.get(measure.name)
        if target is not None:
            line += f"  (target <= {target:.1f}: {'ok' if ratio <= target else 'MISSED'})"
        print(line)


if __name__ == "__main__":
    main()
