"""The pegawai's month through HTTP (issue #7 §3): the month page, rencana aksi, realisasi with
bukti dukung, the copy of last month, Kirim realisasi; every bad input of the issue's list for this
area changes nothing and says why in Indonesian; stale tabs, submitted and locked months; pinned
query counts; the Beranda card."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from opd.models import AuditLog
from penilaian.models import BukaKunci, BuktiDukung, Evaluasi, Periode, RencanaAksi, UmpanBalik
from penilaian.services import alur, bulanan
from penilaian.services._common import KonflikVersi, PenilaianError
from skp import services as skp_services
from tests import penilaian_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bukti_root(settings, tmp_path):
    settings.BUKTI_ROOT = tmp_path / "bukti"
    return settings.BUKTI_ROOT


@pytest.fixture
def ev(world) -> Evaluasi:
    return fx.evaluasi_bulan(world)


def url(name: str, *args) -> str:
    return reverse(f"penilaian:{name}", args=args)


def url_bulan(periode: Periode) -> str:
    return url("bulanan_detail", periode.tahun, periode.bulan)


def pesan(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def audit(ev: Evaluasi) -> list[str]:
    return list(AuditLog.objects.for_object(ev).order_by("pk").values_list("aksi", flat=True))


def rhk_iki(ev: Evaluasi, rhk_index: int = 0, iki_index: int = 0):
    rhk = sorted(ev.skp.rhk_set.all(), key=lambda r: (r.jenis != "UTAMA", r.urutan, r.pk))[rhk_index]
    return rhk, list(rhk.iki_set.order_by("urutan", "pk"))[iki_index]


# The month page ------------------------------------------------------------------------------------


def test_index_redirects_to_the_current_month_or_says_none_is_open(client, world):
    client.force_login(world.pegawai)
    response = client.get(url("bulanan"))
    assert (
        response.status_code == 200 and "Belum ada periode penilaian bulanan yang dibuka" in response.content.decode()
    )
    periode = fx.buat_periode()
    assert client.get(url("bulanan"))["Location"] == url_bulan(periode)


def test_month_page_creates_the_evaluation_and_shows_rhk_iki_deadlines(client, world):
    fx.skp_disetujui(world)
    periode = fx.buat_periode()
    client.force_login(world.pegawai)
    html = client.get(url_bulan(periode)).content.decode()
    ev = Evaluasi.objects.get(pegawai=world.pegawai, periode=periode)
    assert ev.status == "DRAFT" and ev.hasil_bulan
    assert "Tersusunnya laporan data pelayanan kesehatan" in html and "Waktu penyelesaian rekap" in html
    assert "Terlaksananya validasi data kunjungan" in html
    assert f"{periode.batas_realisasi.day} " in html and "Belum dikirim" in html
    assert url("rencana_aksi_tambah", ev.pk) in html and url("kirim_realisasi", ev.pk) in html
    assert url("salin_bulan_lalu", ev.pk) in html


def test_without_an_approved_skp_the_page_says_so_and_links_the_skp_list(client, world):
    periode = fx.buat_periode()
    client.force_login(world.pegawai2)
    html = client.get(url_bulan(periode)).content.decode()
    assert "belum memiliki SKP yang disetujui" in html and reverse("skp:daftar") in html
    assert not Evaluasi.objects.filter(pegawai=world.pegawai2).exists()


def test_unknown_month_is_404(client, world):
    client.force_login(world.pegawai)
    assert client.get(url("bulanan_detail", fx.TAHUN, 13)).status_code == 404
    assert client.get(url("bulanan_detail", fx.TAHUN, fx.TODAY.month)).status_code == 404  # not opened


def test_month_page_shows_capaian_nilai_bukti_and_the_mean(client, world, ev):
    fx.tambah_aksi(ev, "Menyusun rekap", target=4, realisasi=4, realisasi_uraian="Selesai", bukti=True)
    # Waktu: less is better. 4 hari against 5 → C = (2 − 0,8) × 100 = 120 → nilai 120.
    fx.tambah_aksi(ev, "Menyelesaikan rekap cepat", iki_index=1, target=5, satuan="hari", realisasi=4)
    client.force_login(world.pegawai)
    html = client.get(url_bulan(ev.periode)).content.decode()
    assert "100,00 %" in html and "nilai 109,00" in html
    assert "120,00 %" in html and "nilai 120,00" in html
    assert "114,50" in html  # mean of 109 and 120
    assert "https://drive.example.go.id/rekap" in html


def test_month_navigation_lists_the_year_with_status_and_predikat(client, world, ev):
    lain = fx.buat_periode(fx.TAHUN, 1 if fx.TODAY.month != 1 else 2)
    (ev_lain,) = bulanan.pastikan_evaluasi(world.pegawai, lain)
    fx.nilai(ev_lain, "SANGAT_BAIK")
    client.force_login(world.pegawai)
    html = client.get(url_bulan(ev.periode)).content.decode()
    assert 'id="bulan-tahun"' in html and "Sangat Baik" in html and url_bulan(lain) in html


# Rencana aksi -------------------------------------------------------------------------------------


def test_add_rencana_aksi_happy_path_with_default_satuan_and_audit(client, world, ev):
    rhk, iki = rhk_iki(ev)
    client.force_login(world.pegawai)
    assert client.get(url("rencana_aksi_tambah", ev.pk) + f"?rhk={rhk.pk}").status_code == 200
    response = client.post(
        url("rencana_aksi_tambah", ev.pk), {"versi": ev.versi, "iki": iki.pk, "uraian": "Rekap mingguan", "target": "4"}
    )
    assert response.status_code == 302
    ra = RencanaAksi.objects.get(evaluasi=ev)
    assert (ra.rhk_id, ra.iki_id, ra.target, ra.satuan) == (rhk.pk, iki.pk, Decimal(4), "laporan")
    assert audit(ev) == ["rencana_aksi_ditambah"]
    assert Evaluasi.objects.get(pk=ev.pk).versi == ev.versi + 1
    assert client.get(url("rencana_aksi_tambah", ev.pk)).status_code == 200
    assert client.delete(url("rencana_aksi_tambah", ev.pk)).status_code == 405


@pytest.mark.parametrize(
    ("target", "pesan_galat"),
    [
        ("abc", "bukan angka"),
        ("NaN", "bukan angka"),
        ("Infinity", "bukan angka"),
        ("1e309", "bukan angka"),
        ("-3", "lebih dari 0"),
        ("0", "lebih dari 0"),
        ("99999999999999999999", "terlalu besar"),
    ],
)
def test_add_rencana_aksi_bad_target_keeps_what_was_typed(client, world, ev, target, pesan_galat):
    _, iki = rhk_iki(ev)
    client.force_login(world.pegawai)
    response = client.post(
        url("rencana_aksi_tambah", ev.pk),
        {"versi": ev.versi, "iki": iki.pk, "uraian": "Rekap khusus", "target": target},
    )
    html = response.content.decode()
    assert response.status_code == 200 and pesan_galat in html
    assert f'value="{escape(target)}"' in html and "Rekap khusus" in html
    assert not RencanaAksi.objects.exists()


def test_rencana_aksi_must_use_an_iki_of_this_skp(client, world, ev):
    """A forged IKI of another pegawai's SKP (or of another RHK) is refused."""
    other = fx.skp_disetujui(world, world.pegawai2)
    iki_lain = other.rhk_set.first().iki_set.first()
    client.force_login(world.pegawai)
    response = client.post(url("rencana_aksi_tambah", ev.pk), {"versi": ev.versi, "iki": iki_lain.pk, "uraian": "X"})
    assert response.status_code == 200 and "Pilih IKI dari RHK SKP" in response.content.decode()
    with pytest.raises(PenilaianError, match="IKI"):
        rhk, _ = rhk_iki(ev)
        _, iki_rhk2 = rhk_iki(ev, rhk_index=1)
        bulanan.tambah_rencana_aksi(ev, by=world.pegawai, versi=None, rhk_id=rhk.pk, iki_id=iki_rhk2.pk, uraian="X")
    assert not RencanaAksi.objects.exists()


