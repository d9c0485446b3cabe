import pytest

from smev_soap.crypto import (
    UnsupportedAlgorithm,
    digest_name_by_uri,
    signature_algorithm_by_name,
    signature_algorithm_by_uri,
)

W3 = "http://www.w3.org/2001/04/xmldsig-more#"
CP = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:"


@pytest.mark.parametrize(
    ("suffix", "name"),
    [
        ("gostr34102012-gostr34112012-256", "gost2012-256"),
        ("gostr34102012-gostr34112012-512", "gost2012-512"),
        ("gostr34102001-gostr3411", "gost2001"),
    ],
)
def test_both_spellings_of_gost_signature_uris(suffix, name):
    assert signature_algorithm_by_uri(W3 + suffix).name == name
    assert signature_algorithm_by_uri(CP + suffix).name == name


@pytest.mark.parametrize(
    ("suffix", "name"),
    [
        ("gostr34112012-256", "streebog256"),
        ("gostr34112012-512", "streebog512"),
        ("gostr3411", "gost94"),
    ],
)
def test_both_spellings_of_gost_digest_uris(suffix, name):
    assert digest_name_by_uri(W3 + suffix) == name
    assert digest_name_by_uri(CP + suffix) == name


def test_written_uris_2012_are_urns_and_2001_is_w3():
    gost256 = signature_algorithm_by_name("gost2012-256")
    assert gost256.signature_uri == CP + "gostr34102012-gostr34112012-256"
    assert gost256.digest_uri == CP + "gostr34112012-256"
    assert gost256.digest_name == "streebog256"
    assert signature_algorithm_by_name("gost2012-512").signature_uri.startswith(CP)
    gost2001 = signature_algorithm_by_name("gost2001")
    assert gost2001.signature_uri == W3 + "gostr34102001-gostr3411"
    assert gost2001.digest_uri == W3 + "gostr3411"


def test_rsa_and_ecdsa_uris():
    rsa = signature_algorithm_by_uri(W3 + "rsa-sha256")
    ecdsa = signature_algorithm_by_uri(W3 + "ecdsa-sha256")
    assert (rsa.name, ecdsa.name) == ("rsa-sha256", "ecdsa-sha256")
    assert rsa.digest_uri == ecdsa.digest_uri == "http://www.w3.org/2001/04/xmlenc#sha256"
    assert digest_name_by_uri(rsa.digest_uri) == "sha256"


@pytest.mark.parametrize(
    "uri",
    [
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
        CP + "gostr34102012-gostr34112012-1024",
        "",
    ],
)
def test_unknown_uris_are_refused(uri):
    with pytest.raises(UnsupportedAlgorithm):
        signature_algorithm_by_uri(uri)
    with pytest.raises(UnsupportedAlgorithm):
        digest_name_by_uri(uri)


def test_algorithm_is_frozen():
    alg = signature_algorithm_by_name("gost2012-256")
    with pytest.raises(AttributeError):
        alg.name = "x"
