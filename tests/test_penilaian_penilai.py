"""The penilai's pages and services (issue #7 item 5): the team page, the evaluation page with
the capaian guide, umpan balik, ratings and the curve, saving and returning, and every refusal
of the issue's list for this area (not submitted, not the current penilai, former Plt, forged
POST, no note, two tabs, two concurrent POSTs, the lock)."""

from __future__ import annotations

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import AuditLog, PenugasanPlt
from penilaian.models import BukaKunci, Evaluasi, KinerjaOrganisasi, Periode, RencanaAksi, UmpanBalik
from penilaian.rules import CapaianOrganisasi
from penilaian.services import alur
from penilaian.services._common import KonflikVersi, PenilaianError
from penilaian.services.penilai import capaian_aksi, halaman_penilaian, tim_bulan
from skp.models import IndikatorKinerja, PerilakuKerja
from tests.penilaian_fixtures_penilai import buka_periode, evaluasi_bulan, skp_tim, tim_besar

pytestmark = pytest.mark.django_db

KONFLIK = "telah diubah di tab/jendela lain"


@pytest.fixture
def periode(world) -> Periode:
    return buka_periode(by=world.admin_bkd)


@pytest.fixture
def skp(world) -> dict:
    return skp_tim(world)


@pytest.fixture
def dikirim(world, periode, skp) -> Evaluasi:
    return evaluasi_bulan(world.pegawai, periode)


def nilai_url(ev: Evaluasi) -> str:
    return reverse("penilaian:nilai", args=[ev.pk])


def tim_url(periode: Periode, query: str = "") -> str:
    return reverse("penilaian:tim_bulan", args=[periode.tahun, periode.bulan]) + query


def post_nilai(ev: Evaluasi, hasil: str = "DI_ATAS", perilaku: str = "DI_ATAS", **extra) -> dict:
    return {"versi": ev.versi, "rating_hasil": hasil, "rating_perilaku": perilaku, **extra}


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]


def kunci(periode: Periode) -> None:
    """The evaluation deadline passed yesterday."""
    kemarin = timezone.localdate() - datetime.timedelta(days=1)
    Periode.objects.filter(pk=periode.pk).update(batas_realisasi=kemarin, batas_penilaian=kemarin)
    periode.refresh_from_db()


# The team page ------------------------------------------------------------------------------------


def test_tim_redirects_to_the_current_period(client, world, periode):
    client.force_login(world.penilai)
    response = client.get(reverse("penilaian:tim"))
    assert response.status_code == 302 and response["Location"] == tim_url(periode)


def test_tim_without_any_period_says_so(client, world):
    client.force_login(world.penilai)
    response = client.get(reverse("penilaian:tim"))
    assert response.status_code == 200
    assert "Belum ada periode penilaian bulanan yang dibuka" in response.content.decode()


def test_tim_of_a_period_that_does_not_exist_is_404(client, world, periode):
    client.force_login(world.penilai)
    assert client.get(reverse("penilaian:tim_bulan", args=[periode.tahun + 5, 1])).status_code == 404
    assert client.get(reverse("penilaian:tim_bulan", args=[periode.tahun, 13])).status_code == 404
    # The annual period is no month of the team page.
    Periode.objects.create(tahun=periode.tahun, bulan=0, batas_realisasi=periode.batas_realisasi,
                           batas_penilaian=periode.batas_penilaian)  # fmt: skip
    assert client.get(reverse("penilaian:tim_bulan", args=[periode.tahun, 0])).status_code == 404


def test_tim_lists_every_bawahan_with_status_counts_and_distribution(client, world, periode, skp):
    ev = evaluasi_bulan(world.pegawai, periode)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS", versi=ev.versi)
    client.force_login(world.penilai)
    response = client.get(tim_url(periode))
    html = response.content.decode()
    tim = response.context["tim"]
    rows = {b.pegawai.pk: b for b in tim.baris}
    assert set(rows) == {world.pegawai.pk, world.pegawai2.pk}
    assert rows[world.pegawai.pk].status == "dinilai" and rows[world.pegawai.pk].predikat_label == "Sangat Baik"
    assert rows[world.pegawai2.pk].status == "belum" and rows[world.pegawai2.pk].evaluasi is None
    assert tim.jumlah_status == {"dinilai": 1, "belum": 1}
    assert {d["predikat"].label: d["jumlah"] for d in tim.distribusi}["Sangat Baik"] == 1
    # Only the row with an evaluation links to the evaluation page.
    assert html.count(nilai_url(ev)) == 2  # the table (wide screens) and the card (phones)
    assert "Lihat penilaian" in html and world.pegawai2.nama_lengkap in html


