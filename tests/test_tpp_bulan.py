"""The month's TPP basis (SPEC §7, issue #8 items 3–4): the rows of an open month with every flag,
exclusion and hukdis; the freeze (final rows never recomputed) and adjustments in the next open
month; finalising twice or concurrently; the pages through HTTP; query counts that do not grow
with pegawai or stored months.

The concurrent finalisation runs on PostgreSQL only (real row locks):
DATABASE_URL=postgres://postgres@127.0.0.1:5432/ekinerja_bulan."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import AuditLog, Pegawai, Pekerjaan
from penilaian.models import BukaKunci, Evaluasi, PenyesuaianTpp, Presensi, SkemaTpp, TppBaris, TppBulan
from penilaian.services import alur
from penilaian.services import tpp_bulan as services
from penilaian.services.tpp_bulan import TppError
from tests.jejak_bantu import pembaca, setiap_perubahan_terlihat
from tests.penilaian_fixtures_admin import periode, periode_berjalan, staf_opd
from tests.penilaian_fixtures_tpp import bulan_berikut, bulan_tpp, evaluasi, hukdis, presensi, skema

pytestmark = pytest.mark.django_db
D = datetime.date


def _rows(data) -> dict[str, object]:
    return {b.nip: b for o in data.opd for b in o.baris}


# data_bulan: an open month ---------------------------------------------------------------------------


def test_open_month_rows_flags_exclusion_hukdis(world):
    b = bulan_tpp(world)
    data = services.data_bulan(b.per)
    assert not data.final and data.difinalkan_pada is None
    assert data.skema == f"Skema TPP {b.per.tahun} mulai Januari"
    rows = _rows(data)
    # Bupati (pejabat negara, NON_ASN) is not in the month; every ASN is.
    assert "bupati" not in rows
    assert len(rows) == 10

    # SPEC §7 worked example: besaran 3,333,333, Baik, one late arrival 31–60 min, hukdis sedang.
    r = rows[world.pegawai.nip]
    assert (r.besaran, r.kinerja, r.disiplin, r.hukdis, r.jumlah) == (
        3_333_333,
        2_000_000,
        1_320_000,
        830_000,
        2_490_000,
    )
    assert r.predikat == "Baik" and r.persen_kinerja == 100 and r.potongan_disiplin == 1
    assert "Hukuman disiplin sedang, SK 800/12/406.012/2026" in r.keterangan
    assert r.catatan_belum_final == ()

    # Submitted, not rated: kinerja 0, the penilai's turn by name; no attendance: no deductions, flagged.
    r = rows[world.pegawai2.nip]
    assert (r.kinerja, r.disiplin, r.jumlah, r.predikat) == (0, 1_333_333, 1_333_333, "")
    assert r.catatan_belum_final == (
        "Belum dinilai (giliran penilai: Rina Puspitasari, S.KM.)",
        "Presensi belum diimpor",
    )
    # ... and it stays in the OPD of the month (Dinkes), not today's (Dishub).
    dinkes = next(o for o in data.opd if o.kode == world.opd.kode)
    assert world.pegawai2.nip in {x.nip for x in dinkes.baris}

    assert rows[world.admin_opd.nip].catatan_belum_final == ("Realisasi belum dikirim (giliran pegawai)",)
    assert rows[world.admin_opd.nip].kinerja == 0 and rows[world.admin_opd.nip].disiplin == 1_440_000
    assert rows[world.penilai.nip].catatan_belum_final == ("Realisasi dikembalikan untuk diperbaiki (giliran pegawai)",)

    # Tugas Belajar on the month's snapshot (today Aktif): excluded, 0, the reason written.
    r = rows[world.kepala.nip]
    assert (r.kinerja, r.disiplin, r.hukdis, r.jumlah) == (0, 0, 0, 0)
    assert r.keterangan == "Kedudukan hukum Tugas Belajar: tidak menerima TPP" and r.catatan_belum_final == ()

    # Kelas 9 has no besaran in the scheme: 0 with the kelas named; no evaluation: today's data, flagged.
    r = rows[b.kelas9.nip]
    assert (r.besaran, r.jumlah, r.kelas_jabatan) == (0, 0, 9)
    assert r.catatan_belum_final[0] == f"Besaran TPP kelas jabatan 9 belum diatur pada {data.skema}"
    assert services.BELUM_EVALUASI in r.catatan_belum_final
    r = rows[world.sekda.nip]
    assert r.catatan_belum_final == (services.BELUM_EVALUASI,) and r.disiplin == 6_000_000 and r.kinerja == 0
    assert r.nama == "Drs. Edy Soepriyanto" and r.kelas_jabatan == 15

    # Totals are sums of the rounded rows; rows per OPD highest kelas first.
    assert data.jumlah == sum(x.jumlah for x in rows.values()) == sum(o.jumlah for o in data.opd)
    assert [x.kelas_jabatan for x in dinkes.baris] == sorted((x.kelas_jabatan for x in dinkes.baris), reverse=True)


def test_one_opd_and_the_scheme_version_in_force(world):
    b = bulan_tpp(world)
    only = services.data_bulan(b.per, opd=world.opd)
    assert [o.kode for o in only.opd] == [world.opd.kode]
    assert _rows(only).keys() == {x.nip for o in services.data_bulan(b.per).opd if o.kode == world.opd.kode
                                  for x in o.baris}  # fmt: skip
    # A version from a later month does not change this month; one from this month does.
    later = b.per.bulan + 1 if b.per.bulan < 12 else None
    if later:
        skema(b.per.tahun, world.admin_bkd, berlaku_mulai=later, besaran={6: 1_000_000})
        assert _rows(services.data_bulan(b.per))[world.pegawai.nip].besaran == 3_333_333
    if b.per.bulan > 1:
        SkemaTpp.objects.filter(pk=b.skema.pk).update(berlaku_mulai=1)
        skema(b.per.tahun, world.admin_bkd, berlaku_mulai=b.per.bulan, besaran={6: 2_000_000}, bobot_kinerja=50,
              bobot_disiplin=50)  # fmt: skip
        r = _rows(services.data_bulan(b.per))[world.pegawai.nip]
        assert (r.besaran, r.kinerja) == (2_000_000, 1_000_000)


def test_no_scheme_is_refused_clearly(world):
    per = periode_berjalan()
    with pytest.raises(TppError, match=f"Belum ada skema TPP yang berlaku pada 1 .* {per.tahun}"):
        services.data_bulan(per)
    with pytest.raises(TppError, match="Belum ada skema"):
        services.rincian_pegawai(per, world.pegawai)
    # The year's only version starts after this month: not in force either.
    if per.bulan < 12:
        skema(per.tahun, world.admin_bkd, berlaku_mulai=per.bulan + 1)
        with pytest.raises(TppError, match="Belum ada skema"):
            services.data_bulan(per)


def test_cancelled_or_light_hukdis_and_other_months_do_not_count(world):
    b = bulan_tpp(world)
    b.hukdis.dibatalkan_pada = timezone.now()
    b.hukdis.save()
    from tests.penilaian_fixtures_tpp import hukdis

    hukdis(world.pegawai, b.per, world.admin_bkd, nomor="RINGAN/1", jenis="RINGAN")
    awal = D(b.per.tahun, b.per.bulan, 1)
    hukdis(world.pegawai, b.per, world.admin_bkd, nomor="LALU/1", mulai=D(awal.year - 1, 1, 1),
           selesai=D(awal.year - 1, 12, 1))  # fmt: skip
    r = _rows(services.data_bulan(b.per))[world.pegawai.nip]
    assert r.hukdis == 0 and r.jumlah == 3_320_000 and "Hukuman disiplin" not in r.keterangan


def test_breakdown_explains_the_amount(world):
    b = bulan_tpp(world)
    rin = services.rincian_pegawai(b.per, world.pegawai)
    assert not rin.final and rin.baris.jumlah == 2_490_000 and rin.hari_kerja == 21
    assert rin.langkah == (
        ("Besaran TPP kelas jabatan 6", "Rp 3.333.333"),
        ("Produktivitas kerja: 60 % × besaran, predikat Baik dibayar 100 %", "Rp 2.000.000"),
        ("Disiplin kerja: 40 % × besaran, dikurangi potongan 1 %", "Rp 1.320.000"),
        ("Hukuman disiplin sedang: 25 % × (kinerja + disiplin)", "− Rp 830.000"),
        ("Jumlah TPP", "Rp 2.490.000"),
    )
    assert [(p["kolom"], p["jumlah"], p["persen"]) for p in rin.potongan] == [("TL2", 1, "1.00")]
    assert rin.hukdis_sk == (f"800/12/406.012/2026 tanggal {b.hukdis.tanggal_sk:%d-%m-%Y}",)
    rin = services.rincian_pegawai(b.per, world.kepala)
    assert not rin.aktif and rin.langkah == (("Kedudukan hukum Tugas Belajar", "tidak menerima TPP: Rp 0"),)
    assert services.rincian_pegawai(b.per, world.bupati) is None


def test_breakdown_resolves_a_missing_penilai_name(world):
    b = bulan_tpp(world)
    Evaluasi.objects.filter(pk=b.ev["pegawai2"].pk).update(snapshot_penilai={})
    assert _rows(services.data_bulan(b.per))[world.pegawai2.nip].catatan_belum_final[0] == (
        "Belum dinilai (giliran penilai)"
    )
    rin = services.rincian_pegawai(b.per, world.pegawai2)
    assert rin.baris.catatan_belum_final[0] == "Belum dinilai (giliran penilai: Rina Puspitasari, S.KM.)"


# Finalising and adjustments ----------------------------------------------------------------------


def test_finalise_freezes_rows_and_never_recomputes(world):
    b = bulan_tpp(world)
    before = services.data_bulan(b.per)
    tpp = services.finalkan_bulan(b.per, by=world.admin_bkd)
    assert tpp.is_final and tpp.skema == b.skema and tpp.difinalkan_oleh == world.admin_bkd
    assert tpp.jumlah_total == before.jumlah and TppBaris.objects.filter(tpp_bulan=tpp).count() == 10
    log = AuditLog.objects.for_object(tpp).get(aksi="tpp_difinalkan")
    assert log.perubahan["status"] == ["TERBUKA", "FINAL"] and log.perubahan["baris_belum_final"] == [None, 8]
    after = services.data_bulan(b.per)
    assert after.final and after.opd == before.opd and after.jumlah == before.jumlah
    # Everything changes afterwards: re-rated, attendance re-imported, a new besaran, a hukdis cancelled.
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="SANGAT_KURANG")
    Presensi.objects.filter(periode=b.per, pegawai=world.pegawai).update(tanpa_keterangan=10)
    b.skema.besaran_set.filter(kelas_jabatan=6).update(besaran=9_000_000)
    b.hukdis.dibatalkan_pada = timezone.now()
    b.hukdis.save()
    Pegawai.objects.filter(pk=world.sekda.pk).update(nama="Nama Baru")
    frozen = services.data_bulan(b.per)
    assert frozen.opd == before.opd
    assert services.rincian_pegawai(b.per, world.pegawai).langkah[-1] == ("Jumlah TPP", "Rp 2.490.000")


def test_adjustment_in_the_next_open_month(world):
    b = bulan_tpp(world)
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    nxt = bulan_berikut(b.per)
    frozen = TppBaris.objects.get(pegawai=world.pegawai)
    # Re-rated after an unlock: Baik → Kurang (60 % of the kinerja component).
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="KURANG")
    (p,) = services.catat_perubahan(b.per, [world.pegawai.pk], "Dinilai ulang setelah buka kunci", by=world.admin_bkd)
    assert p.asal.periode == b.per and p.dicatat_di.periode == nxt and p.dicatat_di.status == "TERBUKA"
    # kinerja 1,200,000 + disiplin 1,320,000 = 2,520,000, hukdis 630,000 → 1,890,000.
    assert (p.lama, p.baru, p.selisih, p.opd_id) == (2_490_000, 1_890_000, -600_000, world.opd.pk)
    frozen_after = TppBaris.objects.get(pk=frozen.pk)
    assert (frozen_after.jumlah, frozen_after.predikat) == (2_490_000, "BAIK")
    assert AuditLog.objects.for_object(p).get().aksi == "tpp_penyesuaian_dicatat"
    # The next month's page carries it under the OPD of the row.
    if not SkemaTpp.objects.filter(tahun=nxt.tahun).exists():
        skema(nxt.tahun, world.admin_bkd)
    data = services.data_bulan(nxt)
    (adj,) = [a for o in data.opd for a in o.penyesuaian]
    assert (adj.nip, adj.periode_asal, adj.lama, adj.baru, adj.alasan) == (
        world.pegawai.nip,
        b.per.nama,
        2_490_000,
        1_890_000,
        "Dinilai ulang setelah buka kunci",
    )
    # Attendance re-imported for the same month: the same adjustment is updated (one row).
    Presensi.objects.filter(periode=b.per, pegawai=world.pegawai).update(tl2=0)
    (p2,) = services.catat_perubahan(b.per, [world.pegawai.pk], "Presensi diimpor ulang")
    # Kurang, no deduction: 1,200,000 + 1,333,333 = 2,533,333; hukdis 633,333 → 1,900,000.
    assert p2.pk == p.pk and (p2.lama, p2.baru) == (2_490_000, 1_900_000)
    # Back to what was paid: the adjustment goes away. Unchanged pegawai: none.
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="BAIK")
    Presensi.objects.filter(periode=b.per, pegawai=world.pegawai).update(tl2=1)
    assert services.catat_perubahan(b.per, [world.pegawai.pk, world.sekda.pk], "Kembali") == []
    assert not PenyesuaianTpp.objects.exists()


def test_adjustment_after_the_next_month_is_final_goes_further_and_starts_from_what_was_paid(world):
    b = bulan_tpp(world)
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    nxt = bulan_berikut(b.per)
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="KURANG")
    services.catat_perubahan(b.per, [world.pegawai.pk], "Dinilai ulang")
    # The next month is finalised (with its adjustment); a later hukdis cancel lands a month further.
    TppBulan.objects.filter(periode=nxt).update(status="FINAL", skema=b.skema, difinalkan_pada=timezone.now())
    with pytest.raises(TppError, match="belum dibuka untuk mencatat penyesuaiannya"):
        b.hukdis.dibatalkan_pada = timezone.now()
        b.hukdis.save()
        services.catat_perubahan(b.per, [world.pegawai.pk], "Hukdis dibatalkan")
    third = bulan_berikut(nxt)
    (p,) = services.catat_perubahan(b.per, [world.pegawai.pk], "Hukdis dibatalkan")
    assert p.dicatat_di.periode == third and (p.lama, p.baru) == (1_890_000, 2_520_000)


def test_a_month_that_is_not_final_records_no_adjustment(world):
    b = bulan_tpp(world)
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="KURANG")
    assert services.catat_perubahan(b.per, [world.pegawai.pk], "x") == []
    assert not PenyesuaianTpp.objects.exists() and not TppBulan.objects.exists()


def test_rerating_through_alur_records_the_adjustment(world):
    """The wiring: alur.simpan_penilaian on a month whose TPP is final (unlocked and re-rated)."""
    from tests.penilaian_fixtures_penilai import buka_periode, evaluasi_bulan, skp_tim

    skp_tim(world)
    per = buka_periode()
    skema(per.tahun, world.admin_bkd)
    ev = evaluasi_bulan(world.pegawai, per)
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI", versi=ev.versi)
    kemarin = timezone.localdate() - datetime.timedelta(days=1)
    type(per).objects.filter(pk=per.pk).update(batas_realisasi=kemarin, batas_penilaian=kemarin)
    per.refresh_from_db()
    services.finalkan_bulan(per, by=world.admin_bkd)
    baik = TppBaris.objects.get(pegawai=world.pegawai).jumlah
    nxt = bulan_berikut(per)
    BukaKunci.objects.create(periode=per, pegawai=world.pegawai, alasan="Salah nilai", dibuka_oleh=world.admin_opd)
    ev.refresh_from_db()
    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="DI_BAWAH", rating_perilaku="DI_BAWAH", versi=ev.versi)
    p = PenyesuaianTpp.objects.get()
    assert p.dicatat_di.periode == nxt and p.lama == baik and p.baru < baik
    assert p.alasan == f"Evaluasi {per.nama} dinilai ulang: predikat Baik → Sangat Kurang"
    assert TppBaris.objects.get(pegawai=world.pegawai).jumlah == baik


def test_finalise_refusals(world):
    b = bulan_tpp(world)
    for user in (world.admin_opd, world.auditor, world.kepala, world.pegawai):
        with pytest.raises(TppError, match="Hanya admin BKD"):
            services.finalkan_bulan(b.per, by=user)
    berjalan = periode(2031, 3, batas_realisasi=D(2031, 4, 5), batas_penilaian=D(2031, 4, 10))
    skema(2031, world.admin_bkd)
    with pytest.raises(TppError, match="masih berjalan sampai 10-04-2031"):
        services.finalkan_bulan(berjalan, by=world.admin_bkd)
    lalu = periode(2020, 3, batas_realisasi=D(2020, 4, 5), batas_penilaian=D(2020, 4, 10))
    with pytest.raises(TppError, match="Belum ada skema TPP"):
        services.finalkan_bulan(lalu, by=world.admin_bkd)
    assert not TppBulan.objects.filter(status="FINAL").exists() and not TppBaris.objects.exists()
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    with pytest.raises(TppError, match=r"sudah difinalkan oleh Bambang Wicaksono pada \d\d-"):
        services.finalkan_bulan(b.per, by=world.admin_bkd)
    assert TppBaris.objects.count() == 10 and AuditLog.objects.filter(aksi="tpp_difinalkan").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SELECT … FOR UPDATE)")
def test_concurrent_finalise_one_wins_the_other_is_told(client, world):
    b = bulan_tpp(world)
    TppBulan.objects.create(periode=b.per)
    locked = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                services.finalkan_bulan(b.per, by=world.admin_bkd)
                locked.set()
                time.sleep(0.6)  # hold the row lock while the second POST arrives
        finally:
            connection.close()

    worker = threading.Thread(target=first)
    worker.start()
    assert locked.wait(10)
    client.force_login(world.admin_bkd)
    started = time.monotonic()
    response = client.post(reverse("penilaian:tpp_finalkan", args=[b.per.tahun, b.per.bulan]), {"konfirmasi": "on"})
    waited = time.monotonic() - started
    worker.join()
    assert waited > 0.3
    # The page's check ran before the other transaction committed; the job then waited for the
    # row lock and was told.
    job = Pekerjaan.objects.get(jenis="finalkan_tpp")
    assert response.status_code == 302 and job.status == "GAGAL"
    assert "sudah difinalkan oleh Bambang Wicaksono" in job.pesan
    assert "sudah difinalkan oleh Bambang Wicaksono" in client.get(response.url).content.decode()
    assert TppBaris.objects.count() == 10 and AuditLog.objects.filter(aksi="tpp_difinalkan").count() == 1


# Pages -------------------------------------------------------------------------------------------


def _url(name: str, per, *extra) -> str:
    return reverse(f"penilaian:{name}", args=[per.tahun, per.bulan, *extra])


def test_regency_page_and_finalise_form(client, world):
    b = bulan_tpp(world)
    client.force_login(world.admin_bkd)
    html = client.get(_url("tpp_bulan", b.per)).content.decode()
    total = services.data_bulan(b.per).jumlah
    assert "Sementara" in html and "Total kabupaten" in html and f"Rp {total:,}".replace(",", ".") in html
    assert 'id="tpp-finalkan"' in html and "8 baris belum final" in html
    assert f'href="{_url("tpp_opd", b.per, world.opd.pk)}"' in html
    url = _url("tpp_finalkan", b.per)
    assert client.get(url).status_code == 405
    response = client.post(url, {})
    assert response.status_code == 200 and "Centang pernyataan" in response.content.decode()
    assert not TppBulan.objects.filter(status="FINAL").exists()
    response = client.post(url, {"konfirmasi": "on"})
    # The freeze runs as a background job (at once in the tests); its page tells the outcome.
    job = Pekerjaan.objects.get(jenis="finalkan_tpp")
    assert response.status_code == 302 and response.url == reverse("opd:pekerjaan_detail", args=[job.pk])
    html = client.get(response.url).content.decode()
    assert "TPP " + b.per.nama + " difinalkan: 10 pegawai, jumlah Rp " in html
    assert f'href="{_url("tpp_bulan", b.per)}"' in html
    html = client.get(_url("tpp_bulan", b.per)).content.decode()
    assert 'id="tpp-status">Final' in html and 'id="tpp-finalkan"' not in html
    # A second tab posts again: told who finalised when, nothing frozen twice.
    response = client.post(url, {"konfirmasi": "on"})
    assert "sudah difinalkan oleh Bambang Wicaksono" in response.content.decode()
    assert TppBaris.objects.count() == 10


def test_regency_page_without_scheme_and_before_the_deadline(client, world):
    per = periode_berjalan()
    client.force_login(world.admin_bkd)
    html = client.get(_url("tpp_bulan", per)).content.decode()
    assert "Belum ada skema TPP" in html and 'id="tpp-finalkan"' not in html
    skema(per.tahun, world.admin_bkd)
    html = client.get(_url("tpp_bulan", per)).content.decode()
    assert "TPP dapat difinalkan setelah batas penilaian" in html and 'id="tpp-finalkan"' not in html
    response = client.post(_url("tpp_finalkan", per), {"konfirmasi": "on"})
    assert response.status_code == 200 and "masih berjalan" in response.content.decode()


def test_opd_page_rows_flags_and_adjustments(client, world):
    b = bulan_tpp(world)
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    nxt = bulan_berikut(b.per)
    if not SkemaTpp.objects.filter(tahun=nxt.tahun).exists():
        skema(nxt.tahun, world.admin_bkd)
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="KURANG")
    services.catat_perubahan(b.per, [world.pegawai.pk], "Dinilai ulang setelah buka kunci")
    client.force_login(world.admin_opd)
    html = client.get(_url("tpp_opd", b.per, world.opd.pk)).content.decode()
    assert "Belum dinilai (giliran penilai: Rina Puspitasari, S.KM.)" in html
    assert "Realisasi belum dikirim (giliran pegawai)" in html and "Rp 2.490.000" in html
    assert 'id="tpp-finalkan"' not in html and "Tidak ada penyesuaian" in html
    html = client.get(_url("tpp_opd", nxt, world.opd.pk)).content.decode()
    assert 'id="tpp-penyesuaian"' in html and "Rp 2.490.000" in html and "Rp 1.890.000" in html
    assert "−Rp 600.000" in html and "Dinilai ulang setelah buka kunci" in html
    # Read-only for the admin OPD: no finalise form on the month page either; another OPD 404.
    assert 'id="tpp-finalkan"' not in client.get(_url("tpp_bulan", b.per)).content.decode()
    assert client.get(_url("tpp_opd", b.per, world.other_opd.pk)).status_code == 404


def test_breakdown_page(client, world):
    b = bulan_tpp(world)
    client.force_login(world.pegawai)
    html = client.get(_url("tpp_pegawai", b.per, world.pegawai.pk)).content.decode()
    assert "Besaran TPP kelas jabatan 6" in html and "Rp 2.490.000" in html
    assert "800/12/406.012/2026" in html and "TL2" in html and "terlambat 31–60 menit" in html
    # The pegawai sees no links to pages they cannot open.
    assert _url("tpp_bulan", b.per) not in html and _url("tpp_opd", b.per, world.opd.pk) not in html
    assert client.get(_url("tpp_pegawai", b.per, world.pegawai2.pk)).status_code == 404
    assert client.get(reverse("penilaian:tpp_saya")).url == _url("tpp_pegawai", b.per, world.pegawai.pk)
    client.force_login(world.pegawai2)
    html = client.get(_url("tpp_pegawai", b.per, world.pegawai2.pk)).content.decode()
    assert "Presensi bulan ini belum diimpor" in html and "giliran penilai" in html


def test_bad_urls_answer_404(client, world):
    b = bulan_tpp(world)
    client.force_login(world.admin_bkd)
    for url in (
        reverse("penilaian:tpp_bulan", args=[b.per.tahun, 0]),
        reverse("penilaian:tpp_bulan", args=[b.per.tahun, 13]),
        reverse("penilaian:tpp_bulan", args=[99999, 1]),
        reverse("penilaian:tpp_opd", args=[b.per.tahun, b.per.bulan, 99999999999999]),
        reverse("penilaian:tpp_pegawai", args=[b.per.tahun, b.per.bulan, 99999999999999]),
        reverse("penilaian:tpp_pegawai", args=[b.per.tahun, b.per.bulan, world.bupati.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("penilaian:tpp") + "?periode=abc").status_code == 302


# Queries -----------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_data(world, per, admin) -> None:
    """More pegawai in several OPDs with evaluations and attendance, and more months stored
    (final, with frozen rows and adjustments)."""
    from opd.models import Opd

    for kode in ("SETDA", "BKD", "DISHUB", world.opd.kode):
        for i, p in enumerate(staf_opd(Opd.objects.get(kode=kode), 6)):
            if i % 2:
                evaluasi(p, per, "DINILAI", predikat="BAIK")
            presensi(per, p, tl1=i)
    for bulan in range(1, 4):
        lalu = periode(2025, bulan, batas_realisasi=D(2025, bulan + 1, 5), batas_penilaian=D(2025, bulan + 1, 10))
        if bulan == 1:
            skema(2025, admin)
        evaluasi(world.pegawai, lalu, "DINILAI", predikat="BAIK")
        services.finalkan_bulan(lalu, by=admin)


def test_queries_do_not_grow_with_pegawai_or_months(client, world, django_assert_max_num_queries):
    b = bulan_tpp(world)
    client.force_login(world.admin_bkd)
    pages = [
        _url("tpp_bulan", b.per),
        _url("tpp_opd", b.per, world.opd.pk),
        _url("tpp_pegawai", b.per, world.pegawai.pk),
    ]
    with CaptureQueriesContext(connection) as ctx:
        services.data_bulan(b.per)
    service_small = len(ctx.captured_queries)
    small = [_queries(client, u) for u in pages]
    _more_data(world, b.per, world.admin_bkd)
    with CaptureQueriesContext(connection) as ctx:
        services.data_bulan(b.per)
    assert len(ctx.captured_queries) == service_small <= 9
    assert [_queries(client, u) for u in pages] == small
    with django_assert_max_num_queries(17):
        client.get(pages[0])
    # The OPD page: its totals grouped (or kept, one query for the change marks) and one page of
    # rows computed (issue #9).
    with django_assert_max_num_queries(20):
        client.get(pages[1])
    with django_assert_max_num_queries(16):
        client.get(pages[2])
    # A final month reads its frozen rows in fewer queries still.
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    with CaptureQueriesContext(connection) as ctx:
        services.data_bulan(b.per)
    assert len(ctx.captured_queries) <= 4


def _per_opd(data) -> dict[str, tuple[int, int, int]]:
    return {o.kode: (len(o.baris), sum(1 for b in o.baris if b.catatan_belum_final), o.jumlah) for o in data.opd}


def test_regency_summary_from_grouped_rows_equals_the_rows(world):
    """`ringkasan_bulan` (the regency page) groups pegawai by the inputs of the arithmetic: per OPD
    the count, the rows not final and the total must equal those of `data_bulan`'s rows, open and
    final, with every flag of the fixture (exclusion, hukdis, missing besaran and attendance)."""
    b = bulan_tpp(world)
    penuh, ringkas = services.data_bulan(b.per), services.ringkasan_bulan(b.per)
    assert {o.kode: (o.jumlah_pegawai, o.belum_final, o.jumlah) for o in ringkas.opd} == _per_opd(penuh)
    assert ringkas.jumlah == penuh.jumlah and not ringkas.final
    hanya = services.ringkasan_bulan(b.per, opd_ids=[world.opd.pk])
    assert [o.kode for o in hanya.opd] == [world.opd.kode]
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    final = services.ringkasan_bulan(b.per)
    assert final.final
    assert {o.kode: (o.jumlah_pegawai, o.belum_final, o.jumlah) for o in final.opd} == _per_opd(penuh)


def _ringkas_terbaca(per):
    """`ringkasan_bulan(per)` per OPD kode; `.dihitung`: whether it grouped the month or served the
    totals kept (ekinerja.jejak)."""

    def ringkas() -> dict[str, tuple[int, int, int]]:
        return {o.kode: (o.jumlah_pegawai, o.belum_final, o.jumlah) for o in services.ringkasan_bulan(per).opd}

    return pembaca(ringkas, "GROUP BY")


@pytest.mark.django_db(transaction=True)
def test_regency_summary_kept_until_an_input_changes(world):
    """Issue #9: an open month's regency totals are kept until a table they are computed from
    changes (ekinerja.jejak: marks written by PostgreSQL triggers): served again while nothing
    changed, and after a change of any input by any path — raw UPDATEs here, no service — equal
    to `data_bulan`'s rows computed anew. A login (last_login), a name or another month's
    evaluation do not recompute it."""
    from opd.models import Jabatan
    from penilaian.models import BesaranTpp, HukumanDisiplin

    b = bulan_tpp(world)
    lain = bulan_berikut(b.per)
    evaluasi(world.sekda, lain, "DRAFT")
    ringkas = _ringkas_terbaca(b.per)

    def segar() -> dict[str, tuple[int, int, int]]:
        return _per_opd(services.data_bulan(b.per))

    pg = connection.vendor == "postgresql"
    assert ringkas() == segar() and ringkas.dihitung
    assert ringkas() == segar()
    assert ringkas.dihitung is not pg  # PostgreSQL: kept; elsewhere computed on every request
    Pegawai.objects.update(last_login=timezone.now())
    Pegawai.objects.filter(pk=world.pegawai.pk).update(nama="Nama Baru", password="x")
    Evaluasi.objects.filter(periode=lain).update(status="DIKIRIM", dikirim_pada=timezone.now())
    ringkas()
    assert ringkas.dihitung is not pg
    ev = b.ev
    changes = {
        "rated": lambda: Evaluasi.objects.filter(pk=ev["pegawai2"].pk).update(
            status="DINILAI", predikat="SANGAT_BAIK", rating_hasil="SESUAI", rating_perilaku="SESUAI",
            dinilai_pada=timezone.now()),
        "predikat": lambda: Evaluasi.objects.filter(pk=ev["pegawai"].pk).update(predikat="KURANG"),
        "snapshot kedudukan": lambda: Evaluasi.objects.filter(pk=ev["kepala"].pk).update(snap_kedudukan_hukum="AKTIF"),
        "snapshot kelas": lambda: Evaluasi.objects.filter(pk=ev["pegawai"].pk).update(snap_kelas_jabatan=7),
        "snapshot OPD": lambda: Evaluasi.objects.filter(pk=ev["admin_opd"].pk).update(snap_opd=world.other_opd),
        "attendance": lambda: Presensi.objects.filter(periode=b.per, pegawai=world.pegawai).update(tl2=0, tl4=1),
        "attendance deleted": lambda: Presensi.objects.filter(periode=b.per, pegawai=world.pegawai).delete(),
        "pegawai kedudukan": lambda: Pegawai.objects.filter(pk=world.sekda.pk).update(kedudukan_hukum="CLTN"),
        "pegawai non-ASN": lambda: Pegawai.objects.filter(pk=world.auditor.pk).update(jenis_asn="NON_ASN"),
        "pegawai OPD": lambda: Pegawai.objects.filter(pk=world.outsider.pk).update(opd=world.opd),
        "position kelas": lambda: Jabatan.objects.filter(pk=b.kelas9.jabatan_id).update(kelas_jabatan=11),
        "hukdis cancelled": lambda: HukumanDisiplin.objects.filter(pk=b.hukdis.pk).update(dibatalkan_pada=timezone.now()),
        "besaran": lambda: BesaranTpp.objects.filter(skema=b.skema, kelas_jabatan=7).update(besaran=4_100_000),
        "scheme": lambda: SkemaTpp.objects.filter(pk=b.skema.pk).update(persen_sangat_baik=90),
        "not the month's result": lambda: Evaluasi.objects.filter(pk=ev["pegawai"].pk).update(hasil_bulan=False),
    }  # fmt: skip
    setiap_perubahan_terlihat(ringkas, segar, changes)
    ringkas()
    assert ringkas.dihitung is not pg


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the change marks are PostgreSQL triggers")
@pytest.mark.django_db(transaction=True)
def test_regency_summary_sees_a_write_that_commits_after_it_was_computed(world):
    """The race a "last changed at" stamp loses: a rating written before the totals are computed
    but committed after. The kept totals carry the snapshot they were computed after, and the
    rating's transaction was not in it: the next view computes again and shows it."""
    b = bulan_tpp(world)
    ringkas = _ringkas_terbaca(b.per)
    ringkas()
    ditulis, lanjut = threading.Event(), threading.Event()

    def nilai() -> None:
        from django.db import connection as conn

        try:
            with transaction.atomic():
                Evaluasi.objects.filter(pk=b.ev["pegawai2"].pk).update(
                    status="DINILAI", predikat="SANGAT_BAIK", rating_hasil="SESUAI", rating_perilaku="SESUAI",
                    dinilai_pada=timezone.now(),
                )  # fmt: skip
                ditulis.set()
                assert lanjut.wait(10)
        finally:
            conn.close()

    t = threading.Thread(target=nilai)
    t.start()
    assert ditulis.wait(10)
    Presensi.objects.filter(periode=b.per, pegawai=world.sekda).update(tl1=1)  # committed: computed anew
    sebelum = ringkas()
    assert ringkas.dihitung  # kept from here on, without the uncommitted rating
    lanjut.set()
    t.join(10)
    sesudah = ringkas()
    assert ringkas.dihitung
    assert sesudah == _per_opd(services.data_bulan(b.per)) != sebelum


