"""Pohon kinerja and matriks bawahan: the tree, its two warnings (SPEC §4) and constant query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import Jabatan, JenisJabatan, Pegawai
from skp import services
from skp.models import IndikatorKinerja, IntervensiRhk, RencanaHasilKerja, Skp
from skp.pohon import build_matriks, build_pohon, pick_current
from skp.services import IkiData, LinkData

pytestmark = pytest.mark.django_db

TAHUN = timezone.localdate().year


def iki(uraian: str = "Jumlah dokumen yang tersusun", target: int = 12, satuan: str = "dokumen") -> IkiData:
    return IkiData(uraian=uraian, aspek="KUANTITAS", target_min=Decimal(target), satuan=satuan)


def make_skp(pegawai: Pegawai, rhk: list[tuple], *, pendekatan: str = "KUANTITATIF") -> Skp:
    """rhk: (jenis, uraian, [atasan RencanaHasilKerja, ...]) — through the services."""
    skp = services.create_skp(pegawai, by=pegawai, tahun=TAHUN, pendekatan=pendekatan)
    for jenis, uraian, atasan in rhk:
        item = (
            IkiData(uraian=f"Ekspektasi {uraian}", target_kualitatif="Tersusun tepat waktu dan lengkap")
            if pendekatan == "KUALITATIF"
            else iki()
        )
        services.save_rhk(
            skp, by=pegawai, versi=skp.versi, rhk=None, jenis=jenis, uraian=uraian, iki=[item],
            links=[LinkData(a.pk, "LANGSUNG") for a in atasan],
        )  # fmt: skip
    return skp


def approve(skp: Skp, penilai: Pegawai) -> Skp:
    services.submit_skp(skp, by=skp.pegawai)
    return services.approve_skp(skp, by=penilai)


def rhk_of(skp: Skp, uraian: str) -> RencanaHasilKerja:
    return skp.rhk_set.get(uraian=uraian)


@pytest.fixture
def pohon_world(world):
    """Kepala (JPT, 2 RHK) → penilai (1 linked RHK utama + 1 orphan is impossible once approved,
    so the penilai is approved with one linked RHK) → pegawai (draft: one orphan utama, one tambahan)."""
    kepala = approve(
        make_skp(world.kepala, [("UTAMA", "Meningkatnya derajat kesehatan masyarakat", []),
                                ("UTAMA", "Terwujudnya tata kelola dinas yang akuntabel", [])]),
        world.sekda,
    )  # fmt: skip
    k1 = rhk_of(kepala, "Meningkatnya derajat kesehatan masyarakat")
    penilai = approve(make_skp(world.penilai, [("UTAMA", "Meningkatnya mutu pelayanan kesehatan", [k1])]), world.kepala)
    pegawai = make_skp(
        world.pegawai,
        [("UTAMA", "Data pelayanan kesehatan yang valid", []), ("TAMBAHAN", "Panitia HUT RI", [])],
    )
    return world, kepala, penilai, pegawai


def warnings_of(tree) -> tuple[set[str], set[str]]:
    return {w.rhk.uraian for w in tree.orphans}, {w.rhk.uraian for w in tree.uncovered}


def test_tree_follows_orgchart_and_marks_missing_skp(pohon_world):
    world, kepala, penilai, _ = pohon_world
    tree = build_pohon(world.opd, TAHUN)
    assert [n.pegawai.pk for n in tree.roots] == [world.kepala.pk]
    root = tree.roots[0]
    assert {c.pegawai.pk for c in root.children} == {world.penilai.pk, world.admin_opd.pk}
    kabid = next(c for c in root.children if c.pegawai.pk == world.penilai.pk)
    assert {c.pegawai.pk for c in kabid.children} == {world.pegawai.pk, world.pegawai2.pk}
    assert next(c for c in kabid.children if c.pegawai.pk == world.pegawai2.pk).skp is None
    assert root.skp.pk == kepala.pk and kabid.skp.pk == penilai.pk
    assert kabid.rhk_utama[0].links[0].uraian == "Meningkatnya derajat kesehatan masyarakat"
    # Nobody from another OPD in the tree.
    assert world.outsider.pk not in {n.pegawai.pk for n in tree.nodes}


def test_warnings_orphan_and_uncovered(pohon_world):
    world, _kepala, penilai, pegawai = pohon_world
    orphans, uncovered = warnings_of(build_pohon(world.opd, TAHUN))
    # The pegawai's unlinked RHK utama is an orphan; their tambahan and the JPT's RHK are not.
    assert orphans == {"Data pelayanan kesehatan yang valid"}
    # The kepala's second RHK has no subordinate RHK; the penilai's RHK has none yet either.
    assert uncovered == {"Terwujudnya tata kelola dinas yang akuntabel", "Meningkatnya mutu pelayanan kesehatan"}

    # The pegawai links to the penilai's RHK: the orphan and the uncovered warning both clear.
    row = rhk_of(pegawai, "Data pelayanan kesehatan yang valid")
    services.save_rhk(
        pegawai, by=world.pegawai, versi=pegawai.versi, rhk=row, jenis="UTAMA", uraian=row.uraian, iki=[iki()],
        links=[LinkData(rhk_of(penilai, "Meningkatnya mutu pelayanan kesehatan").pk, "TIDAK_LANGSUNG")],
    )  # fmt: skip
    orphans, uncovered = warnings_of(build_pohon(world.opd, TAHUN))
    assert orphans == set()
    assert uncovered == {"Terwujudnya tata kelola dinas yang akuntabel"}


def test_draft_supervisor_not_flagged_uncovered(world):
    # A draft's RHK cannot be chosen by bawahan yet: no uncovered warning, but the JPT is not an orphan.
    make_skp(world.kepala, [("UTAMA", "Meningkatnya derajat kesehatan masyarakat", [])])
    orphans, uncovered = warnings_of(build_pohon(world.opd, TAHUN))
    assert orphans == set() and uncovered == set()


def test_pick_current_prefers_approved_over_open_revision(pohon_world):
    world, _kepala, penilai, _ = pohon_world
    revision = services.start_revision(penilai, by=world.penilai)
    assert pick_current([penilai, revision]) == penilai
    services.submit_skp(revision, by=world.penilai)
    services.approve_skp(revision, by=world.kepala)
    penilai.refresh_from_db()
    assert pick_current([penilai, revision]) == revision
    tree = build_pohon(world.opd, TAHUN)
    assert next(n for n in tree.nodes if n.pegawai.pk == world.penilai.pk).skp.pk == revision.pk


def test_pohon_page_shows_warnings_with_anchors(client, pohon_world):
    world, *_ = pohon_world
    client.force_login(world.admin_bkd)
    response = client.get(reverse("skp:pohon"), {"opd": world.opd.kode, "tahun": TAHUN})
    assert response.status_code == 200
    html = response.content.decode()
    orphan = RencanaHasilKerja.objects.get(uraian="Data pelayanan kesehatan yang valid")
    # The pegawai's node is closed: its RHK are not on the page; the warning names the node to open.
    assert f'href="#rhk-{orphan.pk}" data-node="p-{world.pegawai.pk}"' in html
    assert f'id="rhk-{orphan.pk}"' not in html
    assert f'id="p-{world.pegawai.pk}"' in html and f'data-pegawai="{world.pegawai.pk}"' in html
    # Without the script: the count and a link to the SKP.
    assert "2 RHK (1 utama)" in html and reverse("skp:detail", args=[orphan.skp_id]) in html
    assert "RHK utama tanpa intervensi" in html and "RHK atasan tidak diintervensi" in html
    assert "Belum ada SKP" in html  # pegawai2
    assert 'data-testid="orphan-count">1<' in html
    assert 'data-testid="uncovered-count">2<' in html
    # The two opened levels (Kepala, Kabid) come with their RHK and IKI.
    assert "Meningkatnya mutu pelayanan kesehatan" in html and "Jumlah dokumen yang tersusun" in html


def test_pohon_rhk_fragment_of_one_node_keeps_the_warnings(client, pohon_world):
    world, kepala, _penilai, pegawai = pohon_world
    client.force_login(world.kepala)
    url = reverse("skp:pohon_rhk")
    html = client.get(url, {"opd": world.opd.kode, "tahun": TAHUN, "pegawai": world.pegawai.pk}).content.decode()
    orphan = rhk_of(pegawai, "Data pelayanan kesehatan yang valid")
    assert html.startswith(f'<template data-node="p-{world.pegawai.pk}">') and html.count("<template") == 1
    assert f'id="rhk-{orphan.pk}"' in html and "warn-orphan" in html and "Tanpa intervensi" in html
    assert "Panitia HUT RI" in html and "Jumlah dokumen yang tersusun" in html  # tambahan, IKI
    # The Kabid's RHK: uncovered (nobody below links to it yet), and its link up names its node.
    html = client.get(url, {"opd": world.opd.kode, "tahun": TAHUN, "pegawai": world.penilai.pk}).content.decode()
    k1 = rhk_of(kepala, "Meningkatnya derajat kesehatan masyarakat")
    assert "Belum diintervensi bawahan" in html
    assert f'href="#rhk-{k1.pk}" data-node="p-{world.kepala.pk}"' in html
    # The Kepala's first RHK is covered once, counted over the OPD's SKP, not only this node's.
    html = client.get(url, {"opd": world.opd.kode, "tahun": TAHUN, "pegawai": world.kepala.pk}).content.decode()
    assert "↓ 1" in html
    # Without a pegawai: every node of the tree, the one without SKP included.
    html = client.get(url, {"opd": world.opd.kode, "tahun": TAHUN}).content.decode()
    assert html.count("<template") == 5 and f"rhk-{orphan.pk}" in html and "Belum ada SKP" in html


def test_pohon_rhk_query_count_does_not_grow(client, pohon_world):
    world, *_ = pohon_world
    client.force_login(world.admin_bkd)
    params = {"opd": world.opd.kode, "tahun": TAHUN, "pegawai": world.pegawai.pk}
    grow_opd(world, 20, 0)
    small = count_queries(client, reverse("skp:pohon_rhk"), params)
    grow_opd(world, 180, 20)
    large = count_queries(client, reverse("skp:pohon_rhk"), params)
    assert large == small


def test_pohon_defaults_to_own_opd_for_kepala(client, pohon_world):
    world, *_ = pohon_world
    client.force_login(world.kepala)
    response = client.get(reverse("skp:pohon"))
    assert response.status_code == 200
    assert response.context["opd"] == world.opd
    assert response.context["opds"] == []  # one OPD only: no selector


def test_plain_pegawai_is_sent_to_matriks(client, world):
    client.force_login(world.penilai)
    response = client.get(reverse("skp:pohon"))
    assert response.status_code == 302 and response.url.startswith(reverse("skp:matriks"))


def test_matriks_cells_and_unlinked_row(client, pohon_world):
    world, _kepala, penilai, pegawai = pohon_world
    data = build_matriks(world.penilai, TAHUN)
    assert [p.pk for p in data.bawahan] == sorted([world.pegawai.pk, world.pegawai2.pk],
                                                   key=lambda pk: Pegawai.objects.get(pk=pk).nama)  # fmt: skip
    col = data.bawahan.index(world.pegawai)
    assert [r.rhk.uraian if r.rhk else None for r in data.rows] == ["Meningkatnya mutu pelayanan kesehatan", None]
    assert data.rows[0].cells[col] == []
    assert {rhk.uraian for rhk, _ in data.rows[-1].cells[col]} == {"Data pelayanan kesehatan yang valid",
                                                                    "Panitia HUT RI"}  # fmt: skip

    row = rhk_of(pegawai, "Data pelayanan kesehatan yang valid")
    services.save_rhk(
        pegawai, by=world.pegawai, versi=pegawai.versi, rhk=row, jenis="UTAMA", uraian=row.uraian, iki=[iki()],
        links=[LinkData(rhk_of(penilai, "Meningkatnya mutu pelayanan kesehatan").pk, "TIDAK_LANGSUNG")],
    )  # fmt: skip
    client.force_login(world.penilai)
    response = client.get(reverse("skp:matriks"), {"tahun": TAHUN})
    assert response.status_code == 200
    data = response.context["matriks"]
    cell = data.rows[0].cells[col]
    assert [(rhk.uraian, link.label) for rhk, link in cell] == [("Data pelayanan kesehatan yang valid", "TL")]
    assert {rhk.uraian for rhk, _ in data.rows[-1].cells[col]} == {"Panitia HUT RI"}


def test_matriks_without_bawahan_explains(client, world):
    client.force_login(world.pegawai)
    response = client.get(reverse("skp:matriks"))
    assert response.status_code == 200
    assert b'data-testid="matriks-kosong"' in response.content
    assert "tidak memiliki bawahan" in response.content.decode()


# Query counts: constant whatever the size of the OPD ------------------------------------------------


def grow_opd(world, n: int, start: int) -> None:
    """n pegawai under the Kepala (bulk), each second one with an approved SKP whose RHK utama
    intervenes the Kepala's RHK, with two IKI each, plus a pelaksana under the penilai."""
    kepala_skp = Skp.objects.get(pegawai=world.kepala)
    kepala_rhk = kepala_skp.rhk_set.first()
    jabatan = Jabatan.objects.create(
        nama=f"Staf Pendukung {start}", jenis=JenisJabatan.PELAKSANA, opd=world.opd, unit=world.unit,
        atasan=world.kepala.jabatan,
    )  # fmt: skip
    people = Pegawai.objects.bulk_create(
        Pegawai(nip=f"19900101201501{(start + i) // 1000 % 10}{(start + i) % 1000:03d}", nama=f"Pegawai {start + i}",
                jabatan=jabatan, opd=world.opd, unit=world.unit, golongan="II/c")
        for i in range(n)
    )  # fmt: skip
    skps = Skp.objects.bulk_create(
        Skp(pegawai=p, jabatan=jabatan, tahun=TAHUN, mulai=f"{TAHUN}-01-01", selesai=f"{TAHUN}-12-31",
            status=Skp.Status.DISETUJUI, penilai=world.kepala)
        for p in people[::2]
    )  # fmt: skip
    rows = RencanaHasilKerja.objects.bulk_create(
        RencanaHasilKerja(skp=s, jenis=jenis, urutan=1, uraian=f"RHK {jenis} {s.pegawai.nama}")
        for s in skps
        for jenis in ("UTAMA", "TAMBAHAN")
    )
    IndikatorKinerja.objects.bulk_create(
        IndikatorKinerja(rhk=r, urutan=u, uraian="Jumlah laporan", aspek="KUANTITAS", target_min=12, satuan="laporan")
        for r in rows
        for u in (1, 2)
    )
    IntervensiRhk.objects.bulk_create(IntervensiRhk(rhk=r, rhk_atasan=kepala_rhk) for r in rows if r.jenis == "UTAMA")


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pohon_query_count_does_not_grow(client, pohon_world, django_assert_max_num_queries):
    world, *_ = pohon_world
    client.force_login(world.admin_bkd)
    params = {"opd": world.opd.kode, "tahun": TAHUN}
    grow_opd(world, 20, 0)
    small = count_queries(client, reverse("skp:pohon"), params)
    grow_opd(world, 180, 20)
    assert Pegawai.objects.filter(opd=world.opd).count() > 200
    large = count_queries(client, reverse("skp:pohon"), params)
    assert large == small
    # 17 + 2 for the menu (skp.context_processors: one query for "rates anybody", one for the jabatan).
    # The tree and its warnings read narrow RHK rows (1) and the flagged RHK's texts (1); the
    # opened top levels load their RHK, IKI and links (3).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("skp:pohon"), params)
    assert response.context["stats"]["pegawai"] > 200


