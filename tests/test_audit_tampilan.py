"""How audit rows read (issue #6 §6): Jejak Audit, a pegawai's page and an SKP's Riwayat share
one formatter (opd.audit.present): labels instead of field names and codes, the RHK's text
instead of its id, lists as items, an unchanged value shown once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from opd import audit
from opd.models import AuditLog
from skp import rules, services
from tests.test_skp_pages import IKI, pegawai_skp, penilai_skp

pytestmark = pytest.mark.django_db

LONG_RHK = (
    "Meningkatnya cakupan dan mutu pelayanan kesehatan dasar bagi seluruh masyarakat pada Seksi Pelayanan "
    "Kesehatan Primer dan Tradisional"
)
INTERNALS = [
    "rhk_atasan",
    "lampiran_dukungan_sumber_daya",
    "BERORIENTASI_PELAYANAN",
    "DIAJUKAN",
    "DISETUJUI",
    "KUANTITATIF",
    "Skp disetujui",
    "Rhk disimpan",
    "[]",
    "[&#x27;",
]


@pytest.fixture
def approved_history(world):
    """A pegawai's SKP that went through every kind of row: lampiran edited, RHK saved with a
    long RHK atasan, submitted, ekspektasi set, approved."""
    _skp, atasan = penilai_skp(world)
    atasan[0].uraian = LONG_RHK
    atasan[0].save(update_fields=["uraian"])
    skp = pegawai_skp(world, atasan_rhk=atasan)
    services.update_skp(
        skp, by=world.pegawai, versi=skp.versi, pendekatan=skp.pendekatan,
        lampiran_dukungan_sumber_daya="Komputer dan akses SIMPUS", lampiran_skema_pertanggungjawaban="",
        lampiran_konsekuensi="",
    )  # fmt: skip
    services.submit_skp(skp, by=world.pegawai)
    skp.refresh_from_db()
    ekspektasi = {kode: "" for kode, _ in rules.BERAKHLAK_CHOICES} | {"BERORIENTASI_PELAYANAN": "Ramah kepada pasien"}
    services.set_ekspektasi(skp, by=world.penilai, versi=skp.versi, ekspektasi=ekspektasi)
    services.approve_skp(skp, by=world.penilai)
    return skp


def _change_cells(html: str) -> str:
    """The text of the Aksi and Perubahan cells (the Objek cell names the SKP, with its status word)."""
    return " ".join(
        re.findall(r'<div class="audit-change">.*?</div>|<span class="badge[^"]*">[^<]*</span>', html, re.S)
    )


def test_audit_list_shows_labels_texts_and_items(client, world, approved_history):
    client.force_login(world.auditor)
    html = client.get(reverse("opd:audit_list")).content.decode()
    for label in ("SKP disetujui", "RHK disimpan", "SKP diubah", "Ekspektasi pimpinan disimpan", "SKP diajukan"):
        assert label in html
    assert "Dukungan sumber daya:" in html and "Berorientasi Pelayanan:" in html
    assert "RHK atasan yang diintervensi:" in html
    assert LONG_RHK in html  # the RHK atasan by its whole text, not `[284]`
    assert '<span class="diff-new" title="ditambahkan">Jumlah dokumen yang tersusun (12 dokumen)</span>' in html
    assert '<span class="diff-old">Diajukan</span> → <span class="diff-new">Disetujui</span>' in html
    cells = _change_cells(html)
    for internal in INTERNALS:
        assert internal not in cells, internal


def test_riwayat_uses_the_same_formatter(client, world, approved_history):
    client.force_login(world.pegawai)
    html = client.get(reverse("skp:riwayat", args=[approved_history.pk])).content.decode()
    assert "SKP disetujui" in html and "Dukungan sumber daya:" in html
    assert LONG_RHK in html  # whole, never cut mid-word ("…pada Seksi Pelayanan Ke")
    cells = _change_cells(html)
    for internal in INTERNALS:
        assert internal not in cells, internal


def test_riwayat_shows_an_unchanged_rhk_once(client, world):
    skp = pegawai_skp(world)
    rhk = skp.rhk_set.get()
    skp.refresh_from_db()
    iki = [
        services.IkiData(uraian="Jumlah laporan valid", aspek="KUANTITAS", target_min=IKI[0].target_min, satuan="dok")
    ]
    links = [
        services.LinkData(rhk_atasan_id=lk.rhk_atasan_id, jenis_cascading="LANGSUNG") for lk in rhk.link_atas.all()
    ]
    services.save_rhk(
        skp, by=world.pegawai, versi=skp.versi, rhk=rhk, jenis="UTAMA", uraian=rhk.uraian, iki=iki, links=links
    )
    client.force_login(world.pegawai)
    html = client.get(reverse("skp:riwayat", args=[skp.pk])).content.decode()
    text = f"Utama: {rhk.uraian}"
    assert f'<span class="diff-old">{text}</span>' not in html  # not struck through …
    assert html.count(text) == 2  # … shown once in each of the two "RHK disimpan" rows
    assert '<span class="diff-old" title="dihapus">Jumlah dokumen yang tersusun (12 dokumen)</span>' in html


def test_present_is_one_query_per_lookup_field(world, approved_history, django_assert_num_queries):
    rows = list(AuditLog.objects.all())
    with django_assert_num_queries(1):  # the RHK atasan texts of every row, together
        audit.present(rows)


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("skp_disetujui", "SKP disetujui"),  # registered by skp
        ("rhk_tanpa_label", "RHK tanpa label"),  # fallback keeps acronyms
        ("jenis ASN", "Jenis ASN"),  # import keys are words already
        ("BERORIENTASI_PELAYANAN", "Berorientasi Pelayanan"),  # registered BerAKHLAK name
    ],
)
def test_labels(code, label):
    assert (audit.aksi_label(code) if code.startswith(("skp", "rhk")) else audit.field_label(code)) == label


def test_perubahan_values():
    row = AuditLog(
        aksi="tambah_plt",
        perubahan={"mulai": [None, "2026-03-01"], "dibatalkan": [False, True], "status": ["DRAFT", "DIAJUKAN"]},
    )
    (row,) = audit.present([row])
    assert [(c.label, c.lama, c.baru) for c in row.changes] == [
        ("Mulai", None, "1 Maret 2026"),
        ("Dibatalkan", "Tidak", "Ya"),
        ("Status", "Draft", "Diajukan"),
    ]
    assert row.aksi_label == "Tambah Plt/Plh"


def test_pegawai_page_names_the_position_copy_not_its_id(client, world):
    from opd import services as opd_services

    opd_services.set_atasan_jabatan(world.pegawai, world.kepala.jabatan, by=world.admin_opd, alasan="SK 12")
    world.pegawai.refresh_from_db()
    client.force_login(world.admin_opd)
    html = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk])).content.decode()
    change = html[html.index("Jabatan (salinan khusus pegawai ini):") :]
    change = change[: change.index("</div>")]
    assert "Pengelola Data Pelayanan Kesehatan" in change and "diff-old" not in change  # same name: once
    assert f"{world.pegawai.jabatan_id}" not in change
