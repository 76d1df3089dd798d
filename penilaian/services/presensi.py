"""The monthly attendance summary import (SPEC §8): NIP, HARI KERJA, TANPA KETERANGAN, TL1–TL4,
PSW1–PSW4 per pegawai, for one opened month.

Flow, as the pegawai import (opd.imports): `ekinerja.tabel.read_table` reads the bytes within the
same limits; `rencana(periode, data)` validates every row (every error with its row and column, all
in one pass) and computes what would change against the month's stored figures; `simpan_berkas`
keeps the file under MEDIA_ROOT (never served) for the preview; `terapkan(...)` re-validates inside
one transaction and replaces the month's rows all at once. A later file replaces the month's
figures (`ImporPresensi.menggantikan`). The browser and `manage.py impor_presensi` share this.

When the month's TPP is final, the frozen figures are never touched: the TPP month service is told
which pegawai changed (`penilaian.services.tpp_bulan.catat_perubahan`, when it exists) and shows
the adjustments in the next open month.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ekinerja.tabel import TableError, TooManyCells, TooManyRows, cell_text, read_table
from opd import audit
from opd.imports.berkas import ImportIssue
from opd.models import Pegawai
from penilaian.models import NAMA_BULAN, ImporPresensi, Periode, Presensi, TppBulan
from penilaian.services._common import PenilaianError

# SPEC §8 column → Presensi field, in the file's order.
KOLOM: dict[str, str] = {
    "NIP": "nip",
    "HARI KERJA": "hari_kerja",
    "TANPA KETERANGAN": "tanpa_keterangan",
    "TL1": "tl1", "TL2": "tl2", "TL3": "tl3", "TL4": "tl4",
    "PSW1": "psw1", "PSW2": "psw2", "PSW3": "psw3", "PSW4": "psw4",
}  # fmt: skip
ANGKA = [k for k in KOLOM if k != "NIP"]
FIELDS = [KOLOM[k] for k in ANGKA]
KOLOM_BULAN = ("BULAN", "PERIODE")  # optional: when present it must name the month imported
HARI_KERJA_MAKS = 31
_ORDER = {name: i for i, name in enumerate([*KOLOM, *KOLOM_BULAN])}
HOOK = ("penilaian.services.tpp_bulan", "catat_perubahan")
# Rows written between two progress reports of a background apply (opd.pekerjaan.Pelapor).
LAPOR_SETIAP = 1000


class PresensiError(PenilaianError):
    """The file cannot be imported; `errors` lists every problem (row and column)."""

    def __init__(self, errors: list[ImportIssue]) -> None:
        super().__init__(f"{len(errors)} kesalahan; tidak ada data presensi yang disimpan.")
        self.errors = errors


class SudahDiterapkan(PenilaianError):
    """The same file is already the month's figures; applying again changes nothing."""


def _key(value: object) -> str:
    return re.sub(r"[\s_]+", "", str(value or "")).upper()


_ALIAS = {_key(k): k for k in [*KOLOM, *KOLOM_BULAN]}


def presensi_bulan(periode: Periode) -> dict[int, Presensi]:
    """The month's attendance per pegawai id (one query)."""
    return {p.pegawai_id: p for p in Presensi.objects.filter(periode=periode)}


def impor_terakhir(periode: Periode) -> ImporPresensi | None:
    return ImporPresensi.objects.filter(periode=periode).order_by("-diimpor_pada", "-pk").first()


# Validation -------------------------------------------------------------------------------------


@dataclass
class BarisPresensi:
    baris: int
    pegawai_id: int
    nip: str
    nama: str
    nilai: dict[str, int]  # Presensi field → count


@dataclass
class RencanaPresensi:
    periode: Periode
    data: bytes
    errors: list[ImportIssue] = field(default_factory=list)
    rows: list[BarisPresensi] = field(default_factory=list)
    baru: list[BarisPresensi] = field(default_factory=list)
    berubah: list[tuple[BarisPresensi, dict[str, tuple[int, int]]]] = field(default_factory=list)
    tetap: int = 0
    hilang: list[Presensi] = field(default_factory=list)  # stored rows absent from the file: removed

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def counts(self) -> dict[str, int]:
        return {
            "baris": len(self.rows),
            "baru": len(self.baru),
            "berubah": len(self.berubah),
            "tetap": self.tetap,
            "dihapus": len(self.hilang),
        }

    def pegawai_berubah(self) -> set[int]:
        return (
            {r.pegawai_id for r in self.baru}
            | {r.pegawai_id for r, _ in self.berubah}
            | {p.pegawai_id for p in self.hilang}
        )


