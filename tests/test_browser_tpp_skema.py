"""The admin BKD's TPP preparation in Chromium: copy last year's scheme, edit a besaran (a bad one
refused and kept as typed), import the month's attendance through the preview (a bad file first,
every error named), record a hukdis. Screenshots at 1280 and 390 px under
test-artifacts/screenshots/tpp_skema_*.png; at 390 px no page is wider than the window."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from penilaian.models import BesaranTpp, HukumanDisiplin, Presensi, SkemaTpp
from tests.conftest import browser_login
from tests.tpp_fixtures import BESARAN, periode, skema

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
HEADER = "NIP;HARI KERJA;TANPA KETERANGAN;TL1;TL2;TL3;TL4;PSW1;PSW2;PSW3;PSW4"


def _shots(page: Page, screenshot_dir, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / f"tpp_skema_{name}_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / f"tpp_skema_{name}_390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_bkd_prepares_the_tpp(page: Page, live_server, world, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.set_default_timeout(8000)
    today = timezone.localdate()
    skema(today.year - 1, world.admin_bkd, besaran={k: v for k, v in BESARAN.items() if k != 15})
    per = periode(today.year, today.month)

    browser_login(page, live_server, world.admin_bkd.nip)
    page.goto(f"{live_server.url}/kinerja/")
    page.locator("#nav-tpp").click()
    page.get_by_role("link", name="Skema TPP").click()
    page.fill("#id_tahun", str(today.year))
    page.get_by_role("button", name="Salin skema tahun lalu").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Skema TPP {today.year} disalin")
    # Kelas 15 (the Sekda's) had no besaran last year: named on the page with its count.
    expect(page.locator("#besaran-kurang")).to_contain_text("kelas 15 (1 pegawai)")
    _shots(page, screenshot_dir, "detail")

    page.get_by_role("link", name="Ubah skema").click()
    page.fill("#id_besaran_15", "12.500.000,5")
    page.fill("#id_besaran_6", "3.333.333")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#id_besaran_15 ~ .invalid-feedback")).to_contain_text("harus bilangan bulat")
    expect(page.locator("#id_besaran_15")).to_have_value("12.500.000,5")
    _shots(page, screenshot_dir, "form_salah")
    page.fill("#id_besaran_15", "12.500.000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".alert-success")).to_contain_text("disimpan")
    expect(page.locator("#tabel-besaran")).to_contain_text("Rp 3.333.333")
    baru = SkemaTpp.objects.get(tahun=today.year)
    assert BesaranTpp.objects.get(skema=baru, kelas_jabatan=15).besaran == 12_500_000
    assert page.locator("#besaran-kurang").count() == 0

    # Attendance: a bad file first (every error named), then the good one through the preview.
    bad = tmp_path / "salah.csv"
    bad.write_text(f"{HEADER}\n{world.pegawai.nip};21;-1;0;0;0;0;0;0;0;0\n199999999999999999;21;0;0;0;0;0;0;0;0;0\n")
    good = tmp_path / "rekap.csv"
    good.write_text(f"{HEADER}\n{world.pegawai.nip};21;1;2;0;0;0;0;1;0;0\n{world.pegawai2.nip};21;0;0;0;0;0;0;0;0;0\n")
    page.locator("#nav-tpp").click()
    page.get_by_role("link", name="Presensi").click()
    page.get_by_role("link", name="Impor presensi").click()
    page.select_option("#id_periode", str(per.pk))
    page.set_input_files("#id_berkas", str(bad))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.locator("#impor-errors")).to_contain_text("2 kesalahan")
    expect(page.locator("#impor-errors")).to_contain_text("tidak boleh negatif")
    expect(page.locator("#impor-errors")).to_contain_text("tidak dikenal")
    _shots(page, screenshot_dir, "presensi_salah")
    page.select_option("#id_periode", str(per.pk))
    page.set_input_files("#id_berkas", str(good))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.locator("#count-baru")).to_have_text("2")
    _shots(page, screenshot_dir, "presensi_pratinjau")
    assert not Presensi.objects.exists()
    page.get_by_role("button", name=f"Terapkan presensi {per.nama}").click()
    # The apply is a background job (issue #9 §1): its page ends with the counts.
    expect(page.locator("#pekerjaan-status")).to_have_text("Selesai")
    expect(page.locator("#pekerjaan-pesan")).to_contain_text("2 pegawai (2 baru")
    _shots(page, screenshot_dir, "presensi_pekerjaan")
    page.click("#pekerjaan-kembali")
    expect(page.locator("#sudah-diterapkan")).to_be_visible()
    page.goto(f"{live_server.url}{reverse('penilaian:tpp_presensi_list')}")
    expect(page.locator("#tabel-impor")).to_contain_text("rekap.csv")
    assert Presensi.objects.get(pegawai=world.pegawai).tl1 == 2
    _shots(page, screenshot_dir, "presensi_list")

    # A hukdis sedang for the pegawai.
    page.locator("#nav-tpp").click()
    page.get_by_role("link", name="Hukuman Disiplin").click()
    page.get_by_role("link", name="Catat hukuman disiplin").click()
    page.fill("#id_nip", world.pegawai.nip)
    page.select_option("#id_jenis", "SEDANG")
    page.fill("#id_uraian", "Pemotongan tunjangan kinerja 25 % selama 3 bulan")
    page.fill("#id_bulan_mulai", f"{today.year}-{today.month:02d}")
    page.fill("#id_bulan_selesai", f"{today.year}-{today.month:02d}")
    page.fill("#id_nomor_sk", "800/123/406.012/2026")
    page.fill("#id_tanggal_sk", today.isoformat())
    _shots(page, screenshot_dir, "hukdis_form")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".alert-success")).to_contain_text("dicatat")
    expect(page.locator("#tabel-hukdis")).to_contain_text("800/123/406.012/2026")
    assert HukumanDisiplin.objects.get().pegawai == world.pegawai
    _shots(page, screenshot_dir, "hukdis_list")
