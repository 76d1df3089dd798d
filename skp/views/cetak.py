"""The printable SKP (PermenPANRB 6/2022 form): A4 portrait, official columns, signature blocks."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from skp.models import IntervensiRhk, RencanaHasilKerja, Skp, get_skp_for
from skp.services import snapshot_of


@dataclass
class BarisHasilKerja:
    """One printed row: the first row of an RHK carries its number, links and text (rowspan)."""

    nomor: int
    rhk: RencanaHasilKerja
    rowspan: int
    first: bool
    atasan: list[str]
    aspek: str
    iki: str
    target: str


def hasil_kerja_rows(rhk_list: list[RencanaHasilKerja]) -> list[list[BarisHasilKerja]]:
    """Per RHK its printed rows (one per IKI), so that one RHK never splits across pages."""
    groups: list[list[BarisHasilKerja]] = []
    for nomor, rhk in enumerate(rhk_list, start=1):
        links = [link.rhk_atasan.uraian for link in rhk.link_atas.all()]
        iki = list(rhk.iki_set.all()) or [None]
        rows: list[BarisHasilKerja] = []
        groups.append(rows)
        for i, item in enumerate(iki):
            rows.append(
                BarisHasilKerja(
                    nomor=nomor,
                    rhk=rhk,
                    rowspan=len(iki),
                    first=i == 0,
                    atasan=links,
                    aspek=item.get_aspek_display() if item else "",
                    iki=item.uraian if item else "",
                    target=item.target_display if item else "",
                )
            )
    return groups


def kota_of(regency_name: str) -> str:
    """'Pemerintah Kabupaten Trenggalek' → 'Trenggalek' (the place of signing)."""
    for word in ("Kabupaten", "Kota"):
        if word in regency_name:
            return regency_name.split(word, 1)[1].strip()
    return regency_name


@require_safe
def cetak(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone who can see the SKP may print it. Approved versions print the snapshots taken at
    approval; anything else prints live data under a DRAFT watermark."""
    skp = get_skp_for(request.user, pk)
    approved = skp.status in {Skp.Status.DISETUJUI, Skp.Status.DIGANTI} and bool(skp.snapshot_pegawai)
    if approved:
        pegawai, penilai = skp.snapshot_pegawai, skp.snapshot_penilai
    else:
        pegawai, penilai = snapshot_of(skp.pegawai), snapshot_of(skp.penilai or skp.penilai_sekarang)
    rhk = list(
        skp.rhk_set.prefetch_related(
            "iki_set", Prefetch("link_atas", IntervensiRhk.objects.select_related("rhk_atasan").order_by("pk"))
        )
    )
    context = {
        "skp": skp,
        "approved": approved,
        "pegawai": pegawai,
        "penilai": penilai,
        "utama": hasil_kerja_rows([r for r in rhk if r.jenis == RencanaHasilKerja.Jenis.UTAMA]),
        "tambahan": hasil_kerja_rows([r for r in rhk if r.jenis == RencanaHasilKerja.Jenis.TAMBAHAN]),
        "perilaku": list(skp.perilaku_set.all()),
        "kota": kota_of(settings.REGENCY_NAME),
        "kolom": 5 if skp.is_kualitatif else 6,
    }
    return render(request, "skp/cetak_skp.html", context)
