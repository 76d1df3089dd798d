"""The penilai's journey in the system Chromium: the team page of the month, the evaluation page
(the predikat and the OPD's curve follow the chosen ratings before saving), saving; screenshots
of both pages at 1280 px and at 390 px (a phone), where nothing may widen the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from penilaian.models import KinerjaOrganisasi
from tests.conftest import browser_login
from tests.penilaian_fixtures_penilai import buka_periode, evaluasi_bulan, skp_tim, tim_besar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def no_horizontal_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "halaman melebar"


def shoot(page: Page, screenshot_dir, name: str) -> None:
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        no_horizontal_overflow(page)
        page.screenshot(path=screenshot_dir / f"{name}_{label}.png", full_page=True)
        if label == "390":  # the first screen as a phone shows it (the full page is very tall)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=screenshot_dir / f"{name}_{label}_atas.png")
    page.set_viewport_size(DESKTOP)


def test_penilai_rates_with_live_predikat_and_curve(page: Page, live_server, world, screenshot_dir):
    periode = buka_periode(by=world.admin_bkd)
    skp_tim(world)
    ev = evaluasi_bulan(world.pegawai, periode)
    tim_besar(world, 12, periode=periode)
    KinerjaOrganisasi.objects.create(periode=periode, opd=world.opd, capaian="BAIK", dicatat_oleh=world.admin_bkd)
    page.set_default_timeout(8000)

    browser_login(page, live_server, world.penilai.nip)
    page.goto(f"{live_server.url}/kinerja/tim/")
    expect(page.locator("h1")).to_contain_text(f"Penilaian Tim — {periode.nama}")
    expect(page.locator("#jumlah-status")).to_contain_text("Dikirim")
    shoot(page, screenshot_dir, "penilaian_tim")

    # Filter: only the submitted ones; Agus is among them.
    page.select_option("#id_status", "dikirim")
    page.get_by_role("button", name="Saring").click()
    rows = page.locator("#tabel-tim tbody tr")
    expect(rows).to_have_count(3)  # Agus and the perawat i = 2 and 7 (statuses cycle by 5)
    page.locator(f'#tabel-tim tr[data-pegawai="{world.pegawai.pk}"]').get_by_role("link", name="Nilai").click()

    expect(page.locator("h1")).to_contain_text(world.pegawai.nama_lengkap)
    expect(page.locator("#panduan-capaian")).to_contain_text("hanya membantu")
    expect(page.locator("#predikat-live")).to_have_text("pilih kedua rating")
    kurva = page.locator("#kurva-wrap")
    baik_sebelum = kurva.locator("tbody tr").nth(1).locator("td").nth(1).inner_text()

    page.fill("#ub_perilaku_AKUNTABEL", "Laporan selalu tepat waktu.")
    page.check("#rating_hasil_SESUAI")
    page.check("#rating_perilaku_DI_ATAS")
    expect(page.locator("#predikat-live")).to_have_text("Baik")
    # The curve now counts this pegawai as Baik.
    expect(kurva.locator("tbody tr").nth(1).locator("td").nth(1)).to_have_text(str(int(baik_sebelum) + 1))
    page.check("#rating_hasil_DI_BAWAH")
    expect(page.locator("#predikat-live")).to_have_text("Butuh Perbaikan")
    expect(kurva.locator("tbody tr").nth(1).locator("td").nth(1)).to_have_text(baik_sebelum)
    page.check("#rating_hasil_DI_ATAS")
    expect(page.locator("#predikat-live")).to_have_text("Sangat Baik")
    expect(kurva.locator("tbody tr").nth(0).locator("td").nth(1)).to_have_text("1")
    shoot(page, screenshot_dir, "penilaian_nilai")

    page.get_by_role("button", name="Simpan penilaian").click()
    expect(page.locator(".alert-success")).to_contain_text("predikat Sangat Baik")
    ev.refresh_from_db()
    assert (ev.status, ev.predikat) == ("DINILAI", "SANGAT_BAIK")
