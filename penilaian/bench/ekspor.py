"""The TPP Excel export measured against bare openpyxl write-only writing the same cells.

Two sources of the month's rows: the bench data set in the database (`laporan`, used by
`manage.py bench`: every bench pegawai's row of last month, read by `data_bulan` as the export
does), and a synthetic `DataTppBulan` of N rows built in memory (`data_sintetis`, used by
`manage.py bench_ekspor`, which needs no database). `tulis_polos` writes the same sheets and cell
values as `tulis_xlsx` with no styles, number formats, column widths, print setup or injection
guard: the floor any xlsx writer of these cells pays.
"""

from __future__ import annotations

import gc
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.core.management.base import OutputWrapper
from openpyxl import Workbook

from ekinerja.angka import format_angka
from penilaian.bench.data import DataBench
from penilaian.bench.laporan import rss_sekarang_mb
from penilaian.ekspor_tpp import KOLOM, KOLOM_PENYESUAIAN, KOLOM_REKAP, tulis_xlsx
from penilaian.models import Periode
from penilaian.tpp import BarisTpp, DataTppBulan, OpdTpp, PenyesuaianBaris

TARGET_DETIK = 5.0
TARGET_MB = 300.0
TARGET_RASIO = 1.5
PENULIS = ("tpp", "openpyxl")
JUDUL_PENULIS = {"tpp": "tulis_xlsx (format, penjaga)", "openpyxl": "openpyxl polos (tanpa format)"}

DEPAN = ["Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gunawan", "Hesti", "Indra", "Joko", "Kartika", "Lukman",
         "Maya", "Nur", "Putri", "Rudi", "Sari", "Teguh", "Umi", "Wahyu"]  # fmt: skip
BELAKANG = ["Santoso", "Wibowo", "Lestari", "Rahmawati", "Saputra", "Handayani", "Kurniawan", "Puspitasari",
            "Hidayat", "Wulandari", "Prasetyo", "Susanti"]  # fmt: skip
JABATAN = ["Pengadministrasi Umum", "Analis Kebijakan Ahli Muda", "Perawat Ahli Pertama",
           "Guru Ahli Pertama pada SD Negeri 2 Karangan", "Kepala Seksi Pelayanan Kesehatan Rujukan",
           "Pengelola Data Pelayanan Kesehatan", "Penyusun Program Anggaran dan Pelaporan"]  # fmt: skip