def test_edit_and_delete_rencana_aksi(client, world, ev, bukti_root, django_capture_on_commit_callbacks):
    ra = fx.tambah_aksi(ev, realisasi=3)
    client.force_login(world.pegawai)
    _, iki_waktu = rhk_iki(ev, iki_index=1)
    assert client.get(url("rencana_aksi_ubah", ra.pk)).status_code == 200
    response = client.post(
        url("rencana_aksi_ubah", ra.pk),
        {"versi": ev.versi, "iki": iki_waktu.pk, "uraian": "Rekap dipercepat", "target": "2,5", "satuan": "hari"},
    )
    assert response.status_code == 302
    ra.refresh_from_db()
    assert (ra.uraian, ra.iki_id, ra.target, ra.satuan) == ("Rekap dipercepat", iki_waktu.pk, Decimal("2.5"), "hari")
    ev.refresh_from_db()
    client.post(
        url("bukti_unggah", ra.pk), {"versi": ev.versi, "berkas": SimpleUploadedFile("a.pdf", fx.PDF)}, follow=False
    )
    stored = bukti_root / BuktiDukung.objects.get().berkas
    assert stored.exists()
    ev.refresh_from_db()
    assert client.get(url("rencana_aksi_hapus", ra.pk)).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("rencana_aksi_hapus", ra.pk), {"versi": ev.versi})
    assert response.status_code == 302 and not RencanaAksi.objects.exists()
    assert not stored.exists()  # removed after the commit
    assert audit(ev)[-1] == "rencana_aksi_dihapus"


