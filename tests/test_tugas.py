"""Background work (issue #9 §1, first use): the regency TPP Excel file is prepared by a task
(django-tasks) while the job's page shows the progress; the result is downloaded by its starter
only; a failed task shows its Indonesian error and leaves no half-written file; the same job runs
through the database queue and `manage.py db_worker`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from opd import pekerjaan as layanan
from opd.models import Pekerjaan
from penilaian.models import SkemaTpp
from tests.test_ekspor_tpp_command import ROLES, bulan  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _siapkan(client, bulan):  # noqa: F811
    return client.post(reverse("penilaian:tpp_siapkan", args=[bulan.tahun, bulan.bulan]))


def test_admin_bkd_prepares_the_regency_file_and_downloads_it(client, world, bulan):  # noqa: F811
    client.force_login(world.admin_bkd)
    response = _siapkan(client, bulan)
    job = Pekerjaan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    assert (job.status, job.persen, job.dibuat_oleh) == ("SELESAI", 100, world.admin_bkd)
    assert job.nama_berkas == f"TPP-{bulan.tahun}-{bulan.bulan:02d}-SEMENTARA.xlsx"
    html = client.get(response["Location"]).content.decode()
    assert "Selesai" in html and "Unduh" in html and "pegawai di" in html
    status = client.get(reverse("opd:pekerjaan_status", args=[job.pk])).json()
    assert status == {"status": "SELESAI", "label": "Selesai", "persen": 100, "langkah": "Selesai", "selesai": True}
    download = client.get(reverse("opd:pekerjaan_unduh", args=[job.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert f'filename="{job.nama_berkas}"' in download["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames[0] == "Rekap"
    # Only the result is left in the folder (no temporary file).
    assert [p.name for p in Path(layanan.folder()).rglob("*") if p.is_file()] == [Path(job.berkas).name]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_it(client, world, bulan, role):  # noqa: F811
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = _siapkan(client, bulan)
    expected = 302 if role in ("anonymous", "admin_bkd", "auditor") else 404
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login")) and not Pekerjaan.objects.exists()
    assert client.get(reverse("penilaian:tpp_siapkan", args=[bulan.tahun, bulan.bulan])).status_code in (302, 405)


def test_a_job_is_its_starters_only(client, world, bulan):  # noqa: F811
    client.force_login(world.admin_bkd)
    _siapkan(client, bulan)
    job = Pekerjaan.objects.get()
    for name in ("opd:pekerjaan_detail", "opd:pekerjaan_status", "opd:pekerjaan_unduh"):
        url = reverse(name, args=[job.pk])
        assert client.post(url).status_code == 405
        for other in (world.auditor, world.admin_opd, world.pegawai):
            client.force_login(other)
            assert client.get(url).status_code == 404, (name, other)
        client.logout()
        assert client.get(url).status_code == 302
        client.force_login(world.admin_bkd)
    assert client.get(reverse("opd:pekerjaan_detail", args=[2**63])).status_code == 404


def test_no_scheme_is_told_on_the_page_and_starts_nothing(client, world, bulan):  # noqa: F811
    SkemaTpp.objects.all().delete()
    client.force_login(world.admin_bkd)
    response = client.post(reverse("penilaian:tpp_siapkan", args=[bulan.tahun, bulan.bulan]), follow=True)
    assert "skema" in response.content.decode().lower() and not Pekerjaan.objects.exists()


@pytest.mark.parametrize(
    ("error", "message"),
    [(RuntimeError("disk penuh"), layanan.PESAN_UMUM), ("penilaian", "Skema TPP rusak untuk uji.")],
)
def test_a_failed_task_shows_its_error_and_leaves_no_file(client, world, bulan, monkeypatch, error, message):  # noqa: F811
    from penilaian.services import tpp_bulan
    from penilaian.services._common import PenilaianError

    exc = PenilaianError(message) if error == "penilaian" else error

    def rusak(*args, **kwargs):
        raise exc

    monkeypatch.setattr(tpp_bulan, "data_bulan", rusak)
    client.force_login(world.admin_bkd)
    response = _siapkan(client, bulan)
    job = Pekerjaan.objects.get()
    assert (job.status, job.pesan) == ("GAGAL", message)
    html = client.get(response["Location"]).content.decode()
    assert message in html and "pekerjaan-unduh" not in html
    assert client.get(reverse("opd:pekerjaan_unduh", args=[job.pk])).status_code == 404
    assert not [p for p in Path(layanan.folder()).rglob("*") if p.is_file()]


@pytest.mark.django_db(transaction=True)
def test_through_the_database_queue_and_the_worker(client, world, bulan, settings):  # noqa: F811
    """The production path: the job waits in the database until `manage.py db_worker` runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client.force_login(world.admin_bkd)
    response = _siapkan(client, bulan)
    job = Pekerjaan.objects.get()
    assert job.status == "MENUNGGU" and job.task_id
    health = client.get("/healthz").json()
    assert health["antrean_menunggu"] == 1 and health["antrean_tertua_detik"] >= 0
    html = client.get(response["Location"]).content.decode()
    assert "Menunggu giliran" in html and "pekerjaan.js" in html  # the page polls until it ends
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    job.refresh_from_db()
    assert (job.status, job.persen) == ("SELESAI", 100)
    assert client.get(reverse("opd:pekerjaan_unduh", args=[job.pk])).status_code == 200
    # /healthz reports the queue: nothing waiting now.
    health = client.get("/healthz").json()
    assert (health["status"], health["antrean_menunggu"], health["antrean_tertua_detik"]) == ("ok", 0, None)


def test_a_double_submit_gives_one_job(client, world, bulan, settings):  # noqa: F811
    """While the first job waits in the queue, a second press leads to it instead of a new job."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client.force_login(world.admin_bkd)
    first, second = _siapkan(client, bulan), _siapkan(client, bulan)
    job = Pekerjaan.objects.get()
    assert job.status == "MENUNGGU" and first["Location"] == second["Location"]
    client.force_login(world.auditor)  # another reader's press is their own job
    _siapkan(client, bulan)
    assert Pekerjaan.objects.count() == 2