def test_opd_page_shows_rows_by_page_with_the_whole_opd_total(client, world, monkeypatch):
    """A province's Dinkes has thousands of rows: the page renders one page of them (issue #9,
    100,000-pegawai bench); numbering continues across pages and the total is the whole OPD's."""
    from penilaian.views import tpp_bulan as views

    b = bulan_tpp(world)
    data = services.data_bulan(b.per, opd=world.opd).opd[0]
    assert len(data.baris) >= 3
    monkeypatch.setattr(views, "BARIS_PER_HALAMAN", 2)
    client.force_login(world.admin_bkd)
    url = _url("tpp_opd", b.per, world.opd.pk)
    halaman = [client.get(url, {"page": n}).content.decode() for n in (1, 2)]
    for n, html in enumerate(halaman):
        shown = [r for r in data.baris if f'data-nip="{r.nip}"' in html.split('id="tpp-penyesuaian"')[0]]
        assert shown == list(data.baris[2 * n : 2 * n + 2])
        assert f"<td>{2 * n + 1}</td>" in html
        assert f"seluruh OPD ({len(data.baris)} pegawai)" in html
    total = sum(r.jumlah for r in data.baris)
    assert data.jumlah == total
    assert all(f"Rp {total:,}".replace(",", ".") in html for html in halaman)
    assert "page=2" in halaman[0]


