"""Just enough DER to read and write SubjectPublicKeyInfo / PKCS#8 headers.

asn1crypto does not know the GOST OIDs (GOST.md §7) and the structures are tiny.
"""

from __future__ import annotations

SEQUENCE, OID, OCTET_STRING, BIT_STRING, INTEGER, NULL = 0x30, 0x06, 0x04, 0x03, 0x02, 0x05


def looks_like_pem(data: bytes) -> bool:
    """True for PEM text (possibly with text around it), False for DER."""
    return b"-----BEGIN " in data


def read_tlv(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """Read one TLV at ``pos``: (tag, content, position after it). Raises ValueError."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise ValueError("truncated DER")
    return tag, data[pos:end], end


def children(content: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) items of a constructed value's content."""
    items, pos = [], 0
    while pos < len(content):
        tag, value, pos = read_tlv(content, pos)
        items.append((tag, value))
    return items


def decode_oid(content: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    arcs, value = [], 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs:
        raise ValueError("empty OID")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def tlv(tag: int, content: bytes) -> bytes:
    """Encode one TLV."""
    n = len(content)
    if n < 0x80:
        header = bytes([tag, n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        header = bytes([tag, 0x80 | len(size)]) + size
    return header + content


def encode_oid(dotted: str) -> bytes:
    """Encode an OBJECT IDENTIFIER TLV."""
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(OID, bytes(out))


def sequence(*items: bytes) -> bytes:
    """Encode a SEQUENCE of already encoded items."""
    return tlv(SEQUENCE, b"".join(items))


def spki_algorithm(spki_der: bytes) -> tuple[str, list[str]]:
    """(algorithm OID, OIDs among its parameters) of a SubjectPublicKeyInfo."""
    tag, spki, _ = read_tlv(spki_der)
    if tag != SEQUENCE:
        raise ValueError("SubjectPublicKeyInfo is not a SEQUENCE")
    (alg_tag, alg), *_ = children(spki)
    parts = children(alg)
    if alg_tag != SEQUENCE or not parts or parts[0][0] != OID:
        raise ValueError("bad AlgorithmIdentifier")
    params: list[str] = []
    if len(parts) > 1:
        if parts[1][0] == OID:
            params.append(decode_oid(parts[1][1]))
        elif parts[1][0] == SEQUENCE:
            params += [decode_oid(v) for t, v in children(parts[1][1]) if t == OID]
    return decode_oid(parts[0][1]), params


def tbs_spki(tbs_der: bytes) -> bytes:
    """The SubjectPublicKeyInfo DER inside a TBSCertificate."""
    _, tbs, _ = read_tlv(tbs_der)
    pos, index = 0, 0
    if tbs[:1] == b"\xa0":  # explicit [0] version
        _, _, pos = read_tlv(tbs, pos)
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    while True:
        start = pos
        _, _, pos = read_tlv(tbs, pos)
        if index == 5:
            return tbs[start:pos]
        index += 1