def _bilangan(value: object, kolom: str, *, wajib: bool) -> tuple[int | None, str]:
    """A count cell → (int, "") or (None, message). Blank counts are 0; HARI KERJA is required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return (None, "wajib diisi.") if wajib else (0, "")
    if isinstance(value, bool):
        return None, f"'{value}' bukan bilangan bulat."
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            return None, f"'{cell_text(value)}' bukan bilangan bulat."
        number = int(value)
    else:
        text = cell_text(value)
        if not re.fullmatch(r"[+-]?\d{1,6}", text):
            return None, f"'{text[:40]}' bukan bilangan bulat (tulis jumlah seperti 0, 2 atau 21)."
        number = int(text)
    if number < 0:
        return None, f"tidak boleh negatif ({number})."
    if number > HARI_KERJA_MAKS:
        return None, f"{number} lebih dari {HARI_KERJA_MAKS} (satu bulan paling banyak {HARI_KERJA_MAKS} hari)."
    return number, ""


_BULAN_NAMA = {n.upper(): i for i, n in enumerate(NAMA_BULAN, start=1)}
_BULAN_NAMA.update({"MEI": 5, "AGUSTUS": 8, "AGT": 8, "PEB": 2, "NOPEMBER": 11})


def _bulan_berkas(value: object) -> tuple[int, int] | None:
    """(tahun, bulan) written in a BULAN/PERIODE cell: 2026-03, 03/2026, 3-2026, Maret 2026, a date."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.year, value.month
    text = cell_text(value).upper()
    if m := re.fullmatch(r"(\d{4})[-/. ](\d{1,2})(?:[-/. ]\d{1,2})?(?:T.*)?", text):
        return int(m[1]), int(m[2])
    if m := re.fullmatch(r"(\d{1,2})[-/. ](\d{4})", text):
        return int(m[2]), int(m[1])
    if m := re.fullmatch(r"([A-Z]+)\s+(\d{4})", text):
        for nama, bulan in _BULAN_NAMA.items():
            if len(m[1]) >= 3 and nama.startswith(m[1]):
                return int(m[2]), bulan
    return None


def _cek_periode(periode: Periode | None, tahun: int, bulan: int) -> list[ImportIssue]:
    nama = f"{NAMA_BULAN[bulan - 1]} {tahun}" if 1 <= bulan <= 12 else f"{tahun}-{bulan}"
    if periode is None or periode.is_tahunan:
        return [ImportIssue(None, "", f"Periode {nama} belum dibuka; presensi hanya diimpor untuk bulan yang dibuka.")]
    if periode.mulai > timezone.localdate():
        return [ImportIssue(None, "", f"Periode {nama} belum dimulai; presensinya belum ada.")]
    return []


def periode_bulan(tahun: int, bulan: int) -> Periode:
    """The opened monthly period, or PresensiError."""
    if not 1 <= bulan <= 12:
        raise PresensiError([ImportIssue(None, "", "Bulan harus 1–12 (format YYYY-MM, misalnya 2026-03).")])
    periode = Periode.objects.filter(tahun=tahun, bulan=bulan).first()
    errors = _cek_periode(periode, tahun, bulan)
    if errors:
        raise PresensiError(errors)
    return periode


