"""Kurva distribusi (SPEC §6, SE MenPANRB 3/2023): the admin BKD records each OPD's capaian kinerja
organisasi per period, then finalises the OPD's period; a curve that breaks a constraint needs a
written justification, kept with the broken constraints as they were at that moment.

Reading the curves is penilaian.services._common.kurva_opd / kurva_semua_opd; who may read which
OPD is `opd_kurva_visible_to` here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from opd import audit
from opd.models import Opd, Pegawai
from penilaian.models import KinerjaOrganisasi, Periode
from penilaian.rules import CapaianOrganisasi
from penilaian.services._common import PenilaianError, kurva_opd

JUSTIFIKASI_MAKS = 4000


# Access (SPEC §9) ---------------------------------------------------------------------------------


def boleh_membaca_kurva(user: Pegawai) -> bool:
    """Admin BKD, auditor, superuser (every OPD); admin OPD and pimpinan (their OPDs)."""
    if not user.is_authenticated:
        return False
    return user.can_read_all() or user.is_admin_opd or bool(user.pimpinan_opd_ids())


def opd_kurva_visible_to(user: Pegawai) -> QuerySet[Opd]:
    """The OPDs whose curves `user` reads, in the regency's order (pilots first). One SQL query."""
    qs = Opd.objects.order_by("-pilot", "urutan", "nama")
    if not user.is_authenticated:
        return qs.none()
    if user.can_read_all():
        return qs
    return qs.filter(pk__in={*user.admin_opd_ids, *user.pimpinan_opd_ids()})


def is_pengelola_kurva(user: Pegawai) -> bool:
    """Capaian organisasi and finalisation belong to the admin BKD."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_admin_bkd))


def _wajib_pengelola(by: Pegawai) -> None:
    if not is_pengelola_kurva(by):
        raise PenilaianError("Hanya admin BKD yang dapat mencatat capaian organisasi dan memfinalkan kurva.")


def _pesan_final(kinerja: KinerjaOrganisasi) -> str:
    # `difinalkan_oleh` is read here, not joined into the locking SELECT: after waiting for the row
    # lock PostgreSQL re-reads the locked row but not an outer-joined one.
    oleh = kinerja.difinalkan_oleh.nama_lengkap if kinerja.difinalkan_oleh_id else "admin BKD"
    waktu = timezone.localtime(kinerja.difinalkan_pada)
    return (
        f"Penilaian {kinerja.opd.nama} periode {kinerja.periode.nama} sudah difinalkan oleh {oleh} "
        f"pada {waktu:%d-%m-%Y %H.%M}."
    )


# Services -----------------------------------------------------------------------------------------


@transaction.atomic
def catat_capaian_organisasi(periode: Periode, opd: Opd, capaian: str, *, by: Pegawai) -> KinerjaOrganisasi:
    """Record (or change) the OPD's capaian kinerja organisasi for the period; refused once the
    OPD's period is final."""
    _wajib_pengelola(by)
    if capaian not in CapaianOrganisasi.values:
        raise PenilaianError(
            "Pilih capaian kinerja organisasi: Istimewa, Baik, Butuh Perbaikan, Kurang atau Sangat Kurang."
        )
    kinerja = (
        KinerjaOrganisasi.objects.select_for_update(of=("self",))
        .select_related("opd", "periode")
        .filter(periode=periode, opd=opd)
        .first()
    )
    if kinerja is not None and kinerja.is_final:
        raise PenilaianError(_pesan_final(kinerja) + " Capaian organisasinya tidak dapat diubah lagi.")
    lama = kinerja.capaian if kinerja is not None else None
    if kinerja is None:
        try:
            with transaction.atomic():
                kinerja = KinerjaOrganisasi.objects.create(periode=periode, opd=opd, capaian=capaian, dicatat_oleh=by)
        except IntegrityError as exc:  # recorded concurrently
            raise PenilaianError(
                f"Capaian organisasi {opd.nama} baru saja dicatat pengguna lain; muat ulang halaman."
            ) from exc
    elif lama != capaian:
        kinerja.capaian, kinerja.dicatat_oleh, kinerja.dicatat_pada = capaian, by, timezone.now()
        kinerja.save(update_fields=["capaian", "dicatat_oleh", "dicatat_pada"])
    else:
        return kinerja
    audit.record(kinerja, "capaian_organisasi_dicatat", by=by, perubahan={"capaian": (lama, capaian)}, opd_id=opd.pk)
    return kinerja


@transaction.atomic
def finalkan_opd(periode: Periode, opd: Opd, *, by: Pegawai, justifikasi: str = "") -> KinerjaOrganisasi:
    """Finalise the OPD's period: its curve as it stands is the one of record. When the curve breaks
    a constraint (SPEC §6) a written justification is required; it is stored with the broken
    constraints. Only after the evaluation deadline (until then ratings may still change), and only
    once the capaian organisasi is recorded. Twice or concurrently: one wins (the row is locked),
    the other is told who finalised it."""
    _wajib_pengelola(by)
    justifikasi = (justifikasi or "").strip()
    kinerja = (
        KinerjaOrganisasi.objects.select_for_update(of=("self",))
        .select_related("opd", "periode")
        .filter(periode=periode, opd=opd)
        .first()
    )
    if kinerja is None:
        raise PenilaianError(
            f"Catat capaian kinerja organisasi {opd.nama} periode {periode.nama} terlebih dahulu, lalu finalkan."
        )
    if kinerja.is_final:
        raise PenilaianError(_pesan_final(kinerja))
    if not periode.is_terkunci():
        raise PenilaianError(
            f"Penilaian periode {periode.nama} masih berjalan sampai {periode.batas_penilaian:%d-%m-%Y}; "
            "finalkan setelah batas penilaian lewat."
        )
    kurva = kurva_opd(periode, opd)
    if not kurva.n:
        raise PenilaianError(f"Belum ada pegawai {opd.nama} yang dinilai pada periode {periode.nama}.")
    pelanggaran = kurva.pelanggaran
    if pelanggaran and not justifikasi:
        raise PenilaianError(
            "Kurva distribusi belum sesuai batas SE MenPANRB 3/2023: tuliskan justifikasi untuk memfinalkannya."
        )
    if len(justifikasi) > JUSTIFIKASI_MAKS:
        raise PenilaianError(f"Justifikasi paling banyak {JUSTIFIKASI_MAKS} karakter.")
    kinerja.difinalkan_pada = timezone.now()
    kinerja.difinalkan_oleh = by
    kinerja.justifikasi = justifikasi
    kinerja.pelanggaran_saat_final = pelanggaran
    kinerja.save(update_fields=["difinalkan_pada", "difinalkan_oleh", "justifikasi", "pelanggaran_saat_final"])
    perubahan = {"status": ("belum final", "final")}
    if pelanggaran:
        perubahan["pelanggaran"] = (None, pelanggaran)
    audit.record(kinerja, "kurva_difinalkan", by=by, perubahan=perubahan, alasan=justifikasi, opd_id=opd.pk)
    return kinerja