def test_tim_statuses_of_a_large_team_and_filters(client, world, periode):
    tim_besar(world, 10, periode=periode)
    client.force_login(world.penilai)
    tim = client.get(tim_url(periode)).context["tim"]
    # 10 perawat cycle through belum, diisi, dikirim, dikembalikan, dinilai; pegawai + pegawai2: belum.
    assert tim.jumlah_status == {"belum": 4, "diisi": 2, "dikirim": 2, "dikembalikan": 2, "dinilai": 2}
    dikirim = client.get(tim_url(periode, "?status=dikirim")).context["tim"]
    assert [b.status for b in dikirim.baris] == ["dikirim", "dikirim"]
    assert dikirim.jumlah_status == tim.jumlah_status  # counts are the team's, not the filter's
    cari = client.get(tim_url(periode, "?q=perawat 03")).context["tim"]
    assert [b.pegawai.nama for b in cari.baris] == ["Perawat 03"]
    by_nip = client.get(tim_url(periode, f"?q={world.pegawai2.nip}")).context["tim"]
    assert [b.pegawai.pk for b in by_nip.baris] == [world.pegawai2.pk]
    # Nonsense filters answer the whole team, never an error.
    response = client.get(tim_url(periode, "?status=%00x&q=" + "z" * 500))
    assert response.status_code == 200 and response.context["tim"].status is None
    assert "Tidak ada bawahan yang cocok" in response.content.decode()


def test_tim_bulan_service_marks_pegawai_without_an_approved_skp(world, periode):
    data = tim_bulan(world.penilai, periode)
    assert [b.punya_skp for b in data.baris] == [False, False]
    assert {b.status for b in data.baris} == {"belum"}


def test_pegawai_without_bawahan_gets_403_on_the_team_pages(client, world, periode):
    client.force_login(world.pegawai)
    assert client.get(reverse("penilaian:tim")).status_code == 403
    assert client.get(tim_url(periode)).status_code == 403


# The evaluation page ------------------------------------------------------------------------------


def test_evaluation_page_shows_realisasi_guide_feedback_fields_and_curve(client, world, dikirim):
    PerilakuKerja.objects.filter(skp=dikirim.skp, nilai="AKUNTABEL").update(ekspektasi_khusus="Laporan tepat waktu")
    ra = RencanaAksi.objects.get(evaluasi=dikirim)
    RencanaAksi.objects.filter(pk=ra.pk).update(target=Decimal(4), realisasi=Decimal("4.2"))
    client.force_login(world.penilai)
    response = client.get(nilai_url(dikirim))
    html = response.content.decode()
    assert response.status_code == 200
    assert ra.uraian in html and "Laporan selesai dan diunggah ke SIMPUS." in html
    assert 'href="https://drive.example.go.id/laporan"' in html and "Folder laporan" in html
    # Capaian 4,2/4 = 105 % → nilai 114,44 (SPEC §5 worked value), and the mean of one.
    assert "105,00 %" in html and "114,44" in html
    assert 'id="rata-rata-nilai">114,44<' in html
    assert "hanya membantu" in html and "tidak ditetapkan oleh angka ini" in html
    assert f'name="ub_rhk_{ra.rhk_id}"' in html
    for kode in ("BERORIENTASI_PELAYANAN", "AKUNTABEL", "KOMPETEN", "HARMONIS", "LOYAL", "ADAPTIF", "KOLABORATIF"):
        assert f'name="ub_perilaku_{kode}"' in html
    assert "Laporan tepat waktu" in html
    assert html.count('name="rating_hasil"') == 3 and html.count('name="rating_perilaku"') == 3
    assert 'id="matriks-predikat"' in html and "penilaian_nilai.js" in html
    assert f'name="versi" value="{dikirim.versi}"' in html
    assert 'class="kurva"' in html and reverse("penilaian:nilai_kurva", args=[dikirim.pk]) in html
    assert reverse("penilaian:kembalikan", args=[dikirim.pk]) in html


