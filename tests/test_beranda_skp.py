"""The SKP cards on the Beranda (skp.widgets via settings.DASHBOARD_WIDGETS)."""

import pytest
from django.urls import reverse

from tests.test_skp_pages import TAHUN, pegawai_skp

pytestmark = pytest.mark.django_db


def beranda(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("opd:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_pegawai_without_skp_is_invited_to_write_one(client, world):
    html = beranda(client, world.pegawai)
    assert f"Anda belum memiliki SKP tahun {TAHUN}" in html
    assert reverse("skp:daftar") in html
    assert 'data-testid="beranda-persetujuan"' not in html


def test_returned_skp_shows_the_note_and_the_link(client, world):
    skp = pegawai_skp(world, "DIKEMBALIKAN")
    html = beranda(client, world.pegawai)
    assert "Perbaiki target" in html
    assert reverse("skp:detail", args=[skp.pk]) in html


def test_penilai_sees_what_waits(client, world):
    pegawai_skp(world, "DIAJUKAN")
    html = beranda(client, world.penilai)
    assert 'data-testid="beranda-persetujuan"' in html
    # world.pegawai submitted, world.pegawai2 has not: 1 waiting, 0 approved, 1 not submitted.
    assert '<div class="stat-value fs-3 fw-bold text-primary">1</div><div class="small text-muted">menunggu' in html
    assert 'text-warning">1</div><div class="small text-muted">belum diajukan' in html
    # The penilai's own SKP (approved by the kepala in pegawai_skp's setup) is on the same page.
    assert "SKP Anda telah disetujui" in html


def test_bupati_has_no_skp_card_but_sees_the_sekda(client, world):
    html = beranda(client, world.bupati)
    assert 'data-testid="beranda-skp"' not in html
    assert 'data-testid="beranda-persetujuan"' in html


def test_admin_bkd_beranda_keeps_its_query_budget(client, world, django_assert_max_num_queries):
    client.force_login(world.admin_bkd)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("opd:dashboard")).status_code == 200


def test_a_submitted_revision_counts_as_waiting_like_the_inbox(client, world):
    from skp import services

    skp = pegawai_skp(world, "DISETUJUI")
    revisi = services.start_revision(skp, by=world.pegawai)
    services.submit_skp(revisi, by=world.pegawai)
    html = beranda(client, world.penilai)
    assert '<div class="stat-value fs-3 fw-bold text-primary">1</div><div class="small text-muted">menunggu' in html
    client.force_login(world.penilai)
    assert len(client.get(reverse("skp:persetujuan")).context["menunggu"]) == 1