def test_matriks_query_count_does_not_grow(client, pohon_world, django_assert_max_num_queries):
    world, *_ = pohon_world
    client.force_login(world.kepala)
    grow_opd(world, 20, 0)
    small = count_queries(client, reverse("skp:matriks"), {"tahun": TAHUN})
    grow_opd(world, 180, 20)
    large = count_queries(client, reverse("skp:matriks"), {"tahun": TAHUN})
    assert large == small
    with django_assert_max_num_queries(20):
        response = client.get(reverse("skp:matriks"), {"tahun": TAHUN})
    data = response.context["matriks"]
    assert len(data.bawahan) > 200
    # Every generated pegawai with an SKP intervenes the Kepala's first RHK.
    assert sum(len(cell) for cell in data.rows[0].cells) >= 100


def test_opd_chart_agrees_with_full_orgchart(world):
    import datetime

    from opd.models import PenugasanPlt
    from opd.services import OrgChart
    from skp.pohon import OpdChart

    # A vacant Kabid position acted for by a Plt from the Sekretariat, and a pegawai on CLTN.
    today = timezone.localdate()
    PenugasanPlt.objects.create(jabatan=world.penilai.jabatan, pegawai=world.admin_opd,
                                mulai=today - datetime.timedelta(days=3), selesai=today + datetime.timedelta(days=3))  # fmt: skip
    Pegawai.objects.filter(pk=world.penilai.pk).update(kedudukan_hukum=Pegawai.KedudukanHukum.CLTN)
    full, scoped = OrgChart(), OpdChart(world.opd)
    members = [pk for pk, p in full.pegawai.items() if p.opd_id == world.opd.pk]
    assert len(members) >= 5
    assert {pk: scoped.penilai_id(pk) for pk in members} == {pk: full.penilai_id(pk) for pk in members}
    assert scoped.penilai_id(world.pegawai.pk) == world.admin_opd.pk
    assert len(scoped.pegawai) < len(full.pegawai)


