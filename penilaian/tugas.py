"""Background tasks of the penilaian app (django-tasks; run by `manage.py db_worker`).

Each task takes the id of an `opd.models.Pekerjaan` and reports to it (opd.pekerjaan): progress
while it runs, then the result file or an Indonesian error. Idempotent: the file is written under
a temporary name and renamed only when complete, so a worker killed halfway leaves nothing that
looks like a result; running the job again redoes it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.utils import timezone
from django_tasks import task

from ekinerja import replika
from opd import pekerjaan as job
from penilaian.services._common import PenilaianError

if TYPE_CHECKING:
    from opd.models import Pegawai, Pekerjaan
    from penilaian.models import Periode
    from penilaian.services.presensi import HasilPresensi

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


JENIS_PRESENSI = "impor_presensi"


def presensi_berjalan(periode: Periode) -> Pekerjaan | None:
    """A job applying an attendance file of this month now (anybody's), if any."""
    from opd.models import Pekerjaan

    return (
        Pekerjaan.objects.filter(
            jenis=JENIS_PRESENSI,
            parameter__periode=periode.pk,
            status__in=job.AKTIF,
            dibuat_pada__gte=timezone.now() - job.UMUR_AKTIF,
        )
        .select_related("dibuat_oleh")
        .order_by("-pk")
        .first()
    )


def mulai_impor_presensi(periode: Periode, sha: str, *, by: Pegawai) -> Pekerjaan:
    """Start applying a previewed attendance file (SPEC §8) in the background; returns the job (the
    starter's running one on a second press). Refused at once (PenilaianError) when the file is the
    month's figures already, or while another import of the month waits or runs: two files of one
    month queued together would leave the month to whichever ran last."""
    from django.urls import reverse

    from penilaian.services import presensi

    def cek() -> None:
        sudah = presensi.sudah_diterapkan(periode, sha)
        if sudah is not None:
            raise sudah
        lain = presensi_berjalan(periode)
        if lain is not None:
            raise PenilaianError(
                f"Impor presensi {periode.nama} lain sedang diterapkan oleh {lain.dibuat_oleh.nama_lengkap}; "
                "tunggu sampai selesai."
            )

    kembali = reverse("penilaian:tpp_presensi_pratinjau", args=[periode.tahun, periode.bulan, sha])
    return job.jalankan(
        impor_presensi, periode.tahun, periode.bulan, sha, by.pk, jenis=JENIS_PRESENSI,
        judul=f"Terapkan presensi {periode.nama}", by=by, kunci=f"presensi:{periode.pk}:{sha}", cek=cek,
        parameter={"periode": periode.pk, "kembali": kembali, "kembali_label": "Kembali ke pratinjau presensi"},
    )  # fmt: skip


def pesan_presensi(periode: Periode, hasil: HasilPresensi) -> str:
    c = hasil.counts
    extra = (
        " TPP bulan ini sudah final: angka finalnya tetap, selisihnya dicatat sebagai penyesuaian."
        if hasil.final
        else ""
    )
    return (
        f"Presensi {periode.nama} diterapkan: {c['baris']} pegawai ({c['baru']} baru, {c['berubah']} berubah, "
        f"{c['tetap']} tetap, {c['dihapus']} dihapus).{extra}"
    )


@task()
def impor_presensi(pekerjaan_id: int, tahun: int, bulan: int, sha: str, oleh_id: int) -> str:
    """Replace a month's attendance with a previewed file (presensi.terapkan, one transaction)."""
    from opd.models import Pegawai
    from penilaian.models import Periode
    from penilaian.services import presensi

    if job.mulai(pekerjaan_id) is None:
        return "dibatalkan"
    with job.pelapor(pekerjaan_id) as lapor:
        try:
            periode = Periode.objects.get(tahun=tahun, bulan=bulan)
            found = presensi.berkas_tersimpan(periode, sha)
            if found is None:
                raise PenilaianError("Berkas pratinjau presensi tidak ditemukan lagi; unggah ulang berkasnya.")
            data, nama, relpath = found
            oleh = Pegawai.objects.get(pk=oleh_id)
            hasil = presensi.terapkan(periode, data, nama, by=oleh, berkas=relpath, lapor=lapor)
        except presensi.PresensiError as exc:
            job.gagal(pekerjaan_id, f"Impor presensi gagal diterapkan: {exc} Periksa pratinjaunya.")
            return "gagal"
        except PenilaianError as exc:
            job.gagal(pekerjaan_id, str(exc))
            return "gagal"
        except Exception:
            logger.exception("Impor presensi %s-%s gagal", tahun, bulan)
            job.gagal(pekerjaan_id, "")
            return "gagal"
    job.selesai(pekerjaan_id, pesan=pesan_presensi(periode, hasil))
    return "diterapkan"


@task()
def ekspor_terlambat(pekerjaan_id: int, tahun: int, bulan: int, oleh_id: int) -> str:
    """The late list of every OPD the starter monitors (exports_monitoring.terlambat_untuk: the same
    file as the page's download), access checked again when the job runs."""
    from opd.models import Pegawai
    from penilaian.exports_monitoring import terlambat_untuk
    from penilaian.models import Periode
    from penilaian.services.monitoring import boleh_memantau

    if job.mulai(pekerjaan_id) is None:
        return "dibatalkan"
    sementara = None
    try:
        with job.pelapor(pekerjaan_id) as lapor:
            periode = Periode.objects.get(tahun=tahun, bulan=bulan)
            oleh = Pegawai.objects.get(pk=oleh_id)
            if not boleh_memantau(oleh):
                raise PenilaianError("Anda tidak lagi berhak membaca pemantauan; daftar tidak disiapkan.")
            lapor(10, "Mengumpulkan pegawai yang belum selesai")
            # A report like the TPP file: the replica when configured and caught up (the access
            # check above read the starter's roles from the primary), else the primary.
            berkas = replika.dari_replika(lambda: terlambat_untuk(periode, oleh, lapor=lapor))
        sementara, relatif = job.path_sementara("xlsx")
        sementara.write_bytes(berkas.data)
        job.selesai(pekerjaan_id, sementara=sementara, relatif=relatif, nama_berkas=berkas.nama,
                    pesan=f"{berkas.baris} pegawai belum selesai di {berkas.opd} OPD.")  # fmt: skip
        return relatif
    except PenilaianError as exc:
        job.gagal(pekerjaan_id, str(exc), sementara=sementara)
        return "gagal"
    except Exception:
        logger.exception("Daftar terlambat %s-%s gagal", tahun, bulan)
        job.gagal(pekerjaan_id, "", sementara=sementara)
        return "gagal"
