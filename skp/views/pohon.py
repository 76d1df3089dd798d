"""Pohon kinerja per OPD and the matriks bawahan of the logged-in penilai (read-only pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from ekinerja.replika import laporan
from ekinerja.sidik import tersimpan
from opd.models import Opd, Pegawai
from skp.models import Skp
from skp.pohon import (
    Node,
    Pohon,
    RhkRow,
    Warning,
    build_matriks,
    build_pohon,
    kunci_cache,
    load_rhk,
    pohon_opds,
    sidik_pohon,
)


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
        # data-node: the RHK atasan may sit in a node not loaded yet; the script opens that one.
        node = f' data-node="p-{link.pegawai_id}"' if link.pegawai_id else ""
        parts.append(
            f'<div class="pohon-link small"><i class="bi bi-arrow-up-right"></i> <span class="badge {badge}">'
            f'{link.label}</span> <a href="#rhk-{link.rhk_atasan_id}"{node}>{escape(link.uraian)}</a></div>'
        )
    if rhk.iki:
        items = "".join(
            f"<li>{escape(i.aspek) + ': ' if i.aspek else ''}{escape(i.uraian)} — <strong>{escape(i.target)}</strong></li>"
            for i in rhk.iki
        )
        parts.append(f'<ul class="pohon-iki small text-muted">{items}</ul>')
    parts.append("</li>")
    return "".join(parts)


def node_body(node: Node, tahun: int, *, skp_url: str = "") -> SafeString:
    """The RHK block of one node, built in Python (the template engine costs ~10x more per row).
    Every text escaped. A node whose RHK are not loaded (Node.rinci) gets their count and a link
    to the SKP, which the pohon's script replaces by the RHK when the node is opened."""
    if node.skp is None:
        return mark_safe(f'<div class="text-muted small fst-italic">Belum ada SKP tahun {tahun}.</div>')
    rows = node.rhk_all
    if not rows:
        return mark_safe('<div class="text-muted small fst-italic">SKP belum berisi RHK.</div>')
    if not node.rinci:
        url = (skp_url or _skp_url()).replace(_SKP_PK, str(node.skp.pk))
        return mark_safe(
            f'<div class="text-muted small pohon-ringkas">{len(rows)} RHK ({len(node.rhk_utama)} utama) · '
            f'<a href="{url}">Lihat SKP</a></div>'
        )
    return mark_safe(f'<ol class="pohon-rhk-list">{"".join(_rhk_item(r) for r in rows)}</ol>')


_SKP_PK = "2147483647"  # stands for the pk in the reversed SKP URL (one reverse per page, not per node)


def _skp_url() -> str:
    return reverse("skp:detail", args=[int(_SKP_PK)])


_STATUS_LABEL = dict(Skp.Status.choices)


def _node_head(node: Node, level_terbuka: int) -> str:
    """The opening of one node: its <details> and summary (name, NIP, position, SKP status,
    warnings, bawahan). In Python for the same reason as node_body: a node per pegawai."""
    p = node.pegawai
    jabatan = node.plt_jabatan or (p.jabatan.nama if p.jabatan else "")
    if node.skp is not None:
        status = f'<span class="badge badge-status-{node.skp.status}">{_STATUS_LABEL.get(node.skp.status, "")}</span>'
    else:
        status = '<span class="badge text-bg-light border">Belum ada SKP</span>'
    parts = [
        f'<details class="pohon-node{" has-warn" if node.warning_count else ""}" id="{node.anchor}"'
        f"{' open' if node.depth < level_terbuka else ''}><summary>",
        f'<span class="pohon-name">{escape(p.nama_lengkap)}</span> <span class="nip text-muted">{escape(p.nip)}</span> '
        f'<span class="pohon-jabatan">{escape(jabatan)}</span> {status}',
    ]
    if node.warning_count:
        parts.append(
            f' <span class="badge text-bg-warning" title="Peringatan pada RHK"><i class="bi bi-exclamation-triangle">'
            f"</i> {node.warning_count}</span>"
        )
    if node.children:
        parts.append(
            f' <span class="badge rounded-pill text-bg-light border" title="Jumlah bawahan langsung">'
            f'<i class="bi bi-people"></i> {len(node.children)}</span>'
        )
    parts.append("</summary>")
    return "".join(parts)


def _penanda(pegawai_id: int) -> str:
    return f"<!--rinci:{pegawai_id}-->"


