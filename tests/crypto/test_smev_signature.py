"""A real SMEV-3 signature (ЭП-СМЭВ) and its XchA certificate (SMEV.md §18.3)."""

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from smev_soap.crypto import Certificate, digest

SAMPLE = (Path(__file__).resolve().parents[3] / "shared" / "conformance" / "signed"
          / "smev3-1.2-SendRequestResponse-MessageMetadata-SMEVSignature.xml")
DS = "http://www.w3.org/2000/09/xmldsig#"
SIGNED_INFO = (  # the 737-byte canonical SignedInfo quoted in SMEV.md §18.3
    b'<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">'
    b"</ds:CanonicalizationMethod>"
    b'<ds:SignatureMethod Algorithm="urn:ietf:params:xml:ns:cpxmlsec:algorithms:'
    b'gostr34102012-gostr34112012-256"></ds:SignatureMethod>'
    b'<ds:Reference URI="#SIGNED_BY_SMEV"><ds:Transforms>'
    b'<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"></ds:Transform>'
    b'<ds:Transform Algorithm="urn://smev-gov-ru/xmldsig/transform"></ds:Transform>'
    b"</ds:Transforms>"
    b'<ds:DigestMethod Algorithm="urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256">'
    b"</ds:DigestMethod>"
    b"<ds:DigestValue>f4DoL3jU/jXkk8hjAgbvDQD7dHsTrp9c2YcTulP0cNM=</ds:DigestValue>"
    b"</ds:Reference></ds:SignedInfo>"
)
TRANSFORMED_METADATA = (  # SMEV.md §18.4 test vector 2: the SMEV transform's output
    b'<ns1:MessageMetadata xmlns:ns1="urn://x-artefacts-smev-gov-ru/services/message-exchange/'
    b'types/1.2" Id="SIGNED_BY_SMEV"><ns1:MessageId>ac9fbf27-8b8c-11eb-9086-e2bf794ac2e9'
    b"</ns1:MessageId><ns1:MessageType>REQUEST</ns1:MessageType><ns1:Sender><ns1:Mnemonic>"
    b"77BD01</ns1:Mnemonic></ns1:Sender><ns1:SendingTimestamp>2021-03-23T07:03:07.000+03:00"
    b"</ns1:SendingTimestamp><ns1:Recipient><ns1:Mnemonic>emu</ns1:Mnemonic></ns1:Recipient>"
    b"<ns1:Status>requestIsQueued</ns1:Status></ns1:MessageMetadata>"
)


@pytest.fixture(scope="module")
def sample():
    root = etree.parse(str(SAMPLE)).getroot()
    signature = root.find(f".//{{{DS}}}Signature")
    return {
        "signed_info": signature.find(f"{{{DS}}}SignedInfo"),
        "value": base64.b64decode(signature.findtext(f"{{{DS}}}SignatureValue")),
        "cert": Certificate.from_base64(signature.findtext(f".//{{{DS}}}X509Certificate")),
    }


def test_quoted_signed_info_is_the_canonical_form_of_the_file(sample):
    assert len(SIGNED_INFO) == 737
    c14n = etree.tostring(sample["signed_info"], method="c14n", exclusive=True, with_comments=False)
    assert c14n == SIGNED_INFO


def test_real_smev_signature_verifies(sample):
    key = sample["cert"].public_key
    assert key.algorithm.name == "gost2012-256"
    assert len(sample["value"]) == 64
    assert key.verify(SIGNED_INFO, sample["value"])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b.replace(b"f4DoL3jU", b"f4DoL3jV"),
        lambda b: b.replace(b"SIGNED_BY_SMEV", b"SIGNED_BY_SMEW"),
        lambda b: b + b" ",
        lambda b: b.replace(b"><", b">\n<", 1),
    ],
)
def test_tampered_signed_info_fails(sample, tamper):
    assert not sample["cert"].public_key.verify(tamper(SIGNED_INFO), sample["value"])


def test_swapped_or_reversed_signature_fails(sample):
    value, key = sample["value"], sample["cert"].public_key
    assert not key.verify(SIGNED_INFO, value[32:] + value[:32])
    assert not key.verify(SIGNED_INFO, value[::-1])


def test_reference_digest_of_the_transformed_metadata():
    assert len(TRANSFORMED_METADATA) == 487
    value = digest("streebog256", TRANSFORMED_METADATA)
    assert value.hex() == "7f80e82f78d4fe35e493c8630206ef0d00fb747b13ae9f5cd98713ba53f470d3"
    assert base64.b64encode(value) == b"f4DoL3jU/jXkk8hjAgbvDQD7dHsTrp9c2YcTulP0cNM="


def test_real_certificate_metadata(sample):
    cert = sample["cert"]
    assert cert.key_algorithm.name == "gost2012-256"
    assert cert.paramset == "id-GostR3410-2001-CryptoPro-XchA-ParamSet"
    assert cert.paramset_oid == "1.2.643.2.2.36.0"
    assert "O=Минкомсвязь России" in cert.subject
    assert "OGRN=1047702026701" in cert.subject and "INN=007710474375" in cert.subject
    assert cert.issuer.startswith("CN=Тестовый УЦ РТК,")
    assert cert.serial == 0x03EA85002AAC41A8452B232F1C5F1DB6
    assert cert.not_before == datetime(2020, 9, 2, 7, 57, 34, tzinfo=UTC)
    assert cert.not_after == datetime(2021, 9, 2, 8, 7, 34, tzinfo=UTC)
    assert cert.key_usage == [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
    ]
    assert cert.is_ca is False
    # GOST.md §2 worked example: the SPKI key octets are LE(x)||LE(y)
    assert bytes.fromhex("385bf3c4dc88b631") in cert.public_key.spki_der


def test_certificate_base64_with_line_breaks(sample):
    text = base64.b64encode(sample["cert"].der).decode()
    wrapped = "\n  ".join(re.findall(".{1,76}", text)) + "\r\n"
    assert Certificate.from_base64(wrapped) == sample["cert"]
