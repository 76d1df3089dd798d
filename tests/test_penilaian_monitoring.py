"""Completion monitoring (issue #8 §6): counts and turns per state, the OPD page's filters and
pages, the late list and its .xlsx read back, the Beranda card, bad query strings, and query
counts that do not grow with pegawai or months."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import Opd, Pegawai, PenugasanPlt
from penilaian.models import Periode
from penilaian.services import monitoring
from penilaian.services.monitoring import Langkah
from tests.jejak_bantu import pembaca, setiap_perubahan_terlihat
from tests.penilaian_fixtures_monitoring import bulan_ini, evaluasi, keadaan, periode, presensi, skp, staf

pytestmark = pytest.mark.django_db

L = Langkah


def _url(name: str, per: Periode, *extra) -> str:
    return reverse(f"penilaian:{name}", args=[per.tahun, per.bulan, *extra])


def _capaian(per: Periode, opd: Opd) -> monitoring.Capaian:
    (row,) = monitoring.capaian_per_opd(per, [opd])
    return row.capaian


def _langkah(per: Periode, opd: Opd) -> dict[str, str]:
    return {p.nama: p.langkah for p in monitoring.populasi(per, [opd.pk])}


# Counts and turns ---------------------------------------------------------------------------------


def test_each_state_counts_once_with_its_turn(world):
    per = bulan_ini()
    keadaan(world, per)
    assert _langkah(per, world.opd) == {
        "Sunarto": L.SKP_DIAJUKAN,
        "Rina Puspitasari": L.BELUM_DIKIRIM,
        "Agus Setiawan": L.MENUNGGU_PENILAIAN,
        "Dewi Lestari": L.SELESAI,
        "Yuli Handayani": L.TANPA_SKP,
        "Staf Draf": L.BELUM_DIKIRIM,
        "Staf Kembali": L.DIKEMBALIKAN,
        # Today in Dinas Perhubungan, counted where the month's evaluation was.
        "Staf Pindah": L.SELESAI,
    }  # Tugas Belajar and NON_ASN are not in the cycle.
    c = _capaian(per, world.opd)
    assert (c.jumlah, c.skp, c.dikirim, c.dinilai, c.presensi) == (8, 6, 3, 2, 4)
    assert (c.giliran_pegawai, c.giliran_penilai) == (4, 2)
    assert [i["persen"] for i in c.item] == [75.0, 37.5, 25.0, 50.0]
    dishub = _capaian(per, world.other_opd)
    assert (dishub.jumlah, dishub.dinilai) == (1, 0)  # the outsider only, not "Staf Pindah"


def test_skp_of_another_year_or_superseded_does_not_count(world):
    per = bulan_ini()
    lalu = periode(per.tahun - 1, 12, realisasi=-300, penilaian=-290)
    skp(world.pegawai, lalu)  # last year's: not in force this month
    skp(world.pegawai2, per, "DIGANTI")
    skp(world.admin_opd, per, "DRAFT")
    langkah = _langkah(per, world.opd)
    assert langkah["Agus Setiawan"] == langkah["Dewi Lestari"] == langkah["Yuli Handayani"] == L.TANPA_SKP
    assert _langkah(lalu, world.opd)["Agus Setiawan"] == L.BELUM_DIKIRIM


def test_an_evaluation_counts_even_when_the_pegawai_left_the_cycle(world):
    per = bulan_ini()
    ev = evaluasi(world.pegawai, per, "DINILAI")
    Pegawai.objects.filter(pk=world.pegawai.pk).update(kedudukan_hukum="PENSIUN", is_active=False)
    assert _langkah(per, world.opd)["Agus Setiawan"] == L.SELESAI
    # A later month without an evaluation: no longer counted.
    nanti = periode(per.tahun + 1, 1, realisasi=40, penilaian=45)
    assert "Agus Setiawan" not in _langkah(nanti, world.opd)
    assert ev.snap_opd_id == world.opd.pk


def test_penilai_named_in_bulk_with_an_active_plt(world):
    per = bulan_ini()
    keadaan(world, per)
    today = timezone.localdate()
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, mulai=today - datetime.timedelta(days=1),
        selesai=today + datetime.timedelta(days=5),
    )  # fmt: skip
    qs = monitoring.daftar(monitoring.saring(monitoring.populasi(per, [world.opd.pk]), item="penilaian"))
    rows = {r.pegawai.nama: r for r in monitoring.baris_pegawai(per, qs)}
    assert rows["Agus Setiawan"].penilai == world.admin_opd  # the Plt rates now
    assert rows["Sunarto"].penilai == world.sekda
    assert rows["Sunarto"].giliran == "penilai" and rows["Yuli Handayani"].giliran == "pegawai"


def test_penilai_resolved_alike_for_a_page_and_for_a_long_list(world, monkeypatch):
    per = bulan_ini()
    keadaan(world, per)
    qs = monitoring.daftar(monitoring.populasi(per, [world.opd.pk]))
    scoped = {r.pegawai.pk: r.penilai for r in monitoring.baris_pegawai(per, qs)}
    monkeypatch.setattr(monitoring, "SCOPE_MAKS", 2)
    everybody = {r.pegawai.pk: r.penilai for r in monitoring.baris_pegawai(per, qs)}
    assert scoped == everybody and scoped[world.kepala.pk] == world.sekda and len(scoped) == 8


# Pages --------------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return [r.pegawai.nama for r in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Agus Setiawan", "Rina Puspitasari", "Staf Draf", "Staf Kembali", "Sunarto", "Yuli Handayani"]),
        ("?item=skp", ["Sunarto", "Yuli Handayani"]),
        ("?item=skp&giliran=penilai", ["Sunarto"]),
        ("?item=skp&giliran=pegawai", ["Yuli Handayani"]),
        ("?item=realisasi&giliran=pegawai", ["Rina Puspitasari", "Staf Draf", "Staf Kembali", "Yuli Handayani"]),
        ("?item=penilaian&giliran=penilai", ["Agus Setiawan", "Sunarto"]),
        ("?item=presensi", ["Staf Draf", "Staf Kembali", "Sunarto", "Yuli Handayani"]),
        ("?item=presensi&giliran=bkd", ["Staf Draf", "Staf Kembali", "Sunarto", "Yuli Handayani"]),
        ("?item=presensi&giliran=pegawai", []),
        # Bad input: the defaults, never a 500.
        ("?item=../../etc&giliran=%00", ["Agus Setiawan", "Rina Puspitasari", "Staf Draf", "Staf Kembali",
                                          "Sunarto", "Yuli Handayani"]),
        ("?item=skp&giliran=siapa&halaman=1e309", ["Sunarto", "Yuli Handayani"]),
        ("?item=skp&halaman=-5", ["Sunarto", "Yuli Handayani"]),
    ],
)  # fmt: skip
def test_opd_page_filters(client, world, query, expected):
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_opd)
    response = client.get(_url("pemantauan_opd", per, world.opd.pk) + query)
    assert response.status_code == 200
    assert _names(response) == expected


def test_opd_page_counts_per_item_and_turn(client, world):
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_bkd)
    url = _url("pemantauan_opd", per, world.opd.pk)
    response = client.get(url + "?item=skp")
    assert [(i["item"], i["belum"]) for i in response.context["items"]] == [
        ("skp", 2), ("realisasi", 5), ("penilaian", 6), ("presensi", 4),
    ]  # fmt: skip
    assert response.context["giliran_pilihan"] == [("", "Semua", 2), ("pegawai", "Pegawai", 1),
                                                   ("penilai", "Pejabat penilai", 1)]  # fmt: skip
    presensi_ = client.get(url + "?item=presensi").context["giliran_pilihan"]
    assert presensi_ == [("", "Semua", 4), ("bkd", "Admin BKD", 4)]


def test_opd_page_shows_turn_penilai_and_late_marks(client, world):
    # The realisation deadline passed two days ago, the evaluation deadline is ahead.
    per = bulan_ini(realisasi=-2, penilaian=4)
    keadaan(world, per)
    client.force_login(world.kepala)
    html = client.get(_url("pemantauan_opd", per, world.opd.pk)).content.decode()
    agus = html.split(f'data-nip="{world.pegawai.nip}"', 1)[1].split("</tr>", 1)[0]
    assert "Menunggu penilaian" in agus and "Pejabat penilai" in agus and "Rina Puspitasari" in agus
    assert "belum lewat batas" in agus and "Terlambat" not in agus
    yuli = html.split(f'data-nip="{world.admin_opd.nip}"', 1)[1].split("</tr>", 1)[0]
    assert "SKP belum diajukan" in yuli and "Terlambat 2 hari" in yuli
    assert reverse("penilaian:pemantauan_opd_terlambat", args=[per.tahun, per.bulan, world.opd.pk]) in html


def test_opd_page_is_paginated(client, world):
    per = bulan_ini()
    for i in range(62):
        staf(world.opd, f"Staf Besar {i:02d}", atasan=world.penilai.jabatan)
    client.force_login(world.admin_bkd)
    url = _url("pemantauan_opd", per, world.opd.pk)
    first = client.get(url)
    assert len(first.context["rows"]) == monitoring_page_size() == 50
    assert 'id="halaman-berikut"' in first.content.decode()
    second = client.get(url + "?item=penilaian&halaman=2")
    assert len(second.context["rows"]) == 67 - 50  # 62 + kepala, penilai, pegawai, pegawai2, admin_opd
    assert client.get(url + "?halaman=999").context["rows"][0].pegawai.nama == second.context["rows"][0].pegawai.nama


def monitoring_page_size() -> int:
    from penilaian.views.monitoring import PER_HALAMAN

    return PER_HALAMAN


_KOORDINAT = re.compile(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"')


def test_overview_lists_every_opd_with_chart_in_plain_numbers(client, world):
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_bkd)
    response = client.get(_url("pemantauan_bulan", per))
    html = response.content.decode()
    assert len(response.context["rows"]) == Opd.objects.count()
    dinkes = html.split('<tr data-opd="DINKESDALDUKKB">', 1)[1].split("</tr>", 1)[0]
    assert "37,5 %" in dinkes and "25,0 %" in dinkes  # localised text …
    assert 'style="width:37.5%"' in dinkes  # … but a CSS width with a dot
    svg = html.split('<div class="grafik-pemantauan', 1)[1].split("</svg>", 1)[0]
    values = _KOORDINAT.findall(svg)
    assert values and all(re.fullmatch(r"\d+(\.\d+)?", v) for v in values), values
    assert "SETDA ★" in svg and "DINKESDALDUKKB ★" in svg and "DISHUB ★" not in svg
    # Dinas Kesehatan's "rated" bar: 25 % of 440 units.
    assert 'width="110.0" height="6" fill="#198754"><title>Dinas Kesehatan' in svg
    assert response.context["total"].jumlah == 8 + 4  # Dinkes + Sekda, BKD, Inspektorat, Dishub


def test_overview_of_an_admin_opd_has_their_opd_only(client, world):
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(world.admin_opd)
    response = client.get(_url("pemantauan_bulan", per))
    assert [r.opd for r in response.context["rows"]] == [world.opd]


def test_month_selector_redirect_and_empty_states(client, world):
    client.force_login(world.admin_bkd)
    assert "Belum ada periode" in client.get(reverse("penilaian:pemantauan")).content.decode()
    per = bulan_ini()
    assert client.get(reverse("penilaian:pemantauan"))["Location"] == _url("pemantauan_bulan", per)
    pilih = client.get(reverse("penilaian:pemantauan") + f"?periode={per.tahun}-{per.bulan}")
    assert pilih["Location"] == _url("pemantauan_bulan", per)
    Periode.objects.create(tahun=per.tahun, bulan=0, batas_realisasi=per.batas_realisasi,
                           batas_penilaian=per.batas_penilaian)  # fmt: skip
    for args in ([per.tahun, 0], [per.tahun, 13], [1999, 1], [99999, 1]):
        assert client.get(reverse("penilaian:pemantauan_bulan", args=args)).status_code == 404
    assert client.get(reverse("penilaian:pemantauan") + "?periode=x-../").status_code == 302
    assert client.get(_url("pemantauan_opd", per, 2**40)).status_code == 404


# The late list ------------------------------------------------------------------------------------


def _xlsx(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _data_rows(ws) -> list[list]:
    rows = list(ws.iter_rows(min_row=8))
    return [[c.value for c in r] for r in rows]


def test_late_list_xlsx_of_an_opd(client, world):
    per = bulan_ini(realisasi=-3, penilaian=2)
    extra = keadaan(world, per)
    Pegawai.objects.filter(pk=extra["draf"].pk).update(nama='=HYPERLINK("http://x","klik")')
    jabatan = extra["kembali"].jabatan
    jabatan.nama = "+SUM(A1:A9)"
    jabatan.save()
    Pegawai.objects.filter(pk=world.admin_opd.pk).update(gelar_depan="@cmd")
    client.force_login(world.admin_opd)
    response = client.get(_url("pemantauan_opd_terlambat", per, world.opd.pk))
    assert f"terlambat-{per.tahun}-{per.bulan:02d}-DINKESDALDUKKB.xlsx" in response["Content-Disposition"]
    ws = _xlsx(response).active
    assert ws["B2"].value == per.nama
    assert ws["B3"].value == world.opd.nama
    assert ws.freeze_panes == "A8"
    header = [c.value for c in ws[7]]
    assert header[:4] == ["No", "OPD", "NIP", "Nama"] and header[-2:] == ["Status", "Hari Terlambat"]
    rows = {r[2]: r for r in _data_rows(ws)}
    # Six not complete (Dewi and Staf Pindah are rated).
    assert len(rows) == 6
    for row in ws.iter_rows(min_row=8):
        assert isinstance(row[2].value, str) and row[2].number_format == "@"
        assert row[9].number_format == "@"
    agus = rows[world.pegawai.nip]
    assert agus[5:8] == ["Menunggu penilaian", "Pejabat penilai", "Pejabat penilai menilai realisasi"]
    assert agus[8:10] == ["Rina Puspitasari, S.KM.", world.penilai.nip]
    assert agus[11:] == ["Belum (belum lewat batas)", 0]
    assert agus[10].date() == per.batas_penilaian
    yuli = rows[world.admin_opd.nip]
    assert yuli[3] == "'@cmd Yuli Handayani" and yuli[11:] == ["Terlambat 3 hari", 3]
    assert rows[extra["draf"].nip][3] == '\'=HYPERLINK("http://x","klik")'
    assert rows[extra["kembali"].nip][4] == "'+SUM(A1:A9)"
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for r in _data_rows(ws) for v in r)


def test_late_list_of_the_month_covers_the_viewers_opds(client, world):
    per = bulan_ini(realisasi=-1, penilaian=-1)
    keadaan(world, per)
    client.force_login(world.admin_bkd)
    ws = _xlsx(client.get(_url("pemantauan_terlambat", per))).active
    assert ws["B3"].value == f"Semua OPD ({Opd.objects.count()})"
    rows = _data_rows(ws)
    opd_order = [r[1] for r in rows]
    # Pilots first in the regency's order, then the others; all late (both deadlines passed).
    assert opd_order == ["Sekretariat Daerah", "Inspektorat", "Badan Kepegawaian Daerah"] + [world.opd.nama] * 6 + [
        "Dinas Perhubungan"
    ]
    assert all(r[11].startswith("Terlambat 1 hari") for r in rows)
    assert [r[0] for r in rows] == list(range(1, 11))
    client.force_login(world.admin_opd)
    response = client.get(_url("pemantauan_terlambat", per))
    assert "DINKESDALDUKKB" in response["Content-Disposition"]
    assert {r[1] for r in _data_rows(_xlsx(response).active)} == {world.opd.nama}


# Beranda ------------------------------------------------------------------------------------------


def test_beranda_card_regency_with_least_complete_opds(client, world):
    per = bulan_ini()
    keadaan(world, per)
    evaluasi(world.outsider, per, "DINILAI")  # Dinas Perhubungan complete
    presensi(per, [world.outsider])
    client.force_login(world.admin_bkd)
    html = client.get(reverse("opd:dashboard")).content.decode()
    card = html.split('data-testid="beranda-pemantauan"', 1)[1].split('data-testid="', 1)[0]
    assert f"Pemantauan {per.nama}" in card and f"{Opd.objects.count()} OPD" in card
    terendah = re.findall(r'<li data-opd="([^"]+)"', card)
    assert terendah == ["SETDA", "INSPEKTORAT", "BKD", "DINKESDALDUKKB"]  # 0 %, 0 %, 0 %, 25 %; Dishub 100 %
    assert _url("pemantauan_bulan", per) in card


@pytest.mark.parametrize("role", ["admin_opd", "kepala"])
def test_beranda_card_of_an_opd(client, world, role):
    per = bulan_ini()
    keadaan(world, per)
    client.force_login(getattr(world, role))
    html = client.get(reverse("opd:dashboard")).content.decode()
    card = html.split('data-testid="beranda-pemantauan"', 1)[1]
    assert "DINKESDALDUKKB · 8 pegawai" in card and 'id="opd-terendah"' not in card
    assert _url("pemantauan_opd", per, world.opd.pk) in card


@pytest.mark.parametrize("role", ["pegawai", "penilai", "outsider"])
def test_beranda_card_hidden_from_others(client, world, role):
    keadaan(world, bulan_ini())
    client.force_login(getattr(world, role))
    assert 'data-testid="beranda-pemantauan"' not in client.get(reverse("opd:dashboard")).content.decode()


def test_beranda_card_of_a_plt_kepala_while_active(client, world):
    per = bulan_ini()
    keadaan(world, per)
    today = timezone.localdate()
    plt = PenugasanPlt.objects.create(
        jabatan=world.kepala.jabatan, pegawai=world.penilai, mulai=today - datetime.timedelta(days=2),
        selesai=today + datetime.timedelta(days=2),
    )  # fmt: skip
    client.force_login(world.penilai)
    assert 'data-testid="beranda-pemantauan"' in client.get(reverse("opd:dashboard")).content.decode()
    assert client.get(_url("pemantauan_opd", per, world.opd.pk)).status_code == 200
    PenugasanPlt.objects.filter(pk=plt.pk).update(selesai=today - datetime.timedelta(days=1))
    assert 'data-testid="beranda-pemantauan"' not in client.get(reverse("opd:dashboard")).content.decode()
    assert client.get(_url("pemantauan_opd", per, world.opd.pk)).status_code == 403


# Query counts -------------------------------------------------------------------------------------


def _grow(world, pers: list[Periode], n: int) -> None:
    """`n` more pegawai in three OPDs, each with an evaluation and attendance in every month."""
    for kode in ("DINKESDALDUKKB", "DISHUB", "BKD"):
        opd = Opd.objects.get(kode=kode)
        for i in range(n):
            p = staf(opd, f"Tambahan {kode} {i}", atasan=world.penilai.jabatan if opd == world.opd else None)
            for j, per in enumerate(pers):
                evaluasi(p, per, ("DRAFT", "DIKIRIM", "DINILAI", "DIKEMBALIKAN")[(i + j) % 4])
                presensi(per, [p])


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_query_counts_pinned_and_do_not_grow(client, world, django_assert_max_num_queries):
    per = bulan_ini()
    lalu = periode(per.tahun if per.bulan > 1 else per.tahun - 1, per.bulan - 1 or 12, realisasi=-20, penilaian=-15)
    keadaan(world, per)
    client.force_login(world.admin_opd)
    urls = {
        "pemantauan_bulan": _url("pemantauan_bulan", per),
        "pemantauan_opd": _url("pemantauan_opd", per, world.opd.pk) + "?item=penilaian",
        "pemantauan_opd_presensi": _url("pemantauan_opd", per, world.opd.pk) + "?item=presensi",
        "pemantauan_terlambat": _url("pemantauan_terlambat", per),
        "pemantauan_opd_terlambat": _url("pemantauan_opd_terlambat", per, world.opd.pk),
        "beranda": reverse("opd:dashboard"),
    }
    kecil = {k: _count(client, u) for k, u in urls.items()}
    # Overview: session, user and roles, pimpinan lookup (2), the month, the OPDs, one grouped
    # count, the month selector, plus the menu's fixed costs.
    with django_assert_max_num_queries(14):
        client.get(urls["pemantauan_bulan"])
    # The OPD page: + the count, the page of names, one OrgChart (4).
    with django_assert_max_num_queries(19):
        client.get(urls["pemantauan_opd"])
    # The late list: session, user and roles, the month, pimpinan (2), the OPD, the names, one
    # OrgChart (4).
    with django_assert_max_num_queries(12):
        client.get(urls["pemantauan_opd_terlambat"])
    _grow(world, [per, lalu], 30)
    besar = {k: _count(client, u) for k, u in urls.items()}
    assert besar == kecil
    # 6 of the fixture + 23 of the 30 new Dinas Kesehatan pegawai (every fourth one is rated).
    assert len(client.get(urls["pemantauan_opd"]).context["rows"]) == 29


def test_admin_bkd_overview_and_beranda_query_counts_do_not_grow(client, world, django_assert_max_num_queries):
    per = bulan_ini()
    client.force_login(world.admin_bkd)
    url = _url("pemantauan_bulan", per)
    kecil = _count(client, url)
    beranda = _count(client, reverse("opd:dashboard"))
    # tests/test_pages_opd.py pins the Beranda without a period (19); with one opened the other
    # cards read more (20 without this card) and the monitoring card reads the period, the OPDs
    # and the month's grouped count (+3).
    with django_assert_max_num_queries(23):
        client.get(reverse("opd:dashboard"))
    _grow(world, [per], 20)
    assert _count(client, url) == kecil
    cache.clear()  # the Beranda keeps the regency's counts a minute: compare two cold Berandas
    assert _count(client, reverse("opd:dashboard")) == beranda
    assert client.get(url).context["total"].jumlah == 9 + 60


# Kept until an input changes (issue #9) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_counts_kept_until_an_input_changes(world):
    """The counts of every OPD are kept until a table they are computed from changes
    (ekinerja.jejak): after a change of each input by any path — raw UPDATEs here — equal to the
    grouping computed anew; a login, a name or another month's evaluation do not recompute them."""
    from opd.models import Jabatan, JenisJabatan
    from penilaian.models import Evaluasi, Presensi
    from skp.models import Skp

    per = bulan_ini()
    orang = keadaan(world, per)
    lain = periode(per.tahun + 1, 1, realisasi=3, penilaian=8)
    evaluasi(world.pegawai, lain, "DRAFT")
    opds = list(monitoring.opd_dipantau(world.admin_bkd))

    def baca() -> dict[str, tuple]:
        rows = monitoring.capaian_per_opd(per, opds)
        return {r.opd.kode: (r.capaian.jumlah, r.capaian.presensi, sorted(r.capaian.langkah.items())) for r in rows}

    counts = pembaca(baca, "GROUP BY")

    def segar() -> dict[str, tuple]:
        per_opd = {o.pk: monitoring.Capaian() for o in opds}
        for opd_id, langkah, ada, n in monitoring._hitung_per_opd(per, sorted(per_opd)):
            per_opd[opd_id].tambah(langkah, bool(ada), n)
        return {o.kode: (c.jumlah, c.presensi, sorted(c.langkah.items())) for o in opds for c in [per_opd[o.pk]]}

    pg = connection.vendor == "postgresql"
    assert counts() == segar() and counts.dihitung
    counts()
    assert counts.dihitung is not pg
    Pegawai.objects.update(last_login=timezone.now())
    Pegawai.objects.filter(pk=world.pegawai.pk).update(nama="Nama Baru")
    Evaluasi.objects.filter(periode=lain).update(status="DIKIRIM", dikirim_pada=timezone.now())
    counts()
    assert counts.dihitung is not pg
    changes = {
        "submitted": lambda: Evaluasi.objects.filter(periode=per, pegawai=orang["draf"]).update(
            status="DIKIRIM", dikirim_pada=timezone.now()),
        "attendance": lambda: Presensi.objects.filter(periode=per, pegawai=world.penilai).delete(),
        "SKP approved": lambda: Skp.objects.filter(pegawai=world.kepala).update(status=Skp.Status.DISETUJUI),
        "login disabled": lambda: Pegawai.objects.filter(pk=world.sekda.pk).update(is_active=False),
        "back on duty": lambda: Pegawai.objects.filter(pk=orang["belajar"].pk).update(kedudukan_hukum="AKTIF"),
        "pejabat negara": lambda: Jabatan.objects.filter(pk=world.penilai.jabatan_id).update(
            jenis=JenisJabatan.PEJABAT_NEGARA),
    }  # fmt: skip
    setiap_perubahan_terlihat(counts, segar, changes)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the change marks are PostgreSQL triggers")
