"""Kurva distribusi (SPEC §6): capaian organisasi and finalisation (services), the regency overview
and the OPD page through HTTP, with query counts that do not grow with OPDs, pegawai or periods.

The concurrent finalisation runs on PostgreSQL only (real row locks):
DATABASE_URL=postgres://postgres@127.0.0.1:5432/ekinerja_admin."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opd.models import AuditLog, Opd
from penilaian.models import KinerjaOrganisasi
from penilaian.rules import Predikat
from penilaian.services import kurva as services
from penilaian.services._common import PenilaianError
from tests.penilaian_fixtures_admin import capaian, isi_kurva, periode, periode_berjalan, periode_terkunci

pytestmark = pytest.mark.django_db

D = datetime.date
P = Predikat
# SPEC §6 worked example: n = 10, organisasi Baik, 8 Baik breaks "Baik ≤ 70 %" (at most 7).
MELANGGAR = {P.BAIK: 8, P.BUTUH_PERBAIKAN: 2}
SESUAI = {P.SANGAT_BAIK: 2, P.BAIK: 7, P.BUTUH_PERBAIKAN: 1}


def _url(name: str, per, opd=None) -> str:
    args = [per.tahun, per.bulan] + ([opd.pk] if opd is not None else [])
    return reverse(f"penilaian:{name}", args=args)


# Services -----------------------------------------------------------------------------------------


def test_catat_capaian_organisasi(world):
    per = periode_terkunci()
    k = services.catat_capaian_organisasi(per, world.opd, "BAIK", by=world.admin_bkd)
    assert k.capaian == "BAIK" and k.dicatat_oleh == world.admin_bkd
    services.catat_capaian_organisasi(per, world.opd, "ISTIMEWA", by=world.admin_bkd)
    rows = AuditLog.objects.for_object(k).filter(aksi="capaian_organisasi_dicatat").order_by("pk")
    assert [r.perubahan["capaian"] for r in rows] == [[None, "BAIK"], ["BAIK", "ISTIMEWA"]]
    assert all(r.opd_id == world.opd.pk for r in rows)
    # The same value again: nothing to audit.
    services.catat_capaian_organisasi(per, world.opd, "ISTIMEWA", by=world.admin_bkd)
    assert rows.count() == 2
    with pytest.raises(PenilaianError, match="Pilih capaian"):
        services.catat_capaian_organisasi(per, world.opd, "LUAR_BIASA", by=world.admin_bkd)
    for user in (world.admin_opd, world.auditor, world.kepala, world.sekda):
        with pytest.raises(PenilaianError, match="Hanya admin BKD"):
            services.catat_capaian_organisasi(per, world.opd, "KURANG", by=user)
    assert KinerjaOrganisasi.objects.get().capaian == "ISTIMEWA"


def test_finalkan_preconditions(world):
    per = periode_terkunci()
    with pytest.raises(PenilaianError, match="Catat capaian"):
        services.finalkan_opd(per, world.opd, by=world.admin_bkd)
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    with pytest.raises(PenilaianError, match="Belum ada pegawai"):
        services.finalkan_opd(per, world.opd, by=world.admin_bkd)
    berjalan = periode(2026, 0, batas_realisasi=D(2099, 1, 15), batas_penilaian=D(2099, 1, 31))
    capaian(world.opd, berjalan, "BAIK", world.admin_bkd)
    with pytest.raises(PenilaianError, match="masih berjalan"):
        services.finalkan_opd(berjalan, world.opd, by=world.admin_bkd)
    isi_kurva(world.opd, per, SESUAI)
    with pytest.raises(PenilaianError, match="Hanya admin BKD"):
        services.finalkan_opd(per, world.opd, by=world.admin_opd)
    assert not KinerjaOrganisasi.objects.filter(difinalkan_pada__isnull=False).exists()


def test_finalkan_without_broken_constraints(world):
    per = periode_terkunci()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, SESUAI)
    k = services.finalkan_opd(per, world.opd, by=world.admin_bkd)
    assert k.is_final and k.difinalkan_oleh == world.admin_bkd and k.pelanggaran_saat_final == []
    row = AuditLog.objects.for_object(k).get(aksi="kurva_difinalkan")
    assert row.perubahan == {"status": ["belum final", "final"]} and row.actor == world.admin_bkd
    # Twice: the second is told who did it.
    with pytest.raises(PenilaianError, match="sudah difinalkan oleh Bambang Wicaksono"):
        services.finalkan_opd(per, world.opd, by=world.admin_bkd)
    # Capaian cannot change any more.
    with pytest.raises(PenilaianError, match="tidak dapat diubah lagi"):
        services.catat_capaian_organisasi(per, world.opd, "ISTIMEWA", by=world.admin_bkd)
    assert KinerjaOrganisasi.objects.get().capaian == "BAIK"
    assert AuditLog.objects.filter(aksi="kurva_difinalkan").count() == 1


def test_finalkan_broken_constraint_needs_justification(world):
    per = periode_terkunci()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, MELANGGAR)
    with pytest.raises(PenilaianError, match="tuliskan justifikasi"):
        services.finalkan_opd(per, world.opd, by=world.admin_bkd, justifikasi="  ")
    assert not KinerjaOrganisasi.objects.get().is_final
    alasan = "Seluruh pegawai bidang pelayanan mencapai target vaksinasi; dibahas dalam rapat TPP 10 Desember."
    k = services.finalkan_opd(per, world.opd, by=world.admin_bkd, justifikasi=alasan)
    k.refresh_from_db()
    assert k.is_final and k.justifikasi == alasan
    assert k.pelanggaran_saat_final == [
        "Baik 8 dari 10 pegawai (80,0 %); untuk capaian organisasi Baik paling banyak 70 % (7 pegawai)."
    ]
    row = AuditLog.objects.for_object(k).get(aksi="kurva_difinalkan")
    assert row.alasan == alasan and row.perubahan["pelanggaran"][1] == k.pelanggaran_saat_final


def test_curve_counts_the_snapshot_opd_not_todays(world):
    """A pegawai moved to another OPD after the month still counts in the OPD of then."""
    from penilaian.services._common import kurva_opd

    per = periode_terkunci()
    (ev,) = isi_kurva(world.opd, per, {P.BAIK: 1})
    ev.pegawai.opd = world.other_opd
    ev.pegawai.save(update_fields=["opd"])
    assert kurva_opd(per, world.opd).n == 1 and kurva_opd(per, world.other_opd).n == 0


@pytest.mark.django_db(transaction=True)
def test_finalkan_concurrently_one_wins(world):
    """Two admin BKD tabs finalise at the same moment: the row lock serialises them; one wins,
    the other is told. Real row locks need PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("Uji konkurensi memerlukan PostgreSQL (DATABASE_URL).")
    per = periode_terkunci()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, SESUAI)
    barrier = threading.Barrier(2)
    hasil: list[str] = []

    def finalise() -> None:
        try:
            barrier.wait()
            services.finalkan_opd(per, world.opd, by=world.admin_bkd, justifikasi="")
            hasil.append("ok")
        except PenilaianError as exc:
            hasil.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finalise) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(hasil, key=lambda h: h != "ok")[0] == "ok"
    assert hasil.count("ok") == 1 and "sudah difinalkan" in next(h for h in hasil if h != "ok")
    assert AuditLog.objects.filter(aksi="kurva_difinalkan").count() == 1


