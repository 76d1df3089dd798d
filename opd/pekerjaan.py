"""Background work with progress (opd.models.Pekerjaan): the page starts a job and enqueues its
task (django-tasks, run by `manage.py db_worker`); the task reports progress and ends with a file
or an Indonesian error; the job's page polls its status, so it survives a reload.

A task must be idempotent: a worker killed halfway leaves the job BERJALAN and no half-written
result — files are written under a temporary name and renamed when complete, writes to the data
happen in one transaction, and the job row is marked SELESAI only after that. Running the same job
again simply does the work again.

A double submit starts nothing twice: `jalankan(..., kunci=...)` returns the starter's job for the
same work while it waits or runs (checked under a lock on the starter's row), and `cek` lets the
caller refuse under that lock (the same import being applied by somebody else)."""

from __future__ import annotations

import datetime
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone

from opd.models import Pegawai, Pekerjaan

logger = logging.getLogger(__name__)

St = Pekerjaan.Status
AKTIF = (St.MENUNGGU, St.BERJALAN)
# A job still waiting or running after this long is taken for dead (a worker killed halfway leaves
# it BERJALAN): starting the same work again then makes a new job instead of pointing at it. The
# longest expected task, a staff import of 100,000 rows, is minutes (7,000 rows: 12-14 s measured).
UMUR_AKTIF = datetime.timedelta(minutes=30)
PESAN_UMUM = "Pekerjaan gagal karena kesalahan pada server. Coba lagi; bila berulang, hubungi admin BKD."


def folder() -> Path:
    """Results live under MEDIA_ROOT, which is never served: downloads go through a view."""
    return Path(settings.MEDIA_ROOT) / "pekerjaan"


def aktif(jenis: str, kunci: str, *, by: Pegawai | None = None) -> Pekerjaan | None:
    """The job doing this work now (waiting or running, not older than UMUR_AKTIF), if any; with
    `by`, only that user's."""
    qs = Pekerjaan.objects.filter(
        jenis=jenis, parameter__kunci=kunci, status__in=AKTIF, dibuat_pada__gte=timezone.now() - UMUR_AKTIF
    )
    if by is not None:
        qs = qs.filter(dibuat_oleh=by)
    return qs.select_related("dibuat_oleh").order_by("-pk").first()


def jalankan(
    tugas,
    *args,
    jenis: str,
    judul: str,
    by: Pegawai,
    parameter: dict | None = None,
    kunci: str = "",
    cek: Callable[[], None] | None = None,
) -> Pekerjaan:
    """Record the job and enqueue `tugas(job.pk, *args)` (a django-tasks task) in one transaction:
    the database queue commits the task with the job, so a worker always finds the job, and a
    failure leaves neither. The job keeps the task's id.

    `kunci` names the work (e.g. "impor:12"): while the starter's job for it waits or runs, that
    job is returned and nothing new starts (a double submit). The starter's row is locked for the
    check, so two simultaneous posts serialise. `cek()`, called under the same lock, may raise to
    refuse the start."""
    with transaction.atomic():
        if kunci:
            # FOR NO KEY UPDATE: it serialises this user's starts without blocking the key-share
            # locks that foreign keys to the user take at commit (deferred constraints), e.g. a
            # finalisation that writes a row for every pegawai.
            list(Pegawai.objects.select_for_update(no_key=True).filter(pk=by.pk).values_list("pk", flat=True))
            lama = aktif(jenis, kunci, by=by)
            if lama is not None:
                return lama
        if cek is not None:
            cek()
        job = Pekerjaan.objects.create(
            jenis=jenis,
            judul=judul,
            dibuat_oleh=by,
            parameter={**(parameter or {}), **({"kunci": kunci} if kunci else {})},
        )
        result = tugas.enqueue(job.pk, *args)
        Pekerjaan.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def mulai(pk: int) -> Pekerjaan | None:
    """Called by the task first; None when the job no longer exists. A job run again after a
    killed worker starts over from 0 %."""
    Pekerjaan.objects.filter(pk=pk).update(
        status=St.BERJALAN, persen=0, langkah="Dimulai", mulai_pada=timezone.now(), pesan=""
    )
    return Pekerjaan.objects.filter(pk=pk).first()


class Pelapor:
    """`lapor(persen, langkah)`: a job's progress, written at once.

    Work that must be all-or-nothing (an import applied in one transaction) reports from inside its
    transaction, where a write through the task's own connection would only be seen at the commit,
    i.e. never while it matters. There, on PostgreSQL, the progress goes through a second connection
    in autocommit (opened at the first report, closed by `close()`, the `with` block or when the
    reporter is dropped), with a short lock timeout: progress is worth a try, never a wait. SQLite
    allows one writer at a time, so there (development only) the progress shows when the
    transaction ends."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self._samping = None

    def __call__(self, persen: int, langkah: str) -> None:
        persen, langkah = max(0, min(99, int(persen))), langkah[:255]
        if connection.in_atomic_block and connection.vendor == "postgresql":
            self._tulis_samping(persen, langkah)
        else:
            Pekerjaan.objects.filter(pk=self.pk).update(persen=persen, langkah=langkah)

    def _tulis_samping(self, persen: int, langkah: str) -> None:
        meta, qn = Pekerjaan._meta, connection.ops.quote_name
        kolom = {name: qn(meta.get_field(name).column) for name in ("persen", "langkah")}
        try:
            if self._samping is None:
                self._samping = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._samping.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self._samping.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {qn(meta.db_table)} SET {kolom['persen']} = %s, {kolom['langkah']} = %s "
                    f"WHERE {qn(meta.pk.column)} = %s",
                    [persen, langkah, self.pk],
                )
        except DatabaseError:
            logger.warning("Kemajuan pekerjaan %s tidak tercatat", self.pk, exc_info=True)

    def close(self) -> None:
        if self._samping is not None:
            self._samping.close()
            self._samping = None

    def __enter__(self) -> Pelapor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A task that drops its reporter without closing it (the connection wrapper holds a
        # reference cycle, so only the cyclic collector would otherwise free it).
        self.close()


def pelapor(pk: int) -> Pelapor:
    return Pelapor(pk)


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
