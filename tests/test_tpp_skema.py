"""The TPP scheme per year (SPEC §7): the version in force, copying last year, editing in place or as
a new version after the final months, every refusal, the audit, the pages and their query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from opd.models import AuditLog, Jabatan, JenisJabatan
from penilaian.models import BesaranTpp, SkemaTpp
from penilaian.services import tpp_skema as services
from penilaian.services._common import KonflikVersi, PenilaianError
from tests.conftest import make_pegawai
from tests.tpp_fixtures import BESARAN, final, form_data, periode, skema

pytestmark = pytest.mark.django_db


def test_skema_berlaku_is_the_version_in_force_on_the_first_day(world):
    jan = skema(2026, world.admin_bkd)
    jul = skema(2026, world.admin_bkd, mulai=7)
    skema(2027, world.admin_bkd)
    assert services.skema_berlaku(2026, 1) == jan
    assert services.skema_berlaku(2026, 6) == jan
    assert services.skema_berlaku(2026, 7) == jul
    assert services.skema_berlaku(2026, 12) == jul
    assert services.skema_berlaku(2025, 12) is None


def test_skema_berlaku_costs_one_query(world, django_assert_num_queries):
    skema(2026, world.admin_bkd)
    with django_assert_num_queries(1):
        services.skema_berlaku(2026, 5)


def test_salin_tahun_lalu_copies_the_latest_version(world):
    skema(2025, world.admin_bkd)
    akhir = skema(2025, world.admin_bkd, mulai=9, bobot_kinerja=70, bobot_disiplin=30,
                  besaran={**BESARAN, 7: 4_444_444}, kedudukan_tanpa_tpp=["CLTN"])  # fmt: skip
    baru = services.salin_tahun_lalu(2026, by=world.admin_bkd)
    assert (baru.tahun, baru.berlaku_mulai, baru.bobot_kinerja) == (2026, 1, 70)
    assert services.besaran_map(baru) == {**BESARAN, 7: 4_444_444}
    assert baru.kedudukan_tanpa_tpp == ["CLTN"]
    assert services.besaran_map(akhir)[7] == 4_444_444  # the source is untouched
    log = AuditLog.objects.get(aksi="skema_tpp_disalin")
    assert log.perubahan["besaran_kelas_7"] == [None, 4444444]


def test_salin_refused_without_last_year_or_when_the_year_exists(world):
    with pytest.raises(PenilaianError, match="Tidak ada skema TPP tahun 2025"):
        services.salin_tahun_lalu(2026, by=world.admin_bkd)
    skema(2026, world.admin_bkd)
    skema(2025, world.admin_bkd)
    with pytest.raises(PenilaianError, match="sudah ada"):
        services.salin_tahun_lalu(2026, by=world.admin_bkd)
    assert SkemaTpp.objects.filter(tahun=2026).count() == 1


def test_only_the_admin_bkd_changes_the_scheme(world):
    skema(2025, world.admin_bkd)
    for who in (world.auditor, world.admin_opd, world.pegawai):
        with pytest.raises(PenilaianError, match="Hanya admin BKD"):
            services.salin_tahun_lalu(2026, by=who)
    assert not SkemaTpp.objects.filter(tahun=2026).exists()


def _data(s: SkemaTpp, **changes) -> services.DataSkema:
    data = services.DataSkema.dari(s)
    besaran = changes.pop("besaran", None)
    if besaran is not None:
        data.besaran = besaran
    data.persen.update({k: Decimal(v) for k, v in changes.items()})
    return data


def test_edit_in_place_when_no_month_is_final(world):
    s = skema(2026, world.admin_bkd)
    services.ubah_skema(s, _data(s, besaran={**BESARAN, 6: 2_600_000}, persen_kurang="55"), by=world.admin_bkd,
                        versi=1)  # fmt: skip
    s.refresh_from_db()
    assert s.versi == 2 and s.persen_kurang == Decimal("55")
    assert services.besaran_map(s)[6] == 2_600_000
    log = AuditLog.objects.get(aksi="skema_tpp_diubah")
    assert log.perubahan["besaran_kelas_6"] == [BESARAN[6], 2600000]
    assert log.perubahan["persen_kurang"] == ["60", "55"]


def test_a_stale_form_is_refused(world):
    s = skema(2026, world.admin_bkd)
    services.ubah_skema(s, _data(s, persen_kurang="55"), by=world.admin_bkd, versi=1)
    with pytest.raises(KonflikVersi):
        services.ubah_skema(s, _data(s, persen_kurang="50"), by=world.admin_bkd, versi=1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bobot_kinerja": "70"}, "berjumlah 100"),
        ({"persen_baik": "101"}, "antara 0 dan 100"),
        ({"potongan_tl1": "-1"}, "antara 0 dan 100"),
        ({"potongan_hukdis": "NaN"}, "antara 0 dan 100"),
        ({"besaran": {**BESARAN, 6: 0}}, "Besaran kelas 6"),
        ({"besaran": {k: v for k, v in BESARAN.items() if k != 7}}, r"kelas 7 \(2 pegawai\)"),
    ],
)
def test_bad_schemes_are_refused_and_change_nothing(world, changes, message):
    s = skema(2026, world.admin_bkd)
    with pytest.raises(PenilaianError, match=message):
        services.ubah_skema(s, _data(s, **changes), by=world.admin_bkd, versi=1)
    s.refresh_from_db()
    assert s.versi == 1 and services.besaran_map(s) == BESARAN
    assert not AuditLog.objects.filter(aksi="skema_tpp_diubah").exists()


def test_unknown_or_aktif_kedudukan_is_refused(world):
    s = skema(2026, world.admin_bkd)
    for bad in (["AKTIF"], ["../etc"]):
        data = _data(s)
        data.kedudukan_tanpa_tpp = bad
        with pytest.raises(PenilaianError, match="Kedudukan hukum tidak dikenal"):
            services.ubah_skema(s, data, by=world.admin_bkd)


def test_a_version_used_by_a_final_month_makes_a_new_version(world):
    s = skema(2026, world.admin_bkd)
    final(periode(2026, 1), s, world.admin_bkd)
    final(periode(2026, 2), s, world.admin_bkd)
    data = _data(s, besaran={**BESARAN, 6: 2_000_000})
    with pytest.raises(PenilaianError, match="Januari, Februari 2026"):
        services.ubah_skema(s, data, by=world.admin_bkd)
    for bad in (1, 2):  # on or before the last final month
        with pytest.raises(PenilaianError, match="setelah bulan terakhir yang sudah final"):
            services.ubah_skema(s, data, by=world.admin_bkd, mulai_bulan=bad)
    baru = services.ubah_skema(s, data, by=world.admin_bkd, mulai_bulan=4, alasan="Perbup baru")
    assert (baru.tahun, baru.berlaku_mulai) == (2026, 4)
    assert services.besaran_map(s)[6] == BESARAN[6]  # the final months' version is unchanged
    assert services.skema_berlaku(2026, 3) == s and services.skema_berlaku(2026, 4) == baru
    log = AuditLog.objects.get(aksi="skema_tpp_versi_baru")
    assert log.perubahan["besaran_kelas_6"] == [BESARAN[6], 2000000] and log.alasan == "Perbup baru"
    assert services.bulan_versi_baru(services.versi_dari(s)) == [3]


def test_a_new_version_may_not_start_where_the_next_one_rules(world):
    s = skema(2026, world.admin_bkd)
    skema(2026, world.admin_bkd, mulai=6)
    with pytest.raises(PenilaianError, match="Mulai Juni 2026 berlaku versi lain"):
        services.ubah_skema(s, _data(s), by=world.admin_bkd, mulai_bulan=8)
    with pytest.raises(PenilaianError, match="setelah Januari"):
        services.ubah_skema(s, _data(s), by=world.admin_bkd, mulai_bulan=1)
    # Same month as an existing version: the unique constraint answers in Indonesian.
    assert services.ubah_skema(s, _data(s), by=world.admin_bkd, mulai_bulan=3).berlaku_mulai == 3


def test_changing_next_years_scheme_never_touches_this_year(world):
    ini = skema(2026, world.admin_bkd)
    depan = skema(2027, world.admin_bkd)
    services.ubah_skema(depan, _data(depan, besaran={**BESARAN, 6: 9_000_000}), by=world.admin_bkd)
    assert services.besaran_map(ini)[6] == BESARAN[6]
    assert services.skema_berlaku(2026, 12) == ini


def test_besaran_kurang_names_the_kelas_held(world):
    jab = Jabatan.objects.create(nama="Pranata", jenis=JenisJabatan.PELAKSANA, kelas_jabatan=5, opd=world.opd)
    make_pegawai("Tugas Belajar", jab, kedudukan_hukum="TUGAS_BELAJAR")
    make_pegawai("Aktif Satu", jab)
    assert services.besaran_kurang({}) == [(5, 1), (6, 3), (7, 2), (11, 2), (14, 1), (15, 1)]


# Pages --------------------------------------------------------------------------------------------


def test_list_page_and_copy_through_http(client, world, django_assert_max_num_queries):
    for tahun in range(2020, 2026):
        for mulai in (1, 5, 9):
            skema(tahun, world.admin_bkd, mulai=mulai)
    client.force_login(world.admin_bkd)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("penilaian:tpp_skema_list"))
    assert response.status_code == 200 and "Skema TPP 2025 mulai September" in response.text
    response = client.post(reverse("penilaian:tpp_skema_buat"), {"tahun": "2026", "sumber": "salin"})
    baru = SkemaTpp.objects.get(tahun=2026)
    assert response.status_code == 302 and response["Location"] == reverse("penilaian:tpp_skema_detail", args=[baru.pk])


def test_list_query_count_does_not_grow_with_years(client, world, django_assert_num_queries):
    client.force_login(world.admin_bkd)
    skema(2025, world.admin_bkd)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("penilaian:tpp_skema_list"))
    for tahun in range(2020, 2025):
        skema(tahun, world.admin_bkd)
        skema(tahun, world.admin_bkd, mulai=7)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("penilaian:tpp_skema_list"))
    # Two queries per year shown (versions, final months): bounded by the years, never by the rows.
    assert len(many) - len(one) <= 2 * 5


def test_form_keeps_what_was_typed_on_error(client, world):
    s = skema(2026, world.admin_bkd)
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:tpp_skema_ubah", args=[s.pk])
    for value, message in (
        ("1e309", "bukan angka"), ("1.000,5", "harus bilangan bulat"), ("-5", "tidak boleh kurang dari 1"),
        ("Infinity", "bukan angka"), ("99999999999", "terlalu besar"), ("1000000001", "tidak boleh lebih dari"),
    ):  # fmt: skip
        response = client.post(url, form_data(s, besaran_6=value))
        assert response.status_code == 200, value
        assert message in response.text and f'value="{value}"' in response.text
    response = client.post(url, form_data(s, bobot_kinerja="70"))
    assert "berjumlah 100" in response.text
    response = client.post(url, form_data(s, persen_baik="120"))
    assert "tidak boleh lebih dari 100" in response.text
    s.refresh_from_db()
    assert s.versi == 1 and services.besaran_map(s) == BESARAN


def test_form_saves_with_thousands_dots(client, world):
    s = skema(2026, world.admin_bkd)
    client.force_login(world.admin_bkd)
    response = client.post(reverse("penilaian:tpp_skema_ubah", args=[s.pk]), form_data(s, besaran_6="3.333.333"))
    assert response.status_code == 302
    assert BesaranTpp.objects.get(skema=s, kelas_jabatan=6).besaran == 3_333_333


def test_form_of_a_final_version_requires_a_month(client, world):
    s = skema(2026, world.admin_bkd)
    final(periode(2026, 1), s, world.admin_bkd)
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:tpp_skema_ubah", args=[s.pk])
    response = client.post(url, form_data(s, besaran_6="2000000"))
    assert response.status_code == 200 and "Pilih bulan mulai berlakunya versi baru" in response.text
    response = client.post(url, form_data(s, besaran_6="2000000", mulai_bulan="1"))
    assert "tidak dapat dipilih" in response.text
    response = client.post(url, form_data(s, besaran_6="2000000", mulai_bulan="2"))
    assert response.status_code == 302
    assert services.besaran_map(services.skema_berlaku(2026, 2))[6] == 2_000_000
    assert services.besaran_map(s)[6] == BESARAN[6]


def test_detail_names_missing_besaran(client, world):
    s = skema(2026, world.admin_bkd, besaran={k: v for k, v in BESARAN.items() if k not in (6, 7)})
    client.force_login(world.auditor)
    response = client.get(reverse("penilaian:tpp_skema_detail", args=[s.pk]))
    assert "<strong>kelas 6</strong> (3 pegawai)" in response.text
    assert "<strong>kelas 7</strong> (2 pegawai)" in response.text
    assert reverse("penilaian:tpp_skema_ubah", args=[s.pk]) not in response.text  # read-only for the auditor
