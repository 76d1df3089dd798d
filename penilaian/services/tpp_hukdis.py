"""Hukuman disiplin records (PP 94/2021) kept by the admin BKD for the TPP (SPEC §7): a hukdis
sedang takes a share of the whole TPP for each month from its first to its last month.

Records are never deleted: a mistaken one is cancelled with a written reason. Nobody records or
cancels a hukdis of their own (separation of duties, SPEC §9). When a record touches a month whose
TPP is final, the TPP month service is told (`presensi.kabari_tpp_final`): the frozen figures stay
and the adjustment shows in the next open month.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opd import audit
from opd.models import Pegawai
from penilaian.models import NAMA_BULAN, HukumanDisiplin, Periode, TppBulan
from penilaian.services._common import PenilaianError
from penilaian.services.presensi import kabari_tpp_final

URAIAN_MAKS = 255
NOMOR_SK_MAKS = 100
ALASAN_MAKS = 2000


def boleh_baca_hukdis(user: Pegawai) -> bool:
    return bool(user.is_authenticated and (user.can_read_all() or user.is_admin_opd))


def is_pengelola_hukdis(user: Pegawai) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_admin_bkd))


def hukdis_visible_to(user: Pegawai) -> QuerySet[HukumanDisiplin]:
    """Admin BKD and auditor: every record; admin OPD: the pegawai of their OPDs; others: none."""
    qs = HukumanDisiplin.objects.select_related("pegawai", "pegawai__opd", "dicatat_oleh")
    if not user.is_authenticated:
        return qs.none()
    if user.can_read_all():
        return qs
    if user.admin_opd_ids:
        return qs.filter(pegawai__opd_id__in=user.admin_opd_ids)
    return qs.none()


def get_hukdis_for(user: Pegawai, pk: int) -> HukumanDisiplin:
    hukdis = hukdis_visible_to(user).filter(pk=pk).first()
    if hukdis is None:
        raise Http404("Hukuman disiplin tidak ditemukan.")
    return hukdis


def hukdis_sedang(periode: Periode) -> QuerySet[HukumanDisiplin]:
    """The non-cancelled hukuman disiplin sedang covering the month (PP 94/2021: 25 % off the TPP
    of each month in its range) — the one definition the TPP computation and the pages share."""
    awal = periode.mulai
    return HukumanDisiplin.objects.filter(
        jenis=HukumanDisiplin.Jenis.SEDANG, dibatalkan_pada__isnull=True, bulan_mulai__lte=awal, bulan_selesai__gte=awal
    )


def hukdis_sedang_aktif(periode: Periode) -> set[int]:
    """Pegawai ids with a non-cancelled hukdis SEDANG covering the month (one query)."""
    return set(hukdis_sedang(periode).values_list("pegawai_id", flat=True))


def nama_bulan(day: datetime.date) -> str:
    return f"{NAMA_BULAN[day.month - 1]} {day.year}"


def _periode_final(hukdis: HukumanDisiplin) -> list[Periode]:
    """Final months in the record's range."""
    start, end = hukdis.bulan_mulai, hukdis.bulan_selesai
    q = Q(periode__tahun__gt=start.year) | Q(periode__tahun=start.year, periode__bulan__gte=start.month)
    q &= Q(periode__tahun__lt=end.year) | Q(periode__tahun=end.year, periode__bulan__lte=end.month)
    rows = TppBulan.objects.filter(q, status=TppBulan.Status.FINAL, periode__bulan__gte=1).select_related("periode")
    return [t.periode for t in rows.order_by("periode__tahun", "periode__bulan")]


def _kabari(hukdis: HukumanDisiplin, alasan: str) -> int:
    """Only a hukdis sedang changes the TPP (SPEC §7): tell the month service for each final month."""
    if hukdis.jenis != HukumanDisiplin.Jenis.SEDANG:
        return 0
    return sum(kabari_tpp_final(p, {hukdis.pegawai_id}, alasan) for p in _periode_final(hukdis))


def _wajib(by: Pegawai, pegawai: Pegawai, kata: str) -> None:
    if not is_pengelola_hukdis(by):
        raise PenilaianError("Hanya admin BKD yang dapat mencatat hukuman disiplin.")
    if by.pk == pegawai.pk:
        raise PenilaianError(f"Anda tidak dapat {kata} hukuman disiplin Anda sendiri.")


