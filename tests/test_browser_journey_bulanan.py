"""The monthly cycle across roles on the demo data, in the system Chromium (issue #7 "Tests"):
the pegawai writes rencana aksi, records realisasi with an uploaded PDF and submits; the penilai
opens the evidence, gives feedback and ratings, sees the predikat and the curve, saves; the
pegawai sees the result and prints it; the admin BKD sees the OPD's curve.

Screenshots: test-artifacts/screenshots/perjalanan_*.png."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opd.models import Pegawai
from penilaian.models import BuktiDukung, Evaluasi, Periode
from skp.models import RencanaHasilKerja
from tests import penilaian_fixtures as fx
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEMO_PASSWORD = "demo12345"


def _demo() -> dict[str, str]:
    from opd.demo import seed_organisation
    from penilaian.demo import seed_penilaian
    from skp.demo import seed_skp

    tahun = timezone.localdate().year
    accounts = seed_organisation()
    seed_skp(tahun=tahun)
    hasil = seed_penilaian(tahun=tahun)
    return {login.peran: login.nip for login in [*accounts.logins, *hasil.logins]}


def _shot(page: Page, screenshot_dir, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshot_dir / f"perjalanan_{name}_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name}: halaman melebar"
    page.screenshot(path=screenshot_dir / f"perjalanan_{name}_390.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def _login(page: Page, live_server, nip: str) -> None:
    page.context.clear_cookies()
    browser_login(page, live_server, nip, DEMO_PASSWORD)


def test_monthly_cycle_across_roles_on_the_demo(page: Page, live_server, screenshot_dir, settings, tmp_path):
    settings.BUKTI_ROOT = tmp_path / "bukti"
    logins = _demo()
    today = timezone.localdate()
    periode = Periode.objects.get(tahun=today.year, bulan=today.month)
    pegawai = Pegawai.objects.get(nip=logins["Pegawai (bulanan)"])
    page.set_default_timeout(10000)

    # 1. The pegawai: rencana aksi for every RHK utama, realisasi, a PDF, submit.
    _login(page, live_server, pegawai.nip)
    page.goto(f"{live_server.url}/kinerja/bulanan/")
    expect(page.locator("h1")).to_contain_text(f"Realisasi Bulanan · {periode.nama}")
    ev = Evaluasi.objects.get(pegawai=pegawai, periode=periode, hasil_bulan=True)
    rhk_utama = list(RencanaHasilKerja.objects.filter(skp=ev.skp, jenis="UTAMA").order_by("urutan", "pk"))
    assert rhk_utama
    for i, rhk in enumerate(rhk_utama):
        page.goto(f"{live_server.url}/kinerja/bulanan/")
        page.locator(f'a[href$="rencana-aksi/tambah/?rhk={rhk.pk}"]').click()
        page.fill("#id_uraian", f"Melaksanakan asuhan keperawatan dan mendokumentasikannya (RHK {i + 1})")
        if i == 0:
            page.fill("#id_target", "20")
            page.fill("#id_satuan", "pasien")
        page.get_by_role("button", name="Simpan rencana aksi").click()
        expect(page.locator(".alert-success")).to_contain_text("Rencana aksi ditambahkan")
    page.goto(f"{live_server.url}/kinerja/bulanan/")
    _shot(page, screenshot_dir, "pegawai_rencana_aksi")
    pdf = tmp_path / "Laporan Asuhan Keperawatan.pdf"
    pdf.write_bytes(fx.PDF)
    for i, ra in enumerate(ev.rencana_aksi_set.order_by("pk")):
        page.goto(f"{live_server.url}/kinerja/rencana-aksi/{ra.pk}/")
        if i == 0:
            page.fill("#id_realisasi", "22")
        page.fill("#id_realisasi_uraian", "Asuhan keperawatan terdokumentasi di rekam medis elektronik")
        page.get_by_role("button", name="Simpan realisasi").click()
        expect(page.locator(".alert-success")).to_contain_text("Realisasi disimpan")
        page.set_input_files("#id_berkas", str(pdf))
        page.get_by_role("button", name="Unggah berkas").click()
        expect(page.locator("#bukti")).to_contain_text("Laporan Asuhan Keperawatan.pdf")
    page.goto(f"{live_server.url}/kinerja/bulanan/")
    page.get_by_role("link", name="Kirim realisasi").first.click()
    expect(page.locator("#lengkap")).to_be_visible()
    page.get_by_role("button", name="Kirim realisasi").click()
    expect(page.locator(".alert-success")).to_be_visible()
    ev.refresh_from_db()
    assert ev.status == "DIKIRIM"
    assert BuktiDukung.objects.filter(rencana_aksi__evaluasi=ev, jenis="BERKAS").count() == len(rhk_utama)

    # 2. The penilai: the team page, the evaluation page, the evidence inline, ratings, save.
    penilai = Pegawai.objects.get(nip=logins["Penilai (bulanan)"])
    _login(page, live_server, penilai.nip)
    page.goto(f"{live_server.url}/kinerja/tim/")
    expect(page.locator("h1")).to_contain_text(f"Penilaian Tim — {periode.nama}")
    expect(page.locator("#jumlah-status")).to_contain_text("Dikembalikan")
    _shot(page, screenshot_dir, "penilai_tim")
    page.locator(f'#tabel-tim tr[data-pegawai="{pegawai.pk}"]').get_by_role("link", name="Nilai").click()
    expect(page.locator("h1")).to_contain_text(pegawai.nama_lengkap)
    link = page.locator("a.bukti-inline").first
    expect(link).to_contain_text("Laporan Asuhan Keperawatan.pdf")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body() == fx.PDF
    # 22 of 20 pasien: capaian 110 %, nilai 110 + (110 − 101) × 10/9 = 120 (SPEC §5).
    expect(page.locator("main")).to_contain_text("110,00")
    expect(page.locator("#panduan-capaian")).to_contain_text("120,00")
    page.fill(f"#ub_rhk_{rhk_utama[0].pk}", "Target pasien terlampaui; dokumentasi rapi.")
    page.fill("#ub_perilaku_AKUNTABEL", "Rekam medis selalu lengkap.")
    page.check("#rating_hasil_DI_ATAS")
    page.check("#rating_perilaku_SESUAI")
    expect(page.locator("#predikat-live")).to_have_text("Baik")
    page.check("#rating_perilaku_DI_ATAS")
    expect(page.locator("#predikat-live")).to_have_text("Sangat Baik")
    expect(page.locator("#kurva-wrap svg")).to_be_visible()
    _shot(page, screenshot_dir, "penilai_nilai")
    page.get_by_role("button", name="Simpan penilaian").click()
    expect(page.locator(".alert-success")).to_contain_text("predikat Sangat Baik")
    ev.refresh_from_db()
    assert (ev.status, ev.predikat, ev.dinilai_oleh_id) == ("DINILAI", "SANGAT_BAIK", penilai.pk)

    # 3. The pegawai sees the result and prints the Dokumen Evaluasi Kinerja Pegawai.
    _login(page, live_server, pegawai.nip)
    page.goto(f"{live_server.url}/kinerja/bulanan/")
    expect(page.locator("main")).to_contain_text("Sangat Baik")
    expect(page.locator("main")).to_contain_text("Target pasien terlampaui")
    _shot(page, screenshot_dir, "pegawai_hasil")
    page.get_by_role("link", name="Cetak dokumen evaluasi").first.click()
    expect(page.locator("h1")).to_have_text("DOKUMEN EVALUASI KINERJA PEGAWAI")
    expect(page.locator("body")).to_contain_text(pegawai.nip)
    expect(page.locator("body")).to_contain_text("SANGAT BAIK")
    page.emulate_media(media="print")
    page.screenshot(path=screenshot_dir / "perjalanan_cetak.png", full_page=True)
    page.emulate_media(media="screen")

    # 4. The admin BKD sees the OPD's curve with this rating in it.
    _login(page, live_server, logins["Admin BKD"])
    page.goto(f"{live_server.url}/kinerja/kurva/{periode.tahun}/{periode.bulan}/opd/{pegawai.opd_id}/")
    expect(page.locator("h1")).to_contain_text(pegawai.opd.nama)
    expect(page.locator("svg").first).to_be_visible()
    sangat_baik = Evaluasi.objects.filter(
        periode=periode, snap_opd_id=pegawai.opd_id, hasil_bulan=True, status="DINILAI", predikat="SANGAT_BAIK"
    ).count()
    assert sangat_baik >= 1
    expect(page.locator("main")).to_contain_text("Sangat Baik")
    _shot(page, screenshot_dir, "admin_kurva")
