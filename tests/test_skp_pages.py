"""SKP pages through HTTP: every mutating view (happy path + audit row, GET → 405, wrong user,
invalid input kept in the form), two tabs, and pinned query counts.

The helpers at the top build SKPs through the services; tests/test_access_skp.py and
tests/test_browser_skp.py use them too."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from opd.models import AuditLog, Jabatan, JenisJabatan
from skp import services
from skp.models import IndikatorKinerja, IntervensiRhk, RencanaHasilKerja, Skp
from skp.services import IkiData, LinkData
from tests.conftest import make_pegawai

pytestmark = pytest.mark.django_db

TAHUN = timezone.localdate().year
IKI = (IkiData(uraian="Jumlah dokumen yang tersusun", aspek="KUANTITAS", target_min=Decimal(12), satuan="dokumen"),)


# Builders (through the services) ---------------------------------------------------------------


def add_rhk(skp: Skp, by, uraian: str, *, jenis: str = "UTAMA", links=(), iki=IKI) -> RencanaHasilKerja:
    skp.refresh_from_db()
    return services.save_rhk(
        skp, by=by, versi=skp.versi, rhk=None, jenis=jenis, uraian=uraian, iki=list(iki),
        links=[LinkData(rhk_atasan_id=r.pk, jenis_cascading="LANGSUNG") for r in links],
    )  # fmt: skip


def penilai_skp(world, n_rhk: int = 2) -> tuple[Skp, list[RencanaHasilKerja]]:
    """The penilai's SKP, approved by the kepala, with `n_rhk` RHK utama (linked to the kepala's)."""
    kepala_skp = services.create_skp(world.kepala, by=world.kepala, tahun=TAHUN, pendekatan="KUANTITATIF")
    kepala_rhk = add_rhk(kepala_skp, world.kepala, "Meningkatnya derajat kesehatan masyarakat")
    services.submit_skp(kepala_skp, by=world.kepala)
    skp = services.create_skp(world.penilai, by=world.penilai, tahun=TAHUN, pendekatan="KUANTITATIF")
    uraian = ["Meningkatnya kualitas pelayanan kesehatan rujukan", "Tersedianya data pelayanan kesehatan yang akurat"]
    rhk = [
        add_rhk(skp, world.penilai, uraian[i] if i < len(uraian) else f"RHK penilai {i + 1}", links=[kepala_rhk])
        for i in range(n_rhk)
    ]
    services.submit_skp(skp, by=world.penilai)
    services.approve_skp(skp, by=world.kepala)
    return skp, rhk


def pegawai_skp(world, status: str = "DRAFT", *, pegawai=None, atasan_rhk=None) -> Skp:
    """An SKP of `pegawai` (default world.pegawai) with one RHK utama linked to the penilai's."""
    pegawai = pegawai or world.pegawai
    if atasan_rhk is None:
        atasan_rhk = penilai_skp(world)[1]
    skp = services.create_skp(pegawai, by=pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    add_rhk(skp, pegawai, "Tersusunnya laporan data pelayanan kesehatan", links=[atasan_rhk[0]])
    if status in ("DIAJUKAN", "DISETUJUI", "DIKEMBALIKAN"):
        services.submit_skp(skp, by=pegawai)
    if status == "DISETUJUI":
        services.approve_skp(skp, by=world.penilai)
    if status == "DIKEMBALIKAN":
        services.return_skp(skp, by=world.penilai, catatan="Perbaiki target")
    skp.refresh_from_db()
    return skp


def audit_rows(skp: Skp, aksi: str) -> list[AuditLog]:
    return list(AuditLog.objects.for_object(skp).filter(aksi=aksi))


def rhk_post(skp: Skp, *, uraian: str = "Tersusunnya laporan bulanan", jenis: str = "UTAMA", iki=None, links=None,
             versi: int | None = None, initial_forms: int = 0) -> dict:  # fmt: skip
    iki = iki if iki is not None else [
        {"uraian": "Jumlah laporan", "aspek": "KUANTITAS", "target_min": "12", "target_max": "", "satuan": "dokumen"}
    ]  # fmt: skip
    data = {
        "versi": skp.versi if versi is None else versi,
        "jenis": jenis,
        "uraian": uraian,
        "perspektif": "",
        "iki-TOTAL_FORMS": str(len(iki)),
        "iki-INITIAL_FORMS": str(initial_forms),
        "iki-MIN_NUM_FORMS": "0",
        "iki-MAX_NUM_FORMS": "1000",
        "intervensi": [str(pk) for pk in (links or {})],
    }
    for i, row in enumerate(iki):
        for key, value in row.items():
            data[f"iki-{i}-{key}"] = value
    for pk, kind in (links or {}).items():
        data[f"cascading_{pk}"] = kind
    return data


@pytest.fixture
def atasan(world) -> list[RencanaHasilKerja]:
    return penilai_skp(world)[1]


@pytest.fixture
def draft(world, atasan) -> Skp:
    return pegawai_skp(world, atasan_rhk=atasan)


@pytest.fixture
def diajukan(world, atasan) -> Skp:
    return pegawai_skp(world, "DIAJUKAN", atasan_rhk=atasan)


def url(name: str, *args) -> str:
    return reverse(f"skp:{name}", args=args)


# Daftar, buat, salin ---------------------------------------------------------------------------


def test_daftar_offers_create_and_copy_from_last_year(client, world):
    client.force_login(world.pegawai)
    html = client.get(url("daftar")).content.decode()
    assert f"Buat SKP {TAHUN}" in html and "Salin dari SKP" not in html
    services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN - 1, pendekatan="KUANTITATIF")
    html = client.get(url("daftar")).content.decode()
    assert f"Salin dari SKP {TAHUN - 1}" in html and "badge-status-DRAFT" in html


