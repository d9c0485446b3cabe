"""SMEV-3 detached signatures: a real SMEV signature, round trips on the 1.2 samples, refusals."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from gost_independent import c14n, gost_verify, streebog256
from lxml import etree
from wsse_helpers import CONFORMANCE

from smev_soap.crypto import PrivateKey, issue_certificate
from smev_soap.wsse import dsig, reasons
from smev_soap.wsse.reasons import SignatureError
from smev_soap.wsse.smev3 import sign_element, verify_signature
from smev_soap.xml.ns import DS, tag
from smev_soap.xml.safe import parse_xml
from smev_soap.xml.smev_transform import smev_transform

REAL = CONFORMANCE / "signed/smev3-1.2-SendRequestResponse-MessageMetadata-SMEVSignature.xml"
SAMPLES = sorted((CONFORMANCE / "envelopes").glob("smev3-1.2-*-unsigned.xml"))
DS_NS = {"ds": DS}


def parse(data: bytes) -> etree._Element:
    return parse_xml(data, max_bytes=1 << 20)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def signature_of(root: etree._Element) -> etree._Element:
    return root.find(".//ds:Signature", DS_NS)


def reason_of(data: bytes) -> str:
    with pytest.raises(SignatureError) as info:
        verify_signature(signature_of(parse(data)))
    return info.value.reason


@pytest.fixture(scope="module")
def key_and_cert():
    key = PrivateKey.generate("gost2012-256")
    return key, issue_certificate("/O=Test/CN=bridge", key)


def test_real_smev_signature_verifies():
    root = parse(REAL.read_bytes())
    result = verify_signature(signature_of(root))
    assert result.element is root.xpath("//*[@Id='SIGNED_BY_SMEV']")[0]
    assert result.algorithm == "gost2012-256"
    assert result.certificate.paramset_oid == "1.2.643.2.2.36.0"


def test_real_smev_signature_survives_reindenting_the_signed_element():
    data = REAL.read_bytes().replace(b"<ns2:MessageType>", b"\n   <ns2:MessageType>")
    assert verify_signature(signature_of(parse(data))).algorithm == "gost2012-256"


def test_tampered_real_copies_fail():
    data = REAL.read_bytes()
    assert reason_of(data.replace(b">emu<", b">emv<")) == reasons.DIGEST_MISMATCH
    assert reason_of(data.replace(b"spzouoXNoV2siB2F", b"spzouoXNoV2siB2E")) == reasons.BAD_SIGNATURE
    assert reason_of(data.replace(b'<ds:SignatureMethod', b' <ds:SignatureMethod')
                     ) == reasons.BAD_SIGNATURE


def test_real_signature_with_trust_store(pki):
    with pytest.raises(SignatureError) as info:
        verify_signature(signature_of(parse(REAL.read_bytes())), trust=pki.trust)
    assert info.value.reason in (reasons.CERTIFICATE_UNTRUSTED, reasons.CERTIFICATE_EXPIRED)


def _sign_sample(path: Path, key, cert) -> tuple[bytes, str]:
    root = parse(path.read_bytes())
    (element,) = root.xpath("//*[@Id]")
    wrapper = etree.Element(tag(etree.QName(element).namespace, "CallerInformationSystemSignature"))
    element.addnext(wrapper)
    sign_element(element, key, cert, wrapper)
    return serialize(root), element.get("Id")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_round_trip_on_samples(path, key_and_cert):
    key, cert = key_and_cert
    data, ident = _sign_sample(path, key, cert)
    result = verify_signature(signature_of(parse(data)))
    assert result.element.get("Id") == ident and result.certificate == cert
    signature = signature_of(etree.fromstring(data))
    assert [t.get("Algorithm") for t in signature.iterfind(".//ds:Transform", DS_NS)] == [
        dsig.C14N_EXC, dsig.SMEV_TRANSFORM]
    assert base64.b64decode(signature.findtext(".//ds:X509Certificate", "", DS_NS)) == cert.der


def test_round_trip_verifies_independently(key_and_cert):
    key, cert = key_and_cert
    data, ident = _sign_sample(CONFORMANCE / "envelopes/smev3-1.2-SendResponseRequest-unsigned.xml",
                               key, cert)
    root = etree.fromstring(data)
    (element,) = root.xpath("//*[@Id=$i]", i=ident)
    signature = signature_of(root)
    digest = base64.b64decode(signature.findtext(".//ds:DigestValue", "", DS_NS))
    assert streebog256(smev_transform(c14n(element))) == digest
    value = base64.b64decode(signature.findtext("ds:SignatureValue", "", DS_NS))
    assert gost_verify(cert.der, c14n(signature.find("ds:SignedInfo", DS_NS)), value)


def test_refusals(key_and_cert):
    key, cert = key_and_cert
    path = CONFORMANCE / "envelopes/smev3-1.2-AckRequest-unsigned.xml"
    data, ident = _sign_sample(path, key, cert)
    duplicate = data.replace(b"</soap:Body>", b'<x:Copy xmlns:x="urn:x" Id="%s"/></soap:Body>'
                             % ident.encode())
    assert b"x:Copy" in duplicate
    assert reason_of(duplicate) == reasons.DUPLICATE_ID
    assert reason_of(data.replace(b'Id="%s"' % ident.encode(), b'Id="other"')
                     ) == reasons.REFERENCE_NOT_FOUND
    root = parse(data)
    signature_of(root).find(".//ds:Transform[2]", DS_NS).set("Algorithm", dsig.C14N_EXC)
    assert reason_of(serialize(root)) == reasons.UNSUPPORTED_TRANSFORM
    root = parse(data)
    x509 = signature_of(root).find(".//ds:X509Data", DS_NS)
    x509.getparent().remove(x509)
    assert reason_of(serialize(root)) == reasons.MISSING_TOKEN


def test_sign_element_refuses_bad_input(key_and_cert):
    key, cert = key_and_cert
    root = parse(b'<a:R xmlns:a="urn:a"><a:D Id="x"><a:W/></a:D><a:D2 Id="x"/></a:R>')
    with pytest.raises(ValueError):
        sign_element(root[0], key, cert, root[0][0])  # wrapper inside the signed element
    with pytest.raises(ValueError):
        sign_element(root[0], key, cert, root)  # Id not unique
    with pytest.raises(ValueError):
        sign_element(root, key, cert, root[0])  # no Id
