"""The annual evaluation (issue #7 §6, SPEC §5): when it opens, the prefill from the months, saving
and submitting (services and HTTP), the penilai's rating page, access, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from opd.models import AuditLog, Jabatan, JenisJabatan
from penilaian.models import Evaluasi, Periode, RealisasiTahunan, UmpanBalik
from penilaian.services import tahunan
from penilaian.services._common import KonflikVersi, PenilaianError, pastikan_evaluasi
from skp import services as skp_services
from tests.conftest import make_pegawai
from tests.penilaian_fixtures_tahunan import (
    IKI_LAPORAN,
    IKI_RENTANG,
    IKI_WAKTU,
    TAHUN_LALU,
    approved_skp,
    buka_periode,
    bulan_dengan_aksi,
    fresh,
    nilai_langsung,
    rantai,
)

pytestmark = pytest.mark.django_db
T = TAHUN_LALU


@pytest.fixture
def tahun(world):
    """The pegawai's 2025: an SKP with a count IKI (12 Dokumen), a time IKI (12 bulan, less is
    better) and a ranged IKI (80–90 %); twelve locked months with rencana aksi, eight rated."""
    r = rantai(world, T, iki=(IKI_LAPORAN, IKI_WAKTU, IKI_RENTANG))
    laporan, waktu, rentang = r.iki()
    for bulan in range(1, 13):
        periode = buka_periode(T, bulan, terkunci=True)
        ev = bulan_dengan_aksi(
            world.pegawai, periode,
            [(laporan, Decimal(1), " dokumen "), (laporan, Decimal(5), "lembar"), (waktu, Decimal(1), "Bulan"),
             (rentang, Decimal(85), "%")],
        )  # fmt: skip
        if bulan <= 8:
            nilai_langsung(ev, world.penilai, "SESUAI", "DI_ATAS" if bulan % 2 else "SESUAI")
    periode = buka_periode(T, 0)
    r.periode = periode
    r.laporan, r.waktu, r.rentang = laporan, waktu, rentang
    return r


def _ev(world, r) -> Evaluasi:
    ev = next(e for e in pastikan_evaluasi(world.pegawai, r.periode) if e.hasil_bulan)
    return Evaluasi.objects.select_related("periode", "pegawai", "skp").get(pk=ev.pk)


def _isi_lengkap(r) -> dict:
    return {
        r.laporan.pk: (Decimal(12), "Dua belas laporan"),
        r.waktu.pk: (Decimal(12), "Tepat waktu"),
        r.rentang.pk: (Decimal("87.5"), ""),
    }


# When it opens -----------------------------------------------------------------------------------


def test_opens_after_december_and_only_when_the_period_exists():
    assert tahunan.alasan_belum_dibuka(2026, None, today=datetime.date(2026, 12, 31)).startswith(
        "Evaluasi tahunan 2026 baru dapat diisi mulai 1 Januari 2027"
    )
    assert "belum dibuka oleh admin BKD" in tahunan.alasan_belum_dibuka(2026, None, today=datetime.date(2027, 1, 1))
    periode = Periode(tahun=2026, bulan=0, batas_realisasi=datetime.date(2027, 1, 31),
                      batas_penilaian=datetime.date(2027, 2, 15))  # fmt: skip
    assert tahunan.alasan_belum_dibuka(2026, periode, today=datetime.date(2027, 1, 1)) == ""
    assert tahunan.alasan_belum_dibuka(2026, periode, today=datetime.date(2026, 12, 31)) != ""


def test_current_year_not_open_even_when_the_admin_opened_it(client, world):
    r = rantai(world, 2026)
    periode = buka_periode(2026, 0)
    client.force_login(world.pegawai)
    page = client.get(reverse("penilaian:tahunan", args=[2026])).content.decode()
    assert "baru dapat diisi mulai 1 Januari 2027" in page
    assert not Evaluasi.objects.filter(periode=periode).exists()
    ev = pastikan_evaluasi(world.pegawai, periode)[0]
    with pytest.raises(PenilaianError, match="1 Januari 2027"):
        tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian={r.iki()[0].pk: (Decimal(1), "")})


def test_page_without_the_annual_period(client, world):
    rantai(world, T)
    client.force_login(world.pegawai)
    response = client.get(reverse("penilaian:tahunan", args=[T]))
    assert response.status_code == 200
    assert "belum dibuka oleh admin BKD" in response.content.decode()


# Prefill -----------------------------------------------------------------------------------------


def test_prefill_sums_the_months_with_the_same_satuan(world, tahun):
    ev = _ev(world, tahun)
    rows = {b.iki.pk: b for b in tahunan.baris_tahunan(ev)}
    laporan = rows[tahun.laporan.pk]
    # " dokumen " matches "Dokumen" (case, spaces); "lembar" does not.
    assert (laporan.saran, laporan.saran_jumlah, laporan.realisasi) == (Decimal(12), 12, Decimal(12))
    assert (rows[tahun.waktu.pk].saran, rows[tahun.rentang.pk].saran) == (Decimal(12), Decimal(1020))
    assert not laporan.tersimpan and laporan.capaian is None


def test_prefill_follows_the_iki_across_a_revision(world):
    r = rantai(world, T)
    v0 = r.iki()[0]
    for bulan in range(1, 7):
        bulan_dengan_aksi(world.pegawai, buka_periode(T, bulan, terkunci=True), [(v0, Decimal(2), "Dokumen")])
    rev = skp_services.start_revision(fresh(r.skp), by=world.pegawai)
    skp_services.submit_skp(fresh(rev), by=world.pegawai)
    skp_services.approve_skp(fresh(rev), by=world.penilai)
    v1 = r.iki(rev)[0]
    assert v1.asal_id == v0.pk
    for bulan in range(7, 13):
        bulan_dengan_aksi(world.pegawai, buka_periode(T, bulan, terkunci=True), [(v1, Decimal(3), "dokumen")])
    periode = buka_periode(T, 0)
    ev = next(e for e in pastikan_evaluasi(world.pegawai, periode) if e.hasil_bulan)
    assert ev.skp_id == rev.pk
    baris = tahunan.baris_tahunan(ev)
    assert (baris[0].iki.pk, baris[0].saran, baris[0].saran_jumlah) == (v1.pk, Decimal(30), 12)


def test_prefill_ignores_another_pegawai_and_the_annual_rows(world, tahun):
    p1 = tahun.penilai_skp.rhk_set.get()
    skp2 = approved_skp(world.pegawai2, world.penilai, [("Laporan lain", [IKI_LAPORAN], [p1])], tahun=T)
    iki2 = skp2.rhk_set.get().iki_set.get()
    bulan_dengan_aksi(world.pegawai2, Periode.objects.get(tahun=T, bulan=5), [(iki2, Decimal(50), "Dokumen")])
    ev = _ev(world, tahun)
    assert tahunan.baris_tahunan(ev)[0].saran == Decimal(12)


def test_predikat_bulanan_twelve_in_one_query(world, tahun, django_assert_num_queries):
    with django_assert_num_queries(1):
        bulanan = tahunan.predikat_bulanan(world.pegawai.pk, T)
    assert [b.nama for b in bulanan][:2] == ["Januari", "Februari"]
    assert [b.predikat_label for b in bulanan] == ["Baik"] * 8 + [""] * 4
    assert bulanan[11].status_label == "Belum dikirim"


# Services ----------------------------------------------------------------------------------------


def test_simpan_then_kirim(world, tahun):
    ev = _ev(world, tahun)
    tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian=_isi_lengkap(tahun), versi=ev.versi)
    rows = {r.iki_id: r for r in RealisasiTahunan.objects.filter(evaluasi=ev)}
    assert rows[tahun.laporan.pk].realisasi == Decimal(12) and rows[tahun.laporan.pk].uraian == "Dua belas laporan"
    log = AuditLog.objects.for_object(ev).get(aksi="realisasi_tahunan_disimpan")
    assert log.actor_id == world.pegawai.pk and len(log.perubahan) == 3
    # Changing one value records only that one.
    isian = _isi_lengkap(tahun) | {tahun.waktu.pk: (Decimal(11), "Lebih cepat")}
    tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian=isian, versi=ev.versi)
    log = AuditLog.objects.for_object(ev).filter(aksi="realisasi_tahunan_disimpan").order_by("-pk").first()
    assert list(log.perubahan.values()) == [["12 — Tepat waktu", "11 — Lebih cepat"]]
    tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    ev.refresh_from_db()
    assert ev.status == Evaluasi.Status.DIKIRIM and ev.snapshot_pegawai["nip"] == world.pegawai.nip
    with pytest.raises(PenilaianError, match="sudah dikirim"):
        tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian=_isi_lengkap(tahun), versi=ev.versi)
    with pytest.raises(PenilaianError, match="sudah dikirim"):
        tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    assert AuditLog.objects.for_object(ev).filter(aksi="realisasi_dikirim").count() == 1


def test_kirim_needs_every_iki(world, tahun):
    ev = _ev(world, tahun)
    isian = _isi_lengkap(tahun)
    isian[tahun.rentang.pk] = (None, "")
    tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian=isian, versi=ev.versi)
    with pytest.raises(PenilaianError, match="Persentase data yang tervalidasi"):
        tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    assert Evaluasi.objects.get(pk=ev.pk).status == Evaluasi.Status.DRAFT


@pytest.mark.parametrize(
    "case, message",
    [
        ("other", "Hanya pegawai yang bersangkutan"),
        ("stale", "tab/jendela lain"),
        ("negative", "harus angka 0 atau lebih"),
        ("nan", "harus angka 0 atau lebih"),
        ("huge", "harus angka 0 atau lebih"),
        ("foreign", "bukan bagian SKP ini"),
    ],
)
def test_simpan_refuses_and_changes_nothing(world, tahun, case, message):
    ev = _ev(world, tahun)
    isian, by, versi = _isi_lengkap(tahun), world.pegawai, ev.versi
    if case == "other":
        by = world.penilai
    elif case == "stale":
        versi = ev.versi - 1 if ev.versi > 1 else ev.versi + 5
    elif case == "negative":
        isian[tahun.laporan.pk] = (Decimal(-1), "")
    elif case == "nan":
        isian[tahun.laporan.pk] = (Decimal("NaN"), "")
    elif case == "huge":
        isian[tahun.laporan.pk] = (Decimal("1e20"), "")
    elif case == "foreign":
        isian[tahun.penilai_skp.rhk_set.get().iki_set.get().pk] = (Decimal(1), "")
    with pytest.raises((PenilaianError, KonflikVersi), match=message):
        tahunan.simpan_realisasi_tahunan(ev, by=by, isian=isian, versi=versi)
    assert not RealisasiTahunan.objects.filter(evaluasi=ev).exists()
    assert not AuditLog.objects.filter(aksi="realisasi_tahunan_disimpan").exists()


def test_simpan_refused_when_the_annual_period_is_locked(world, tahun):
    ev = _ev(world, tahun)
    today = datetime.date.today()
    Periode.objects.filter(pk=tahun.periode.pk).update(
        batas_realisasi=today - datetime.timedelta(days=9), batas_penilaian=today - datetime.timedelta(days=2)
    )
    ev = Evaluasi.objects.select_related("periode").get(pk=ev.pk)
    with pytest.raises(PenilaianError, match="sudah dikunci"):
        tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian=_isi_lengkap(tahun), versi=ev.versi)


def test_kualitatif_iki_takes_a_narrative(world):
    kepala = approved_skp(world.kepala, world.sekda, [("Derajat kesehatan", [IKI_LAPORAN], [])], tahun=T)
    penilai = approved_skp(world.penilai, world.kepala, [("Mutu layanan", [IKI_LAPORAN], [kepala.rhk_set.get()])],
                           tahun=T)  # fmt: skip
    from skp.services import IkiData

    skp = approved_skp(
        world.pegawai, world.penilai,
        [("Tersusunnya kajian", [IkiData(uraian="Kajian diterima pimpinan", target_kualitatif="Kajian diterima")],
          [penilai.rhk_set.get()])],
        tahun=T, pendekatan="KUALITATIF",
    )  # fmt: skip
    iki = skp.rhk_set.get().iki_set.get()
    ev = pastikan_evaluasi(world.pegawai, buka_periode(T, 0))[0]
    ev = Evaluasi.objects.select_related("periode").get(pk=ev.pk)
    tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian={iki.pk: (Decimal(5), "")}, versi=ev.versi)
    assert RealisasiTahunan.objects.get(evaluasi=ev).realisasi is None  # a number has no place here
    with pytest.raises(PenilaianError, match="isi realisasi tahunan"):
        tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian={iki.pk: (None, "Kajian diterima.")}, versi=ev.versi)
    tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    assert Evaluasi.objects.get(pk=ev.pk).status == Evaluasi.Status.DIKIRIM


# HTTP: the pegawai -------------------------------------------------------------------------------


def _post_data(r, ev, **over) -> dict:
    data = {
        "versi": ev.versi,
        f"realisasi_{r.laporan.pk}": "12",
        f"uraian_{r.laporan.pk}": "Dua belas laporan",
        f"realisasi_{r.waktu.pk}": "12",
        f"uraian_{r.waktu.pk}": "Tepat waktu",
        f"realisasi_{r.rentang.pk}": "87,5",
        f"uraian_{r.rentang.pk}": "",
    }
    data.update(over)
    return data


def test_page_shows_prefill_and_the_twelve_months(client, world, tahun):
    client.force_login(world.pegawai)
    response = client.get(reverse("penilaian:tahunan", args=[T]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="realisasi_{tahun.laporan.pk}" id="id_realisasi_{tahun.laporan.pk}" value="12"' in page
    assert "12 Dokumen (dari 12 rencana aksi)" in page
    assert "1.020 %" in page
    assert "Predikat bulanan 2025" in page and page.count("predikat-baik") >= 8
    assert "setelah bulan Desember berakhir" in page
    assert reverse("penilaian:tahunan_kirim", args=[_ev(world, tahun).pk]) in page


def test_simpan_and_kirim_through_http(client, world, tahun):
    ev = _ev(world, tahun)
    client.force_login(world.pegawai)
    url = reverse("penilaian:tahunan_simpan", args=[ev.pk])
    response = client.post(url, _post_data(tahun, ev, **{f"realisasi_{tahun.laporan.pk}": "1.000,5"}))
    assert response.status_code == 302
    assert RealisasiTahunan.objects.get(evaluasi=ev, iki=tahun.laporan).realisasi == Decimal("1000.5")
    assert RealisasiTahunan.objects.get(evaluasi=ev, iki=tahun.rentang).realisasi == Decimal("87.5")
    ev.refresh_from_db()
    page = client.get(response.url).content.decode()
    assert "Realisasi tahunan disimpan." in page and "Capaian 100,00 % · nilai 109,00" in page
    response = client.post(reverse("penilaian:tahunan_kirim", args=[ev.pk]), {"versi": ev.versi})
    assert response.status_code == 302
    ev.refresh_from_db()
    assert ev.status == Evaluasi.Status.DIKIRIM
    page = client.get(response.url).content.decode()
    assert "dikirim kepada pejabat penilai" in page and 'id="form-kirim"' not in page
    # A second click: a message, nothing changes.
    response = client.post(reverse("penilaian:tahunan_kirim", args=[ev.pk]), {"versi": ev.versi}, follow=True)
    assert "sudah dikirim" in response.content.decode()
    assert AuditLog.objects.for_object(ev).filter(aksi="realisasi_dikirim").count() == 1


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "bukan angka"),
        ("NaN", "bukan angka"),
        ("Infinity", "bukan angka"),
        ("1e309", "bukan angka"),
        ("-1", "tidak boleh kurang dari 0"),
        ("123456789012345678", "terlalu besar"),
        ("1,000.5", "tidak jelas dibaca"),
    ],
)
def test_bad_numbers_get_a_message_and_keep_the_input(client, world, tahun, value, message):
    ev = _ev(world, tahun)
    client.force_login(world.pegawai)
    response = client.post(
        reverse("penilaian:tahunan_simpan", args=[ev.pk]),
        _post_data(tahun, ev, **{f"realisasi_{tahun.laporan.pk}": value, f"uraian_{tahun.waktu.pk}": "Teks saya"}),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and "Periksa kembali isian yang ditandai." in page
    assert f'value="{value}"' in page and "Teks saya" in page
    assert not RealisasiTahunan.objects.filter(evaluasi=ev).exists()


def test_stale_form_is_refused_with_the_input_kept(client, world, tahun):
    ev = _ev(world, tahun)
    client.force_login(world.pegawai)
    url = reverse("penilaian:tahunan_simpan", args=[ev.pk])
    assert client.post(url, _post_data(tahun, ev)).status_code == 302
    response = client.post(url, _post_data(tahun, ev, **{f"uraian_{tahun.waktu.pk}": "Tab lama"}))
    page = response.content.decode()
    assert response.status_code == 400 and "tab/jendela lain" in page and "Tab lama" in page
    assert RealisasiTahunan.objects.get(evaluasi=ev, iki=tahun.waktu).uraian == "Tepat waktu"


def test_mutating_views_are_post_only(client, world, tahun):
    ev = _ev(world, tahun)
    client.force_login(world.pegawai)
    for name in ("tahunan_simpan", "tahunan_kirim", "kembalikan_tahunan"):
        assert client.get(reverse(f"penilaian:{name}", args=[ev.pk])).status_code == 405


def test_monthly_evaluation_is_not_an_annual_one(client, world, tahun):
    bulan = Evaluasi.objects.filter(pegawai=world.pegawai, periode__bulan=9).get()
    client.force_login(world.pegawai)
    assert client.post(reverse("penilaian:tahunan_simpan", args=[bulan.pk]), {}).status_code == 404
    client.force_login(world.penilai)
    assert client.get(reverse("penilaian:nilai_tahunan", args=[bulan.pk])).status_code == 404


def test_two_parts_of_the_year(client, world, tahun):
    """A jabatan change: the page opens on the year's result and lists the parts."""
    j = Jabatan.objects.create(nama="Analis Data Kesehatan", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=7,
                               opd=world.opd, unit=world.unit, atasan=world.penilai.jabatan)  # fmt: skip
    skp_services.close_skp(fresh(tahun.skp), by=world.admin_opd, per_tanggal=datetime.date(T, 10, 1), alasan="Mutasi")
    world.pegawai.jabatan = j
    world.pegawai.save()
    baru = approved_skp(world.pegawai, world.penilai,
                        [("Analisis data", [IKI_LAPORAN], [tahun.penilai_skp.rhk_set.get()])], tahun=T)  # fmt: skip
    client.force_login(world.pegawai)
    page = client.get(reverse("penilaian:tahunan", args=[T])).content.decode()
    lama = Evaluasi.objects.get(periode=tahun.periode, skp=tahun.skp)
    kini = Evaluasi.objects.get(periode=tahun.periode, skp=baru)
    assert kini.hasil_bulan and not lama.hasil_bulan
    assert f"?bagian={lama.pk}" in page and "Analisis data" in page
    page = client.get(reverse("penilaian:tahunan", args=[T]) + f"?bagian={lama.pk}").content.decode()
    assert "Tersusunnya laporan data pelayanan kesehatan" in page


