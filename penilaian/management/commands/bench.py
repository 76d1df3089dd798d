"""`python manage.py bench [--pegawai 7000] [--runs 15] [--force] [--hapus] [--bangun-saja] [--profil KODE]`
(issue #9 §3): build (once, then reuse) a year of N pegawai, then measure and print the key pages,
the TPP export of all pegawai for one month, the staff import of N rows, and the query counts
against a small rolled-back set. The parts live in `penilaian.bench`."""

from __future__ import annotations

import os
import random
import resource
import time

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from ekinerja.angka import format_angka
from opd.models import Pegawai
from penilaian.bench import data as bd
from penilaian.bench import ekspor, halaman, impor, profil
from penilaian.bench.laporan import koma, tabel_halaman, tabel_kueri
from penilaian.models import BuktiDukung, Evaluasi, RencanaAksi


class Command(BaseCommand):
    help = (
        "Membangun (atau memakai ulang) data satu tahun untuk N pegawai, lalu mengukur halaman kunci, ekspor "
        "TPP dan impor pegawai (waktu server, jumlah kueri, memori) terhadap halaman ringan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pegawai", type=int, default=7000, help="jumlah pegawai data bench (bawaan 7000)")
        parser.add_argument("--runs", type=int, default=15, help="pengukuran per halaman setelah satu pemanasan")
        parser.add_argument(
            "--kecil", type=int, default=60, help="pegawai data pembanding kecil untuk jumlah kueri (0: lewati)"
        )
        parser.add_argument("--force", action="store_true", help="hapus dan bangun ulang data bench")
        parser.add_argument("--hapus", action="store_true", help="hanya hapus data bench, lalu selesai")
        parser.add_argument(
            "--bangun-saja", action="store_true", help="bangun (atau pastikan) data bench, lalu selesai"
        )
        parser.add_argument(
            "--profil", metavar="KODE", help="profil satu halaman (pyinstrument) dan EXPLAIN kueri terberatnya"
        )
        parser.add_argument("--tanpa-ekspor", action="store_true", help="lewati pengukuran ekspor dan impor")

    def handle(self, *args, **o) -> None:
        out = self.stdout.write
        if o["hapus"]:
            t0 = time.perf_counter()
            n = bd.hapus_data(bd.PREFIX, bd.LABEL)
            out(f"Data bench dihapus: {format_angka(n)} pegawai beserta SKP, evaluasi, rencana aksi dan bukti "
                f"({koma(time.perf_counter() - t0, 1)} s).")  # fmt: skip
            return
        if o["runs"] < 1 or o["pegawai"] < 1:
            raise CommandError("--runs dan --pegawai minimal 1.")
        if not settings.SECRET_KEY:
            raise CommandError(
                "SECRET_KEY kosong: sesi login uji memerlukannya. Jalankan dengan SECRET_KEY=… atau "
                "ALLOW_INSECURE_SECRET_KEY=1 (atau lewat ./dev manage, yang memakai DEBUG=1)."
            )
        kode_profil = o["profil"]
        if kode_profil and kode_profil not in profil.KODE:
            raise CommandError(f"--profil: kode tidak dikenal. Pilihan: {', '.join(profil.KODE)}.")
        today = timezone.localdate()
        spec = bd.Spec(bd.PREFIX, bd.LABEL, o["pegawai"], bd.TIM, today.year, today.month)
        data = self._siapkan(spec, o["force"])
        if o["bangun_saja"]:
            return
        if kode_profil:
            profil.jalankan(data, kode_profil, self.stdout)
            return
        self._halaman(data, spec, o["runs"], o["kecil"])
        if not o["tanpa_ekspor"]:
            out("")
            ekspor.laporan(data, self.stdout)
            out("")
            impor.laporan(data, self.stdout)

    def _siapkan(self, spec: bd.Spec, force: bool) -> bd.DataBench:
        out = self.stdout.write
        data = None if force else bd.temukan(spec)
        if data is None:
            t0 = time.perf_counter()
            n_lama = bd.hapus_data(bd.PREFIX, bd.LABEL)
            if n_lama:
                out(
                    f"Data bench lama ({format_angka(n_lama)} pegawai) dihapus dalam {koma(time.perf_counter() - t0, 1)} s."
                )
            t1 = time.perf_counter()
            jumlah = bd.bangun(spec)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out(
                f"Data bench dibangun dalam {koma(time.perf_counter() - t1, 1)} s ({connection.vendor}, "
                f"{'COPY' if connection.vendor == 'postgresql' else 'bulk_create'}; puncak RSS {koma(rss, 0)} MB): "
                + ", ".join(f"{label.split('.')[-1]} {format_angka(n)}" for label, n in sorted(jumlah.items()))
            )
            data = bd.temukan(spec)
            if data is None:
                raise CommandError("Data bench tidak lengkap setelah dibangun.")
            t3 = time.perf_counter()
            urutan = bd.urutan_produksi()
            if urutan:
                out(f"{urutan}: {koma(time.perf_counter() - t3, 1)} s.")
        else:
            out("Data bench yang ada dipakai ulang (N dan bulan sama; --force untuk membangun ulang).")
            with transaction.atomic():  # a data set built before the TPP part: add it
                bd.bangun_tpp(spec, bd._periode(spec, data.admin), data.admin, random.Random(7))
        t2 = time.perf_counter()
        perintah = bd.analyze()
        if perintah:
            out(f"{perintah} (seperti autovacuum di produksi): {koma(time.perf_counter() - t2, 1)} s.")
        return data

    def _halaman(self, data: bd.DataBench, spec: bd.Spec, runs: int, kecil: int) -> None:
        out = self.stdout.write
        ev_bench = Evaluasi.objects.filter(pegawai__nip__startswith=bd.PREFIX)
        n_opd = Pegawai.objects.filter(nip__startswith=bd.PREFIX).values("opd").distinct().count()
        n_terbesar = Pegawai.objects.filter(nip__startswith=bd.PREFIX, opd=data.opd_terbesar).count()
        out(
            f"Basis data: {connection.vendor}; DEBUG={'ya' if settings.DEBUG else 'tidak'}; pegawai bench: "
            f"{format_angka(spec.n)} di {n_opd} OPD (terbesar {data.opd_terbesar.kode}: {format_angka(n_terbesar)}); "
            f"evaluasi: {format_angka(ev_bench.count())} ({spec.bulan_kini} bulan {spec.tahun}); rencana aksi: "
            f"{format_angka(RencanaAksi.objects.count())}; bukti dukung: {format_angka(BuktiDukung.objects.count())}."
        )
        beban = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        out(f"Mesin: {os.cpu_count()} CPU, load average {koma(beban)}; Django {django.get_version()}.")
        out(f"Tampilan ringan pembanding: {reverse('password_change_done')} (halaman statis di tata letak dasar).")
        hasil = halaman.ukur(data, runs)
        out("")
        for line in tabel_halaman(hasil, runs, halaman.target(spec.n)):
            out(line)
        if kecil:
            sk = bd.spec_kecil(spec.tahun, kecil)
            counts = halaman.kueri_kecil(sk)
            out("")
            out(
                f"Jumlah kueri pada dua ukuran data (kecil: {sk.n} pegawai, tim {sk.tim}, {sk.bulan_kini} bulan, "
                f"tahun {sk.tahun}, dibatalkan; besar: {format_angka(spec.n)} pegawai, tim {spec.tim}, "
                f"{spec.bulan_kini} bulan):"
            )
            for line in tabel_kueri(hasil, counts):
                out(line)
