"""The pegawai's month (issue #7 §3): the month page, rencana aksi, realisasi with bukti dukung,
"Salin rencana aksi bulan lalu", "Kirim realisasi"; the read view of one evaluation; the bukti
download through the access check.

Every view: fetch through the access helpers (404 when not visible) → only the pegawai acts on
their own month (403) → form → one service → message → redirect. Whether the state allows it
(submitted, rated, locked, stale tab) is the service's call: the user gets its message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from penilaian.bukti import JENIS_INLINE, PENJELASAN_JENIS, maks_ukuran_teks, respons_unduh
from penilaian.forms_bulanan import BerkasForm, RealisasiForm, RencanaAksiForm, TautanForm
from penilaian.models import Evaluasi, Periode
from penilaian.services import alur, bulanan
from penilaian.services._common import (
    PenilaianError,
    get_evaluasi_for,
    is_penilai_sekarang,
    is_terkunci_untuk,
    periode_sekarang,
)
from skp.models import RencanaHasilKerja, alasan_tanpa_skp

St = Evaluasi.Status


def _url_atau_kosong(name: str, *args: object) -> str:
    """A page of another helper's area, linked only once it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _url_bulan(periode: Periode, anchor: str = "") -> str:
    return reverse("penilaian:bulanan_detail", args=[periode.tahun, periode.bulan]) + anchor


def _ke_bulan(ev: Evaluasi, anchor: str = "") -> HttpResponse:
    return redirect(_url_bulan(ev.periode, anchor))


def _evaluasi_milik(request: HttpRequest, pk: int) -> Evaluasi:
    ev = get_evaluasi_for(request.user, pk)
    _require(bulanan.is_pemilik(ev, request.user))
    return ev


# Pages -----------------------------------------------------------------------------------------


@require_safe
def bulanan_index(request: HttpRequest) -> HttpResponse:
    periode = periode_sekarang()
    if periode is None:
        return render(request, "penilaian/bulanan_kosong.html", {})
    return redirect(_url_bulan(periode))


