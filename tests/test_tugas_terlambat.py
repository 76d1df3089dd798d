"""The regency late list as a background job (issue #9 §1: 100,000 pegawai at province scale):
"Siapkan daftar terlambat" on the month page starts a job whose page ends with the download, the
same file as the direct download, under the same access (every OPD for the readers of all, their
own for an admin OPD or pimpinan); a double submit makes one job; a job is its starter's only; a
failure shows the Indonesian error and leaves no file."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from opd import pekerjaan as layanan
from opd.models import Opd, Pekerjaan, PeranPengguna
from penilaian.services import monitoring
from tests.penilaian_fixtures_monitoring import bulan_ini, keadaan

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def per(world):
    per = bulan_ini(realisasi=-1, penilaian=-1)
    keadaan(world, per)
    return per


def _siapkan(client, per):
    return client.post(reverse("penilaian:pemantauan_terlambat_siapkan", args=[per.tahun, per.bulan]))


def _rows(data: bytes) -> list[tuple]:
    """Every row but "Keadaan per" (the time the file was written)."""
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [r for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if i != 5]


@pytest.mark.parametrize(("role", "nama"), [("admin_bkd", "SEMUA-OPD"), ("admin_opd", "DINKESDALDUKKB")])
def test_the_job_gives_the_same_file_as_the_download(client, world, per, role, nama):
    client.force_login(getattr(world, role))
    html = client.get(reverse("penilaian:pemantauan_bulan", args=[per.tahun, per.bulan])).content.decode()
    assert 'id="siapkan-terlambat"' in html and "Siapkan daftar terlambat" in html
    response = _siapkan(client, per)
    job = Pekerjaan.objects.get()
    assert response["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    assert (job.status, job.persen, job.nama_berkas) == (
        "SELESAI",
        100,
        f"terlambat-{per.tahun}-{per.bulan:02d}-{nama}.xlsx",
    )
    opds = Opd.objects.count() if role == "admin_bkd" else 1
    assert job.pesan.endswith(f"pegawai belum selesai di {opds} OPD.")
    page = client.get(response["Location"]).content.decode()
    assert "pekerjaan-unduh" in page and f"Kembali ke pemantauan {per.nama}" in page
    download = client.get(reverse("opd:pekerjaan_unduh", args=[job.pk]))
    direct = client.get(reverse("penilaian:pemantauan_terlambat", args=[per.tahun, per.bulan]))
    assert _rows(b"".join(download.streaming_content)) == _rows(direct.content)
    assert [p.name for p in Path(layanan.folder()).rglob("*") if p.is_file()] == [Path(job.berkas).name]


def test_a_double_submit_gives_one_job_and_the_job_is_its_starters(client, world, per, settings):
    settings.TASKS = DB_QUEUE
    client.force_login(world.admin_bkd)
    first, second = _siapkan(client, per), _siapkan(client, per)
    job = Pekerjaan.objects.get()
    assert first["Location"] == second["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    for other in (world.auditor, world.admin_opd):
        client.force_login(other)
        for name in ("opd:pekerjaan_detail", "opd:pekerjaan_status", "opd:pekerjaan_unduh"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
    # The auditor's own job for the same month is a different job (each sees their own).
    client.force_login(world.auditor)
    _siapkan(client, per)
    assert Pekerjaan.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_starter_who_lost_the_right_gets_no_file(client, world, per, settings):
    """Access is checked again when the worker runs the job."""
    settings.TASKS = DB_QUEUE
    client.force_login(world.admin_opd)
    _siapkan(client, per)
    PeranPengguna.objects.filter(pegawai=world.admin_opd).delete()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    job = Pekerjaan.objects.get()
    assert (job.status, job.pesan) == ("GAGAL", "Anda tidak lagi berhak membaca pemantauan; daftar tidak disiapkan.")
    assert not [p for p in Path(layanan.folder()).rglob("*") if p.is_file()]


def test_a_failed_job_shows_the_error_and_leaves_no_file(client, world, per, monkeypatch):
    def rusak(*args, **kwargs):
        raise RuntimeError("basis data putus")

    monkeypatch.setattr(monitoring, "daftar_terlambat", rusak)
    client.force_login(world.admin_bkd)
    response = _siapkan(client, per)
    job = Pekerjaan.objects.get()
    assert (job.status, job.pesan) == ("GAGAL", layanan.PESAN_UMUM)
    assert layanan.PESAN_UMUM in client.get(response["Location"]).content.decode()
    assert client.get(reverse("opd:pekerjaan_unduh", args=[job.pk])).status_code == 404
    assert not [p for p in Path(layanan.folder()).rglob("*") if p.is_file()]
