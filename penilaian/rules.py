"""Pure regulation rules of the monthly cycle and the TPP basis. No ORM, no request.

- the predikat matrix (PermenPANRB 6/2022, Lampiran: matriks predikat kinerja pegawai);
- capaian and its nilai (PermenPANRB 8/2021), the penilai's guide, never the rating itself;
- the kurva distribusi constraints (SE MenPANRB 3/2023);
- the TPP arithmetic (SPEC §7): Decimal only, half-up to whole Rupiah per printed amount.

The choices are `TextChoices` so that models can store them; their labels are the regulation's
words and each member carries its SIASN code (`member.kode_siasn`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

HUNDRED = Decimal(100)


class Rating(models.TextChoices):
    """Rating hasil kerja and rating perilaku kerja. SIASN: 1 Di Atas, 2 Sesuai, 3 Di Bawah."""

    DI_ATAS = "DI_ATAS", "Di Atas Ekspektasi"
    SESUAI = "SESUAI", "Sesuai Ekspektasi"
    DI_BAWAH = "DI_BAWAH", "Di Bawah Ekspektasi"

    @property
    def kode_siasn(self) -> int:
        return _RATING_SIASN[self.value]

    @classmethod
    def dari_kode_siasn(cls, kode: int) -> Rating:
        return cls(next(value for value, k in _RATING_SIASN.items() if k == kode))


_RATING_SIASN = {"DI_ATAS": 1, "SESUAI": 2, "DI_BAWAH": 3}


class Predikat(models.TextChoices):
    """Predikat kinerja pegawai. SIASN: 1 Sangat Baik, 2 Baik, 3 Butuh Perbaikan, 4 Kurang
    (Misconduct), 5 Sangat Kurang."""

    SANGAT_BAIK = "SANGAT_BAIK", "Sangat Baik"
    BAIK = "BAIK", "Baik"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN", "Butuh Perbaikan"
    KURANG = "KURANG", "Kurang"
    SANGAT_KURANG = "SANGAT_KURANG", "Sangat Kurang"

    @property
    def kode_siasn(self) -> int:
        return _PREDIKAT_SIASN[self.value]

    @classmethod
    def dari_kode_siasn(cls, kode: int) -> Predikat:
        return cls(next(value for value, k in _PREDIKAT_SIASN.items() if k == kode))


_PREDIKAT_SIASN = {"SANGAT_BAIK": 1, "BAIK": 2, "BUTUH_PERBAIKAN": 3, "KURANG": 4, "SANGAT_KURANG": 5}


class CapaianOrganisasi(models.TextChoices):
    """Capaian kinerja organisasi of an OPD for a period (SE MenPANRB 3/2023)."""

    ISTIMEWA = "ISTIMEWA", "Istimewa"
    BAIK = "BAIK", "Baik"
    BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN", "Butuh Perbaikan"
    KURANG = "KURANG", "Kurang"
    SANGAT_KURANG = "SANGAT_KURANG", "Sangat Kurang"

    @property
    def kode_siasn(self) -> int:
        return _ORGANISASI_SIASN[self.value]


_ORGANISASI_SIASN = {"ISTIMEWA": 1, "BAIK": 2, "BUTUH_PERBAIKAN": 3, "KURANG": 4, "SANGAT_KURANG": 5}


# --- predikat --------------------------------------------------------------------------------------

# PermenPANRB 6/2022, Lampiran: rows rating hasil kerja, columns rating perilaku kerja.
_MATRIKS: dict[tuple[str, str], Predikat] = {
    (Rating.DI_ATAS, Rating.DI_BAWAH): Predikat.KURANG,
    (Rating.DI_ATAS, Rating.SESUAI): Predikat.BAIK,
    (Rating.DI_ATAS, Rating.DI_ATAS): Predikat.SANGAT_BAIK,
    (Rating.SESUAI, Rating.DI_BAWAH): Predikat.KURANG,
    (Rating.SESUAI, Rating.SESUAI): Predikat.BAIK,
    (Rating.SESUAI, Rating.DI_ATAS): Predikat.BAIK,
    (Rating.DI_BAWAH, Rating.DI_BAWAH): Predikat.SANGAT_KURANG,
    (Rating.DI_BAWAH, Rating.SESUAI): Predikat.BUTUH_PERBAIKAN,
    (Rating.DI_BAWAH, Rating.DI_ATAS): Predikat.BUTUH_PERBAIKAN,
}


def predikat(hasil: Rating | str, perilaku: Rating | str) -> Predikat:
    """The predikat kinerja for a rating hasil kerja and a rating perilaku kerja."""
    try:
        return _MATRIKS[(Rating(hasil), Rating(perilaku))]
    except ValueError as exc:
        raise ValueError(f"Rating tidak dikenal: {hasil!r}, {perilaku!r}") from exc


# --- capaian and nilai (PermenPANRB 8/2021) --------------------------------------------------------


def _finite(value: Decimal | int | str, name: str) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"{name} harus berupa angka terhingga.")
    if number < 0:
        raise ValueError(f"{name} tidak boleh negatif.")
    return number


def capaian(
    realisasi: Decimal | int | str,
    target_min: Decimal | int | str,
    target_max: Decimal | int | str | None = None,
    *,
    lebih_kecil_lebih_baik: bool = False,
) -> Decimal:
    """Capaian C in percent, not rounded (SPEC §5).

    More is better: C = realisasi / target × 100. Waktu and biaya (less is better):
    C = (2 − realisasi / target) × 100. A ranged target min–max measures realisasi above max
    against max and below min against min; inside the range C = 100.

    Raises ValueError when the target it must divide by is zero (no capaian can be computed:
    the guide shows none) or a value is negative or not finite."""
    real = _finite(realisasi, "Realisasi")
    low = _finite(target_min, "Target")
    high = _finite(target_max, "Target maksimum") if target_max is not None else None
    if high is not None and high < low:
        raise ValueError("Target maksimum tidak boleh lebih kecil dari target minimum.")
    if high is not None and high != low:
        if low <= real <= high:
            return HUNDRED
        target = high if real > high else low
    else:
        target = low
    if target == 0:
        raise ValueError("Target bernilai nol: capaian tidak dapat dihitung.")
    ratio = real / target
    return (2 - ratio) * HUNDRED if lebih_kecil_lebih_baik else ratio * HUNDRED


def _half_up(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def nilai_capaian(c: Decimal | int | str) -> Decimal:
    """The PermenPANRB 8/2021 nilai for capaian C (percent), rounded half-up to two decimals.
    C is used unrounded. A negative C (less-is-better far beyond target) counts as 0."""
    c = c if isinstance(c, Decimal) else Decimal(str(c))
    if not c.is_finite():
        raise ValueError("Capaian harus berupa angka terhingga.")
    c = max(c, Decimal(0))
    if c > 110:
        nilai = Decimal(120)
    elif c >= 101:
        nilai = 110 + (c - 101) * 10 / Decimal(9)
    elif c >= 100:
        nilai = Decimal(109)
    elif c >= 80:
        nilai = 70 + (c - 80)
    elif c >= 60:
        nilai = 50 + (c - 60)
    else:
        nilai = c / 59 * 49
    return _half_up(nilai)


# --- kurva distribusi (SE MenPANRB 3/2023) ---------------------------------------------------------


@dataclass(frozen=True)
class _Batas:
    predikat: tuple[Predikat, ...]
    jenis: str  # "maks" (≤ p %), "min" (≥ p %), "min_orang" (≥ p pegawai), "nol" (= 0)
    nilai: int


_KURVA: dict[str, tuple[_Batas, ...]] = {
    CapaianOrganisasi.ISTIMEWA: (_Batas((Predikat.SANGAT_BAIK,), "maks", 70),),
    CapaianOrganisasi.BAIK: (
        _Batas((Predikat.BAIK,), "maks", 70),
        _Batas((Predikat.BUTUH_PERBAIKAN, Predikat.KURANG), "min_orang", 1),
    ),
    CapaianOrganisasi.BUTUH_PERBAIKAN: (
        _Batas((Predikat.BUTUH_PERBAIKAN,), "min", 60),
        _Batas((Predikat.SANGAT_BAIK,), "maks", 10),
    ),
    CapaianOrganisasi.KURANG: (
        _Batas((Predikat.KURANG,), "min", 60),
        _Batas((Predikat.BUTUH_PERBAIKAN,), "min", 10),
        _Batas((Predikat.SANGAT_BAIK,), "maks", 10),
    ),
    CapaianOrganisasi.SANGAT_KURANG: (
        _Batas((Predikat.SANGAT_KURANG,), "min", 60),
        _Batas((Predikat.KURANG, Predikat.BUTUH_PERBAIKAN), "min", 10),
        _Batas((Predikat.SANGAT_BAIK,), "nol", 0),
    ),
}


def batas_kurva(persen: int, n: int, *, jenis: str) -> int:
    """ "≤ p %" of n allows at most floor(p·n/100); "≥ p %" needs at least ceil(p·n/100)."""
    if jenis == "maks":
        return persen * n // 100
    return -(-persen * n // 100)


def _persen(bagian: int, n: int) -> str:
    value = _half_up(Decimal(bagian) * HUNDRED / Decimal(n), "0.1")
    return f"{value}".replace(".", ",") + " %"


def pelanggaran_kurva(capaian_organisasi: CapaianOrganisasi | str, jumlah: Mapping[Predikat | str, int]) -> list[str]:
    """One Indonesian sentence per broken constraint of SPEC §6; empty when the curve fits.
    `jumlah` counts rated pegawai per predikat (missing keys count 0). No rated pegawai: no curve
    yet, nothing is broken."""
    organisasi = CapaianOrganisasi(capaian_organisasi)
    counts = {Predikat(k): int(v) for k, v in jumlah.items()}
    if any(v < 0 for v in counts.values()):
        raise ValueError("Jumlah pegawai tidak boleh negatif.")
    n = sum(counts.values())
    if n == 0:
        return []
    result: list[str] = []
    for batas in _KURVA[organisasi]:
        ada = sum(counts.get(p, 0) for p in batas.predikat)
        nama = " + ".join(p.label for p in batas.predikat)
        sekarang = f"{nama} {ada} dari {n} pegawai ({_persen(ada, n)})"
        konteks = f"capaian organisasi {organisasi.label}"
        if batas.jenis == "maks":
            paling = batas_kurva(batas.nilai, n, jenis="maks")
            if ada > paling:
                result.append(f"{sekarang}; untuk {konteks} paling banyak {batas.nilai} % ({paling} pegawai).")
        elif batas.jenis == "min":
            perlu = batas_kurva(batas.nilai, n, jenis="min")
            if ada < perlu:
                result.append(f"{sekarang}; untuk {konteks} paling sedikit {batas.nilai} % ({perlu} pegawai).")
        elif batas.jenis == "min_orang":
            if ada < batas.nilai:
                result.append(f"{sekarang}; untuk {konteks} paling sedikit {batas.nilai} pegawai.")
        elif ada > 0:
            result.append(f"{sekarang}; untuk {konteks} tidak boleh ada pegawai dengan predikat {nama}.")
    return result


# --- TPP (SPEC §7) ---------------------------------------------------------------------------------

KOLOM_PRESENSI = ("TL1", "TL2", "TL3", "TL4", "PSW1", "PSW2", "PSW3", "PSW4", "TANPA KETERANGAN")
# Columns of the attendance summary that carry no deduction of their own.
_KOLOM_TANPA_POTONGAN = ("HARI KERJA",)

_KOLOM_NORMAL = {k.replace(" ", ""): k for k in (*KOLOM_PRESENSI, *_KOLOM_TANPA_POTONGAN)}

_LABEL_PRESENSI = {
    "TL1": "terlambat 1–30 menit",
    "TL2": "terlambat 31–60 menit",
    "TL3": "terlambat 61–90 menit",
    "TL4": "terlambat lebih dari 90 menit atau tanpa rekam",
    "PSW1": "pulang sebelum waktunya 1–30 menit",
    "PSW2": "pulang sebelum waktunya 31–60 menit",
    "PSW3": "pulang sebelum waktunya 61–90 menit",
    "PSW4": "pulang sebelum waktunya lebih dari 90 menit atau tanpa rekam",
    "TANPA KETERANGAN": "tidak masuk tanpa keterangan (hari)",
}


def _default_potongan() -> dict[str, Decimal]:
    return {
        "TL1": Decimal("0.5"),
        "TL2": Decimal("1"),
        "TL3": Decimal("1.25"),
        "TL4": Decimal("1.5"),
        "PSW1": Decimal("0.5"),
        "PSW2": Decimal("1"),
        "PSW3": Decimal("1.25"),
        "PSW4": Decimal("1.5"),
        "TANPA KETERANGAN": Decimal("3"),
    }


def _default_persen_predikat() -> dict[str, Decimal]:
    return {
        Predikat.SANGAT_BAIK: Decimal(100),
        Predikat.BAIK: Decimal(100),
        Predikat.BUTUH_PERBAIKAN: Decimal(80),
        Predikat.KURANG: Decimal(60),
        Predikat.SANGAT_KURANG: Decimal(40),
    }


@dataclass(frozen=True)
class SkemaTpp:
    """The parameters of SPEC §7, all in percent. The defaults are the SPEC's; a stored scheme
    version builds one of these."""

    bobot_kinerja: Decimal = Decimal(60)
    bobot_disiplin: Decimal = Decimal(40)
    persen_predikat: Mapping[str, Decimal] = field(default_factory=_default_persen_predikat)
    potongan_presensi: Mapping[str, Decimal] = field(default_factory=_default_potongan)
    # PP 94/2021, hukuman disiplin sedang: 25 % off the whole TPP for each month in its range.
    potongan_hukdis: Decimal = Decimal(25)


SKEMA_BAWAAN = SkemaTpp()


@dataclass(frozen=True)
class PotonganPresensi:
    kolom: str
    keterangan: str
    jumlah: int
    persen_per_kejadian: Decimal
    persen: Decimal


@dataclass(frozen=True)
class RincianTpp:
    """One pegawai's TPP for one month, every printed amount a whole Rupiah, and why."""

    besaran: int
    kinerja: int
    disiplin: int
    hukdis: int
    jumlah: int
    persen_kinerja: Decimal
    potongan_disiplin: Decimal  # percent of the disiplin component taken, capped at 100
    potongan: tuple[PotonganPresensi, ...]
    alasan: tuple[str, ...]  # why an amount is 0 or reduced, in Indonesian