def test_bukti_berkas_opens_inline_only_for_pdf_and_images(world, dikirim):
    from penilaian.models import BuktiDukung

    ra = RencanaAksi.objects.get(evaluasi=dikirim)
    for nama, mime in (("laporan.pdf", "application/pdf"), ("foto.jpg", "image/jpeg"), ("data.xlsx", "application/"
                       "vnd.openxmlformats-officedocument.spreadsheetml.sheet")):  # fmt: skip
        BuktiDukung.objects.create(
            rencana_aksi=ra, jenis="BERKAS", berkas=f"2026/01/{nama}", nama_berkas=nama, mime=mime, ukuran=10,
            sha256="a" * 64, diunggah_oleh=world.pegawai,
        )  # fmt: skip
    bukti = {
        t.bukti.nama_berkas or t.bukti.tautan: t.bisa_inline for t in halaman_penilaian(dikirim).rhk[0].aksi[0].bukti
    }
    assert bukti == {"laporan.pdf": True, "foto.jpg": True, "data.xlsx": False,
                     "https://drive.example.go.id/laporan": False}  # fmt: skip


@pytest.mark.parametrize(
    ("aspek", "target", "realisasi", "capaian", "nilai"),
    [
        ("KUANTITAS", "10", "9.8", "98", "88.00"),
        ("KUANTITAS", "10", "5", "50", "41.53"),
        ("KUALITAS", "100", "115", "115", "120.00"),
        # Waktu and biaya: less is better, C = (2 − r/t) × 100.
        ("WAKTU", "10", "9.5", "105", "114.44"),
        ("WAKTU", "10", "9", "110", "120.00"),
        ("BIAYA", "1000", "1100", "90", "80.00"),
    ],
)
def test_capaian_guide_per_rencana_aksi(world, dikirim, aspek, target, realisasi, capaian, nilai):
    ra = RencanaAksi.objects.select_related("iki").get(evaluasi=dikirim)
    IndikatorKinerja.objects.filter(pk=ra.iki_id).update(aspek=aspek)
    ra.iki.aspek = aspek
    ra.target, ra.realisasi = Decimal(target), Decimal(realisasi)
    c, n = capaian_aksi(ra)
    assert c == Decimal(capaian) and n == Decimal(nilai)


def test_no_guide_without_a_numeric_target(world, periode, skp):
    ev = evaluasi_bulan(world.pegawai, periode, target=None)
    hal = halaman_penilaian(ev)
    assert hal.rata_rata_nilai is None and hal.rhk[0].aksi[0].capaian is None
    assert hal.rhk[0].aksi[0].capaian_teks == ""


def test_curve_includes_the_rating_being_considered(client, world, dikirim):
    KinerjaOrganisasi.objects.create(periode=dikirim.periode, opd=world.opd, capaian=CapaianOrganisasi.BAIK,
                                     dicatat_oleh=world.admin_bkd)  # fmt: skip
    client.force_login(world.penilai)
    url = reverse("penilaian:nilai_kurva", args=[dikirim.pk])
    kurva = client.get(url, {"predikat": "BAIK"}).context["kurva"]
    assert kurva.jumlah == {"BAIK": 1} and kurva.n == 1
    # One Baik of one breaks "Butuh Perbaikan + Kurang ≥ 1 pegawai" for capaian organisasi Baik.
    html = client.get(url, {"predikat": "BAIK"}).content.decode()
    assert "Kurva belum sesuai" in html
    assert client.get(url, {"predikat": "KURANG"}).context["kurva"].jumlah == {"KURANG": 1}
    # Nonsense: the saved state (not rated yet: nobody in the curve), never a 500.
    for junk in ("", "x" * 300, "<script>", "BAIK'--"):
        response = client.get(url, {"predikat": junk})
        assert response.status_code == 200 and response.context["kurva"].n == 0
    # Saved as Sangat Baik: choosing Kurang moves this pegawai, it does not add one.
    alur.simpan_penilaian(dikirim, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS",
                          versi=dikirim.versi)  # fmt: skip
    assert client.get(url, {"predikat": "KURANG"}).context["kurva"].jumlah == {"KURANG": 1}
    assert client.get(url).context["kurva"].jumlah == {"SANGAT_BAIK": 1}


# Saving ------------------------------------------------------------------------------------------


