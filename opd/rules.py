"""Pure identity and reference-data rules (SPEC §3). No ORM, no request."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

# Golongan PNS with pangkat (PP 99/2000), then golongan PPPK (Perpres 98/2020: I … XVII, no pangkat).
GOLONGAN_PNS: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
GOLONGAN_PPPK: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)  # fmt: skip
GOLONGAN_CHOICES: list[tuple[str, str]] = [(k, f"{k} — {v}") for k, v in GOLONGAN_PNS.items()] + [
    (k, f"{k} (PPPK)") for k in GOLONGAN_PPPK
]


def pangkat_of(golongan: str) -> str:
    return GOLONGAN_PNS.get(golongan, "")


def normalize_golongan(raw: str) -> str | None:
    """Accept `III/b`, `iii/b`, `III b`, `IIIb`, `III-b` and PPPK romans (`IX`). None if unknown."""
    text = (raw or "").strip().upper().replace(" ", "").replace("-", "/").replace(".", "/")
    if not text:
        return None
    m = re.fullmatch(r"(IV|III|II|I)/?([A-E])", text)
    if m:
        code = f"{m.group(1)}/{m.group(2).lower()}"
        return code if code in GOLONGAN_PNS else None
    return text if text in GOLONGAN_PPPK else None


def parse_golongan(raw: str) -> str | None:
    """normalize_golongan, plus the SIASN spellings with the pangkat: "Penata Muda Tingkat I (III/b)",
    "III/b - Penata Muda Tingkat I". None if unknown."""
    code = normalize_golongan(raw)
    if code is None:
        m = re.search(r"\b(IV|III|II|I)\s*/\s*([a-eA-E])\b", raw)
        code = normalize_golongan(f"{m.group(1)}/{m.group(2)}") if m else None
    return code


_ESELON_ARABIC = {"2": "II", "3": "III", "4": "IV"}


def parse_eselon(raw: str) -> str | None:
    """`II.a`, `II/a`, `IIa`, `II a`, `2a`, `2.a`, `Eselon III.b` → `III.b`. None if unknown.
    Only II.a … IV.b, the eselon a kabupaten position can have (SPEC §2)."""
    text = re.sub(r"^ESELON", "", raw.upper().replace(" ", ""))
    m = re.fullmatch(r"(IV|III|II|[234])[./-]?([AB])", text)
    if not m:
        return None
    return f"{_ESELON_ARABIC.get(m.group(1), m.group(1))}.{m.group(2).lower()}"


class NipError(ValueError):
    """The NIP is not valid; the message is fit for the user (Indonesian)."""


@dataclass(frozen=True)
class NipInfo:
    nip: str
    jenis: str  # "PNS" or "PPPK"
    tanggal_lahir: datetime.date
    tmt_tahun: int
    tmt_bulan: int | None  # PNS only
    jenis_kelamin: str  # "L" or "P"
    nomor_urut: int
    angkatan: int | None  # PPPK only


_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE][+-]?\d+\s*$")


def parse_nip(raw: object) -> NipInfo:
    """Validate an 18-digit NIP of a PNS (`YYYYMMDD YYYYMM G NNN`) or PPPK
    (`YYYYMMDD YYYY 2 F G NNN`). Digits 13–14: 01–12 is a PNS TMT month, 21–29 is PPPK.
    Raises NipError with an Indonesian message."""
    if raw is None:
        raise NipError("NIP kosong.")
    if isinstance(raw, float):
        raise NipError("NIP tersimpan sebagai angka (format ilmiah Excel); simpan kolom NIP sebagai teks.")
    text = str(raw).strip()
    if not text:
        raise NipError("NIP kosong.")
    if _SCIENTIFIC.match(text):
        raise NipError(f"NIP '{text}' berformat angka ilmiah Excel; simpan kolom NIP sebagai teks.")
    compact = text.replace(" ", "")
    if not compact.isdigit() or not compact.isascii():
        raise NipError(f"NIP '{text}' hanya boleh berisi angka.")
    if len(compact) != 18:
        raise NipError(f"NIP '{text}' harus 18 digit (tertulis {len(compact)} digit).")
    try:
        lahir = datetime.date(int(compact[0:4]), int(compact[4:6]), int(compact[6:8]))
    except ValueError:
        raise NipError(
            f"NIP '{compact}': tanggal lahir {compact[6:8]}-{compact[4:6]}-{compact[0:4]} tidak ada."
        ) from None
    if lahir > datetime.date.today():
        raise NipError(f"NIP '{compact}': tanggal lahir di masa depan.")
    tahun = int(compact[8:12])
    kode = int(compact[12:14])
    nomor_urut = int(compact[15:18])
    if nomor_urut == 0:
        raise NipError(f"NIP '{compact}': nomor urut 000 tidak sah.")
    if 1 <= kode <= 12:
        jenis, bulan, angkatan = "PNS", kode, None
        gender_digit = compact[14]
        if (tahun, bulan) <= (lahir.year, lahir.month):
            raise NipError(f"NIP '{compact}': TMT CPNS {bulan:02d}-{tahun} tidak setelah tanggal lahir.")
    elif 21 <= kode <= 29:
        jenis, bulan, angkatan = "PPPK", None, kode - 20
        gender_digit = compact[14]
        if tahun <= lahir.year:
            raise NipError(f"NIP '{compact}': tahun TMT PPPK {tahun} tidak setelah tahun lahir.")
    else:
        raise NipError(
            f"NIP '{compact}': digit ke-13–14 ({compact[12:14]}) harus bulan TMT 01–12 (PNS) "
            "atau 2 diikuti angkatan 1–9 (PPPK)."
        )
    if gender_digit not in {"1", "2"}:
        raise NipError(f"NIP '{compact}': digit jenis kelamin ({gender_digit}) harus 1 atau 2.")
    return NipInfo(
        nip=compact,
        jenis=jenis,
        tanggal_lahir=lahir,
        tmt_tahun=tahun,
        tmt_bulan=bulan,
        jenis_kelamin="L" if gender_digit == "1" else "P",
        nomor_urut=nomor_urut,
        angkatan=angkatan,
    )


def is_valid_nip(raw: object) -> bool:
    try:
        parse_nip(raw)
    except NipError:
        return False
    return True


# Formula injection (OWASP CSV injection): a cell that starts with one of these is executed by
# spreadsheet programs. Imports refuse them; exports prefix them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    return bool(value) and value.startswith(FORMULA_PREFIXES)
