"""The evaluation's workflow (SPEC §5): the pegawai submits the period's realisation, the
penilai returns it with a note or rates it. Monthly and annual evaluations share it.

Every function: @transaction.atomic, the row locked (two tabs or two concurrent POSTs serialise;
the second is told what happened), the state and the actor checked, the lock of the period
checked, one audit row. A forged POST meets the same checks as the form.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from opd import audit
from opd.models import Pegawai
from penilaian import rules
from penilaian.models import BukaKunci, Evaluasi, RealisasiTahunan, RencanaAksi, TppBulan
from penilaian.rules import Predikat, Rating
from penilaian.services._common import (
    PenilaianError,
    cek_tidak_terkunci,
    is_penilai_sekarang,
    kunci_evaluasi,
    potret,
)
from penilaian.services.tpp_bulan import catat_perubahan
from skp.models import RencanaHasilKerja

St = Evaluasi.Status


def _sudah(ev: Evaluasi) -> str:
    return {
        St.DIKIRIM: "Realisasi periode ini sudah dikirim dan menunggu penilaian.",
        St.DINILAI: "Evaluasi periode ini sudah dinilai.",
        St.DRAFT: "Realisasi periode ini belum dikirim pegawai.",
        St.DIKEMBALIKAN: "Realisasi periode ini sedang dikembalikan kepada pegawai untuk diperbaiki.",
    }[ev.status]


def kekurangan_realisasi(ev: Evaluasi) -> list[str]:
    """What is missing before the pegawai may submit (empty when complete)."""
    if ev.periode.is_tahunan:
        return _kekurangan_tahunan(ev)
    problems = []
    rhk_list = list(RencanaHasilKerja.objects.filter(skp=ev.skp).order_by("jenis", "urutan", "pk"))
    aksi = list(
        RencanaAksi.objects.filter(evaluasi=ev).prefetch_related("bukti_set").order_by("rhk_id", "urutan", "pk")
    )
    punya = {ra.rhk_id for ra in aksi}
    for i, rhk in enumerate(rhk_list, 1):
        if rhk.jenis == RencanaHasilKerja.Jenis.UTAMA and rhk.pk not in punya:
            problems.append(f"RHK {i} ({rhk.uraian[:60]}) belum memiliki rencana aksi bulan ini.")
    for ra in aksi:
        nama = f"Rencana aksi \u201c{ra.uraian[:60]}\u201d"
        if ra.target is not None and ra.realisasi is None:
            problems.append(
                f"{nama}: isi angka realisasi (targetnya {ra.target.normalize():f} {ra.satuan}).".replace("  ", " ")
            )
        if not ra.realisasi_uraian.strip():
            problems.append(f"{nama}: isi uraian realisasi.")
        if not ra.bukti_set.all():
            problems.append(f"{nama}: unggah minimal satu bukti dukung (berkas atau tautan https).")
    if not aksi and not problems:
        problems.append("Belum ada rencana aksi pada periode ini.")
    return problems


def _kekurangan_tahunan(ev: Evaluasi) -> list[str]:
    from skp.models import IndikatorKinerja

    iki = list(IndikatorKinerja.objects.filter(rhk__skp=ev.skp).order_by("rhk__jenis", "rhk__urutan", "urutan", "pk"))
    isi = {r.iki_id: r for r in RealisasiTahunan.objects.filter(evaluasi=ev)}
    problems = []
    for row in iki:
        r = isi.get(row.pk)
        if (
            r is None
            or (row.target_min is not None and r.realisasi is None)
            or (row.target_min is None and not r.uraian.strip())
        ):
            problems.append(f"IKI \u201c{row.uraian[:60]}\u201d: isi realisasi tahunan.")
    return problems


@transaction.atomic
def kirim_realisasi(ev: Evaluasi, *, by: Pegawai, versi: int | None = None) -> Evaluasi:
    """ "Kirim realisasi": the pegawai submits the period; it becomes read-only for them."""
    if by.pk != ev.pegawai_id:
        raise PenilaianError("Hanya pegawai yang bersangkutan yang dapat mengirim realisasinya.")
    kunci_evaluasi(ev, versi)
    if not ev.is_editable_state:
        raise PenilaianError(_sudah(ev))
    cek_tidak_terkunci(ev.periode, ev.pegawai_id)
    problems = kekurangan_realisasi(ev)
    if problems:
        raise PenilaianError("Realisasi belum lengkap: " + " ".join(problems))
    old = ev.status
    fields = potret(ev)
    ev.status = St.DIKIRIM
    ev.dikirim_pada = timezone.now()
    ev.catatan_pengembalian = ""
    ev.versi += 1
    ev.save(update_fields=[*fields, "status", "dikirim_pada", "catatan_pengembalian", "versi", "diubah_pada"])
    audit.record(ev, "realisasi_dikirim", by=by, perubahan={"status": (old, ev.status)})
    return ev


@transaction.atomic
def kembalikan_realisasi(ev: Evaluasi, *, by: Pegawai, catatan: str, versi: int | None = None) -> Evaluasi:
    """The penilai returns the submitted realisation with a note; the pegawai may edit again."""
    catatan = (catatan or "").strip()
    if not is_penilai_sekarang(ev, by):
        raise PenilaianError("Hanya pejabat penilai pegawai ini (atau Plt/Plh-nya) yang dapat mengembalikan realisasi.")
    kunci_evaluasi(ev, versi)
    if ev.status != St.DIKIRIM:
        raise PenilaianError(_sudah(ev))
    cek_tidak_terkunci(ev.periode, ev.pegawai_id)
    if not catatan:
        raise PenilaianError("Tuliskan catatan: apa yang perlu diperbaiki pegawai.")
    ev.status = St.DIKEMBALIKAN
    ev.catatan_pengembalian = catatan[:4000]
    ev.versi += 1
    ev.save(update_fields=["status", "catatan_pengembalian", "versi", "diubah_pada"])
    audit.record(ev, "realisasi_dikembalikan", by=by, perubahan={"status": (St.DIKIRIM, ev.status)}, alasan=catatan)
    return ev


@transaction.atomic
def simpan_penilaian(
    ev: Evaluasi,
    *,
    by: Pegawai,
    rating_hasil: str,
    rating_perilaku: str,
    umpan_balik_rhk: dict[int, str] | None = None,
    umpan_balik_perilaku: dict[str, str] | None = None,
    versi: int | None = None,
) -> Evaluasi:
    """The penilai rates a submitted period (or changes the rating before the lock): umpan balik
    per RHK and per BerAKHLAK value, the two ratings, the predikat from the matrix. Saving closes
    an active unlock of the pegawai's period (it locks again)."""
    from penilaian.models import UmpanBalik

    if not is_penilai_sekarang(ev, by):
        raise PenilaianError("Hanya pejabat penilai pegawai ini (atau Plt/Plh-nya) yang dapat menilai.")
    kunci_evaluasi(ev, versi)
    if ev.status not in (St.DIKIRIM, St.DINILAI):
        raise PenilaianError(_sudah(ev) + " Penilaian hanya untuk realisasi yang sudah dikirim.")
    cek_tidak_terkunci(ev.periode, ev.pegawai_id)
    valid = set(Rating.values)
    if rating_hasil not in valid or rating_perilaku not in valid:
        raise PenilaianError("Pilih rating hasil kerja dan rating perilaku kerja.")
    predikat = rules.predikat(rating_hasil, rating_perilaku)
    rhk_ids = set(RencanaHasilKerja.objects.filter(skp=ev.skp).values_list("pk", flat=True))
    rows = []
    for rhk_id, teks in (umpan_balik_rhk or {}).items():
        if int(rhk_id) not in rhk_ids:
            raise PenilaianError("Umpan balik untuk RHK yang bukan bagian SKP ini.")
        if (teks or "").strip():
            rows.append(UmpanBalik(evaluasi=ev, rhk_id=int(rhk_id), teks=teks.strip()[:4000]))
    from skp.rules import BERAKHLAK

    for kode, teks in (umpan_balik_perilaku or {}).items():
        if kode not in BERAKHLAK:
            raise PenilaianError("Umpan balik untuk nilai BerAKHLAK yang tidak dikenal.")
        if (teks or "").strip():
            rows.append(UmpanBalik(evaluasi=ev, perilaku=kode, teks=teks.strip()[:4000]))
    UmpanBalik.objects.filter(evaluasi=ev).delete()
    UmpanBalik.objects.bulk_create(rows)
    old = (ev.status, ev.rating_hasil, ev.rating_perilaku, ev.predikat)
    fields = potret(ev, penilai=by)
    ev.status = St.DINILAI
    ev.rating_hasil, ev.rating_perilaku, ev.predikat = rating_hasil, rating_perilaku, predikat.value
    ev.dinilai_oleh = by
    ev.dinilai_pada = timezone.now()
    ev.versi += 1
    ev.save(
        update_fields=[*fields, "status", "rating_hasil", "rating_perilaku", "predikat", "dinilai_oleh",
                       "dinilai_pada", "versi", "diubah_pada"]
    )  # fmt: skip
    perubahan = {
        "status": (old[0], ev.status),
        "rating_hasil": (old[1], ev.rating_hasil),
        "rating_perilaku": (old[2], ev.rating_perilaku),
        "predikat": (old[3], ev.predikat),
    }
    audit.record(ev, "evaluasi_dinilai", by=by, perubahan={k: v for k, v in perubahan.items() if v[0] != v[1]})
    ditutup = BukaKunci.objects.filter(periode=ev.periode, pegawai_id=ev.pegawai_id, ditutup_pada__isnull=True).update(
        ditutup_pada=timezone.now()
    )
    if ditutup:
        audit.record(ev, "periode_dikunci_kembali", by=by, perubahan={"buka_kunci": ("aktif", "ditutup")})
    if TppBulan.objects.filter(periode_id=ev.periode_id, status=TppBulan.Status.FINAL).exists():
        # The month's TPP is frozen: a changed amount shows as an adjustment in the next open month.
        lama = Predikat(old[3]).label if old[3] else "belum dinilai"
        catat_perubahan(ev.periode, [ev.pegawai_id], f"Evaluasi {ev.periode.nama} dinilai ulang: predikat {lama} → "
                        f"{predikat.label}", by=by)  # fmt: skip
    return ev
