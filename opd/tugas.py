"""Background tasks of the opd app (django-tasks; run by `manage.py db_worker`).

Applying a staff import (SPEC §8) at province scale writes up to 100,000 pegawai: seconds to
minutes, too long for a web request. The page starts a job (`mulai_terapkan_impor`), the worker
applies it in one transaction (opd.imports.terapkan_impor: all or nothing, so a worker killed
halfway leaves nothing half-written and the import still waiting to be applied), reporting every
few hundred pegawai; the job's page ends with the counts and a link to the import's result page,
or with the Indonesian error. `manage.py impor_pegawai` still applies in the foreground."""

from __future__ import annotations

import logging

from django.urls import reverse
from django_tasks import task

from opd import imports
from opd import pekerjaan as job
from opd.models import ImporPegawai, Pegawai, Pekerjaan

logger = logging.getLogger(__name__)

JENIS_IMPOR = "impor_pegawai"


class SedangDiterapkan(Exception):
    """Somebody else's job is applying this import right now."""


def kunci_impor(impor: ImporPegawai) -> str:
    return f"impor:{impor.pk}"


def mulai_terapkan_impor(impor: ImporPegawai, *, by: Pegawai, sandi_awal_nip: bool) -> Pekerjaan:
    """Start applying `impor` in the background and return the job (the starter's running one when
    the button is pressed twice). Refused with SudahDiterapkan when it was applied, SedangDiterapkan
    while another admin's job applies it. The import's row is read with SKIP LOCKED: a worker
    applying it holds its lock until the commit, and a page must not wait minutes for that."""

    def cek() -> None:
        row = ImporPegawai.objects.select_for_update(skip_locked=True).filter(pk=impor.pk).first()
        lain = job.aktif(JENIS_IMPOR, kunci_impor(impor))
        if row is None or lain is not None:
            oleh = f" oleh {lain.dibuat_oleh.nama_lengkap}" if lain is not None else ""
            raise SedangDiterapkan(f"Impor ini sedang diterapkan{oleh}; tunggu sampai selesai.")
        if row.status == ImporPegawai.Status.DITERAPKAN:
            raise imports.SudahDiterapkan(imports.SUDAH_DITERAPKAN)

    kembali = reverse("opd:impor_pratinjau", args=[impor.pk])
    return job.jalankan(
        terapkan_impor_pegawai, impor.pk, by.pk, bool(sandi_awal_nip), jenis=JENIS_IMPOR,
        judul=f"Terapkan impor pegawai {impor.original_name}", by=by, kunci=kunci_impor(impor), cek=cek,
        parameter={"impor": impor.pk, "kembali": kembali, "kembali_label": "Lihat hasil impor"},
    )  # fmt: skip


def pesan_hasil(result: imports.ImportResult) -> str:
    """What the import changed, in the words the import page uses."""
    sandi = (
        f" {result.sandi_awal} pegawai baru masuk dengan NIP sebagai kata sandi dan wajib segera menggantinya."
        if result.sandi_awal
        else (" Pegawai baru belum dapat masuk sampai kata sandinya diatur ulang." if result.baru else "")
    )
    return (
        f"Impor diterapkan: {result.baru} pegawai baru, {result.berubah} diperbarui, {result.tetap} tetap; "
        f"{result.unit_baru} unit kerja baru, {result.jabatan_baru} jabatan baru, {result.jabatan_diubah} jabatan "
        f"diubah.{sandi}"
    )


@task()
def terapkan_impor_pegawai(pekerjaan_id: int, impor_id: int, oleh_id: int, sandi_awal_nip: bool) -> str:
    """Apply a previewed staff import (opd.imports.terapkan_impor, one transaction)."""
    if job.mulai(pekerjaan_id) is None:
        return "dibatalkan"
    with job.pelapor(pekerjaan_id) as lapor:
        try:
            impor = ImporPegawai.objects.get(pk=impor_id)
            oleh = Pegawai.objects.get(pk=oleh_id)
            result = imports.terapkan_impor(impor, by=oleh, sandi_awal_nip=sandi_awal_nip, lapor=lapor)
        except imports.SudahDiterapkan as exc:
            job.gagal(pekerjaan_id, str(exc))
            return "sudah"
        except imports.ImportFailed as exc:
            job.gagal(pekerjaan_id, f"Impor gagal diterapkan karena data berubah: {exc} Unggah ulang berkasnya.")
            return "gagal"
        except Exception:
            logger.exception("Impor pegawai %s gagal diterapkan", impor_id)
            job.gagal(pekerjaan_id, "")
            return "gagal"
    job.selesai(pekerjaan_id, pesan=pesan_hasil(result))
    return "diterapkan"
