"""The Excel file of a month's TPP basis for finance (SPEC §7 "Export"): a "Rekap" sheet first
(one row per OPD: pegawai count and the sum of each Rupiah column, then the total), then one
sheet per OPD named by its code, each with the header rows (regency, month, OPD, the month's
status: FINAL with its time or SEMENTARA), the SPEC §7 columns, a total row and, when there are
any, the adjustments to earlier final months.

Written with openpyxl in write-only mode: rows stream to the file as they are appended, so memory
stays bounded whatever the regency's size (`manage.py bench_ekspor` measures it against bare
openpyxl). Amounts are numbers (totals too, never formulas: a file opened without recalculation,
or read by another program, shows the same figures as the page); NIP is text; every text taken
from data passes `ekinerja.xlsx.teks_aman` (formula injection guard)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ekinerja.xlsx import nama_sheet, teks_aman
from penilaian.models import Periode
from penilaian.services.tpp_skema import skema_berlaku
from penilaian.tpp import BarisTpp, DataTppBulan, OpdTpp

FORMAT_RUPIAH = "#,##0"
FORMAT_PERSEN = "0.00%"  # percentages are stored as fractions (60 % → 0.6)
FORMAT_TEKS = "@"
PAPERSIZE_A4 = 9  # ECMA-376 paper size code

NAMA_REKAP = "Rekap"
JUDUL_PENYESUAIAN = "Penyesuaian bulan sebelumnya"
BARIS_JUDUL_KOLOM = 7  # header rows 1–5, a blank row, then the column titles
PANE = f"A{BARIS_JUDUL_KOLOM + 1}"
JUDUL_CETAK = f"1:{BARIS_JUDUL_KOLOM}"  # status and column titles on every printed page

TEKS, NIP, BULAT, RUPIAH, PERSEN = "teks", "nip", "bulat", "rupiah", "persen"
_FORMAT = {TEKS: None, NIP: FORMAT_TEKS, BULAT: None, RUPIAH: FORMAT_RUPIAH, PERSEN: FORMAT_PERSEN}
# Jabatan names run long and wrap inside the column; other text stays unstyled (each styled cell
# costs openpyxl time per row, see `_Sel`).
_BUNGKUS = {"Jabatan"}

# The SPEC §7 columns: title, width (characters), kind.
KOLOM: tuple[tuple[str, int, str], ...] = (
    ("No", 6, BULAT),
    ("NIP", 20, NIP),
    ("Nama", 28, TEKS),
    ("Golongan", 13, TEKS),
    ("Jabatan", 32, TEKS),
    ("Kelas Jabatan", 10, BULAT),
    ("Besaran TPP", 14, RUPIAH),
    ("Predikat", 15, TEKS),
    ("% Kinerja", 10, PERSEN),
    ("Nilai Kinerja (Rp)", 14, RUPIAH),
    ("Potongan Disiplin (%)", 12, PERSEN),
    ("Nilai Disiplin (Rp)", 14, RUPIAH),
    ("Potongan Hukdis (Rp)", 14, RUPIAH),
    ("Jumlah TPP (Rp)", 15, RUPIAH),
    ("Keterangan", 40, TEKS),
)
# The adjustments section sits under the rows, in the same columns A–H.
KOLOM_PENYESUAIAN: tuple[tuple[str, str], ...] = (
    ("No", BULAT),
    ("NIP", NIP),
    ("Nama", TEKS),
    ("Periode Asal", TEKS),
    ("Lama (Rp)", RUPIAH),
    ("Baru (Rp)", RUPIAH),
    ("Selisih (Rp)", RUPIAH),
    ("Alasan", TEKS),
)
KOLOM_REKAP: tuple[tuple[str, int, str], ...] = (
    ("No", 5, BULAT),
    ("Kode OPD", 18, TEKS),
    ("Nama OPD", 48, TEKS),
    ("Jumlah Pegawai", 10, BULAT),
    ("Besaran TPP", 16, RUPIAH),
    ("Nilai Kinerja (Rp)", 16, RUPIAH),
    ("Nilai Disiplin (Rp)", 16, RUPIAH),
    ("Potongan Hukdis (Rp)", 16, RUPIAH),
    ("Jumlah TPP (Rp)", 17, RUPIAH),
    ("Selisih Penyesuaian (Rp)", 16, RUPIAH),
)

_TEBAL = Font(bold=True)
_JUDUL = Font(bold=True, size=12)
_MERAH = Font(bold=True, color="C00000")
_ABU = PatternFill("solid", fgColor="D9D9D9")
_TENGAH_BUNGKUS = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BUNGKUS_ATAS = Alignment(vertical="top", wrap_text=True)


def alasan_tidak_bisa_diekspor(periode: Periode) -> str | None:
    """Why the month cannot be exported (an annual period, no TPP scheme in force on its first
    day), in Indonesian; None when it can. Not being final is no reason: the file says SEMENTARA."""
    if periode.is_tahunan:
        return "TPP dihitung per bulan; periode tahunan tidak diekspor."
    if skema_berlaku(periode.tahun, periode.bulan) is None:
        return (
            f"Belum ada skema TPP yang berlaku untuk {periode.nama}; "
            f"admin BKD perlu mengatur skema TPP tahun {periode.tahun} dulu."
        )
    return None


def teks_status(data: DataTppBulan) -> str:
    """The month's status as the file's header says it."""
    if not data.final:
        return "SEMENTARA — belum final"
    if data.difinalkan_pada is None:
        return "FINAL"
    waktu = data.difinalkan_pada
    if timezone.is_aware(waktu):
        waktu = timezone.localtime(waktu)
    return f"FINAL (difinalkan {waktu:%d-%m-%Y %H.%M})"


def nama_berkas(data: DataTppBulan, kode_opd: str | None = None) -> str:
    """`TPP-2026-11-SEMENTARA.xlsx`, `TPP-2026-11-DINKES-FINAL.xlsx`: safe in any file system."""
    bagian = [f"TPP-{data.tahun:04d}-{data.bulan:02d}"]
    if kode_opd:
        bagian.append("".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in kode_opd)[:40])
    bagian.append("FINAL" if data.final else "SEMENTARA")
    return "-".join(bagian) + ".xlsx"


def _teks(value: str) -> str | None:
    """Guarded text; None for an empty one, so no empty cell is written at all."""
    return teks_aman(value) or None


def _persen(nilai) -> float:
    return float(nilai) / 100


def _keterangan(b: BarisTpp) -> str:
    if not b.catatan_belum_final:
        return b.keterangan.strip()
    return "; ".join(t for t in (b.keterangan.strip(), *b.catatan_belum_final) if t)


class _Sel(Cell):
    """A styled cell of a write-only sheet, styled once and refilled for every row. openpyxl looks
    up the style's index (hashing the style) for each cell it writes, and formats the repr of each
    cell object appended into an exception message it then catches; with ±56,000 styled cells a
    month that is a third of the writing time. The style never changes after `_Lembar.sel` made
    the cell, so its index is looked up once, and the repr is a constant."""

    __slots__ = ("_indeks_gaya",)

    def __init__(self, worksheet, value=None) -> None:
        super().__init__(worksheet, value=value)
        self._indeks_gaya: int | None = None

    def __repr__(self) -> str:
        return "<sel>"

    @property
    def style_id(self) -> int:
        if self._indeks_gaya is None:
            self._indeks_gaya = super().style_id
        return self._indeks_gaya

    @property
    def has_style(self) -> bool:
        return True


class _Lembar:
    """One write-only sheet and its styled cells. In write-only mode a row is written out as soon
    as it is appended, so the cells of a row kind are made (and styled) once and refilled."""

    def __init__(self, wb: Workbook, judul: str, lebar: Sequence[int], status_sementara: bool) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(judul)
        for i, w in enumerate(lebar, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        self.sementara = status_sementara
        self._siapkan_cetak()

    def _siapkan_cetak(self) -> None:
        ws = self.ws
        ws.freeze_panes = PANE
        ws.print_title_rows = JUDUL_CETAK
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "Halaman &P dari &N"
        ws.oddFooter.right.text = "&A"
        if self.sementara:
            ws.oddHeader.right.text = "SEMENTARA — belum final"
            ws.oddHeader.right.color = "C00000"

    def sel(self, value=None, *, jenis: str = TEKS, font: Font | None = None, fill=None, align=None) -> _Sel:
        cell = _Sel(self.ws, value=value)
        fmt = _FORMAT[jenis]
        if fmt:
            cell.number_format = fmt
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if align is not None:
            cell.alignment = align
        return cell

    def baris_sel(self, kolom: Iterable[tuple[str, str]], *, font: Font | None = None) -> list[tuple[int, _Sel]]:
        """The styled cells of a row kind with their column index; a column that needs no style
        gets none (its bare value is written: each styled cell costs openpyxl a style lookup)."""
        return [
            (i, self.sel(jenis=jenis, font=font, align=_BUNGKUS_ATAS if judul in _BUNGKUS else None))
            for i, (judul, jenis) in enumerate(kolom)
            if font is not None or judul in _BUNGKUS or _FORMAT[jenis]
        ]

    def tulis(self, cells: list[tuple[int, _Sel]], values: Sequence) -> None:
        row = list(values)
        for i, cell in cells:
            cell.value = row[i]
            row[i] = cell
        self.ws.append(row)

    def kepala(self, data: DataTppBulan, baris3: str, diekspor: str, judul_kolom: Sequence[str]) -> None:
        """Rows 1–5 (regency, month, OPD or "Rekapitulasi", status, scheme), a blank row, the
        column titles in row 7."""
        status = teks_status(data)
        self.ws.append([self.sel(teks_aman(settings.REGENCY_NAME.upper()), font=_JUDUL)])
        self.ws.append([self.sel(f"DASAR PEMBAYARAN TPP BULAN {teks_aman(data.nama_periode.upper())}", font=_JUDUL)])
        self.ws.append([self.sel(teks_aman(baris3), font=_TEBAL)])
        self.ws.append([self.sel(status, font=_MERAH if self.sementara else _TEBAL)])
        self.ws.append([self.sel(teks_aman(f"{data.skema} · diekspor {diekspor}"))])
        self.ws.append([])
        self.ws.append([self.sel(j, font=_TEBAL, fill=_ABU, align=_TENGAH_BUNGKUS) for j in judul_kolom])


def _jumlah_opd(opd: OpdTpp) -> tuple[int, int, int, int, int, int]:
    besaran = kinerja = disiplin = hukdis = jumlah = 0
    for b in opd.baris:
        besaran += b.besaran
        kinerja += b.kinerja
        disiplin += b.disiplin
        hukdis += b.hukdis
        jumlah += b.jumlah
    return besaran, kinerja, disiplin, hukdis, jumlah, sum(p.selisih for p in opd.penyesuaian)


def _tulis_rekap(wb: Workbook, data: DataTppBulan, diekspor: str) -> None:
    lembar = _Lembar(wb, NAMA_REKAP, [w for _, w, _ in KOLOM_REKAP], not data.final)
    lembar.kepala(data, "REKAPITULASI PER OPD", diekspor, [j for j, _, _ in KOLOM_REKAP])
    cells = lembar.baris_sel((j, k) for j, _, k in KOLOM_REKAP)
    total = [0] * 7
    for no, opd in enumerate(data.opd, 1):
        angka = (len(opd.baris), *_jumlah_opd(opd))
        total = [t + a for t, a in zip(total, angka, strict=True)]
        lembar.tulis(cells, (no, teks_aman(opd.kode), teks_aman(opd.nama), *angka))
    lembar.tulis(lembar.baris_sel(((j, k) for j, _, k in KOLOM_REKAP), font=_TEBAL), (None, None, "JUMLAH", *total))
    lembar.ws.close()


def _tulis_opd(wb: Workbook, data: DataTppBulan, opd: OpdTpp, judul: str, diekspor: str) -> None:
    lembar = _Lembar(wb, judul, [w for _, w, _ in KOLOM], not data.final)
    lembar.kepala(data, f"{opd.nama} ({opd.kode})", diekspor, [j for j, _, _ in KOLOM])
    cells = lembar.baris_sel((j, k) for j, _, k in KOLOM)
    besaran = kinerja = disiplin = hukdis = jumlah = 0
    for no, b in enumerate(opd.baris, 1):
        lembar.tulis(
            cells,
            (no, teks_aman(b.nip), _teks(b.nama), _teks(b.golongan), _teks(b.jabatan), b.kelas_jabatan, b.besaran,
             _teks(b.predikat), _persen(b.persen_kinerja), b.kinerja, _persen(b.potongan_disiplin), b.disiplin,
             b.hukdis, b.jumlah, _teks(_keterangan(b))),
        )  # fmt: skip
        besaran += b.besaran
        kinerja += b.kinerja
        disiplin += b.disiplin
        hukdis += b.hukdis
        jumlah += b.jumlah
    total = lembar.baris_sel(((j, k) for j, _, k in KOLOM), font=_TEBAL)
    lembar.tulis(
        total,
        (None, None, "JUMLAH", None, None, None, besaran, None, None, kinerja, None, disiplin, hukdis, jumlah, None),
    )
    if opd.penyesuaian:
        _tulis_penyesuaian(lembar, opd)
    if lembar.sementara:  # also under the rows, where a reader of a long sheet ends up
        lembar.ws.append([])
        lembar.ws.append([None, None, lembar.sel(teks_status(data), font=_MERAH)])
    lembar.ws.close()


def _tulis_penyesuaian(lembar: _Lembar, opd: OpdTpp) -> None:
    lembar.ws.append([])
    lembar.ws.append([lembar.sel(JUDUL_PENYESUAIAN, font=_TEBAL)])
    lembar.ws.append([lembar.sel(j, font=_TEBAL, fill=_ABU, align=_TENGAH_BUNGKUS) for j, _ in KOLOM_PENYESUAIAN])
    cells = lembar.baris_sel(KOLOM_PENYESUAIAN)
    lama = baru = 0
    for no, p in enumerate(opd.penyesuaian, 1):
        lembar.tulis(
            cells,
            (no, teks_aman(p.nip), _teks(p.nama), _teks(p.periode_asal), p.lama, p.baru, p.selisih, _teks(p.alasan)),
        )  # fmt: skip
        lama += p.lama
        baru += p.baru
    lembar.tulis(
        lembar.baris_sel(KOLOM_PENYESUAIAN, font=_TEBAL), (None, None, "JUMLAH", None, lama, baru, baru - lama, None)
    )


def tulis_xlsx(
    data: DataTppBulan, out: BinaryIO | str | os.PathLike, *, diekspor_pada: datetime.datetime | None = None
) -> None:
    """Write the month's TPP basis to `out` (a path or a binary file object open for writing)."""
    waktu = timezone.localtime(diekspor_pada or timezone.now())
    diekspor = f"{waktu:%d-%m-%Y %H.%M}"
    wb = Workbook(write_only=True)
    wb.properties.creator = "e-Kinerja"
    wb.properties.title = f"Dasar pembayaran TPP {data.nama_periode}"
    _tulis_rekap(wb, data, diekspor)
    dipakai = {NAMA_REKAP.lower()}
    for opd in data.opd:
        _tulis_opd(wb, data, opd, nama_sheet(opd.kode, dipakai), diekspor)
    wb.save(out)