def test_penilai_saves_ratings_and_feedback(client, world, dikirim):
    rhk_id = RencanaAksi.objects.get(evaluasi=dikirim).rhk_id
    client.force_login(world.penilai)
    data = post_nilai(dikirim, "SESUAI", "DI_ATAS", **{f"ub_rhk_{rhk_id}": "Laporan rapi.",
                                                       "ub_perilaku_AKUNTABEL": "Selalu tepat waktu.",
                                                       "ub_perilaku_ADAPTIF": "  "})  # fmt: skip
    response = client.post(nilai_url(dikirim), data)
    assert response.status_code == 302 and response["Location"] == tim_url(dikirim.periode)
    assert not errors(response)
    dikirim.refresh_from_db()
    assert (dikirim.status, dikirim.rating_hasil, dikirim.rating_perilaku, dikirim.predikat) == (
        "DINILAI", "SESUAI", "DI_ATAS", "BAIK")  # fmt: skip
    assert dikirim.dinilai_oleh == world.penilai
    assert dikirim.snapshot_penilai["nama"] == world.penilai.nama_lengkap
    ub = {(u.rhk_id, u.perilaku): u.teks for u in UmpanBalik.objects.filter(evaluasi=dikirim)}
    assert ub == {(rhk_id, ""): "Laporan rapi.", (None, "AKUNTABEL"): "Selalu tepat waktu."}
    log = AuditLog.objects.for_object(dikirim).get(aksi="evaluasi_dinilai")
    assert log.pegawai_id == world.penilai.pk if hasattr(log, "pegawai_id") else True
    assert log.perubahan["predikat"] == ["", "BAIK"] or tuple(log.perubahan["predikat"]) == ("", "BAIK")
    # The saved page shows the rating and the feedback; the penilai may still change it before the lock.
    html = client.get(nilai_url(dikirim)).content.decode()
    assert "Predikat tersimpan: <strong>Baik</strong>" in html and "Selalu tepat waktu." in html
    assert 'value="SESUAI" checked' in html


def test_missing_rating_keeps_what_was_typed_and_changes_nothing(client, world, dikirim):
    rhk_id = RencanaAksi.objects.get(evaluasi=dikirim).rhk_id
    client.force_login(world.penilai)
    response = client.post(nilai_url(dikirim), post_nilai(dikirim, "DI_ATAS", "", **{
        f"ub_rhk_{rhk_id}": "Umpan balik yang diketik", "ub_perilaku_LOYAL": "Setia pada tugas"}))  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pilih rating hasil kerja dan rating perilaku kerja." in html
    assert "Umpan balik yang diketik" in html and "Setia pada tugas" in html
    assert 'value="DI_ATAS" checked' in html
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKIRIM" and not UmpanBalik.objects.filter(evaluasi=dikirim).exists()


@pytest.mark.parametrize(
    "forged",
    [
        {"rating_hasil": "SANGAT_BAIK"},
        {"rating_hasil": "1"},
        {"ub_rhk_999999": "RHK orang lain"},
        {"ub_perilaku_JUJUR": "nilai yang tidak ada"},
        {"versi": "abc"},
        {"versi": ""},
    ],
)
def test_forged_rating_posts_are_refused(client, world, dikirim, forged):
    client.force_login(world.penilai)
    response = client.post(nilai_url(dikirim), {**post_nilai(dikirim), **forged})
    assert response.status_code == 200
    assert 'id="form-error"' in response.content.decode()
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKIRIM" and dikirim.predikat == ""


def test_feedback_for_an_rhk_of_another_skp_is_refused(client, world, periode, skp, dikirim):
    lain = RencanaAksi.objects.get(evaluasi=evaluasi_bulan(world.pegawai2, periode)).rhk_id
    client.force_login(world.penilai)
    response = client.post(nilai_url(dikirim), post_nilai(dikirim, **{f"ub_rhk_{lain}": "salah alamat"}))
    assert "RHK yang bukan bagian SKP ini" in response.content.decode()
    assert not UmpanBalik.objects.exists()


def test_rating_a_month_that_was_not_submitted(client, world, periode, skp):
    ev = evaluasi_bulan(world.pegawai, periode, kirim=False)
    client.force_login(world.penilai)
    html = client.get(nilai_url(ev)).content.decode()
    assert "belum dikirim pegawai" in html
    assert 'name="rating_hasil"' not in html and reverse("penilaian:kembalikan", args=[ev.pk]) not in html
    response = client.post(nilai_url(ev), post_nilai(ev))  # forged
    assert (
        response.status_code == 200
        and "Penilaian hanya untuk realisasi yang sudah dikirim" in response.content.decode()
    )
    ev.refresh_from_db()
    assert ev.status == "DRAFT" and ev.predikat == ""
    with pytest.raises(PenilaianError, match="belum dikirim"):
        alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")


