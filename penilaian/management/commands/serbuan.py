"""`python manage.py serbuan siapkan|periksa` — the database side of the deadline-day rush
(issue #9 §4; the whole run: `./dev serbuan`, beban/serbuan.py).

    serbuan siapkan --rencana FILE [--penilai 20] [--sandi …]
        gives the bench pegawai (NIP 99…) a known password (one hash, one UPDATE), resets the rush
        month of the chosen teams in one transaction and writes the plan locust reads.
    serbuan periksa --rencana FILE --jurnal FILE
        checks that every write the server acknowledged (the journal locust wrote) is stored
        exactly once; prints LULUS/GAGAL per check and exits 1 when one fails.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from penilaian import serbuan

SANDI_BAWAAN = "Serbuan#2026"


def baca_jurnal(path: Path) -> list[dict]:
    """One JSON object per line; a line cut off by a killed writer is skipped (it was never
    answered, so it acknowledges nothing)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


class Command(BaseCommand):
    help = "Serbuan tenggat: siapkan data bench untuk uji beban, atau periksa hasilnya (tepat sekali)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="langkah", required=True)
        siapkan = sub.add_parser("siapkan", help="kata sandi pengguna serbuan dan keadaan awal bulan serbuan")
        siapkan.add_argument("--rencana", type=Path, required=True, help="berkas JSON rencana untuk locust")
        siapkan.add_argument("--penilai", type=int, default=20, help="jumlah tim penilai yang dipakai (bawaan 20)")
        siapkan.add_argument("--sandi", default=SANDI_BAWAAN, help="kata sandi pengguna bench selama serbuan")
        periksa = sub.add_parser("periksa", help="bandingkan jurnal locust dengan basis data")
        periksa.add_argument("--rencana", type=Path, required=True)
        periksa.add_argument("--jurnal", type=Path, required=True)

    def handle(self, *args, langkah: str, **options) -> None:
        if langkah == "siapkan":
            self._siapkan(options["rencana"], options["penilai"], options["sandi"])
        else:
            self._periksa(options["rencana"], options["jurnal"])

    def _siapkan(self, path: Path, penilai: int, sandi: str) -> None:
        if penilai < 1:
            raise CommandError("--penilai minimal 1.")
        try:
            rencana = serbuan.siapkan(penilai=penilai, run_id=uuid.uuid4().hex[:8])
        except serbuan.SerbuanError as e:
            raise CommandError(str(e)) from e
        n = serbuan.pasang_sandi(sandi)
        rencana["sandi"] = sandi
        path.write_text(json.dumps(rencana, indent=1), encoding="utf-8")
        p = rencana["periode"]
        self.stdout.write(
            f"Serbuan {rencana['run']}: bulan {p['bulan']}/{p['tahun']}; {len(rencana['penilai'])} penilai, "
            f"{len(rencana['evaluasi_draf'])} pegawai akan mengirim, {len(rencana['evaluasi_dikirim'])} realisasi "
            f"menunggu penilaian; kata sandi {n} pegawai bench diatur. Rencana: {path}"
        )

    def _periksa(self, rencana_path: Path, jurnal_path: Path) -> None:
        rencana = json.loads(rencana_path.read_text(encoding="utf-8"))
        jurnal = serbuan.ringkas_jurnal(baca_jurnal(jurnal_path) if jurnal_path.exists() else [])
        hasil = serbuan.periksa(rencana, jurnal)
        n = {k: sum(r["hasil"] == k for r in jurnal) for k in (serbuan.ACK, serbuan.DITOLAK, serbuan.GALAT)}
        self.stdout.write(
            f"Jurnal: {len(jurnal)} tulis — {n[serbuan.ACK]} diakui, {n[serbuan.DITOLAK]} ditolak dengan pesan, "
            f"{n[serbuan.GALAT]} tak terjawab (galat/putus)."
        )
        for cek in hasil:
            self.stdout.write(f"{'LULUS' if cek.lulus else 'GAGAL'}  {cek.nama}: {cek.rincian}")
            for contoh in cek.contoh:
                self.stdout.write(f"        {contoh}")
        if not all(c.lulus for c in hasil):
            raise CommandError("Pemeriksaan tepat-sekali GAGAL.")
