"""Applying an attendance file as a background job (issue #9 §1): the preview stays a page (a
parse), the apply is a job whose page ends with the counts or the Indonesian error; the month is
still replaced all at once (a failure halfway leaves the previous figures); a double submit makes
one job; a second file of the same month waits for the first; a job is its starter's only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from opd import pekerjaan as layanan
from opd.models import Pekerjaan, PeranPengguna
from penilaian.models import ImporPresensi, Presensi
from penilaian.services import presensi as services
from tests.conftest import add_role
from tests.test_tpp_presensi import csv, good, per  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _preview(client, per, data: bytes) -> str:  # noqa: F811
    response = client.post(
        reverse("penilaian:tpp_presensi_unggah"), {"periode": per.pk, "berkas": SimpleUploadedFile("p.csv", data)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def _figures() -> list[tuple]:
    return list(Presensi.objects.order_by("pegawai_id").values_list("pegawai_id", "hari_kerja", "tl1", "impor_id"))


def test_a_failure_halfway_keeps_the_previous_figures(client, world, per, monkeypatch):  # noqa: F811
    services.terapkan(per, good(world), "lama.csv", by=world.admin_bkd)
    before, imports_before = _figures(), ImporPresensi.objects.count()
    changed = csv(
        f"{world.pegawai.nip};22;0;0;0;0;0;0;0;0;0",
        f"{world.pegawai2.nip};22;0;0;0;0;0;0;0;0;0",
        f"{world.penilai.nip};22;0;0;0;0;0;0;0;0;0",
        f"{world.kepala.nip};22;0;0;0;0;0;0;0;0;0",
    )
    monkeypatch.setattr(services, "LAPOR_SETIAP", 1)
    asli = layanan.Pelapor.__call__

    def mati_di_tengah(self, persen: int, langkah: str) -> None:
        asli(self, persen, langkah)
        if langkah.startswith("Menulis presensi: 2 dari 4"):
            raise RuntimeError("worker mati di tengah jalan")

    monkeypatch.setattr(layanan.Pelapor, "__call__", mati_di_tengah)
    client.force_login(world.admin_bkd)
    preview = _preview(client, per, changed)
    response = client.post(preview + "terapkan/")
    job = Pekerjaan.objects.get()
    assert (job.status, job.pesan) == ("GAGAL", layanan.PESAN_UMUM)
    assert layanan.PESAN_UMUM in client.get(response["Location"]).text
    assert _figures() == before and ImporPresensi.objects.count() == imports_before

    monkeypatch.setattr(layanan.Pelapor, "__call__", asli)
    response = client.post(preview + "terapkan/")
    assert Pekerjaan.objects.latest("pk").status == "SELESAI"
    assert {hk for _, hk, _, _ in _figures()} == {22} and len(_figures()) == 4


def test_a_file_that_no_longer_validates_fails_with_its_error(client, world, per):  # noqa: F811
    client.force_login(world.admin_bkd)
    preview = _preview(client, per, good(world))
    world.pegawai2.delete()  # a NIP of the file is no longer known
    response = client.post(preview + "terapkan/", follow=True)
    job = Pekerjaan.objects.get()
    assert job.status == "GAGAL" and job.pesan.startswith("Impor presensi gagal diterapkan: 1 kesalahan")
    assert job.pesan in response.text and "Kembali ke pratinjau presensi" in response.text
    assert not Presensi.objects.exists() and not ImporPresensi.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_gives_one_job_and_a_second_file_waits(client, world, per, settings):  # noqa: F811
    settings.TASKS = DB_QUEUE
    client.force_login(world.admin_bkd)
    preview = _preview(client, per, good(world))
    first, second = client.post(preview + "terapkan/"), client.post(preview + "terapkan/")
    job = Pekerjaan.objects.get()
    assert job.status == "MENUNGGU" and first["Location"] == second["Location"]
    assert second["Location"] == reverse("opd:pekerjaan_detail", args=[job.pk])
    assert 'id="presensi-berjalan"' in client.get(preview).text
    # Another file of the same month, by another admin BKD: refused while the first waits.
    kedua = add_role(world.outsider, PeranPengguna.Peran.ADMIN_BKD)
    client.force_login(kedua)
    other = _preview(client, per, csv(f"{world.pegawai.nip};20;0;0;0;0;0;0;0;0;0"))
    response = client.post(other + "terapkan/", follow=True)
    assert "lain sedang diterapkan oleh Bambang Wicaksono" in response.text
    assert Pekerjaan.objects.count() == 1
    for name in ("opd:pekerjaan_detail", "opd:pekerjaan_status", "opd:pekerjaan_unduh"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    job.refresh_from_db()
    assert (job.status, job.persen) == ("SELESAI", 100) and Presensi.objects.count() == 3
    response = client.post(other + "terapkan/")
    assert Pekerjaan.objects.count() == 2 and Pekerjaan.objects.latest("pk").status == "MENUNGGU"


def test_the_command_still_applies_in_the_foreground(world, per, tmp_path):  # noqa: F811
    path = tmp_path / "presensi.csv"
    path.write_bytes(good(world))
    out = io.StringIO()
    call_command("impor_presensi", f"{per.tahun}-{per.bulan:02d}", str(path), stdout=out)
    assert "Diterapkan" in out.getvalue() and Presensi.objects.count() == 3 and not Pekerjaan.objects.exists()
