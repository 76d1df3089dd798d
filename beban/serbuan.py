"""The deadline-day rush (issue #9 §4), one command: `./dev serbuan [--restart] [options]`.

On PostgreSQL (DATABASE_URL, or `--klaster-sendiri`: a scratch Debian cluster "serbuan" on port
5434 that this script creates when missing, so restarting it disturbs no one else):
 1. migrate; the 7,000-pegawai bench data set (built once, then reused: BANGUN_DATA below);
 2. `manage.py serbuan siapkan`: a known password for the bench users, the rush month reset
    (in one transaction: every run starts alike), the plan for locust;
 3. gunicorn (DEBUG=0, 127.0.0.1 only) and one background worker (`manage.py db_worker`, restarted
    when it exits, as systemd's Restart=always does in production: it exits when PostgreSQL goes);
 4. locust headless in its own process, bounded in users and time, only to 127.0.0.1;
    with `--restart`: PostgreSQL stopped in the middle, started again a few seconds later, and
    /healthz polled all along to time the outage as the app saw it;
 5. everything stopped; the table per request type (locust's CSV), where the errors fall, and
    `manage.py serbuan periksa` (every acknowledged write stored exactly once); LULUS/GAGAL per
    check; exit status 1 when a check fails.

Standard library only (the app's venv runs it; locust is a separate process).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
KLASTER, PORT_KLASTER, VERSI_PG = "serbuan", 5434, "15"
TARGET_P95_MS = 500

# The data set, built once and reused while it matches (the bench command decides). One place,
# so that switching to another builder (`manage.py bench --pegawai N --bangun-saja`) is one line.
BANGUN_DATA = ["manage.py", "bench", "--pegawai", "{pegawai}", "--bangun-saja"]


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def die(text: str) -> None:
    print(f"GALAT: {text}", file=sys.stderr, flush=True)
    sys.exit(2)


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def beban() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# PostgreSQL ---------------------------------------------------------------------------------------


def klaster_sendiri() -> str:
    """The scratch cluster, created and started when missing; returns its DATABASE_URL."""
    daftar = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    ada = [line.split() for line in daftar.splitlines() if line.split()[:2] == [VERSI_PG, KLASTER]]
    if not ada:
        say(f"Membuat klaster PostgreSQL {VERSI_PG}/{KLASTER} di port {PORT_KLASTER}")
        # pg_stat_statements preloaded: the report then lists the run's heaviest statements.
        subprocess.run(
            ["pg_createcluster", VERSI_PG, KLASTER, "--port", str(PORT_KLASTER), "--start",
             "-o", "shared_preload_libraries=pg_stat_statements", "--", "--auth-local=trust", "--auth-host=trust"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    elif ada[0][3] != "online":
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", VERSI_PG, KLASTER, "start"], check=True)
    nama = "ek_serbuan"
    psql = ["runuser", "-u", "postgres", "--", "psql", "-p", str(PORT_KLASTER), "-tAq", "-d", "postgres", "-c"]
    if subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{nama}'"], capture_output=True,
                      text=True, check=True).stdout.strip() != "1":  # fmt: skip
        subprocess.run([*psql, f"CREATE DATABASE {nama}"], check=True)
        subprocess.run([*psql[:-3], "-d", nama, "-c", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"], check=True)
    return f"postgres://postgres@127.0.0.1:{PORT_KLASTER}/{nama}"


def perintah_restart(url: str) -> tuple[list[str], list[str]]:
    """Stop and start commands of the PostgreSQL serving `url`: SERBUAN_PG_STOP / SERBUAN_PG_START
    when set (any server: systemctl, pg_ctl, a container), else the local Debian cluster on its port."""
    stop, start = os.environ.get("SERBUAN_PG_STOP"), os.environ.get("SERBUAN_PG_START")
    if stop and start:
        return shlex.split(stop), shlex.split(start)
    port = str(urlparse(url).port or 5432)
    daftar = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    for versi, nama, p, *_ in (line.split() for line in daftar.splitlines()):
        if p == port:
            base = ["pg_ctlcluster", "--skip-systemctl-redirect", versi, nama]
            return [*base, "stop", "-m", "fast"], [*base, "start"]
    die(f"Tidak ada klaster Debian di port {port}: isi SERBUAN_PG_STOP dan SERBUAN_PG_START.")
    raise AssertionError


# Processes ----------------------------------------------------------------------------------------


def mulai(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child in its own process group, so that it and its children stop together."""
    with log.open("w") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def hentikan(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def sehat(base: str) -> int:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


class Penjaga(threading.Thread):
    """The background worker under a supervisor, as production runs it (systemd Restart=always):
    django-tasks-db's db_worker exits when the database drops under it, and is started again
    a second later. Counts the restarts, so the report says what happened."""

    def __init__(self, cmd: list[str], env: dict, log: Path) -> None:
        super().__init__(daemon=True)
        self.cmd, self.env, self.log = cmd, env, log
        self.berhenti, self.mulai_ulang, self.proc = threading.Event(), 0, None
        self.log.write_text("")

    def run(self) -> None:
        while not self.berhenti.is_set():
            with self.log.open("a") as out:
                self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                             start_new_session=True)  # fmt: skip
            self.proc.wait()
            if self.berhenti.wait(1):
                break
            self.mulai_ulang += 1

    def hentikan(self) -> None:
        self.berhenti.set()
        if self.proc is not None:
            hentikan(self.proc)
        self.join(timeout=25)


