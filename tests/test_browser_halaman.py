"""The pages changed for issue #6 §6, looked at in Chromium at 1366 px (screenshots under
test-artifacts/screenshots/halaman_*.png), with the layout facts a screenshot shows asserted."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opd.models import PenugasanPlt, UnitKerja
from skp import rules, services
from skp.models import RencanaHasilKerja
from tests.conftest import browser_login
from tests.test_skp_pages import pegawai_skp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _as(page: Page, live_server, who) -> None:
    page.context.clear_cookies()
    browser_login(page, live_server, who.nip)


def _shot(page: Page, screenshot_dir, name: str) -> None:
    page.screenshot(path=screenshot_dir / f"halaman_{name}.png", full_page=True)


def test_pages_look_right(page: Page, live_server, world, screenshot_dir):
    world.penilai.gelar_belakang = "S.ST."
    world.penilai.save(update_fields=["gelar_belakang"])
    skp = pegawai_skp(world)
    services.update_skp(
        skp, by=world.pegawai, versi=skp.versi, pendekatan=skp.pendekatan,
        lampiran_dukungan_sumber_daya="Komputer dan akses SIMPUS", lampiran_skema_pertanggungjawaban="",
        lampiran_konsekuensi="",
    )  # fmt: skip
    services.submit_skp(skp, by=world.pegawai)
    skp.refresh_from_db()
    ekspektasi = {kode: "" for kode, _ in rules.BERAKHLAK_CHOICES} | {"BERORIENTASI_PELAYANAN": "Ramah kepada pasien"}
    services.set_ekspektasi(skp, by=world.penilai, versi=skp.versi, ekspektasi=ekspektasi)
    services.approve_skp(skp, by=world.penilai)
    UnitKerja.objects.create(opd=world.opd, parent=world.unit, nama="Subbidang Mutasi", jenis="SUBBAGIAN")

    # The penilai: the approved SKP offers the print; the matriks badge keeps its case in the header.
    _as(page, live_server, world.penilai)
    page.goto(f"{live_server.url}/skp/{skp.pk}/")
    expect(page.locator("#skp-disetujui a")).to_have_text("Cetak SKP")
    _shot(page, screenshot_dir, "skp_disetujui")
    page.goto(f"{live_server.url}/skp/matriks/")
    for badge in page.locator("[class*='badge-status-']").all():
        assert badge.inner_text() in {"Draft", "Diajukan", "Dikembalikan", "Disetujui", "Diganti revisi"}
    _shot(page, screenshot_dir, "matriks")

    # The pegawai: Riwayat reads in words, the RHK atasan whole.
    _as(page, live_server, world.pegawai)
    page.goto(f"{live_server.url}/skp/{skp.pk}/riwayat/")
    expect(page.locator("main")).to_contain_text("SKP disetujui")
    _shot(page, screenshot_dir, "riwayat")

    # A hostile number on the IKI form: a message under the field, what was typed kept.
    atasan = list(RencanaHasilKerja.objects.filter(skp__pegawai=world.penilai))
    draft = pegawai_skp(world, pegawai=world.pegawai2, atasan_rhk=atasan)
    _as(page, live_server, world.pegawai2)
    page.goto(f"{live_server.url}/skp/{draft.pk}/rhk/tambah/")
    page.fill("textarea[name=uraian]", "Tersusunnya rekap kunjungan")
    page.fill("textarea[name=iki-0-uraian]", "Jumlah rekap")
    page.select_option("select[name=iki-0-aspek]", "KUANTITAS")
    page.fill("input[name=iki-0-target_min]", "1,000.5")
    page.fill("input[name=iki-0-satuan]", "rekap")
    page.locator(f"input[name=intervensi][value='{atasan[0].pk}']").check()
    page.click("button[type=submit]:has-text('Simpan')")
    expect(page.locator(".invalid-feedback").first).to_contain_text("Pakai koma untuk desimal dan titik untuk ribuan")
    expect(page.locator("input[name=iki-0-target_min]")).to_have_value("1,000.5")
    _shot(page, screenshot_dir, "iki_angka")

    # The auditor: Jejak Audit in words, same width as every page.
    _as(page, live_server, world.auditor)
    page.goto(f"{live_server.url}/jejak-audit/")
    expect(page.locator("main")).to_contain_text("Dukungan sumber daya")
    assert page.locator("main").bounding_box()["width"] <= 1320
    _shot(page, screenshot_dir, "jejak_audit")

    # A colleague as Plt: their Beranda tells it; the admin OPD's /plt/ at 1366 px keeps the cancel
    # form usable (the admin herself may not be the Plt: nobody cancels their own assignment).
    today = timezone.localdate()
    PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.pegawai2, jenis="PLT", nomor_sk="800/12/406.011/2026",
        mulai=today - datetime.timedelta(days=1), selesai=today + datetime.timedelta(days=30),
    )  # fmt: skip
    _as(page, live_server, world.pegawai2)
    expect(page.locator("[data-testid=penugasan-plt]")).to_contain_text("Plt Kepala Bidang Pelayanan Kesehatan s.d.")
    _shot(page, screenshot_dir, "beranda_plt")
    _as(page, live_server, world.admin_opd)
    page.goto(f"{live_server.url}/plt/")
    alasan = page.locator("input[name=alasan]").first
    button = page.locator("form button:has-text('Batalkan')").first
    assert alasan.bounding_box()["width"] >= 150
    assert button.evaluate("b => b.scrollWidth <= b.clientWidth") and button.inner_text().strip() == "Batalkan"
    _shot(page, screenshot_dir, "plt")
    page.goto(f"{live_server.url}/opd/{world.opd.kode}/")
    expect(page.locator("main")).to_contain_text("Subbidang Mutasi")
    _shot(page, screenshot_dir, "opd_detail")

    # The Bupati and the admin BKD: nothing alarming, nobody told to contact themselves.
    _as(page, live_server, world.bupati)
    expect(page.locator("[data-testid=penilai]")).to_contain_text("puncak rantai penilaian")
    _shot(page, screenshot_dir, "beranda_bupati")
    _as(page, live_server, world.admin_bkd)
    expect(page.locator("[data-testid=lapor-atasan]")).not_to_contain_text("hubungi BKD")
    _shot(page, screenshot_dir, "beranda_admin_bkd")

    # No 404 for the icon.
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200
