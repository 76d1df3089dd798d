"""`python manage.py impor_pegawai FILE [--dry-run] [--oleh NIP]` (SPEC §8).

Same code path as the browser: the file is validated, stored as an ImporPegawai, then applied.
Exit status 0 when clean (and applied unless --dry-run), 1 with every error on stderr."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opd.imports import ImportFailed, ImportIssue, build_plan, save_upload, size_error, terapkan_impor
from opd.models import Pegawai


class Command(BaseCommand):
    help = "Impor data pegawai dari berkas CSV atau XLSX (ekspor SIASN/SAPK/SIMPEG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="berkas .csv atau .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="hanya periksa dan tampilkan ringkasan")
        parser.add_argument("--oleh", metavar="NIP", help="NIP pelaku yang dicatat di jejak audit")

    def handle(self, *args, file: str, dry_run: bool, oleh: str | None, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Berkas {file} tidak ditemukan.")
        by = None
        if oleh:
            by = Pegawai.objects.filter(nip=oleh.replace(" ", "")).first()
            if by is None:
                raise CommandError(f"Pegawai dengan NIP {oleh} (--oleh) tidak ditemukan.")
        message = size_error(path.stat().st_size)
        if message:
            self._fail([ImportIssue(None, "", message)])
        data = path.read_bytes()
        plan = build_plan(data)
        if plan.errors:
            self._fail(plan.errors)
        counts = plan.counts()
        self.stdout.write(
            f"{counts['baris']} baris: {counts['baru']} baru, {counts['berubah']} berubah, {counts['tetap']} tetap, "
            f"{counts['tidak_ada']} pegawai tersimpan tidak ada di berkas (tidak dihapus); "
            f"{counts['unit_baru']} unit kerja baru, {counts['jabatan_baru']} jabatan baru."
        )
        for warning in plan.warnings:
            self.stdout.write(f"Peringatan: {warning}", style_func=self.style.WARNING)
        for change in plan.berubah:
            detail = "; ".join(f"{k}: {v[0] or '—'} → {v[1] or '—'}" for k, v in change.changes.items())
            self.stdout.write(f"  berubah {change.row.nip} {change.row.nama}: {detail}", style_func=None)
        if dry_run:
            self.stdout.write("Uji coba (--dry-run): tidak ada yang disimpan.")
            return
        impor = save_upload(data, path.name, plan, by=by)
        try:
            result = terapkan_impor(impor, by=by)
        except ImportFailed as exc:
            self._fail(exc.errors)
        self.stdout.write(
            self.style.SUCCESS(
                f"Diterapkan dalam {result.detik} s: {result.baru} pegawai baru, {result.berubah} diperbarui. "
                "Pegawai baru belum punya kata sandi: atur ulang kata sandinya agar dapat masuk."
            )
        )

    def _fail(self, errors: list[ImportIssue]) -> None:
        for issue in errors:
            self.stderr.write(str(issue))
        raise CommandError(f"{len(errors)} kesalahan; tidak ada data yang disimpan.", returncode=1)
