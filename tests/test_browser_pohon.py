"""Browser: the pohon kinerja (Kepala OPD), the matriks bawahan (penilai) and the printed SKP (A4 PDF)
on the demo data. Saves screenshots and the PDF pages under test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from opd.demo import DEMO_PASSWORD, seed_organisation
from skp.demo import seed_skp
from skp.models import Skp
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TAHUN = 2026


def test_pohon_matriks_and_print(page: Page, live_server, screenshot_dir):
    accounts = seed_organisation()
    seed_skp(tahun=TAHUN)
    nip = {a.peran: a.nip for a in accounts.logins}

    browser_login(page, live_server, nip["Kepala OPD"], DEMO_PASSWORD)
    page.goto(f"{live_server.url}/skp/pohon/?tahun={TAHUN}")
    expect(page.locator("h1")).to_contain_text("Pohon Kinerja")
    expect(page.locator("[data-testid=orphan-count]")).not_to_have_text("0")
    # Issue #9: closed nodes come without their RHK; opening one fetches them.
    first_lazy = page.locator("details.pohon-node:not([open]) > .pohon-body[data-pegawai]").first
    node = page.locator("#" + first_lazy.evaluate("el => el.parentElement.id"))
    expect(node.locator(":scope > .pohon-body")).to_contain_text("Lihat SKP")
    node.locator(":scope > summary").click()
    expect(node.locator(":scope > .pohon-body .pohon-rhk-list")).to_be_visible()
    expect(node.locator(":scope > .pohon-body")).not_to_contain_text("Lihat SKP")
    node.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "pohon_node_dibuka.png")
    node_id = node.get_attribute("id")
    # A warning link opens the collapsed branch, loads the node's RHK and scrolls to the RHK.
    link = page.locator(".pohon-warn-list a").first
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(target)).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "pohon_kinerja.png", full_page=True)
    page.screenshot(path=screenshot_dir / "pohon_kinerja_atas.png")
    # The search also finds RHK texts of nodes never opened (all loaded in one request).
    page.fill("#pohon-cari", "imunisasi")
    expect(page.locator(".pohon-hit").first).to_be_visible()
    # A phone: the top of the page, then a node opened there.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/skp/pohon/?tahun={TAHUN}")
    page.screenshot(path=screenshot_dir / "pohon_kinerja_390.png")
    node = page.locator(f"#{node_id}")
    for d in reversed(node.locator("xpath=ancestor::details").all()):
        d.evaluate("el => el.open = true")
    node.locator(":scope > summary").click()
    expect(node.locator(":scope > .pohon-body .pohon-rhk-list")).to_be_visible()
    node.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "pohon_node_dibuka_390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    # "Buka semua": every node open with its RHK, fetched in one request, not one per node.
    page.goto(f"{live_server.url}/skp/pohon/?tahun={TAHUN}")
    fragmen = []
    page.on("request", lambda r: fragmen.append(r.url) if "/skp/pohon/rhk/" in r.url else None)
    page.click("[data-pohon=buka]")
    expect(page.locator(".pohon-body[data-pegawai]")).to_have_count(0)
    assert len(fragmen) == 1 and "pegawai=" not in fragmen[0], fragmen

    page.context.clear_cookies()
    browser_login(page, live_server, nip["Pejabat penilai"], DEMO_PASSWORD)
    page.goto(f"{live_server.url}/skp/matriks/?tahun={TAHUN}")
    expect(page.locator("table.matriks-table")).to_be_visible()
    expect(page.locator("tr.tidak-terkait")).to_contain_text("Tidak terkait RHK atasan")
    page.screenshot(path=screenshot_dir / "matriks.png", full_page=True)

    skp = Skp.objects.get(pegawai__nip=nip["Pejabat penilai"], tahun=TAHUN)
    assert skp.status == "DISETUJUI"
    page.goto(f"{live_server.url}/skp/{skp.pk}/cetak/")
    expect(page.locator("h1")).to_have_text("SASARAN KINERJA PEGAWAI")
    page.screenshot(path=screenshot_dir / "cetak_skp.png", full_page=True)
    page.screenshot(path=screenshot_dir / "cetak_skp_atas.png")
    pdf = screenshot_dir / "cetak_skp.pdf"
    page.emulate_media(media="print")
    page.pdf(path=pdf, format="A4", print_background=True, prefer_css_page_size=True)
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(screenshot_dir / "cetak_skp_pdf")], check=True)

    # A draft prints with the watermark.
    page.context.clear_cookies()
    browser_login(page, live_server, nip["Pegawai"], DEMO_PASSWORD)
    draft = Skp.objects.get(pegawai__nip=nip["Pegawai"], tahun=TAHUN)
    page.goto(f"{live_server.url}/skp/{draft.pk}/cetak/")
    expect(page.locator("[data-testid=watermark]")).to_be_visible()
    page.pdf(path=screenshot_dir / "cetak_skp_draft.pdf", format="A4", print_background=True)