def test_daftar_hides_buttons_once_this_year_exists(client, world, draft):
    client.force_login(world.pegawai)
    html = client.get(url("daftar")).content.decode()
    assert f"Buat SKP {TAHUN}" not in html
    assert url("detail", draft.pk) in html
    assert "Rina Puspitasari" in html  # the live penilai of a draft


def test_buat_creates_skp_with_audit(client, world):
    client.force_login(world.pegawai)
    form = client.get(url("buat")).content.decode()
    assert f'value="{TAHUN}-01-01"' in form and f'value="{TAHUN}-12-31"' in form
    r = client.post(
        url("buat"),
        {"tahun": TAHUN, "pendekatan": "KUALITATIF", "mulai": f"{TAHUN}-01-01", "selesai": f"{TAHUN}-12-31"},
    )
    skp = Skp.objects.get(pegawai=world.pegawai)
    assert r.status_code == 302 and r["Location"] == url("detail", skp.pk)
    assert skp.pendekatan == "KUALITATIF" and skp.perilaku_set.count() == 7
    assert len(audit_rows(skp, "skp_dibuat")) == 1


def test_buat_invalid_period_and_overlap_show_message_and_values(client, world):
    client.force_login(world.pegawai)
    r = client.post(
        url("buat"),
        {"tahun": TAHUN, "pendekatan": "KUANTITATIF", "mulai": f"{TAHUN}-06-01", "selesai": f"{TAHUN}-02-01"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "tidak boleh sebelum periode mulai" in html and f"{TAHUN}-06-01" in html
    services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    r = client.post(
        url("buat"),
        {"tahun": TAHUN, "pendekatan": "KUANTITATIF", "mulai": f"{TAHUN}-01-01", "selesai": f"{TAHUN}-12-31"},
    )
    assert r.status_code == 200 and "Sudah ada SKP periode" in r.content.decode()
    assert Skp.objects.filter(pegawai=world.pegawai).count() == 1


def test_salin_copies_last_year(client, world):
    lalu = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN - 1, pendekatan="KUANTITATIF")
    add_rhk(lalu, world.pegawai, "RHK tahun lalu", jenis="TAMBAHAN")
    client.force_login(world.pegawai)
    assert client.get(url("salin", lalu.pk)).status_code == 405
    r = client.post(url("salin", lalu.pk))
    baru = Skp.objects.get(pegawai=world.pegawai, tahun=TAHUN)
    assert r.status_code == 302 and r["Location"] == url("detail", baru.pk)
    assert list(baru.rhk_set.values_list("uraian", flat=True)) == ["RHK tahun lalu"]
    assert len(audit_rows(baru, "skp_disalin")) == 1


def test_salin_of_someone_else_is_refused(client, world):
    lalu = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN - 1, pendekatan="KUANTITATIF")
    client.force_login(world.penilai)  # sees it (rates the pegawai) but it is not theirs
    assert client.post(url("salin", lalu.pk)).status_code == 403
    client.force_login(world.pegawai2)
    assert client.post(url("salin", lalu.pk)).status_code == 404
    assert not Skp.objects.filter(tahun=TAHUN).exclude(pegawai__in=[world.kepala, world.penilai]).exists()


# Detail, ubah ----------------------------------------------------------------------------------


def test_detail_shows_document_and_owner_actions(client, world, draft, atasan):
    client.force_login(world.pegawai)
    html = client.get(url("detail", draft.pk)).content.decode()
    assert "Tersusunnya laporan data pelayanan kesehatan" in html
    assert atasan[0].uraian in html and "Langsung" in html  # RHK atasan yang diintervensi + cascading
    assert "12 dokumen" in html and "Berorientasi Pelayanan" in html
    assert "Agus Setiawan" in html and "Rina Puspitasari" in html and "Sunarto" in html  # the three parties
    for name in ("ubah", "rhk_tambah", "ajukan", "hapus", "riwayat"):
        assert url(name, draft.pk) in html
    assert url("setujui", draft.pk) not in html
    client.force_login(world.penilai)
    html = client.get(url("detail", draft.pk)).content.decode()
    assert url("ubah", draft.pk) not in html and url("ajukan", draft.pk) not in html


