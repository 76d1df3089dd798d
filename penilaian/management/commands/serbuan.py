"""`python manage.py serbuan siapkan|periksa` — the database side of the deadline-day rush
(issue #9 §4; the whole run: `./dev serbuan`, beban/serbuan.py).

    serbuan siapkan --rencana FILE [--penilai 20] [--sandi …]
        gives the bench pegawai (NIP 1901…) a known password (one hash, one UPDATE), resets the rush
        month of the chosen teams in one transaction and writes the plan locust reads.
    serbuan periksa --rencana FILE --jurnal FILE
        checks that every write the server acknowledged (the journal locust wrote) is stored
        exactly once; prints LULUS/GAGAL per check and exits 1 when one fails.
    serbuan biaya --rencana FILE [--contoh 5] [--locust-csv FILE --detik N]
        the CPU time each request type of the rush costs in the app (one process, Django's test
        client, no HTTP server), so that a missed latency target on a shared machine can be put
        against what the app itself needs; with a locust CSV, the CPU the run's mix needed.
        Run it after a rush, before the next `siapkan` (it submits and rates some of the plan's
        months itself).
"""

from __future__ import annotations

import csv
import json
import statistics
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from penilaian import serbuan
from penilaian.models import Evaluasi, RencanaAksi

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
        biaya = sub.add_parser("biaya", help="waktu CPU aplikasi per jenis permintaan serbuan")
        biaya.add_argument("--rencana", type=Path, required=True)
        biaya.add_argument("--contoh", type=int, default=5, help="pegawai dan penilai yang diukur (bawaan 5)")
        biaya.add_argument("--locust-csv", type=Path, help="locust_stats.csv sebuah putaran: CPU yang dibutuhkannya")
        biaya.add_argument("--detik", type=float, default=120, help="lama putaran itu (bawaan 120)")

    def handle(self, *args, langkah: str, **options) -> None:
        if langkah == "siapkan":
            self._siapkan(options["rencana"], options["penilai"], options["sandi"])
        elif langkah == "periksa":
            self._periksa(options["rencana"], options["jurnal"])
        else:
            self._biaya(options["rencana"], options["contoh"], options["locust_csv"], options["detik"])

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
            f"{n[serbuan.GALAT]} tak terjawab (galat, putus, atau pengguna dihentikan saat serbuan berakhir)."
        )
        for cek in hasil:
            self.stdout.write(f"{'LULUS' if cek.lulus else 'GAGAL'}  {cek.nama}: {cek.rincian}")
            for contoh in cek.contoh:
                self.stdout.write(f"        {contoh}")
        if not all(c.lulus for c in hasil):
            raise CommandError("Pemeriksaan tepat-sekali GAGAL.")

    def _biaya(self, path: Path, contoh: int, locust_csv: Path | None, detik: float) -> None:
        if not settings.SECRET_KEY:
            raise CommandError("SECRET_KEY kosong: jalankan dengan ALLOW_INSECURE_SECRET_KEY=1 atau SECRET_KEY=….")
        rencana = json.loads(path.read_text(encoding="utf-8"))
        ukuran: dict[str, list[tuple[float, float, int]]] = {}
        host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")

        def ukur(client: Client, nama: str, method: str, url: str, data: dict | None = None, harap: int = 200):
            with CaptureQueriesContext(connection) as ctx:
                cpu, wall = time.process_time(), time.perf_counter()
                r = getattr(client, method)(url, data or {})
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if r.status_code != harap:
                raise CommandError(f"{nama}: {url} menjawab {r.status_code}, harap {harap}.")
            ukuran.setdefault(nama, []).append((cpu * 1000, wall * 1000, len(ctx.captured_queries)))
            return r

        # One client for everybody (its cookies cleared per user): a new test client builds Django's
        # middleware chain on its first request (~20 ms), which a server process does once.
        klien = Client(HTTP_HOST=host)
        klien.get(reverse("login"))

        def masuk(nip: str) -> Client:
            c = klien
            c.cookies.clear()
            ukur(c, "masuk: halaman", "get", reverse("login"))
            ukur(c, "masuk: kirim", "post", reverse("login"), {"username": nip, "password": rencana["sandi"]}, 302)
            return c

        t, b = rencana["periode"]["tahun"], rencana["periode"]["bulan"]
        draf = Evaluasi.objects.filter(pk__in=rencana["evaluasi_draf"], status=Evaluasi.Status.DRAFT)
        for ev in draf.select_related("pegawai").order_by("-pk")[:contoh]:
            c = masuk(ev.pegawai.nip)
            ukur(c, "beranda", "get", "/")
            ukur(c, "bulan pegawai", "get", reverse("penilaian:bulanan_detail", args=[t, b]))
            for ra in RencanaAksi.objects.filter(evaluasi=ev).order_by("pk"):
                url = reverse("penilaian:rencana_aksi", args=[ra.pk])
                ukur(c, "rencana aksi", "get", url)
                ev.refresh_from_db(fields=["versi"])
                isi = {"versi": ev.versi, "realisasi_uraian": "Selesai (biaya)."}
                if ra.target is not None:
                    isi["realisasi"] = f"{ra.target:f}".replace(".", ",")
                ukur(c, "simpan realisasi", "post", url, isi, 302)
            url = reverse("penilaian:kirim_realisasi", args=[ev.pk])
            ukur(c, "kirim: halaman", "get", url)
            ev.refresh_from_db(fields=["versi"])
            ukur(c, "kirim realisasi", "post", url, {"versi": ev.versi}, 302)
            ukur(c, "keluar", "post", reverse("logout"), {}, 302)
        dikirim = Evaluasi.objects.filter(pk__in=rencana["evaluasi_dikirim"], status=Evaluasi.Status.DIKIRIM)
        for nip in rencana["penilai"][:contoh]:
            c = masuk(nip)
            ukur(c, "tim penilai", "get", reverse("penilaian:tim_bulan", args=[t, b]))
            ev = dikirim.filter(skp__penilai__nip=nip).first()
            if ev is not None:
                url = reverse("penilaian:nilai", args=[ev.pk])
                ukur(c, "penilaian: halaman", "get", url)
                isi = {"versi": ev.versi, "rating_hasil": "SESUAI", "rating_perilaku": "SESUAI"}
                ukur(c, "simpan penilaian", "post", url, isi, 302)
        c = masuk(rencana["admin_bkd"])
        for _ in range(contoh):
            ukur(c, "pemantauan", "get", reverse("penilaian:pemantauan_bulan", args=[t, b]))

        out = self.stdout.write
        out(f"Biaya per jenis permintaan (satu proses, klien uji Django, median dari {contoh} contoh):")
        out(f"{'Permintaan':<22} {'CPU ms':>7} {'waktu ms':>9} {'kueri':>6} {'n':>4}")
        cpu = {}
        for nama in sorted(ukuran):
            rows = ukuran[nama]
            cpu[nama] = statistics.median(r[0] for r in rows)
            kueri = sorted({r[2] for r in rows})
            kueri_teks = str(kueri[0]) if len(kueri) == 1 else f"{kueri[0]}–{kueri[-1]}"
            out(f"{nama:<22} {cpu[nama]:>7.1f} {statistics.median(r[1] for r in rows):>9.1f} {kueri_teks:>6} "
                f"{len(rows):>4}")  # fmt: skip
        if locust_csv:
            with locust_csv.open(newline="") as f:
                jumlah = {r["Name"]: int(r["Request Count"]) for r in csv.DictReader(f) if r["Name"] != "Aggregated"}
            total = sum(n * cpu.get(nama, 0) for nama, n in jumlah.items()) / 1000
            tanpa = [nama for nama in jumlah if nama not in cpu]
            out(
                f"Campuran permintaan {locust_csv}: {sum(jumlah.values())} permintaan dalam {detik:.0f} s memerlukan "
                f"±{total:.0f} detik-CPU di aplikasi (±{total / detik:.2f} inti), belum termasuk PostgreSQL dan "
                f"generator beban" + (f"; tanpa ukuran: {', '.join(tanpa)}" if tanpa else "") + "."
            )
