"""`python manage.py impor_presensi YYYY-MM FILE [--dry-run] [--oleh NIP]` (SPEC §8).

Same code path as the browser: the file is validated against the opened month, kept under
MEDIA_ROOT, then applied all or nothing (the month's earlier figures replaced). Exit status 0 when
clean (and applied unless --dry-run), 1 with every error on stderr."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ekinerja.tabel import size_error
from opd.imports import ImportIssue
from opd.models import Pegawai
from penilaian.services import presensi


class Command(BaseCommand):
    help = "Impor rekap presensi bulanan (CSV atau XLSX dari e-presensi) untuk satu bulan yang sudah dibuka."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bulan", help="bulan presensi, YYYY-MM (misalnya 2026-03)")
        parser.add_argument("file", help="berkas .csv atau .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="hanya periksa dan tampilkan ringkasan")
        parser.add_argument("--oleh", metavar="NIP", help="NIP admin BKD yang dicatat di jejak audit")

    def handle(self, *args, bulan: str, file: str, dry_run: bool, oleh: str | None, **options) -> None:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", bulan.strip())
        if not m:
            raise CommandError(f"Bulan '{bulan}' tidak dikenali; tulis YYYY-MM, misalnya 2026-03.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Berkas {file} tidak ditemukan.")
        by = None
        if oleh:
            by = Pegawai.objects.filter(nip=oleh.replace(" ", "")).first()
            if by is None:
                raise CommandError(f"Pegawai dengan NIP {oleh} (--oleh) tidak ditemukan.")
        try:
            periode = presensi.periode_bulan(int(m[1]), int(m[2]))
        except presensi.PresensiError as exc:
            self._fail(exc.errors)
        message = size_error(path.stat().st_size)
        if message:
            self._fail([ImportIssue(None, "", message)])
        data = path.read_bytes()
        plan = presensi.rencana(periode, data)
        if plan.errors:
            self._fail(plan.errors)
        c = plan.counts()
        self.stdout.write(
            f"Presensi {periode.nama}: {c['baris']} pegawai — {c['baru']} baru, {c['berubah']} berubah, "
            f"{c['tetap']} tetap, {c['dihapus']} tersimpan tetapi tidak ada di berkas (dihapus)."
        )
        if dry_run:
            self.stdout.write("Uji coba (--dry-run): tidak ada yang disimpan.")
            return
        sha = presensi.simpan_berkas(periode, data, path.name)
        _data, nama, relpath = presensi.berkas_tersimpan(periode, sha)
        try:
            hasil = presensi.terapkan(periode, data, nama, by=by, berkas=relpath)
        except presensi.PresensiError as exc:
            self._fail(exc.errors)
        except presensi.SudahDiterapkan as exc:
            self.stdout.write(str(exc))
            return
        except presensi.PenilaianError as exc:
            raise CommandError(str(exc), returncode=1) from None
        final = " TPP bulan ini sudah final: selisihnya dicatat sebagai penyesuaian." if hasil.final else ""
        self.stdout.write(self.style.SUCCESS(f"Diterapkan: presensi {periode.nama} untuk {c['baris']} pegawai.{final}"))

    def _fail(self, errors: list[ImportIssue]) -> None:
        for issue in errors:
            self.stderr.write(str(issue))
        raise CommandError(f"{len(errors)} kesalahan; tidak ada data presensi yang disimpan.", returncode=1)
