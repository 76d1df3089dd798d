"""Pemantauan (completion monitoring, issue #8 §6): the month's progress per OPD (SKP approved,
realisation submitted, evaluations done, attendance present) with a chart, the OPD page listing
the names per missing item with whose turn it is, and the list of who is late as .xlsx.

Who reads (SPEC §9, as the kurva): admin BKD, auditor, superuser every OPD; admin OPD and
pimpinan (Kepala OPD or an active Plt/Plh of it; the Sekda and the Bupati) their OPDs. Others:
403; an OPD outside the viewer's: 404. Read only: no POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ekinerja.replika import laporan
from opd.models import Opd, Pegawai
from penilaian import tugas
from penilaian.exports_monitoring import nama_berkas, terlambat_untuk, tulis_terlambat
from penilaian.models import Periode
from penilaian.services import monitoring as services
from penilaian.services._common import periode_sekarang
from penilaian.services.monitoring import GILIRAN_LANGKAH, BarisOpd, Giliran, Item
from penilaian.views.periode import get_periode

_MAX_PK = 2**31 - 1
PER_HALAMAN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Access helpers -----------------------------------------------------------------------------------


def _require_pemantau(user: Pegawai) -> None:
    if not services.boleh_memantau(user):
        raise PermissionDenied("Halaman pemantauan untuk admin, auditor dan pimpinan OPD.")


def get_opd_pantau_for(user: Pegawai, pk: int) -> Opd:
    opd = services.opd_dipantau(user).filter(pk=pk).first() if 0 < pk <= _MAX_PK else None
    if opd is None:
        raise Http404("OPD tidak ditemukan.")
    return opd


def _bulan(request: HttpRequest, tahun: int, bulan: int) -> Periode:
    _require_pemantau(request.user)
    if bulan == 0:  # the annual period has its own pages
        raise Http404("Periode tidak ditemukan.")
    return get_periode(tahun, bulan)


# The chart ----------------------------------------------------------------------------------------

# SVG units: labels left of x=LABEL, bars from LABEL to LABEL+LEBAR (100 %), one band per OPD.
LABEL, LEBAR, ATAS, PITA = 168, 440, 24, 26
SERI = (
    ("persen_dikirim", "Realisasi dikirim", "#0d6efd"),
    ("persen_dinilai", "Dinilai", "#198754"),
    ("persen_presensi", "Presensi", "#ffc107"),
)


def _koma(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def grafik(rows: list[BarisOpd]) -> dict:
    """Grouped horizontal bars per OPD (realisation submitted, rated, attendance, in percent of
    the OPD's pegawai), as numbers for templates/penilaian/monitoring_grafik.html. Every
    coordinate is a float the template writes with |stringformat (never localised)."""
    band = []
    for i, r in enumerate(rows):
        y = ATAS + i * PITA
        c = r.capaian
        band.append(
            {
                "label": r.opd.kode + (" ★" if r.opd.pilot else ""),
                "nama": r.opd.nama,
                "y_label": y + 14.0,
                "bars": [
                    {"x": float(LABEL), "y": y + 3.0 + j * 7, "w": round(getattr(c, attr) * LEBAR / 100, 1),
                     "warna": warna, "judul": f"{r.opd.nama} — {label}: {_koma(getattr(c, attr))} %"}
                    for j, (attr, label, warna) in enumerate(SERI)
                ],
            }
        )  # fmt: skip
    tinggi = ATAS + len(rows) * PITA + 6
    grid = [{"x": LABEL + p * LEBAR / 100, "label": f"{p} %"} for p in (0, 25, 50, 75, 100)]
    return {"band": band, "tinggi": float(tinggi), "lebar": float(LABEL + LEBAR + 24), "grid": grid,
            "y_bawah": float(tinggi - 4), "seri": [(label, warna) for _, label, warna in SERI]}  # fmt: skip


# Overview -----------------------------------------------------------------------------------------


@require_safe
def pemantauan(request: HttpRequest) -> HttpResponse:
    """The current month's overview; `?periode=TAHUN-BULAN` switches month (the selector)."""
    _require_pemantau(request.user)
    tahun, _, bulan = request.GET.get("periode", "").partition("-")
    if tahun.isdigit() and bulan.isdigit() and len(tahun) <= 4 and len(bulan) <= 2:
        return redirect("penilaian:pemantauan_bulan", tahun=int(tahun), bulan=int(bulan))
    periode = periode_sekarang()
    if periode is None:
        return render(request, "penilaian/monitoring_kosong.html", {})
    return redirect("penilaian:pemantauan_bulan", tahun=periode.tahun, bulan=periode.bulan)


@require_safe
@laporan
def pemantauan_bulan(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    periode = _bulan(request, tahun, bulan)
    rows = services.capaian_per_opd(periode, services.opd_dipantau(request.user))
    return render(
        request,
        "penilaian/monitoring_bulan.html",
        {
            "periode": periode,
            "rows": rows,
            "total": services.total(rows),
            "grafik": grafik(rows),
            "periode_pilihan": Periode.objects.bulanan().order_by("-tahun", "-bulan").only("tahun", "bulan"),
            "terlambat_realisasi": periode.is_lewat_batas_realisasi(),
            "terlambat_penilaian": periode.is_terkunci(),
        },
    )


# OPD page -----------------------------------------------------------------------------------------


def _pilihan(capaian: services.Capaian, item: str) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """Filter pills: each item with how many miss it; the turns of `item` with their counts
    (attendance is the admin BKD's; the other items the pegawai's or the penilai's)."""
    per_item: dict[str, dict[str, int]] = {}
    for key, belum in services.BELUM.items():
        counts: dict[str, int] = {}
        for langkah in belum:
            g = GILIRAN_LANGKAH[langkah]
            counts[g] = counts.get(g, 0) + capaian.langkah.get(langkah, 0)
        per_item[key] = counts
    per_item[Item.PRESENSI] = {Giliran.BKD: capaian.jumlah - capaian.presensi}
    items = [{"item": i, "label": i.label, "belum": sum(per_item[i].values())} for i in Item]
    giliran = [("", "Semua", sum(per_item[item].values()))] + [
        (g.value, g.label, per_item[item].get(g.value, 0))
        for g in Giliran
        if (g == Giliran.BKD) == (item == Item.PRESENSI)
    ]
    return items, giliran


@require_safe
@laporan
def pemantauan_opd(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    periode = _bulan(request, tahun, bulan)
    opd = get_opd_pantau_for(request.user, opd_pk)
    item = request.GET.get("item", "")
    item = item if item in Item.values else Item.PENILAIAN
    giliran = request.GET.get("giliran", "")
    giliran = giliran if giliran in Giliran.values else ""
    (baris,) = services.capaian_per_opd(periode, [opd])
    qs = services.daftar(services.saring(services.populasi(periode, [opd.pk]), item=item, giliran=giliran))
    halaman = Paginator(qs, PER_HALAMAN).get_page(request.GET.get("halaman"))
    rows = services.baris_pegawai(periode, halaman.object_list, opds={opd.pk: opd})
    items, giliran_pilihan = _pilihan(baris.capaian, item)
    return render(
        request,
        "penilaian/monitoring_opd.html",
        {
            "periode": periode,
            "opd": opd,
            "capaian": baris.capaian,
            "item": Item(item),
            "giliran": giliran,
            "items": items,
            "giliran_pilihan": giliran_pilihan,
            "halaman": halaman,
            "rows": rows,
            "today": timezone.localdate(),
        },
    )


# Who is late (.xlsx) ------------------------------------------------------------------------------


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@laporan
def pemantauan_terlambat(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    """Every OPD the viewer monitors: all of them for the admin BKD, their own for an admin OPD."""
    periode = _bulan(request, tahun, bulan)
    berkas = terlambat_untuk(periode, request.user)
    return _xlsx(berkas.data, berkas.nama)


@require_POST
def pemantauan_terlambat_siapkan(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    """The same file as `pemantauan_terlambat`, prepared by a background job whose page shows the
    progress and then the download (its starter's only)."""
    from opd import pekerjaan

    periode = _bulan(request, tahun, bulan)
    job = pekerjaan.jalankan(
        tugas.ekspor_terlambat, periode.tahun, periode.bulan, request.user.pk, jenis="ekspor_terlambat",
        judul=f"Daftar terlambat {periode.nama}", by=request.user, kunci=f"terlambat:{periode.pk}",
        parameter={"kembali": reverse("penilaian:pemantauan_bulan", args=[periode.tahun, periode.bulan]),
                   "kembali_label": f"Kembali ke pemantauan {periode.nama}"},
    )  # fmt: skip
    messages.success(request, f"Daftar terlambat {periode.nama} sedang disiapkan.")
    return redirect("opd:pekerjaan_detail", pk=job.pk)


@require_safe
@laporan
def pemantauan_opd_terlambat(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    periode = _bulan(request, tahun, bulan)
    opd = get_opd_pantau_for(request.user, opd_pk)
    rows = services.daftar_terlambat(periode, [opd])
    return _xlsx(tulis_terlambat(periode, rows, lingkup=opd.nama), nama_berkas(periode, opd))


urlpatterns = [
    path("pemantauan/", pemantauan, name="pemantauan"),
    path("pemantauan/<int:tahun>/<int:bulan>/", pemantauan_bulan, name="pemantauan_bulan"),
    path("pemantauan/<int:tahun>/<int:bulan>/terlambat.xlsx", pemantauan_terlambat, name="pemantauan_terlambat"),
    path(
        "pemantauan/<int:tahun>/<int:bulan>/terlambat/siapkan/",
        pemantauan_terlambat_siapkan,
        name="pemantauan_terlambat_siapkan",
    ),
    path("pemantauan/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/", pemantauan_opd, name="pemantauan_opd"),
    path(
        "pemantauan/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/terlambat.xlsx",
        pemantauan_opd_terlambat,
        name="pemantauan_opd_terlambat",
    ),
]
