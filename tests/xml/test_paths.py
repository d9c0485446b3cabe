"""first_at / string_value select and read what the XPath they replace does."""

from __future__ import annotations

import pytest
from lxml import etree

from smev_soap.xml.paths import first_at, string_value
from smev_soap.xml.safe import parse_xml

NS = "urn:x"
PATH = (f"{{{NS}}}m", f"{{{NS}}}s", f"{{{NS}}}c")
XPATH = etree.XPath("string(x:m/x:s/x:c)", namespaces={"x": NS})

DOCUMENTS = [
    "<x:m><x:s><x:c>CODE</x:c></x:s></x:m>",
    "<x:m><x:s/><x:s><x:c>second sender</x:c></x:s></x:m><x:m><x:s><x:c>no</x:c></x:s></x:m>",
    "<x:m/><x:m><x:s><x:c>second message</x:c><x:c>no</x:c></x:s></x:m>",
    "<x:m><x:s><x:c>A<!-- c -->B<?pi x?>C<x:i>D<![CDATA[<E>]]></x:i>F&amp;</x:c>tail</x:s></x:m>",
    "<x:m><x:s><x:c/></x:s></x:m>",
    "<x:m><x:s><c>no namespace</c></x:s></x:m>",
    "<!-- c --><x:m><x:s><!-- c --><x:c> spaced </x:c></x:s></x:m>",
    "<x:other><x:s><x:c>no</x:c></x:s></x:other>",
]


@pytest.mark.parametrize("inner", DOCUMENTS)
def test_string_value_at_a_path_is_the_xpath_one(inner):
    root = parse_xml(f'<r xmlns:x="{NS}">{inner}</r>'.encode(), max_bytes=1 << 16)
    found = first_at(root, PATH)
    assert string_value(found) == XPATH(root)
    assert (found is not None) == bool(root.xpath("boolean(x:m/x:s/x:c)", namespaces={"x": NS}))
    if found is not None:
        assert found is root.xpath("(x:m/x:s/x:c)[1]", namespaces={"x": NS})[0]


def test_empty_path_is_the_element_itself():
    root = etree.fromstring("<r>t</r>")
    assert first_at(root, ()) is root
    assert string_value(None) == ""
