"""Download of a month's TPP basis as .xlsx (SPEC §7 "Export"): the whole regency, or one OPD.
The same file as `manage.py ekspor_tpp`; a month that is not final downloads too, marked
SEMENTARA on every sheet.

Who (SPEC §9): the regency file: admin BKD, auditor, superuser. One OPD's file: those, plus the
OPD's admin OPD and pimpinan (Kepala OPD or an active Plt/Plh; the Sekda and the Bupati read
every OPD) — the readers of the OPD's curve. Anybody else, and an OPD outside the viewer's: 404.

The file is written to an anonymous temporary file and streamed from it (FileResponse), so a
regency-sized month never sits in memory; the temporary file disappears when the response is
closed."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from ekinerja.replika import laporan
from opd.models import Opd, Pegawai
from penilaian.ekspor_tpp import alasan_tidak_bisa_diekspor, nama_berkas, tulis_xlsx
from penilaian.models import Periode
from penilaian.services._common import PenilaianError
from penilaian.services.kurva import opd_kurva_visible_to
from penilaian.views.periode import get_periode

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_PK = 2**31 - 1


def boleh_unduh_kabupaten(user: Pegawai) -> bool:
    return bool(user.is_authenticated and user.can_read_all())


def opd_unduh_visible_to(user: Pegawai):
    """The OPDs whose TPP file `user` downloads (one SQL query): the readers of the OPD's data."""
    return opd_kurva_visible_to(user)


def get_opd_unduh_for(user: Pegawai, pk: int) -> Opd:
    opd = opd_unduh_visible_to(user).filter(pk=pk).first() if 0 < pk <= _MAX_PK else None
    if opd is None:
        raise Http404("OPD tidak ditemukan.")
    return opd


def _unduh(request: HttpRequest, periode: Periode, opd: Opd | None) -> HttpResponse:
    alasan = alasan_tidak_bisa_diekspor(periode)
    if alasan is None:
        from penilaian.services.tpp_bulan import data_bulan

        try:
            data = data_bulan(periode, opd=opd)
        except PenilaianError as e:
            alasan = str(e)
    if alasan is not None:
        return render(request, "penilaian/tpp_unduh_gagal.html", {"periode": periode, "pesan": alasan}, status=409)
    # Closed (and so deleted) by FileResponse when the response is done, or below on failure.
    berkas = tempfile.TemporaryFile(prefix="ekspor-tpp-", suffix=".xlsx")  # noqa: SIM115
    try:
        tulis_xlsx(data, berkas)
        berkas.seek(0)
    except BaseException:
        berkas.close()
        raise
    nama = nama_berkas(data, opd.kode if opd else None)
    return FileResponse(berkas, as_attachment=True, filename=nama, content_type=XLSX)


@require_safe
@laporan
def unduh_xlsx(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    if not boleh_unduh_kabupaten(request.user):
        raise Http404("Halaman tidak ditemukan.")
    return _unduh(request, get_periode(tahun, bulan), None)


@require_POST
def siapkan_xlsx(request: HttpRequest, tahun: int, bulan: int) -> HttpResponse:
    """The regency file as a background job (province scale: seconds of work that must not hold a
    web worker): the job's page shows the progress and then the download."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from opd import pekerjaan
    from penilaian import tugas

    if not boleh_unduh_kabupaten(request.user):
        raise Http404("Halaman tidak ditemukan.")
    periode = get_periode(tahun, bulan)
    alasan = alasan_tidak_bisa_diekspor(periode)
    if alasan is not None:
        messages.error(request, alasan)
        return redirect("penilaian:tpp_bulan", tahun=tahun, bulan=bulan)
    job = pekerjaan.jalankan(
        tugas.ekspor_tpp, tahun, bulan, None, jenis="ekspor_tpp", judul=f"Excel TPP {periode.nama} (semua OPD)",
        by=request.user, parameter={"tahun": tahun, "bulan": bulan}, kunci=f"tpp:{tahun}-{bulan}",
    )  # fmt: skip
    return redirect("opd:pekerjaan_detail", pk=job.pk)


@require_safe
@laporan
def unduh_xlsx_opd(request: HttpRequest, tahun: int, bulan: int, opd_pk: int) -> HttpResponse:
    opd = get_opd_unduh_for(request.user, opd_pk)
    return _unduh(request, get_periode(tahun, bulan), opd)


urlpatterns = [
    path("tpp/<int:tahun>/<int:bulan>/unduh/", unduh_xlsx, name="tpp_unduh"),
    path("tpp/<int:tahun>/<int:bulan>/unduh/siapkan/", siapkan_xlsx, name="tpp_siapkan"),
    path("tpp/<int:tahun>/<int:bulan>/opd/<int:opd_pk>/unduh/", unduh_xlsx_opd, name="tpp_unduh_opd"),
]
