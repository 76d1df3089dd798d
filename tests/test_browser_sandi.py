"""Browser journey: after the admin resets a password, the pegawai logs in, is held on the
password page until choosing their own, then works normally. Screenshots of the login page,
the forced change and the error pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opd import services
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW = "Kinerja#Baru2026"


def test_forced_password_change_journey(page: Page, live_server, world, screenshot_dir):
    page.goto(f"{live_server.url}/masuk/")
    expect(page.locator("label[for=id_username]")).to_have_text("NIP / ID pengguna")
    page.screenshot(path=screenshot_dir / "sandi-01-masuk.png", full_page=True)

    temporary = services.reset_password(world.pegawai, by=world.admin_opd)
    browser_login(page, live_server, world.pegawai.nip, temporary)
    expect(page).to_have_url(re.compile(r"/akun/kata-sandi/$"))
    expect(page.locator(".alert-warning")).to_contain_text("Buat kata sandi baru Anda sendiri")
    page.goto(f"{live_server.url}/pegawai/")  # any other page leads back
    expect(page).to_have_url(re.compile(r"/akun/kata-sandi/$"))

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "12345678")
    page.fill("#id_new_password2", "12345678")
    page.click("button:has-text('Simpan kata sandi')")
    expect(page.locator("body")).to_contain_text("Kata sandi ini hanya berisi angka.")
    page.screenshot(path=screenshot_dir / "sandi-02-wajib-ganti-galat.png", full_page=True)

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("button:has-text('Simpan kata sandi')")
    expect(page.locator("h1")).to_have_text("Kata sandi Anda berhasil diubah")
    page.screenshot(path=screenshot_dir / "sandi-03-selesai.png", full_page=True)
    page.click("text=Kembali ke Beranda")
    expect(page).to_have_url(re.compile(r"/$"))


def test_error_pages_look_like_the_app(page: Page, live_server, world, screenshot_dir):
    page.goto(f"{live_server.url}/tidak-ada/")
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")
    page.screenshot(path=screenshot_dir / "galat-404-anonim.png", full_page=True)
    browser_login(page, live_server, world.pegawai.nip)
    response = page.goto(f"{live_server.url}/pegawai/{world.pegawai.pk}/reset-kata-sandi/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Akses ditolak")
    page.screenshot(path=screenshot_dir / "galat-403.png", full_page=True)


@pytest.mark.urls("tests.urls_galat")
def test_server_error_page_looks_like_the_app(page: Page, live_server, world, screenshot_dir):
    response = page.goto(f"{live_server.url}/uji/rusak/")
    assert response is not None and response.status == 500
    expect(page.locator("h1")).to_have_text("Terjadi kesalahan pada server")
    expect(page.locator(".navbar-brand")).to_contain_text("Pemerintah Kabupaten Trenggalek")
    page.screenshot(path=screenshot_dir / "galat-500.png", full_page=True)
    response = page.goto(f"{live_server.url}/uji/mencurigakan/")
    assert response is not None and response.status == 400
    page.screenshot(path=screenshot_dir / "galat-400.png", full_page=True)