# HTTP: the penilai -------------------------------------------------------------------------------


@pytest.fixture
def dikirim(world, tahun) -> Evaluasi:
    ev = _ev(world, tahun)
    tahunan.simpan_realisasi_tahunan(ev, by=world.pegawai, isian=_isi_lengkap(tahun), versi=ev.versi)
    tahunan.kirim_realisasi_tahunan(ev, by=world.pegawai, versi=ev.versi)
    return Evaluasi.objects.get(pk=ev.pk)


def test_rating_page_shows_capaian_and_rates(client, world, tahun, dikirim):
    client.force_login(world.penilai)
    url = reverse("penilaian:nilai_tahunan", args=[dikirim.pk])
    page = client.get(url).content.decode()
    # 12/12 → 100 % → 109; waktu 12 of 12 (less is better) → 100 % → 109; 87,5 in 80–90 → 100 %.
    assert page.count("100,00 %") == 3 and "109,00" in page
    assert 'id="matriks-predikat"' in page and "penilaian_tahunan.js" in page
    assert "Di Atas Ekspektasi" in page and "Predikat bulanan 2025" in page
    rhk = tahun.skp.rhk_set.get()
    response = client.post(url, {"versi": dikirim.versi, "rating_hasil": "DI_ATAS", "rating_perilaku": "DI_ATAS",
                                 f"ub_rhk_{rhk.pk}": "Laporan lengkap.", "ub_ADAPTIF": "Banyak ide."})  # fmt: skip
    assert response.status_code == 302
    dikirim.refresh_from_db()
    assert (dikirim.status, dikirim.predikat, dikirim.dinilai_oleh_id) == ("DINILAI", "SANGAT_BAIK", world.penilai.pk)
    assert set(UmpanBalik.objects.filter(evaluasi=dikirim).values_list("teks", flat=True)) == {
        "Laporan lengkap.", "Banyak ide.",
    }  # fmt: skip
    assert AuditLog.objects.for_object(dikirim).filter(aksi="evaluasi_dinilai").count() == 1
    page = client.get(url).content.decode()
    assert "Sangat Baik" in page and reverse("penilaian:cetak", args=[dikirim.pk]) in page
    client.force_login(world.pegawai)
    page = client.get(reverse("penilaian:tahunan", args=[T])).content.decode()
    assert "Sangat Baik" in page and "Laporan lengkap." in page and "Banyak ide." in page


