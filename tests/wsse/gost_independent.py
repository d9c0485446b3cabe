"""A verifier independent of smev_soap: plain lxml c14n + gostcrypto (GOST.md §2 conversions).

Slow (pure Python, ~0.1 s per operation): use on few cases only.
"""

from __future__ import annotations

import base64

import gostcrypto
from lxml import etree

NS = {
    "soap": "http://schemas.xmlsoap.org/soap/envelope/",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
# CryptoPro-A / XchA / tc26-256-B are one curve (GOST.md §1.3)
_CURVES = {
    "1.2.643.2.2.35.1": "id-tc26-gost-3410-2012-256-paramSetB",
    "1.2.643.2.2.36.0": "id-tc26-gost-3410-2012-256-paramSetB",
    "1.2.643.7.1.2.1.1.2": "id-tc26-gost-3410-2012-256-paramSetB",
}


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER item at `pos`."""
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    return tag, pos, pos + length


def _items(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    while start < end:
        item = _tlv(data, start)
        out.append(item)
        start = item[2]
    return out


def _oid(raw: bytes) -> str:
    parts, value = [raw[0] // 40, raw[0] % 40], 0
    for byte in raw[1:]:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def public_key(cert_der: bytes) -> tuple[str, bytes]:
    """(gostcrypto curve name, BE(x)||BE(y)) of a GOST 2012-256 certificate."""
    _, s, e = _tlv(cert_der, 0)
    tbs = _items(cert_der, s, e)[0]
    fields = _items(cert_der, tbs[1], tbs[2])
    spki = fields[6] if fields[0][0] == 0xA0 else fields[5]
    algorithm, bits = _items(cert_der, spki[1], spki[2])
    params = _items(cert_der, algorithm[1], algorithm[2])[1]
    paramset = _items(cert_der, params[1], params[2])[0]
    curve = _CURVES[_oid(cert_der[paramset[1]:paramset[2]])]
    _, os, oe = _tlv(cert_der, bits[1] + 1)  # skip the unused-bits byte
    point = cert_der[os:oe]
    return curve, point[:32][::-1] + point[32:][::-1]


def streebog256(data: bytes) -> bytes:
    return gostcrypto.gosthash.new("streebog256", data=data).digest()


def gost_verify(cert_der: bytes, data: bytes, signature: bytes) -> bool:
    """Verify an XMLDSig GOST 2012-256 SignatureValue (BE(s)||BE(r)) over `data`."""
    curve, key = public_key(cert_der)
    verifier = gostcrypto.gostsignature.new(
        gostcrypto.gostsignature.MODE_256,
        gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[curve],
    )
    return verifier.verify(key, streebog256(data)[::-1], signature[32:] + signature[:32])


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def verify_smev2_block(envelope: bytes, actor: str) -> list[str]:
    """Verify the block of `actor` in serialised `envelope`; return the ids it covers."""
    root = etree.fromstring(envelope)
    (block,) = root.xpath("soap:Header/wsse:Security[@soap:actor=$a]", namespaces=NS, a=actor)
    signed_info = block.find("ds:Signature/ds:SignedInfo", NS)
    ids = []
    for reference in signed_info.findall("ds:Reference", NS):
        ident = reference.get("URI")[1:]
        (target,) = root.xpath("//*[@wsu:Id=$i]", namespaces=NS, i=ident)
        expected = base64.b64decode(reference.findtext("ds:DigestValue", namespaces=NS))
        assert streebog256(c14n(target)) == expected, ident
        ids.append(ident)
    token_uri = block.find("ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference",
                           NS).get("URI")
    (token,) = block.xpath("wsse:BinarySecurityToken[@wsu:Id=$i]", namespaces=NS, i=token_uri[1:])
    signature = base64.b64decode(block.findtext("ds:Signature/ds:SignatureValue", namespaces=NS))
    assert gost_verify(base64.b64decode(token.text), c14n(signed_info), signature)
    return ids
