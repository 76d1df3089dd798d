"""`python manage.py bench_ekspor [--pegawai 7000] [--opd 40] [--runs 3]` (issue #8 "Done when"):
the Excel export of one month at regency size, against bare openpyxl write-only writing the same
rows in the same run (the measuring code is `penilaian.bench.ekspor`; `manage.py bench` measures the
export of the bench data set read from the database).

No database: a synthetic `DataTppBulan` of N rows over the OPDs is built in memory (names,
jabatan and keterangan of realistic length, some with a formula-like start, a few adjustments per
OPD). Each writer runs in a fresh subprocess of this command (`--anak`), so its peak RSS is its
own: the subprocess builds the data, writes the file `--runs` times (median time), then once more
under tracemalloc (peak of Python allocations while writing). Printed per writer: median time,
tracemalloc peak, peak RSS of the whole process (Python, Django, the data and the writer) and the
RSS the writing added over the data; then the ratios and the issue's targets (< 5 s, < 300 MB,
≤ 1.5× bare openpyxl)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ekinerja.angka import format_angka
from penilaian.bench.ekspor import (
    JUDUL_PENULIS,
    PENULIS,
    TARGET_DETIK,
    TARGET_MB,
    TARGET_RASIO,
    _koma,
    data_sintetis,
    ukur_memori,
    ukur_waktu,
)


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
