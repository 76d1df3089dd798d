"""`python manage.py bench_ekspor [--pegawai 7000] [--opd 40] [--runs 3]` (issue #8 "Done when"):
the Excel export of one month at regency size, against bare openpyxl write-only writing the same
rows in the same run.

No database: a synthetic `DataTppBulan` of N rows over the OPDs is built in memory (names,
jabatan and keterangan of realistic length, some with a formula-like start, a few adjustments per
OPD). Each writer runs in a fresh subprocess of this command (`--anak`), so its peak RSS is its
own: the subprocess builds the data, writes the file `--runs` times (median time), then once more
under tracemalloc (peak of Python allocations while writing). Printed per writer: median time,
tracemalloc peak, peak RSS of the whole process (Python, Django, the data and the writer) and the
RSS the writing added over the data; then the ratios and the issue's targets (< 5 s, < 300 MB,
≤ 1.5× bare openpyxl)."""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from openpyxl import Workbook

from ekinerja.angka import format_angka
from penilaian.ekspor_tpp import KOLOM, KOLOM_PENYESUAIAN, KOLOM_REKAP, tulis_xlsx
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


class Command(BaseCommand):
    help = "Ukur ekspor Excel TPP satu bulan (N pegawai sintetis) terhadap openpyxl polos (issue #8)."
    requires_system_checks: list = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pegawai", type=int, default=7000, help="jumlah baris pegawai (bawaan 7000)")
        parser.add_argument("--opd", type=int, default=40, help="jumlah OPD (bawaan 40)")
        parser.add_argument("--runs", type=int, default=3, help="berapa kali tiap penulis menulis (bawaan 3)")
        parser.add_argument("--anak", choices=PENULIS, help="(dalam) ukur satu penulis di proses ini, cetak JSON")

    def handle(self, *args, **options) -> None:
        pegawai, jumlah_opd, runs = options["pegawai"], options["opd"], options["runs"]
        if not (1 <= pegawai <= 200_000 and 1 <= jumlah_opd <= 500 and 1 <= runs <= 50):
            raise CommandError("--pegawai 1–200000, --opd 1–500, --runs 1–50.")
        if options["anak"]:
            self.stdout.write(json.dumps(ukur_memori(options["anak"], pegawai, jumlah_opd)))
            return
        self.stdout.write(
            f"Ekspor TPP: {format_angka(pegawai)} pegawai sintetis di {jumlah_opd} OPD, {runs} kali per penulis "
            f"bergantian ({timezone.localtime():%d-%m-%Y %H.%M}, {os.cpu_count()} CPU, load average "
            f"{_koma(os.getloadavg()[0], 1)}); memori tiap penulis di subproses sendiri."
        )
        hasil = ukur_waktu(data_sintetis(pegawai, jumlah_opd), runs)
        for p in PENULIS:
            hasil[p].update(self._anak(p, pegawai, jumlah_opd))
        self.stdout.write(
            f"{'Penulis':<32}{'median s':>10}{'min–maks s':>14}{'CPU s':>8}{'tracemalloc MB':>16}"
            f"{'RSS data MB':>13}{'RSS puncak MB':>15}{'berkas KB':>11}"
        )
        for p in PENULIS:
            h = hasil[p]
            self.stdout.write(
                f"{JUDUL_PENULIS[p]:<32}{_koma(h['median']):>10}{_koma(h['min']) + '–' + _koma(h['max']):>14}"
                f"{_koma(h['cpu']):>8}{_koma(h['tracemalloc_mb'], 1):>16}{_koma(h['rss_data_mb'], 1):>13}"
                f"{_koma(h['rss_mb'], 1):>15}{format_angka(round(h['ukuran_kb'])):>11}"
            )
        tpp, polos = hasil["tpp"], hasil["openpyxl"]
        rasio = tpp["median"] / polos["median"]
        rasio_cpu = tpp["cpu"] / polos["cpu"] if polos["cpu"] else 0.0
        rasio_memori = tpp["rss_mb"] / polos["rss_mb"]
        self.stdout.write(
            f"Rasio tulis_xlsx / openpyxl polos: waktu {_koma(rasio)}× (CPU {_koma(rasio_cpu)}×), "
            f"RSS puncak {_koma(rasio_memori)}×"
        )
        lolos = tpp["median"] < TARGET_DETIK and tpp["rss_mb"] < TARGET_MB and rasio <= TARGET_RASIO
        self.stdout.write(
            f"Target < {_koma(TARGET_DETIK, 0)} s, < {_koma(TARGET_MB, 0)} MB, ≤ {_koma(TARGET_RASIO, 1)}× openpyxl "
            f"polos: {'terpenuhi' if lolos else 'TIDAK terpenuhi'}"
        )

    def _anak(self, penulis: str, pegawai: int, jumlah_opd: int) -> dict:
        perintah = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_ekspor", "--anak", penulis,
                    "--pegawai", str(pegawai), "--opd", str(jumlah_opd)]  # fmt: skip
        proses = subprocess.run(perintah, capture_output=True, text=True, timeout=900, cwd=settings.BASE_DIR)
        if proses.returncode != 0:
            raise CommandError(f"Subproses {penulis} gagal:\n{proses.stderr[-2000:]}")
        return json.loads(proses.stdout.strip().splitlines()[-1])
