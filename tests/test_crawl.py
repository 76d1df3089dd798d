"""Never render a link the viewer cannot open (SPEC §9, issue 6 §2): log in as every demo role of
the README table, follow the GET links of the pages (a bounded breadth-first crawl, same site only)
and require that none leads to 403, 404, 405 or 500.

The demo (organisation and SKP) is loaded once for the module inside a transaction that is rolled
back at the end; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from opd.demo import DemoAccounts, seed_organisation
from opd.models import Pegawai
from tests.conftest import ensure_reference_data

README = Path(__file__).resolve().parent.parent / "README.md"
MAX_PAGES = 150  # per role
PER_VIEW = 12  # pages per URL name: breadth over every kind of page rather than 150 pegawai details
SKIP_PREFIXES = ("/static/", "/media/", "/keluar/", "/django-admin/")
HREF = re.compile(r'href="([^"#]*)(?:#[^"]*)?"')
DOWNLOADS = {"opd:impor_templat"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> DemoAccounts:
    from penilaian.demo import seed_penilaian
    from skp.demo import seed_skp

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()  # a transactional test elsewhere may have flushed the OPD rows
        accounts = seed_organisation()
        seed_skp(tahun=timezone.localdate().year)
        accounts.logins.extend(seed_penilaian(tahun=timezone.localdate().year).logins)
        yield accounts
        transaction.set_rollback(True)


def readme_logins() -> dict[str, str]:
    """Peran → NIP / ID of the README's demo table."""
    rows = re.findall(r"^\| ([^|]+?) \| `([^`]+)` \| `demo12345` \|", README.read_text(encoding="utf-8"), re.M)
    return dict(rows)


# Words an English browser must never see (the app is Indonesian whatever Accept-Language says).
ENGLISH = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|June|July|August|"
    r"October|December|This field is required|Page not found|Forbidden|Server Error|Previous|Next|Submit|"
    r"Search|Log out|Logout)\b"
)
english_seen: dict[str, str] = {}


def crawl(client, start: str = "/") -> tuple[dict[str, int], dict[str, str]]:
    """Breadth-first over same-site GET links: url → status, and for each url the page linking it."""
    seen: dict[str, int] = {}
    parent: dict[str, str] = {start: "(awal)"}
    per_view: Counter[str] = Counter()
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302):
            target = urljoin(url, response["Location"])
            if target not in seen and urlsplit(target).path not in {"/masuk/"}:
                parent.setdefault(target, url)
                queue.append(target)
            continue
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        visible = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
        if found := ENGLISH.search(visible):
            english_seen[url] = found.group(0)
        for href in HREF.findall(html):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if (
                parts.scheme
                or parts.netloc
                or not parts.path
                or parts.path.startswith(SKIP_PREFIXES)
                or target in parent
            ):
                continue
            try:
                match = resolve(parts.path)
            except Resolver404:
                seen[target] = 404
                parent[target] = url
                continue
            name = match.view_name
            if name in DOWNLOADS or per_view[name] >= PER_VIEW:
                continue
            per_view[name] += 1
            parent[target] = url
            queue.append(target)
    return seen, parent


def test_readme_lists_every_demo_role(db, demo):
    """The crawl logs in as the roles of the README table; the demo creates exactly those."""
    assert readme_logins() == {login.peran: login.nip for login in demo.logins}
    assert len(demo.logins) == 10


@pytest.mark.parametrize(
    "peran",
    [
        "Pegawai",
        "Pejabat penilai",
        "Kepala OPD",
        "Admin OPD",
        "Admin BKD",
        "Auditor",
        "Plt (Sekretaris)",
        "Bupati",
        "Penilai (bulanan)",
        "Pegawai (bulanan)",
    ],
)
def test_no_link_leads_to_an_error(client, db, demo, peran):
    nip = readme_logins()[peran]
    client.force_login(Pegawai.objects.get(nip=nip))
    # As an English browser: every page must still be Indonesian.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    english_seen.clear()
    seen, parent = crawl(client)
    dead = {url: (status, parent.get(url)) for url, status in seen.items() if status in (403, 404, 405, 500)}
    assert not dead, f"{peran}: tautan mati (url: (status, dari halaman)) {dead}"
    assert not english_seen, f"{peran}: kata bahasa Inggris di halaman {english_seen}"
    assert len(seen) > 5, seen  # the crawl went somewhere


def test_demo_admin_opd_cannot_make_herself_plh_of_her_supervisor(client, db, demo):
    """The reported case on the demo data: the admin OPD of Dinkes (a staff-level Pengadministrasi
    Kepegawaian) made herself Plh of her supervisor's position and approved a colleague's SKP."""
    import datetime

    from django.urls import reverse

    from opd.models import PenugasanPlt

    admin = Pegawai.objects.select_related("jabatan__atasan").get(nip=readme_logins()["Admin OPD"])
    supervisor_position = admin.jabatan.atasan
    client.force_login(admin)
    form = client.get(reverse("opd:plt_tambah")).content.decode()
    assert f'value="{supervisor_position.pk}"' not in form
    today = timezone.localdate()
    before = PenugasanPlt.objects.count()
    response = client.post(
        reverse("opd:plt_tambah"),
        {"jabatan": supervisor_position.pk, "nip": admin.nip, "jenis": "PLH", "mulai": today.isoformat(),
         "selesai": (today + datetime.timedelta(days=7)).isoformat(), "nomor_sk": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert PenugasanPlt.objects.count() == before
    assert admin.penilai() != admin