def test_ubah_saves_lampiran_with_audit(client, world, draft):
    client.force_login(world.pegawai)
    assert client.get(url("ubah", draft.pk)).status_code == 200
    r = client.post(
        url("ubah", draft.pk),
        {
            "versi": draft.versi,
            "pendekatan": "KUANTITATIF",
            "lampiran_dukungan_sumber_daya": "Aplikasi SIMPUS",
            "lampiran_skema_pertanggungjawaban": "Laporan bulanan",
            "lampiran_konsekuensi": "Teguran",
        },
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.lampiran_dukungan_sumber_daya == "Aplikasi SIMPUS"
    assert len(audit_rows(draft, "skp_diubah")) == 1


def test_ubah_stale_versi_keeps_input_and_says_so(client, world, draft):
    client.force_login(world.pegawai)
    data = {"versi": draft.versi - 1, "pendekatan": "KUANTITATIF", "lampiran_dukungan_sumber_daya": "Ketik ulang",
            "lampiran_skema_pertanggungjawaban": "", "lampiran_konsekuensi": ""}  # fmt: skip
    html = client.post(url("ubah", draft.pk), data).content.decode()
    assert "telah diubah di tab/jendela lain" in html and "Ketik ulang" in html


def test_editing_a_submitted_skp_is_forbidden(client, world, diajukan):
    client.force_login(world.pegawai)
    rhk = diajukan.rhk_set.get()
    assert client.get(url("ubah", diajukan.pk)).status_code == 403
    assert client.post(url("rhk_tambah", diajukan.pk), rhk_post(diajukan)).status_code == 403
    assert client.post(url("rhk_ubah", rhk.pk), rhk_post(diajukan)).status_code == 403
    assert client.post(url("rhk_hapus", rhk.pk), {"versi": diajukan.versi}).status_code == 403
    assert diajukan.rhk_set.count() == 1


# RHK form --------------------------------------------------------------------------------------


def test_rhk_tambah_with_link_and_indonesian_decimal(client, world, draft, atasan):
    client.force_login(world.pegawai)
    html = client.get(url("rhk_tambah", draft.pk)).content.decode()
    assert atasan[0].uraian in html and atasan[1].uraian in html and "12 dokumen" in html  # penilai RHK + IKI
    data = rhk_post(
        draft,
        uraian="Terlaksananya validasi data",
        iki=[
            {"uraian": "Persentase data valid", "aspek": "KUALITAS", "target_min": "87,5", "target_max": "95",
             "satuan": "%"},
            {"uraian": "", "aspek": "", "target_min": "", "target_max": "", "satuan": ""},  # blank row: ignored
        ],
        links={atasan[1].pk: "TIDAK_LANGSUNG"},
    )  # fmt: skip
    r = client.post(url("rhk_tambah", draft.pk), data)
    rhk = draft.rhk_set.get(uraian="Terlaksananya validasi data")
    assert r.status_code == 302 and r["Location"] == url("detail", draft.pk) + f"#rhk-{rhk.pk}"
    iki = rhk.iki_set.get()
    assert (iki.target_min, iki.target_max, iki.satuan) == (Decimal("87.5"), Decimal("95"), "%")
    link = rhk.link_atas.get()
    assert (link.rhk_atasan_id, link.jenis_cascading) == (atasan[1].pk, "TIDAK_LANGSUNG")
    assert len(audit_rows(draft, "rhk_disimpan")) == 2  # the fixture's RHK and this one


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"target_min": "20", "target_max": "10"}, "lebih besar dari maksimum"),
        ({"target_min": "-3"}, "tidak boleh negatif"),
        ({"target_min": "dua belas"}, "bukan angka"),
        ({"satuan": ""}, "Satuan target wajib diisi"),
        ({"aspek": ""}, "Pilih aspek IKI"),
        ({"uraian": ""}, "Uraian IKI wajib diisi"),
    ],
)
def test_rhk_invalid_iki_keeps_typed_values(client, world, draft, atasan, row, message):
    client.force_login(world.pegawai)
    iki = {"uraian": "Indikator ketikan ABC", "aspek": "KUANTITAS", "target_min": "12", "target_max": "",
           "satuan": "berkas"} | row  # fmt: skip
    data = rhk_post(draft, uraian="Uraian ketikan XYZ", iki=[iki], links={atasan[0].pk: "LANGSUNG"})
    r = client.post(url("rhk_tambah", draft.pk), data)
    html = r.content.decode()
    assert r.status_code == 200 and message in html
    assert "Uraian ketikan XYZ" in html and "Periksa kembali isian" in html
    for value in (iki["target_min"], iki["target_max"], iki["satuan"], iki["uraian"]):
        if value:
            assert value in html
    assert f'value="{atasan[0].pk}" id="intervensi-{atasan[0].pk}" checked' in html  # the link stays ticked
    assert draft.rhk_set.count() == 1


def test_rhk_without_any_iki_is_refused(client, world, draft):
    client.force_login(world.pegawai)
    data = rhk_post(draft, uraian="RHK tanpa IKI", iki=[{"uraian": "", "aspek": "", "target_min": "", "satuan": ""}])
    html = client.post(url("rhk_tambah", draft.pk), data).content.decode()
    assert "Isi minimal satu Indikator Kinerja Individu" in html and "RHK tanpa IKI" in html
    assert draft.rhk_set.count() == 1