class Pemantau(threading.Thread):
    """/healthz twice a second for the whole run: the outage as the app saw it."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.berhenti, self.catatan = base, threading.Event(), []

    def run(self) -> None:
        while not self.berhenti.is_set():
            status = sehat(self.base)
            self.catatan.append((time.time(), status))  # when the answer came
            self.berhenti.wait(0.5)

    def jendela_503(self) -> tuple[float, float] | None:
        """First and last 503 (the database not answering; a timeout is an overloaded machine)."""
        mati = [t for t, s in self.catatan if s == 503]
        return (min(mati), max(mati)) if mati else None


# CPU accounting (Linux /proc): how much of the two cores each part used during the run -----------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        teks = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return teks[teks.rindex(")") + 2 :].split()  # after "pid (comm) "


def cpu_pohon(pid: int | None) -> float:
    """CPU seconds of a process and its live descendants, plus its reaped children."""
    if not pid:
        return 0.0
    anak: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (f := _stat(int(entry))):
            anak.setdefault(int(f[1]), []).append(int(entry))
    total, antre = 0.0, [pid]
    while antre:
        p = antre.pop()
        f = _stat(p)
        if f is None:
            continue
        total += (int(f[11]) + int(f[12]) + (int(f[13]) + int(f[14]) if p == pid else 0)) / TICK
        antre.extend(anak.get(p, []))
    return total


def cpu_mesin() -> float:
    """Busy CPU seconds of the whole machine (all cores) since boot."""
    nilai = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(nilai[:8]) - nilai[3] - nilai[4]) / TICK


def postmaster(url: str) -> int | None:
    """The pid of the local Debian cluster serving `url` (None elsewhere)."""
    port = str(urlparse(url).port or 5432)
    try:
        daftar = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
        for baris in daftar.splitlines():
            kolom = baris.split()
            if kolom[2] == port:
                return int((Path(kolom[5]) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError, subprocess.CalledProcessError):
        return None
    return None


# Report -------------------------------------------------------------------------------------------


def ms(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def tabel_locust(csv_path: Path, detik: float) -> tuple[list[dict], dict]:
    with csv_path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    baris = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\n{'Permintaan':<22} {'Jumlah':>7} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'maks ms':>8} "
          f"{'Galat':>6}")  # fmt: skip
    for r in [*sorted(baris, key=lambda r: r["Name"]), total]:
        nama = "SEMUA" if r is total else r["Name"]
        n = int(r["Request Count"])
        print(f"{nama:<22} {n:>7} {n / detik:>6.1f} {r['50%']:>7} {r['95%']:>7} {r['99%']:>7} "
              f"{ms(float(r['Max Response Time'])):>8} {r['Failure Count']:>6}")  # fmt: skip
    return baris, total


def galat_per_waktu(path: Path) -> list[tuple[float, float, str, str, str]]:
    """(start, end, name, status, error) of every failed request of the run."""
    hasil = []
    with path.open(newline="") as f:
        for t, nama, ms_, status, galat in csv.reader(f):
            if galat:
                hasil.append((float(t), float(t) + float(ms_) / 1000, nama, status, galat))
    return hasil


def _p(urut: list[float], q: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    return urut[max(0, math.ceil(q * len(urut)) - 1)] if urut else 0.0


def persentil_fase(path: Path, batas: float) -> dict:
    """p50/p95/p99 of the requests begun before and after `batas` (the last user's arrival)."""
    naik, penuh, jenis = [], [], {}
    with path.open(newline="") as f:
        for t, nama, ms_, _, _ in csv.reader(f):
            (naik if float(t) < batas else penuh).append(float(ms_))
            if float(t) >= batas:
                jenis.setdefault(nama, []).append(float(ms_))

    def teks(v: list[float]) -> str:
        v = sorted(v)
        return f"{len(v)} permintaan, p50 {ms(_p(v, 0.5))} ms, p95 {ms(_p(v, 0.95))} ms, p99 {ms(_p(v, 0.99))} ms"

    return {"naik": teks(naik), "penuh": teks(penuh), "p95": _p(sorted(penuh), 0.95),
            "per_jenis": [(n, teks(v)) for n, v in sorted(jenis.items())]}  # fmt: skip


def pisah_galat(galat: list[tuple], awal: float, akhir: float) -> tuple[list[tuple], list[tuple]]:
    """Failed requests (start, end, …) in flight at any moment of [awal, akhir], and the others."""
    di_dalam = [g for g in galat if g[0] <= akhir and g[1] >= awal]
    return di_dalam, [g for g in galat if g not in di_dalam]


def jam(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.UTC).strftime("%H:%M:%S.%f")[:-4] + " UTC"


# pg_stat_statements, when the database has it: the heaviest statements of the run -----------------

SQL_ADA = "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"
KUERI_PY = """
from django.db import connection
with connection.cursor() as c:
    c.execute("{ada}")
    if not c.fetchone():
        print("(pg_stat_statements tidak terpasang di basis data ini: lewati)")
    elif {reset}:
        c.execute("SELECT pg_stat_statements_reset()")
    else:
        c.execute(
            "SELECT calls, total_exec_time, mean_exec_time, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "ORDER BY total_exec_time DESC LIMIT 8"
        )
        print(f"{{'Panggilan':>9}} {{'total ms':>9}} {{'rata ms':>8}} {{'baris':>7}}  Kueri")
        for calls, total, mean, rows, q in c.fetchall():
            print(f"{{calls:>9}} {{total:>9.0f}} {{mean:>8.2f}} {{rows:>7}}  {{q}}")
"""


def kueri_teratas(env: dict, *, reset: bool) -> str:
    code = KUERI_PY.format(ada=SQL_ADA, reset=reset)
    r = subprocess.run(
        [PY, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return r.stdout if r.returncode == 0 else f"(pg_stat_statements tidak terbaca: {r.stderr.strip()[-200:]})"


class Tee:
    """The report on the terminal and in the run's folder (laporan.txt)."""

    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


# Main ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(prog="./dev serbuan", description="Serbuan tenggat: uji beban dengan locust.")
    ap.add_argument("--restart", action="store_true", help="mulai ulang PostgreSQL di tengah serbuan")
    ap.add_argument("--pengguna", type=int, default=50, help="pengguna serentak (bawaan 50)")
    ap.add_argument("--durasi", type=int, default=120, help="lama serbuan dalam detik (bawaan 120)")
    ap.add_argument("--laju", type=float, default=0, help="pengguna baru per detik (bawaan: pengguna/10)")
    ap.add_argument("--pegawai", type=int, default=7000, help="ukuran data bench (bawaan 7000)")
    ap.add_argument("--penilai", type=int, default=20, help="tim penilai yang dipakai (bawaan 20)")
    ap.add_argument("--port", type=int, default=8790, help="port gunicorn di 127.0.0.1 (bawaan 8790)")
    ap.add_argument("--workers", type=int, default=2, help="proses gunicorn (bawaan 2: satu per CPU)")
    ap.add_argument("--threads", type=int, default=4, help="thread per proses gunicorn (bawaan 4)")
    ap.add_argument(
        "--restart-pada", type=float, default=0, help="detik ke- saat PostgreSQL dihentikan (bawaan: tengah)"
    )
    ap.add_argument("--mati", type=float, default=5, help="detik PostgreSQL dibiarkan mati (bawaan 5)")
    ap.add_argument(
        "--klaster-sendiri",
        action="store_true",
        help=f"pakai/buat klaster PostgreSQL {KLASTER} di port {PORT_KLASTER} (bukan DATABASE_URL)",
    )
    ap.add_argument("--keluaran", type=Path, default=None, help="folder hasil (bawaan /tmp/serbuan-<waktu>)")
    a = ap.parse_args()  # fmt: skip

    env = dict(os.environ)
    if a.klaster_sendiri:
        env["DATABASE_URL"] = klaster_sendiri()
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        die("Serbuan memerlukan PostgreSQL: isi DATABASE_URL=postgres://… atau pakai --klaster-sendiri.")
    host = urlparse(url).hostname
    if a.restart and host not in ("127.0.0.1", "localhost", "::1", None) and not os.environ.get("SERBUAN_PG_STOP"):
        die("--restart untuk PostgreSQL di mesin lain: isi SERBUAN_PG_STOP dan SERBUAN_PG_START.")
    stop_cmd, start_cmd = perintah_restart(url) if a.restart else ([], [])
    out = a.keluaran or Path(f"/tmp/serbuan-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    out.mkdir(parents=True, exist_ok=True)
    sys.stdout = Tee(sys.__stdout__, (out / "laporan.txt").open("w", encoding="utf-8"))
    static = out / "static"
    env.update(DEBUG="0", ALLOW_INSECURE_SECRET_KEY="1", STATIC_ROOT=str(static), LOG_LEVEL="ERROR")
    base = f"http://127.0.0.1:{a.port}"
    say(f"Basis data: {urlparse(url).hostname}:{urlparse(url).port}/{urlparse(url).path.lstrip('/')}; hasil: {out}")

    run([PY, "manage.py", "migrate", "--no-input", "-v0"], env)
    run([PY, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    say(f"Data bench {a.pegawai} pegawai (dibangun sekali, lalu dipakai ulang)")
    run([PY, *(x.format(pegawai=a.pegawai) for x in BANGUN_DATA)], env, stdout=(out / "data.log").open("w"))
    rencana = out / "rencana.json"
    siap = run([PY, "manage.py", "serbuan", "siapkan", "--rencana", str(rencana), "--penilai", str(a.penilai)], env,
               capture_output=True, text=True)  # fmt: skip
    print(siap.stdout, end="")

    # 2 CPUs: two processes (one per core, as TOOLING.md measured: more processes only contend),
    # each with 4 threads so that a request waiting on PostgreSQL or on the password hash
    # (hashlib releases the GIL) does not hold up the others behind it. Keep-alive 75 s, as the
    # proxy in front of production holds its clients (nginx's default): gunicorn's own 2 s would
    # close idle connections in the middle of the users' think time, and a request sent at that
    # instant is reset (browsers hide that race by retrying; a load test would count it).
    gunicorn = mulai(
        [str(BIN / "gunicorn"), "ekinerja.wsgi", "-b", f"127.0.0.1:{a.port}", "--workers", str(a.workers),
         "--threads", str(a.threads), "--worker-class", "gthread", "--timeout", "30", "--keep-alive", "75"],
        env, out / "gunicorn.log",
    )  # fmt: skip
    worker = Penjaga([PY, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"], env, out / "worker.log")
    worker.start()
    locust = None
    try:
        for _ in range(60):
            if sehat(base) == 200:
                break
            time.sleep(0.5)
        else:
            die(f"gunicorn tidak menjawab /healthz (lihat {out / 'gunicorn.log'}).")
        pid_awal = gunicorn.pid
        laju = a.laju or max(1.0, a.pengguna / 10)
        # The users arrive over `naik` seconds; then all of them work together for --durasi seconds.
        naik = math.ceil(a.pengguna / laju)
        say(f"Sebelum serbuan: {beban()}")
        say(
            f"Locust: {a.pengguna} pengguna datang dalam {naik} s ({laju:g}/detik), lalu {a.durasi} s bersama, ke {base}"
        )
        jurnal, permintaan = out / "jurnal.jsonl", out / "permintaan.csv"
        for f in (jurnal, permintaan):
            f.write_text("")
        env_locust = {**env, "SERBUAN_RENCANA": str(rencana), "SERBUAN_JURNAL": str(jurnal),
                      "SERBUAN_PERMINTAAN": str(permintaan)}  # fmt: skip
        kueri_teratas(env, reset=True)
        pemantau = Pemantau(base)
        pemantau.start()
        pg_pid = postmaster(url)
        cpu_awal = (cpu_pohon(gunicorn.pid), cpu_pohon(pg_pid), cpu_mesin())
        anak = os.times()
        cpu_anak_awal = anak.children_user + anak.children_system
        t0 = time.time()
        locust = mulai(
            [str(BIN / "locust"), "-f", str(ROOT / "beban" / "locustfile.py"), "--headless", "-u", str(a.pengguna),
             "-r", f"{laju:g}", "-t", f"{naik + a.durasi}s", "--host", base, "--csv", str(out / "locust"),
             "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING"],
            env_locust, out / "locust.log",
        )  # fmt: skip
        waktu_restart = {}
        if a.restart:
            time.sleep(max(0.0, (a.restart_pada or naik + a.durasi / 2) - (time.time() - t0)))
            say(f"PostgreSQL dihentikan: {shlex.join(stop_cmd)}")
            waktu_restart["stop"] = time.time()
            subprocess.run(stop_cmd, check=True)
            waktu_restart["mati"] = time.time()
            time.sleep(a.mati)
            say(f"PostgreSQL dijalankan lagi: {shlex.join(start_cmd)}")
            waktu_restart["start"] = time.time()
            subprocess.run(start_cmd, check=True)
            waktu_restart["hidup"] = time.time()
        locust.wait(timeout=a.durasi + 120)
        t1 = time.time()
        anak = os.times()  # locust is reaped by the wait: its CPU is in our children's times
        cpu_locust = anak.children_user + anak.children_system - cpu_anak_awal
        cpu_akhir = (cpu_pohon(gunicorn.pid), cpu_pohon(pg_pid) if postmaster(url) == pg_pid else None, cpu_mesin())
        pemantau.berhenti.set()
        pemantau.join()
        gunicorn_hidup = gunicorn.poll() is None and gunicorn.pid == pid_awal
        worker_hidup = worker.proc is not None and worker.proc.poll() is None
        sehat_akhir = sehat(base)
    finally:
        worker.hentikan()
        for proc in (locust, gunicorn):
            if proc is not None:
                hentikan(proc)
    say(f"Sesudah serbuan: {beban()}")

    # Report ----------------------------------------------------------------------------------------
    if not (out / "locust_stats.csv").exists():
        die(f"locust tidak menghasilkan statistik (lihat {out / 'locust.log'}).")
    putusan: list[tuple[str, bool, str]] = []
    print(f"\nSerbuan {json.loads(rencana.read_text())['run']}: {a.pengguna} pengguna, {t1 - t0:.0f} s; "
          f"gunicorn {a.workers}×{a.threads} gthread; PostgreSQL {'dimulai ulang' if a.restart else 'tetap'}.")  # fmt: skip
    _, total = tabel_locust(out / "locust_stats.csv", t1 - t0)
    n_permintaan = int(total["Request Count"]) or 1
    cpu_g = cpu_akhir[0] - cpu_awal[0]
    cpu_pg = None if cpu_akhir[1] is None or pg_pid is None else cpu_akhir[1] - cpu_awal[1]
    cpu_m = cpu_akhir[2] - cpu_awal[2]
    print(f"\nCPU selama serbuan ({t1 - t0:.0f} s × {os.cpu_count()} inti = {(t1 - t0) * (os.cpu_count() or 1):.0f} "
          f"detik-CPU tersedia): mesin sibuk {cpu_m:.0f} s; gunicorn {cpu_g:.0f} s "
          f"({cpu_g / n_permintaan * 1000:.0f} ms per permintaan)"
          + (f"; PostgreSQL {cpu_pg:.0f} s ({cpu_pg / n_permintaan * 1000:.0f} ms per permintaan)" if cpu_pg else "")
          + f"; locust {cpu_locust:.0f} s; proses lain di mesin {cpu_m - cpu_g - (cpu_pg or 0) - cpu_locust:.0f} s.")  # fmt: skip
    galat = galat_per_waktu(permintaan)
    # The target is for the users working together: the requests begun after the last one arrived.
    # (The arrival itself is printed too: every arriving user logs in at once.)
    with permintaan.open(newline="") as f:
        mulai_req = min((float(r[0]) for r in csv.reader(f)), default=t0)
    fase = persentil_fase(permintaan, mulai_req + naik)
    print(f"\nKedatangan (detik 0–{naik}): {fase['naik']}.")
    print(f"Semua {a.pengguna} pengguna aktif (detik {naik} sampai akhir): {fase['penuh']}.")
    for nama, teks in fase["per_jenis"]:
        print(f"   {nama:<22} {teks}")
    # With the restart the issue asks only that nothing acknowledged is lost: the p95 then holds the
    # requests that waited out the outage, and is printed as information (CATAT), not judged.
    putusan.append((f"p95 dengan {a.pengguna} pengguna aktif < {TARGET_P95_MS} ms",
                    None if a.restart else fase["p95"] < TARGET_P95_MS,
                    f"{ms(fase['p95'])} ms (seluruh putaran termasuk kedatangan: {ms(float(total['95%']))} ms)"))  # fmt: skip
    if a.restart:
        jendela = pemantau.jendela_503()
        print(f"\nPostgreSQL: stop {jam(waktu_restart['stop'])} (mati {jam(waktu_restart['mati'])}), "
              f"start {jam(waktu_restart['start'])} (siap {jam(waktu_restart['hidup'])}).")  # fmt: skip
        if jendela:
            print(f"/healthz 503 dari {jam(jendela[0])} sampai {jam(jendela[1])} ({jendela[1] - jendela[0]:.1f} s); "
                  "sesudahnya 200 lagi tanpa memulai ulang gunicorn.")  # fmt: skip
        # The outage: from the stop command to the first healthy answer after the start (+1 s for a
        # thread whose connection has not been used since). A failed request belongs to it when it
        # was in flight at any moment of it (under load a request may have started seconds before).
        awal = waktu_restart["stop"]
        pulih = next((t for t, s in pemantau.catatan if t > waktu_restart["start"] and s == 200), t1)
        akhir = pulih + 1
        di_dalam, di_luar = pisah_galat(galat, awal, akhir)
        print(f"Jendela gangguan: {jam(awal)} – {jam(akhir)} ({akhir - awal:.1f} s). Permintaan gagal yang sedang "
              f"berjalan di dalamnya: {len(di_dalam)}; di luarnya: {len(di_luar)}.")  # fmt: skip
        for mulai_, selesai, nama, status, teks in di_luar[:10]:
            print(f"   di luar: {jam(mulai_)}–{jam(selesai)} {nama} status {status}: {teks[:120]}")
        if galat:
            print(f"Galat pertama dijawab {jam(min(g[1] for g in galat))}, terakhir {jam(max(g[1] for g in galat))}.")
        putusan.append(("Galat hanya di jendela gangguan PostgreSQL", not di_luar,
                        f"{len(di_dalam)} di dalam, {len(di_luar)} di luar"))  # fmt: skip
        putusan.append(("Pulih tanpa memulai ulang gunicorn", gunicorn_hidup and sehat_akhir == 200,
                        f"proses yang sama: {'ya' if gunicorn_hidup else 'tidak'}; /healthz akhir {sehat_akhir}; "
                        f"/healthz 200 lagi {pulih - waktu_restart['start']:.1f} s sesudah perintah start"))  # fmt: skip
    else:
        for mulai_, _, nama, status, teks in galat[:10]:
            print(f"   galat: {jam(mulai_)} {nama} status {status}: {teks[:120]}")
        putusan.append(("Tanpa galat", not galat, f"{len(galat)} galat dari {total['Request Count']} permintaan"))
        putusan.append(("gunicorn tetap hidup", gunicorn_hidup and sehat_akhir == 200, f"/healthz akhir {sehat_akhir}"))
    putusan.append(("Worker latar belakang berjalan di akhir", worker_hidup,
                    "tanpa dimulai ulang" if not worker.mulai_ulang else
                    f"keluar {worker.mulai_ulang}× (lihat worker.log) dan dijalankan lagi oleh penjaganya, "
                    "seperti systemd Restart=always di produksi"))  # fmt: skip

    pengecualian = out / "locust_exceptions.csv"
    with pengecualian.open(newline="") as f:
        salah_skrip = [(r["Count"], r["Message"]) for r in csv.DictReader(f)]
    for n, pesan in salah_skrip:
        print(f"   pengecualian di locustfile ({n}×): {pesan[:150]}")
    putusan.append(("Skrip pengguna tanpa pengecualian", not salah_skrip, f"{len(salah_skrip)} jenis"))

    print("\nKueri terberat selama serbuan (pg_stat_statements, total waktu eksekusi):")
    print(kueri_teratas(env, reset=False), end="")

    print("\nPemeriksaan basis data (manage.py serbuan periksa):", flush=True)
    periksa = subprocess.run([PY, "manage.py", "serbuan", "periksa", "--rencana", str(rencana),
                              "--jurnal", str(jurnal)], cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    print(periksa.stdout + periksa.stderr, end="")
    putusan.append(("Setiap tulis yang diakui tersimpan tepat sekali", periksa.returncode == 0, "lihat di atas"))

    print("\nPutusan:")
    for nama, lulus, rincian in putusan:
        print(f"  {'CATAT' if lulus is None else 'LULUS' if lulus else 'GAGAL'}  {nama}: {rincian}")
    print(f"(Berkas: {out}: laporan.txt, locust_stats.csv, permintaan.csv, jurnal.jsonl, rencana.json, gunicorn.log)")
    return 0 if all(lulus is not False for _, lulus, _ in putusan) else 1


if __name__ == "__main__":
    sys.exit(main())