PREDIKAT = [("Sangat Baik", 100), ("Baik", 100), ("Baik", 100), ("Butuh Perbaikan", 80), ("Kurang", 60), ("", 0)]
GOLONGAN = ["II/a", "II/c", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b"]
RUPIAH = ("besaran", "kinerja", "disiplin", "hukdis", "jumlah")
BESARAN = {k: 1_500_000 + 350_000 * k for k in range(1, 18)}


def data_sintetis(pegawai: int, jumlah_opd: int = 40) -> DataTppBulan:
    """N rows over the OPDs, each amount computed like SPEC §7 so totals are meaningful."""
    jumlah_opd = max(1, min(jumlah_opd, pegawai or 1))
    per_opd = [pegawai // jumlah_opd + (1 if i < pegawai % jumlah_opd else 0) for i in range(jumlah_opd)]
    semua, nomor = [], 0
    for i, n in enumerate(per_opd):
        baris = []
        for _ in range(n):
            nomor += 1
            kelas = 1 + nomor % 17
            besaran = BESARAN[kelas]
            predikat, persen = PREDIKAT[nomor % len(PREDIKAT)]
            potongan = Decimal(nomor % 9) / 2
            kinerja = besaran * 60 * persen // 10_000
            disiplin = besaran * 40 * (100 - int(potongan)) // 10_000
            hukdis = (kinerja + disiplin) // 4 if nomor % 97 == 0 else 0
            keterangan = "" if persen else "Realisasi belum dinilai (giliran penilai: Teguh Prasetyo)"
            if nomor % 211 == 0:
                keterangan = "-2 hari tanpa keterangan"  # formula-like user text, guarded by tulis_xlsx
            baris.append(
                BarisTpp(
                    pegawai_id=nomor, nip=f"19{nomor % 30 + 70:02d}0101200{nomor % 10}01{nomor % 2 + 1}{nomor % 1000:03d}",
                    nama=f"{DEPAN[nomor % 20]} {BELAKANG[nomor % 12]} {DEPAN[(nomor // 20) % 20]}, S.Kom.",
                    golongan=GOLONGAN[nomor % len(GOLONGAN)], jabatan=JABATAN[nomor % len(JABATAN)],
                    kelas_jabatan=kelas, besaran=besaran, predikat=predikat, persen_kinerja=Decimal(persen),
                    kinerja=kinerja, potongan_disiplin=potongan, disiplin=disiplin, hukdis=hukdis,
                    jumlah=kinerja + disiplin - hukdis, keterangan=keterangan,
                )
            )  # fmt: skip
        penyesuaian = tuple(
            PenyesuaianBaris(b.pegawai_id, b.nip, b.nama, "Oktober 2026", b.jumlah, b.jumlah + 125_000,
                             "Evaluasi dibuka kunci dan dinilai ulang")
            for b in baris[:3]
        )  # fmt: skip
        semua.append(OpdTpp(kode=f"OPD{i + 1:02d}", nama=f"Dinas Bench Nomor {i + 1}", baris=tuple(baris),
                            penyesuaian=penyesuaian))  # fmt: skip
    return DataTppBulan(
        tahun=2026, bulan=11, nama_periode="November 2026", final=False, difinalkan_pada=None,
        skema="Skema TPP 2026 mulai Januari", opd=tuple(semua),
    )  # fmt: skip


def tulis_polos(data: DataTppBulan, out) -> None:
    """Bare openpyxl write-only: the same sheets and cell values as `tulis_xlsx` (no styles,
    number formats, column widths, print setup or injection guard)."""
    wb = Workbook(write_only=True)

    def kepala(ws, baris3: str, judul: list[str]) -> None:
        for teks in ("PEMERINTAH KABUPATEN TRENGGALEK", f"DASAR PEMBAYARAN TPP BULAN {data.nama_periode}", baris3,
                     "SEMENTARA — belum final", data.skema):  # fmt: skip
            ws.append([teks])
        ws.append([])
        ws.append(judul)

    def jumlah(opd: OpdTpp) -> list[int]:
        return [len(opd.baris), *(sum(getattr(b, k) for b in opd.baris) for k in RUPIAH),
                sum(p.selisih for p in opd.penyesuaian)]  # fmt: skip

    ws = wb.create_sheet("Rekap")
    kepala(ws, "REKAPITULASI PER OPD", [j for j, _, _ in KOLOM_REKAP])
    total = [0] * 7
    for no, opd in enumerate(data.opd, 1):
        angka = jumlah(opd)
        total = [t + a for t, a in zip(total, angka, strict=True)]
        ws.append([no, opd.kode, opd.nama, *angka])
    ws.append([None, None, "JUMLAH", *total])
    for opd in data.opd:
        ws = wb.create_sheet(opd.kode)
        kepala(ws, opd.nama, [j for j, _, _ in KOLOM])
        for no, b in enumerate(opd.baris, 1):
            ws.append([no, b.nip, b.nama, b.golongan, b.jabatan, b.kelas_jabatan, b.besaran, b.predikat,
                       float(b.persen_kinerja) / 100, b.kinerja, float(b.potongan_disiplin) / 100, b.disiplin,
                       b.hukdis, b.jumlah, b.keterangan])  # fmt: skip
        _, besaran, kinerja, disiplin, hukdis, total_opd, _ = jumlah(opd)
        ws.append([None, None, "JUMLAH", None, None, None, besaran, None, None, kinerja, None, disiplin, hukdis,
                   total_opd, None])  # fmt: skip
        ws.append([])
        ws.append(["Penyesuaian bulan sebelumnya"])
        ws.append([j for j, _ in KOLOM_PENYESUAIAN])
        for no, p in enumerate(opd.penyesuaian, 1):
            ws.append([no, p.nip, p.nama, p.periode_asal, p.lama, p.baru, p.selisih, p.alasan])
        lama, baru = sum(p.lama for p in opd.penyesuaian), sum(p.baru for p in opd.penyesuaian)
        ws.append([None, None, "JUMLAH", None, lama, baru, baru - lama, None])
        ws.append([])
        ws.append([None, None, "SEMENTARA — belum final"])
    wb.save(out)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _tulis(penulis: str) -> Callable:
    return tulis_xlsx if penulis == "tpp" else tulis_polos


def ukur_memori(penulis: str, pegawai: int, jumlah_opd: int) -> dict:
    """In a fresh process: build the data, write once (peak RSS, and what writing added to the
    RSS of the data), then once more under tracemalloc (peak of Python allocations)."""
    data = data_sintetis(pegawai, jumlah_opd)
    gc.collect()
    rss_data = _rss_mb()
    with tempfile.TemporaryDirectory(prefix="bench-ekspor-") as folder:
        path = Path(folder) / "tpp.xlsx"
        _tulis(penulis)(data, path)
        rss_puncak = _rss_mb()
        tracemalloc.start()
        _tulis(penulis)(data, path)
        _, puncak_tracemalloc = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"tracemalloc_mb": puncak_tracemalloc / 2**20, "rss_mb": rss_puncak, "rss_data_mb": rss_data}


def ukur_waktu(data: DataTppBulan, runs: int) -> dict[str, dict]:
    """Both writers in turn, `runs` times each, in this process: on a shared machine a load
    spike then hits both alike. Wall and CPU time; median, min, max; the file size."""
    waktu: dict[str, list[float]] = {p: [] for p in PENULIS}
    cpu: dict[str, list[float]] = {p: [] for p in PENULIS}
    ukuran: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ekspor-") as folder:
        for _ in range(runs):
            for p in PENULIS:
                path = Path(folder) / f"{p}.xlsx"
                gc.collect()
                mulai, mulai_cpu = time.perf_counter(), time.process_time()
                _tulis(p)(data, path)
                waktu[p].append(time.perf_counter() - mulai)
                cpu[p].append(time.process_time() - mulai_cpu)
                ukuran[p] = path.stat().st_size
    return {
        p: {"median": statistics.median(waktu[p]), "min": min(waktu[p]), "max": max(waktu[p]),
            "cpu": statistics.median(cpu[p]), "ukuran_kb": ukuran[p] / 1024}
        for p in PENULIS
    }  # fmt: skip


def _koma(x: float, digit: int = 2) -> str:
    return f"{x:.{digit}f}".replace(".", ",")


def _puncak(fungsi: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, tracemalloc peak MB) of one call."""
    gc.collect()
    tracemalloc.start()
    mulai = time.perf_counter()
    try:
        hasil = fungsi()
        detik = time.perf_counter() - mulai
        _, puncak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return hasil, detik, puncak / 2**20


def laporan(data: DataBench, out: OutputWrapper, runs: int = 3) -> None:
    """The export of every bench pegawai's row of last month: reading the rows (`data_bulan`),
    writing them (`tulis_xlsx`) against bare openpyxl, times (median of `runs`, the two writers
    in turn) and peaks (tracemalloc of each step in a separate run, and the process's RSS)."""
    from penilaian.services.tpp_bulan import data_bulan

    periode = Periode.objects.get(tahun=data.tahun, bulan=data.bulan_kurva)
    baca: list[float] = []
    waktu: dict[str, list[float]] = {p: [] for p in PENULIS}
    with tempfile.TemporaryDirectory(prefix="bench-ekspor-") as folder:
        for _ in range(runs):
            mulai = time.perf_counter()
            rows = data_bulan(periode)
            baca.append(time.perf_counter() - mulai)
            for p in PENULIS:
                gc.collect()
                mulai = time.perf_counter()
                _tulis(p)(rows, Path(folder) / f"{p}.xlsx")
                waktu[p].append(time.perf_counter() - mulai)
        ukuran = (Path(folder) / "tpp.xlsx").stat().st_size / 1024
        del rows
        rows, _, mb_baca = _puncak(lambda: data_bulan(periode))
        _, _, mb_tulis = _puncak(lambda: tulis_xlsx(rows, Path(folder) / "tpp.xlsx"))
        _, _, mb_polos = _puncak(lambda: tulis_polos(rows, Path(folder) / "openpyxl.xlsx"))
    n = sum(len(o.baris) for o in rows.opd)
    t_baca, t_tpp, t_polos = (
        statistics.median(baca),
        statistics.median(waktu["tpp"]),
        statistics.median(waktu["openpyxl"]),
    )
    rss = rss_sekarang_mb()
    out.write(
        f"Ekspor TPP {rows.nama_periode} dari database: {format_angka(n)} baris di {len(rows.opd)} OPD "
        f"({format_angka(round(ukuran))} KB), median {runs} kali, kedua penulis bergantian:"
    )
    out.write(f"{'Langkah':<44}{'median s':>10}{'tracemalloc MB':>16}")
    out.write(f"{'Membaca baris (data_bulan)':<44}{_koma(t_baca):>10}{_koma(mb_baca, 1):>16}")
    out.write(f"{JUDUL_PENULIS['tpp']:<44}{_koma(t_tpp):>10}{_koma(mb_tulis, 1):>16}")
    out.write(f"{JUDUL_PENULIS['openpyxl']:<44}{_koma(t_polos):>10}{_koma(mb_polos, 1):>16}")
    rasio = t_tpp / t_polos if t_polos else float("nan")
    total, memori = t_baca + t_tpp, mb_baca + mb_tulis
    lolos = rasio <= TARGET_RASIO and memori < TARGET_MB
    out.write(
        f"Rasio tulis_xlsx / openpyxl polos: {_koma(rasio)}×; membaca + menulis {_koma(total)} s, puncak "
        f"tracemalloc membaca + menulis {_koma(memori, 1)} MB (RSS proses sesudahnya {_koma(rss, 0)} MB). "
        f"Target ≤ {_koma(TARGET_RASIO, 1)}× dan < {_koma(TARGET_MB, 0)} MB: {'terpenuhi' if lolos else 'TIDAK terpenuhi'}."
    )