def test_rhk_forged_link_to_an_rhk_of_someone_else_is_refused(client, world, draft):
    client.force_login(world.pegawai)
    other = services.create_skp(world.outsider, by=world.outsider, tahun=TAHUN, pendekatan="KUANTITATIF")
    foreign = add_rhk(other, world.outsider, "RHK orang lain", jenis="TAMBAHAN")
    data = rhk_post(draft, uraian="RHK dengan tautan palsu", links={foreign.pk: "LANGSUNG"})
    html = client.post(url("rhk_tambah", draft.pk), data).content.decode()
    assert "tidak termasuk RHK pejabat penilai Anda" in html and "RHK dengan tautan palsu" in html
    assert not IntervensiRhk.objects.filter(rhk_atasan=foreign).exists()
    assert not draft.rhk_set.filter(uraian="RHK dengan tautan palsu").exists()


def test_rhk_draft_allowed_before_the_penilai_has_rhk(client, world):
    skp = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF")
    client.force_login(world.pegawai)
    html = client.get(url("rhk_tambah", skp.pk)).content.decode()
    assert "Atasan belum memiliki RHK yang diajukan/disetujui" in html
    r = client.post(url("rhk_tambah", skp.pk), rhk_post(skp, uraian="RHK tanpa atasan"))
    assert r.status_code == 302 and skp.rhk_set.get().uraian == "RHK tanpa atasan"


def test_rhk_kualitatif_uses_sentence_target(client, world, atasan):
    skp = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUALITATIF")
    client.force_login(world.pegawai)
    data = rhk_post(skp, iki=[{"uraian": "Kualitas laporan", "target_kualitatif": "Laporan diterima tanpa revisi"}],
                    links={atasan[0].pk: "LANGSUNG"})  # fmt: skip
    assert client.post(url("rhk_tambah", skp.pk), data).status_code == 302
    iki = IndikatorKinerja.objects.get(rhk__skp=skp)
    assert iki.target_kualitatif == "Laporan diterima tanpa revisi" and iki.target_min is None


def test_rhk_ubah_replaces_iki_and_links(client, world, draft, atasan):
    rhk = draft.rhk_set.get()
    client.force_login(world.pegawai)
    html = client.get(url("rhk_ubah", rhk.pk)).content.decode()
    assert 'value="12"' in html and "Tersusunnya laporan data pelayanan kesehatan" in html
    data = rhk_post(
        draft, uraian="Uraian baru", initial_forms=1, links={atasan[1].pk: "LANGSUNG"},
        iki=[{"uraian": "IKI baru", "aspek": "WAKTU", "target_min": "12", "target_max": "", "satuan": "bulan"}],
    )  # fmt: skip
    assert client.post(url("rhk_ubah", rhk.pk), data).status_code == 302
    rhk.refresh_from_db()
    assert rhk.uraian == "Uraian baru" and rhk.iki_set.get().target_display == "12 bulan"
    assert list(rhk.link_atas.values_list("rhk_atasan_id", flat=True)) == [atasan[1].pk]


def test_two_tabs_second_save_is_refused_and_first_kept(client, world, draft, atasan):
    rhk = draft.rhk_set.get()
    client.force_login(world.pegawai)
    tab1 = client.get(url("rhk_ubah", rhk.pk)).content.decode()
    tab2 = client.get(url("rhk_ubah", rhk.pk)).content.decode()
    versi = f'name="versi" value="{draft.versi}"'
    assert versi in tab1 and versi in tab2
    links = {atasan[0].pk: "LANGSUNG"}
    r1 = client.post(url("rhk_ubah", rhk.pk), rhk_post(draft, uraian="Simpanan tab satu", links=links, initial_forms=1))
    assert r1.status_code == 302
    r2 = client.post(url("rhk_ubah", rhk.pk), rhk_post(draft, uraian="Simpanan tab dua", links=links, initial_forms=1))
    html = r2.content.decode()
    assert r2.status_code == 200 and "SKP ini telah diubah" in html and "Simpanan tab dua" in html
    rhk.refresh_from_db()
    assert rhk.uraian == "Simpanan tab satu"


def test_rhk_hapus_and_pindah(client, world, draft, atasan):
    second = add_rhk(draft, world.pegawai, "RHK kedua", links=[atasan[0]])
    first = draft.rhk_set.exclude(pk=second.pk).get()
    draft.refresh_from_db()
    client.force_login(world.pegawai)
    assert client.get(url("rhk_pindah", second.pk)).status_code == 405
    r = client.post(url("rhk_pindah", second.pk), {"versi": draft.versi, "arah": "naik"})
    assert r.status_code == 302
    assert list(draft.rhk_set.order_by("urutan").values_list("pk", flat=True)) == [second.pk, first.pk]
    assert len(audit_rows(draft, "rhk_dipindah")) == 1
    draft.refresh_from_db()
    assert client.get(url("rhk_hapus", second.pk)).status_code == 405
    assert client.post(url("rhk_hapus", second.pk), {"versi": draft.versi}).status_code == 302
    assert list(draft.rhk_set.values_list("pk", flat=True)) == [first.pk]
    assert len(audit_rows(draft, "rhk_dihapus")) == 1


def test_rhk_hapus_stale_versi_gives_message(client, world, draft):
    rhk = draft.rhk_set.get()
    client.force_login(world.pegawai)
    r = client.post(url("rhk_hapus", rhk.pk), {"versi": draft.versi - 1}, follow=True)
    assert "telah diubah" in r.content.decode() and draft.rhk_set.count() == 1


