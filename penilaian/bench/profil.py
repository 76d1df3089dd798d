"""`bench --profil KODE`: one page profiled with pyinstrument (text report printed and saved),
and its heaviest query explained (`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL)."""

from __future__ import annotations

import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ekinerja import jejak
from penilaian.bench.data import DataBench
from penilaian.bench.halaman import Halaman, client_for, daftar
from penilaian.bench.laporan import koma

KODE = ("ringan", "b_pegawai", "b_penilai", "b_kepala", "b_admin_opd", "b_bkd", "b_auditor", "skp", "inbox", "tinjau",
        "tim", "nilai", "bulan", "pohon", "kurva", "pantau", "pantau_hitung", "tpp", "tpp_hitung", "tpp_opd")  # fmt: skip
ULANG = 5  # requests profiled together (a sampling profiler needs more than one short request)


def jalankan(data: DataBench, kode: str, out: OutputWrapper) -> Path:
    halaman = next((h for h in daftar(data) if h.kode == kode), None)
    if halaman is None:
        raise CommandError(f"--profil: kode {kode!r} tidak dikenal. Pilihan: {', '.join(KODE)}.")
    client = client_for(halaman.user)
    with jejak.paksa_hitung() if halaman.dihitung else nullcontext():
        return _profil(halaman, client, out)


def _profil(halaman: Halaman, client: Client, out: OutputWrapper) -> Path:
    from pyinstrument import Profiler

    if client.get(halaman.url).status_code != 200:  # warm-up
        raise CommandError(f"{halaman.judul}: {halaman.url} tidak menjawab 200.")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(ULANG):
        client.get(halaman.url)
    profiler.stop()
    teks = profiler.output_text(unicode=True, color=False)
    path = Path(tempfile.gettempdir()) / f"bench-profil-{halaman.kode}.txt"
    path.write_text(teks, encoding="utf-8")
    out.write(f"Profil pyinstrument {halaman.judul} ({halaman.url}), {ULANG} permintaan, disimpan di {path}:")
    out.write(teks)

    with CaptureQueriesContext(connection) as ctx:
        mulai = time.perf_counter()
        client.get(halaman.url)
        total = (time.perf_counter() - mulai) * 1000
    select = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    waktu_kueri = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    out.write(
        f"Satu permintaan: {koma(total)} ms, {len(ctx.captured_queries)} kueri ({koma(waktu_kueri)} ms di basis data)."
    )
    if not select:
        out.write("Tidak ada kueri SELECT.")
        return path
    terberat = max(select, key=lambda q: float(q["time"]))
    out.write(f"Kueri terberat ({koma(float(terberat['time']) * 1000)} ms):")
    out.write(terberat["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + terberat["sql"])
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + terberat["sql"])
        rencana = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
    out.write("EXPLAIN (ANALYZE, BUFFERS):" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN:")
    for line in rencana:
        out.write(line)
    return path
