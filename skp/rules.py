"""Pure SKP rules and reference data (SPEC §3–4). No ORM, no request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


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
    """Indonesian or international decimal: `12`, `12,5`, `12.5`, `1.000` (thousands) → Decimal."""
    raw = text.strip()
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif "," in raw:
        raw = raw.replace(",", ".")
    elif (raw.count(".") == 1 and re.fullmatch(r"-?\d{1,3}\.\d{3}", raw)) or raw.count(".") > 1:
        raw = raw.replace(".", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise TargetError(f"'{text}' bukan angka.") from None


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


def validate_target(minimum: Decimal | None, maksimum: Decimal | None, satuan: str) -> Target:
    if minimum is None:
        raise TargetError("Target wajib diisi dengan angka.")
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
    normalized = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    sign = "-" if normalized < 0 else ""
    integer, _, frac = f"{abs(normalized):f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def format_target(minimum: Decimal, maksimum: Decimal | None, satuan: str) -> str:
    number = format_number(minimum) if maksimum is None else f"{format_number(minimum)}–{format_number(maksimum)}"
    return f"{number} {satuan}".strip()