# Pages --------------------------------------------------------------------------------------------


def test_kurva_redirects_to_the_current_period(client, world):
    client.force_login(world.admin_bkd)
    response = client.get(reverse("penilaian:kurva"))
    assert response.status_code == 200 and "Belum ada periode" in response.content.decode()
    per = periode_berjalan()
    assert client.get(reverse("penilaian:kurva")).url == _url("kurva_bulan", per)
    # The period selector.
    assert client.get(reverse("penilaian:kurva"), {"periode": "2025-0"}).url == reverse(
        "penilaian:kurva_bulan", args=[2025, 0]
    )
    assert client.get(reverse("penilaian:kurva"), {"periode": "x"}).url == _url("kurva_bulan", per)
    for args in ([2025, 0], [2026, 13], [99999999999999999999, 1]):
        assert client.get(reverse("penilaian:kurva_bulan", args=args)).status_code == 404


def test_overview_shows_every_opd_with_its_curve(client, world):
    per = periode_terkunci()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, MELANGGAR)
    capaian(world.other_opd, per, "ISTIMEWA", world.admin_bkd)
    isi_kurva(world.other_opd, per, {P.SANGAT_BAIK: 1, P.BAIK: 2})
    client.force_login(world.admin_bkd)
    html = client.get(_url("kurva_bulan", per)).content.decode()
    dinkes = html.split(f'data-opd="{world.opd.kode}"')[1].split("</tr>")[0]
    assert (
        "Baik" in dinkes and "paling banyak 70 % (7 pegawai)" in dinkes and _url("kurva_opd", per, world.opd) in dinkes
    )
    dishub = html.split(f'data-opd="{world.other_opd.kode}"')[1].split("</tr>")[0]
    assert "Istimewa" in dishub and "Sesuai" in dishub
    assert html.count("data-opd=") == Opd.objects.count()
    assert_svg_numbers(html)
    assert '<rect x="0.0" y="0" width="80.0"' in dinkes
    melanggar = client.get(_url("kurva_bulan", per), {"tampil": "melanggar"}).content.decode()
    assert melanggar.count("data-opd=") == 1 and f'data-opd="{world.opd.kode}"' in melanggar
    assert client.get(_url("kurva_bulan", per), {"tampil": "dinilai"}).content.decode().count("data-opd=") == 2
    # The admin OPD and the Kepala OPD see their OPD only; the Sekda every OPD.
    for user, n in ((world.admin_opd, 1), (world.kepala, 1), (world.sekda, Opd.objects.count())):
        client.force_login(user)
        page = client.get(_url("kurva_bulan", per)).content.decode()
        assert page.count("data-opd=") == n and f'data-opd="{world.opd.kode}"' in page