# Copy last month -----------------------------------------------------------------------------------


def _dua_bulan(world):
    lalu = fx.buat_periode(fx.TAHUN, 1)
    ini = fx.buat_periode(fx.TAHUN, 2)
    return lalu, ini


def test_copy_last_month_once_with_count_and_no_duplicates(client, world):
    fx.skp_disetujui(world)
    lalu, ini = _dua_bulan(world)
    (ev_lalu,) = bulanan.pastikan_evaluasi(world.pegawai, lalu)
    ev_lalu = Evaluasi.objects.select_related("skp").get(pk=ev_lalu.pk)
    fx.tambah_aksi(ev_lalu, "Rekap A", realisasi=4, realisasi_uraian="selesai")
    fx.tambah_aksi(ev_lalu, "Validasi B", rhk_index=1, target=95, satuan="%")
    (ev,) = bulanan.pastikan_evaluasi(world.pegawai, ini)
    client.force_login(world.pegawai)
    response = client.post(url("salin_bulan_lalu", ev.pk), {"versi": ev.versi})
    assert "2 rencana aksi disalin" in pesan(response)[-1]
    rows = list(RencanaAksi.objects.filter(evaluasi=ev).order_by("pk"))
    assert [(r.uraian, r.realisasi, r.realisasi_uraian) for r in rows] == [
        ("Rekap A", None, ""),
        ("Validasi B", None, ""),
    ]
    ev.refresh_from_db()
    response = client.post(url("salin_bulan_lalu", ev.pk), {"versi": ev.versi})
    assert "tidak ada yang disalin" in pesan(response)[-1]
    assert RencanaAksi.objects.filter(evaluasi=ev).count() == 2
    assert audit(ev) == ["rencana_aksi_disalin"]


def test_copy_follows_asal_across_a_revision(world):
    skp = fx.skp_disetujui(world)
    lalu, ini = _dua_bulan(world)
    (ev_lalu,) = bulanan.pastikan_evaluasi(world.pegawai, lalu)
    ev_lalu = Evaluasi.objects.select_related("skp").get(pk=ev_lalu.pk)
    fx.tambah_aksi(ev_lalu, "Rekap A")
    fx.nilai(ev_lalu)  # rated: it keeps the old version
    revisi = skp_services.start_revision(skp, by=world.pegawai)
    skp_services.submit_skp(revisi, by=world.pegawai)
    skp_services.approve_skp(revisi, by=world.penilai)
    (ev,) = bulanan.pastikan_evaluasi(world.pegawai, ini)
    ev = Evaluasi.objects.select_related("periode", "skp").get(pk=ev.pk)
    assert ev.skp_id == revisi.pk
    assert bulanan.salin_rencana_aksi_bulan_lalu(ev, by=world.pegawai, versi=ev.versi) == 1
    ra = RencanaAksi.objects.get(evaluasi=ev)
    assert (
        ra.rhk.skp_id == revisi.pk
        and ra.iki.rhk_id == ra.rhk_id
        and ra.rhk.asal_id == ev_lalu.skp.rhk_set.get(jenis="UTAMA").pk
    )


def test_copy_with_nothing_last_month_says_so(client, world, ev):
    client.force_login(world.pegawai)
    response = client.post(url("salin_bulan_lalu", ev.pk), {"versi": ev.versi})
    assert "Bulan lalu tidak memiliki rencana aksi" in pesan(response)[-1]


# Realisasi ----------------------------------------------------------------------------------------


def test_save_realisasi_happy_path(client, world, ev):
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    assert client.get(url("rencana_aksi", ra.pk)).status_code == 200
    response = client.post(
        url("rencana_aksi", ra.pk), {"versi": ev.versi, "realisasi": "1.000,5", "realisasi_uraian": "Rekap selesai"}
    )
    assert response.status_code == 302
    ra.refresh_from_db()
    assert (ra.realisasi, ra.realisasi_uraian) == (Decimal("1000.50"), "Rekap selesai")