def test_rhk_actions_of_someone_else(client, world, draft):
    rhk = draft.rhk_set.get()
    client.force_login(world.penilai)
    assert client.post(url("rhk_hapus", rhk.pk), {"versi": draft.versi}).status_code == 403
    client.force_login(world.pegawai2)
    assert client.post(url("rhk_hapus", rhk.pk), {"versi": draft.versi}).status_code == 404
    assert client.get(url("rhk_ubah", rhk.pk)).status_code == 404
    assert draft.rhk_set.count() == 1


# Workflow --------------------------------------------------------------------------------------


def test_ajukan_confirm_then_submit(client, world, draft):
    client.force_login(world.pegawai)
    html = client.get(url("ajukan", draft.pk)).content.decode()
    assert "Rina Puspitasari" in html and '<form method="post"' in html
    r = client.post(url("ajukan", draft.pk))
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "DIAJUKAN" and draft.penilai == world.penilai
    assert len(audit_rows(draft, "skp_diajukan")) == 1


def test_ajukan_with_unlinked_rhk_names_it(client, world, draft):
    add_rhk(draft, world.pegawai, "RHK belum tertaut")
    client.force_login(world.pegawai)
    assert "RHK belum tertaut" in client.get(url("ajukan", draft.pk)).content.decode()
    r = client.post(url("ajukan", draft.pk), follow=True)
    assert "belum dihubungkan" in r.content.decode() and "RHK belum tertaut" in r.content.decode()
    draft.refresh_from_db()
    assert draft.status == "DRAFT"


def test_ajukan_by_someone_else(client, world, draft):
    client.force_login(world.penilai)
    assert client.post(url("ajukan", draft.pk)).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url("ajukan", draft.pk)).status_code == 404


def test_setujui_confirm_then_approve_then_twice(client, world, diajukan):
    client.force_login(world.penilai)
    html = client.get(url("setujui", diajukan.pk)).content.decode()
    assert "Ya, setujui SKP ini" in html and "Tersusunnya laporan data pelayanan kesehatan" in html
    approved = client.post(url("setujui", diajukan.pk), follow=True).content.decode()
    # The message after Setujui links straight to the print (issue #6 §6).
    assert f'href="{url("cetak", diajukan.pk)}">Cetak SKP</a>' in approved
    diajukan.refresh_from_db()
    assert diajukan.status == "DISETUJUI" and diajukan.snapshot_penilai["nama"] == "Rina Puspitasari, S.KM."
    assert len(audit_rows(diajukan, "skp_disetujui")) == 1
    r = client.post(url("setujui", diajukan.pk), follow=True)
    assert "SKP sudah disetujui" in r.content.decode()
    assert len(audit_rows(diajukan, "skp_disetujui")) == 1


def test_setujui_by_the_wrong_people(client, world, diajukan):
    client.force_login(world.pegawai)  # the owner
    assert client.post(url("setujui", diajukan.pk)).status_code == 403
    client.force_login(world.admin_opd)  # sees it, may not approve
    assert client.post(url("setujui", diajukan.pk)).status_code == 403
    client.force_login(world.kepala)  # Kepala OPD: reads it (SPEC §9), rates the penilai, not this pegawai
    assert client.post(url("setujui", diajukan.pk)).status_code == 403
    diajukan.refresh_from_db()
    assert diajukan.status == "DIAJUKAN"


def test_setujui_someone_elses_bawahan(client, world, atasan):
    jabatan = Jabatan.objects.create(
        nama="Kepala Bidang Lain", jenis=JenisJabatan.ADMINISTRATOR, opd=world.opd, atasan=world.kepala.jabatan
    )
    other_kabid = make_pegawai("Kabid Lain", jabatan)
    skp = pegawai_skp(world, "DIAJUKAN", atasan_rhk=atasan)
    client.force_login(other_kabid)
    assert client.get(url("tinjau", skp.pk)).status_code == 404
    assert client.post(url("setujui", skp.pk)).status_code == 404


def test_kembalikan_needs_note_and_pegawai_sees_it(client, world, diajukan):
    client.force_login(world.penilai)
    assert client.get(url("kembalikan", diajukan.pk)).status_code == 200
    html = client.post(url("kembalikan", diajukan.pk), {"catatan": "  "}).content.decode()
    assert "Catatan pengembalian wajib diisi" in html
    r = client.post(url("kembalikan", diajukan.pk), {"catatan": "Target kuantitas terlalu rendah"})
    assert r.status_code == 302
    diajukan.refresh_from_db()
    assert diajukan.status == "DIKEMBALIKAN" and diajukan.catatan_pengembalian == "Target kuantitas terlalu rendah"
    [row] = audit_rows(diajukan, "skp_dikembalikan")
    assert row.alasan == "Target kuantitas terlalu rendah"
    client.force_login(world.pegawai)
    html = client.get(url("detail", diajukan.pk)).content.decode()
    assert "catatan-pengembalian" in html and "Target kuantitas terlalu rendah" in html
    assert url("ajukan", diajukan.pk) in html


