"""The SMEV-3 transform against SMEV.md §18.4 test vectors (Java reference semantics)."""

from __future__ import annotations

import base64
from pathlib import Path

import gostcrypto
import pytest

from smev_soap.xml.c14n import exc_c14n
from smev_soap.xml.safe import parse_xml
from smev_soap.xml.smev_transform import TransformError, smev_transform

SIGNED = (Path(__file__).resolve().parents[3] / "shared" / "conformance" / "signed"
          / "smev3-1.2-SendRequestResponse-MessageMetadata-SMEVSignature.xml")

VECTOR1_IN = b"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="style.xsl"?>
<elementOne xmlns="http://test/1" xmlns:qwe="http://test/2" xmlns:asd="http://test/3">
    <qwe:elementTwo>
        <asd:elementThree xmlns:wer="http://test/a" xmlns:zxc="http://test/0" wer:attZ="zzz"
            attB="bbb" attA="aaa" zxc:attC="ccc" asd:attD="ddd" asd:attE="eee" qwe:attF="fff"/>
    </qwe:elementTwo>
    <qwe:elementFour>0</qwe:elementFour>
    <qwe:elementFive/>
    <qwe:elementSix>   </qwe:elementSix>
</elementOne>
"""
VECTOR1_OUT = (
    b'<ns1:elementOne xmlns:ns1="http://test/1"><ns2:elementTwo xmlns:ns2="http://test/2">'
    b'<ns3:elementThree xmlns:ns3="http://test/3" xmlns:ns4="http://test/0" '
    b'xmlns:ns5="http://test/a" ns4:attC="ccc" ns2:attF="fff" ns3:attD="ddd" ns3:attE="eee" '
    b'ns5:attZ="zzz" attA="aaa" attB="bbb"></ns3:elementThree></ns2:elementTwo>'
    b'<ns6:elementFour xmlns:ns6="http://test/2">0</ns6:elementFour>'
    b'<ns7:elementFive xmlns:ns7="http://test/2"></ns7:elementFive>'
    b'<ns8:elementSix xmlns:ns8="http://test/2"></ns8:elementSix></ns1:elementOne>'
)
VECTOR2_OUT = (
    b'<ns1:MessageMetadata xmlns:ns1="urn://x-artefacts-smev-gov-ru/services/message-exchange/'
    b'types/1.2" Id="SIGNED_BY_SMEV"><ns1:MessageId>ac9fbf27-8b8c-11eb-9086-e2bf794ac2e9'
    b'</ns1:MessageId><ns1:MessageType>REQUEST</ns1:MessageType><ns1:Sender><ns1:Mnemonic>77BD01'
    b'</ns1:Mnemonic></ns1:Sender><ns1:SendingTimestamp>2021-03-23T07:03:07.000+03:00'
    b'</ns1:SendingTimestamp><ns1:Recipient><ns1:Mnemonic>emu</ns1:Mnemonic></ns1:Recipient>'
    b'<ns1:Status>requestIsQueued</ns1:Status></ns1:MessageMetadata>'
)


def _streebog256(data: bytes) -> bytes:
    return gostcrypto.gosthash.new("streebog256", data=data).digest()


def test_vector1_synthetic_rules():
    assert smev_transform(VECTOR1_IN) == VECTOR1_OUT


def test_vector1_is_not_the_php_port_output():
    assert b"<ns2:elementFour>" not in smev_transform(VECTOR1_IN)


def test_vector2_real_smev_metadata_and_digest():
    root = parse_xml(SIGNED.read_bytes(), max_bytes=1 << 20)
    metadata = root.xpath("//*[@Id='SIGNED_BY_SMEV']")[0]
    out = smev_transform(exc_c14n(metadata))
    assert out == VECTOR2_OUT and len(out) == 487
    assert base64.b64encode(_streebog256(out)) == b"f4DoL3jU/jXkk8hjAgbvDQD7dHsTrp9c2YcTulP0cNM="


def test_vector2_survives_compaction():
    compact = b"".join(line.strip() for line in exc_c14n(
        parse_xml(SIGNED.read_bytes(), max_bytes=1 << 20).xpath("//*[@Id]")[0]).splitlines())
    assert smev_transform(compact) == VECTOR2_OUT


def test_vector3_siblings_renumber_and_qname_values_stay_literal():
    data = (
        b'<t:SenderProvidedResponseData xmlns="urn:basic" xmlns:t="urn:types" '
        b'xmlns:f="urn:faults" Id="SIGNED_ASYNC_BY_SMEV"><t:SmevFault '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ns3:InvalidContent">'
        b'<Code>c</Code><Description>SMEV-403: d</Description>'
        b'<f:ValidationError errorPosition="-1">v</f:ValidationError></t:SmevFault>'
        b'</t:SenderProvidedResponseData>'
    )
    assert smev_transform(data) == (
        b'<ns1:SenderProvidedResponseData xmlns:ns1="urn:types" Id="SIGNED_ASYNC_BY_SMEV">'
        b'<ns1:SmevFault xmlns:ns2="http://www.w3.org/2001/XMLSchema-instance" '
        b'ns2:type="ns3:InvalidContent"><ns3:Code xmlns:ns3="urn:basic">c</ns3:Code>'
        b'<ns4:Description xmlns:ns4="urn:basic">SMEV-403: d</ns4:Description>'
        b'<ns5:ValidationError xmlns:ns5="urn:faults" errorPosition="-1">v</ns5:ValidationError>'
        b"</ns1:SmevFault></ns1:SenderProvidedResponseData>"
    )


def test_text_keeps_surrounding_whitespace_and_is_escaped():
    data = '<a xmlns="urn:a"> x &amp; y &lt;z&gt; é <b q="&quot;&amp;"/>\n</a>'.encode()
    assert smev_transform(data) == (
        '<ns1:a xmlns:ns1="urn:a"> x &amp; y &lt;z&gt; é <ns1:b q="&quot;&amp;"></ns1:b>'
        "</ns1:a>".encode()
    )


def test_comments_and_pis_vanish():
    data = b'<a xmlns="urn:a"><!-- c --><?pi x?><b>1</b></a>'
    assert smev_transform(data) == b'<ns1:a xmlns:ns1="urn:a"><ns1:b>1</ns1:b></ns1:a>'


def test_unqualified_element_is_an_error():
    with pytest.raises(TransformError):
        smev_transform(b'<a xmlns="urn:a"><b xmlns=""/></a>')
