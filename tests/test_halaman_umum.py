"""What every page shares (issue #6 §6): a favicon, and one container width for lists and
detail pages alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])


def test_pages_link_the_icon(client, world):
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()
    client.force_login(world.pegawai)
    assert 'rel="icon"' in client.get(reverse("opd:dashboard")).content.decode()


@pytest.mark.parametrize(
    "name", ["opd:dashboard", "opd:pegawai_list", "opd:audit_list", "opd:plt_list", "opd:opd_list", "skp:daftar"]
)
def test_one_container_width_for_every_page(client, world, name):
    client.force_login(world.admin_bkd)
    html = client.get(reverse(name)).content.decode()
    assert '<main class="container-fluid app-main py-4">' in html


def test_unit_tree_shows_the_unit_name_without_a_clashing_jenis(client, world):
    from opd.models import UnitKerja

    UnitKerja.objects.create(opd=world.opd, parent=world.unit, nama="Subbidang Mutasi", jenis=UnitKerja.Jenis.SUBBAGIAN)
    client.force_login(world.admin_bkd)
    html = client.get(reverse("opd:opd_detail", args=[world.opd.kode])).content.decode()
    assert "Subbidang Mutasi" in html and "· Sub Bagian" not in html
    assert "{#" not in html and "{%" not in html  # template comments stay out of the page


def _skp_submitted_to_a_penilai_with_a_dotted_degree(world):
    from tests.test_skp_pages import pegawai_skp

    world.penilai.gelar_belakang = "S.ST."
    world.penilai.save(update_fields=["gelar_belakang"])
    return pegawai_skp(world, "DIAJUKAN")


def test_no_double_full_stop_after_a_degree(client, world):
    skp = _skp_submitted_to_a_penilai_with_a_dotted_degree(world)
    client.force_login(world.pegawai)
    html = client.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    assert "Rina Puspitasari, S.ST." in html and "S.ST.." not in html


def test_approved_skp_page_offers_the_print(client, world):
    from skp import services

    skp = _skp_submitted_to_a_penilai_with_a_dotted_degree(world)
    services.approve_skp(skp, by=world.penilai)
    client.force_login(world.penilai)
    html = client.get(reverse("skp:detail", args=[skp.pk])).content.decode()
    banner = html[html.index('id="skp-disetujui"') :]
    assert f'href="{reverse("skp:cetak", args=[skp.pk])}"' in banner[: banner.index("</div>")]
    assert client.get(reverse("skp:cetak", args=[skp.pk])).status_code == 200  # a link the penilai can open


def test_status_badges_come_from_one_include(client, world):
    skp = _skp_submitted_to_a_penilai_with_a_dotted_degree(world)
    client.force_login(world.pegawai)
    beranda = client.get(reverse("opd:dashboard")).content.decode()
    daftar = client.get(reverse("skp:daftar")).content.decode()
    badge = f'<span class="badge status-badge badge-status-{skp.status}">Diajukan</span>'
    assert badge in beranda and badge in daftar
