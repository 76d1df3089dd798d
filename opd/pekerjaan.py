"""Background work with progress (opd.models.Pekerjaan): the page starts a job and enqueues its
task (django-tasks, run by `manage.py db_worker`); the task reports progress and ends with a file
or an Indonesian error; the job's page polls its status, so it survives a reload.

A task must be idempotent: a worker killed halfway leaves the job BERJALAN and no half-written
result — files are written under a temporary name and renamed when complete, and the job row is
marked SELESAI only after that. Running the same job again simply does the work again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from opd.models import Pegawai, Pekerjaan

St = Pekerjaan.Status
PESAN_UMUM = "Pekerjaan gagal karena kesalahan pada server. Coba lagi; bila berulang, hubungi admin BKD."


def folder() -> Path:
    """Results live under MEDIA_ROOT, which is never served: downloads go through a view."""
    return Path(settings.MEDIA_ROOT) / "pekerjaan"


def jalankan(tugas, *args, jenis: str, judul: str, by: Pegawai, parameter: dict | None = None) -> Pekerjaan:
    """Record the job, then enqueue `tugas(job.pk, *args)` (a django-tasks task); the job keeps the
    task's id. The row is committed first (no ATOMIC_REQUESTS), so a worker always finds it."""
    job = Pekerjaan.objects.create(jenis=jenis, judul=judul, dibuat_oleh=by, parameter=parameter or {})
    result = tugas.enqueue(job.pk, *args)
    Pekerjaan.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    return job


def mulai(pk: int) -> Pekerjaan | None:
    """Called by the task first; None when the job no longer exists. A job run again after a
    killed worker starts over from 0 %."""
    Pekerjaan.objects.filter(pk=pk).update(
        status=St.BERJALAN, persen=0, langkah="Dimulai", mulai_pada=timezone.now(), pesan=""
    )
    return Pekerjaan.objects.filter(pk=pk).first()


def pelapor(pk: int) -> Callable[[int, str], None]:
    """`lapor(persen, langkah)`: progress, written at once (the worker runs in autocommit)."""

    def lapor(persen: int, langkah: str) -> None:
        Pekerjaan.objects.filter(pk=pk).update(persen=max(0, min(99, int(persen))), langkah=langkah[:255])

    return lapor


def path_sementara(ext: str) -> tuple[Path, str]:
    """Where to write a result: (temporary path, final relative name)."""
    relatif = f"{timezone.localdate():%Y}/{uuid.uuid4().hex}.{ext}"
    target = folder() / relatif
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(target.name + ".tmp"), relatif


def selesai(
    pk: int, *, sementara: Path | None = None, relatif: str = "", nama_berkas: str = "", pesan: str = ""
) -> None:
    """The result is complete: rename the file into place, then mark the job done."""
    if sementara is not None:
        os.replace(sementara, folder() / relatif)
    Pekerjaan.objects.filter(pk=pk).update(
        status=St.SELESAI, persen=100, langkah="Selesai", selesai_pada=timezone.now(), berkas=relatif,
        nama_berkas=nama_berkas, pesan=pesan,
    )  # fmt: skip


def gagal(pk: int, pesan: str, *, sementara: Path | None = None) -> None:
    if sementara is not None:
        sementara.unlink(missing_ok=True)
    Pekerjaan.objects.filter(pk=pk).update(
        status=St.GAGAL, langkah="Gagal", selesai_pada=timezone.now(), pesan=(pesan or PESAN_UMUM)[:4000]
    )


def path_hasil(job: Pekerjaan) -> Path | None:
    if not job.berkas:
        return None
    base = folder().resolve()
    path = (base / job.berkas).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path
