"""The SKP journey in the system Chromium: the pegawai drafts and submits, the penilai returns it
with a note, the pegawai fixes and resubmits, the penilai approves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import browser_login
from tests.test_skp_pages import TAHUN, penilai_skp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login_as(page: Page, live_server, nip: str) -> None:
    page.context.clear_cookies()
    browser_login(page, live_server, nip)


def test_skp_journey(page: Page, live_server, world, screenshot_dir):
    _, atasan = penilai_skp(world)
    page.set_default_timeout(8000)

    # The pegawai creates this year's SKP and adds an RHK utama linked to the penilai's RHK.
    login_as(page, live_server, world.pegawai.nip)
    page.goto(f"{live_server.url}/skp/")
    page.get_by_role("link", name=f"Buat SKP {TAHUN}").click()
    page.get_by_role("button", name="Buat SKP").click()
    expect(page.locator(".badge-status-DRAFT").first).to_be_visible()
    page.locator("#skp-actions").get_by_role("link", name="Tambah RHK").click()
    page.fill("#id_uraian", "Tersusunnya laporan data pelayanan kesehatan")
    page.fill("#id_iki-0-uraian", "Jumlah laporan data pelayanan kesehatan")
    page.select_option("#id_iki-0-aspek", "KUANTITAS")
    page.fill("#id_iki-0-target_min", "12")
    page.fill("#id_iki-0-satuan", "dokumen")
    page.check(f"#intervensi-{atasan[0].pk}")
    page.screenshot(path=screenshot_dir / "skp_rhk_form.png", full_page=True)
    page.get_by_role("button", name="Simpan RHK").click()
    expect(page.locator(".rhk-table").first).to_contain_text("12 dokumen")
    expect(page.locator(".rhk-table").first).to_contain_text(atasan[0].uraian)
    page.screenshot(path=screenshot_dir / "skp_detail.png", full_page=True)
    page.locator("#skp-actions").get_by_role("link", name="Ajukan").click()
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator(".badge-status-DIAJUKAN").first).to_be_visible()

    # The penilai opens the inbox, reviews side by side and returns it with a note.
    login_as(page, live_server, world.penilai.nip)
    page.goto(f"{live_server.url}/skp/persetujuan/")
    page.screenshot(path=screenshot_dir / "skp_inbox.png", full_page=True)
    page.locator("#tabel-menunggu").get_by_role("link", name="Tinjau").click()
    expect(page.locator(".tinjau-table")).to_contain_text("Tersusunnya laporan data pelayanan kesehatan")
    page.screenshot(path=screenshot_dir / "skp_tinjau.png", full_page=True)
    page.fill("#id_catatan", "Target terlalu rendah: naikkan menjadi 15 dokumen.")
    page.get_by_role("button", name="Kembalikan").click()
    expect(page.locator(".alert-success")).to_contain_text("dikembalikan")

    # The pegawai sees the note, edits the RHK and resubmits.
    login_as(page, live_server, world.pegawai.nip)
    page.goto(f"{live_server.url}/skp/")
    page.get_by_role("link", name="Buka").first.click()
    expect(page.locator("#catatan-pengembalian")).to_contain_text("naikkan menjadi 15 dokumen")
    page.locator(".rhk-table").first.get_by_role("link", name="Ubah").click()
    page.fill("#id_iki-0-target_min", "15")
    page.get_by_role("button", name="Simpan RHK").click()
    expect(page.locator(".rhk-table").first).to_contain_text("15 dokumen")
    page.locator("#skp-actions").get_by_role("link", name="Ajukan").click()
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator(".badge-status-DIAJUKAN").first).to_be_visible()

    # The penilai approves (confirmation page), the pegawai sees "Disetujui".
    login_as(page, live_server, world.penilai.nip)
    page.goto(f"{live_server.url}/skp/persetujuan/")
    page.locator("#tabel-menunggu").get_by_role("link", name="Tinjau").click()
    page.locator("#btn-setujui").click()
    page.get_by_role("button", name="Ya, setujui SKP ini").click()
    expect(page.locator(".alert-success")).to_contain_text("disetujui")

    login_as(page, live_server, world.pegawai.nip)
    page.goto(f"{live_server.url}/skp/")
    expect(page.locator(".badge-status-DISETUJUI").first).to_have_text("Disetujui")
    page.screenshot(path=screenshot_dir / "skp_daftar.png", full_page=True)
    page.get_by_role("link", name="Buka").first.click()
    page.locator("#skp-actions").get_by_role("link", name="Riwayat").click()
    expect(page.locator("table")).to_contain_text("Dikembalikan")
    page.screenshot(path=screenshot_dir / "skp_riwayat.png", full_page=True)
