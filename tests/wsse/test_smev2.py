"""SMEV-2 WS-Security: signing, delivery re-signing, strict verification, lenient reading."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from gost_independent import NS, c14n, verify_smev2_block
from lxml import etree
from wsse_helpers import SMEV2_SAMPLE, Signer, openssl

from smev_soap.crypto import PrivateKey, issue_certificate
from smev_soap.wsse import dsig, reasons, smev2
from smev_soap.wsse.smev2 import add_recipient_signature, sign_envelope, verify_envelope
from smev_soap.xml.ns import (
    ACTOR_RECIPIENT,
    ACTOR_SMEV,
    SMEV,
    SMEV_OLD,
    SOAP,
    SOAP_BODY,
    SOAP_HEADER,
    WSSE_SECURITY,
    WSU,
    WSU_ID,
    tag,
)
from smev_soap.xml.safe import parse_xml

MB = 1 << 20


def parse(data: bytes) -> etree._Element:
    return parse_xml(data, max_bytes=MB)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def verify(data: bytes, **kw) -> smev2.EnvelopeVerification:
    return verify_envelope(parse(data), **kw)


def sign(data: bytes, who: Signer) -> bytes:
    root = parse(data)
    sign_envelope(root, who.key, who.cert)
    return serialize(root)


def deliver(data: bytes, gateway: Signer, namespace: str = SMEV) -> bytes:
    """What the gateway does on delivery: add smev:Header and the recipient block."""
    root = parse(data)
    header = root.find(SOAP_HEADER)
    smev_header = etree.SubElement(header, tag(namespace, "Header"),
                                   {WSU_ID: f"ID-{uuid.uuid4()}"},
                                   nsmap={"smev": namespace, "wsu": WSU})
    for name, text in (("NodeId", "99"), ("MessageId", str(uuid.uuid1())),
                       ("TimeStamp", "2024-01-01T00:00:00+03:00"), ("MessageClass", "REQUEST")):
        etree.SubElement(smev_header, tag(namespace, name)).text = text
    add_recipient_signature(root, gateway.key, gateway.cert, smev_header)
    return serialize(root)


@pytest.fixture(scope="module")
def signed(signer) -> bytes:
    return sign(SMEV2_SAMPLE.read_bytes(), signer)


@pytest.fixture(scope="module")
def delivered(signed, other_signer) -> bytes:
    return deliver(signed, other_signer)


# ------------------------------------------------------------------------------------- positive


def test_signed_sample_verifies(signed, signer):
    root = parse(signed)
    result = verify_envelope(root)
    assert result.ok and result.reason == reasons.OK
    assert result.body is root.find(SOAP_BODY)
    assert result.header is None and result.recipient is None
    sender = result.sender
    assert (sender.actor, sender.valid, sender.reason) == (ACTOR_SMEV, True, reasons.OK)
    assert sender.element_ids == ("body-wsu-id",)
    assert sender.certificate == signer.cert and sender.algorithm == "gost2012-256"


def test_a_verified_block_tells_the_digest_it_checked(signed):
    root = parse(signed)
    result = verify_envelope(root)
    stated = root.find(f".//{{{NS['ds']}}}DigestValue").text
    assert base64.b64encode(result.sender.digest_of(result.body)).decode() == stated.strip()
    assert result.sender.digest_of(root) is None  # an element it does not sign


def test_signed_sample_verifies_independently(signed):
    """Plain lxml exc-c14n + gostcrypto Streebog and GOST R 34.10-2012 (GOST.md §2)."""
    assert verify_smev2_block(signed, ACTOR_SMEV) == ["body-wsu-id"]


def test_signed_sample_verifies_with_openssl_cli(signed, signer, tmp_path):
    root = etree.fromstring(signed)
    signature = root.find("soap:Header/wsse:Security/ds:Signature", NS)
    body = root.find("soap:Body", NS)
    (tmp_path / "si").write_bytes(c14n(signature.find("ds:SignedInfo", NS)))
    (tmp_path / "sig").write_bytes(base64.b64decode(signature.findtext("ds:SignatureValue", "",
                                                                        NS)))
    digest = openssl("dgst", "-engine", "gost", "-md_gost12_256", "-binary", data=c14n(body))
    assert base64.b64encode(digest).decode() == signature.findtext(".//ds:DigestValue", "", NS)
    pub = tmp_path / "pub.pem"
    pub.write_bytes(openssl("x509", "-engine", "gost", "-in", str(signer.cert_pem), "-pubkey",
                            "-noout"))
    out = openssl("dgst", "-engine", "gost", "-md_gost12_256", "-verify", str(pub), "-signature",
                  str(tmp_path / "sig"), str(tmp_path / "si"))
    assert b"Verified OK" in out


def test_written_block_follows_the_profile(signed):
    root = etree.fromstring(signed)
    (block,) = root.find(SOAP_HEADER)
    assert block.tag == WSSE_SECURITY
    assert dict(block.attrib) == {tag(SOAP, "actor"): ACTOR_SMEV}
    assert b'soap-env:actor="http://smev.gosuslugi.ru/actors/smev"' in signed
    token = block.find("wsse:BinarySecurityToken", NS)
    assert re.fullmatch(r"CertId-[0-9a-f-]{36}", token.get(WSU_ID))
    assert [t.get("Algorithm") for t in block.iterfind(".//ds:Transform", NS)] == [dsig.C14N_EXC]
    assert len(block.findall(".//ds:Reference", NS)) == 1
    assert block.find(".//ds:SignatureMethod", NS).get("Algorithm") == (
        "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256")
    assert block.find(".//ds:DigestMethod", NS).get("Algorithm") == (
        "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256")
    assert b"InclusiveNamespaces" not in signed and b"mustUnderstand" not in signed
    for element in block.iter():
        assert element.text is None or element.text.strip(), element.tag
        assert element.tail is None, element.tag
    assert block.find("ds:Signature/ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference",
                      NS).get("URI") == "#" + token.get(WSU_ID)


def test_delivery_keeps_sender_bytes_and_both_blocks_verify(signed, delivered, other_signer):
    def between(data: bytes, start: bytes, end: bytes) -> bytes:
        return data[data.index(start):data.index(end) + len(end)]

    sender_block = between(signed, b"<wsse:Security", b"</wsse:Security>")
    body = between(signed, b"<soap-env:Body", b"</soap-env:Body>")
    assert sender_block in delivered and body in delivered

    root = parse(delivered)
    header = root.find(SOAP_HEADER)
    assert [c.get(tag(SOAP, "actor")) for c in header[:2]] == [ACTOR_RECIPIENT, ACTOR_SMEV]
    result = verify_envelope(root)
    assert result.ok, result
    assert result.body is root.find(SOAP_BODY)
    assert result.header is header[2] and result.header.tag == tag(SMEV, "Header")
    recipient = result.recipient
    assert recipient.element_ids == (header[2].get(WSU_ID), "body-wsu-id")
    assert recipient.certificate == other_signer.cert
    assert [b.valid for b in result.blocks] == [True, True]
    refs = header[0].findall(".//ds:Reference", NS)
    assert [r.get("URI") for r in refs] == ["#" + header[2].get(WSU_ID), "#body-wsu-id"]


def test_delivery_verifies_independently(delivered):
    assert verify_smev2_block(delivered, ACTOR_SMEV) == ["body-wsu-id"]
    assert verify_smev2_block(delivered, ACTOR_RECIPIENT)[1] == "body-wsu-id"


def test_gateway_answer_gets_header_and_body_id():
    key = PrivateKey.generate("gost2012-256")
    cert = issue_certificate("/CN=gateway", key)
    answer = (b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
              b'<a:Answer xmlns:a="urn:a"><a:Status>ACCEPT</a:Status></a:Answer></S:Body>'
              b"</S:Envelope>")
    root = parse(answer)
    sign_envelope(root, key, cert)
    data = serialize(root)
    assert f'<S:Body xmlns:wsu="{WSU}" wsu:Id="body">'.encode() in data
    assert b"<S:Header><wsse:Security" in data
    result = verify(data)
    assert result.ok and result.sender.element_ids == ("body",)
    with pytest.raises(ValueError):
        sign_envelope(parse(answer), key, cert, actor=ACTOR_RECIPIENT)


def test_body_id_uses_wsu_in_scope():
    key = PrivateKey.generate("gost2012-256")
    cert = issue_certificate("/CN=gateway", key)
    root = parse(f'<S:Envelope xmlns:S="{SOAP}" xmlns:wsu="{WSU}"><S:Header/><S:Body>'
                 '<x xmlns="urn:x"/></S:Body></S:Envelope>'.encode())
    sign_envelope(root, key, cert)
    assert b'<S:Body wsu:Id="body">' in serialize(root)
    assert verify(serialize(root)).ok


# -------------------------------------------------------------------------------------- lenient


def _resign(root: etree._Element, key: PrivateKey, actor: str = ACTOR_SMEV) -> None:
    """Recompute SignatureValue after an edit of SignedInfo (tests of the lenient reader)."""
    (block,) = [b for b in root.iter(WSSE_SECURITY) if b.get(tag(SOAP, "actor")) == actor]
    signed_info = block.find(".//ds:SignedInfo", NS)
    value = block.find(".//ds:SignatureValue", NS)
    value.text = base64.b64encode(key.sign(c14n(signed_info))).decode()


def test_lenient_block_layout(signed, signer):
    root = parse(signed)
    block = root.find(SOAP_HEADER)[0]
    block.set(tag(SOAP, "mustUnderstand"), "1")
    token, signature = block
    block.remove(token)
    block.append(token)  # signature first, then token
    token.text = "\n".join(token.text[i:i + 64] for i in range(0, len(token.text), 64))
    value = signature.find("ds:SignatureValue", NS)
    value.text = value.text[:40] + "\r\n" + value.text[40:]
    block.text, signature.tail = "\n  ", "\n  "
    result = verify(serialize(root))
    assert result.ok, result


def test_lenient_alias_uris(signed, signer):
    root = parse(signed)
    more = "http://www.w3.org/2001/04/xmldsig-more#"
    root.find(".//ds:SignatureMethod", NS).set("Algorithm", more + "gostr34102012-gostr34112012-256")
    root.find(".//ds:DigestMethod", NS).set("Algorithm", more + "gostr34112012-256")
    _resign(root, signer.key)
    assert verify(serialize(root)).ok


def test_inclusive_namespaces_are_honoured(signed, signer):
    root = parse(signed)
    method = root.find(".//ds:SignedInfo/ds:CanonicalizationMethod", NS)
    etree.SubElement(method, "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces",
                     PrefixList="wsse")
    signed_info = method.getparent()
    value = root.find(".//ds:SignatureValue", NS)
    value.text = base64.b64encode(signer.key.sign(etree.tostring(
        signed_info, method="c14n", exclusive=True, inclusive_ns_prefixes=["wsse"]))).decode()
    assert verify(serialize(root)).ok


def test_rev111111_header_and_other_prefixes(signer, other_signer):
    data = SMEV2_SAMPLE.read_bytes().replace(b"soap-env", b"S")
    delivered = deliver(sign(data, signer), other_signer, namespace=SMEV_OLD)
    result = verify(delivered)
    assert result.ok and result.header.tag == tag(SMEV_OLD, "Header")


# ------------------------------------------------------------------------------------- negative


def _reason(data: bytes, **kw) -> str:
    result = verify(data, **kw)
    assert not result.ok and result.body is None and result.header is None
    return result.reason


def test_no_signature():
    assert _reason(SMEV2_SAMPLE.read_bytes()) == reasons.NO_SIGNATURE


def test_not_an_envelope():
    assert _reason(b"<a/>") == reasons.BAD_ENVELOPE
    two_bodies = SMEV2_SAMPLE.read_bytes().replace(b"</soap-env:Envelope>",
                                                   b"<soap-env:Body/></soap-env:Envelope>")
    assert _reason(two_bodies) == reasons.BAD_ENVELOPE


def test_tampered_body(signed):
    assert _reason(signed.replace(b"<smev:CaseNumber>123<", b"<smev:CaseNumber>124<")
                   ) == reasons.DIGEST_MISMATCH


def test_reindented_body(signed):
    assert _reason(signed.replace(b"<smev:CaseNumber>", b"\n<smev:CaseNumber>")
                   ) == reasons.DIGEST_MISMATCH


def test_tampered_signed_info(signed):
    assert _reason(signed.replace(b'<ds:Reference URI="#body-wsu-id">',
                                  b'<ds:Reference Id="x" URI="#body-wsu-id">')
                   ) == reasons.BAD_SIGNATURE


def test_whitespace_inside_signed_info(signed):
    assert _reason(signed.replace(b"<ds:SignatureMethod", b"\n<ds:SignatureMethod")
                   ) == reasons.BAD_SIGNATURE


def test_tampered_signature_value(signed):
    root = parse(signed)
    value = root.find(".//ds:SignatureValue", NS)
    raw = bytearray(base64.b64decode(value.text))
    raw[5] ^= 1
    value.text = base64.b64encode(bytes(raw)).decode()
    assert _reason(serialize(root)) == reasons.BAD_SIGNATURE


def test_certificate_swapped(signed, other_signer):
    root = parse(signed)
    root.find(".//wsse:BinarySecurityToken", NS).text = base64.b64encode(
        other_signer.cert.der).decode()
    assert _reason(serialize(root)) == reasons.BAD_SIGNATURE


def test_second_element_with_the_same_id(signed):
    for attribute in ("wsu:Id", "Id"):
        root = parse(signed)
        header = root.find(SOAP_HEADER)
        header.append(etree.fromstring(
            f'<x:Other xmlns:x="urn:x" xmlns:wsu="{WSU}" {attribute}="body-wsu-id"/>'))
        assert _reason(serialize(root)) == reasons.DUPLICATE_ID


def test_signature_wrapping_body_moved_under_wrapper(signed):
    root = parse(signed)
    body = root.find(SOAP_BODY)
    wrapper = etree.SubElement(root.find(SOAP_HEADER), "{urn:evil}Wrapper")
    wrapper.append(body)
    evil = etree.SubElement(root, SOAP_BODY)
    etree.SubElement(evil, "{urn:evil}Transfer").text = "everything"
    assert _reason(serialize(root)) == reasons.WRONG_TARGET
    evil.set(WSU_ID, "body-wsu-id")
    assert _reason(serialize(root)) == reasons.DUPLICATE_ID


def test_reference_to_another_element(signed, signer):
    root = parse(signed)
    token = root.find(".//wsse:BinarySecurityToken", NS)
    root.find(".//ds:Reference", NS).set("URI", "#" + token.get(WSU_ID))
    root.find(".//ds:DigestValue", NS).text = base64.b64encode(
        dsig.digest_element(token, smev2.CHAIN, None, "streebog256")).decode()
    _resign(root, signer.key)
    assert _reason(serialize(root)) == reasons.WRONG_TARGET
    root.find(".//ds:Reference", NS).set("URI", "#nowhere")
    _resign(root, signer.key)
    assert _reason(serialize(root)) == reasons.REFERENCE_NOT_FOUND


def test_missing_token(signed):
    root = parse(signed)
    token = root.find(".//wsse:BinarySecurityToken", NS)
    token.getparent().remove(token)
    assert _reason(serialize(root)) == reasons.MISSING_TOKEN
    root = parse(signed)
    root.find(".//wsse:SecurityTokenReference/wsse:Reference", NS).set("URI", "#CertId-none")
    assert _reason(serialize(root)) == reasons.MISSING_TOKEN


def test_garbage_token(signed):
    root = parse(signed)
    root.find(".//wsse:BinarySecurityToken", NS).text = base64.b64encode(b"garbage").decode()
    assert _reason(serialize(root)) == reasons.BAD_CERTIFICATE


@pytest.mark.parametrize("path, uri, reason", [
    (".//ds:SignatureMethod", "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
     reasons.UNSUPPORTED_ALGORITHM),
    (".//ds:DigestMethod", "http://www.w3.org/2000/09/xmldsig#sha1", reasons.UNSUPPORTED_ALGORITHM),
    (".//ds:CanonicalizationMethod", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
     reasons.UNSUPPORTED_ALGORITHM),
    (".//ds:Transform", "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
     reasons.UNSUPPORTED_TRANSFORM),
    (".//ds:SignatureMethod",
     "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512",
     reasons.ALGORITHM_MISMATCH),
    (".//ds:DigestMethod", "http://www.w3.org/2001/04/xmldsig-more#gostr3411",
     reasons.ALGORITHM_MISMATCH),
])
def test_algorithm_uris(signed, signer, path, uri, reason):
    root = parse(signed)
    root.find(path, NS).set("Algorithm", uri)
    _resign(root, signer.key)
    assert _reason(serialize(root)) == reason


def test_smev_transform_is_not_allowed_in_smev2(signed, signer):
    root = parse(signed)
    transforms = root.find(".//ds:Transforms", NS)
    etree.SubElement(transforms, tag(NS["ds"], "Transform"), Algorithm=dsig.SMEV_TRANSFORM)
    _resign(root, signer.key)
    assert _reason(serialize(root)) == reasons.UNSUPPORTED_TRANSFORM


def test_certificate_checks_with_trust_store(pki, signer):
    data = SMEV2_SAMPLE.read_bytes()
    for (key, cert), expected in ((pki.valid, reasons.OK),
                                  (pki.expired, reasons.CERTIFICATE_EXPIRED)):
        root = parse(data)
        sign_envelope(root, key, cert)
        assert verify(serialize(root), trust=pki.trust).reason == expected
    signed = sign(data, signer)
    assert verify(signed).ok
    result = verify(signed, trust=pki.trust)
    assert result.reason == reasons.CERTIFICATE_UNTRUSTED
    assert result.sender.certificate == signer.cert and not result.sender.valid


def test_recipient_block_alone(delivered):
    root = parse(delivered)
    header = root.find(SOAP_HEADER)
    header.remove(header[1])
    assert _reason(serialize(root)) == reasons.NO_SENDER_SIGNATURE


def _second_sender_block(root: etree._Element, who: Signer) -> etree._Element:
    """Another actor-smev block over the Body (sign_envelope refuses to add one itself)."""
    header = root.find(SOAP_HEADER)
    first = header[0]
    header.remove(first)
    block = sign_envelope(root, who.key, who.cert)
    header.insert(0, first)
    return block


def test_recipient_block_with_body_reference_only(signed, other_signer):
    root = parse(signed)
    block = _second_sender_block(root, other_signer)
    block.set(tag(SOAP, "actor"), ACTOR_RECIPIENT)
    assert _reason(serialize(root)) == reasons.UNEXPECTED_REFERENCES


def test_tampered_smev_header_after_delivery(delivered):
    assert _reason(delivered.replace(b"<smev:NodeId>99<", b"<smev:NodeId>98<")
                   ) == reasons.DIGEST_MISMATCH


def test_unknown_and_duplicate_actor(signed, other_signer):
    root = parse(signed)
    root.find(SOAP_HEADER)[0].set(tag(SOAP, "actor"), "urn:other")
    assert _reason(serialize(root)) == reasons.NO_SENDER_SIGNATURE
    root = parse(signed)
    block = _second_sender_block(root, other_signer)
    block.set(tag(SOAP, "actor"), "urn:other")
    result = verify(serialize(root))
    assert result.reason == reasons.UNKNOWN_ACTOR and result.sender.valid
    root = parse(signed)
    _second_sender_block(root, other_signer)
    assert _reason(serialize(root)) == reasons.DUPLICATE_ACTOR


def test_signing_twice_is_refused(signed, delivered, other_signer):
    with pytest.raises(ValueError):
        sign_envelope(parse(signed), other_signer.key, other_signer.cert)
    root = parse(delivered)
    header = root.find(SOAP_HEADER)
    with pytest.raises(ValueError):
        add_recipient_signature(root, other_signer.key, other_signer.cert, header[2])


def test_add_recipient_signature_refuses_bad_input(signed, other_signer):
    root = parse(signed)
    stray = etree.SubElement(root.find(SOAP_BODY), tag(SMEV, "Header"), {WSU_ID: "ID-1"})
    with pytest.raises(ValueError):
        add_recipient_signature(root, other_signer.key, other_signer.cert, stray)
    no_id = etree.SubElement(root.find(SOAP_HEADER), tag(SMEV, "Header"))
    with pytest.raises(ValueError):
        add_recipient_signature(root, other_signer.key, other_signer.cert, no_id)


def test_reason_strings_are_stable():
    assert {reasons.NO_SIGNATURE, reasons.DUPLICATE_ID, reasons.WRONG_TARGET,
            reasons.CERTIFICATE_EXPIRED} <= reasons.ALL
    assert reasons.certificate_reason("revoked") == reasons.CERTIFICATE_REVOKED


def test_independent_verifier_is_not_vacuous(signed):
    root = parse(signed)
    value = root.find(".//ds:SignatureValue", NS)
    raw = bytearray(base64.b64decode(value.text))
    raw[0] ^= 1
    value.text = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(AssertionError):
        verify_smev2_block(serialize(root), ACTOR_SMEV)


def test_comment_inside_signed_info_is_read_by_the_general_path(signed):
    root = parse(signed)
    root.find(".//ds:SignedInfo", NS).insert(1, etree.Comment("not signed"))
    assert verify(serialize(root)).ok


def test_soap_as_default_namespace(signer, other_signer):
    data = (f'<Envelope xmlns="{SOAP}"><Header/><Body xmlns:u="{WSU}" u:Id="b1">'
            '<x:Op xmlns:x="urn:x">1</x:Op></Body></Envelope>').encode()
    delivered = deliver(sign(data, signer), other_signer)
    result = verify(delivered)
    assert result.ok and result.sender.element_ids == ("b1",)
    assert result.recipient.element_ids[1] == "b1"
