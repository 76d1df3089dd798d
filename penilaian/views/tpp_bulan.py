"""The month's TPP basis pages (SPEC §7): the regency page (per OPD: pegawai, amount, rows not final;
the total; status; the admin BKD's finalise form), the OPD page (rows with their flags and whose
turn it is, the adjustments recorded in this month), and one pegawai's breakdown.

Who reads (SPEC §9): admin BKD, auditor, superuser every OPD; admin OPD and pimpinan (Kepala OPD,
Sekda, Bupati) their OPDs, read-only; an OPD outside theirs answers 404. A pegawai reads their own
breakdown only. Everybody else: 404. Finalising: the admin BKD (other readers 403).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from ekinerja.replika import laporan
from opd.models import Opd, Pegawai
from penilaian.models import Periode
from penilaian.services import kurva as kurva_services
from penilaian.services import tpp_bulan as services
from penilaian.services._common import periode_sekarang
from penilaian.views.periode import get_periode

_MAX_PK = 2**31 - 1
BARIS_PER_HALAMAN = 100  # rows of the per-OPD page


class FinalForm(forms.Form):
    konfirmasi = forms.BooleanField(
        label="Saya memahami bahwa setelah difinalkan, angka TPP bulan ini dibekukan; perubahan sesudahnya "
        "dicatat sebagai penyesuaian pada bulan berikutnya.",
        error_messages={"required": "Centang pernyataan untuk memfinalkan TPP bulan ini."},
    )


# Access helpers -----------------------------------------------------------------------------------


def boleh_membaca_tpp(user: Pegawai) -> bool:
    """Reads a month's TPP pages (the same readers as the kurva: their OPDs or every OPD)."""
    return kurva_services.boleh_membaca_kurva(user)


def _require_pembaca(user: Pegawai) -> None:
    if not boleh_membaca_tpp(user):
        raise Http404("Halaman tidak ditemukan.")


def _periode(tahun: int, bulan: int) -> Periode:
    if bulan < 1:
        raise Http404("TPP dihitung per bulan.")
    return get_periode(tahun, bulan)


def get_opd_tpp_for(user: Pegawai, pk: int) -> Opd:
    opd = kurva_services.opd_kurva_visible_to(user).filter(pk=pk).first() if 0 < pk <= _MAX_PK else None
    if opd is None:
        raise Http404("OPD tidak ditemukan.")
    return opd


def get_rincian_for(user: Pegawai, periode: Periode, pk: int) -> Pegawai:
    """The pegawai whose breakdown `user` may read: themself; anyone for the admin BKD and the
    auditor; the pegawai of their OPDs (the OPD of the month's row) for admin OPD and pimpinan."""
    pegawai = Pegawai.objects.filter(pk=pk).first() if 0 < pk <= _MAX_PK else None
    if pegawai is None:
        raise Http404("Pegawai tidak ditemukan.")
    if pegawai.pk == user.pk or user.can_read_all():
        return pegawai
    if boleh_membaca_tpp(user):
        opd_id = services.opd_bulan_pegawai(periode, pegawai.pk)
        if opd_id is not None and kurva_services.opd_kurva_visible_to(user).filter(pk=opd_id).exists():
            return pegawai
    raise Http404("Pegawai tidak ditemukan.")


def _data_terlihat(user: Pegawai, periode: Periode) -> services.RingkasanBulan:
    """The month's totals per OPD for the OPDs `user` reads (grouped, not row by row)."""
    if user.can_read_all():
        return services.ringkasan_bulan(periode)
    return services.ringkasan_bulan(
        periode, opd_ids=list(kurva_services.opd_kurva_visible_to(user).values_list("pk", flat=True))
    )


# Pages --------------------------------------------------------------------------------------------


@require_safe
def tpp(request: HttpRequest) -> HttpResponse:
    """The current month; `?periode=TAHUN-BULAN` switches month (the picker)."""
    _require_pembaca(request.user)
    tahun, _, bulan = request.GET.get("periode", "").partition("-")
    if tahun.isdigit() and bulan.isdigit() and len(tahun) <= 4 and len(bulan) <= 2:
        return redirect("penilaian:tpp_bulan", tahun=int(tahun), bulan=int(bulan))
    periode = periode_sekarang()
    if periode is None:
        return render(request, "penilaian/tpp_kosong.html", {"pesan": "Belum ada periode bulanan yang dibuka."})
    return redirect("penilaian:tpp_bulan", tahun=periode.tahun, bulan=periode.bulan)


@require_safe
def tpp_saya(request: HttpRequest) -> HttpResponse:
    """The pegawai's own breakdown of the current month."""
    periode = periode_sekarang()
    if periode is not None and services.opd_bulan_pegawai(periode, request.user.pk) is not None:
        return redirect("penilaian:tpp_pegawai", tahun=periode.tahun, bulan=periode.bulan, pegawai_pk=request.user.pk)
    pesan = "Belum ada periode bulanan yang dibuka." if periode is None else (
        f"Anda tidak termasuk dalam perhitungan TPP periode {periode.nama}."
    )  # fmt: skip
    return render(request, "penilaian/tpp_kosong.html", {"pesan": pesan})


