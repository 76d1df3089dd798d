"""The annual journey in the system Chromium: the pegawai opens Evaluasi Tahunan from the menu,
finds the realisation prefilled from the months, saves and submits; the penilai opens the team
list, sees the predikat follow the ratings live, saves; the pegawai prints the document.
Screenshots at 1280 and 390 px (and the print in print media) under test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import browser_login
from tests.penilaian_fixtures_tahunan import (
    IKI_LAPORAN,
    IKI_RENTANG,
    IKI_WAKTU,
    TAHUN_LALU,
    buka_periode,
    bulan_dengan_aksi,
    nilai_langsung,
    rantai,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
T = TAHUN_LALU


def login_as(page: Page, live_server, nip: str) -> None:
    page.context.clear_cookies()
    browser_login(page, live_server, nip)


def shots(page: Page, screenshot_dir, name: str, *, check_overflow: bool = True) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if check_overflow:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} at {width}px overflows by {overflow}px"
        page.screenshot(path=screenshot_dir / f"{name}_{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_annual_journey(page: Page, live_server, world, screenshot_dir):
    r = rantai(world, T, iki=(IKI_LAPORAN, IKI_WAKTU, IKI_RENTANG))
    laporan, waktu, rentang = r.iki()
    for bulan in range(1, 13):
        ev = bulan_dengan_aksi(
            world.pegawai, buka_periode(T, bulan, terkunci=True),
            [(laporan, Decimal(1), "dokumen"), (waktu, Decimal(1), "bulan"), (rentang, Decimal(85), "%")],
        )  # fmt: skip
        if bulan <= 10:
            nilai_langsung(
                ev, world.penilai, "SESUAI" if bulan % 3 else "DI_ATAS", "SESUAI" if bulan % 4 else "DI_ATAS"
            )
    buka_periode(T, 0)
    page.set_default_timeout(8000)

    # The pegawai: menu → Evaluasi Tahunan → prefilled → save → send.
    login_as(page, live_server, world.pegawai.nip)
    page.locator("#nav-penilaian").click()
    page.get_by_role("link", name="Evaluasi Tahunan").first.click()
    expect(page.locator("h1")).to_contain_text(f"Evaluasi Kinerja Tahunan {T}")
    expect(page.locator(f"#id_realisasi_{laporan.pk}")).to_have_value("12")
    expect(page.locator("#predikat-bulanan")).to_contain_text("Baik")
    page.fill(f"#id_realisasi_{rentang.pk}", "87,5")
    page.fill(f"#id_realisasi_{laporan.pk}", "dua belas")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#form-error")).to_contain_text("Periksa kembali")
    expect(page.locator(f"#id_realisasi_{laporan.pk}")).to_have_value("dua belas")
    page.fill(f"#id_realisasi_{laporan.pk}", "12")
    page.fill(f"#id_uraian_{laporan.pk}", "Dua belas laporan bulanan tersusun.")
    page.fill(f"#id_uraian_{waktu.pk}", "Setiap laporan disampaikan tepat waktu.")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".alert-success")).to_contain_text("Realisasi tahunan disimpan")
    shots(page, screenshot_dir, "tahunan_pegawai")
    page.get_by_role("button", name="Kirim realisasi tahunan").click()
    expect(page.locator("#status")).to_have_text("Dikirim")

    # The penilai: team list → Nilai → live predikat → save.
    login_as(page, live_server, world.penilai.nip)
    page.goto(f"{live_server.url}/kinerja/tahunan/{T}/tim/")
    shots(page, screenshot_dir, "tahunan_tim")
    page.locator("#tabel-tim").get_by_role("link", name="Nilai").click()
    expect(page.locator("#tabel-realisasi")).to_contain_text("100,00 %")
    expect(page.locator("#predikat-live")).to_contain_text("Pilih kedua rating")
    page.get_by_label("Di Atas Ekspektasi").first.check()
    page.locator("#id_rating_perilaku_2").check()  # Di Bawah Ekspektasi
    expect(page.locator("#predikat-live")).to_have_text("Kurang")
    page.locator("#id_rating_perilaku_0").check()  # Di Atas Ekspektasi
    expect(page.locator("#predikat-live")).to_have_text("Sangat Baik")
    page.locator("textarea").first.fill("Laporan lengkap dan rapi sepanjang tahun.")
    shots(page, screenshot_dir, "tahunan_nilai")
    page.get_by_role("button", name="Simpan penilaian").click()
    expect(page.locator(".alert-success")).to_contain_text("predikat Sangat Baik")

    # The pegawai sees the result and prints it.
    login_as(page, live_server, world.pegawai.nip)
    page.goto(f"{live_server.url}/kinerja/tahunan/{T}/")
    expect(page.locator("#hasil")).to_contain_text("Sangat Baik")
    page.get_by_role("link", name="Cetak dokumen evaluasi").click()
    expect(page.locator("body")).to_contain_text("DOKUMEN EVALUASI KINERJA PEGAWAI")
    expect(page.locator("#predikat")).to_have_text("SANGAT BAIK")
    shots(page, screenshot_dir, "cetak_evaluasi_tahunan", check_overflow=False)
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    page.screenshot(path=screenshot_dir / "cetak_evaluasi_tahunan_print.png", full_page=True)
    page.pdf(path=str(screenshot_dir / "cetak_evaluasi_tahunan.pdf"), format="A4", prefer_css_page_size=True)
