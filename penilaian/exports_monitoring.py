"""The "Unduh daftar terlambat" workbook of the completion monitoring (issue #8 §6): who has not
finished the month, whose turn it is, by which deadline, late or not yet.

openpyxl in write-only mode (rows stream to the file; memory does not grow with the rows). NIP
cells are text with the number format "@" (never a number: 18 digits lose their tail in a
float). Text that came from users (names, jabatan, OPD names) and starts with `=`, `+`, `-`,
`@` (or a tab / carriage return) gets a leading single quote, so a spreadsheet never reads it
as a formula (formula injection)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.utils import formats, timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from ekinerja.xlsx import teks_aman
from opd.models import Opd, Pegawai
from penilaian.models import Periode
from penilaian.services import monitoring
from penilaian.services.monitoring import BarisPegawai

KOLOM = (
    ("No", 6), ("OPD", 34), ("NIP", 21), ("Nama", 32), ("Jabatan", 34), ("Tahap tertunda", 26),
    ("Giliran", 16), ("Tindakan", 44), ("Pejabat Penilai", 30), ("NIP Pejabat Penilai", 21), ("Batas", 13),
    ("Status", 16), ("Hari Terlambat", 10),
)  # fmt: skip
BARIS_JUDUL = 7  # the column header row; rows above it say what the file is


def _tanggal(d: datetime.date) -> str:
    return formats.date_format(d, "j F Y")


def nama_berkas(periode: Periode, opd: Opd | None) -> str:
    kode = opd.kode if opd is not None else "SEMUA-OPD"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in kode)
    return f"terlambat-{periode.tahun}-{periode.bulan:02d}-{safe}.xlsx"


def tulis_terlambat(
    periode: Periode, rows: Iterable[BarisPegawai], *, lingkup: str, now: datetime.datetime | None = None
) -> bytes:
    """The workbook as bytes. `lingkup`: what the file covers ("Dinas …" or "Semua OPD (40)")."""
    now = timezone.localtime(now)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Terlambat")
    for i, (_, lebar) in enumerate(KOLOM):
        ws.column_dimensions[chr(ord("A") + i)].width = lebar
    ws.freeze_panes = f"A{BARIS_JUDUL + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.print_title_rows = f"{BARIS_JUDUL}:{BARIS_JUDUL}"

    def sel(value, *, bold: bool = False, fmt: str = "", fill: PatternFill | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        if bold:
            cell.font = Font(bold=True)
        if fmt:
            cell.number_format = fmt
        if fill is not None:
            cell.fill = fill
        return cell

    ws.append([sel("Daftar Pegawai Belum Selesai dan Terlambat — Pemantauan Kinerja Bulanan", bold=True)])
    ws.append(["Bulan", periode.nama])
    ws.append(["OPD", teks_aman(lingkup)])
    ws.append(
        ["Batas", f"realisasi {_tanggal(periode.batas_realisasi)}; penilaian {_tanggal(periode.batas_penilaian)}"]
    )
    ws.append(["Keadaan per", f"{_tanggal(now.date())} {now:%H.%M}"])
    ws.append([])
    judul_fill = PatternFill("solid", fgColor="DDE6F0")
    header = []
    for label, _ in KOLOM:
        c = sel(label, bold=True, fill=judul_fill)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(c)
    ws.append(header)
    terlambat_fill = PatternFill("solid", fgColor="F8D7DA")
    for no, r in enumerate(rows, start=1):
        p = r.pegawai
        status = f"Terlambat {r.hari_terlambat} hari" if r.terlambat else "Belum (belum lewat batas)"
        ws.append(
            [
                no,
                teks_aman(r.opd.nama if r.opd else ""),
                sel(p.nip, fmt="@"),
                teks_aman(p.nama_lengkap),
                teks_aman(p.nama_jabatan or ""),
                r.langkah.label,
                r.giliran_label,
                r.tindakan,
                teks_aman(r.penilai.nama_lengkap if r.penilai else "—"),
                sel(r.penilai.nip if r.penilai else "", fmt="@"),
                sel(r.batas, fmt="DD/MM/YYYY") if r.batas else "",
                sel(status, fill=terlambat_fill if r.terlambat else None),
                r.hari_terlambat,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class BerkasTerlambat(NamedTuple):
    data: bytes
    nama: str
    baris: int
    opd: int


def terlambat_untuk(
    periode: Periode, user: Pegawai, *, lapor: Callable[[int, str], None] | None = None
) -> BerkasTerlambat:
    """The late list of every OPD `user` monitors: all of them for the readers of every OPD (the
    regency file), their own for an admin OPD or a pimpinan. One definition for the page's download
    and the background job that prepares the regency file."""
    opds = list(monitoring.opd_dipantau(user))
    lingkup = f"Semua OPD ({len(opds)})" if user.can_read_all() else "; ".join(o.nama for o in opds)
    rows = monitoring.daftar_terlambat(periode, opds)
    if lapor is not None:
        lapor(50, f"Menulis {len(rows)} baris ke Excel")
    only = opds[0] if len(opds) == 1 else None
    return BerkasTerlambat(
        tulis_terlambat(periode, rows, lingkup=lingkup), nama_berkas(periode, only), len(rows), len(opds)
    )
