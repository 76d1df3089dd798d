"""The deadline-day rush on e-Kinerja (issue #9 §4), for locust (run by beban/serbuan.py).

Three kinds of users, with think time (1–5 s) between pages, as a browser: every form is read
from the page (hidden fields, the CSRF token, the form's own version number) and posted back
with what a person would type.

- Pegawai: log in through the login form, open Beranda and their month, write the realisasi of
  every rencana aksi, submit (Kirim realisasi), log out, and take the next account of the plan.
- Penilai: log in, open their team page, open a submitted evaluation and save a rating with
  umpan balik (or, when nothing waits, change a rating given earlier in the run).
- Admin BKD: Beranda and the regency monitoring page.

Every write is appended to the journal (SERBUAN_JURNAL, JSON lines): what was sent and whether
the server acknowledged it (a success message on its redirect), refused it with a message, or
failed (5xx, timeout, no connection: the client cannot know whether it was stored). After a
failure the user waits and starts the step again from the page (GET), as a person would.
Every request is also logged with its time (SERBUAN_PERMINTAAN, CSV), so that errors can be
placed against the PostgreSQL outage window.

No Django import here: locust runs in its own process (gevent) and only speaks HTTP.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import re
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from halaman import berhasil, formulir, pesan_dari  # beban/halaman.py (locust puts this folder on the path)
from locust import HttpUser, events, task

RENCANA = json.loads(Path(os.environ["SERBUAN_RENCANA"]).read_text(encoding="utf-8"))
TAHUN, BULAN = RENCANA["periode"]["tahun"], RENCANA["periode"]["bulan"]
SANDI = RENCANA["sandi"]
RUN = RENCANA["run"]
JEDA = (float(os.environ.get("SERBUAN_JEDA_MIN", "1")), float(os.environ.get("SERBUAN_JEDA_MAKS", "5")))
TIMEOUT = 40  # seconds; above gunicorn's worker timeout (30 s)
ULANG_MAKS = 8  # attempts of one step before the user gives up on it

_akun_pegawai = iter(RENCANA["pegawai"])
_urut_penilai = itertools.count()
# Both files stay open for the whole run (one line per write or request) and close on quitting.
_jurnal = open(  # noqa: SIM115
    os.environ["SERBUAN_JURNAL"], "a", encoding="utf-8"
)
_permintaan_file = open(  # noqa: SIM115
    os.environ["SERBUAN_PERMINTAAN"], "a", encoding="utf-8", newline=""
)
_permintaan = csv.writer(_permintaan_file)


@events.request.add_listener
def _catat_permintaan(name, response_time, exception, response=None, start_time=None, **kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    _permintaan.writerow([f"{start_time or time.time():.3f}", name, f"{response_time:.1f}", status,
                          "" if exception is None else str(exception)[:200]])  # fmt: skip


@events.quitting.add_listener
def _tutup(**kwargs) -> None:
    _jurnal.close()
    _permintaan_file.close()


def jurnal(**row) -> None:
    row.setdefault("t", time.time())
    _jurnal.write(json.dumps(row, ensure_ascii=False) + "\n")
    _jurnal.flush()


_nomor_tulis = itertools.count(1)


def tulis_mulai(**row) -> int:
    """A line before the POST leaves: a write whose answer never came (locust stopped the user,
    the connection dropped) is still in the journal, as unanswered ("belum")."""
    nomor = next(_nomor_tulis)
    jurnal(id=nomor, hasil="belum", **row)
    return nomor


class Gagal(Exception):
    """The server did not answer usably (5xx, timeout, no connection): retry the step later."""


# Users ------------------------------------------------------------------------------------------


class Pengguna(HttpUser):
    abstract = True
    nip = ""
    terakhir = ""  # the last page opened (its HTML): what is on the user's screen

    def jeda(self) -> None:
        time.sleep(random.uniform(*JEDA))

    def buka(self, url: str, nama: str, *, harap: int = 200, **kwargs):
        with self.client.get(url, name=nama, catch_response=True, timeout=TIMEOUT, **kwargs) as r:
            if r.status_code != harap:
                r.failure(f"status {r.status_code}, harap {harap}" + (f": {r.error!r}"[:160] if r.error else ""))
                raise Gagal(nama)
            self.terakhir = r.text
            return r

    def kirim(self, url: str, nama: str, data: dict, diakui: Callable) -> tuple:
        """POST without following the redirect (the caller opens it, as the browser does).
        `diakui(response)` tells an acknowledgement; anything else is a refusal (the server
        answered with a message) or, for 5xx and no answer, a failure. Returns (response, hasil)."""
        with self.client.post(
            url, data=data, name=nama, catch_response=True, allow_redirects=False, timeout=TIMEOUT
        ) as r:
            if r.status_code >= 500 or r.status_code == 0:
                r.failure(f"status {r.status_code}" + (f": {r.error!r}"[:160] if r.error else ""))
                return r, "galat"
            if diakui(r):
                return r, "ack"
            pesan = " ".join(t for _, t in pesan_dari(r))
            r.failure(f"ditolak (status {r.status_code}) {pesan}"[:200])
            return r, "ditolak"

    def ulangi(self, langkah, *args) -> bool:
        """Run a step; after a failure wait (the database may be restarting) and start it again."""
        for k in range(ULANG_MAKS):
            try:
                langkah(*args)
                return True
            except Gagal:
                time.sleep(min(2 + 2 * k, 10))
        return False

    def masuk(self) -> None:
        r = self.buka("/masuk/", "masuk: halaman")
        f = formulir(r.text, action="/masuk/")
        if f is None:
            raise Gagal("masuk: formulir")
        self.jeda()
        data = {**f["fields"], "username": self.nip, "password": SANDI}
        r, hasil = self.kirim("/masuk/", "masuk: kirim", data, lambda r: r.status_code == 302)
        if hasil != "ack":
            raise Gagal("masuk")
        self.buka(r.headers["Location"], "beranda")

    def keluar(self) -> None:
        """The Keluar button of the page on screen (every page's navbar has it)."""
        f = formulir(self.terakhir, action="/keluar/") or formulir(self.buka("/", "beranda").text, action="/keluar/")
        if f is None:
            raise Gagal("keluar: formulir")
        _, hasil = self.kirim("/keluar/", "keluar", f["fields"], lambda r: r.status_code == 302)
        if hasil != "ack":
            raise Gagal("keluar")
        self.client.cookies.clear()


class Pegawai(Pengguna):
    weight = 40

    def on_start(self) -> None:
        self.nip = ""
        self.selesai = False

    @task
    def hari_tenggat(self) -> None:
        if not self.nip:
            self.nip = next(_akun_pegawai, "")
            if not self.nip:  # every planned account has submitted: keep reading one's month
                self.nip = random.choice(RENCANA["pegawai"])
                self.selesai = True
            else:
                self.selesai = False
            if not self.ulangi(self.masuk):
                self.nip = ""
                return
        self.jeda()
        if self.selesai:
            self.ulangi(self.buka, f"/kinerja/bulanan/{TAHUN}/{BULAN}/", "bulan pegawai")
            return
        bulan = {}
        if not self.ulangi(self._bulan, bulan):
            return
        for ra in bulan["aksi"]:
            self.jeda()
            self.ulangi(self._realisasi, bulan["evaluasi"], ra)
        self.jeda()
        self.ulangi(self._kirim, bulan["evaluasi"])
        self.jeda()
        self.ulangi(self.keluar)
        self.nip = ""

    def _bulan(self, out: dict) -> None:
        r = self.buka(f"/kinerja/bulanan/{TAHUN}/{BULAN}/", "bulan pegawai")
        ev = re.search(r"/kinerja/evaluasi/(\d+)/kirim-realisasi/", r.text)
        aksi = sorted({int(x) for x in re.findall(r"/kinerja/rencana-aksi/(\d+)/\"", r.text)})
        if ev is None:
            raise Gagal("bulan pegawai: tanpa tombol kirim")
        out.update(evaluasi=int(ev.group(1)), aksi=aksi)

    def _realisasi(self, ev_id: int, ra_id: int) -> None:
        url = f"/kinerja/rencana-aksi/{ra_id}/"
        r = self.buka(url, "rencana aksi")
        f = formulir(r.text, id="realisasi-form")
        if f is None:
            raise Gagal("rencana aksi: formulir")
        self.jeda()
        data = dict(f["fields"])
        target = RENCANA["target"].get(str(ra_id))
        angka = None
        if "realisasi" in data and target is not None:
            angka = (Decimal(target) * Decimal(random.randint(80, 110)) / 100).quantize(Decimal("0.01"))
            data["realisasi"] = f"{angka:f}".replace(".", ",")  # Indonesian notation, as typed
        data["realisasi_uraian"] = f"Serbuan {RUN}: pekerjaan bulan ini selesai ({random.randint(1, 10**6)})."
        nilai = {"realisasi": None if angka is None else f"{angka:f}", "realisasi_uraian": data["realisasi_uraian"]}
        nomor = tulis_mulai(jenis="realisasi", evaluasi=ev_id, rencana_aksi=ra_id, nip=self.nip, nilai=nilai)
        r, hasil = self.kirim(url, "simpan realisasi", data, berhasil)
        jurnal(id=nomor, hasil=hasil, status=r.status_code)
        if hasil == "galat":
            raise Gagal("simpan realisasi")
        if hasil == "ack":
            self.buka(r.headers["Location"], "rencana aksi")

    def _kirim(self, ev_id: int) -> None:
        url = f"/kinerja/evaluasi/{ev_id}/kirim-realisasi/"
        with self.client.get(url, name="kirim: halaman", catch_response=True, allow_redirects=False) as r:
            if r.status_code == 302:  # already submitted (an unanswered earlier attempt went through)
                return
            if r.status_code != 200:
                r.failure(f"status {r.status_code}" + (f": {r.error!r}"[:160] if r.error else ""))
                raise Gagal("kirim: halaman")
            f = formulir(r.text, action="")
            if f is None or 'id="lengkap"' not in r.text:
                r.failure("realisasi belum lengkap")
                return
        self.jeda()
        nomor = tulis_mulai(jenis="kirim", evaluasi=ev_id, rencana_aksi=None, nip=self.nip, nilai={})
        r, hasil = self.kirim(url, "kirim realisasi", f["fields"], berhasil)
        jurnal(id=nomor, hasil=hasil, status=r.status_code)
        if hasil == "galat":
            raise Gagal("kirim realisasi")
        if hasil == "ack":
            self.buka(r.headers["Location"], "bulan pegawai")


class Penilai(Pengguna):
    weight = 8

    def on_start(self) -> None:
        self.nip = RENCANA["penilai"][next(_urut_penilai) % len(RENCANA["penilai"])]
        self.dinilai: list[int] = []
        self.masuk_ok = self.ulangi(self.masuk)

    @task
    def menilai(self) -> None:
        if not self.masuk_ok:
            self.masuk_ok = self.ulangi(self.masuk)
            return
        self.jeda()
        tim = {}
        if not self.ulangi(self._tim, tim):
            return
        pilihan = tim["perlu"] or (self.dinilai if random.random() < 0.3 else [])
        if not pilihan:
            return
        self.jeda()
        self.ulangi(self._nilai, random.choice(pilihan))

    def _tim(self, out: dict) -> None:
        r = self.buka(f"/kinerja/tim/{TAHUN}/{BULAN}/", "tim penilai")
        out["perlu"] = [int(x) for x in re.findall(r'btn-primary" href="/kinerja/evaluasi/(\d+)/nilai/"', r.text)]

    def _nilai(self, ev_id: int) -> None:
        url = f"/kinerja/evaluasi/{ev_id}/nilai/"
        r = self.buka(url, "penilaian: halaman")
        f = formulir(r.text, id="form-nilai")
        if f is None:
            raise Gagal("penilaian: formulir")
        self.jeda()
        data = dict(f["fields"])
        data["rating_hasil"] = random.choice(f["radios"].get("rating_hasil") or ["SESUAI"])
        data["rating_perilaku"] = random.choice(f["radios"].get("rating_perilaku") or ["SESUAI"])
        ub = {}
        for name in data:
            if name.startswith("ub_rhk_") or (name.startswith("ub_perilaku_") and random.random() < 0.3):
                data[name] = (
                    f"Serbuan {RUN}: {random.choice(['Baik', 'Pertahankan', 'Tingkatkan'])} ({random.randint(1, 999)})."
                )
            if name.startswith("ub_"):
                ub[name] = data[name]
        nilai = {"rating_hasil": data["rating_hasil"], "rating_perilaku": data["rating_perilaku"], "umpan_balik": ub}
        nomor = tulis_mulai(jenis="nilai", evaluasi=ev_id, rencana_aksi=None, nip=self.nip, nilai=nilai)
        r, hasil = self.kirim(url, "simpan penilaian", data, berhasil)
        jurnal(id=nomor, hasil=hasil, status=r.status_code)
        if hasil == "galat":
            raise Gagal("simpan penilaian")
        if hasil == "ack":
            if ev_id not in self.dinilai:
                self.dinilai.append(ev_id)
            self.buka(r.headers["Location"], "tim penilai")


class AdminBkd(Pengguna):
    weight = 2

    def on_start(self) -> None:
        self.nip = RENCANA["admin_bkd"]
        self.masuk_ok = self.ulangi(self.masuk)

    @task
    def memantau(self) -> None:
        if not self.masuk_ok:
            self.masuk_ok = self.ulangi(self.masuk)
            return
        self.jeda()
        self.ulangi(self.buka, f"/kinerja/pemantauan/{TAHUN}/{BULAN}/", "pemantauan")
        self.jeda()
        self.ulangi(self.buka, "/", "beranda")