@pytest.mark.parametrize(
    ("realisasi", "pesan_galat"),
    [
        ("empat", "bukan angka"),
        ("NaN", "bukan angka"),
        ("Infinity", "bukan angka"),
        ("-inf", "bukan angka"),
        ("1e309", "bukan angka"),
        ("-5", "tidak boleh kurang dari 0"),
        ("99999999999999999999", "terlalu besar"),
        ("1,234", "paling banyak 2 angka di belakang koma"),
        ("4001", "tidak wajar"),  # target 4: a thousand times more is a typing error
        ("1.000.000.000.000", "tidak wajar"),
    ],
)
def test_bad_realisasi_is_refused_kept_in_the_form_and_changes_nothing(client, world, ev, realisasi, pesan_galat):
    ra = fx.tambah_aksi(ev, realisasi=3, realisasi_uraian="lama")
    client.force_login(world.pegawai)
    response = client.post(
        url("rencana_aksi", ra.pk), {"versi": ev.versi, "realisasi": realisasi, "realisasi_uraian": "baru"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and pesan_galat in html
    assert f'value="{escape(realisasi)}"' in html and "baru</textarea>" in html
    ra.refresh_from_db()
    assert (ra.realisasi, ra.realisasi_uraian) == (Decimal(3), "lama")


def test_a_number_without_a_target_is_refused(world, ev):
    ra = fx.tambah_aksi(ev, target=None)
    with pytest.raises(PenilaianError, match="tidak memiliki target"):
        bulanan.simpan_realisasi(ra, by=world.pegawai, versi=None, realisasi=Decimal(2), realisasi_uraian="x")
    bulanan.simpan_realisasi(ra, by=world.pegawai, versi=None, realisasi=None, realisasi_uraian="Dikerjakan")
    assert RencanaAksi.objects.get(pk=ra.pk).realisasi_uraian == "Dikerjakan"


# Bukti dukung --------------------------------------------------------------------------------------


def test_upload_pdf_records_hash_size_and_audit(client, world, ev, bukti_root):
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    response = client.post(
        url("bukti_unggah", ra.pk),
        {"versi": ev.versi, "berkas": SimpleUploadedFile("../../Daftar Hadir.pdf", fx.PDF), "keterangan": "TTD"},
    )
    assert response.status_code == 302
    row = BuktiDukung.objects.get()
    assert (row.jenis, row.nama_berkas, row.mime, row.ukuran) == (
        "BERKAS",
        "Daftar Hadir.pdf",
        "application/pdf",
        len(fx.PDF),
    )
    assert (bukti_root / row.berkas).read_bytes() == fx.PDF and len(row.sha256) == 64
    assert audit(ev) == ["bukti_ditambah"]
    assert client.get(url("bukti_unggah", ra.pk)).status_code == 405


@pytest.mark.parametrize(
    ("content", "name", "pesan_galat"),
    [
        (fx.EXE, "laporan.pdf", "Berkas program"),
        (fx.HTML, "laporan.html", "HTML, SVG"),
        (fx.SVG, "grafik.svg", "HTML, SVG"),
        (fx.TEKS, "catatan.txt", "tidak dikenali"),
        (fx.ZIP_BIASA, "arsip.zip", "ZIP"),
    ],
)
def test_forbidden_upload_is_refused_with_a_message_and_nothing_stored(
    client, world, ev, bukti_root, content, name, pesan_galat
):
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    response = client.post(
        url("bukti_unggah", ra.pk),
        {"versi": ev.versi, "berkas": SimpleUploadedFile(name, content), "keterangan": "ket"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and escape(pesan_galat) in html and 'value="ket"' in html
    assert not BuktiDukung.objects.exists() and not list(bukti_root.rglob("*.*"))
    assert Evaluasi.objects.get(pk=ev.pk).versi == ev.versi


def test_too_large_upload_is_refused(client, world, ev, settings):
    settings.BUKTI_MAX_BYTES = 100
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    response = client.post(
        url("bukti_unggah", ra.pk), {"versi": ev.versi, "berkas": SimpleUploadedFile("a.pdf", fx.PDF + b"0" * 200)}
    )
    assert "terlalu besar" in response.content.decode() and not BuktiDukung.objects.exists()


@pytest.mark.parametrize(
    ("tautan", "pesan_galat"),
    [
        ("http://drive.example.go.id/berkas", "https://"),
        ("javascript:alert(1)", "https://"),
        ("ftp://example.go.id/berkas", "https://"),
        ("https://", "tidak valid"),
        ("https://exa mple.go.id/x", "spasi"),
        ("https://example.go.id/" + "a" * 490, "terlalu panjang"),
        ("", "Isi alamat tautan"),
    ],
)
def test_bad_link_is_refused_and_kept(client, world, ev, tautan, pesan_galat):
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    response = client.post(url("bukti_tautan", ra.pk), {"versi": ev.versi, "tautan": tautan, "keterangan": ""})
    html = response.content.decode()
    assert response.status_code == 200 and pesan_galat in html
    if tautan:
        assert escape(tautan) in html
    assert not BuktiDukung.objects.exists()


def test_https_link_then_delete(client, world, ev):
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    response = client.post(
        url("bukti_tautan", ra.pk),
        {"versi": ev.versi, "tautan": "https://drive.example.go.id/x?id=1", "keterangan": "Foto"},
    )
    assert response.status_code == 302
    row = BuktiDukung.objects.get()
    assert (row.jenis, row.tautan, row.keterangan) == ("TAUTAN", "https://drive.example.go.id/x?id=1", "Foto")
    assert client.get(url("bukti", row.pk))["Location"] == row.tautan
    ev.refresh_from_db()
    assert client.post(url("bukti_hapus", row.pk), {"versi": ev.versi}).status_code == 302
    assert not BuktiDukung.objects.exists()
    assert audit(ev) == ["bukti_ditambah", "bukti_dihapus"]


# Submitted, locked, stale ---------------------------------------------------------------------------


def _mutations(ev: Evaluasi, ra: RencanaAksi, bk: BuktiDukung) -> list[tuple[str, dict]]:
    _, iki = rhk_iki(ev)
    v = ev.versi
    return [
        (url("rencana_aksi_tambah", ev.pk), {"versi": v, "iki": iki.pk, "uraian": "Baru"}),
        (url("rencana_aksi_ubah", ra.pk), {"versi": v, "iki": iki.pk, "uraian": "Diubah"}),
        (url("rencana_aksi", ra.pk), {"versi": v, "realisasi": "1", "realisasi_uraian": "diubah"}),
        (url("bukti_tautan", ra.pk), {"versi": v, "tautan": "https://example.go.id/baru"}),
        (url("bukti_unggah", ra.pk), {"versi": v, "berkas": SimpleUploadedFile("a.pdf", fx.PDF)}),
        (url("bukti_hapus", bk.pk), {"versi": v}),
        (url("salin_bulan_lalu", ev.pk), {"versi": v}),
        (url("rencana_aksi_hapus", ra.pk), {"versi": v}),
    ]


def _snapshot() -> tuple:
    return (
        list(RencanaAksi.objects.order_by("pk").values_list("uraian", "realisasi", "realisasi_uraian")),
        list(BuktiDukung.objects.order_by("pk").values_list("pk", "tautan")),
    )


@pytest.mark.parametrize("keadaan", ["dikirim", "dinilai", "terkunci"])
def test_forged_posts_after_submit_rating_or_lock_change_nothing(client, world, ev, keadaan, bukti_root):
    ra = fx.isi_lengkap(ev)
    bk = ra.bukti_set.get()
    if keadaan in ("dikirim", "dinilai"):
        alur.kirim_realisasi(ev, by=world.pegawai)
    if keadaan == "dinilai":
        alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    if keadaan == "terkunci":
        fx.kunci(ev.periode)
    ev.refresh_from_db()
    before = _snapshot()
    client.force_login(world.pegawai)
    expected = {"dikirim": "sudah dikirim", "dinilai": "sudah dinilai", "terkunci": "sudah dikunci"}[keadaan]
    for target, data in _mutations(ev, ra, bk):
        response = client.post(target, data)
        text = response.content.decode() + " ".join(pesan(response))
        assert expected in text, (target, text[:300])
    assert _snapshot() == before
    assert not list(bukti_root.rglob("*.pdf"))
    html = client.get(url_bulan(ev.periode)).content.decode()
    assert url("rencana_aksi_tambah", ev.pk) not in html and url("kirim_realisasi", ev.pk) not in html


def test_unlock_lets_the_pegawai_edit_a_locked_month(client, world, ev):
    ra = fx.tambah_aksi(ev)
    fx.kunci(ev.periode)
    client.force_login(world.pegawai)
    assert "sudah dikunci" in client.get(url_bulan(ev.periode)).content.decode()
    BukaKunci.objects.create(periode=ev.periode, pegawai=world.pegawai, alasan="Sakit", dibuka_oleh=world.admin_opd)
    html = client.get(url_bulan(ev.periode)).content.decode()
    assert "Kunci periode ini dibuka untuk Anda" in html and "Sakit" in html
    response = client.post(url("rencana_aksi", ra.pk), {"versi": ev.versi, "realisasi": "4", "realisasi_uraian": "ok"})
    assert response.status_code == 302 and RencanaAksi.objects.get(pk=ra.pk).realisasi == 4


def test_two_tabs_the_stale_form_is_told_and_overwrites_nothing(client, world, ev):
    ra = fx.tambah_aksi(ev)
    client.force_login(world.pegawai)
    tab = ev.versi
    client.post(url("rencana_aksi", ra.pk), {"versi": tab, "realisasi": "4", "realisasi_uraian": "tab 1"})
    response = client.post(url("rencana_aksi", ra.pk), {"versi": tab, "realisasi": "2", "realisasi_uraian": "tab 2"})
    assert "diubah di tab/jendela lain" in response.content.decode()
    assert RencanaAksi.objects.get(pk=ra.pk).realisasi_uraian == "tab 1"
    response = client.post(url("rencana_aksi", ra.pk), {"realisasi": "2", "realisasi_uraian": "tanpa versi"})
    assert "diubah di tab/jendela lain" in response.content.decode()
    with pytest.raises(KonflikVersi):
        bulanan.hapus_rencana_aksi(ra, by=world.pegawai, versi=tab)


def test_only_the_owner_changes_their_month_even_through_the_service(world, ev):
    ra = fx.tambah_aksi(ev)
    for orang in (world.penilai, world.admin_opd, world.admin_bkd, world.pegawai2):
        with pytest.raises(PenilaianError, match="Hanya pegawai yang bersangkutan"):
            bulanan.simpan_realisasi(ra, by=orang, versi=None, realisasi=Decimal(1), realisasi_uraian="x")
    assert RencanaAksi.objects.get(pk=ra.pk).realisasi is None


# Kirim realisasi ----------------------------------------------------------------------------------


def test_kirim_confirm_lists_what_is_missing_then_submits_once(client, world, ev):
    client.force_login(world.pegawai)
    html = client.get(url("kirim_realisasi", ev.pk)).content.decode()
    assert "belum memiliki rencana aksi" in html and 'id="kekurangan"' in html
    ra = fx.tambah_aksi(ev)
    html = client.get(url("kirim_realisasi", ev.pk)).content.decode()
    assert "isi angka realisasi" in html and "unggah minimal satu bukti dukung" in html
    RencanaAksi.objects.filter(pk=ra.pk).update(realisasi=4, realisasi_uraian="Selesai")
    BuktiDukung.objects.create(rencana_aksi=ra, jenis="TAUTAN", tautan="https://x.go.id/a", diunggah_oleh=world.pegawai)
    assert 'id="lengkap"' in client.get(url("kirim_realisasi", ev.pk)).content.decode()
    response = client.post(url("kirim_realisasi", ev.pk), {"versi": ev.versi})
    assert "dikirim kepada pejabat penilai" in pesan(response)[-1]
    assert Evaluasi.objects.get(pk=ev.pk).status == "DIKIRIM" and audit(ev) == ["realisasi_dikirim"]
    # The second tab's POST: told, nothing changes twice.
    response = client.post(url("kirim_realisasi", ev.pk), {"versi": ev.versi})
    assert "diubah di tab/jendela lain" in pesan(response)[-1]
    response = client.post(url("kirim_realisasi", ev.pk), {"versi": Evaluasi.objects.get(pk=ev.pk).versi})
    assert "sudah dikirim" in pesan(response)[-1]
    assert audit(ev) == ["realisasi_dikirim"]


def test_returned_month_shows_the_note_and_can_be_fixed(client, world, ev):
    fx.isi_lengkap(ev)
    alur.kirim_realisasi(ev, by=world.pegawai)
    alur.kembalikan_realisasi(ev, by=world.penilai, catatan="Lampirkan daftar hadir rapat")
    client.force_login(world.pegawai)
    html = client.get(url_bulan(ev.periode)).content.decode()
    assert "Lampirkan daftar hadir rapat" in html and "Dikembalikan" in html
    assert url("kirim_realisasi", ev.pk) in html


def test_rated_month_shows_ratings_predikat_feedback_read_only(client, world, ev):
    fx.isi_lengkap(ev)
    alur.kirim_realisasi(ev, by=world.pegawai)
    rhk, _ = rhk_iki(ev)
    alur.simpan_penilaian(
        ev, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS",
        umpan_balik_rhk={rhk.pk: "Rekap sangat rapi"}, umpan_balik_perilaku={"BERORIENTASI_PELAYANAN": "Ramah"},
    )  # fmt: skip
    client.force_login(world.pegawai)
    html = client.get(url_bulan(ev.periode)).content.decode()
    assert "Sangat Baik" in html and "Di Atas Ekspektasi" in html
    assert "Rekap sangat rapi" in html and "Ramah" in html
    assert url("rencana_aksi_tambah", ev.pk) not in html
    assert UmpanBalik.objects.count() == 2


def test_two_evaluations_in_a_month_show_both_parts(client, world, ev):
    """An SKP closed mid-month at a jabatan change: each part is shown."""
    skp_lama = ev.skp
    periode = ev.periode
    tengah = periode.mulai + datetime.timedelta(days=14)
    skp_services.close_skp(skp_lama, by=world.admin_opd, per_tanggal=tengah, alasan="Mutasi jabatan")
    baru = skp_services.create_skp(world.pegawai, by=world.pegawai, tahun=fx.TAHUN, pendekatan="KUANTITATIF")
    assert baru.mulai == tengah
    fx._rhk(baru, world.pegawai, "Tersusunnya laporan baru", links=fx.skp_penilai(world))
    skp_services.submit_skp(baru, by=world.pegawai)
    skp_services.approve_skp(baru, by=world.penilai)
    client.force_login(world.pegawai)
    html = client.get(url_bulan(periode)).content.decode()
    rows = list(Evaluasi.objects.filter(periode=periode, pegawai=world.pegawai).order_by("mulai"))
    assert len(rows) == 2 and [r.hasil_bulan for r in rows] == [False, True]
    assert "Bagian 1" in html and "Bagian 2" in html and "Tersusunnya laporan baru" in html


# Read view ----------------------------------------------------------------------------------------


def test_read_view_for_the_penilai_with_bukti_links_and_no_edit_controls(client, world, ev):
    ra = fx.isi_lengkap(ev)
    client.force_login(world.penilai)
    html = client.get(url("evaluasi", ev.pk)).content.decode()
    assert world.pegawai.nama_lengkap in html and ra.uraian in html and "https://drive.example.go.id/rekap" in html
    assert url("rencana_aksi", ra.pk) not in html and url("rencana_aksi_hapus", ra.pk) not in html


# Query counts ---------------------------------------------------------------------------------------


def _queries(client, target: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


def test_month_page_queries_do_not_grow_with_rows_or_months(client, world, ev, django_assert_max_num_queries):
    client.force_login(world.pegawai)
    fx.tambah_aksi(ev, "Satu", bukti=True)
    target = url_bulan(ev.periode)
    _queries(client, target)
    small = _queries(client, target)
    for i in range(12):
        ra = fx.tambah_aksi(ev, f"Aksi {i}", rhk_index=i % 2, realisasi=2, bukti=True)
        BuktiDukung.objects.create(
            rencana_aksi=ra, jenis="TAUTAN", tautan=f"https://x.go.id/{i}", diunggah_oleh=world.pegawai
        )
    for bulan in range(1, 13):
        if bulan != fx.TODAY.month:
            p = fx.buat_periode(fx.TAHUN, bulan)
            (e,) = bulanan.pastikan_evaluasi(world.pegawai, p)
            fx.nilai(e)
    fx.buat_periode(fx.TAHUN - 1, 12)
    assert _queries(client, target) == small
    with django_assert_max_num_queries(small):
        client.get(target)
    assert small <= 25, small


def test_read_view_and_rencana_aksi_page_queries_are_fixed(client, world, ev):
    ra = fx.tambah_aksi(ev, bukti=True)
    client.force_login(world.pegawai)
    few = (_queries(client, url("evaluasi", ev.pk)), _queries(client, url("rencana_aksi", ra.pk)))
    for i in range(10):
        fx.tambah_aksi(ev, f"Aksi {i}", bukti=True)
        BuktiDukung.objects.create(
            rencana_aksi=ra, jenis="TAUTAN", tautan=f"https://x.go.id/{i}", diunggah_oleh=world.pegawai
        )
    assert (_queries(client, url("evaluasi", ev.pk)), _queries(client, url("rencana_aksi", ra.pk))) == few


# Beranda card ---------------------------------------------------------------------------------------


def test_beranda_card_says_what_to_do_by_when(client, world, ev):
    client.force_login(world.pegawai)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert 'data-testid="beranda-realisasi"' in html and "kirim paling lambat" in html
    assert url_bulan(ev.periode) in html
    fx.isi_lengkap(ev)
    alur.kirim_realisasi(ev, by=world.pegawai)
    assert "menunggu penilaian" in client.get(reverse("opd:dashboard")).content.decode()
    alur.kembalikan_realisasi(ev, by=world.penilai, catatan="Tambah foto")
    assert "Tambah foto" in client.get(reverse("opd:dashboard")).content.decode()
    alur.kirim_realisasi(ev, by=world.pegawai)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert "Predikat kinerja Anda" in html and "Baik" in html


def test_beranda_card_without_skp_or_period(client, world):
    client.force_login(world.pegawai2)
    assert 'data-testid="beranda-realisasi"' not in client.get(reverse("opd:dashboard")).content.decode()
    fx.buat_periode()
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert "belum memiliki SKP yang disetujui" in html
    client.force_login(world.bupati)
    assert 'data-testid="beranda-realisasi"' not in client.get(reverse("opd:dashboard")).content.decode()


def test_beranda_card_query_count_is_fixed(client, world, ev):
    client.force_login(world.pegawai)
    fx.tambah_aksi(ev)
    first = _queries(client, reverse("opd:dashboard"))
    for i in range(10):
        fx.tambah_aksi(ev, f"Aksi {i}")
    for bulan in range(1, 13):
        if bulan != fx.TODAY.month:
            fx.buat_periode(fx.TAHUN, bulan)
    assert _queries(client, reverse("opd:dashboard")) == first


def test_nav_offers_realisasi_bulanan_to_whoever_has_an_skp(client, world):
    client.force_login(world.pegawai)
    assert f'href="{url("bulanan")}"' in client.get(reverse("opd:dashboard")).content.decode()
    client.force_login(world.bupati)
    assert f'href="{url("bulanan")}"' not in client.get(reverse("opd:dashboard")).content.decode()


# Two concurrent submissions on PostgreSQL ---------------------------------------------------------


NEEDS_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL=postgres://…)"
)


@NEEDS_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_one_wins_the_other_is_told(transactional_db, world):
    ev = fx.evaluasi_bulan(world)
    fx.isi_lengkap(ev)
    barrier = threading.Barrier(2)
    hasil: list[str] = []

    def kirim() -> None:
        from django.db import connection as conn

        try:
            mine = Evaluasi.objects.select_related("periode", "skp").get(pk=ev.pk)
            barrier.wait(timeout=10)
            alur.kirim_realisasi(mine, by=world.pegawai, versi=mine.versi)
            hasil.append("ok")
        except PenilaianError as e:
            hasil.append(str(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=kirim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(hasil)[1] == "ok" and "diubah di tab/jendela lain" in sorted(hasil)[0], hasil
    assert AuditLog.objects.filter(aksi="realisasi_dikirim").count() == 1
    assert Evaluasi.objects.get(pk=ev.pk).status == "DIKIRIM"


@NEEDS_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_uploads_with_one_versi_one_wins(transactional_db, world, settings, tmp_path):
    settings.BUKTI_ROOT = tmp_path / "bukti"
    ev = fx.evaluasi_bulan(world)
    ra = fx.tambah_aksi(ev)
    barrier = threading.Barrier(2)
    hasil: list[str] = []

    def unggah(i: int) -> None:
        from django.db import connection as conn

        try:
            mine = RencanaAksi.objects.select_related("evaluasi", "evaluasi__periode").get(pk=ra.pk)
            barrier.wait(timeout=10)
            bulanan.tambah_bukti_berkas(
                mine, by=world.pegawai, versi=mine.evaluasi.versi, upload=SimpleUploadedFile(f"{i}.pdf", fx.PDF)
            )
            hasil.append("ok")
        except PenilaianError as e:
            hasil.append(str(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=unggah, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(hasil)[1] == "ok" and "tab/jendela lain" in sorted(hasil)[0], hasil
    assert BuktiDukung.objects.count() == 1
    assert len(list((tmp_path / "bukti").rglob("*.pdf"))) == 1  # the refused one left no file
