"""`python manage.py demo [--tahun YYYY]`: load the demo organisation (and demo SKPs when the skp app
ships `skp.demo`), then print the demo logins. Safe to run again: a second run changes nothing.

It lives in `penilaian` because only this app may import both `opd` and `skp` (opd ← skp ← penilaian).
"""

from __future__ import annotations

import importlib
import importlib.util
import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from opd.demo import DemoAccounts, seed_organisation


class Command(BaseCommand):
    help = "Memuat data demo (organisasi 4 OPD pilot, akun demo, dan SKP bila tersedia) lalu menampilkan akun masuk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tahun", type=int, default=None, help="Tahun SKP demo (bawaan: tahun berjalan).")
        parser.add_argument("--tanpa-skp", action="store_true", help="Hanya organisasi dan akun, tanpa SKP demo.")

    def handle(self, *args, tahun: int | None = None, tanpa_skp: bool = False, **options) -> None:
        started = time.monotonic()
        tahun = tahun or timezone.localdate().year
        accounts = seed_organisation(stdout=self.stdout)
        # The skp app may ship its own demo; plug it in without this command knowing more of it.
        if not tanpa_skp and importlib.util.find_spec("skp.demo") is not None:
            importlib.import_module("skp.demo").seed_skp(tahun=tahun, stdout=self.stdout)
            from penilaian.demo import seed_penilaian

            accounts.logins.extend(seed_penilaian(tahun=tahun, stdout=self.stdout).logins)
        self.print_logins(accounts)
        self.stdout.write(f"Selesai dalam {time.monotonic() - started:.1f} detik.")

    def print_logins(self, accounts: DemoAccounts) -> None:
        header = ("Peran", "NIP / ID", "Kata sandi", "Nama", "Jabatan")
        rows = [(a.peran, a.nip, accounts.password, a.nama, a.keterangan) for a in accounts.logins]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Akun demo"))
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write(
            f"Setiap pegawai demo lain juga dapat masuk dengan NIP-nya dan kata sandi {accounts.password} "
            "(kata sandi hanya diisi saat akun dibuat, tidak pernah ditimpa)."
        )
