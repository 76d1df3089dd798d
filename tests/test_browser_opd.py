"""Browser journey: the admin OPD fixes a pegawai's supervisor; the pegawai then sees the new penilai."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opd.models import Jabatan, JenisJabatan
from tests.conftest import browser_login, make_nip, make_pegawai

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _more_people(world) -> None:
    """A few colleagues so that the list and the dashboard look like a real OPD."""
    perawat = Jabatan.objects.create(
        nama="Perawat Ahli Pertama", jenis=JenisJabatan.FUNGSIONAL, kelas_jabatan=8, opd=world.opd,
        unit=world.unit, atasan=world.penilai.jabatan,
    )  # fmt: skip
    for i, nama in enumerate(["Siti Aminah", "Bagus Pratama", "Eka Rahmawati", "Hendra Gunawan"]):
        make_pegawai(nama, perawat, nip=make_nip(lahir="19910305", tmt="201703", gender=str(1 + i % 2), serial=10 + i),
                     golongan="III/a", gelar_belakang="S.Kep., Ns.")  # fmt: skip


def _logout(page: Page) -> None:
    page.click("nav .dropdown-toggle:has(.bi-person-circle)")
    page.click("button:has-text('Keluar')")
    page.wait_for_url(re.compile(r"/masuk/"))


def test_admin_opd_changes_supervisor_and_pegawai_sees_it(page: Page, live_server, world, screenshot_dir):
    _more_people(world)
    browser_login(page, live_server, world.admin_opd.nip)
    expect(page.locator("h1")).to_contain_text("Yuli Handayani")

    # Find the pegawai by name through the Manajemen Pegawai menu.
    page.click("text=Manajemen Pegawai")
    page.click(".dropdown-menu >> text=Pegawai")
    page.fill("input[name=q]", "Setiawan")
    page.click("button:has-text('Terapkan')")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.click("tbody >> text=Agus Setiawan")
    expect(page.locator("[data-testid=penilai]")).to_contain_text("Rina Puspitasari")

    # Change the supervisor to the Kepala Dinas, only for this pegawai, with a reason.
    page.click("text=Ubah atasan")
    option = page.locator("select[name=atasan] option", has_text="Kepala Dinas Kesehatan").first
    page.select_option("select[name=atasan]", value=option.get_attribute("value"))
    page.fill("textarea[name=alasan]", "Sesuai SK Kepala Dinas nomor 800/45/2026")
    page.click("button:has-text('Simpan atasan')")
    expect(page.locator(".alert-success")).to_contain_text("Atasan Agus Setiawan diubah")
    expect(page.locator("[data-testid=penilai]")).to_contain_text("dr. Sunarto, M.Kes.")
    expect(page.locator(".audit-table")).to_contain_text("Sesuai SK Kepala Dinas nomor 800/45/2026")
    page.screenshot(path=screenshot_dir / "pegawai_detail.png", full_page=True)
    _logout(page)

    # The pegawai logs in and sees the new penilai on the dashboard.
    browser_login(page, live_server, world.pegawai.nip)
    expect(page.locator("[data-testid=penilai]")).to_contain_text("dr. Sunarto, M.Kes.")
    page.screenshot(path=screenshot_dir / "dashboard_pegawai.png", full_page=True)


def test_admin_bkd_dashboard_and_list(page: Page, live_server, world, screenshot_dir):
    _more_people(world)
    page.goto(f"{live_server.url}/masuk/")
    page.screenshot(path=screenshot_dir / "login.png", full_page=True)
    browser_login(page, live_server, world.admin_bkd.nip)
    expect(page.locator("text=Ringkasan OPD")).to_be_visible()
    page.screenshot(path=screenshot_dir / "dashboard_admin_bkd.png", full_page=True)
    page.goto(f"{live_server.url}/pegawai/?opd=DINKESDALDUKKB")
    expect(page.locator("tbody tr")).to_have_count(9)
    page.screenshot(path=screenshot_dir / "pegawai_list.png", full_page=True)

    page.goto(f"{live_server.url}/opd/DINKESDALDUKKB/")
    expect(page.locator(".unit-tree").first).to_contain_text("Bidang Pelayanan Kesehatan")
    page.screenshot(path=screenshot_dir / "opd_detail.png", full_page=True)
    # A Plt form with a mistake keeps what was typed and says what is wrong.
    page.goto(f"{live_server.url}/plt/tambah/")
    page.select_option(
        "select[name=jabatan]",
        label=page.locator("select[name=jabatan] option", has_text="Kepala Bidang").first.inner_text(),
    )
    page.fill("input[name=nip]", world.penilai.nip)
    page.fill("input[name=mulai]", "2026-07-01")
    page.fill("input[name=selesai]", "2026-07-31")
    page.click("button:has-text('Simpan')")
    expect(page.locator(".alert-danger, .alert-block")).to_contain_text("pemegang jabatan ini")
    expect(page.locator("input[name=nip]")).to_have_value(world.penilai.nip)
    page.screenshot(path=screenshot_dir / "plt_form.png", full_page=True)
    page.fill("input[name=nip]", world.admin_opd.nip)
    page.click("button:has-text('Simpan')")
    expect(page.locator(".alert-success")).to_contain_text("Yuli Handayani")
    page.goto(f"{live_server.url}/jejak-audit/")
    expect(page.locator(".audit-table")).to_contain_text("Tambah Plt/Plh")
    page.screenshot(path=screenshot_dir / "audit_list.png", full_page=True)