def test_rating_needs_both_ratings_and_keeps_the_feedback(client, world, dikirim):
    client.force_login(world.penilai)
    url = reverse("penilaian:nilai_tahunan", args=[dikirim.pk])
    response = client.post(url, {"versi": dikirim.versi, "rating_hasil": "DI_ATAS", "ub_LOYAL": "Jujur sekali."})
    page = response.content.decode()
    assert response.status_code == 400 and "Pilih rating perilaku kerja." in page and "Jujur sekali." in page
    response = client.post(url, {"versi": dikirim.versi, "rating_hasil": "HEBAT", "rating_perilaku": "SESUAI"})
    assert response.status_code == 400 and "Pilih rating hasil kerja." in response.content.decode()
    assert Evaluasi.objects.get(pk=dikirim.pk).status == Evaluasi.Status.DIKIRIM


def test_kembalikan_needs_a_note(client, world, dikirim):
    client.force_login(world.penilai)
    url = reverse("penilaian:kembalikan_tahunan", args=[dikirim.pk])
    response = client.post(url, {"versi": dikirim.versi, "catatan": "  "})
    assert response.status_code == 400 and "Tuliskan catatan" in response.content.decode()
    response = client.post(url, {"versi": dikirim.versi, "catatan": "Lengkapi uraian IKI 1.3."})
    assert response.status_code == 302
    dikirim.refresh_from_db()
    assert dikirim.status == Evaluasi.Status.DIKEMBALIKAN
    client.force_login(world.pegawai)
    page = client.get(reverse("penilaian:tahunan", args=[T])).content.decode()
    assert "Lengkapi uraian IKI 1.3." in page and 'id="form-kirim"' in page


