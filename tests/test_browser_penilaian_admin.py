"""The admin BKD's part of the monthly cycle in Chromium: open a year, unlock a pegawai's locked
month, record an OPD's capaian organisasi, see the broken constraint on the OPD page and in the
regency overview, finalise with a justification. Screenshots at 1280 and 390 px under
test-artifacts/screenshots/penilaian_admin_*.png; at 390 px no page is wider than the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opd.models import Opd
from penilaian.models import BukaKunci, KinerjaOrganisasi, Periode
from penilaian.rules import Predikat
from tests.conftest import browser_login
from tests.penilaian_fixtures_admin import capaian, isi_kurva, periode_terkunci

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

P = Predikat


def _shots(page: Page, screenshot_dir, name: str) -> None:
    """1280 px and 390 px; at 390 px the page itself must not scroll sideways (tables scroll in
    their .table-responsive)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / f"penilaian_admin_{name}_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / f"penilaian_admin_{name}_390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_bkd_journey(page: Page, live_server, world, screenshot_dir):
    page.set_default_timeout(8000)
    per = periode_terkunci()
    # The Dinas Kesehatan curve breaks "Baik ≤ 70 %" (8 of 10); three other OPDs have curves.
    isi_kurva(world.opd, per, {P.BAIK: 8, P.BUTUH_PERBAIKAN: 2})
    for kode, nilai, jumlah in (
        ("SETDA", "BAIK", {P.SANGAT_BAIK: 2, P.BAIK: 5, P.BUTUH_PERBAIKAN: 1}),
        ("BKD", "ISTIMEWA", {P.SANGAT_BAIK: 3, P.BAIK: 3}),
        ("INSPEKTORAT", "BUTUH_PERBAIKAN", {P.BAIK: 3, P.BUTUH_PERBAIKAN: 1}),
    ):
        opd = Opd.objects.get(kode=kode)
        capaian(opd, per, nilai, world.admin_bkd)
        isi_kurva(opd, per, jumlah)

    browser_login(page, live_server, world.admin_bkd.nip)
    # Periods: open next year in one click.
    page.goto(f"{live_server.url}/kinerja/periode/")
    page.fill("#id_tahun", str(per.tahun + 1))
    page.get_by_role("button", name="Buka periode tahun ini").click()
    expect(page.locator(".alert-success")).to_contain_text(f"13 periode tahun {per.tahun + 1} dibuka")
    assert Periode.objects.filter(tahun=per.tahun + 1).count() == 13
    _shots(page, screenshot_dir, "periode_list")

    # Unlock the pegawai's locked month.
    page.goto(f"{live_server.url}/kinerja/buka-kunci/")
    page.select_option("#id_periode", str(per.pk))
    page.fill("#id_nip", world.pegawai.nip)
    page.fill("#id_alasan", "Cuti sakit 20–30 November, realisasi belum terkirim.")
    page.get_by_role("button", name="Buka kunci").click()
    expect(page.locator(".alert-success")).to_contain_text(f"dibuka untuk {world.pegawai.nama_lengkap}")
    expect(page.locator("#buka-kunci-aktif")).to_contain_text("Cuti sakit 20–30 November")
    assert BukaKunci.objects.get().pegawai == world.pegawai
    _shots(page, screenshot_dir, "buka_kunci")
    # Opened by mistake? Lock it again, with a reason; it moves to the history.
    page.locator("#buka-kunci-aktif summary").click()
    page.locator("#buka-kunci-aktif input[name=alasan]").fill("Salah pilih bulan")
    page.get_by_role("button", name="Kunci kembali").click()
    expect(page.locator(".alert-success")).to_contain_text("terkunci kembali")
    expect(page.locator("#buka-kunci-riwayat")).to_contain_text("Cuti sakit 20–30 November")
    assert not BukaKunci.objects.get().is_aktif

    # The Dinas Kesehatan page: record its capaian, the broken constraint is named.
    page.goto(f"{live_server.url}/kinerja/kurva/")
    page.locator(f'tr[data-opd="{world.opd.kode}"] a').click()
    page.select_option("#id_capaian", "BAIK")
    page.get_by_role("button", name="Simpan capaian").click()
    expect(page.locator(".kurva .alert-warning")).to_contain_text("paling banyak 70 % (7 pegawai)")
    _shots(page, screenshot_dir, "kurva_opd_melanggar")

    # Finalising without a justification is refused; with one it is final.
    page.check("#id_konfirmasi")
    page.get_by_role("button", name="Finalkan").click()
    expect(page.locator("#form-error")).to_contain_text("tuliskan justifikasi")
    page.fill("#id_justifikasi", "Capaian vaksinasi 112 %; disepakati dalam rapat TPP.")
    page.check("#id_konfirmasi")
    page.get_by_role("button", name="Finalkan").click()
    expect(page.locator("#status-final")).to_contain_text("disepakati dalam rapat TPP")
    assert KinerjaOrganisasi.objects.get(opd=world.opd).is_final
    _shots(page, screenshot_dir, "kurva_opd_final")

    # The regency overview.
    page.get_by_role("link", name=f"Kurva Distribusi {per.nama}").click()
    row = page.locator(f'tr[data-opd="{world.opd.kode}"]')
    expect(row).to_contain_text("Final")
    expect(row).to_contain_text("paling banyak 70 %")
    _shots(page, screenshot_dir, "kurva_bulan")
