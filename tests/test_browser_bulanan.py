"""The pegawai's month in the system Chromium: the month page with rencana aksi and bukti, an
upload of a PDF and the realisasi, at desktop and phone width (screenshots under test-artifacts/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from penilaian.models import BuktiDukung
from tests import penilaian_fixtures as fx
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_month_page_upload_and_phone_width(page: Page, live_server, world, screenshot_dir, settings, tmp_path):
    settings.BUKTI_ROOT = tmp_path / "bukti"
    ev = fx.evaluasi_bulan(world)
    fx.tambah_aksi(
        ev,
        "Menyusun rekap kunjungan pasien rawat jalan",
        realisasi=4,
        realisasi_uraian="Empat rekap mingguan selesai",
        bukti=True,
    )
    fx.tambah_aksi(ev, "Menyelesaikan rekap dalam 5 hari kerja", iki_index=1, target=5, satuan="hari", realisasi=4)
    ra = fx.tambah_aksi(ev, "Memvalidasi data kunjungan Puskesmas", rhk_index=1, target=95, satuan="%")
    page.set_default_timeout(8000)
    browser_login(page, live_server, world.pegawai.nip)
    page.goto(f"{live_server.url}/kinerja/bulanan/")
    expect(page.locator("h1")).to_contain_text(f"Realisasi Bulanan · {ev.periode.nama}")
    expect(page.locator(f"#aksi-{ra.pk}")).to_be_visible()

    # Realisasi and a PDF through the rencana aksi page.
    page.locator(f"#aksi-{ra.pk}").get_by_role("link", name="Realisasi & bukti").click()
    page.fill("#id_realisasi", "96,5")
    page.fill("#id_realisasi_uraian", "Data 12 Puskesmas divalidasi")
    page.get_by_role("button", name="Simpan realisasi").click()
    expect(page.locator(".alert-success")).to_contain_text("Realisasi disimpan")
    pdf = tmp_path / "Berita Acara Validasi.pdf"
    pdf.write_bytes(fx.PDF)
    page.set_input_files("#id_berkas", str(pdf))
    page.get_by_role("button", name="Unggah berkas").click()
    expect(page.locator("#bukti")).to_contain_text("Berita Acara Validasi.pdf")
    page.screenshot(path=screenshot_dir / "bulanan_rencana_aksi.png", full_page=True)
    assert BuktiDukung.objects.filter(rencana_aksi=ra, jenis="BERKAS").count() == 1

    page.goto(f"{live_server.url}/kinerja/bulanan/")
    expect(page.locator(f"#aksi-{ra.pk}")).to_contain_text("101,58 %")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / "bulanan_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "bulanan_390.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392 && !e.closest('table')).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert overflow <= 0, (overflow, wide)
    page.goto(f"{live_server.url}/kinerja/rencana-aksi/{ra.pk}/")
    page.screenshot(path=screenshot_dir / "bulanan_rencana_aksi_390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
