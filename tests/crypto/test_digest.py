import hashlib

import pytest

from smev_soap.crypto import UnsupportedAlgorithm, digest
from smev_soap.crypto.selftest import M1, M2, STREEBOG


@pytest.mark.parametrize(("message", "name"), sorted(STREEBOG))
def test_streebog_rfc6986_vectors(message, name):
    data = {"M1": M1, "M2": M2}[message]
    assert digest(name, data).hex() == STREEBOG[(message, name)]


def test_m2_is_the_cp1251_text():
    text = "Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя плъкы Игоревы"
    assert text.encode("cp1251") == M2 and len(M2) == 72


def test_rfc_prints_the_reversed_byte_order():
    assert digest("streebog256", M1)[::-1].hex().startswith("00557be5")


@pytest.mark.parametrize(
    ("name", "md"),
    [("streebog256", "md_gost12_256"), ("streebog512", "md_gost12_512"), ("gost94", "md_gost94")],
)
@pytest.mark.parametrize("size", [0, 1, 63, 64, 4096, 100_003])
def test_matches_openssl_dgst(openssl, tmp_path, name, md, size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    out = openssl("dgst", f"-{md}", "-r", path).decode()
    assert digest(name, data).hex() == out.split()[0]


def test_sha256():
    assert digest("sha256", b"abc") == hashlib.sha256(b"abc").digest()


@pytest.mark.parametrize("name", ["sha1", "md5", "streebog", "GOST94"])
def test_unknown_digest(name):
    with pytest.raises(UnsupportedAlgorithm):
        digest(name, b"x")