def test_kembalikan_by_owner_is_forbidden(client, world, diajukan):
    client.force_login(world.pegawai)
    assert client.post(url("kembalikan", diajukan.pk), {"catatan": "x"}).status_code == 403


def test_ekspektasi_by_penilai(client, world, diajukan):
    client.force_login(world.penilai)
    assert client.get(url("ekspektasi", diajukan.pk)).status_code == 200
    data = {"versi": diajukan.versi, "AKUNTABEL": "Laporan tepat waktu setiap tanggal 5"}
    r = client.post(url("ekspektasi", diajukan.pk), data)
    assert r.status_code == 302 and r["Location"] == url("tinjau", diajukan.pk)
    assert diajukan.perilaku_set.get(nilai="AKUNTABEL").ekspektasi_khusus == "Laporan tepat waktu setiap tanggal 5"
    assert len(audit_rows(diajukan, "ekspektasi_disimpan")) == 1
    client.force_login(world.pegawai)
    assert client.post(url("ekspektasi", diajukan.pk), data).status_code == 403


def test_revisi_creates_draft_and_version_selector(client, world, atasan):
    skp = pegawai_skp(world, "DISETUJUI", atasan_rhk=atasan)
    client.force_login(world.pegawai)
    assert client.get(url("revisi", skp.pk)).status_code == 405
    r = client.post(url("revisi", skp.pk))
    baru = Skp.objects.get(induk=skp)
    assert r.status_code == 302 and r["Location"] == url("detail", baru.pk)
    assert baru.status == "DRAFT" and baru.rhk_set.count() == 1
    assert len(audit_rows(baru, "skp_revisi_dibuat")) == 1
    html = client.get(url("detail", baru.pk)).content.decode()
    assert "Versi awal (berlaku)" in html and "Revisi 1 (draft)" in html
    client.force_login(world.penilai)
    assert client.post(url("revisi", skp.pk)).status_code == 403


def test_hapus_draft_confirm_then_delete(client, world, draft):
    client.force_login(world.pegawai)
    assert "Ya, hapus draft" in client.get(url("hapus", draft.pk)).content.decode()
    r = client.post(url("hapus", draft.pk))
    assert r.status_code == 302 and r["Location"] == url("daftar")
    assert not Skp.objects.filter(pk=draft.pk).exists()
    assert AuditLog.objects.filter(aksi="skp_dihapus", object_id=str(draft.pk)).count() == 1


def test_hapus_submitted_is_forbidden(client, world, diajukan):
    client.force_login(world.pegawai)
    assert client.get(url("hapus", diajukan.pk)).status_code == 403
    r = client.post(url("hapus", diajukan.pk), follow=True)
    assert r.redirect_chain == [(url("detail", diajukan.pk), 302)]
    assert "Hanya draf yang belum pernah diajukan (atau revisi yang belum disetujui) yang dapat dihapus." in (
        r.content.decode()
    )
    assert Skp.objects.filter(pk=diajukan.pk).exists()


# Penilai pages ---------------------------------------------------------------------------------


def test_tinjau_side_by_side(client, world, diajukan, atasan):
    client.force_login(world.penilai)
    html = client.get(url("tinjau", diajukan.pk)).content.decode()
    assert atasan[0].uraian in html and atasan[1].uraian in html
    assert "Tersusunnya laporan data pelayanan kesehatan" in html
    assert "Tidak ada RHK pegawai ini yang mengintervensi RHK ini" in html  # atasan[1] has no bawahan RHK
    assert url("setujui", diajukan.pk) in html and url("kembalikan", diajukan.pk) in html
    client.force_login(world.pegawai)
    assert client.get(url("tinjau", diajukan.pk)).status_code == 403


def test_riwayat_lists_actions(client, world, diajukan):
    client.force_login(world.pegawai)
    html = client.get(url("riwayat", diajukan.pk)).content.decode()
    for label in ("SKP dibuat", "RHK disimpan", "Diajukan"):
        assert label in html
    assert "Draft" in html and "Diajukan" in html  # status old → new in words
    assert "Meningkatnya kualitas pelayanan kesehatan rujukan" in html  # the linked RHK atasan by its text


# Query counts ----------------------------------------------------------------------------------