@pytest.mark.parametrize("role", ["pegawai", "kepala", "admin_opd", "admin_bkd"])
def test_nobody_but_the_current_penilai_rates(client, world, dikirim, role):
    """Visible but not allowed → 403, for the pegawai themself too (separation of duties)."""
    user = getattr(world, role)
    client.force_login(user)
    assert client.post(nilai_url(dikirim), post_nilai(dikirim)).status_code == 403
    assert client.post(reverse("penilaian:kembalikan", args=[dikirim.pk]), {"catatan": "x"}).status_code == 403
    with pytest.raises(PenilaianError, match="Hanya pejabat penilai"):
        alur.simpan_penilaian(dikirim, by=user, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS")
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKIRIM"


def test_former_plt_no_longer_sees_nor_rates(client, world, dikirim, former_plt):
    client.force_login(former_plt)
    assert client.get(nilai_url(dikirim)).status_code == 404
    assert client.post(nilai_url(dikirim), post_nilai(dikirim)).status_code == 404
    with pytest.raises(PenilaianError):
        alur.simpan_penilaian(dikirim, by=former_plt, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS")
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKIRIM"


def test_an_active_plt_rates_and_the_holder_does_not(client, world, dikirim, former_plt):
    PenugasanPlt.objects.filter(pegawai=former_plt).update(selesai=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(former_plt)
    assert client.get(reverse("penilaian:tim")).status_code == 302
    assert client.get(nilai_url(dikirim)).status_code == 200
    response = client.post(nilai_url(dikirim), post_nilai(dikirim, "SESUAI", "SESUAI"))
    assert response.status_code == 302 and not errors(response)
    dikirim.refresh_from_db()
    assert dikirim.predikat == "BAIK" and dikirim.dinilai_oleh == former_plt
    assert dikirim.snapshot_penilai["nama"] == former_plt.nama_lengkap
    # While the Plt acts for the position, its holder is not the penilai (one at a time) and,
    # not reading the OPD as pimpinan, does not see the evaluation.
    client.force_login(world.penilai)
    assert client.post(nilai_url(dikirim), post_nilai(dikirim)).status_code == 404


def test_two_tabs_the_stale_one_is_told(client, world, dikirim):
    client.force_login(world.penilai)
    tab_a = post_nilai(dikirim, "DI_ATAS", "DI_ATAS")
    tab_b = post_nilai(dikirim, "DI_BAWAH", "DI_BAWAH", ub_perilaku_LOYAL="dari tab kedua")
    assert client.post(nilai_url(dikirim), tab_a).status_code == 302
    response = client.post(nilai_url(dikirim), tab_b)
    html = response.content.decode()
    assert response.status_code == 200 and KONFLIK in html
    # The page shows what is saved now (tab A's rating), with the new versi.
    dikirim.refresh_from_db()
    assert dikirim.predikat == "SANGAT_BAIK" and "dari tab kedua" not in html
    assert f'name="versi" value="{dikirim.versi}"' in html
    with pytest.raises(KonflikVersi):
        alur.simpan_penilaian(dikirim, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI",
                              versi=dikirim.versi - 1)  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SELECT … FOR UPDATE)")
def test_two_concurrent_posts_one_wins_the_other_is_told(client, world, periode, skp):
    ev = evaluasi_bulan(world.pegawai, periode)
    versi = ev.versi
    locked, started = threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic():
                alur.simpan_penilaian(Evaluasi.objects.get(pk=ev.pk), by=world.penilai, rating_hasil="DI_ATAS",
                                      rating_perilaku="DI_ATAS", versi=versi)  # fmt: skip
                locked.set()
                time.sleep(0.6)  # hold the row lock while the second POST arrives
        finally:
            connection.close()

    worker = threading.Thread(target=first)
    worker.start()
    assert locked.wait(10)
    client.force_login(world.penilai)
    started.append(time.monotonic())
    response = client.post(nilai_url(ev), post_nilai(ev, "DI_BAWAH", "DI_BAWAH") | {"versi": versi})
    waited = time.monotonic() - started[0]
    worker.join()
    assert response.status_code == 200 and KONFLIK in response.content.decode()
    assert waited > 0.3  # it waited for the first one's lock, then saw its change
    ev.refresh_from_db()
    assert ev.predikat == "SANGAT_BAIK" and AuditLog.objects.for_object(ev).filter(aksi="evaluasi_dinilai").count() == 1


# Returning ---------------------------------------------------------------------------------------


def test_return_requires_a_note_and_keeps_the_page(client, world, dikirim):
    url = reverse("penilaian:kembalikan", args=[dikirim.pk])
    client.force_login(world.penilai)
    assert client.get(url).status_code == 405
    response = client.post(url, {"versi": dikirim.versi, "catatan": "   "})
    assert response.status_code == 200
    assert "Tuliskan catatan" in response.content.decode()
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKIRIM"
    response = client.post(url, {"versi": dikirim.versi, "catatan": "Lampirkan daftar hadir rapat."})
    assert response.status_code == 302 and not errors(response)
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKEMBALIKAN" and dikirim.catatan_pengembalian == "Lampirkan daftar hadir rapat."
    log = AuditLog.objects.for_object(dikirim).get(aksi="realisasi_dikembalikan")
    assert log.alasan == "Lampirkan daftar hadir rapat."
    # Returned: the page says so, with the note; no rating form, no second return.
    html = client.get(nilai_url(dikirim)).content.decode()
    assert "Lampirkan daftar hadir rapat." in html and 'name="rating_hasil"' not in html
    assert url not in html
    response = client.post(url, {"versi": dikirim.versi, "catatan": "lagi"})
    assert "sedang dikembalikan" in response.content.decode()


def test_the_nilai_view_is_get_or_post_only(client, world, dikirim):
    client.force_login(world.penilai)
    assert client.put(nilai_url(dikirim)).status_code == 405
    assert client.post(reverse("penilaian:nilai_kurva", args=[dikirim.pk])).status_code == 405
    assert client.post(reverse("penilaian:tim")).status_code == 405


# The lock ----------------------------------------------------------------------------------------


def test_locked_month_is_read_only_for_the_penilai(client, world, dikirim):
    kunci(dikirim.periode)
    client.force_login(world.penilai)
    html = client.get(nilai_url(dikirim)).content.decode()
    assert "sudah dikunci" in html and "wewenang admin" in html and 'name="rating_hasil"' not in html
    response = client.post(nilai_url(dikirim), post_nilai(dikirim))  # forged
    assert "sudah dikunci" in response.content.decode()
    response = client.post(reverse("penilaian:kembalikan", args=[dikirim.pk]), {"versi": dikirim.versi, "catatan": "x"})
    assert "sudah dikunci" in response.content.decode()
    dikirim.refresh_from_db()
    assert dikirim.status == "DIKIRIM"


def test_unlock_lets_the_penilai_rate_once_then_it_relocks(client, world, dikirim):
    kunci(dikirim.periode)
    buka = BukaKunci.objects.create(periode=dikirim.periode, pegawai=world.pegawai, alasan="Penilai cuti sakit",
                                    dibuka_oleh=world.admin_opd)  # fmt: skip
    client.force_login(world.penilai)
    html = client.get(nilai_url(dikirim)).content.decode()
    assert 'id="info-buka-kunci"' in html and 'name="rating_hasil"' in html
    assert client.post(nilai_url(dikirim), post_nilai(dikirim, "SESUAI", "SESUAI")).status_code == 302
    buka.refresh_from_db()
    dikirim.refresh_from_db()
    assert dikirim.predikat == "BAIK" and buka.ditutup_pada is not None
    assert AuditLog.objects.for_object(dikirim).filter(aksi="periode_dikunci_kembali").exists()
    # Relocked: no second change.
    html = client.get(nilai_url(dikirim)).content.decode()
    assert "sudah dikunci" in html and 'name="rating_hasil"' not in html
    response = client.post(nilai_url(dikirim), post_nilai(dikirim, "DI_BAWAH", "DI_BAWAH"))
    assert "sudah dikunci" in response.content.decode()
    dikirim.refresh_from_db()
    assert dikirim.predikat == "BAIK"


# Beranda card and menu ---------------------------------------------------------------------------


def test_beranda_card_counts_what_waits(client, world, dikirim):
    client.force_login(world.penilai)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert 'data-testid="beranda-penilaian-tim"' in html
    assert 'id="kartu-menunggu">1<' in html and 'id="kartu-belum">1<' in html and 'id="kartu-dinilai">0<' in html
    assert f"paling lambat <strong>{dikirim.periode.batas_penilaian.day} " in html
    assert tim_url(dikirim.periode) in html
    client.force_login(world.pegawai)
    assert 'data-testid="beranda-penilaian-tim"' not in client.get(reverse("opd:dashboard")).content.decode()


def test_beranda_card_query_count_does_not_grow_with_the_team(client, world, periode, django_assert_max_num_queries):
    from penilaian.widgets_penilai import kartu_penilai

    tim_besar(world, 5, periode=periode)
    with CaptureQueriesContext(connection) as small:
        kartu_penilai(world.penilai, bawahan=world.penilai.bawahan_langsung())
    tim_besar(world, 40, periode=periode, awal=5)
    bawahan = world.penilai.bawahan_langsung()
    assert len(bawahan) == 47
    with django_assert_max_num_queries(2):
        html = kartu_penilai(world.penilai, bawahan=bawahan)
    assert 'id="kartu-menunggu">9<' in html
    assert len(small) > 0


def test_menu_offers_penilaian_tim_to_those_who_rate(client, world):
    link = f'href="{reverse("penilaian:tim")}"'
    for role, shown in (("penilai", True), ("kepala", True), ("bupati", True), ("pegawai", False),
                        ("admin_bkd", False), ("outsider", False)):  # fmt: skip
        client.force_login(getattr(world, role))
        assert (link in client.get(reverse("opd:dashboard")).content.decode()) is shown, role


# Query counts ------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _bulan_lain(world, pegawai: list, n: int, *, sebelum: Periode) -> None:
    """`n` earlier months, each with a rated evaluation of every pegawai given."""
    tahun, bulan = sebelum.tahun, sebelum.bulan
    for _ in range(n):
        tahun, bulan = (tahun - 1, 12) if bulan == 1 else (tahun, bulan - 1)
        p = buka_periode(tahun, bulan)
        Evaluasi.objects.bulk_create(
            Evaluasi(periode=p, pegawai=x, skp=x.skp_tim, mulai=p.mulai, selesai=p.selesai, snap_opd=world.opd,
                     status="DINILAI", rating_hasil="SESUAI", rating_perilaku="SESUAI", predikat="BAIK")
            for x in pegawai
        )  # fmt: skip


TIM_QUERIES = 17  # session, user, roles, bawahan (by tree depth), periods, evaluations, SKP, menu flags


def test_team_page_query_count_is_fixed_for_40_bawahan_and_12_months(client, world, periode,
                                                                     django_assert_max_num_queries):  # fmt: skip
    kecil = tim_besar(world, 3, periode=periode)
    client.force_login(world.penilai)
    small = _queries(client, tim_url(periode))
    besar = kecil + tim_besar(world, 40, periode=periode, awal=3)
    with django_assert_max_num_queries(TIM_QUERIES):
        response = client.get(tim_url(periode))
    assert len(response.context["tim"].baris) == 45
    assert _queries(client, tim_url(periode)) == small
    _bulan_lain(world, besar, 11, sebelum=periode)
    assert _queries(client, tim_url(periode)) == small
    assert _queries(client, tim_url(periode, "?status=dinilai&q=perawat")) == small


NILAI_QUERIES = 28  # session, user, roles, access, penilai, RHK, aksi, bukti, umpan balik, perilaku, kurva, menu


def test_evaluation_page_query_count_is_fixed(client, world, periode, django_assert_max_num_queries):
    tim = tim_besar(world, 10, periode=periode)
    ev = Evaluasi.objects.get(periode=periode, pegawai=tim[2])  # dikirim
    client.force_login(world.penilai)
    with django_assert_max_num_queries(NILAI_QUERIES):
        response = client.get(nilai_url(ev))
    assert 'name="rating_hasil"' in response.content.decode()
    small = _queries(client, nilai_url(ev))
    # More rencana aksi with more bukti, and eleven more months stored: the same count.
    from tests.penilaian_fixtures_penilai import isi_bulan

    isi_bulan(ev, target=Decimal(50), realisasi=Decimal(40))
    isi_bulan(ev, target=Decimal(50), realisasi=Decimal(60))
    _bulan_lain(world, tim, 11, sebelum=periode)
    assert _queries(client, nilai_url(ev)) == small