def pohon_html(tree: Pohon, level_terbuka: int) -> SafeString:
    """The whole tree as nested <details>; closed nodes with RHK carry `data-pegawai` for the
    script to fetch them (pohon_rhk). The opened levels' RHK are left as a marker (_penanda)
    that isi_penanda fills on each request: the cached tree then depends on no RHK text, IKI or
    link beyond what places the warnings."""
    skp_url = _skp_url()
    out: list[str] = []
    for kind, node in tree.events:
        if kind == "close":
            out.append("</div></details>" if node.children else "</details>")
            continue
        out.append(_node_head(node, level_terbuka))
        if node.lazy and node.depth < level_terbuka:
            out.append(f'<div class="pohon-body">{_penanda(node.pegawai.pk)}</div>')
        else:
            lazy = f' data-pegawai="{node.pegawai.pk}"' if node.lazy else ""
            out.append(f'<div class="pohon-body"{lazy}>{node_body(node, tree.tahun, skp_url=skp_url)}</div>')
        if node.children:
            out.append('<div class="pohon-children">')
    return mark_safe("".join(out))


def tahun_from(request: HttpRequest) -> int:
    try:
        tahun = int(request.GET.get("tahun", ""))
    except ValueError:
        return timezone.localdate().year
    return tahun if 2000 <= tahun <= 2100 else timezone.localdate().year


def _opd_from(request: HttpRequest, opds: list[Opd]) -> Opd | None:
    """The OPD asked for (404 when the user cannot see it), else the user's own or the first."""
    kode = request.GET.get("opd", "")
    if kode:
        opd = next((o for o in opds if o.kode == kode), None)
        if opd is None:
            raise Http404("OPD tidak ditemukan.")
        return opd
    return next((o for o in opds if o.pk == request.user.opd_id), opds[0]) if opds else None


# The first two levels (Kepala OPD, Kepala Bidang) open with their RHK; the rest load on opening.
LEVEL_TERBUKA = 2
# Each warning list names this many RHK; the rest are counted (and marked on their nodes).
BATAS_PERINGATAN = 100


def warning_items(warnings: list[Warning]) -> SafeString:
    """The <li> of a warning list, in Python like the tree (hundreds of drafts early in the year)."""
    items = [
        f'<li><a href="#rhk-{w.rhk.pk}" data-node="{w.node.anchor}">{escape(w.node.pegawai.nama_lengkap)}</a> — '
        f"{escape(Truncator(w.rhk.uraian).chars(90))}</li>"
        for w in warnings[:BATAS_PERINGATAN]
    ]
    if len(warnings) > BATAS_PERINGATAN:
        lainnya = len(warnings) - BATAS_PERINGATAN
        items.append(
            f'<li class="list-unstyled text-muted">… dan {lainnya} lainnya, bertanda '
            f'<i class="bi bi-exclamation-triangle"></i> pada pohon di bawah.</li>'
        )
    return mark_safe("".join(items))


# A cached tree is only ever served for the same fingerprint (skp.pohon.sidik_pohon); the
# timeout just lets trees nobody opens any more leave the cache.
CACHE_DETIK = 6 * 3600


def _pohon_data(opd: Opd, tahun: int) -> dict:
    """The page's tree, warning lists and counts, and per node what its RHK fragment needs
    (SKP id, and per RHK the links into it and both warnings): kept under the fingerprint of the
    data it is built from (issue #9: building the tree of a 2,500-pegawai OPD takes far longer
    than a page may), else built."""

    def bangun() -> dict:
        tree = build_pohon(opd, tahun, rinci=[], batas_peringatan=BATAS_PERINGATAN)
        return {
            "terbuka": [n.pegawai.pk for n in tree.nodes if n.lazy and n.depth < LEVEL_TERBUKA],
            "html": str(pohon_html(tree, LEVEL_TERBUKA)),
            "orphan_items": str(warning_items(tree.orphans)),
            "uncovered_items": str(warning_items(tree.uncovered)),
            "jumlah_orphan": len(tree.orphans),
            "jumlah_uncovered": len(tree.uncovered),
            "stats": tree.stats,
            "simpul": {
                n.pegawai.pk: (
                    n.skp.pk if n.skp else None,
                    {r.pk: (r.covered_by, r.orphan, r.uncovered) for r in n.rhk_all},
                )
                for n in tree.nodes
            },
        }

    return tersimpan(kunci_cache(opd, tahun), lambda: sidik_pohon(opd, tahun), bangun, timeout=CACHE_DETIK)


