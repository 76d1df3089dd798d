"""A background job's page (its starter only: 404 for anyone else): progress bar while it runs
(polled from /status/, so a reload loses nothing), then the result to download or the error."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ekinerja.replika import sematkan_primer
from opd import pekerjaan as layanan
from opd.models import Pekerjaan

_MAX_PK = 2**63 - 1


def _milik(request: HttpRequest, pk: int) -> Pekerjaan:
    job = Pekerjaan.objects.filter(pk=pk, dibuat_oleh=request.user).first() if 0 < pk <= _MAX_PK else None
    if job is None:
        raise Http404("Pekerjaan tidak ditemukan.")
    return job


def _baca_hasil_sendiri(job: Pekerjaan, response: HttpResponse) -> HttpResponse:
    """A finished job wrote for its starter (in the worker, not in their request): their report
    pages read the primary until the read replica has that write too (ekinerja.replika)."""
    return sematkan_primer(response) if job.is_selesai else response


@require_safe
def pekerjaan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _milik(request, pk)
    response = render(
        request, "opd/pekerjaan_detail.html", {"job": job, "ada_berkas": layanan.path_hasil(job) is not None}
    )
    return _baca_hasil_sendiri(job, response)


@never_cache
@require_safe
def pekerjaan_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _milik(request, pk)
    response = JsonResponse(
        {"status": job.status, "label": job.get_status_display(), "persen": job.persen, "langkah": job.langkah,
         "selesai": job.is_selesai}
    )  # fmt: skip
    return _baca_hasil_sendiri(job, response)


@require_safe
def pekerjaan_unduh(request: HttpRequest, pk: int) -> FileResponse:
    job = _milik(request, pk)
    path = layanan.path_hasil(job) if job.status == Pekerjaan.Status.SELESAI else None
    if path is None:
        raise Http404("Berkas hasil pekerjaan ini tidak ada.")
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.nama_berkas or path.name)  # noqa: SIM115
    response["X-Content-Type-Options"] = "nosniff"
    return response