def _bawahan_with_submitted_skp(world, atasan, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        p = make_pegawai(f"Staf {i:02d}", world.pegawai.jabatan, nip=f"19900101201501{1 if i % 2 else 2}{i:03d}")
        pegawai_skp(world, "DIAJUKAN", pegawai=p, atasan_rhk=atasan)


def test_inbox_query_count_does_not_grow(client, world, atasan, django_assert_max_num_queries):
    client.force_login(world.penilai)
    _bawahan_with_submitted_skp(world, atasan, 3)
    with CaptureQueriesContext(connection) as small:
        r = client.get(url("persetujuan"))
    assert r.content.decode().count(" Tinjau</a>") == 3
    _bawahan_with_submitted_skp(world, atasan, 27, start=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(url("persetujuan"))
    html = r.content.decode()
    assert html.count(" Tinjau</a>") == 30 and "Dewi Lestari" in html  # pegawai2: no SKP yet, listed


def _detail_queries(client, skp: Skp) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("detail", skp.pk)).status_code == 200
    return len(ctx.captured_queries)


def test_detail_query_count_does_not_grow_with_rhk(client, world, atasan, django_assert_max_num_queries):
    three_iki = [
        IkiData(uraian=f"IKI {n}", aspek="KUANTITAS", target_min=Decimal(n), satuan="dokumen") for n in (1, 2, 3)
    ]
    small = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF",
                                 mulai=datetime.date(TAHUN, 1, 1), selesai=datetime.date(TAHUN, 6, 30))  # fmt: skip
    big = services.create_skp(world.pegawai, by=world.pegawai, tahun=TAHUN, pendekatan="KUANTITATIF",
                              mulai=datetime.date(TAHUN, 7, 1), selesai=datetime.date(TAHUN, 12, 31))  # fmt: skip
    for i in range(2):
        add_rhk(small, world.pegawai, f"RHK kecil {i}", links=atasan, iki=three_iki)
    for i in range(15):
        tambahan = i >= 12
        add_rhk(big, world.pegawai, f"RHK besar {i}", links=[] if tambahan else atasan, iki=three_iki,
                jenis="TAMBAHAN" if tambahan else "UTAMA")  # fmt: skip
    client.force_login(world.pegawai)
    baseline = _detail_queries(client, small)
    with django_assert_max_num_queries(baseline):
        html = client.get(url("detail", big.pk)).content.decode()
    assert html.count("RHK besar") == 15 and html.count("IKI 3") == 15


def test_rhk_jpt_has_perspektif_and_no_intervensi(client, world):
    skp = services.create_skp(world.kepala, by=world.kepala, tahun=TAHUN, pendekatan="KUANTITATIF")
    client.force_login(world.kepala)
    html = client.get(url("rhk_tambah", skp.pk)).content.decode()
    assert 'name="perspektif"' in html and 'id="intervensi-card"' not in html and "Perjanjian Kinerja" in html
    data = rhk_post(skp, uraian="Meningkatnya derajat kesehatan") | {"perspektif": "Penerima Layanan"}
    assert client.post(url("rhk_tambah", skp.pk), data).status_code == 302
    assert skp.rhk_set.get().perspektif == "Penerima Layanan"


def test_rhk_tambahan_drops_ticked_links(client, world, draft, atasan):
    client.force_login(world.pegawai)
    data = rhk_post(draft, uraian="Tugas tambahan", jenis="TAMBAHAN", links={atasan[0].pk: "LANGSUNG"})
    assert client.post(url("rhk_tambah", draft.pk), data).status_code == 302
    assert not draft.rhk_set.get(uraian="Tugas tambahan").link_atas.exists()


def test_daftar_for_the_bupati_offers_no_skp(client, world):
    client.force_login(world.bupati)
    html = client.get(url("daftar")).content.decode()
    assert "Akun Anda tidak menyusun SKP" in html and "Buat SKP" not in html


def test_tutup_closes_at_jabatan_change_with_audit(client, world):
    skp = pegawai_skp(world, "DISETUJUI")
    client.force_login(world.admin_opd)
    page = client.get(url("detail", skp.pk)).content.decode()
    assert url("tutup", skp.pk) in page
    response = client.post(url("tutup", skp.pk), {"per_tanggal": f"{TAHUN}-07-01", "alasan": "Mutasi jabatan"})
    assert response.status_code == 302
    skp.refresh_from_db()
    assert (skp.selesai, skp.ditutup_pada) == (datetime.date(TAHUN, 6, 30), datetime.date(TAHUN, 7, 1))
    row = AuditLog.objects.for_object(skp).filter(aksi="skp_ditutup").get()
    assert row.actor == world.admin_opd and row.alasan == "Mutasi jabatan"
    client.force_login(world.pegawai)
    assert "ditutup per 1 Juli" in client.get(url("detail", skp.pk)).content.decode()


