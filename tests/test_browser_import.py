"""Browser journey: the admin BKD imports three new pegawai with their initial password = NIP; one of
them logs in with it and sees their penilai on the dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import browser_login
from tests.test_import_support import NIP_A, csv_bytes, row, three_new

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
    # The apply runs as a background job (issue #9 §1): its page shows the outcome and leads to the
    # import's result page (the test backend runs the job before the redirect lands).
    page.wait_for_url(re.compile(r"/pekerjaan/\d+/$"))
    expect(page.locator("#pekerjaan-status")).to_have_text("Selesai")
    expect(page.locator("#pekerjaan-pesan")).to_contain_text("3 pegawai baru")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=screenshot_dir / f"impor_pekerjaan_{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#pekerjaan-kembali")
    expect(page.locator(".alert-success").first).to_contain_text("3 pegawai baru")
    expect(page.locator("#impor-status")).to_have_text("Diterapkan")
    page.screenshot(path=screenshot_dir / "impor_diterapkan.png", full_page=True)

    page.click("nav .dropdown-toggle:has(.bi-person-circle)")
    page.click("button:has-text('Keluar')")
    page.wait_for_url(re.compile(r"/masuk/"))

    # The initial password (the NIP) is known to others: the first page is the forced change.
    browser_login(page, live_server, NIP_A, password=NIP_A)
    page.wait_for_url(re.compile(r"/akun/kata-sandi/$"))
    page.fill("input[name=old_password]", NIP_A)
    page.fill("input[name=new_password1]", "Trenggalek-Andi-2026")
    page.fill("input[name=new_password2]", "Trenggalek-Andi-2026")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/")
    expect(page.locator("nav")).to_contain_text("Andi Pratama")
    expect(page.locator("[data-testid=penilai]")).to_contain_text("Rina Puspitasari, S.KM.")
    page.screenshot(path=screenshot_dir / "impor_pegawai_baru_dashboard.png", full_page=True)


def test_admin_bkd_sees_kelas_warnings_and_the_browser_row_limit(
    page: Page, live_server, world, screenshot_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_MAX_ROWS_WEB = 3
    rows = [*three_new(), row("199202022016021004", "Dodi Saputra", **{"KELAS JABATAN": "7"})]
    besar = tmp_path / "pegawai_besar.csv"
    besar.write_bytes(csv_bytes(rows))
    # Three rows, within the limit: a stored colleague (kelas 6), a Kasubbag, and Dodi (kelas 7)
    # in the colleague's position name under the same penilai.
    rows = [row(world.pegawai2.nip, world.pegawai2.nama, **{"GOLONGAN": world.pegawai2.golongan}), rows[1], rows[3]]
    ok = tmp_path / "pegawai_kelas.csv"
    ok.write_bytes(csv_bytes(rows))

    browser_login(page, live_server, world.admin_bkd.nip)
    page.goto(f"{live_server.url}/pegawai/impor/unggah/")
    page.set_input_files("input[name=berkas]", str(besar))
    page.click("button:has-text('Periksa berkas')")
    expect(page.locator("#impor-errors")).to_contain_text("batas impor lewat peramban 3 baris")
    expect(page.locator("#impor-errors")).to_contain_text("manage.py impor_pegawai")
    page.screenshot(path=screenshot_dir / "impor_batas_peramban.png", full_page=True)

    page.set_input_files("input[name=berkas]", str(ok))
    page.click("button:has-text('Periksa berkas')")
    expect(page.locator("h1")).to_have_text("Pratinjau impor")
    expect(page.locator("#impor-peringatan")).to_contain_text("kelas 6 (baris 2) dan kelas 7 (baris 4)")
    expect(page.locator("#id_sandi_awal_nip")).not_to_be_checked()
    page.screenshot(path=screenshot_dir / "impor_peringatan_kelas.png", full_page=True)
    page.click("#btn-terapkan")
    expect(page.locator("#pekerjaan-status")).to_have_text("Selesai")
    page.click("#pekerjaan-kembali")
    expect(page.locator("#impor-status")).to_have_text("Diterapkan")
    page.goto(f"{live_server.url}/pegawai/impor/")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "impor_daftar.png", full_page=True)
