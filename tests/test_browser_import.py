"""Browser journey: the admin BKD imports three new pegawai with their initial password = NIP; one of
them logs in with it and sees their penilai on the dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import browser_login
from tests.test_import_support import NIP_A, csv_bytes, three_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_admin_bkd_imports_and_new_pegawai_logs_in(page: Page, live_server, world, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = tmp_path / "pegawai_dinkes.csv"
    upload.write_bytes(csv_bytes(three_new(), delimiter=";", bom=True))
    bad_rows = three_new()
    bad_rows[0]["NIP"] = "1.96502E+17"
    bad_rows[2]["NIP ATASAN"] = bad_rows[1]["NIP"] = "196502302007011005"
    bad = tmp_path / "salah.csv"
    bad.write_bytes(csv_bytes(bad_rows))

    browser_login(page, live_server, world.admin_bkd.nip)
    page.click("text=Manajemen Pegawai")
    page.click(".dropdown-menu >> text=Impor Pegawai")
    expect(page.locator("h1")).to_have_text("Riwayat impor pegawai")
    page.click("text=Impor baru")

    # A file with mistakes: every error with its row and column, nothing saved.
    page.set_input_files("input[name=berkas]", str(bad))
    page.click("button:has-text('Periksa berkas')")
    expect(page.locator("#impor-errors")).to_contain_text("tidak ada data yang disimpan")
    expect(page.locator("#impor-errors tbody tr")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "impor_kesalahan.png", full_page=True)

    page.set_input_files("input[name=berkas]", str(upload))
    page.click("button:has-text('Periksa berkas')")

    expect(page.locator("h1")).to_have_text("Pratinjau impor")
    expect(page.locator("#count-baru")).to_have_text("3")
    expect(page.locator("#count-berubah")).to_have_text("0")
    expect(page.locator("#tabel-baru tbody tr")).to_have_count(3)
    expect(page.locator("#tabel-baru")).to_contain_text(world.penilai.nip)
    expect(page.locator("#tabel-tidak-ada")).to_contain_text("Agus Setiawan")
    page.screenshot(path=screenshot_dir / "impor_pratinjau.png", full_page=True)

    page.check("#id_sandi_awal_nip")
    page.click("#btn-terapkan")
    expect(page.locator(".alert-success").first).to_contain_text("3 pegawai baru")
    expect(page.locator("#impor-status")).to_have_text("Diterapkan")
    page.screenshot(path=screenshot_dir / "impor_diterapkan.png", full_page=True)

    page.click("nav .dropdown-toggle:has(.bi-person-circle)")
    page.click("button:has-text('Keluar')")
    page.wait_for_url(re.compile(r"/masuk/"))

    browser_login(page, live_server, NIP_A, password=NIP_A)
    expect(page.locator("nav")).to_contain_text("Andi Pratama")
    expect(page.locator("[data-testid=penilai]")).to_contain_text("Rina Puspitasari, S.KM.")
    page.screenshot(path=screenshot_dir / "impor_pegawai_baru_dashboard.png", full_page=True)
