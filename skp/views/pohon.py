"""Pohon kinerja per OPD and the matriks bawahan of the logged-in penilai (read-only pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from ekinerja.replika import laporan
from skp.pohon import Node, RhkRow, build_matriks, build_pohon, pohon_opds


def _rhk_item(rhk: RhkRow) -> str:
    classes = "pohon-rhk" + (" warn-orphan" if rhk.orphan else "") + (" warn-uncovered" if rhk.uncovered else "")
    badges = [
        '<span class="badge text-bg-primary">Utama</span>'
        if rhk.utama
        else '<span class="badge text-bg-secondary">Tambahan</span>',
        f'<span class="fw-semibold">{escape(rhk.uraian)}</span>',
    ]
    if rhk.orphan:
        badges.append('<span class="badge text-bg-warning">Tanpa intervensi</span>')
    if rhk.uncovered:
        badges.append('<span class="badge text-bg-danger">Belum diintervensi bawahan</span>')
    elif rhk.covered_by:
        badges.append(
            f'<span class="badge text-bg-light border" title="Jumlah RHK bawahan yang mengintervensi">'
            f"↓ {rhk.covered_by}</span>"
        )
    parts = [f'<li class="{classes}" id="rhk-{rhk.pk}"><div>{" ".join(badges)}</div>']
    for link in rhk.links:
        badge = "text-bg-info" if link.langsung else "text-bg-light border"
        parts.append(
            f'<div class="pohon-link small"><i class="bi bi-arrow-up-right"></i> <span class="badge {badge}">'
            f'{link.label}</span> <a href="#rhk-{link.rhk_atasan_id}">{escape(link.uraian)}</a></div>'
        )
    if rhk.iki:
        items = "".join(
            f"<li>{escape(i.aspek) + ': ' if i.aspek else ''}{escape(i.uraian)} — <strong>{escape(i.target)}</strong></li>"
            for i in rhk.iki
        )
        parts.append(f'<ul class="pohon-iki small text-muted">{items}</ul>')
    parts.append("</li>")
    return "".join(parts)


def node_body(node: Node, tahun: int) -> SafeString:
    """The RHK block of one node, built in Python: the pohon of a large OPD has hundreds of RHK
    and this is its hot path (the template engine costs ~10x more per row). Every text escaped."""
    if node.skp is None:
        return mark_safe(f'<div class="text-muted small fst-italic">Belum ada SKP tahun {tahun}.</div>')
    rows = node.rhk_all
    if not rows:
        return mark_safe('<div class="text-muted small fst-italic">SKP belum berisi RHK.</div>')
    return mark_safe(f'<ol class="pohon-rhk-list">{"".join(_rhk_item(r) for r in rows)}</ol>')


def tahun_from(request: HttpRequest) -> int:
    try:
        tahun = int(request.GET.get("tahun", ""))
    except ValueError:
        return timezone.localdate().year
    return tahun if 2000 <= tahun <= 2100 else timezone.localdate().year


@require_safe
@laporan
def pohon(request: HttpRequest) -> HttpResponse:
    """Admin BKD/auditor: any OPD; admin OPD: theirs; Kepala OPD (or its Plt): their OPD.
    An OPD the user cannot see answers 404; a user with none gets their matriks instead."""
    tahun = tahun_from(request)
    opds = pohon_opds(request.user)
    kode = request.GET.get("opd", "")
    if kode:
        opd = next((o for o in opds if o.kode == kode), None)
        if opd is None:
            raise Http404("OPD tidak ditemukan.")
    elif not opds:
        messages.info(request, "Pohon kinerja OPD hanya untuk Kepala OPD dan pengelola kinerja; ini matriks Anda.")
        return redirect(f"{reverse('skp:matriks')}?tahun={tahun}")
    else:
        opd = next((o for o in opds if o.pk == request.user.opd_id), opds[0])
    tree = build_pohon(opd, tahun)
    context = {
        "pohon": tree,
        "events": [(kind, node, node_body(node, tahun) if kind == "open" else "") for kind, node in tree.events],
        "stats": tree.stats,
        "opd": opd,
        "opds": opds if len(opds) > 1 else [],
        "tahun": tahun,
        "tahun_pilihan": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
    }
    return render(request, "skp/pohon_opd.html", context)


@require_safe
def matriks(request: HttpRequest) -> HttpResponse:
    """Own RHK × bawahan: which of each bawahan's RHK intervene which of mine. Everyone may open
    it; without bawahan it explains why it is empty."""
    tahun = tahun_from(request)
    data = build_matriks(request.user, tahun)
    context = {
        "matriks": data,
        "columns": data.columns,
        "tahun": tahun,
        "tahun_pilihan": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "can_see_pohon": bool(pohon_opds(request.user)),
    }
    return render(request, "skp/matriks_bawahan.html", context)