def test_rating_before_submission_is_refused(client, world, tahun):
    ev = _ev(world, tahun)
    client.force_login(world.penilai)
    url = reverse("penilaian:nilai_tahunan", args=[ev.pk])
    page = client.get(url).content.decode()
    assert "belum mengirim realisasi tahunannya" in page and 'id="form-nilai"' not in page
    response = client.post(url, {"versi": ev.versi, "rating_hasil": "SESUAI", "rating_perilaku": "SESUAI"})
    assert response.status_code == 400 and "belum dikirim" in response.content.decode()
    assert Evaluasi.objects.get(pk=ev.pk).status == Evaluasi.Status.DRAFT


def test_forged_posts_by_others(client, world, dikirim):
    data = {"versi": dikirim.versi, "rating_hasil": "DI_ATAS", "rating_perilaku": "DI_ATAS", "catatan": "x"}
    expected = {"pegawai": 403, "kepala": 403, "admin_opd": 403, "admin_bkd": 403, "auditor": 403, "outsider": 404}
    for role, status in expected.items():
        client.force_login(world.roles()[role])
        for name in ("nilai_tahunan", "kembalikan_tahunan"):
            assert client.post(reverse(f"penilaian:{name}", args=[dikirim.pk]), data).status_code == status, (
                role,
                name,
            )
    client.force_login(world.pegawai2)
    assert client.post(reverse("penilaian:nilai_tahunan", args=[dikirim.pk]), data).status_code == 404
    assert Evaluasi.objects.get(pk=dikirim.pk).status == Evaluasi.Status.DIKIRIM


