"""Pure SKP rules (SPEC §4): targets `min[–max] satuan` and the BerAKHLAK reference data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skp import rules
from skp.rules import Target, TargetError

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 dokumen", Target(D(12), None, "dokumen")),
        ("80–90 %", Target(D(80), D(90), "%")),
        ("80-90 persen", Target(D(80), D(90), "persen")),
        ("80 — 90 %", Target(D(80), D(90), "%")),
        ("80 s.d. 90 %", Target(D(80), D(90), "%")),
        ("80 sampai 90 %", Target(D(80), D(90), "%")),
        ("12,5 jam", Target(D("12.5"), None, "jam")),
        ("12.5 jam", Target(D("12.5"), None, "jam")),
        ("1.000 berkas", Target(D(1000), None, "berkas")),
        ("1.000.000 rupiah", Target(D(1000000), None, "rupiah")),
        ("1.234,5 km", Target(D("1234.5"), None, "km")),
        ("12 bulan", Target(D(12), None, "bulan")),
        ("  3   laporan  ", Target(D(3), None, "laporan")),
        ("90–90 %", Target(D(90), None, "%")),  # equal bounds collapse to one number
        ("0 keluhan", Target(D(0), None, "keluhan")),
    ],
)
def test_parse_target_valid(text, expected):
    assert rules.parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90–80 %", "Target minimum (90) lebih besar dari maksimum (80)."),
        ("-5 dokumen", "Target tidak boleh negatif."),
        ("5–-1 dokumen", "Target tidak boleh negatif."),
        ("abc", "harus diawali angka"),
        ("dokumen 12", "harus diawali angka"),
        ("", "Target wajib diisi."),
        ("   ", "Target wajib diisi."),
        ("12", "Satuan target wajib diisi"),
        ("80–90", "Satuan target wajib diisi"),
    ],
)
def test_parse_target_invalid(text, message):
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rules.parse_target(text)


@pytest.mark.parametrize(
    ("minimum", "maksimum", "satuan", "error"),
    [
        (D(1), None, "dokumen", None),
        (D(1), D(2), " % ", None),
        (None, None, "dokumen", "wajib diisi dengan angka"),
        (D(2), D(1), "dokumen", "lebih besar dari maksimum"),
        (D(-1), None, "dokumen", "tidak boleh negatif"),
        (D(1), D(-2), "dokumen", "tidak boleh negatif"),
        (D(1), None, "", "Satuan target wajib diisi"),
        (D(1), None, "   ", "Satuan target wajib diisi"),
        # Issue #6 §4: NaN/Infinity are Decimals too; comparing them raised InvalidOperation (a 500).
        (D("NaN"), None, "dokumen", "harus berupa angka"),
        (D("sNaN"), None, "dokumen", "harus berupa angka"),
        (D("Infinity"), None, "dokumen", "harus berupa angka"),
        (D(1), D("-Infinity"), "dokumen", "harus berupa angka"),
        (D(1), D("NaN"), "dokumen", "harus berupa angka"),
        (D("1e309"), None, "dokumen", "terlalu besar"),
        (D("0.125"), None, "dokumen", "paling banyak 2 angka di belakang koma"),
    ],
)
def test_validate_target(minimum, maksimum, satuan, error):
    if error is None:
        target = rules.validate_target(minimum, maksimum, satuan)
        assert target.satuan == satuan.strip() and target.minimum == minimum
    else:
        with pytest.raises(TargetError, match=error):
            rules.validate_target(minimum, maksimum, satuan)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", D(12)),
        ("12,5", D("12.5")),
        ("12.5", D("12.5")),
        ("1.000", D(1000)),
        ("1.000.000", D(1000000)),
        ("1.234,56", D("1234.56")),
        ("0,75", D("0.75")),
        ("-3", D(-3)),
    ],
)
def test_parse_number(text, expected):
    assert rules.parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "", "1,2,3x", "12 dokumen"])
def test_parse_number_invalid(text):
    with pytest.raises(TargetError, match="bukan angka"):
        rules.parse_number(text)


@pytest.mark.parametrize(
    ("minimum", "maksimum", "satuan", "expected"),
    [
        (D(12), None, "dokumen", "12 dokumen"),
        (D("12.00"), None, "dokumen", "12 dokumen"),
        (D(80), D(90), "%", "80–90 %"),
        (D("12.5"), None, "jam", "12,5 jam"),
        (D("12.50"), None, "jam", "12,5 jam"),
        (D(1000), None, "berkas", "1.000 berkas"),
        (D("1234567.25"), None, "rupiah", "1.234.567,25 rupiah"),
        (D(0), None, "keluhan", "0 keluhan"),
    ],
)
def test_format_target(minimum, maksimum, satuan, expected):
    assert rules.format_target(minimum, maksimum, satuan) == expected


@pytest.mark.parametrize("text", ["12 dokumen", "80–90 %", "12,5 jam", "1.000 berkas"])
def test_format_parse_round_trip(text):
    t = rules.parse_target(text)
    assert rules.format_target(t.minimum, t.maksimum, t.satuan) == text


# BerAKHLAK (SE MenPANRB 20/2021): seven values, three guides each ------------------------------

BERAKHLAK = [
    ("BERORIENTASI_PELAYANAN", "Berorientasi Pelayanan"),
    ("AKUNTABEL", "Akuntabel"),
    ("KOMPETEN", "Kompeten"),
    ("HARMONIS", "Harmonis"),
    ("LOYAL", "Loyal"),
    ("ADAPTIF", "Adaptif"),
    ("KOLABORATIF", "Kolaboratif"),
]


def test_berakhlak_seven_values_in_order():
    assert rules.BERAKHLAK_CHOICES == BERAKHLAK
    assert list(rules.BERAKHLAK) == [kode for kode, _ in BERAKHLAK]


@pytest.mark.parametrize(("kode", "nama"), BERAKHLAK)
def test_berakhlak_three_guides_each(kode, nama):
    nilai = rules.BERAKHLAK[kode]
    assert (nilai.kode, nilai.nama) == (kode, nama)
    assert len(nilai.panduan) == 3
    assert len(set(nilai.panduan)) == 3 and all(p.strip() and p[0].isupper() for p in nilai.panduan)


def test_berakhlak_known_guides():
    assert rules.BERAKHLAK["BERORIENTASI_PELAYANAN"].panduan[0] == "Memahami dan memenuhi kebutuhan masyarakat"
    assert rules.BERAKHLAK["LOYAL"].panduan[2] == "Menjaga rahasia jabatan dan negara"
    assert rules.BERAKHLAK["KOLABORATIF"].panduan[1] == "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah"
