"""Time the pegawai import on a realistic SIASN-style file: `manage.py bench_impor --rows 7000`."""

from __future__ import annotations

import datetime
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from openpyxl import Workbook

from opd.imports import ImportPlan, apply_plan, build_plan
from opd.models import Opd

SIASN_HEADER = [
    "NIP BARU", "NIP LAMA", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TEMPAT LAHIR", "GOL AKHIR NAMA",
    "JABATAN NAMA", "JENIS JABATAN NAMA", "ESELON", "KELAS JABATAN", "OPD", "UNOR NAMA", "NIP ATASAN",
    "KEDUDUKAN HUKUM NAMA", "EMAIL",
]  # fmt: skip
STAFF_JABATAN = [
    ("Pengadministrasi Perkantoran", "Jabatan Fungsional Umum", 5, "II/c"),
    ("Penata Kelola Sistem dan Teknologi Informasi", "Jabatan Fungsional Umum", 7, "III/a"),
    ("Analis Kebijakan Ahli Pertama", "Jabatan Fungsional Tertentu", 8, "III/b"),
    ("Pranata Komputer Ahli Muda", "Jabatan Fungsional Tertentu", 9, "III/c"),
    ("Pengelola Layanan Operasional", "Jabatan Fungsional Umum", 6, "II/d"),
    ("Perawat Terampil", "Jabatan Fungsional Tertentu", 7, "IX"),
]
FIRST = ["Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gunawan", "Hesti", "Indra", "Joko", "Kartika", "Lukman"]
LAST = ["Santoso", "Wibowo", "Lestari", "Rahmawati", "Saputra", "Handayani", "Kurniawan", "Puspitasari"]


def generate_rows(count: int) -> list[list[str]]:
    """A hierarchy per OPD: Kepala (II.b) → Sekretaris and 3 Kepala Bidang (III) → 3 Kepala
    Subbagian/Seksi each (IV.a) → pelaksana and fungsional."""
    opds = list(Opd.objects.filter(aktif=True).order_by("urutan", "pk"))
    per_opd = max(count // len(opds), 20)
    rows: list[list[str]] = []
    seen: set[str] = set()
    serial = 0

    def nip(i: int, pppk: bool) -> str:
        nonlocal serial
        while True:
            serial += 1
            lahir = datetime.date(1965 + serial % 33, 1 + serial % 12, 1 + serial % 28)
            gender = "1" if serial % 2 else "2"
            number = f"{1 + (serial // 396) % 999:03d}"
            if pppk:
                value = f"{lahir:%Y%m%d}{lahir.year + 25}2{1 + serial % 3}{gender}{number}"
            else:
                value = f"{lahir:%Y%m%d}{lahir.year + 24}{1 + serial % 12:02d}{gender}{number}"
            if value not in seen:
                seen.add(value)
                return value

    def add(opd: Opd, nip_: str, jabatan: str, jenis: str, eselon: str, kelas: int, gol: str, unit: str, atasan: str):
        i = len(rows)
        rows.append(
            [
                nip_, "", f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]}", "", "S.E." if i % 3 else "",
                "Trenggalek", gol, jabatan, jenis, eselon, str(kelas), opd.kode, unit, atasan, "Aktif",
                f"pegawai{i}@example.go.id",
            ]
        )  # fmt: skip

    for opd in opds:
        if len(rows) >= count:
            break
        quota = min(per_opd, count - len(rows))
        start = len(rows)
        kepala = nip(0, False)
        add(opd, kepala, f"Kepala {opd.nama}"[:255], "Jabatan Struktural", "II.b", 14, "IV/c", "Pimpinan", "")
        kasi: list[tuple[str, str]] = []
        for b, unit in enumerate(["Sekretariat", "Bidang Program", "Bidang Pelayanan", "Bidang Pengembangan"]):
            kabid = nip(0, False)
            add(
                opd,
                kabid,
                f"Kepala {unit}" if b else "Sekretaris",
                "Jabatan Struktural",
                "III.a" if b == 0 else "III.b",
                12,
                "IV/a",
                unit,
                kepala,
            )
            for s in range(3):
                sub = f"{'Subbagian' if b == 0 else 'Seksi'} {unit.split()[-1]} {s + 1}"
                k = nip(0, False)
                add(opd, k, f"Kepala {sub}", "Jabatan Struktural", "IV.a", 9, "III/d", sub, kabid)
                kasi.append((k, sub))
        j = 0
        while len(rows) - start < quota:
            atasan, sub = kasi[j % len(kasi)]
            nama, jenis, kelas, gol = STAFF_JABATAN[j % len(STAFF_JABATAN)]
            add(opd, nip(j, gol == "IX"), nama, jenis, "", kelas, gol, sub, atasan)
            j += 1
    return rows[:count]


def write_xlsx(rows: list[list[str]], path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data Pegawai")
    ws.append(SIASN_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


class Command(BaseCommand):
    help = "Ukur waktu impor pegawai dengan berkas gaya SIASN yang dibangkitkan (dibatalkan kecuali --keep)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=7000)
        parser.add_argument("--keep", action="store_true", help="simpan hasil impor (bawaan: dibatalkan)")

    def handle(self, *args, rows: int, keep: bool, **options) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            generated = generate_rows(rows)
            path = Path(tmp) / f"siasn_{rows}.xlsx"
            write_xlsx(generated, path)
            data = path.read_bytes()
            # The same people a year later: every name and e-mail changed.
            changed_path = Path(tmp) / f"siasn_{rows}_ubah.xlsx"
            write_xlsx(
                [[*r[:2], r[2] + " Baru", *r[3:15], r[15].replace("@", ".baru@")] for r in generated], changed_path
            )
            changed = changed_path.read_bytes()
            self.stdout.write(
                f"Basis data: {connection.vendor}; berkas {path.name} {len(data) / 1024:.0f} KB "
                f"(dibangkitkan dalam {time.perf_counter() - t0:.2f} s)"
            )
            with transaction.atomic():
                for label, content in (("impor pertama (semua baru)", data), ("impor ulang (semua berubah)", changed)):
                    t1 = time.perf_counter()
                    plan = build_plan(content)
                    t2 = time.perf_counter()
                    if plan.errors:
                        for issue in plan.errors[:20]:
                            self.stderr.write(str(issue))
                        self.stderr.write(f"{len(plan.errors)} kesalahan.")
                        transaction.set_rollback(True)
                        return
                    apply_plan(ImportPlan(data=content), by=None, alasan="bench_impor")
                    t3 = time.perf_counter()
                    self.stdout.write(f"{label}: {plan.counts()}")
                    self.stdout.write(f"  baca + validasi + rencana (pratinjau): {t2 - t1:6.2f} s")
                    self.stdout.write(f"  terapkan (validasi ulang + tulis):     {t3 - t2:6.2f} s")
                t4 = time.perf_counter()
                again = build_plan(changed)
                self.stdout.write(
                    f"validasi berkas yang sama lagi: {time.perf_counter() - t4:6.2f} s  {again.counts()}"
                )
                if not keep:
                    transaction.set_rollback(True)
            self.stdout.write("disimpan (--keep)" if keep else "semua perubahan dibatalkan (rollback)")