def test_team_page(client, world, dikirim):
    client.force_login(world.penilai)
    response = client.get(reverse("penilaian:tahunan_tim_sekarang"))
    assert response.status_code == 302 and response.url.endswith(f"/tahunan/{datetime.date.today().year - 1}/tim/")
    page = client.get(reverse("penilaian:tahunan_tim", args=[T])).content.decode()
    assert "Agus Setiawan" in page and "Dewi Lestari" in page and "Belum diisi: 1" in page and "Dikirim: 1" in page
    assert reverse("penilaian:nilai_tahunan", args=[dikirim.pk]) in page


# Access matrix -----------------------------------------------------------------------------------

ROLES = ("pegawai", "pegawai2", "penilai", "kepala", "admin_opd", "admin_bkd", "auditor", "outsider", "bupati")


def _user(world, role):
    return getattr(world, role)


ACCESS = {
    # url name: (args kind, method, {role: status})
    "tahunan_sekarang": ("none", "get", dict.fromkeys(ROLES, 302)),
    "tahunan": ("tahun", "get", {**dict.fromkeys(ROLES, 200), "bupati": 403}),
    "tahunan_tim_sekarang": ("none", "get", dict.fromkeys(ROLES, 302)),
    "tahunan_tim": (
        "tahun",
        "get",
        {**dict.fromkeys(ROLES, 403), "penilai": 200, "kepala": 200, "bupati": 200},
    ),
    "nilai_tahunan": (
        "ev",
        "get",
        {
            "pegawai": 403,
            "pegawai2": 404,
            "penilai": 200,
            "kepala": 403,
            "admin_opd": 403,
            "admin_bkd": 403,
            "auditor": 403,
            "outsider": 404,
            "bupati": 403,
        },
    ),
    "tahunan_simpan": (
        "ev",
        "post",
        {
            "pegawai": 400,
            "pegawai2": 404,
            "penilai": 403,
            "kepala": 403,
            "admin_opd": 403,
            "admin_bkd": 403,
            "auditor": 403,
            "outsider": 404,
            "bupati": 403,
        },
    ),
    "tahunan_kirim": (
        "ev",
        "post",
        {
            "pegawai": 302,
            "pegawai2": 404,
            "penilai": 403,
            "kepala": 403,
            "admin_opd": 403,
            "admin_bkd": 403,
            "auditor": 403,
            "outsider": 404,
            "bupati": 403,
        },
    ),
    "kembalikan_tahunan": (
        "ev",
        "post",
        {
            "pegawai": 403,
            "pegawai2": 404,
            "penilai": 400,
            "kepala": 403,
            "admin_opd": 403,
            "admin_bkd": 403,
            "auditor": 403,
            "outsider": 404,
            "bupati": 403,
        },
    ),
}