def test_tutup_invalid_date_keeps_input(client, world):
    skp = pegawai_skp(world, "DISETUJUI")
    client.force_login(world.admin_bkd)
    response = client.post(url("tutup", skp.pk), {"per_tanggal": f"{TAHUN}-01-01", "alasan": "Promosi"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tanggal penutupan harus setelah" in html and "Promosi" in html
    skp.refresh_from_db()
    assert skp.ditutup_pada is None


def test_tutup_is_not_for_the_pegawai_and_is_post_or_get_only(client, world):
    skp = pegawai_skp(world, "DISETUJUI")
    client.force_login(world.pegawai)
    assert client.get(url("tutup", skp.pk)).status_code == 403
    client.force_login(world.admin_bkd)
    assert client.put(url("tutup", skp.pk)).status_code == 405


# Numeric input (issue #6 §4) -------------------------------------------------------------------
# Every numeric form field of the app gets every hostile value through HTTP: a 200 with the
# message, the typed text kept, nothing written. A field without a row here fails the last test.

HUGE = "9" * 40  # more digits than Decimal's context and any column
HOSTILE = ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "1e309", "1.000,5", "1,5", "—", "", "   ", "1,000.5", HUGE]
BUKAN_ANGKA = "bukan angka. Tulis angka seperti 12, 12,5 atau 1.000."
AMBIGU = "Pakai koma untuk desimal dan titik untuk ribuan, misalnya 1.000,5."


def _expected(
    value: str, *, blank, bulat: str | None = None, huge: str = "Target terlalu besar"
) -> str | Decimal | None:
    """The message a value must produce, or the Decimal it is read as (then it is saved)."""
    if not value.strip():
        return blank
    if value in ("1.000,5", "1,5"):
        return bulat if bulat else Decimal(value.replace(".", "").replace(",", "."))
    if value == "1,000.5":
        return AMBIGU
    if value == HUGE:
        return huge
    return BUKAN_ANGKA


def _tahun(client, world, atasan):
    """(send, written): the SKP year on the Buat SKP form."""
    client.force_login(world.pegawai)

    def send(value: str):
        data = {"tahun": value, "pendekatan": "KUANTITATIF", "mulai": f"{TAHUN}-01-01", "selesai": f"{TAHUN}-12-31"}
        return client.post(url("buat"), data)

    return send, lambda: Skp.objects.filter(pegawai=world.pegawai).first()


def _target(field: str):
    """(send, written): an IKI target on the RHK form."""

    def prepare(client, world, atasan):
        skp = pegawai_skp(world, atasan_rhk=atasan)
        client.force_login(world.pegawai)

        def send(value: str):
            iki = {"uraian": "Jumlah laporan", "aspek": "KUANTITAS", "target_min": "1", "target_max": "",
                   "satuan": "dok", field: value}  # fmt: skip
            data = rhk_post(skp, uraian="RHK angka", iki=[iki], links={atasan[0].pk: "LANGSUNG"})
            return client.post(url("rhk_tambah", skp.pk), data)

        return send, lambda: IndikatorKinerja.objects.filter(rhk__skp=skp, rhk__uraian="RHK angka").first()

    return prepare


def _versi(client, world, atasan):
    """(send, written): the hidden page version (a forged value) on the Ubah SKP form."""
    skp = pegawai_skp(world, atasan_rhk=atasan)
    client.force_login(world.pegawai)

    def send(value: str):
        return client.post(url("ubah", skp.pk), {"versi": value, "pendekatan": "KUALITATIF"})

    return send, lambda: Skp.objects.filter(pk=skp.pk, pendekatan="KUALITATIF").first()


KEDALUWARSA = "Halaman ini tidak sesuai lagi dengan data terbaru"
NUMERIC_FIELDS = {
    # field name: (post, {value: expected message or stored Decimal})
    "tahun": (
        _tahun,
        {
            v: _expected(
                v,
                blank="Tahun wajib diisi.",
                bulat="Tahun harus bilangan bulat.",
                huge="Tahun tidak boleh lebih dari 2100.",
            )
            for v in HOSTILE
        },
    ),
    "target_min": (
        _target("target_min"),
        {v: _expected(v, blank="Target wajib diisi dengan angka.") for v in HOSTILE},
    ),
    "target_max": (
        _target("target_max"),
        {v: _expected(v, blank=None, huge="Target maksimum terlalu besar") for v in HOSTILE},
    ),
    "versi": (_versi, dict.fromkeys(HOSTILE, KEDALUWARSA)),
}
CASES = [(field, value) for field, (_, table) in NUMERIC_FIELDS.items() for value in table]


@pytest.mark.parametrize(("field", "value"), CASES, ids=[f"{f}={v!r}" for f, v in CASES])
def test_numeric_fields_refuse_hostile_values_with_a_message(client, world, atasan, field, value):
    post, _saved = NUMERIC_FIELDS[field]
    expected = NUMERIC_FIELDS[field][1][value]
    send, written = post(client, world, atasan)
    before = AuditLog.objects.count()
    r = send(value)
    if isinstance(expected, str):
        html = r.content.decode()
        assert r.status_code == 200
        assert escape(expected.replace("'", "")) in html.replace("&#x27;", "")
        if value.strip():
            assert f'value="{escape(value)}"' in html  # the typed text is kept
        assert written() is None and AuditLog.objects.count() == before
    else:  # a valid reading (an optional field left blank, or 1.000,5 = 1000,5): saved as read
        assert r.status_code == 302
        row = written()
        assert row is not None and getattr(row, field) == expected


def test_every_numeric_form_field_is_in_the_hostile_table():
    import inspect

    from django import forms

    from ekinerja.angka import AngkaField
    from opd import forms as opd_forms
    from skp import forms as skp_forms

    numeric = (forms.IntegerField, forms.DecimalField, forms.FloatField, AngkaField)
    found = {
        name
        for module in (opd_forms, skp_forms)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm)
        for name, field in cls.base_fields.items()
        if isinstance(field, numeric)
    }
    assert found == set(NUMERIC_FIELDS)


def test_tinjau_query_count_does_not_grow_with_the_team(client, world, diajukan, atasan):
    """Issue #9: the review page reads the penilai's team for access (ids only) and the penilai's
    RHK; more bawahan with SKP waiting and more people in the OPD change neither its queries."""
    client.force_login(world.penilai)
    _bawahan_with_submitted_skp(world, atasan, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("tinjau", diajukan.pk)).status_code == 200
    _bawahan_with_submitted_skp(world, atasan, 28, start=2)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url("tinjau", diajukan.pk)).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert atasan[0].uraian in html
