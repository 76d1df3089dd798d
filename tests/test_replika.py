"""The read replica for the report pages, proven on a real PostgreSQL streaming replica
(ekinerja/replika.py, issue #9 §5).

Needs a replica of the primary's cluster and both URLs, e.g. (as root):

    ops/replika-lokal setup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ekinerja \\
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/ekinerja \\
        .venv/bin/pytest tests/test_replika.py -n 0

The test database is created on the primary and streams to the replica (the replica alias is a
TEST MIRROR of default: same database name, the replica's host and port). Tests commit (transaction
=True), or the replica would never see their rows. Without a replica the tests are skipped; under
CI=true they fail instead (.ci/run sets the replica up and runs this file)."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import time

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from ekinerja import replika
from ekinerja.replika import REPLIKA
from opd.models import Opd, Pekerjaan, PeranPengguna
from penilaian.models import TppBulan
from tests.conftest import add_role, make_pegawai
from tests.penilaian_fixtures_admin import periode_terkunci
from tests.test_ekspor_tpp_command import bulan  # noqa: F401  (fixture)

ADA = REPLIKA in settings.DATABASES
WAJIB = os.environ.get("CI") == "true"
ALASAN = (
    "Tidak ada replika baca: jalankan `ops/replika-lokal setup` (root) lalu set DATABASE_REPLICA_URL="
    "postgres://postgres@127.0.0.1:5433/<nama database DATABASE_URL>"
)

pytestmark = [
    pytest.mark.skipif(not ADA and not WAJIB, reason=ALASAN),
    pytest.mark.django_db(transaction=True, databases=["default", REPLIKA] if ADA else ["default"]),
]

BARU = "Dinas Nama Baru Setelah Jeda"


@pytest.fixture(autouse=True)
def replika_siap():
    if not ADA:
        pytest.fail(f"CI: replika wajib diuji. {ALASAN}", pytrace=False)
    kondisi = replika.periksa(paksa=True)
    if kondisi.status != "ok":
        pesan = f"Replika di {connections[REPLIKA].settings_dict['PORT']} tidak siap: {kondisi.status}. {ALASAN}"
        pytest.fail(pesan, pytrace=False) if WAJIB else pytest.skip(pesan)
    yield
    _sql_replika("SELECT pg_wal_replay_resume()")
    replika.periksa(paksa=True)


def _sql_replika(sql: str, params: list | None = None):
    with connections[REPLIKA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] if cursor.description else None


def _tunggu_replika() -> None:
    """Until the replica has replayed everything committed on the primary so far."""
    assert replika.boleh_dibaca(lsn=replika.lsn_primer(), tunggu=15), "replika tidak menyusul dalam 15 detik"


@contextlib.contextmanager
def _replay_dijeda():
    """The replica stops applying the primary's WAL (it keeps receiving it) until the block ends."""
    _tunggu_replika()
    _sql_replika("SELECT pg_wal_replay_pause()")
    for _ in range(100):
        if _sql_replika("SELECT pg_get_wal_replay_pause_state()") == "paused":
            break
        time.sleep(0.05)
    try:
        yield
    finally:
        _sql_replika("SELECT pg_wal_replay_resume()")
    _tunggu_replika()