def test_every_tahunan_url_has_an_access_row():
    from penilaian.views import tahunan as views

    assert {p.name for p in views.urlpatterns} == set(ACCESS)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access_matrix(client, world, tahun, name):
    kind, method, expected = ACCESS[name]
    ev = _ev(world, tahun)
    args = {"none": [], "tahun": [T], "ev": [ev.pk]}[kind]
    url = reverse(f"penilaian:{name}", args=args)
    for role in ROLES:
        client.force_login(_user(world, role))
        response = getattr(client, method)(url, {"versi": "x"} if method == "post" else {})
        assert response.status_code == expected[role], (name, role, response.status_code)
    client.logout()
    assert getattr(client, method)(url).status_code == 302  # login required


# Query counts ------------------------------------------------------------------------------------


def test_team_page_queries_do_not_grow(client, world, django_assert_max_num_queries):
    buka_periode(T, 0)
    for i in range(40):
        make_pegawai(f"Pegawai Puskesmas {i:02d}", world.pegawai.jabatan)
    client.force_login(world.penilai)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("penilaian:tahunan_tim", args=[T])).content.decode()
    assert page.count("Pegawai Puskesmas") == 40


def test_pages_queries_pinned(client, world, tahun, dikirim, django_assert_max_num_queries):
    client.force_login(world.pegawai)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("penilaian:tahunan", args=[T])).status_code == 200
    client.force_login(world.penilai)
    with django_assert_max_num_queries(24):
        assert client.get(reverse("penilaian:nilai_tahunan", args=[dikirim.pk])).status_code == 200