def rencana(
    periode: Periode, data: bytes, *, max_rows: int | None = None, max_cells: int | None = None
) -> RencanaPresensi:
    """Validate every row against the stored pegawai and compute what the import would change.
    Never writes. Three queries whatever the size of the file."""
    plan = RencanaPresensi(periode=periode, data=data)
    plan.errors = _cek_periode(periode, periode.tahun, periode.bulan)
    if plan.errors:
        return plan
    try:
        header, table = read_table(data, max_rows=max_rows, max_cells=max_cells)
    except TooManyCells as exc:
        plan.errors.append(ImportIssue(None, "", f"{exc} Hapus kolom yang tidak dipakai, atau pakai CSV."))
        return plan
    except TooManyRows as exc:
        extra = " Berkas besar diimpor dengan perintah manage.py impor_presensi." if max_rows is not None else ""
        plan.errors.append(ImportIssue(None, "", f"{exc}{extra}"))
        return plan
    except TableError as exc:
        plan.errors.append(ImportIssue(None, "", str(exc)))
        return plan
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = _ALIAS.get(_key(name))
        if canonical and canonical not in columns:
            columns[canonical] = index
    missing = [k for k in KOLOM if k not in columns]
    if missing:
        plan.errors = [ImportIssue(1, k, f"kolom wajib {k} tidak ada di baris judul.") for k in missing]
        return plan
    kolom_bulan = next((k for k in KOLOM_BULAN if k in columns), None)

    pegawai = {p["nip"]: p for p in Pegawai.objects.values("pk", "nip", "nama", "gelar_depan", "gelar_belakang")}
    seen: dict[str, int] = {}
    for number, cells in table:
        cells = cells + [None] * (len(header) - len(cells))
        row_errors: list[ImportIssue] = []
        nip = "".join(cell_text(cells[columns["NIP"]]).split())
        p = None
        if not nip:
            row_errors.append(ImportIssue(number, "NIP", "wajib diisi."))
        elif nip in seen:
            row_errors.append(ImportIssue(number, "NIP", f"NIP {nip} sudah ada di baris {seen[nip]}."))
        else:
            seen[nip] = number
            p = pegawai.get(nip)
            if p is None:
                row_errors.append(
                    ImportIssue(number, "NIP", f"NIP {nip[:30]} tidak dikenal (tidak ada pegawai dengan NIP ini).")
                )
        nilai: dict[str, int] = {}
        for kolom in ANGKA:
            value, pesan = _bilangan(cells[columns[kolom]], kolom, wajib=kolom == "HARI KERJA")
            if pesan:
                row_errors.append(ImportIssue(number, kolom, pesan))
            else:
                nilai[KOLOM[kolom]] = value
        if len(nilai) == len(ANGKA):
            row_errors += _cek_jumlah(number, nilai)
        if kolom_bulan:
            ditulis = cells[columns[kolom_bulan]]
            if cell_text(ditulis):
                found = _bulan_berkas(ditulis)
                if found is None:
                    row_errors.append(
                        ImportIssue(number, kolom_bulan, f"'{cell_text(ditulis)[:40]}' bukan bulan (tulis 2026-03).")
                    )
                elif found != (periode.tahun, periode.bulan):
                    tahun, bulan = found
                    lain = f"{NAMA_BULAN[bulan - 1]} {tahun}" if 1 <= bulan <= 12 else cell_text(ditulis)
                    row_errors.append(ImportIssue(number, kolom_bulan, f"berkas untuk {lain}, bukan {periode.nama}."))
        if row_errors:
            plan.errors += row_errors
        elif p is not None:
            nama = " ".join(x for x in (p["gelar_depan"], p["nama"]) if x)
            plan.rows.append(BarisPresensi(number, p["pk"], nip, nama, nilai))
    if plan.errors:
        plan.errors.sort(key=lambda i: (i.baris or 0, _ORDER.get(i.kolom, 99)))
        return plan
    _diff(plan)
    return plan


def _cek_jumlah(number: int, nilai: dict[str, int]) -> list[ImportIssue]:
    """Days cannot add up to more than the working days: absent days, and late arrivals (or early
    leaves) happen on days present, at most once a day."""
    errors = []
    hk, tk = nilai["hari_kerja"], nilai["tanpa_keterangan"]
    if tk > hk:
        errors.append(ImportIssue(number, "TANPA KETERANGAN", f"{tk} hari tanpa keterangan melebihi {hk} hari kerja."))
        return errors
    for jenis, kolom in (("terlambat (TL1–TL4)", "tl"), ("pulang cepat (PSW1–PSW4)", "psw")):
        total = sum(nilai[f"{kolom}{i}"] for i in range(1, 5))
        if total > hk - tk:
            errors.append(
                ImportIssue(
                    number,
                    f"{kolom.upper()}1",
                    f"{total} kali {jenis} melebihi {hk - tk} hari masuk (hari kerja {hk} − tanpa keterangan {tk}).",
                )
            )
    return errors


def _diff(plan: RencanaPresensi) -> None:
    stored = presensi_bulan(plan.periode)
    in_file = set()
    for r in plan.rows:
        in_file.add(r.pegawai_id)
        old = stored.get(r.pegawai_id)
        if old is None:
            plan.baru.append(r)
            continue
        changes = {f: (getattr(old, f), r.nilai[f]) for f in FIELDS if getattr(old, f) != r.nilai[f]}
        if changes:
            plan.berubah.append((r, changes))
        else:
            plan.tetap += 1
    plan.hilang = [p for pid, p in stored.items() if pid not in in_file]


# Stored file ------------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._") or "presensi"
    return base[-100:]


def _folder(periode: Periode, sha256: str) -> Path:
    return Path("presensi") / f"{periode.tahun}-{periode.bulan:02d}" / sha256


def simpan_berkas(periode: Periode, data: bytes, nama: str) -> str:
    """Keep an uploaded file under MEDIA_ROOT (never served); returns its SHA-256, which names the
    preview. The name is only kept for display (letters, digits, dot, dash)."""
    sha = hashlib.sha256(data).hexdigest()
    folder = Path(settings.MEDIA_ROOT) / _folder(periode, sha)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _safe_name(nama)
    if not target.exists():
        target.write_bytes(data)
    return sha