SVG_NUMBER = re.compile(r'\s(?:x|y|width|height)="([^"]*)"')


def assert_svg_numbers(html: str) -> None:
    """Every coordinate of the charts is a number a browser reads: the Indonesian locale writes
    80.0 as "80,0", which used to make the bars vanish."""
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert svgs
    for svg in svgs:
        for value in SVG_NUMBER.findall(svg):
            assert re.fullmatch(r"-?\d+(\.\d+)?", value), value


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_overview_and_opd_page_queries_do_not_grow(client, world, django_assert_max_num_queries):
    per = periode_terkunci()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, {P.BAIK: 2, P.KURANG: 1})
    client.force_login(world.admin_bkd)
    overview, opd_page = _url("kurva_bulan", per), _url("kurva_opd", per, world.opd)
    small = (_queries(client, overview), _queries(client, opd_page))
    # More OPDs with curves, more pegawai, more periods stored.
    for kode in ("SETDA", "BKD", "INSPEKTORAT", "DISHUB", "KOMINFO", "DISKAN"):
        opd = Opd.objects.get(kode=kode)
        capaian(opd, per, "BUTUH_PERBAIKAN", world.admin_bkd)
        isi_kurva(opd, per, {P.BUTUH_PERBAIKAN: 4, P.SANGAT_BAIK: 2, P.BAIK: 1})
    isi_kurva(world.opd, per, {P.SANGAT_BAIK: 5, P.BAIK: 10})
    for bulan in range(1, 6):
        lalu = periode(2025, bulan, batas_realisasi=D(2025, bulan + 1, 5), batas_penilaian=D(2025, bulan + 1, 10))
        capaian(world.opd, lalu, "BAIK", world.admin_bkd)
        isi_kurva(world.opd, lalu, {P.BAIK: 3})
    assert (_queries(client, overview), _queries(client, opd_page)) == small
    # Pinned: the session, the user and roles, the menu, then a fixed handful for the page.
    with django_assert_max_num_queries(12):
        client.get(overview)
    with django_assert_max_num_queries(12):
        client.get(opd_page)