def test_rapikan_jejak_deletes_only_marks_older_than_a_day(world):
    """`manage.py rapikan_jejak` deletes the marks no kept result can need any more (written more
    than a day ago, kept results live six hours at most) and keeps the recent ones."""
    import io as _io

    from django.core.management import call_command

    from ekinerja import jejak

    assert jejak.RAPIKAN_SETELAH.total_seconds() > jejak.SIMPAN_MAKS_DETIK
    per = bulan_ini()
    evaluasi(world.pegawai, per, "DRAFT")  # a mark written now
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ek_jejak (kunci, slot, xid, dicatat_pada) VALUES "
            "('penilaian_evaluasi:1', 7, '7'::xid8, now() - interval '25 hours'), "
            "('opd_pegawai:*', 8, '8'::xid8, now() - interval '23 hours')"
        )
        cursor.execute("SELECT count(*) FROM ek_jejak")
        (sebelum,) = cursor.fetchone()
    out = _io.StringIO()
    call_command("rapikan_jejak", stdout=out)
    assert out.getvalue().strip() == "1 tanda perubahan lama dihapus."
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE slot = 7) FROM ek_jejak")
        assert cursor.fetchone() == (sebelum - 1, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the change marks are PostgreSQL triggers")
@pytest.mark.django_db(transaction=True)
def test_a_transaction_marks_each_key_once_and_a_rolled_back_savepoint_unmarks(world):
    """A staff import's thousands of single-row UPDATEs mark the pegawai table once (a row rewritten
    thousands of times in one transaction made the 100,000 import 8 s slower); a mark written in a
    savepoint that is rolled back is gone, and the next write marks again."""
    from django.db import transaction

    from penilaian.models import Presensi

    per = bulan_ini()
    presensi(per, [world.pegawai])

    def tanda() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT kunci FROM ek_jejak WHERE xid = pg_current_xact_id() ORDER BY kunci")
            return [k for (k,) in cursor.fetchall()]

    with transaction.atomic():
        for p in Pegawai.objects.filter(opd=world.opd)[:5]:
            Pegawai.objects.filter(pk=p.pk).update(opd=world.opd)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('ek_jejak.sudah', true)")
            assert cursor.fetchone()[0] == "|opd_pegawai:*|"
        with transaction.atomic():
            Presensi.objects.filter(periode=per).update(tl1=1)
            assert tanda() == ["opd_pegawai:*", f"penilaian_presensi:{per.pk}"]
            transaction.set_rollback(True)
        assert tanda() == ["opd_pegawai:*"]
        Presensi.objects.filter(periode=per).update(tl1=2)
        assert tanda() == ["opd_pegawai:*", f"penilaian_presensi:{per.pk}"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the change marks are PostgreSQL triggers")
def test_every_table_read_models_key_on_has_its_triggers(db):
    """`ekinerja.jejak.TABEL_BERTANDA` (what `kunci` accepts) and the triggers in the database agree:
    a table listed without triggers would serve kept results after it changed."""
    from ekinerja import jejak
    from opd.models import Opd

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'ek_jejak%%' GROUP BY c.relname"
        )
        pemicu = dict(cursor.fetchall())
    per_bulan = ["ek_jejak_d", "ek_jejak_i", "ek_jejak_t", "ek_jejak_u"]
    assert pemicu == {
        t: per_bulan if bulanan else ["ek_jejak_idt", "ek_jejak_u"] for t, bulanan in jejak.TABEL_BERTANDA.items()
    }
    with pytest.raises(ValueError, match="opd_opd tidak ditandai"):
        jejak.kunci(Opd)