def _rupiah(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hitung_tpp(
    besaran: int,
    predikat: Predikat | str | None,
    presensi: Mapping[str, int],
    *,
    hukdis: bool = False,
    aktif: bool = True,
    skema: SkemaTpp | None = None,
) -> RincianTpp:
    """SPEC §7 for one pegawai and month:

        kinerja  = round(besaran × w_kinerja × pct_predikat)
        disiplin = round(besaran × w_disiplin × (1 − min(1, Σ deductions)))
        hukdis   = round((kinerja + disiplin) × 25 %)   when a hukdis sedang covers the month
        jumlah   = kinerja + disiplin − hukdis

    `predikat` None means not submitted or not evaluated by the deadline: the kinerja component is
    0. `aktif` False (kedudukan hukum CLTN, Tugas Belajar, Pemberhentian Sementara …): all 0.
    `presensi` is keyed by the SPEC §8 columns; unknown keys and negative counts are errors."""
    skema = skema or SKEMA_BAWAAN
    if isinstance(besaran, bool) or not isinstance(besaran, int) or besaran < 0:
        raise ValueError("Besaran TPP harus bilangan bulat Rupiah yang tidak negatif.")
    counts: dict[str, int] = {}
    for key, value in presensi.items():
        # Header matching as in SPEC §8: case, spaces and underscores ignored.
        kolom = _KOLOM_NORMAL.get("".join(str(key).upper().replace("_", " ").split()))
        if kolom in _KOLOM_TANPA_POTONGAN:
            continue
        if kolom is None:
            raise ValueError(f"Kolom presensi tidak dikenal: {key}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"Jumlah {kolom} harus bilangan bulat yang tidak negatif.")
        counts[kolom] = counts.get(kolom, 0) + value
    if not aktif:
        return RincianTpp(besaran, 0, 0, 0, 0, Decimal(0), Decimal(0), (), ("Kedudukan hukum bukan Aktif",))
    alasan: list[str] = []
    if predikat is None:
        persen_kinerja = Decimal(0)
        alasan.append("Realisasi belum dikirim atau belum dinilai sampai batas waktu")
    else:
        persen_kinerja = Decimal(skema.persen_predikat[Predikat(predikat)])
    potongan: list[PotonganPresensi] = []
    total = Decimal(0)
    for kolom in KOLOM_PRESENSI:
        jumlah = counts.get(kolom, 0)
        if not jumlah:
            continue
        per = Decimal(skema.potongan_presensi[kolom])
        potongan.append(PotonganPresensi(kolom, _LABEL_PRESENSI[kolom], jumlah, per, per * jumlah))
        total += per * jumlah
    potongan_disiplin = min(HUNDRED, total)
    kinerja = _rupiah(Decimal(besaran) * skema.bobot_kinerja / HUNDRED * persen_kinerja / HUNDRED)
    disiplin = _rupiah(Decimal(besaran) * skema.bobot_disiplin / HUNDRED * (HUNDRED - potongan_disiplin) / HUNDRED)
    potong_hukdis = 0
    if hukdis:
        potong_hukdis = _rupiah(Decimal(kinerja + disiplin) * skema.potongan_hukdis / HUNDRED)
        alasan.append("Hukuman disiplin sedang")
    return RincianTpp(
        besaran=besaran,
        kinerja=kinerja,
        disiplin=disiplin,
        hukdis=potong_hukdis,
        jumlah=kinerja + disiplin - potong_hukdis,
        persen_kinerja=persen_kinerja,
        potongan_disiplin=potongan_disiplin,
        potongan=tuple(potongan),
        alasan=tuple(alasan),
    )
