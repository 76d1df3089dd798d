"""Measure the read replica under gunicorn (README: Replika baca): which database each page reads,
the report pages' times with the replica up, stopped and started again (gunicorn kept running),
and what /healthz says meanwhile. Needs root (it stops and starts the local replica), the demo data
(`manage.py demo`) and a replica from ops/replika-lokal:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ekinerja \\
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/ekinerja \\
        .venv/bin/python ops/replika_ukur.py

Rows read per database come from pg_stat_database.tup_returned on each server; PostgreSQL 15
flushes a backend's counters when it has been idle for up to 10 s, hence the pauses."""

from __future__ import annotations

import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("UKUR_PORT", "8761"))
BASE = f"http://127.0.0.1:{PORT}"
ADMIN_BKD = "197009031990011223"  # the demo's admin BKD (README), password demo12345
HALAMAN = {
    "kurva (laporan)": "/kinerja/kurva/",
    "pemantauan (laporan)": "/kinerja/pemantauan/",
    "TPP kabupaten (laporan)": "/kinerja/tpp/",
    "pohon Dinkes (laporan)": "/skp/pohon/?opd=DINKESDALDUKKB",
    "Beranda (bukan laporan)": "/",
}


def _url_db(url: str) -> tuple[str, str]:
    p = urllib.parse.urlparse(url)
    return str(p.port or 5432), p.path.lstrip("/")


def baris_dibaca(url: str) -> int:
    port, name = _url_db(url)
    sql = f"SELECT tup_returned FROM pg_stat_database WHERE datname = '{name}'"
    out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-h", "127.0.0.1", "-p", port, "-tAXc", sql],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return int(out.stdout)


def masuk() -> urllib.request.OpenerDirector:
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = op.open(BASE + "/masuk/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "username": ADMIN_BKD, "password": "demo12345"})
    op.open(urllib.request.Request(BASE + "/masuk/", data=data.encode(), headers={"Referer": BASE + "/masuk/"}))
    return op


def waktu(op: urllib.request.OpenerDirector, path: str, n: int = 15) -> tuple[float, float, int]:
    xs, status = [], 0
    for _ in range(n):
        started = time.perf_counter()
        with op.open(BASE + path) as r:
            r.read()
            status = r.status
        xs.append((time.perf_counter() - started) * 1000)
    return statistics.median(xs), max(xs), status


def putaran(op: urllib.request.OpenerDirector, judul: str) -> None:
    print(f"\n--- {judul}\n/healthz: {op.open(BASE + '/healthz').read().decode()}")
    for nama, path in HALAMAN.items():
        med, maks, status = waktu(op, path)
        print(f"{nama:26s} {status}  median {med:6.1f} ms  maks {maks:6.1f} ms")


def main() -> int:
    primer, replika = os.environ["DATABASE_URL"], os.environ["DATABASE_REPLICA_URL"]
    env = {**os.environ, "DEBUG": "0", "ALLOW_INSECURE_SECRET_KEY": "1", "STATIC_ROOT": tempfile.mkdtemp()}
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "ekinerja.wsgi", "-w", "2", "-b",
                               f"127.0.0.1:{PORT}", "--timeout", "30"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(80):
            try:
                urllib.request.urlopen(BASE + "/healthz").read()
                break
            except OSError:
                time.sleep(0.25)
        op = masuk()
        # Resolve the redirects of the overview pages to this month's page once.
        for nama, path in HALAMAN.items():
            HALAMAN[nama] = urllib.parse.urlparse(op.open(BASE + path).geturl()).path + (
                "?" + path.split("?", 1)[1] if "?" in path else ""
            )
        time.sleep(11)
        print("Baris dibaca per database (5 permintaan per halaman, pg_stat_database.tup_returned):")
        for nama, path in HALAMAN.items():
            p0, r0 = baris_dibaca(primer), baris_dibaca(replika)
            for _ in range(5):
                op.open(BASE + path).read()
            time.sleep(11)
            print(f"{nama:26s} primer +{baris_dibaca(primer) - p0:>7d}  replika +{baris_dibaca(replika) - r0:>7d}")
        putaran(op, "replika berjalan")
        subprocess.run([str(ROOT / "ops" / "replika-lokal"), "stop"], check=True, capture_output=True)
        putaran(op, "replika dihentikan (ops/replika-lokal stop), gunicorn tetap berjalan")
        subprocess.run([str(ROOT / "ops" / "replika-lokal"), "start"], check=True, capture_output=True)
        time.sleep(6)  # past the remembered state (ekinerja.replika.INGAT_DETIK)
        putaran(op, "replika dinyalakan lagi (ops/replika-lokal start), gunicorn tidak di-restart")
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