def test_opd_page_names_every_broken_constraint(client, world):
    per = periode_terkunci()
    capaian(world.opd, per, "SANGAT_KURANG", world.admin_bkd)
    isi_kurva(world.opd, per, {P.SANGAT_BAIK: 1, P.BAIK: 9})
    client.force_login(world.kepala)
    html = client.get(_url("kurva_opd", per, world.opd)).content.decode()
    assert "Sangat Kurang 0 dari 10 pegawai" in html
    assert "Kurang + Butuh Perbaikan 0 dari 10 pegawai" in html
    assert "tidak boleh ada pegawai dengan predikat Sangat Baik" in html
    assert_svg_numbers(html)
    # A reader sees no admin form.
    assert 'id="form-capaian"' not in html and 'id="form-finalkan"' not in html
    assert client.get(_url("kurva_opd", per, world.other_opd)).status_code == 404
    assert client.get(reverse("penilaian:kurva_opd", args=[per.tahun, per.bulan, 99999999999999])).status_code == 404


def test_capaian_form(client, world):
    per = periode_terkunci()
    client.force_login(world.admin_bkd)
    url = _url("kurva_capaian", per, world.opd)
    assert client.get(url).status_code == 405
    response = client.post(url, {"capaian": "HEBAT"})
    assert response.status_code == 200 and "Pilih salah satu capaian" in response.content.decode()
    assert not KinerjaOrganisasi.objects.exists()
    response = client.post(url, {"capaian": "KURANG"})
    assert response.status_code == 302 and response.url == _url("kurva_opd", per, world.opd)
    assert KinerjaOrganisasi.objects.get().capaian == "KURANG"
    html = client.get(response.url).content.decode()
    assert "Capaian kinerja organisasi: <strong>Kurang</strong>" in html


def test_finalise_form(client, world):
    per = periode_terkunci()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, MELANGGAR)
    client.force_login(world.admin_bkd)
    page = _url("kurva_opd", per, world.opd)
    url = _url("kurva_finalkan", per, world.opd)
    html = client.get(page).content.decode()
    assert 'id="form-finalkan"' in html and "memerlukan justifikasi" in html
    assert client.get(url).status_code == 405
    # Without the confirmation: refused, typed text kept.
    response = client.post(url, {"justifikasi": "Rapat TPP"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Centang pernyataan" in html and "Rapat TPP</textarea>" in html
    # Without justification: refused.
    response = client.post(url, {"justifikasi": "", "konfirmasi": "on"})
    assert "tuliskan justifikasi" in response.content.decode()
    assert not KinerjaOrganisasi.objects.get().is_final
    response = client.post(
        url, {"justifikasi": "Hasil rapat TPP: kinerja bidang pelayanan luar biasa.", "konfirmasi": "on"}
    )
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert 'id="status-final"' in html and "Hasil rapat TPP" in html and "Bambang Wicaksono" in html
    assert 'id="form-finalkan"' not in html and 'id="form-capaian"' not in html
    # A second tab posts again: told, nothing changes.
    response = client.post(url, {"justifikasi": "lagi", "konfirmasi": "on"})
    assert response.status_code == 200 and "sudah difinalkan" in response.content.decode()
    assert KinerjaOrganisasi.objects.get().justifikasi.startswith("Hasil rapat TPP")


def test_finalise_not_offered_before_the_deadline(client, world):
    per = periode_berjalan()
    capaian(world.opd, per, "BAIK", world.admin_bkd)
    isi_kurva(world.opd, per, SESUAI)
    client.force_login(world.admin_bkd)
    html = client.get(_url("kurva_opd", per, world.opd)).content.decode()
    assert 'id="form-finalkan"' not in html and "setelah batas penilaian" in html
    response = client.post(_url("kurva_finalkan", per, world.opd), {"konfirmasi": "on"})
    assert response.status_code == 200 and "masih berjalan" in response.content.decode()