def _render_bulan(request: HttpRequest, periode: Periode, *, form: FinalForm | None = None, error: str = ""):
    tpp = services.tpp_bulan_of(periode)
    try:
        data = _data_terlihat(request.user, periode)
    except services.TppError as exc:
        data, error = None, error or str(exc)
    pengelola = services.is_pengelola_tpp(request.user)
    final = bool(tpp and tpp.is_final)
    rows = [
        {"opd": o, "pk": o.pk, "jumlah_pegawai": o.jumlah_pegawai, "belum_final": o.belum_final}
        for o in (data.opd if data else ())
    ]
    context = {
        "periode": periode,
        "data": data,
        "tpp": tpp,
        "rows": rows,
        "total_pegawai": sum(r["jumlah_pegawai"] for r in rows),
        "total_belum_final": sum(r["belum_final"] for r in rows),
        "kabupaten": request.user.can_read_all(),
        "can_finalkan": pengelola and not final and data is not None and periode.is_terkunci(),
        "alasan_belum_bisa": ""
        if not pengelola or final or data is None or periode.is_terkunci()
        else (f"TPP dapat difinalkan setelah batas penilaian ({periode.batas_penilaian:%d-%m-%Y}) lewat."),
        "form": form or FinalForm(),
        "error": error,
        "periode_pilihan": Periode.objects.bulanan().order_by("-tahun", "-bulan").only("tahun", "bulan"),
    }
    return render(request, "penilaian/tpp_bulan.html", context)


@require_safe
@laporan
def tpp_bulan(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    _require_pembaca(request.user)
    return _render_bulan(request, _periode(tahun, bulan))


@require_POST
def tpp_finalkan(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    _require_pembaca(request.user)
    periode = _periode(tahun, bulan)
    if not services.is_pengelola_tpp(request.user):
        raise PermissionDenied("Hanya admin BKD yang memfinalkan TPP.")
    form = FinalForm(request.POST)
    error = ""
    if form.is_valid():
        # The usual refusals at once; the freeze itself (every pegawai of the regency) runs as a
        # background job whose page shows the progress and the outcome.
        error = services.alasan_tidak_bisa_difinalkan(periode) or ""
        if not error:
            from opd import pekerjaan
            from penilaian import tugas

            kembali = reverse("penilaian:tpp_bulan", args=[periode.tahun, periode.bulan])
            job = pekerjaan.jalankan(
                tugas.finalkan_tpp, periode.tahun, periode.bulan, request.user.pk, jenis="finalkan_tpp",
                judul=f"Finalisasi TPP {periode.nama}", by=request.user,
                parameter={"tahun": periode.tahun, "bulan": periode.bulan, "kembali": kembali},
                kunci=f"tpp:{periode.tahun}-{periode.bulan}",
            )  # fmt: skip
            messages.success(request, f"Finalisasi TPP {periode.nama} dimulai.")
            return redirect("opd:pekerjaan_detail", pk=job.pk)
    return _render_bulan(request, periode, form=form, error=error)


def _tanpa_catatan(keterangan: str, catatan: tuple[str, ...]) -> str:
    parts = [
        p for p in keterangan.split("; ") if p and p not in catatan and p.removeprefix("Kinerja 0: ") not in catatan
    ]
    return "; ".join(parts)


@require_safe
@laporan
def tpp_opd(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    _require_pembaca(request.user)
    periode = _periode(tahun, bulan)
    opd = get_opd_tpp_for(request.user, opd_pk)
    tpp = services.tpp_bulan_of(periode)
    try:
        isi, error = services.tpp_opd_bulan(periode, opd, tpp), ""
    except services.TppError as exc:
        isi, error = None, str(exc)
    # An OPD of thousands (a province's Dinkes: 3,640 at 100,000 pegawai): rows by page, the totals
    # those of the whole OPD; an open month computes only the shown page's rows (issue #9 bench).
    page = Paginator(isi.baris if isi else (), BARIS_PER_HALAMAN).get_page(request.GET.get("page"))
    context = {
        # The flags show apart (with whose turn it is); Keterangan keeps the other reasons.
        "baris": [(b, _tanpa_catatan(b.keterangan, b.catatan_belum_final)) for b in page.object_list],
        "page": page,
        "periode": periode,
        "opd": opd,
        "tpp": tpp,
        "isi": isi,
        "error": error,
    }
    return render(request, "penilaian/tpp_opd.html", context)


@require_safe
@laporan
def tpp_pegawai(request: HttpRequest, tahun: int, bulan: int, pegawai_pk: int) -> HttpResponse:
    periode = _periode(tahun, bulan)
    pegawai = get_rincian_for(request.user, periode, pegawai_pk)
    try:
        rincian, error = services.rincian_pegawai(periode, pegawai), ""
    except services.TppError as exc:
        rincian, error = None, str(exc)
    if rincian is None and not error:
        raise Http404("Pegawai ini tidak termasuk dalam TPP bulan ini.")
    opd = Opd.objects.filter(pk=rincian.opd_id).first() if rincian else None
    # Breadcrumb links only where the viewer may open them (SPEC §9).
    boleh_opd = opd is not None and kurva_services.opd_kurva_visible_to(request.user).filter(pk=opd.pk).exists()
    context = {"periode": periode, "pegawai": pegawai, "rincian": rincian, "error": error, "opd": opd,
               "boleh_bulan": boleh_membaca_tpp(request.user), "boleh_opd": boleh_opd}  # fmt: skip
    return render(request, "penilaian/tpp_pegawai.html", context)


urlpatterns = [
    path("tpp/", tpp, name="tpp"),
    path("tpp/saya/", tpp_saya, name="tpp_saya"),
    path("tpp/<int:tahun>/<int:bulan>/", tpp_bulan, name="tpp_bulan"),
    path("tpp/<int:tahun>/<int:bulan>/finalkan/", tpp_finalkan, name="tpp_finalkan"),
    path("tpp/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/", tpp_opd, name="tpp_opd"),
    path("tpp/<int:tahun>/<int:bulan>/pegawai/<int:pegawai_pk>/", tpp_pegawai, name="tpp_pegawai"),
]
