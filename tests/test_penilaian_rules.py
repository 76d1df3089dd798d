"""Pure rules of the monthly cycle and TPP (SPEC §5, §6, §7): every worked value is a row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from penilaian.rules import (
    CapaianOrganisasi,
    Predikat,
    Rating,
    SkemaTpp,
    batas_kurva,
    capaian,
    hitung_tpp,
    nilai_capaian,
    pelanggaran_kurva,
    predikat,
)

D = Decimal
A, S, B = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
Org = CapaianOrganisasi
P = Predikat


# --- predikat matrix (SPEC §5) -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hasil", "perilaku", "expected"),
    [
        (A, B, P.KURANG),
        (A, S, P.BAIK),
        (A, A, P.SANGAT_BAIK),
        (S, B, P.KURANG),
        (S, S, P.BAIK),
        (S, A, P.BAIK),
        (B, B, P.SANGAT_KURANG),
        (B, S, P.BUTUH_PERBAIKAN),
        (B, A, P.BUTUH_PERBAIKAN),
    ],
)
def test_predikat_matrix(hasil, perilaku, expected):
    assert predikat(hasil, perilaku) is expected
    assert predikat(hasil.value, perilaku.value) is expected


def test_predikat_unknown_rating():
    with pytest.raises(ValueError, match="Rating tidak dikenal"):
        predikat("BAGUS", S)


@pytest.mark.parametrize(
    ("member", "label", "kode"),
    [
        (Rating.DI_ATAS, "Di Atas Ekspektasi", 1),
        (Rating.SESUAI, "Sesuai Ekspektasi", 2),
        (Rating.DI_BAWAH, "Di Bawah Ekspektasi", 3),
        (Predikat.SANGAT_BAIK, "Sangat Baik", 1),
        (Predikat.BAIK, "Baik", 2),
        (Predikat.BUTUH_PERBAIKAN, "Butuh Perbaikan", 3),
        (Predikat.KURANG, "Kurang", 4),
        (Predikat.SANGAT_KURANG, "Sangat Kurang", 5),
        (CapaianOrganisasi.ISTIMEWA, "Istimewa", 1),
        (CapaianOrganisasi.SANGAT_KURANG, "Sangat Kurang", 5),
    ],
)
def test_labels_are_the_regulation_words_and_siasn_codes(member, label, kode):
    assert member.label == label
    assert member.kode_siasn == kode
    if hasattr(type(member), "dari_kode_siasn"):
        assert type(member).dari_kode_siasn(kode) is member


# --- capaian and nilai (SPEC §5, PermenPANRB 8/2021) ---------------------------------------------
@pytest.mark.parametrize(
    ("c", "nilai"),
    [
        # The SPEC's worked values.
        (98, D("88.00")),
        (100, D("109")),
        (115, D("120")),
        (50, D("41.53")),
        (70, D("60.00")),
        (105, D("114.44")),
        # The band edges.
        (D("110.01"), D("120")),
        (110, D("120.00")),
        (101, D("110.00")),
        (D("100.99"), D("109")),
        (D("99.99"), D("89.99")),
        (80, D("70.00")),
        (D("79.99"), D("69.99")),
        (60, D("50.00")),
        (D("59.99"), D("49.82")),
        (59, D("49.00")),
        (0, D("0.00")),
        (-40, D("0.00")),
    ],
)
def test_nilai_capaian(c, nilai):
    assert nilai_capaian(c) == nilai


def test_nilai_uses_unrounded_capaian():
    # C = 100.995 lies in [100, 101) → 109; rounding C to two decimals first would give 101.00 → 110.
    assert nilai_capaian(D("100.995")) == D("109")


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((D(98), D(100)), {}, D(98)),
        ((D(12), D(12)), {}, D(100)),
        ((D(6), D(12)), {}, D(50)),
        ((D(15), D(12)), {}, D(125)),
        # Less is better (waktu, biaya): 10 days against 12 → 116.67 %; 14 against 12 → 83.33 %.
        ((D(10), D(12)), {"lebih_kecil_lebih_baik": True}, (2 - D(10) / D(12)) * 100),
        ((D(14), D(12)), {"lebih_kecil_lebih_baik": True}, (2 - D(14) / D(12)) * 100),
        # Ranged target 80–90: inside → 100; above max against max; below min against min.
        ((D(85), D(80), D(90)), {}, D(100)),
        ((D(80), D(80), D(90)), {}, D(100)),
        ((D(90), D(80), D(90)), {}, D(100)),
        ((D(99), D(80), D(90)), {}, D(110)),
        ((D(72), D(80), D(90)), {}, D(90)),
        ((D(99), D(80), D(90)), {"lebih_kecil_lebih_baik": True}, D(90)),
        ((D(72), D(80), D(90)), {"lebih_kecil_lebih_baik": True}, D(110)),
        # A range whose ends are equal is a single target.
        ((D(45), D(50), D(50)), {}, D(90)),
        ((D(0), D(0), D(5)), {}, D(100)),
    ],
)
def test_capaian(args, kwargs, expected):
    assert capaian(*args, **kwargs) == expected


def test_capaian_is_not_rounded_and_feeds_nilai():
    c = capaian(D(2), D(3))
    assert c == D(2) / D(3) * 100  # 66.666…
    assert nilai_capaian(c) == D("56.67")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((D(5), D(0)), "nol"),
        ((D(-1), D(10)), "negatif"),
        ((D("NaN"), D(10)), "terhingga"),
        ((D("Infinity"), D(10)), "terhingga"),
        ((D(5), D(10), D(8)), "maksimum"),
    ],
)
def test_capaian_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        capaian(*args)


# --- kurva distribusi (SPEC §6) -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persen", "n", "jenis", "expected"),
    [
        (70, 10, "maks", 7),
        (70, 9, "maks", 6),  # 6.3 → at most 6
        (60, 9, "min", 6),  # 5.4 → at least 6
        (10, 9, "min", 1),  # 0.9 → at least 1
        (10, 9, "maks", 0),  # 0.9 → at most 0
        (10, 10, "maks", 1),
        (60, 10, "min", 6),
    ],
)
def test_batas_kurva_counts(persen, n, jenis, expected):
    assert batas_kurva(persen, n, jenis=jenis) == expected


@pytest.mark.parametrize(
    ("organisasi", "jumlah", "broken"),
    [
        # The SPEC's example: n = 10, organisasi Baik: 7 Baik fits, 8 does not.
        (Org.BAIK, {P.SANGAT_BAIK: 2, P.BAIK: 7, P.BUTUH_PERBAIKAN: 1}, []),
        (Org.BAIK, {P.SANGAT_BAIK: 1, P.BAIK: 8, P.KURANG: 1}, ["Baik 8 dari 10"]),
        # Baik needs at least one Butuh Perbaikan or Kurang.
        (Org.BAIK, {P.SANGAT_BAIK: 3, P.BAIK: 7}, ["Butuh Perbaikan + Kurang 0 dari 10"]),
        (Org.BAIK, {P.SANGAT_BAIK: 2, P.BAIK: 8}, ["Baik 8 dari 10", "Butuh Perbaikan + Kurang 0"]),
        (Org.ISTIMEWA, {P.SANGAT_BAIK: 7, P.BAIK: 3}, []),
        (Org.ISTIMEWA, {P.SANGAT_BAIK: 8, P.BAIK: 2}, ["Sangat Baik 8 dari 10"]),
        (Org.ISTIMEWA, {P.SANGAT_BAIK: 10}, ["Sangat Baik 10 dari 10"]),
        (Org.BUTUH_PERBAIKAN, {P.BUTUH_PERBAIKAN: 6, P.BAIK: 3, P.SANGAT_BAIK: 1}, []),
        (
            Org.BUTUH_PERBAIKAN,
            {P.BUTUH_PERBAIKAN: 5, P.BAIK: 3, P.SANGAT_BAIK: 2},
            ["Butuh Perbaikan 5", "Sangat Baik 2"],
        ),
        (Org.KURANG, {P.KURANG: 6, P.BUTUH_PERBAIKAN: 1, P.BAIK: 2, P.SANGAT_BAIK: 1}, []),
        (Org.KURANG, {P.KURANG: 6, P.BAIK: 3, P.SANGAT_BAIK: 1}, ["Butuh Perbaikan 0 dari 10"]),
        (Org.KURANG, {P.KURANG: 5, P.BUTUH_PERBAIKAN: 5}, ["Kurang 5 dari 10"]),
        (Org.SANGAT_KURANG, {P.SANGAT_KURANG: 6, P.KURANG: 1, P.BAIK: 3}, []),
        (Org.SANGAT_KURANG, {P.SANGAT_KURANG: 6, P.BUTUH_PERBAIKAN: 1, P.BAIK: 3}, []),
        (
            Org.SANGAT_KURANG,
            {P.SANGAT_KURANG: 6, P.BAIK: 3, P.SANGAT_BAIK: 1},
            ["Kurang + Butuh Perbaikan 0", "Sangat Baik 1"],
        ),
        (Org.SANGAT_KURANG, {P.SANGAT_KURANG: 5, P.KURANG: 5}, ["Sangat Kurang 5 dari 10"]),
        # Nobody rated yet: no curve, nothing broken.
        (Org.BAIK, {}, []),
        (Org.BAIK, {P.BAIK: 0}, []),
        # n = 1: Baik allows floor(0.7) = 0 Baik.
        (Org.BAIK, {P.BAIK: 1}, ["Baik 1 dari 1", "Butuh Perbaikan + Kurang 0 dari 1"]),
    ],
)
def test_pelanggaran_kurva(organisasi, jumlah, broken):
    found = pelanggaran_kurva(organisasi, jumlah)
    assert len(found) == len(broken), found
    for sentence, fragment in zip(found, broken, strict=True):
        assert fragment in sentence
        assert organisasi.label in sentence
        assert sentence.endswith(".")


def test_pelanggaran_kurva_sentence_reads_well():
    (sentence,) = pelanggaran_kurva(Org.BAIK.value, {P.SANGAT_BAIK.value: 1, P.BAIK.value: 8, P.KURANG.value: 1})
    assert sentence == (
        "Baik 8 dari 10 pegawai (80,0 %); untuk capaian organisasi Baik paling banyak 70 % (7 pegawai)."
    )


def test_pelanggaran_kurva_refuses_negative_counts():
    with pytest.raises(ValueError, match="negatif"):
        pelanggaran_kurva(Org.BAIK, {P.BAIK: -1})


# --- TPP (SPEC §7) -----------------------------------------------------------------------------------
def test_tpp_worked_example():
    # besaran 3,333,333, Baik (100 %), one late arrival of 31–60 min (1 %), hukdis active.
    r = hitung_tpp(3_333_333, P.BAIK, {"TL2": 1}, hukdis=True)
    assert (r.kinerja, r.disiplin, r.hukdis, r.jumlah) == (2_000_000, 1_320_000, 830_000, 2_490_000)
    assert r.potongan_disiplin == D(1)
    assert [p.kolom for p in r.potongan] == ["TL2"]
    assert "Hukuman disiplin sedang" in r.alasan


@pytest.mark.parametrize(
    ("besaran", "pred", "presensi", "kwargs", "expected"),
    [
        # No deduction, Sangat Baik: 60 % + 40 %.
        (5_000_000, P.SANGAT_BAIK, {}, {}, (3_000_000, 2_000_000, 0, 5_000_000)),
        # Predikat percentages 80 / 60 / 40.
        (5_000_000, P.BUTUH_PERBAIKAN, {}, {}, (2_400_000, 2_000_000, 0, 4_400_000)),
        (5_000_000, P.KURANG, {}, {}, (1_800_000, 2_000_000, 0, 3_800_000)),
        (5_000_000, P.SANGAT_KURANG, {}, {}, (1_200_000, 2_000_000, 0, 3_200_000)),
        # Not submitted / not evaluated: kinerja 0.
        (5_000_000, None, {}, {}, (0, 2_000_000, 0, 2_000_000)),
        # Not Aktif: everything 0.
        (5_000_000, P.BAIK, {"TL1": 3}, {"aktif": False}, (0, 0, 0, 0)),
        # Deductions add up: 2 × 0.5 + 1 × 1.25 + 1 × 1.5 + 2 × 3 = 9.75 %.
        (
            4_000_000,
            P.BAIK,
            {"TL1": 2, "TL3": 1, "PSW4": 1, "TANPA KETERANGAN": 2},
            {},
            (2_400_000, 1_444_000, 0, 3_844_000),
        ),
        # Capped at 100 % of the disiplin component: 40 days absent.
        (4_000_000, P.BAIK, {"TANPA KETERANGAN": 40}, {}, (2_400_000, 0, 0, 2_400_000)),
        # Half-up to whole Rupiah on each printed amount: 1,234,567 × 0.6 = 740,740.2 → 740,740;
        # × 0.4 × 0.995 = 491,357.666 → 491,358; hukdis 25 % of 1,232,098 = 308,024.5 → 308,025.
        (1_234_567, P.BAIK, {"PSW1": 1}, {"hukdis": True}, (740_740, 491_358, 308_025, 924_073)),
        # The HARI KERJA column of the summary is accepted and deducts nothing.
        (1_000_000, P.BAIK, {"HARI KERJA": 21, "tl_1": 0}, {}, (600_000, 400_000, 0, 1_000_000)),
    ],
)
def test_tpp_table(besaran, pred, presensi, kwargs, expected):
    r = hitung_tpp(besaran, pred, presensi, **kwargs)
    assert (r.kinerja, r.disiplin, r.hukdis, r.jumlah) == expected
    assert r.jumlah == r.kinerja + r.disiplin - r.hukdis


def test_tpp_with_a_scheme():
    skema = SkemaTpp(bobot_kinerja=D(70), bobot_disiplin=D(30))
    r = hitung_tpp(1_000_000, P.BAIK, {}, skema=skema)
    assert (r.kinerja, r.disiplin) == (700_000, 300_000)


@pytest.mark.parametrize(
    ("besaran", "presensi", "message"),
    [
        (1_000_000, {"TL9": 1}, "tidak dikenal"),
        (1_000_000, {"TL1": -1}, "tidak negatif"),
        (1_000_000, {"TL1": 1.5}, "bilangan bulat"),
        (-1, {}, "Besaran"),
        (D("1000.5"), {}, "Besaran"),
    ],
)
def test_tpp_refuses(besaran, presensi, message):
    with pytest.raises(ValueError, match=message):
        hitung_tpp(besaran, P.BAIK, presensi)
