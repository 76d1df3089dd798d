"""`python manage.py bench_pohon [--opd KODE] [--tahun Y] [--runs 5]`: render the pohon kinerja page
as an admin BKD through the test client and print server time (min/median) and query count.
Default OPD: the pilot OPD with the most pegawai."""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import Opd, Pegawai, PeranPengguna
from skp.pohon import build_pohon


class Command(BaseCommand):
    help = "Mengukur waktu render halaman pohon kinerja satu OPD (waktu server dan jumlah query)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--opd", default="", help="Kode OPD (bawaan: OPD pilot dengan pegawai terbanyak).")
        parser.add_argument("--tahun", type=int, default=None)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, opd: str, tahun: int | None, runs: int, **options) -> None:
        tahun = tahun or timezone.localdate().year
        if opd:
            target = Opd.objects.filter(kode=opd).first()
            if target is None:
                raise CommandError(f"OPD {opd} tidak ditemukan.")
        else:
            target = Opd.objects.filter(pilot=True).annotate(n=Count("pegawai_set")).order_by("-n").first()
            if target is None:
                raise CommandError("Belum ada OPD pilot.")
        admin = (
            Pegawai.objects.filter(peran_set__peran=PeranPengguna.Peran.ADMIN_BKD, is_active=True).first()
            or Pegawai.objects.filter(is_superuser=True, is_active=True).first()
        )
        if admin is None:
            raise CommandError("Tidak ada admin BKD atau superuser (jalankan: python manage.py demo).")
        host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")
        client = Client(HTTP_HOST=host)
        client.force_login(admin)
        url = reverse("skp:pohon")
        params = {"opd": target.kode, "tahun": tahun}
        client.get(url, params)  # warm-up: templates compiled, connection open
        times, queries, size = [], 0, 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"Status {response.status_code}")
            queries, size = len(ctx.captured_queries), len(response.content)
        stats = build_pohon(target, tahun).stats
        self.stdout.write(
            f"Pohon kinerja {target.kode} {tahun} ({connection.vendor}): {stats.get('pegawai', '?')} pegawai, "
            f"{stats.get('rhk', '?')} RHK, {size / 1024:.0f} KB HTML\n"
            f"  waktu server: min {min(times):.1f} ms, median {statistics.median(times):.1f} ms "
            f"({runs} kali), {queries} query"
        )
