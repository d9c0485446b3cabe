"""Sample registry content for tests: a kind's namespace, root and XSD, fresh certificates."""

from __future__ import annotations

import itertools

from smev_soap.crypto import Certificate, PrivateKey, issue_certificate

NS = "urn://example.ru/kinds/income/1.0"
ROOT = "IncomeRequest"
_serial = itertools.count(1)


def sample_xsd(namespace: str = NS, root: str = ROOT) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="{namespace}"
           targetNamespace="{namespace}" elementFormDefault="qualified">
  <xs:element name="{root}">
    <xs:complexType>
      <xs:sequence><xs:element name="Snils" type="xs:string"/></xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>"""


def new_certificate() -> Certificate:
    """A new self-signed GOST certificate."""
    key = PrivateKey.generate("gost2012-256")
    return issue_certificate(f"CN=Test {next(_serial)}", key)
