"""`python manage.py ekspor_tpp YYYY-MM [--opd KODE] --output FILE` (SPEC §7 "Export"): the same
.xlsx as the download on the TPP page, for a month that is not final too (then marked SEMENTARA).
The file is written beside FILE and renamed into place, so a failed export never leaves half a
file where finance expects one."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ekinerja.angka import format_angka
from opd.models import Opd
from penilaian.ekspor_tpp import alasan_tidak_bisa_diekspor, teks_status, tulis_xlsx
from penilaian.models import NAMA_BULAN, Periode
from penilaian.services._common import PenilaianError

_PERIODE = re.compile(r"(\d{4})-(\d{1,2})")


def periode_dari_teks(teks: str) -> tuple[int, int]:
    cocok = _PERIODE.fullmatch(teks.strip())
    if not cocok or not 1 <= int(cocok[2]) <= 12 or int(cocok[1]) < 1:
        raise CommandError(f"Periode {teks!r} tidak sah: tulis tahun dan bulan sebagai YYYY-MM, mis. 2026-11.")
    return int(cocok[1]), int(cocok[2])


class Command(BaseCommand):
    help = "Ekspor dasar pembayaran TPP satu bulan ke berkas .xlsx (SPEC §7)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("periode", help="bulan yang diekspor, YYYY-MM (mis. 2026-11)")
        parser.add_argument("--opd", help="kode OPD; tanpa ini semua OPD")
        parser.add_argument("--output", required=True, help="berkas .xlsx yang ditulis")

    def handle(self, *args, **options) -> None:
        tahun, bulan = periode_dari_teks(options["periode"])
        nama = f"{NAMA_BULAN[bulan - 1]} {tahun}"
        output = Path(options["output"]).expanduser()
        if output.is_dir():
            raise CommandError(f"{output} adalah folder; sebutkan nama berkas, mis. {output / 'tpp.xlsx'}.")
        if not output.parent.is_dir():
            raise CommandError(f"Folder {output.parent} tidak ada; buat dulu atau pilih folder lain.")
        periode = Periode.objects.filter(tahun=tahun, bulan=bulan).first()
        if periode is None:
            raise CommandError(f"Periode {nama} belum dibuka.")
        opd = None
        if options["opd"] is not None:
            opd = Opd.objects.filter(kode__iexact=options["opd"].strip()).first()
            if opd is None:
                raise CommandError(f"OPD dengan kode {options['opd']!r} tidak ditemukan.")
        alasan = alasan_tidak_bisa_diekspor(periode)
        if alasan:
            raise CommandError(alasan)
        from penilaian.services.tpp_bulan import data_bulan

        try:
            data = data_bulan(periode, opd=opd)
        except PenilaianError as e:
            raise CommandError(str(e)) from e
        self._tulis(data, output)
        pegawai = sum(len(o.baris) for o in data.opd)
        self.stdout.write(
            f"Ditulis {output}: {nama}, {len(data.opd)} OPD, {format_angka(pegawai)} pegawai, "
            f"jumlah TPP Rp {format_angka(data.jumlah)}; {teks_status(data)}."
        )

    def _tulis(self, data, output: Path) -> None:
        fd, sementara = tempfile.mkstemp(prefix=".ekspor-tpp-", suffix=".xlsx", dir=output.parent)
        try:
            with os.fdopen(fd, "wb") as berkas:
                tulis_xlsx(data, berkas)
            os.replace(sementara, output)
        except OSError as e:
            raise CommandError(f"Berkas {output} tidak dapat ditulis: {e.strerror or e}.") from e
        finally:
            if os.path.exists(sementara):
                os.unlink(sementara)