def test_pohon_escapes_user_text(client, world):
    make_skp(world.kepala, [("UTAMA", "<script>alert(1)</script> & hasil", [])])
    client.force_login(world.admin_bkd)
    html = client.get(reverse("skp:pohon"), {"opd": world.opd.kode}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; hasil" in html


def test_load_rhk_filters_iki_by_the_loaded_rhk_ids(pohon_world):
    """Issue #6 §7: the IKI (and link) queries ask for the RHK ids already loaded, not a join on
    every IKI of the regency; the result and the query count stay the same."""
    from skp.pohon import load_rhk

    world, kepala, penilai, _ = pohon_world
    # Another OPD's SKP with IKI must not leak into this one's rows.
    make_skp(world.outsider, [("UTAMA", "Lalu lintas tertib", [])])
    with CaptureQueriesContext(connection) as ctx:
        rows = load_rhk([kepala.pk, penilai.pk])
    assert len(ctx.captured_queries) == 3
    iki_sql = next(q["sql"] for q in ctx.captured_queries if '"skp_indikatorkinerja"."uraian"' in q["sql"])
    assert "JOIN" not in iki_sql.upper()
    assert '"skp_indikatorkinerja"."rhk_id" IN' in iki_sql
    link_sql = next(q["sql"] for q in ctx.captured_queries if "jenis_cascading" in q["sql"])
    assert '"skp_intervensirhk"."rhk_id" IN' in link_sql
    assert set(rows) == {kepala.pk, penilai.pk}
    assert [r.uraian for r in rows[kepala.pk]] == [
        "Meningkatnya derajat kesehatan masyarakat",
        "Terwujudnya tata kelola dinas yang akuntabel",
    ]
    assert [i.target for r in rows[kepala.pk] for i in r.iki] == ["12 dokumen", "12 dokumen"]
    (link,) = rows[penilai.pk][0].links
    assert link.uraian == "Meningkatnya derajat kesehatan masyarakat"
    assert rows[kepala.pk][0].covered_by == 1


def test_pohon_cache_shows_every_change_at_once(client, pohon_world):
    """Issue #9: on PostgreSQL the tree is cached under a fingerprint of the rows it is built
    from (skp.pohon.sidik_pohon), so a change by any path — here raw UPDATEs, no service — shows
    on the next request, in the page and in a node's fragment."""
    import datetime

    from opd.models import PenugasanPlt

    world, kepala, penilai, pegawai = pohon_world
    client.force_login(world.admin_bkd)
    params = {"opd": world.opd.kode, "tahun": TAHUN}

    def page() -> str:
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse("skp:pohon"), params).content.decode()
        page.queries = len(ctx.captured_queries)
        return html

    def fragment() -> str:
        return client.get(reverse("skp:pohon_rhk"), {**params, "pegawai": world.pegawai.pk}).content.decode()

    page()
    first = page.queries
    page()
    if connection.vendor == "postgresql":
        assert page.queries < first  # served from the cache
    RencanaHasilKerja.objects.filter(skp=penilai).update(uraian="Teks RHK Kabid yang baru")
    assert "Teks RHK Kabid yang baru" in page()  # an opened node's RHK
    Pegawai.objects.filter(pk=world.pegawai.pk).update(nama="Nama Pegawai Diganti")
    assert "Nama Pegawai Diganti" in page()  # a closed node's summary
    IndikatorKinerja.objects.filter(rhk__skp=kepala).update(satuan="berkas")
    assert "berkas" in page()
    orphan = rhk_of(pegawai, "Data pelayanan kesehatan yang valid")
    RencanaHasilKerja.objects.filter(pk=orphan.pk).update(uraian="Data layanan yang valid dan mutakhir")
    assert "Data layanan yang valid dan mutakhir" in page()  # the warning list names it
    assert "Tanpa intervensi" in fragment()
    IntervensiRhk.objects.create(rhk=orphan, rhk_atasan=penilai.rhk_set.get())
    assert 'data-testid="orphan-count">0<' in page()
    assert "Tanpa intervensi" not in fragment()
    today = timezone.localdate()
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.outsider, mulai=today - datetime.timedelta(days=1),
        selesai=today + datetime.timedelta(days=30),
    )  # fmt: skip
    assert f"Plt. {world.penilai.jabatan.nama}" in page()
