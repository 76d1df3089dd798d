"""The printable Dokumen Evaluasi Kinerja Pegawai (PermenPANRB 6/2022, Lampiran), monthly and
annual: A4 portrait, from the evaluation's snapshots (never today's data), with the OPD's
capaian organisasi and curve of that period, the RHK with realisasi and umpan balik, perilaku
kerja with umpan balik, the ratings, the predikat and the signature blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from ekinerja.angka import format_angka
from penilaian.models import Evaluasi, RealisasiTahunan, RencanaAksi, UmpanBalik
from penilaian.services._common import get_evaluasi_for, kurva_opd
from skp.models import IntervensiRhk, RencanaHasilKerja
from skp.rules import BERAKHLAK
from skp.views.cetak import kota_of


@dataclass
class BarisCetak:
    """One printed IKI row; the first row of an RHK carries its number, links, text and umpan
    balik (rowspan), so one RHK never splits across pages."""

    nomor: int
    rhk: RencanaHasilKerja
    rowspan: int
    first: bool
    atasan: list[str]
    aspek: str
    iki: str
    target: str
    realisasi: list[str] = field(default_factory=list)
    umpan_balik: str = ""


def _angka(value, satuan: str) -> str:
    return f"{format_angka(value)} {satuan}".strip() if value is not None else ""


def _realisasi_per_iki(ev: Evaluasi) -> dict[int, list[str]]:
    """IKI id → the lines printed in the realisasi column (one query)."""
    hasil: dict[int, list[str]] = {}
    if ev.periode.is_tahunan:
        for r in RealisasiTahunan.objects.filter(evaluasi=ev).select_related("iki"):
            teks = " — ".join(t for t in (_angka(r.realisasi, r.iki.satuan), r.uraian.strip()) if t)
            hasil.setdefault(r.iki_id, []).append(teks or "-")
        return hasil
    for ra in RencanaAksi.objects.filter(evaluasi=ev).order_by("urutan", "pk"):
        angka = _angka(ra.realisasi, ra.satuan)
        teks = f"{ra.uraian}: {angka}" if angka else ra.uraian
        if ra.realisasi_uraian.strip():
            teks += f" — {ra.realisasi_uraian.strip()}"
        hasil.setdefault(ra.iki_id, []).append(teks)
    return hasil


def _baris(ev: Evaluasi, rhk_list: list[RencanaHasilKerja], ub_rhk: dict[int, str]) -> list[list[BarisCetak]]:
    realisasi = _realisasi_per_iki(ev)
    groups = []
    for nomor, rhk in enumerate(rhk_list, 1):
        links = [link.rhk_atasan.uraian for link in rhk.link_atas.all()]
        iki_list = list(rhk.iki_set.all()) or [None]
        groups.append(
            [
                BarisCetak(
                    nomor=nomor,
                    rhk=rhk,
                    rowspan=len(iki_list),
                    first=i == 0,
                    atasan=links,
                    aspek=iki.get_aspek_display() if iki else "",
                    iki=iki.uraian if iki else "",
                    target=iki.target_display if iki else "",
                    realisasi=realisasi.get(iki.pk, []) if iki else [],
                    umpan_balik=ub_rhk.get(rhk.pk, ""),
                )
                for i, iki in enumerate(iki_list)
            ]
        )
    return groups


@require_safe
def cetak(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever may see the evaluation may print it once it is rated (DINILAI); before that the
    page says why there is no document yet (404: the document does not exist)."""
    ev = get_evaluasi_for(request.user, pk)
    if ev.status != Evaluasi.Status.DINILAI:
        return render(request, "penilaian/cetak_belum.html", {"ev": ev}, status=404)
    links = IntervensiRhk.objects.select_related("rhk_atasan").order_by("pk")
    rhk = list(
        RencanaHasilKerja.objects.filter(skp_id=ev.skp_id)
        .order_by("jenis", "urutan", "pk")
        .prefetch_related("iki_set", Prefetch("link_atas", queryset=links))
    )
    ub = list(UmpanBalik.objects.filter(evaluasi=ev))
    ub_rhk = {u.rhk_id: u.teks for u in ub if u.rhk_id}
    ub_perilaku = {u.perilaku: u.teks for u in ub if u.perilaku}
    perilaku = [
        {"nama": p.get_nilai_display(), "panduan": BERAKHLAK[p.nilai].panduan, "ekspektasi": p.ekspektasi_khusus,
         "umpan_balik": ub_perilaku.get(p.nilai, "")}
        for p in ev.skp.perilaku_set.all()
    ]  # fmt: skip
    kurva = kurva_opd(ev.periode, ev.snap_opd) if ev.snap_opd_id else None
    context = {
        "ev": ev,
        "kualitatif": ev.skp.is_kualitatif,
        "kolom": 7 if ev.skp.is_kualitatif else 8,
        "pegawai": ev.snapshot_pegawai,
        "penilai": ev.snapshot_penilai,
        "atasan": ev.snapshot_atasan_penilai,
        "utama": _baris(ev, [r for r in rhk if r.jenis == RencanaHasilKerja.Jenis.UTAMA], ub_rhk),
        "tambahan": _baris(ev, [r for r in rhk if r.jenis == RencanaHasilKerja.Jenis.TAMBAHAN], ub_rhk),
        "perilaku": perilaku,
        "kurva": kurva,
        "kota": kota_of(settings.REGENCY_NAME),
        "tanggal": timezone.localtime(ev.dinilai_pada).date() if ev.dinilai_pada else None,
    }
    return render(request, "penilaian/cetak_evaluasi.html", context)


urlpatterns = [
    path("evaluasi/<int:pk>/cetak/", cetak, name="cetak"),
]
