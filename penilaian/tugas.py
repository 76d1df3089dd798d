"""Background tasks of the penilaian app (django-tasks; run by `manage.py db_worker`).

Each task takes the id of an `opd.models.Pekerjaan` and reports to it (opd.pekerjaan): progress
while it runs, then the result file or an Indonesian error. Idempotent: the file is written under
a temporary name and renamed only when complete, so a worker killed halfway leaves nothing that
looks like a result; running the job again redoes it."""

from __future__ import annotations

import logging

from django_tasks import task

from ekinerja import replika
from opd import pekerjaan as job

logger = logging.getLogger(__name__)


@task()
def ekspor_tpp(pekerjaan_id: int, tahun: int, bulan: int, opd_id: int | None = None) -> str:
    """A month's TPP basis as .xlsx (the regency, or one OPD): the same file as `manage.py ekspor_tpp`."""
    from opd.models import Opd
    from penilaian.ekspor_tpp import alasan_tidak_bisa_diekspor, nama_berkas, tulis_xlsx
    from penilaian.models import Periode
    from penilaian.services._common import PenilaianError
    from penilaian.services.tpp_bulan import data_bulan

    if job.mulai(pekerjaan_id) is None:
        return "dibatalkan"
    lapor = job.pelapor(pekerjaan_id)
    sementara = None

    def baca() -> tuple:
        periode = Periode.objects.filter(tahun=tahun, bulan=bulan).first()
        if periode is None:
            raise PenilaianError(f"Periode {bulan:02d}/{tahun} belum dibuka.")
        alasan = alasan_tidak_bisa_diekspor(periode)
        if alasan is not None:
            raise PenilaianError(alasan)
        opd = Opd.objects.get(pk=opd_id) if opd_id else None
        lapor(10, "Membaca dan menghitung TPP setiap pegawai")
        return opd, data_bulan(periode, opd=opd)

    try:
        # A report: read from the replica when one is configured and has everything committed
        # before the task started (the user's own writes included), else from the primary.
        opd, data = replika.dari_replika(baca)
        lapor(50, f"Menulis {len(data.opd)} lembar OPD ke Excel")
        sementara, relatif = job.path_sementara("xlsx")
        with open(sementara, "wb") as out:
            tulis_xlsx(data, out)
        nama = nama_berkas(data, opd.kode if opd else None)
        jumlah = sum(len(o.baris) for o in data.opd)
        job.selesai(pekerjaan_id, sementara=sementara, relatif=relatif, nama_berkas=nama,
                    pesan=f"{jumlah} pegawai di {len(data.opd)} OPD.")  # fmt: skip
        return relatif
    except PenilaianError as exc:
        job.gagal(pekerjaan_id, str(exc), sementara=sementara)
        return "gagal"
    except Exception:
        logger.exception("Ekspor TPP %s-%s gagal", tahun, bulan)
        job.gagal(pekerjaan_id, "", sementara=sementara)
        return "gagal"


@task()
def finalkan_tpp(pekerjaan_id: int, tahun: int, bulan: int, oleh_id: int) -> str:
    """Freeze a month's TPP (`tpp_bulan.finalkan_bulan`, one transaction: all rows or none). A
    second job for the same month is told who finalised it and when."""
    from opd.models import Pegawai
    from penilaian.models import Periode
    from penilaian.services._common import PenilaianError
    from penilaian.services.tpp_bulan import finalkan_bulan

    if job.mulai(pekerjaan_id) is None:
        return "dibatalkan"
    try:
        periode = Periode.objects.get(tahun=tahun, bulan=bulan)
        job.pelapor(pekerjaan_id)(20, "Menghitung dan membekukan TPP setiap pegawai")
        tpp = finalkan_bulan(periode, by=Pegawai.objects.get(pk=oleh_id))
        n = tpp.baris_set.count()
        total = f"{tpp.jumlah_total:,}".replace(",", ".")
        job.selesai(pekerjaan_id, pesan=f"TPP {periode.nama} difinalkan: {n} pegawai, jumlah Rp {total}.")
        return "final"
    except PenilaianError as exc:
        job.gagal(pekerjaan_id, str(exc))
        return "gagal"
    except Exception:
        logger.exception("Finalisasi TPP %s-%s gagal", tahun, bulan)
        job.gagal(pekerjaan_id, "")
        return "gagal"
