"""Attendance summary import in the browser (SPEC §8): upload → preview (every row error named,
what would change) → apply. Admin BKD imports; the auditor reads the history; others 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ekinerja.tabel import angka, size_error
from opd import imports
from opd.models import Pegawai
from penilaian import tugas
from penilaian.models import ImporPresensi, Periode, Presensi
from penilaian.services import presensi as services
from penilaian.services._common import PenilaianError
from penilaian.services.tpp_skema import is_pengelola_tpp

MAX_ERRORS_SHOWN = 500
MAX_ROWS_SHOWN = 1000
PER_PAGE = 50


def _require_reader(user: Pegawai) -> None:
    if not (user.can_read_all()):
        raise PermissionDenied("Halaman ini untuk admin BKD dan auditor.")


def _require_pengelola(user: Pegawai) -> None:
    if not is_pengelola_tpp(user):
        raise PermissionDenied("Impor presensi hanya untuk admin BKD.")


def _bulan_dibuka() -> list[Periode]:
    """Opened months that have started, newest first."""
    today = timezone.localdate()
    return [p for p in Periode.objects.bulanan().order_by("-tahun", "-bulan") if p.mulai <= today]


class UnggahForm(forms.Form):
    periode = forms.ModelChoiceField(
        label="Bulan",
        queryset=Periode.objects.none(),
        empty_label="— pilih bulan —",
        error_messages={"required": "Pilih bulan presensi.", "invalid_choice": "Bulan ini belum dibuka."},
    )
    berkas = forms.FileField(
        label="Berkas rekap presensi (.xlsx atau .csv)",
        help_text="Ekspor e-presensi: NIP, HARI KERJA, TANPA KETERANGAN, TL1–TL4, PSW1–PSW4. Baris pertama judul kolom.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": "Pilih berkas yang akan diunggah.", "empty": "Berkas kosong."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        dibuka = _bulan_dibuka()
        self.fields["periode"].queryset = Periode.objects.filter(pk__in=[p.pk for p in dibuka]).order_by(
            "-tahun", "-bulan"
        )
        self.fields["periode"].label_from_instance = lambda p: p.nama


def _get_periode(tahun: int, bulan: int) -> Periode:
    periode = Periode.objects.filter(tahun=tahun, bulan=bulan).exclude(bulan=0).first()
    if periode is None:
        raise Http404("Periode tidak ditemukan.")
    return periode


@require_safe
def presensi_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    rows = ImporPresensi.objects.select_related("periode", "diimpor_oleh").order_by("-diimpor_pada", "-pk")
    # The month's figures come from the latest import of that month (pk grows with time).
    terbaru = set(ImporPresensi.objects.values("periode_id").annotate(m=Max("pk")).values_list("m", flat=True))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "penilaian/tpp_presensi_list.html",
        {"page": page, "terbaru": terbaru, "can_import": is_pengelola_tpp(request.user)},
    )


@require_http_methods(["GET", "POST"])
def presensi_unggah(request: HttpRequest) -> HttpResponse:
    _require_pengelola(request.user)
    form = UnggahForm(request.POST or None, request.FILES or None)
    errors: list[imports.ImportIssue] = []
    if request.method == "POST" and form.is_valid():
        periode, upload = form.cleaned_data["periode"], form.cleaned_data["berkas"]
        too_big = size_error(upload.size)  # before reading a byte of it
        if too_big:
            errors = [imports.ImportIssue(None, "", too_big)]
        else:
            data = upload.read()
            plan = services.rencana(
                periode, data, max_rows=imports.browser_max_rows(), max_cells=imports.browser_max_cells()
            )
            errors = plan.errors
            if not errors:
                sha = services.simpan_berkas(periode, data, upload.name)
                messages.success(request, "Berkas terbaca tanpa kesalahan. Periksa pratinjau, lalu terapkan.")
                return redirect("penilaian:tpp_presensi_pratinjau", tahun=periode.tahun, bulan=periode.bulan, sha=sha)
    return render(
        request,
        "penilaian/tpp_presensi_unggah.html",
        {
            "form": form,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "error_count": len(errors),
            "max_mb": imports.max_bytes() / 1048576,
            "max_rows_web": angka(imports.browser_max_rows()),
            "kolom": list(services.KOLOM),
        },
    )


def _stored(periode: Periode, sha: str) -> tuple[bytes, str, str]:
    found = services.berkas_tersimpan(periode, sha)
    if found is None:
        raise Http404("Berkas pratinjau tidak ditemukan.")
    return found


@require_safe
def presensi_pratinjau(request: HttpRequest, tahun: int, bulan: int, sha: str) -> HttpResponse:
    _require_pengelola(request.user)
    periode = _get_periode(tahun, bulan)
    data, nama, _path = _stored(periode, sha)
    plan = services.rencana(periode, data)
    sebelumnya = services.impor_terakhir(periode)
    berjalan = tugas.presensi_berjalan(periode)
    return render(
        request,
        "penilaian/tpp_presensi_pratinjau.html",
        {
            "periode": periode,
            "nama": nama,
            "sha": sha,
            "plan": plan,
            "counts": plan.counts(),
            "errors": plan.errors[:MAX_ERRORS_SHOWN],
            "baru": plan.baru[:MAX_ROWS_SHOWN],
            "berubah": plan.berubah[:MAX_ROWS_SHOWN],
            "hilang": Presensi.objects.filter(pk__in=[p.pk for p in plan.hilang[:MAX_ROWS_SHOWN]])
            .select_related("pegawai")
            .order_by("pegawai__nama"),
            "sebelumnya": sebelumnya,
            "sudah": sebelumnya is not None and sebelumnya.sha256 == sha,
            "berjalan": berjalan,
            "berjalan_milik_saya": berjalan is not None and berjalan.dibuat_oleh_id == request.user.pk,
            "final": hasattr(periode, "tpp") and periode.tpp.is_final,
        },
    )


@require_POST
def presensi_terapkan(request: HttpRequest, tahun: int, bulan: int, sha: str) -> HttpResponse:
    """Start the apply as a background job (issue #9 §1: a province's month is 100,000 rows) and
    show its progress; a second press while it runs leads to the same job."""
    _require_pengelola(request.user)
    periode = _get_periode(tahun, bulan)
    _stored(periode, sha)
    try:
        job = tugas.mulai_impor_presensi(periode, sha, by=request.user)
    except services.SudahDiterapkan as exc:
        messages.info(request, str(exc))
        return redirect("penilaian:tpp_presensi_list")
    except PenilaianError as exc:
        messages.error(request, str(exc))
        return redirect("penilaian:tpp_presensi_pratinjau", tahun=tahun, bulan=bulan, sha=sha)
    messages.success(request, f"Penerapan presensi {periode.nama} dimulai.")
    return redirect("opd:pekerjaan_detail", pk=job.pk)


@require_safe
def presensi_templat(request: HttpRequest) -> HttpResponse:
    _require_pengelola(request.user)
    header = ";".join(services.KOLOM)
    contoh = ";".join(["199002142015031003", "21", "0", "1", "0", "0", "0", "0", "1", "0", "0"])
    response = HttpResponse("\ufeff" + header + "\r\n" + contoh + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat_presensi.csv"'
    return response


urlpatterns = [
    path("tpp/presensi/", presensi_list, name="tpp_presensi_list"),
    path("tpp/presensi/unggah/", presensi_unggah, name="tpp_presensi_unggah"),
    path("tpp/presensi/templat/", presensi_templat, name="tpp_presensi_templat"),
    path(
        "tpp/presensi/<int:tahun>/<int:bulan>/pratinjau/<str:sha>/", presensi_pratinjau, name="tpp_presensi_pratinjau"
    ),
    path(
        "tpp/presensi/<int:tahun>/<int:bulan>/pratinjau/<str:sha>/terapkan/",
        presensi_terapkan,
        name="tpp_presensi_terapkan",
    ),
]
