"""Periods and their locks (SPEC §5): the admin BKD opens the months (and the annual period) with
their two deadlines and moves them; after the evaluation deadline a period is locked, and an admin
(BKD, or the pegawai's admin OPD) unlocks it for one pegawai with a written reason. The unlock
closes when that pegawai's evaluation is saved (penilaian.services.alur.simpan_penilaian).

Every function: @transaction.atomic, the actor checked (a forged POST meets the same checks as the
form), one PenilaianError with an Indonesian message, one audit row per change.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from opd import audit
from opd.models import Pegawai
from penilaian.models import TAHUNAN, BukaKunci, Periode
from penilaian.services._common import PenilaianError, boleh_membuka_kunci

TAHUN_MIN, TAHUN_MAX = 2020, 2100
ALASAN_MAKS = 2000


def is_pengelola_periode(user: Pegawai) -> bool:
    """Periods and deadlines belong to the admin BKD (SPEC §9)."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_admin_bkd))


def _wajib_pengelola(by: Pegawai) -> None:
    if not is_pengelola_periode(by):
        raise PenilaianError("Hanya admin BKD yang dapat mengelola periode penilaian.")


def batas_bawaan(tahun: int, bulan: int) -> tuple[datetime.date, datetime.date]:
    """The default deadlines (SPEC §5): realisation by the 5th of the next month, evaluation by the
    10th. The annual period (bulan 0) follows December, whose own deadlines are 5 and 10 January:
    annual realisation by 15 January and the annual evaluation by 31 January of the next year, so
    the BKD has the annual predikat within the first month of the new year."""
    if bulan == TAHUNAN:
        return datetime.date(tahun + 1, 1, 15), datetime.date(tahun + 1, 1, 31)
    tahun_berikut, bulan_berikut = (tahun + 1, 1) if bulan == 12 else (tahun, bulan + 1)
    return datetime.date(tahun_berikut, bulan_berikut, 5), datetime.date(tahun_berikut, bulan_berikut, 10)


def _cek_tahun_bulan(tahun: int, bulan: int) -> None:
    if not TAHUN_MIN <= tahun <= TAHUN_MAX:
        raise PenilaianError(f"Tahun harus antara {TAHUN_MIN} dan {TAHUN_MAX}.")
    if not 0 <= bulan <= 12:
        raise PenilaianError("Bulan harus 1–12 (atau 0 untuk periode tahunan).")


def _cek_batas(periode: Periode, batas_realisasi: datetime.date, batas_penilaian: datetime.date) -> None:
    if batas_realisasi > batas_penilaian:
        raise PenilaianError("Batas pengisian realisasi tidak boleh setelah batas penilaian.")
    if batas_realisasi < periode.mulai:
        raise PenilaianError(
            f"Batas pengisian realisasi tidak boleh sebelum periode dimulai ({periode.mulai:%d-%m-%Y})."
        )


@transaction.atomic
def buka_periode(
    tahun: int,
    bulan: int,
    *,
    by: Pegawai,
    batas_realisasi: datetime.date | None = None,
    batas_penilaian: datetime.date | None = None,
) -> Periode:
    """Open one month (bulan 1–12) or the annual period (bulan 0). Deadlines default to
    `batas_bawaan` (SPEC §5). An already open period is refused (use `ubah_batas`)."""
    _wajib_pengelola(by)
    _cek_tahun_bulan(tahun, bulan)
    bawaan = batas_bawaan(tahun, bulan)
    periode = Periode(
        tahun=tahun,
        bulan=bulan,
        batas_realisasi=batas_realisasi or bawaan[0],
        batas_penilaian=batas_penilaian or bawaan[1],
        dibuka_oleh=by,
        dibuka_pada=timezone.now(),
    )
    _cek_batas(periode, periode.batas_realisasi, periode.batas_penilaian)
    if Periode.objects.filter(tahun=tahun, bulan=bulan).exists():
        raise PenilaianError(f"Periode {periode.nama} sudah dibuka.")
    try:
        with transaction.atomic():
            periode.save()
    except IntegrityError as exc:  # opened concurrently by another request
        raise PenilaianError(f"Periode {periode.nama} sudah dibuka.") from exc
    audit.record(
        periode,
        "periode_dibuka",
        by=by,
        perubahan={
            "batas_realisasi": (None, periode.batas_realisasi),
            "batas_penilaian": (None, periode.batas_penilaian),
        },
    )
    return periode


@transaction.atomic
def buka_tahun(tahun: int, *, by: Pegawai) -> int:
    """Open the twelve months and the annual period of `tahun` with the default deadlines.
    Idempotent: periods already open are left untouched (their deadlines too). Returns how many
    periods were opened now (0 when the whole year was already open)."""
    _wajib_pengelola(by)
    _cek_tahun_bulan(tahun, 1)
    ada = set(Periode.objects.filter(tahun=tahun).values_list("bulan", flat=True))
    dibuka = 0
    for bulan in [*range(1, 13), TAHUNAN]:
        if bulan in ada:
            continue
        try:
            with transaction.atomic():
                buka_periode(tahun, bulan, by=by)
        except PenilaianError:
            # Opened meanwhile by a concurrent request: equally "already open".
            continue
        dibuka += 1
    return dibuka


