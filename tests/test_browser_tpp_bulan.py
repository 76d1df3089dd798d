"""The month's TPP in Chromium: the admin BKD opens the month from the TPP menu, goes to an OPD,
reads one pegawai's breakdown, finalises the month (the checkbox names the rows not final); the
admin OPD sees their OPD read-only. Screenshots at 1280 and 390 px under
test-artifacts/screenshots/tpp_*.png; at 390 px no page is wider than the window."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from penilaian.models import TppBaris, TppBulan
from tests.conftest import browser_login
from tests.penilaian_fixtures_tpp import bulan_tpp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _shots(page: Page, screenshot_dir, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / f"tpp_{name}_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / f"tpp_{name}_390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_bkd_finalises_and_admin_opd_reads(page: Page, live_server, world, screenshot_dir, browser, tmp_path):
    page.set_default_timeout(8000)
    b = bulan_tpp(world)
    browser_login(page, live_server, world.admin_bkd.nip)
    page.locator("#nav-tpp").click()
    page.get_by_role("link", name="TPP Bulanan").click()
    expect(page.locator("h1")).to_contain_text(f"Dasar Perhitungan TPP — {b.per.nama}")
    expect(page.locator("#tpp-status")).to_have_text("Sementara")
    expect(page.locator("#tpp-peringatan-belum-final")).to_contain_text("8 baris belum final")
    _shots(page, screenshot_dir, "bulan")

    page.locator(f'tr[data-opd="{world.opd.kode}"] a').click()
    expect(page.locator(f'tr[data-nip="{world.pegawai2.nip}"]')).to_contain_text(
        "Belum dinilai (giliran penilai: Rina Puspitasari, S.KM.)"
    )
    _shots(page, screenshot_dir, "opd")

    page.locator(f'tr[data-nip="{world.pegawai.nip}"] a').click()
    expect(page.locator("#tpp-langkah")).to_contain_text("Besaran TPP kelas jabatan 6")
    expect(page.locator("#tpp-langkah tr").last).to_contain_text("Rp 2.490.000")
    expect(page.locator("#tpp-dasar")).to_contain_text("800/12/406.012/2026")
    _shots(page, screenshot_dir, "rincian")

    # Back to the month: finalising without the checkbox is refused, with it the month is final.
    page.get_by_role("link", name=f"TPP {b.per.nama}").click()
    page.get_by_role("button", name="Finalkan TPP").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Centang pernyataan")
    assert not TppBulan.objects.filter(status="FINAL").exists()
    page.check("#id_konfirmasi")
    page.get_by_role("button", name="Finalkan TPP").click()
    # The freeze runs as a background job: its page shows the outcome and leads back to the month.
    expect(page.locator("#pekerjaan-status")).to_have_text("Selesai")
    expect(page.locator("#pekerjaan-pesan")).to_contain_text(f"TPP {b.per.nama} difinalkan: 10 pegawai")
    page.locator("#pekerjaan-kembali").click()
    expect(page.locator("#tpp-status")).to_have_text("Final")
    # The Excel file for finance: downloaded from the page and opened (FINAL in its header, NIP as text).
    # Prepared in the background (a job with a progress page; the tests run tasks at once), then
    # downloaded from the job's page.
    page.locator("#unduh-kabupaten").click()
    expect(page.locator("#pekerjaan-status")).to_have_text("Selesai")
    _shots(page, screenshot_dir, "pekerjaan_selesai")
    with page.expect_download() as info:
        page.locator("#pekerjaan-unduh").click()
    download = info.value
    assert download.suggested_filename.endswith("FINAL.xlsx"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Rekap" and len(wb.sheetnames) >= 2
    teks = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows(max_row=8) for c in row if c.value]
    assert any("FINAL" in t for t in teks) and not any("SEMENTARA" in t for t in teks)
    nip_cells = [c for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row if c.value == world.pegawai.nip]
    assert nip_cells and all(c.data_type == "s" and c.number_format == "@" for c in nip_cells)
    total = sum(TppBaris.objects.filter(tpp_bulan__periode=b.per).values_list("jumlah", flat=True))
    rekap = [row for row in wb["Rekap"].iter_rows(values_only=True) if total in row]
    assert rekap, f"total kabupaten {total} tidak ada di lembar Rekap"
    assert TppBaris.objects.count() == 10
    _shots(page, screenshot_dir, "bulan_final")

    # The admin OPD: their OPD only, read-only.
    other = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    page2 = other.new_page()
    page2.set_default_timeout(8000)
    browser_login(page2, live_server, world.admin_opd.nip)
    page2.goto(f"{live_server.url}/kinerja/tpp/")
    expect(page2.locator("#tpp-opd tbody tr")).to_have_count(1)
    expect(page2.locator("#tpp-finalkan")).to_have_count(0)
    page2.locator(f'tr[data-opd="{world.opd.kode}"] a').click()
    expect(page2.locator("#tpp-status")).to_have_text("Final")
    expect(page2.locator(f'tr[data-nip="{world.pegawai.nip}"]')).to_contain_text("Rp 2.490.000")
    _shots(page2, screenshot_dir, "opd_admin_opd")
    other.close()