# The OPD page: totals grouped, the shown page's rows only (issue #9) ----------------------------------


def _sama_dengan_baris(isi, penuh) -> None:
    """The OPD page's figures equal `data_bulan`'s rows of the OPD: the totals, and every row in
    its order, sliced page by page as the page slices them."""
    assert (isi.jumlah_pegawai, isi.belum_final, isi.jumlah, isi.penyesuaian) == (
        len(penuh.baris), sum(1 for r in penuh.baris if r.catatan_belum_final), penuh.jumlah, penuh.penyesuaian,
    )  # fmt: skip
    for awal in range(0, len(penuh.baris) + 2, 2):
        assert list(isi.baris[awal : awal + 2]) == list(penuh.baris[awal : awal + 2])


def test_opd_page_totals_from_grouped_rows_equal_the_rows(world):
    """An open month's OPD page reads its totals grouped (`ringkasan_bulan` for that OPD) and
    computes rows a page at a time: equal to `data_bulan`'s rows of the OPD with every case of the
    fixture (hukdis, Tugas Belajar, no besaran, no attendance, a pegawai moved to another OPD
    today, no kelas, an adjustment recorded in the month), and a final month reads its frozen rows."""
    from opd.models import Jabatan, JenisJabatan

    b = bulan_tpp(world)
    tanpa_kelas = Jabatan.objects.create(nama="Pelaksana Baru", jenis=JenisJabatan.PELAKSANA, opd=world.opd)
    for i, p in enumerate(staf_opd(world.opd, 3)):
        Pegawai.objects.filter(pk=p.pk).update(jabatan=tanpa_kelas)
        if i:
            evaluasi(p, b.per, "DINILAI", predikat="BAIK", kelas=None)
    for opd in (world.opd, world.other_opd):
        penuh = services.data_bulan(b.per, opd=opd).opd[0]
        isi = services.tpp_opd_bulan(b.per, opd)
        assert not isi.final and isinstance(isi.baris, services.BarisBerhalaman)
        _sama_dengan_baris(isi, penuh)
    penuh = services.data_bulan(b.per, opd=world.opd).opd[0]
    nips = [r.nip for r in penuh.baris]
    assert {world.pegawai.nip, world.kepala.nip, world.pegawai2.nip, b.kelas9.nip} <= set(nips)
    assert penuh.baris[-1].kelas_jabatan is None and penuh.baris[0].kelas_jabatan == 14
    assert world.pegawai2.nip not in {r.nip for r in services.tpp_opd_bulan(b.per, world.other_opd).baris[0:99]}

    # Final: the frozen rows; the next (open) month shows the adjustment recorded there.
    services.finalkan_bulan(b.per, by=world.admin_bkd)
    isi = services.tpp_opd_bulan(b.per, world.opd)
    assert isi.final and isi.baris == services.data_bulan(b.per, opd=world.opd).opd[0].baris
    nxt = bulan_berikut(b.per)
    if not SkemaTpp.objects.filter(tahun=nxt.tahun).exists():
        skema(nxt.tahun, world.admin_bkd)
    Evaluasi.objects.filter(pk=b.ev["pegawai"].pk).update(predikat="KURANG")
    assert services.catat_perubahan(b.per, [world.pegawai.pk], "Dinilai ulang")
    isi = services.tpp_opd_bulan(nxt, world.opd)
    assert not isi.final and len(isi.penyesuaian) == 1
    _sama_dengan_baris(isi, services.data_bulan(nxt, opd=world.opd).opd[0])