@transaction.atomic
def ubah_batas(
    periode: Periode, *, by: Pegawai, batas_realisasi: datetime.date, batas_penilaian: datetime.date
) -> Periode:
    """Move a period's deadlines (realisasi ≤ penilaian). Moving the evaluation deadline into the
    future opens a locked period again for everybody; into the past locks it."""
    _wajib_pengelola(by)
    fresh = Periode.objects.select_for_update().get(pk=periode.pk)
    _cek_batas(fresh, batas_realisasi, batas_penilaian)
    perubahan = audit.diff(fresh, {"batas_realisasi": batas_realisasi, "batas_penilaian": batas_penilaian})
    if perubahan:
        Periode.objects.filter(pk=fresh.pk).update(batas_realisasi=batas_realisasi, batas_penilaian=batas_penilaian)
        audit.record(fresh, "periode_diubah", by=by, perubahan=perubahan)
    periode.batas_realisasi, periode.batas_penilaian = batas_realisasi, batas_penilaian
    return periode


@transaction.atomic
def buka_kunci(periode: Periode, pegawai: Pegawai, *, by: Pegawai, alasan: str) -> BukaKunci:
    """Unlock a locked period for one pegawai (SPEC §5, §9): the admin BKD, or the pegawai's admin
    OPD; never for oneself; a written reason; one active unlock per pegawai and period. It closes
    (the period locks again) when the pegawai's evaluation is saved."""
    alasan = (alasan or "").strip()
    if by.pk == pegawai.pk:
        raise PenilaianError("Anda tidak dapat membuka kunci periode Anda sendiri.")
    if not boleh_membuka_kunci(by, pegawai):
        raise PenilaianError("Hanya admin BKD atau admin OPD pegawai ini yang dapat membuka kunci periode.")
    if not periode.is_terkunci():
        raise PenilaianError(
            f"Periode {periode.nama} belum dikunci: batas penilaiannya {periode.batas_penilaian:%d-%m-%Y}, "
            "sampai tanggal itu pegawai dan penilai masih dapat mengubahnya."
        )
    if not alasan:
        raise PenilaianError("Tuliskan alasan membuka kunci periode.")
    if len(alasan) > ALASAN_MAKS:
        raise PenilaianError(f"Alasan paling banyak {ALASAN_MAKS} karakter.")
    # Serialise unlocks of one pegawai (the partial unique constraint is the last guard).
    Pegawai.objects.select_for_update().filter(pk=pegawai.pk).first()
    if BukaKunci.objects.filter(periode=periode, pegawai=pegawai, ditutup_pada__isnull=True).exists():
        raise PenilaianError(f"Kunci periode {periode.nama} untuk {pegawai.nama_lengkap} sudah dibuka.")
    try:
        with transaction.atomic():
            row = BukaKunci.objects.create(periode=periode, pegawai=pegawai, alasan=alasan, dibuka_oleh=by)
    except IntegrityError as exc:
        raise PenilaianError(f"Kunci periode {periode.nama} untuk {pegawai.nama_lengkap} sudah dibuka.") from exc
    audit.record(
        row,
        "periode_dibuka_kunci",
        by=by,
        perubahan={"buka_kunci": (None, f"{periode.nama} — {pegawai.nama_lengkap} ({pegawai.nip})")},
        alasan=alasan,
        opd_id=pegawai.opd_id,
    )
    return row


@transaction.atomic
def kunci_kembali(row: BukaKunci, *, by: Pegawai, alasan: str) -> BukaKunci:
    """Close an unlock before the pegawai's evaluation is saved (opened by mistake, or the
    correction is no longer needed): the period is locked again for that pegawai. The same people
    who may open it, never for oneself; a written reason; twice → told it is already closed."""
    alasan = (alasan or "").strip()
    fresh = BukaKunci.objects.select_for_update().select_related("periode", "pegawai").get(pk=row.pk)
    pegawai = fresh.pegawai
    if by.pk == pegawai.pk:
        raise PenilaianError("Anda tidak dapat mengubah kunci periode Anda sendiri.")
    if not boleh_membuka_kunci(by, pegawai):
        raise PenilaianError("Hanya admin BKD atau admin OPD pegawai ini yang dapat mengunci kembali periodenya.")
    if fresh.ditutup_pada is not None:
        raise PenilaianError(
            f"Periode {fresh.periode.nama} untuk {pegawai.nama_lengkap} sudah terkunci kembali "
            f"pada {timezone.localtime(fresh.ditutup_pada):%d-%m-%Y %H.%M}."
        )
    if not alasan:
        raise PenilaianError("Tuliskan alasan mengunci kembali periode ini.")
    if len(alasan) > ALASAN_MAKS:
        raise PenilaianError(f"Alasan paling banyak {ALASAN_MAKS} karakter.")
    fresh.ditutup_pada = timezone.now()
    fresh.save(update_fields=["ditutup_pada"])
    audit.record(
        fresh,
        "periode_dikunci_kembali",
        by=by,
        perubahan={"buka_kunci": ("aktif", "ditutup")},
        alasan=alasan,
        opd_id=pegawai.opd_id,
    )
    row.ditutup_pada = fresh.ditutup_pada
    return row