def _nodes_rinci(data: dict, pegawai_ids: list[int]) -> list[Node]:
    """Nodes of `pegawai_ids` with their RHK, IKI and links loaded now (three queries for all),
    marked with the warnings and link counts of the tree (`data["simpul"]`)."""
    nodes = []
    for pk in pegawai_ids:
        skp_id, _flags = data["simpul"][pk]
        nodes.append(Node(pegawai=Pegawai(pk=pk), skp=Skp(pk=skp_id) if skp_id else None, rinci=True))
    full = load_rhk([n.skp.pk for n in nodes if n.skp is not None])
    for node in nodes:
        flags = data["simpul"][node.pegawai.pk][1]
        rows = full.get(node.skp.pk, []) if node.skp is not None else []
        for row in rows:
            row.covered_by, row.orphan, row.uncovered = flags.get(row.pk, (row.covered_by, False, False))
        node.rhk_utama = [r for r in rows if r.utama]
        node.rhk_tambahan = [r for r in rows if not r.utama]
    return nodes


def isi_penanda(data: dict, tahun: int) -> str:
    """The cached tree with the opened levels' RHK put in place of their markers."""
    html = data["html"]
    for node in _nodes_rinci(data, data["terbuka"]):
        html = html.replace(_penanda(node.pegawai.pk), node_body(node, tahun), 1)
    return html


@require_safe
@laporan
def pohon(request: HttpRequest) -> HttpResponse:
    """Admin BKD/auditor: any OPD; admin OPD: theirs; Kepala OPD (or its Plt): their OPD.
    An OPD the user cannot see answers 404; a user with none gets their matriks instead."""
    tahun = tahun_from(request)
    opds = pohon_opds(request.user)
    opd = _opd_from(request, opds)
    if opd is None:
        messages.info(request, "Pohon kinerja OPD hanya untuk Kepala OPD dan pengelola kinerja; ini matriks Anda.")
        return redirect(f"{reverse('skp:matriks')}?tahun={tahun}")
    data = _pohon_data(opd, tahun)
    context = {
        "pohon_html": mark_safe(isi_penanda(data, tahun)),
        "orphan_items": mark_safe(data["orphan_items"]),
        "uncovered_items": mark_safe(data["uncovered_items"]),
        "jumlah_orphan": data["jumlah_orphan"],
        "jumlah_uncovered": data["jumlah_uncovered"],
        "stats": data["stats"],
        "opd": opd,
        "opds": opds if len(opds) > 1 else [],
        "tahun": tahun,
        "tahun_pilihan": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "rhk_url": f"{reverse('skp:pohon_rhk')}?{urlencode({'opd': opd.kode, 'tahun': tahun})}",
    }
    return render(request, "skp/pohon_opd.html", context)


def _fragmen(tree: Pohon, nodes: list[Node]) -> str:
    return "".join(f'<template data-node="{n.anchor}">{node_body(n, tree.tahun)}</template>' for n in nodes)


@require_safe
@laporan
def pohon_rhk(request: HttpRequest) -> HttpResponse:
    """The RHK (with IKI, links and warnings) of one node of the pohon (`pegawai`), or of every
    node when none is given ("Buka semua", search): `<template data-node>` fragments the pohon's
    script puts in place. The same OPD access as the pohon; a pegawai not in that tree is 404."""
    tahun = tahun_from(request)
    opd = _opd_from(request, pohon_opds(request.user))
    if opd is None or not request.GET.get("opd"):
        raise Http404("OPD tidak ditemukan.")
    pegawai = request.GET.get("pegawai", "")
    if pegawai and not pegawai.isdigit():
        raise Http404("Pegawai tidak ditemukan.")
    if not pegawai:  # every node: built in full ("Buka semua", search)
        tree = build_pohon(opd, tahun, batas_peringatan=0)
        return HttpResponse(_fragmen(tree, tree.nodes))
    data = _pohon_data(opd, tahun)
    if int(pegawai) not in data["simpul"]:
        raise Http404("Pegawai tidak ditemukan di pohon kinerja OPD ini.")
    node = _nodes_rinci(data, [int(pegawai)])[0]
    return HttpResponse(_fragmen(Pohon(opd, tahun, roots=[node], nodes=[node], orphans=[], uncovered=[]), [node]))


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
