"""Applying a staff import as a background job (issue #9 §1): the Terapkan button starts a job and
leads to its page; the job applies all or nothing (a failure halfway writes nothing and the import
can be applied again); a double submit makes one job; a job is its starter's only; progress written
from inside the apply's transaction is seen by others while it runs (PostgreSQL)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from opd import pekerjaan as layanan
from opd.imports import build_plan, save_upload
from opd.imports import terapkan as terapkan_mod
from opd.models import AuditLog, ImporPegawai, Pegawai, Pekerjaan, PeranPengguna
from tests.conftest import add_role
from tests.test_import_support import csv_bytes, db_counts, row, three_new

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(world) -> ImporPegawai:
    """Three new pegawai and one change to an existing one (golongan II/c → II/d)."""
    rows = [*three_new(), row(world.pegawai.nip, "Agus Setiawan", GOLONGAN="II/d")]
    data = csv_bytes(rows)
    plan = build_plan(data)
    assert plan.ok and len(plan.baru) == 3 and len(plan.berubah) == 1, [str(e) for e in plan.errors]
    return save_upload(data, "pegawai.csv", plan, by=world.admin_bkd)


def _terapkan(client, impor, **kwargs):
    return client.post(reverse("opd:impor_terapkan", args=[impor.pk]), **kwargs)


def test_terapkan_starts_a_job_whose_page_shows_the_counts(client, world):
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    response = _terapkan(client, impor)
    job = Pekerjaan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    assert (job.status, job.persen, job.parameter["impor"]) == ("SELESAI", 100, impor.pk)
    html = client.get(response["Location"]).content.decode()
    assert "Impor diterapkan: 3 pegawai baru, 1 diperbarui" in html and "Lihat hasil impor" in html
    world.pegawai.refresh_from_db()
    impor.refresh_from_db()
    assert world.pegawai.golongan == "II/d" and impor.status == "DITERAPKAN"
    assert AuditLog.objects.filter(aksi__in=["pegawai_diimpor", "pegawai_diubah_impor"]).count() == 4


def test_a_failure_halfway_writes_nothing_and_the_import_can_be_applied_again(client, world, monkeypatch):
    """The worker dies after two of the four pegawai are written: the transaction takes them back."""
    impor = _stored(world)
    monkeypatch.setattr(terapkan_mod, "LAPOR_SETIAP", 1)
    asli = layanan.Pelapor.__call__

    def mati_di_tengah(self, persen: int, langkah: str) -> None:
        asli(self, persen, langkah)
        if langkah.startswith("Menulis pegawai: 2 dari 4"):
            raise RuntimeError("worker mati di tengah jalan")

    monkeypatch.setattr(layanan.Pelapor, "__call__", mati_di_tengah)
    client.force_login(world.admin_bkd)
    before = (db_counts(), Pegawai.objects.get(pk=world.pegawai.pk).golongan)
    response = _terapkan(client, impor)
    job = Pekerjaan.objects.get()
    assert (job.status, job.pesan) == ("GAGAL", layanan.PESAN_UMUM)
    html = client.get(response["Location"]).content.decode()
    assert layanan.PESAN_UMUM in html and 'id="pekerjaan-galat"' in html
    assert (db_counts(), Pegawai.objects.get(pk=world.pegawai.pk).golongan) == before
    impor.refresh_from_db()
    assert impor.status == "PRATINJAU" and impor.applied_at is None
    assert not AuditLog.objects.filter(aksi="impor_pegawai_diterapkan").exists()

    monkeypatch.setattr(layanan.Pelapor, "__call__", asli)
    _terapkan(client, impor)
    assert Pekerjaan.objects.latest("pk").status == "SELESAI"
    assert Pegawai.objects.get(pk=world.pegawai.pk).golongan == "II/d"


def test_a_double_submit_gives_one_job(client, world, settings):
    """With the database queue the first job is still waiting when the second post arrives."""
    settings.TASKS = DB_QUEUE
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    first, second = _terapkan(client, impor), _terapkan(client, impor)
    job = Pekerjaan.objects.get()
    assert job.status == "MENUNGGU" and first["Location"] == second["Location"]
    assert second["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    html = client.get(reverse("opd:impor_pratinjau", args=[impor.pk])).content.decode()
    assert 'id="impor-berjalan"' in html and "Lihat kemajuannya" in html and 'id="btn-terapkan"' not in html


def test_another_admin_is_told_it_is_being_applied_and_cannot_see_the_job(client, world, settings):
    settings.TASKS = DB_QUEUE
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    _terapkan(client, impor)
    job = Pekerjaan.objects.get()
    kedua = add_role(world.outsider, PeranPengguna.Peran.ADMIN_BKD)
    client.force_login(kedua)
    response = _terapkan(client, impor, follow=True)
    assert response.redirect_chain[-1][0] == reverse("opd:impor_pratinjau", args=[impor.pk])
    assert "sedang diterapkan oleh Bambang Wicaksono" in response.content.decode()
    assert Pekerjaan.objects.count() == 1
    for name in ("opd:pekerjaan_detail", "opd:pekerjaan_status", "opd:pekerjaan_unduh"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_job_left_running_by_a_killed_worker_does_not_block_a_new_start(client, world, settings):
    settings.TASKS = DB_QUEUE
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    _terapkan(client, impor)
    old = Pekerjaan.objects.get()
    Pekerjaan.objects.filter(pk=old.pk).update(status="BERJALAN", dibuat_pada=old.dibuat_pada - layanan.UMUR_AKTIF)
    response = _terapkan(client, impor)
    new = Pekerjaan.objects.latest("pk")
    assert new.pk != old.pk and response["Location"] == reverse("opd:pekerjaan_detail", args=[new.pk])


@pytest.mark.django_db(transaction=True)
def test_through_the_database_queue_and_the_worker(client, world, settings):
    settings.TASKS = DB_QUEUE
    impor = _stored(world)
    client.force_login(world.admin_bkd)
    _terapkan(client, impor, data={"sandi_awal_nip": "on"})
    job = Pekerjaan.objects.get()
    assert job.status == "MENUNGGU" and Pegawai.objects.filter(nip__in=[r["NIP"] for r in three_new()]).count() == 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    job.refresh_from_db()
    impor.refresh_from_db()
    assert (job.status, job.persen, impor.status) == ("SELESAI", 100, "DITERAPKAN")
    assert all(p.check_password(p.nip) for p in Pegawai.objects.filter(nip__in=[r["NIP"] for r in three_new()]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer: progress shows at the commit")
def test_progress_inside_the_transaction_is_seen_by_other_connections(world):
    """The status page polls from another connection while the apply's transaction is open."""
    from django.db import DEFAULT_DB_ALIAS, connections

    job = Pekerjaan.objects.create(jenis="uji", judul="uji", dibuat_oleh=world.admin_bkd)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic(), layanan.pelapor(job.pk) as lapor:
            Pegawai.objects.filter(pk=world.pegawai.pk).update(golongan="IV/e")  # the apply's writes
            lapor(42, "Menulis pegawai: 500 dari 1000")
            with other.cursor() as cursor:
                cursor.execute("SELECT persen, langkah FROM opd_pekerjaan WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (42, "Menulis pegawai: 500 dari 1000")
                cursor.execute("SELECT golongan FROM opd_pegawai WHERE id = %s", [world.pegawai.pk])
                assert cursor.fetchone() != ("IV/e",)  # the apply's own writes stay invisible
            assert lapor._samping is not None
        assert lapor._samping is None
    finally:
        other.close()