@transaction.atomic
def catat_hukdis(
    *,
    pegawai: Pegawai,
    jenis: str,
    uraian: str,
    bulan_mulai: datetime.date,
    bulan_selesai: datetime.date,
    nomor_sk: str,
    tanggal_sk: datetime.date,
    by: Pegawai,
) -> HukumanDisiplin:
    _wajib(by, pegawai, "mencatat")
    nomor_sk, uraian = (nomor_sk or "").strip(), (uraian or "").strip()
    if jenis not in HukumanDisiplin.Jenis.values:
        raise PenilaianError("Pilih jenis hukuman: Ringan, Sedang atau Berat.")
    if not nomor_sk:
        raise PenilaianError("Nomor SK wajib diisi.")
    if len(nomor_sk) > NOMOR_SK_MAKS or len(uraian) > URAIAN_MAKS:
        raise PenilaianError(f"Nomor SK paling banyak {NOMOR_SK_MAKS} karakter, uraian {URAIAN_MAKS} karakter.")
    bulan_mulai, bulan_selesai = bulan_mulai.replace(day=1), bulan_selesai.replace(day=1)
    if bulan_selesai < bulan_mulai:
        raise PenilaianError(
            f"Bulan terakhir ({nama_bulan(bulan_selesai)}) tidak boleh sebelum bulan pertama ({nama_bulan(bulan_mulai)})."
        )
    if tanggal_sk > timezone.localdate():
        raise PenilaianError("Tanggal SK tidak boleh di masa depan.")
    # Serialise records of one pegawai: a double submit finds the first one's row.
    Pegawai.objects.select_for_update().filter(pk=pegawai.pk).first()
    if HukumanDisiplin.objects.filter(
        pegawai=pegawai, nomor_sk__iexact=nomor_sk, dibatalkan_pada__isnull=True
    ).exists():
        raise PenilaianError(f"Hukuman disiplin dengan SK {nomor_sk} untuk {pegawai.nama_lengkap} sudah dicatat.")
    hukdis = HukumanDisiplin.objects.create(
        pegawai=pegawai, jenis=jenis, uraian=uraian, bulan_mulai=bulan_mulai, bulan_selesai=bulan_selesai,
        nomor_sk=nomor_sk, tanggal_sk=tanggal_sk, dicatat_oleh=by,
    )  # fmt: skip
    audit.record(
        hukdis,
        "hukdis_dicatat",
        by=by,
        perubahan={
            "jenis": (None, jenis),
            "bulan_mulai": (None, nama_bulan(bulan_mulai)),
            "bulan_selesai": (None, nama_bulan(bulan_selesai)),
            "nomor_sk": (None, nomor_sk),
            "tanggal_sk": (None, tanggal_sk),
        },
        opd_id=pegawai.opd_id,
    )
    _kabari(hukdis, f"Hukuman disiplin {hukdis.get_jenis_display().lower()} dicatat (SK {nomor_sk})")
    return hukdis


@transaction.atomic
def batalkan_hukdis(hukdis: HukumanDisiplin, *, by: Pegawai, alasan: str) -> HukumanDisiplin:
    """Cancel a record with a written reason (never deleted). A second cancel is refused."""
    _wajib(by, hukdis.pegawai, "membatalkan")
    alasan = (alasan or "").strip()
    if not alasan:
        raise PenilaianError("Tuliskan alasan pembatalan.")
    if len(alasan) > ALASAN_MAKS:
        raise PenilaianError(f"Alasan paling banyak {ALASAN_MAKS} karakter.")
    fresh = HukumanDisiplin.objects.select_for_update().get(pk=hukdis.pk)
    if fresh.dibatalkan_pada is not None:
        raise PenilaianError("Hukuman disiplin ini sudah dibatalkan sebelumnya; tidak ada yang berubah.")
    fresh.dibatalkan_pada = timezone.now()
    fresh.alasan_batal = alasan
    fresh.save(update_fields=["dibatalkan_pada", "alasan_batal"])
    audit.record(
        fresh, "hukdis_dibatalkan", by=by, perubahan={"status": ("Berlaku", "Dibatalkan")}, alasan=alasan,
        opd_id=fresh.pegawai.opd_id,
    )  # fmt: skip
    _kabari(fresh, f"Hukuman disiplin SK {fresh.nomor_sk} dibatalkan: {alasan}")
    hukdis.dibatalkan_pada, hukdis.alasan_batal = fresh.dibatalkan_pada, fresh.alasan_batal
    return fresh
