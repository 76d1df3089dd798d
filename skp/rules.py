"""Pure SKP rules and reference data (SPEC §3–4). No ORM, no request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ekinerja.angka import format_angka, parse_angka


@dataclass(frozen=True)
class NilaiBerakhlak:
    kode: str
    nama: str
    panduan: tuple[str, str, str]


# SE MenPANRB 20/2021 (now UU 20/2023 Pasal 4): seven core values, three behaviour guides each.
_BERAKHLAK = (
    NilaiBerakhlak(
        "BERORIENTASI_PELAYANAN",
        "Berorientasi Pelayanan",
        (
            "Memahami dan memenuhi kebutuhan masyarakat",
            "Ramah, cekatan, solutif, dan dapat diandalkan",
            "Melakukan perbaikan tiada henti",
        ),
    ),
    NilaiBerakhlak(
        "AKUNTABEL",
        "Akuntabel",
        (
            "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
            "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
            "Tidak menyalahgunakan kewenangan jabatan",
        ),
    ),
    NilaiBerakhlak(
        "KOMPETEN",
        "Kompeten",
        (
            "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
            "Membantu orang lain belajar",
            "Melaksanakan tugas dengan kualitas terbaik",
        ),
    ),
    NilaiBerakhlak(
        "HARMONIS",
        "Harmonis",
        (
            "Menghargai setiap orang apapun latar belakangnya",
            "Suka menolong orang lain",
            "Membangun lingkungan kerja yang kondusif",
        ),
    ),
    NilaiBerakhlak(
        "LOYAL",
        "Loyal",
        (
            "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, "
            "setia kepada Negara Kesatuan Republik Indonesia serta pemerintahan yang sah",
            "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
            "Menjaga rahasia jabatan dan negara",
        ),
    ),
    NilaiBerakhlak(
        "ADAPTIF",
        "Adaptif",
        (
            "Cepat menyesuaikan diri menghadapi perubahan",
            "Terus berinovasi dan mengembangkan kreativitas",
            "Bertindak proaktif",
        ),
    ),
    NilaiBerakhlak(
        "KOLABORATIF",
        "Kolaboratif",
        (
            "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
            "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
            "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
        ),
    ),
)
BERAKHLAK: dict[str, NilaiBerakhlak] = {n.kode: n for n in _BERAKHLAK}
BERAKHLAK_CHOICES: list[tuple[str, str]] = [(n.kode, n.nama) for n in _BERAKHLAK]


class TargetError(ValueError):
    """A target is not valid; the message is fit for the user (Indonesian)."""


@dataclass(frozen=True)
class Target:
    minimum: Decimal
    maksimum: Decimal | None
    satuan: str


_NUMBER = r"-?\d+(?:[.,]\d+)*"
_TARGET = re.compile(
    rf"^\s*(?P<min>{_NUMBER})\s*(?:(?:-|–|—|s\.?d\.?|sampai)\s*(?P<max>{_NUMBER}))?\s*(?P<satuan>.*?)\s*$"
)


def parse_number(text: str) -> Decimal:
    """Indonesian or international decimal: `12`, `12,5`, `12.5`, `1.000` (thousands) → Decimal
    (the reading is `ekinerja.angka`'s, shared by every numeric field)."""
    try:
        value = parse_angka(text, label="Target")
    except ValidationError as e:
        raise TargetError(e.messages[0]) from None
    if value is None:
        raise TargetError(f"'{text}' bukan angka.")
    return value


def parse_target(text: str) -> Target:
    """`12 dokumen`, `80–90 %`, `80-90 persen`, `12 bulan` → Target. Raises TargetError."""
    if not text or not text.strip():
        raise TargetError("Target wajib diisi.")
    m = _TARGET.match(text)
    if not m:
        raise TargetError(f"Target '{text}' harus diawali angka, misalnya '12 dokumen' atau '80–90 %'.")
    minimum = parse_number(m.group("min"))
    maksimum = parse_number(m.group("max")) if m.group("max") else None
    return validate_target(minimum, maksimum, m.group("satuan"))


# The columns IndikatorKinerja.target_min/target_max: DecimalField(max_digits=16, decimal_places=2).
TARGET_DIGITS = 16
TARGET_PLACES = 2


def validate_target(minimum: Decimal | None, maksimum: Decimal | None, satuan: str) -> Target:
    if minimum is None:
        raise TargetError("Target wajib diisi dengan angka.")
    for value in (minimum, maksimum):
        # NaN and Infinity are Decimals too: comparing them raises InvalidOperation (a 500).
        if value is not None and not Decimal(value).is_finite():
            raise TargetError("Target harus berupa angka, misalnya 12 atau 12,5.")
        if value is not None and abs(value) >= Decimal(10) ** (TARGET_DIGITS - TARGET_PLACES):
            raise TargetError(
                f"Target terlalu besar: paling banyak {TARGET_DIGITS - TARGET_PLACES} angka sebelum koma."
            )
        if value is not None and -Decimal(value).as_tuple().exponent > TARGET_PLACES:
            raise TargetError(f"Target paling banyak {TARGET_PLACES} angka di belakang koma.")
    if minimum < 0 or (maksimum is not None and maksimum < 0):
        raise TargetError("Target tidak boleh negatif.")
    if maksimum is not None and maksimum < minimum:
        raise TargetError(
            f"Target minimum ({format_number(minimum)}) lebih besar dari maksimum ({format_number(maksimum)})."
        )
    if maksimum is not None and maksimum == minimum:
        maksimum = None
    satuan = (satuan or "").strip()
    if not satuan:
        raise TargetError("Satuan target wajib diisi (misalnya dokumen, %, bulan).")
    return Target(minimum, maksimum, satuan)


def format_number(value: Decimal) -> str:
    """Indonesian style: 12, 12,5, 1.000."""
    return format_angka(value)


def format_target(minimum: Decimal, maksimum: Decimal | None, satuan: str) -> str:
    number = format_number(minimum) if maksimum is None else f"{format_number(minimum)}–{format_number(maksimum)}"
    return f"{number} {satuan}".strip()
