"""The admin OPD's completion monitoring in Chromium: from the Beranda card to the OPD's progress,
the chart, the names of who has not submitted (filtered by item and turn), and the download of
who is late, which the test opens; then the admin BKD's regency overview and the regency late list
prepared as a background job. Screenshots at 1280 and 390 px under
test-artifacts/screenshots/monitoring_*.png; at 390 px no page is wider than the window."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from opd.models import Opd
from tests.conftest import browser_login
from tests.penilaian_fixtures_monitoring import bulan_ini, keadaan, staf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _shots(page: Page, screenshot_dir, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / f"monitoring_{name}_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / f"monitoring_{name}_390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_opd_monitoring_journey(page: Page, live_server, world, screenshot_dir, tmp_path):
    page.set_default_timeout(8000)
    # The realisation deadline passed yesterday; the evaluation deadline is ahead.
    per = bulan_ini(realisasi=-1, penilaian=5)
    keadaan(world, per)
    for i in range(4):
        staf(world.opd, f"Perawat Terampil {i + 1}", atasan=world.penilai.jabatan)

    browser_login(page, live_server, world.admin_opd.nip)
    card = page.get_by_test_id("beranda-pemantauan")
    expect(card).to_contain_text(f"Pemantauan {per.nama}")
    expect(card).to_contain_text("DINKESDALDUKKB · 12 pegawai")
    _shots(page, screenshot_dir, "beranda")

    # The menu's overview: their OPD only, with the chart.
    page.locator("#nav-penilaian").click()
    page.locator("a.dropdown-item", has_text="Pemantauan").click()
    expect(page.locator("h1")).to_contain_text(f"Pemantauan Kinerja — {per.nama}")
    row = page.locator('tr[data-opd="DINKESDALDUKKB"]')
    expect(row.locator('td[data-item="penilaian"]')).to_contain_text("16,7 %")  # 2 of 12
    expect(page.locator(".grafik-pemantauan svg")).to_contain_text("DINKESDALDUKKB ★")
    assert page.locator("tr[data-opd]").count() == 1
    _shots(page, screenshot_dir, "bulan")

    # Drill down: who has not submitted the realisation, and of them whose turn is the pegawai's.
    row.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text(world.opd.nama)
    page.locator('#filter-item a[data-item="realisasi"]').click()
    page.locator('#filter-giliran a[data-giliran="pegawai"]').click()
    rows = page.locator("#daftar-belum tbody tr")
    expect(rows).to_have_count(8)  # Rina, Yuli, Staf Draf, Staf Kembali, 4 perawat
    yuli = page.locator(f'tr[data-nip="{world.admin_opd.nip}"]')
    expect(yuli).to_contain_text("SKP belum diajukan")
    expect(yuli).to_contain_text("Terlambat 1 hari")
    _shots(page, screenshot_dir, "opd_realisasi_pegawai")

    # The penilai's turn: the Kepala's SKP to approve (Sekda) and Agus's realisation to rate.
    page.locator('#filter-giliran a[data-giliran="penilai"]').click()
    expect(rows).to_have_count(1)  # of the realisation item: only the SKP awaiting approval
    page.locator('#filter-item a[data-item="penilaian"]').click()
    page.locator('#filter-giliran a[data-giliran="penilai"]').click()
    expect(rows).to_have_count(2)
    agus = page.locator(f'tr[data-nip="{world.pegawai.nip}"]')
    expect(agus).to_contain_text("Menunggu penilaian")
    expect(agus).to_contain_text("Rina Puspitasari")
    expect(agus).to_contain_text("belum lewat batas")
    _shots(page, screenshot_dir, "opd_penilai")

    # Download who is late and open the file.
    with page.expect_download() as info:
        page.locator("#unduh-terlambat").click()
    download = info.value
    assert download.suggested_filename == f"terlambat-{per.tahun}-{per.bulan:02d}-DINKESDALDUKKB.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    ws = openpyxl.load_workbook(path).active
    assert ws["B2"].value == per.nama and ws["B3"].value == world.opd.nama
    data = {r[2]: r for r in ws.iter_rows(min_row=8, values_only=True)}
    assert len(data) == 10  # all but the two rated
    assert data[world.admin_opd.nip][11] == "Terlambat 1 hari"
    assert data[world.pegawai.nip][11] == "Belum (belum lewat batas)"
    assert ws.cell(row=8, column=3).number_format == "@"

    # The admin BKD (another session): every OPD in the chart and the table, the Beranda card's
    # least complete OPDs. One journey, not a second test: two transactional browser tests in a
    # row collide on the reference OPDs (see the report).
    page.context.clear_cookies()
    browser_login(page, live_server, world.admin_bkd.nip)
    expect(page.locator("#opd-terendah li")).to_have_count(5)
    expect(page.locator("#opd-terendah li").first).to_contain_text("Sekretariat Daerah")
    page.goto(f"{live_server.url}/kinerja/pemantauan/{per.tahun}/{per.bulan}/")
    expect(page.locator("tr[data-opd]")).to_have_count(Opd.objects.count())
    expect(page.locator(".grafik-pemantauan svg text", has_text="★")).to_have_count(4)  # the pilots
    _shots(page, screenshot_dir, "bulan_bkd")

    # The regency late list is prepared in the background (issue #9 §1): the job's page, then the file.
    page.locator("#siapkan-terlambat").click()
    page.wait_for_url(re.compile(r"/pekerjaan/\d+/$"))
    expect(page.locator("#pekerjaan-status")).to_have_text("Selesai")
    _shots(page, screenshot_dir, "terlambat_pekerjaan")
    with page.expect_download() as info:
        page.locator("#pekerjaan-unduh").click()
    assert info.value.suggested_filename == f"terlambat-{per.tahun}-{per.bulan:02d}-SEMUA-OPD.xlsx"
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    ws = openpyxl.load_workbook(path).active
    assert ws["B3"].value == f"Semua OPD ({Opd.objects.count()})"