@require_safe
def bulanan_detail(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    if not 1 <= bulan <= 12:
        raise Http404("Bulan tidak dikenal.")
    periode = Periode.objects.filter(tahun=tahun, bulan=bulan).first()
    if periode is None:
        raise Http404("Periode ini belum dibuka.")
    user = request.user
    alasan = alasan_tanpa_skp(user)
    data = bulanan.halaman_bulan(user, periode) if not alasan else None
    return render(
        request, "penilaian/bulanan_detail.html", {"periode": periode, "data": data, "alasan_tanpa_skp": alasan}
    )


@require_safe
def evaluasi(request: HttpRequest, pk: int) -> HttpResponse:
    ev = get_evaluasi_for(request.user, pk)
    terkunci = is_terkunci_untuk(ev.periode, ev.pegawai_id)
    (bagian,) = bulanan.bagian_evaluasi([ev], user=request.user, terkunci=True)
    boleh_menilai = not terkunci and ev.status in (St.DIKIRIM, St.DINILAI) and is_penilai_sekarang(ev, request.user)
    context = {
        "ev": ev, "b": bagian, "is_pemilik": bulanan.is_pemilik(ev, request.user), "terkunci": terkunci,
        "nilai_url": _url_atau_kosong("penilaian:nilai", ev.pk) if boleh_menilai else "",
    }  # fmt: skip
    return render(request, "penilaian/evaluasi_detail.html", context)


# Rencana aksi ----------------------------------------------------------------------------------


def _rhk_list(ev: Evaluasi, rhk_id: int | None = None) -> list[RencanaHasilKerja]:
    rows = bulanan.urut_rhk(RencanaHasilKerja.objects.filter(skp_id=ev.skp_id).prefetch_related("iki_set"))
    return [r for r in rows if r.pk == rhk_id] if rhk_id else rows


@require_http_methods(["GET", "POST"])
def rencana_aksi_tambah(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluasi_milik(request, pk)
    rhk_list = _rhk_list(ev)
    error = ""
    if request.method == "POST":
        form = RencanaAksiForm(request.POST, rhk_list=rhk_list)
        if form.is_valid():
            d = form.cleaned_data
            try:
                ra = bulanan.tambah_rencana_aksi(
                    ev, by=request.user, versi=form.versi_value(), rhk_id=form.rhk_id(), iki_id=d["iki"],
                    uraian=d["uraian"], target=d["target"], satuan=d["satuan"],
                )  # fmt: skip
            except PenilaianError as e:
                error = str(e)
            else:
                messages.success(request, "Rencana aksi ditambahkan.")
                return _ke_bulan(ev, f"#aksi-{ra.pk}")
    else:
        rhk = next((r for r in rhk_list if str(r.pk) == request.GET.get("rhk")), rhk_list[0] if rhk_list else None)
        iki = next(iter(rhk.iki_set.all()), None) if rhk else None
        form = RencanaAksiForm(initial={"versi": ev.versi, "iki": iki.pk if iki else None}, rhk_list=rhk_list)
    context = {"ev": ev, "form": form, "error": error, "ra": None}
    return render(request, "penilaian/bulanan_rencana_aksi_form.html", context)


@require_http_methods(["GET", "POST"])
def rencana_aksi_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    ra = bulanan.get_rencana_aksi_for(request.user, pk)
    ev = ra.evaluasi
    _require(bulanan.is_pemilik(ev, request.user))
    rhk_list = _rhk_list(ev, ra.rhk_id)
    error = ""
    if request.method == "POST":
        form = RencanaAksiForm(request.POST, rhk_list=rhk_list)
        if form.is_valid():
            d = form.cleaned_data
            try:
                bulanan.ubah_rencana_aksi(
                    ra, by=request.user, versi=form.versi_value(), iki_id=d["iki"], uraian=d["uraian"],
                    target=d["target"], satuan=d["satuan"],
                )  # fmt: skip
            except PenilaianError as e:
                error = str(e)
            else:
                messages.success(request, "Rencana aksi disimpan.")
                return _ke_bulan(ev, f"#aksi-{ra.pk}")
    else:
        initial = {"versi": ev.versi, "iki": ra.iki_id, "uraian": ra.uraian, "target": ra.target, "satuan": ra.satuan}
        form = RencanaAksiForm(initial=initial, rhk_list=rhk_list)
    context = {"ev": ev, "form": form, "error": error, "ra": ra}
    return render(request, "penilaian/bulanan_rencana_aksi_form.html", context)


@require_POST
def rencana_aksi_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    ra = bulanan.get_rencana_aksi_for(request.user, pk)
    ev = ra.evaluasi
    _require(bulanan.is_pemilik(ev, request.user))
    try:
        bulanan.hapus_rencana_aksi(ra, by=request.user, versi=_versi(request))
    except PenilaianError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "Rencana aksi dihapus.")
    return _ke_bulan(ev)


def _versi(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("versi", ""))
    except ValueError:
        return -1  # a stale/forged value: the service answers KonflikVersi


@require_POST
def salin_bulan_lalu(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluasi_milik(request, pk)
    try:
        n = bulanan.salin_rencana_aksi_bulan_lalu(ev, by=request.user, versi=_versi(request))
    except PenilaianError as e:
        messages.error(request, str(e))
    else:
        if n:
            messages.success(
                request, f"{n} rencana aksi disalin dari bulan lalu. Sesuaikan target bulan ini bila perlu."
            )
        else:
            messages.info(request, "Semua rencana aksi bulan lalu sudah ada di bulan ini; tidak ada yang disalin.")
    return _ke_bulan(ev)


# Realisasi and bukti (one page per rencana aksi) -------------------------------------------------


def _halaman_aksi(request: HttpRequest, ra, *, realisasi_form=None, berkas_form=None, tautan_form=None, error=""):
    ev = ra.evaluasi
    terkunci = is_terkunci_untuk(ev.periode, ev.pegawai_id)
    bisa_ubah = ev.is_editable_state and not terkunci
    initial = {"versi": ev.versi}
    c, n = bulanan.capaian_aksi(ra)
    baris = bulanan.BarisAksi(ra=ra, bukti=list(ra.bukti_set.order_by("diunggah_pada", "pk")), capaian=c, nilai=n)
    context = {
        "ev": ev, "ra": ra, "a": baris, "bisa_ubah": bisa_ubah, "terkunci": terkunci, "error": error,
        "realisasi_form": realisasi_form or RealisasiForm(
            initial={**initial, "realisasi": ra.realisasi, "realisasi_uraian": ra.realisasi_uraian}
        ),
        "berkas_form": berkas_form or BerkasForm(initial=initial),
        "tautan_form": tautan_form or TautanForm(initial=initial),
        "jenis_berkas": PENJELASAN_JENIS, "maks_ukuran": maks_ukuran_teks(),
    }  # fmt: skip
    return render(request, "penilaian/bulanan_rencana_aksi.html", context)


def _aksi_milik(request: HttpRequest, pk: int):
    ra = bulanan.get_rencana_aksi_for(request.user, pk)
    _require(bulanan.is_pemilik(ra.evaluasi, request.user))
    return ra


@require_http_methods(["GET", "POST"])
def rencana_aksi(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the rencana aksi with its realisasi and bukti forms; POST: save the realisasi."""
    ra = _aksi_milik(request, pk)
    if request.method == "GET":
        return _halaman_aksi(request, ra)
    form = RealisasiForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            bulanan.simpan_realisasi(
                ra, by=request.user, versi=form.versi_value(), realisasi=d["realisasi"],
                realisasi_uraian=d["realisasi_uraian"],
            )  # fmt: skip
        except PenilaianError as e:
            return _halaman_aksi(request, ra, realisasi_form=form, error=str(e))
        messages.success(request, "Realisasi disimpan.")
        return redirect("penilaian:rencana_aksi", pk=ra.pk)
    return _halaman_aksi(request, ra, realisasi_form=form, error="Periksa kembali isian realisasi.")


@require_POST
def bukti_unggah(request: HttpRequest, pk: int) -> HttpResponse:
    ra = _aksi_milik(request, pk)
    form = BerkasForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = bulanan.tambah_bukti_berkas(
                ra, by=request.user, versi=form.versi_value(), upload=form.cleaned_data["berkas"],
                keterangan=form.cleaned_data["keterangan"],
            )  # fmt: skip
        except PenilaianError as e:
            return _halaman_aksi(request, ra, berkas_form=form, error=str(e))
        messages.success(request, f"Bukti dukung “{row.nama_berkas}” diunggah.")
        return redirect(reverse("penilaian:rencana_aksi", args=[ra.pk]) + "#bukti")
    return _halaman_aksi(request, ra, berkas_form=form, error="Berkas belum dipilih atau tidak dapat dibaca.")


@require_POST
def bukti_tautan(request: HttpRequest, pk: int) -> HttpResponse:
    ra = _aksi_milik(request, pk)
    form = TautanForm(request.POST)
    if form.is_valid():
        try:
            bulanan.tambah_bukti_tautan(
                ra, by=request.user, versi=form.versi_value(), tautan=form.cleaned_data["tautan"],
                keterangan=form.cleaned_data["keterangan"],
            )  # fmt: skip
        except PenilaianError as e:
            return _halaman_aksi(request, ra, tautan_form=form, error=str(e))
        messages.success(request, "Tautan bukti dukung ditambahkan.")
        return redirect(reverse("penilaian:rencana_aksi", args=[ra.pk]) + "#bukti")
    return _halaman_aksi(request, ra, tautan_form=form, error="Periksa kembali isian tautan.")


@require_safe
def bukti(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a bukti file (or follow its link) for anyone who may see its evaluation."""
    row = bulanan.get_bukti_for(request.user, pk)
    if not row.is_berkas:
        return redirect(row.tautan)
    inline = request.GET.get("inline") == "1" and row.mime in JENIS_INLINE
    return respons_unduh(berkas=row.berkas, nama_berkas=row.nama_berkas, mime=row.mime, inline=inline)


@require_POST
def bukti_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    row = bulanan.get_bukti_for(request.user, pk)
    ra = row.rencana_aksi
    _require(bulanan.is_pemilik(ra.evaluasi, request.user))
    try:
        bulanan.hapus_bukti(row, by=request.user, versi=_versi(request))
    except PenilaianError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "Bukti dukung dihapus.")
    return redirect(reverse("penilaian:rencana_aksi", args=[ra.pk]) + "#bukti")


# Kirim -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def kirim_realisasi(request: HttpRequest, pk: int) -> HttpResponse:
    ev = _evaluasi_milik(request, pk)
    if request.method == "POST":
        try:
            alur.kirim_realisasi(ev, by=request.user, versi=_versi(request))
        except PenilaianError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"Realisasi {ev.periode.nama} dikirim kepada pejabat penilai.")
        return _ke_bulan(ev)
    if not ev.is_editable_state:
        messages.info(request, "Realisasi bulan ini tidak sedang dapat dikirim.")
        return _ke_bulan(ev)
    terkunci = is_terkunci_untuk(ev.periode, ev.pegawai_id)
    context = {"ev": ev, "kekurangan": alur.kekurangan_realisasi(ev), "terkunci": terkunci}
    return render(request, "penilaian/bulanan_kirim.html", context)


urlpatterns = [
    path("bulanan/", bulanan_index, name="bulanan"),
    path("bulanan/<int:tahun>/<int:bulan>/", bulanan_detail, name="bulanan_detail"),
    path("evaluasi/<int:pk>/", evaluasi, name="evaluasi"),
    path("evaluasi/<int:pk>/rencana-aksi/tambah/", rencana_aksi_tambah, name="rencana_aksi_tambah"),
    path("evaluasi/<int:pk>/salin-bulan-lalu/", salin_bulan_lalu, name="salin_bulan_lalu"),
    path("evaluasi/<int:pk>/kirim-realisasi/", kirim_realisasi, name="kirim_realisasi"),
    path("rencana-aksi/<int:pk>/", rencana_aksi, name="rencana_aksi"),
    path("rencana-aksi/<int:pk>/ubah/", rencana_aksi_ubah, name="rencana_aksi_ubah"),
    path("rencana-aksi/<int:pk>/hapus/", rencana_aksi_hapus, name="rencana_aksi_hapus"),
    path("rencana-aksi/<int:pk>/unggah/", bukti_unggah, name="bukti_unggah"),
    path("rencana-aksi/<int:pk>/tautan/", bukti_tautan, name="bukti_tautan"),
    path("bukti/<int:pk>/", bukti, name="bukti"),
    path("bukti/<int:pk>/hapus/", bukti_hapus, name="bukti_hapus"),
]
