"""gostcrypto (pure Python) as an independent verifier, with the GOST.md §2 conversions."""

import base64

import gostcrypto.gostsignature as gs
import pytest

from smev_soap.crypto import PrivateKey, PublicKey, digest
from smev_soap.crypto import _der as der

CURVES = {
    "gost2012-256": (gs.MODE_256, "id-tc26-gost-3410-2012-256-paramSetB", 32),  # = XchA
    "gost2012-512": (gs.MODE_512, "id-tc26-gost-3410-12-512-paramSetA", 64),
}


def engine_point_to_be(spki_der: bytes, n: int) -> bytes:
    """SPKI key octets LE(x)||LE(y) -> BE(x)||BE(y)."""
    _, spki, _ = der.read_tlv(spki_der)
    (_, _), (_, bits) = der.children(spki)
    _, point, _ = der.read_tlv(bits[1:])
    return point[:n][::-1] + point[n:][::-1]


def private_scalar_be(key: PrivateKey, n: int) -> bytes:
    """PKCS#8 privateKey octets LE(d) (as the engine writes them) -> BE(d)."""
    pem = key.to_pem().decode()
    pkcs8 = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
    _, body, _ = der.read_tlv(pkcs8)
    tag, d_le = der.children(body)[2]
    assert tag == der.OCTET_STRING and len(d_le) == n
    return d_le[::-1]


def signer(algorithm: str):
    mode, curve, n = CURVES[algorithm]
    return gs.new(mode, gs.CURVES_R_1323565_1_024_2019[curve]), n


@pytest.mark.parametrize("algorithm", sorted(CURVES))
def test_our_signature_verifies_in_gostcrypto(algorithm):
    key = PrivateKey.generate(algorithm)
    tool, n = signer(algorithm)
    message = b"<ds:SignedInfo>independent</ds:SignedInfo>"
    signature = key.sign(message)
    public_be = engine_point_to_be(key.public_key().spki_der, n)
    hashed = digest(key.algorithm.digest_name, message)
    assert tool.verify(public_be, hashed[::-1], signature[n:] + signature[:n])
    assert not tool.verify(public_be, hashed[::-1], signature)  # not without the swap


@pytest.mark.parametrize("algorithm", sorted(CURVES))
def test_gostcrypto_signature_verifies_in_ours(algorithm):
    key = PrivateKey.generate(algorithm)
    tool, n = signer(algorithm)
    d_be = private_scalar_be(key, n)
    assert tool.public_key_generate(d_be) == engine_point_to_be(key.public_key().spki_der, n)
    message = b"signed by gostcrypto"
    hashed = digest(key.algorithm.digest_name, message)
    r_s = tool.sign(d_be, hashed[::-1])
    signature = bytes(r_s[n:] + r_s[:n])
    public = PublicKey.from_spki_der(key.public_key().spki_der)
    assert public.verify(message, signature)
    assert public.verify_digest(hashed, signature)
    assert not public.verify(message, bytes(r_s))
