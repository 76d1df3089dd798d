"""NIP rules (SPEC §3): every example of the spec, plus the edges of each part."""

import datetime

import pytest

from opd.rules import NipError, normalize_golongan, parse_nip

VALID = [
    # (nip, jenis, gender, lahir)
    ("196502222007011005", "PNS", "L", datetime.date(1965, 2, 22)),
    ("200012312024211001", "PPPK", "L", datetime.date(2000, 12, 31)),
    ("198002292005122001", "PNS", "P", datetime.date(1980, 2, 29)),  # leap day
    ("199012312015121999", "PNS", "L", datetime.date(1990, 12, 31)),  # month 12, serial 999
    ("199505052022292002", "PPPK", "P", datetime.date(1995, 5, 5)),  # intake 9
]

INVALID = [
    # (input, words the message must contain)
    ("196502302007011005", "tanggal lahir"),  # 30 Feb
    ("196502222007131005", "digit ke-13"),  # month 13 and not PPPK
    ("196502222007003005", "digit ke-13"),  # month 00
    ("196502222007201005", "digit ke-13"),  # 20 is neither
    ("196502222007011000", "nomor urut 000"),
    ("196502222007013005", "jenis kelamin"),  # gender 3
    ("200012312024213001", "jenis kelamin"),  # PPPK gender 3
    ("19650222200701100", "18 digit"),  # 17 digits
    ("1965022220070110051", "18 digit"),  # 19 digits
    ("19650222200701100A", "angka"),  # letter
    ("1.96502E+17", "ilmiah"),  # Excel float as text
    ("", "kosong"),
    ("   ", "kosong"),
    ("196502221960011005", "TMT"),  # TMT before birth
    ("200012312000211001", "TMT"),  # PPPK TMT year = birth year
    ("２０００１２３１２０２４２１１００１", "angka"),  # full-width digits are not ASCII digits
]


@pytest.mark.parametrize(("nip", "jenis", "gender", "lahir"), VALID)
def test_valid_nip(nip, jenis, gender, lahir):
    info = parse_nip(nip)
    assert (info.nip, info.jenis, info.jenis_kelamin, info.tanggal_lahir) == (nip, jenis, gender, lahir)


@pytest.mark.parametrize(("raw", "words"), INVALID)
def test_invalid_nip(raw, words):
    with pytest.raises(NipError) as excinfo:
        parse_nip(raw)
    assert words in str(excinfo.value)


def test_float_cell_is_refused():
    with pytest.raises(NipError, match="teks"):
        parse_nip(1.96502222007011e17)


def test_spaces_inside_nip_are_tolerated():
    assert parse_nip("19650222 200701 1 005").nip == "196502222007011005"


def test_pns_month_and_pppk_intake():
    assert parse_nip("196502222007011005").tmt_bulan == 1
    assert parse_nip("200012312024211001").angkatan == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("III/b", "III/b"), ("iii/b", "III/b"), ("III b", "III/b"), ("IIIb", "III/b"), ("IV-e", "IV/e"),
     ("IX", "IX"), ("xvii", "XVII"), ("IV/f", None), ("XVIII", None), ("", None), ("3b", None)],
)  # fmt: skip
def test_normalize_golongan(raw, expected):
    assert normalize_golongan(raw) == expected