def berkas_tersimpan(periode: Periode, sha256: str) -> tuple[bytes, str, str] | None:
    """(bytes, display name, path relative to MEDIA_ROOT) of a stored upload, or None."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    folder = Path(settings.MEDIA_ROOT) / _folder(periode, sha256)
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    for f in files:
        data = f.read_bytes()
        if hashlib.sha256(data).hexdigest() == sha256:
            return data, f.name, str(_folder(periode, sha256) / f.name)
    return None


# Applying ---------------------------------------------------------------------------------------


def _hook():
    """`catat_perubahan(periode, pegawai_ids, alasan)` of the TPP month service, when it exists."""
    try:
        module = importlib.import_module(HOOK[0])
    except ImportError:
        return None
    return getattr(module, HOOK[1], None)


def kabari_tpp_final(periode: Periode, pegawai_ids: set[int], alasan: str) -> bool:
    """Tell the TPP month service that figures of a FINAL month changed (it records adjustments in
    the next open month; the frozen rows stay). Returns whether it was told."""
    if not pegawai_ids or not TppBulan.objects.filter(periode=periode, status=TppBulan.Status.FINAL).exists():
        return False
    hook = _hook()
    if hook is None:
        return False
    hook(periode, sorted(pegawai_ids), alasan)
    return True


@dataclass
class HasilPresensi:
    impor: ImporPresensi
    counts: dict[str, int]
    final: bool  # the month's TPP was final: adjustments were asked for


def sudah_diterapkan(periode: Periode, sha256: str) -> SudahDiterapkan | None:
    """The refusal when this file is the month's figures already (its latest import)."""
    sebelumnya = impor_terakhir(periode)
    if sebelumnya is None or sebelumnya.sha256 != sha256:
        return None
    return SudahDiterapkan(
        f"Berkas ini sudah diterapkan sebagai presensi {periode.nama} "
        f"({timezone.localtime(sebelumnya.diimpor_pada):%d-%m-%Y %H.%M}); tidak ada yang berubah."
    )


@transaction.atomic
def terapkan(
    periode: Periode,
    data: bytes,
    nama_berkas: str,
    *,
    by: Pegawai | None,
    berkas: str = "",
    lapor: Callable[[int, str], None] | None = None,
) -> HasilPresensi:
    """Replace the month's attendance with the file's, all or nothing. Concurrent imports of one
    month serialise on the period row; the same file applied twice is refused the second time.
    `lapor(persen, langkah)` hears the progress (a background job's bar) every LAPOR_SETIAP rows."""
    lapor = lapor or (lambda persen, langkah: None)
    if by is not None and not (by.is_superuser or by.is_admin_bkd):
        raise PenilaianError("Hanya admin BKD yang dapat mengimpor presensi.")
    Periode.objects.select_for_update().filter(pk=periode.pk).first()
    lapor(5, "Memeriksa ulang berkas presensi")
    plan = rencana(periode, data)
    if plan.errors:
        raise PresensiError(plan.errors)
    sudah = sudah_diterapkan(periode, plan.sha256)
    if sudah is not None:
        raise sudah
    sebelumnya = impor_terakhir(periode)
    impor = ImporPresensi.objects.create(
        periode=periode,
        berkas=berkas[:255],
        nama_berkas=nama_berkas[:255] or "presensi",
        sha256=plan.sha256,
        jumlah_baris=len(plan.rows),
        menggantikan=sebelumnya,
        diimpor_oleh=by if by is not None and by.pk else None,
    )
    lapor(35, f"Mengganti presensi {periode.nama}: {len(plan.rows)} pegawai")
    Presensi.objects.filter(periode=periode).delete()
    for start in range(0, len(plan.rows), LAPOR_SETIAP):
        chunk = plan.rows[start : start + LAPOR_SETIAP]
        Presensi.objects.bulk_create(
            [Presensi(periode=periode, pegawai_id=r.pegawai_id, impor=impor, **r.nilai) for r in chunk],
            batch_size=1000,
        )
        ditulis = start + len(chunk)
        lapor(40 + 55 * ditulis // len(plan.rows), f"Menulis presensi: {ditulis} dari {len(plan.rows)} pegawai")
    counts = plan.counts()
    alasan = f"Impor presensi {periode.nama} dari berkas {impor.nama_berkas}" + (
        f" (menggantikan impor {timezone.localtime(sebelumnya.diimpor_pada):%d-%m-%Y %H.%M})" if sebelumnya else ""
    )
    audit.record(impor, "presensi_diimpor", by=by, perubahan={k: (None, v) for k, v in counts.items()}, alasan=alasan)
    final = kabari_tpp_final(periode, plan.pegawai_berubah(), alasan)
    return HasilPresensi(impor, counts, final)