def test_opd_page_computes_only_its_page_in_the_same_queries_at_any_size(client, world, monkeypatch):
    """A page of an OPD of five and of an OPD grown by thirty pegawai: the same number of queries,
    and only the shown page's rows computed (never the whole OPD)."""
    from penilaian.views import tpp_bulan as views

    b = bulan_tpp(world)
    monkeypatch.setattr(views, "BARIS_PER_HALAMAN", 2)
    dihitung: list[int] = []
    hitung = services.hitung_bulan

    def mencatat(*args, **kw):
        rows = hitung(*args, **kw)
        dihitung.append(len(rows))
        return rows

    monkeypatch.setattr(services, "hitung_bulan", mencatat)
    client.force_login(world.admin_bkd)
    url = _url("tpp_opd", b.per, world.opd.pk)
    kecil = [_queries(client, f"{url}?page={n}") for n in (1, 2)]
    for i, p in enumerate(staf_opd(world.opd, 30)):
        if i % 3:
            evaluasi(p, b.per, "DINILAI" if i % 2 else "DIKIRIM", predikat="BAIK")
        if i % 4:
            presensi(b.per, p, tl1=i % 3)
        if i % 7 == 0:
            hukdis(p, b.per, world.admin_bkd, nomor=f"800/{i}/2026")
    dihitung.clear()
    assert [_queries(client, f"{url}?page={n}") for n in (1, 2)] == kecil
    assert dihitung == [2, 2]
    html = client.get(url, {"page": 2}).content.decode()
    penuh = services.data_bulan(b.per, opd=world.opd).opd[0]
    assert len(penuh.baris) > 30 and f"seluruh OPD ({len(penuh.baris)} pegawai)" in html
    assert f"Rp {penuh.jumlah:,}".replace(",", ".") in html
    shown = [r for r in penuh.baris if f'data-nip="{r.nip}"' in html.split('id="tpp-penyesuaian"')[0]]
    assert shown == list(penuh.baris[2:4]) and "<td>3</td>" in html