def _masuk(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_replica_streams_the_test_database(world):
    assert connections[REPLIKA].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
    assert _sql_replika("SELECT pg_is_in_recovery()") is True
    Opd.objects.filter(pk=world.opd.pk).update(nama=BARU)
    _tunggu_replika()
    with replika.rute(REPLIKA):
        dari_replika = Opd.objects.get(pk=world.opd.pk)
    assert dari_replika._state.db == REPLIKA and dari_replika.nama == BARU
    health = Client().get("/healthz").json()
    assert (health["status"], health["replika"]) == ("ok", "ok") and 0 <= health["replika_lag_detik"] < 30


def test_reports_read_the_replica_other_pages_and_the_writer_the_primary(world):
    per = periode_terkunci()
    lama = world.opd.nama
    kurva = reverse("penilaian:kurva_bulan", args=[per.tahun, per.bulan])
    kurva_opd = reverse("penilaian:kurva_opd", args=[per.tahun, per.bulan, world.opd.pk])
    pembaca, admin = _masuk(world.auditor), _masuk(world.admin_bkd)
    with _replay_dijeda():
        # Somebody else's write, not yet replayed on the replica.
        Opd.objects.filter(pk=world.opd.pk).update(nama=BARU)
        html = pembaca.get(kurva).content.decode()
        assert lama in html and BARU not in html  # a report page: the replica's state
        detail = pembaca.get(reverse("opd:opd_detail", args=[world.opd.kode])).content.decode()
        assert BARU in detail  # any other page: the primary's

        # A user who exists only on the primary so far, with a role granted there: resolved (session,
        # user, roles) on the primary, then the page itself read from the replica.
        baru = add_role(make_pegawai("Pengawas Baru", None, opd=world.other_opd), PeranPengguna.Peran.AUDITOR)
        response = _masuk(baru).get(kurva)
        assert response.status_code == 200 and lama in response.content.decode()

        # The admin BKD's own write: from then on their report pages read the primary.
        response = admin.post(reverse("penilaian:kurva_capaian", args=[per.tahun, per.bulan, world.opd.pk]),
                              {"capaian": "KURANG"})  # fmt: skip
        assert response.status_code == 302 and response.url == kurva_opd
        assert response.cookies[replika.PIN_COOKIE].value
        html = admin.get(kurva_opd).content.decode()
        assert "Capaian kinerja organisasi: <strong>Kurang</strong>" in html and BARU in html
        assert BARU in admin.get(kurva).content.decode()
        # Nobody else is pinned.
        html = pembaca.get(kurva_opd).content.decode()
        assert "Capaian kinerja organisasi: <strong>Kurang</strong>" not in html and lama in html
    # Replayed: everybody reads the replica again, and it has the new state; the pin is dropped.
    response = admin.get(kurva)
    assert BARU in response.content.decode()
    assert response.cookies[replika.PIN_COOKIE].value == ""  # deleted (max-age 0)
    assert BARU in pembaca.get(kurva).content.decode()


def test_finalising_tpp_in_the_worker_then_the_tpp_page_shows_the_final_month(world, bulan, settings):  # noqa: F811
    """The finalisation is written by the worker, after the user's request: the job's page renews the
    user's pin, so the TPP page they go back to shows the final month even while the replica lags."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    admin, pembaca = _masuk(world.admin_bkd), _masuk(world.auditor)
    halaman = reverse("penilaian:tpp_bulan", args=[bulan.tahun, bulan.bulan])
    response = admin.post(reverse("penilaian:tpp_finalkan", args=[bulan.tahun, bulan.bulan]), {"konfirmasi": "on"})
    assert response.status_code == 302
    job_url = response.url
    with _replay_dijeda():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
        assert TppBulan.objects.get(periode=bulan).is_final
        assert "Angka sementara" in pembaca.get(halaman).content.decode()  # the replica, not yet final
        html = admin.get(job_url).content.decode()
        assert "difinalkan" in html
        html = admin.get(halaman).content.decode()
        assert "Difinalkan" in html and "Angka sementara" not in html
    assert "Difinalkan" in pembaca.get(halaman).content.decode()

    # The regency Excel file prepared in the worker reads the replica once it has the month.
    response = admin.post(reverse("penilaian:tpp_siapkan", args=[bulan.tahun, bulan.bulan]))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    job = Pekerjaan.objects.get(jenis="ekspor_tpp")
    assert job.status == "SELESAI" and job.nama_berkas == f"TPP-{bulan.tahun}-{bulan.bulan:02d}-FINAL.xlsx"


def test_background_reads_use_the_replica_only_once_it_has_caught_up(world):
    _tunggu_replika()
    assert replika.dari_replika(lambda: Opd.objects.get(pk=world.opd.pk))._state.db == REPLIKA
    with _replay_dijeda():
        Opd.objects.filter(pk=world.opd.pk).update(nama=BARU)
        started = time.monotonic()
        opd = replika.dari_replika(lambda: Opd.objects.get(pk=world.opd.pk))
        waited = time.monotonic() - started
    # The replica did not reach the position of the task's start within 2 s: the primary.
    assert (opd._state.db, opd.nama) == ("default", BARU)
    assert 1.9 < waited < 5


def _port_tertutup() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_replica_that_is_down_falls_back_to_the_primary_quickly(world):
    per = periode_terkunci()
    kurva = reverse("penilaian:kurva_bulan", args=[per.tahun, per.bulan])
    pembaca = _masuk(world.auditor)
    conf = connections[REPLIKA].settings_dict
    port = conf["PORT"]
    conf["PORT"] = str(_port_tertutup())
    connections[REPLIKA].close()
    try:
        Opd.objects.filter(pk=world.opd.pk).update(nama=BARU)
        started = time.monotonic()
        response = pembaca.get(kurva)
        assert time.monotonic() - started < 1.5  # a closed port: no wait for the 2 s connect timeout
        assert response.status_code == 200 and BARU in response.content.decode()
        assert replika.periksa().status == "tidak menjawab"
        # Remembered for this process: the next page does not even try to connect.
        assert pembaca.get(kurva).status_code == 200 and connections[REPLIKA].connection is None
        # /healthz tells, and stays 200: the primary serves everything meanwhile.
        health = pembaca.get("/healthz")
        assert health.status_code == 200
        assert (health.json()["status"], health.json()["replika"]) == ("ok", "tidak menjawab")
    finally:
        conf["PORT"] = port
        connections[REPLIKA].close()


def test_a_replica_failing_in_the_middle_of_a_page_reruns_it_on_the_primary(world):
    per = periode_terkunci()
    kurva = reverse("penilaian:kurva_bulan", args=[per.tahun, per.bulan])
    pembaca = _masuk(world.auditor)
    _tunggu_replika()
    pid = _sql_replika("SELECT pg_backend_pid()")
    conf = connections[REPLIKA].settings_dict
    dibunuh: list[str] = []

    def bunuh_sekali(execute, sql, params, many, context):
        # The replica's server process is killed just before the page's first query there.
        if not dibunuh:
            dibunuh.append(sql)
            lain = psycopg2.connect(host=conf["HOST"], port=conf["PORT"], user=conf["USER"], dbname=conf["NAME"])
            try:
                with lain.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                lain.close()
        return execute(sql, params, many, context)

    with connections[REPLIKA].execute_wrapper(bunuh_sekali):
        response = pembaca.get(kurva)
    assert dibunuh, "halaman tidak membaca replika"
    assert response.status_code == 200 and world.opd.nama in response.content.decode()
    assert replika.periksa().status == "tidak menjawab"  # remembered for a few seconds
    assert replika.periksa(paksa=True).status == "ok"  # and found again: the replica is fine


def test_a_server_that_is_not_in_recovery_is_not_read(world):
    """DATABASE_REPLICA_URL pointing at a writable server (a promoted replica, a wrong port) is not a
    replica: its data may diverge from the primary's, so nothing is read there."""
    per = periode_terkunci()
    conf = connections[REPLIKA].settings_dict
    port = conf["PORT"]
    conf["PORT"] = connections["default"].settings_dict["PORT"] or "5432"
    connections[REPLIKA].close()
    try:
        assert replika.periksa(paksa=True).status == "bukan replika"
        assert not replika.boleh_dibaca()
        response = _masuk(world.auditor).get(reverse("penilaian:kurva_bulan", args=[per.tahun, per.bulan]))
        assert response.status_code == 200 and world.opd.nama in response.content.decode()
    finally:
        conf["PORT"] = port
        connections[REPLIKA].close()


def test_totals_kept_on_the_replica_follow_its_replay(world):
    """The regency TPP and the monitoring of every OPD are kept until a table they read changes
    (ekinerja.jejak): on the replica too, the change marks and snapshots are the primary's as
    replayed. While replay is paused the kept totals are the replica's state; once the primary's
    write is replayed the next view computes anew and shows it, and the monitoring page works."""
    import re

    from penilaian.models import Presensi
    from penilaian.services import tpp_bulan
    from tests.penilaian_fixtures_tpp import bulan_tpp

    b = bulan_tpp(world)
    per = b.per
    halaman = reverse("penilaian:tpp_bulan", args=[per.tahun, per.bulan])
    pembaca = _masuk(world.auditor)

    def total() -> str:
        response = pembaca.get(halaman)
        assert response.status_code == 200
        return re.search(r'id="tpp-total">([^<]*)<', response.content.decode()).group(1)

    _tunggu_replika()
    lama = total()
    assert total() == lama
    with _replay_dijeda():
        Presensi.objects.filter(periode=per, pegawai=world.pegawai).update(tl4=2)
        assert total() == lama  # the replica has not replayed the write
        with replika.rute("default"):
            baru = tpp_bulan.ringkasan_bulan(per).jumlah
    assert total() != lama
    assert total() == f"Rp {baru:,}".replace(",", ".")
    response = pembaca.get(reverse("penilaian:pemantauan_bulan", args=[per.tahun, per.bulan]))
    assert response.status_code == 200 and world.opd.nama in response.content.decode()
