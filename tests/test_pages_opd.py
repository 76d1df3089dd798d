"""People pages through HTTP: happy paths with their audit rows, invalid input kept, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from opd import services
from opd.models import AuditLog, Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt, UnitKerja
from tests.conftest import make_nip, make_pegawai

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _plt(world, **extra) -> PenugasanPlt:
    values = {
        "jabatan": world.penilai.jabatan,
        "pegawai": world.admin_opd,
        "jenis": "PLT",
        "mulai": TODAY - datetime.timedelta(days=1),
        "selesai": TODAY + datetime.timedelta(days=30),
    }
    values.update(extra)
    return PenugasanPlt.objects.create(**values)


# Dashboard --------------------------------------------------------------------------------------


def test_dashboard_pegawai_shows_profile_penilai_and_admin_opd(client, world):
    client.force_login(world.pegawai)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert "Agus Setiawan" in html and "199002142015031003" in html
    assert "Pengatur (II/c)" in html
    assert "Rina Puspitasari, S.KM." in html  # penilai
    assert "dr. Sunarto, M.Kes." in html  # atasan penilai
    assert "Yuli Handayani" in html  # admin OPD to contact
    assert "Ringkasan OPD" not in html


def test_dashboard_shows_plt_label(client, world):
    _plt(world)
    client.force_login(world.pegawai)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert "Yuli Handayani" in html
    assert "(Plt) Kepala Bidang Pelayanan Kesehatan" in html


def test_dashboard_penilai_lists_bawahan(client, world):
    client.force_login(world.penilai)
    html = client.get(reverse("opd:dashboard")).content.decode()
    assert "Agus Setiawan" in html and "Dewi Lestari" in html


def test_dashboard_admin_bkd_counts_per_opd(client, world, django_assert_max_num_queries):
    client.force_login(world.admin_bkd)
    # Constant: the OPDs, then the counts and `tanpa penilai` grouped per position (4 queries);
    # the SKP card (skp.widgets) adds the team's SKP (1 query; the team comes from the Beranda);
    # the menu flags and whom to contact about a wrong supervisor are fixed costs too; the monthly
    # card (penilaian.widgets) looks up the current period once (the admin BKD is a pegawai too);
    # the monitoring card (penilaian.widgets_monitoring) looks it up again (+1; with a period
    # opened it also reads the OPDs and one grouped count: +3, pinned in
    # tests/test_penilaian_monitoring.py).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("opd:dashboard"))
    rows = {r["opd"].kode: r for r in response.context["summary"]["rows"]}
    dinkes = rows["DINKESDALDUKKB"]
    assert dinkes["jumlah"] == 5  # kepala, penilai, pegawai, pegawai2, admin_opd
    assert dinkes["per_jenis"] == [1, 1, 0, 3, 0]
    assert dinkes["tanpa"] == 0
    assert rows["BKD"]["tanpa"] == 1  # Analis Kepegawaian has no atasan in the world
    assert list(rows)[:4] == [o.kode for o in Opd.objects.filter(pilot=True).order_by("urutan", "nama")]
    assert "Ringkasan OPD" in response.content.decode()


@pytest.mark.parametrize("setup", ["none", "plt", "plh", "plt_of_own_penilai", "vacant", "cltn", "cycle"])
def test_hitung_per_opd_agrees_with_orgchart(world, setup):
    """The per-position count of pegawai without penilai is OrgChart's answer per pegawai,
    including those who act (Plt/Plh) for the position that rates them."""
    if setup == "plt":
        _plt(world)
    elif setup == "plh":
        _plt(world, jenis="PLH", pegawai=world.pegawai2)
    elif setup == "plt_of_own_penilai":
        # The pegawai is Plt of the vacant position that rates them, and everything above is
        # vacant: nobody else rates them, while their colleagues are rated by them.
        _plt(world, pegawai=world.pegawai)
        Pegawai.objects.filter(pk__in=[world.penilai.pk, world.kepala.pk]).update(jabatan=None)
        Jabatan.objects.filter(pk=world.kepala.jabatan_id).update(atasan=None)
    elif setup == "vacant":
        Pegawai.objects.filter(pk=world.penilai.pk).update(jabatan=None)
    elif setup == "cltn":
        Pegawai.objects.filter(pk=world.penilai.pk).update(kedudukan_hukum=Pegawai.KedudukanHukum.CLTN)
    elif setup == "cycle":
        Jabatan.objects.filter(pk=world.kepala.jabatan_id).update(atasan=world.penilai.jabatan)
        Pegawai.objects.filter(pk=world.sekda.pk).update(jabatan=None)
    chart = services.OrgChart()
    expected: dict[int, int] = {}
    for pk, opd_id in Pegawai.objects.aktif().asn().values_list("pk", "opd_id"):
        expected.setdefault(opd_id, 0)
        if chart.penilai_id(pk) is None:
            expected[opd_id] += 1
    counts = services.hitung_per_opd(Opd.objects.values_list("pk", flat=True), every_opd=True)
    assert {pk: c.tanpa_penilai for pk, c in counts.items() if pk in expected} == expected
    # One OPD (admin OPD): only the holders above its people are read, with the same answer.
    for opd_id in (world.opd.pk, world.other_opd.pk):
        assert services.hitung_per_opd([opd_id])[opd_id].tanpa_penilai == expected.get(opd_id, 0)
    if setup == "plt_of_own_penilai":
        # The case the exception path exists for.
        assert chart.penilai_id(world.pegawai.pk) is None
        assert chart.penilai_id(world.pegawai2.pk) == world.pegawai.pk


def test_dashboard_admin_query_count_does_not_grow(client, world):
    """Issue #9: the admin Beranda read every pegawai of the regency; its queries stay the same
    when the regency grows, and no query returns a row per pegawai."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure() -> tuple[int, int]:
        cache.clear()  # the regency's counts are kept a minute: compare two cold Berandas
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("opd:dashboard"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context["summary"]["total_pegawai"]

    client.force_login(world.admin_bkd)
    before, total_before = measure()
    jabatan = Jabatan.objects.create(
        nama="Perawat Terampil", jenis=JenisJabatan.FUNGSIONAL, kelas_jabatan=7, opd=world.opd,
        unit=world.unit, atasan=world.penilai.jabatan,
    )  # fmt: skip
    Pegawai.objects.bulk_create(
        Pegawai(nip=make_nip(serial=500 + i), nama=f"Perawat {i}", jabatan=jabatan, opd=world.opd, unit=world.unit)
        for i in range(60)
    )
    after, total_after = measure()
    assert total_after == total_before + 60
    assert after == before


def test_dashboard_admin_opd_sees_only_own_opd(client, world):
    client.force_login(world.admin_opd)
    summary = client.get(reverse("opd:dashboard")).context["summary"]
    assert [r["opd"].kode for r in summary["rows"]] == ["DINKESDALDUKKB"]


@pytest.mark.parametrize("setup", ["none", "plt", "plh", "vacant"])
def test_penilai_detail_agrees_with_resolve_penilai(world, setup):
    if setup == "plt":
        _plt(world)
    elif setup == "plh":
        _plt(world, jenis="PLH", pegawai=world.pegawai2)
    elif setup == "vacant":
        Pegawai.objects.filter(pk=world.penilai.pk).update(jabatan=None)
    for p in Pegawai.objects.with_related():
        info = services.penilai_detail(p)
        assert (info.pegawai if info else None) == services.resolve_penilai(p), p.nama
    info = services.penilai_detail(Pegawai.objects.get(pk=world.pegawai.pk))
    assert info.sebagai == {"none": "", "plt": "Plt", "plh": "Plh", "vacant": ""}[setup]


# Pegawai list -----------------------------------------------------------------------------------


@pytest.fixture
def many(world) -> list[Pegawai]:
    jabatan = Jabatan.objects.create(
        nama="Perawat Terampil", jenis=JenisJabatan.FUNGSIONAL, kelas_jabatan=7, opd=world.opd,
        unit=world.unit, atasan=world.penilai.jabatan,
    )  # fmt: skip
    return [
        make_pegawai(f"Perawat {i:02d}", jabatan, nip=make_nip(lahir="19900101", tmt="201501", serial=100 + i))
        for i in range(65)
    ]


def test_pegawai_list_query_count_and_pagination(client, world, many, django_assert_max_num_queries):
    client.force_login(world.admin_bkd)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("opd:pegawai_list"), {"opd": "DINKESDALDUKKB"})
    page = response.context["page"]
    assert page.paginator.count == 70 and len(response.context["rows"]) == 50
    # Penilai resolved for every row (the perawat are rated by the Kepala Bidang).
    penilai = {p.nama: pen for p, pen in response.context["rows"]}
    assert penilai["Perawat 00"] == world.penilai
    html = response.content.decode()
    assert "?opd=DINKESDALDUKKB&amp;page=2" in html
    second = client.get(reverse("opd:pegawai_list"), {"opd": "DINKESDALDUKKB", "page": 2})
    assert len(second.context["rows"]) == 20


def test_pegawai_list_search_and_filters(client, world, many):
    client.force_login(world.admin_bkd)
    url = reverse("opd:pegawai_list")
    by_nip = client.get(url, {"q": "1990021420"}).context["page"].object_list
    assert [p.nip for p in by_nip] == [world.pegawai.nip]
    by_name = client.get(url, {"q": "lestari"}).context["page"].object_list
    assert [p.pk for p in by_name] == [world.pegawai2.pk]
    by_jenis = client.get(url, {"jenis": "JPT"}).context["page"].object_list
    assert {p.pk for p in by_jenis} == {world.sekda.pk, world.kepala.pk}
    response = client.get(url, {"q": "Dewi"})
    assert 'value="Dewi"' in response.content.decode()


def test_pegawai_list_plain_pegawai_sees_self_and_bawahan(client, world, many):
    client.force_login(world.pegawai)
    rows = client.get(reverse("opd:pegawai_list")).context["page"].object_list
    assert [p.pk for p in rows] == [world.pegawai.pk]
    client.force_login(world.penilai)
    rows = client.get(reverse("opd:pegawai_list"), {"page": 2}).context["page"].paginator.object_list
    assert {p.pk for p in rows} == {world.penilai.pk, world.pegawai.pk, world.pegawai2.pk} | {p.pk for p in many}


# Pegawai detail ---------------------------------------------------------------------------------


def test_pegawai_detail_chain_and_audit(client, world):
    services.set_atasan_jabatan(world.pegawai, world.kepala.jabatan, by=world.admin_opd, alasan="SK mutasi 12")
    client.force_login(world.admin_opd)
    response = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk]))
    chain = [info.pegawai for info in response.context["chain"]]
    assert chain == [world.kepala, world.sekda, world.bupati]
    html = response.content.decode()
    assert "Ubah atasan" in html and "ubah_atasan" not in html and "SK mutasi 12" in html
    assert reverse("opd:pegawai_atasan", args=[world.pegawai.pk]) in html
    assert reverse("opd:pegawai_reset_sandi", args=[world.pegawai.pk]) in html
    # The pegawai sees their own page, without the audit rows or the admin buttons.
    client.force_login(world.pegawai)
    html = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk])).content.decode()
    assert "SK mutasi 12" not in html
    assert reverse("opd:pegawai_reset_sandi", args=[world.pegawai.pk]) not in html
    # The auditor reads the audit rows but gets no buttons.
    client.force_login(world.auditor)
    html = client.get(reverse("opd:pegawai_detail", args=[world.pegawai.pk])).content.decode()
    assert "SK mutasi 12" in html
    assert reverse("opd:pegawai_atasan", args=[world.pegawai.pk]) not in html


# Change supervisor ------------------------------------------------------------------------------


def test_change_atasan_only_this_pegawai(client, world):
    client.force_login(world.admin_opd)
    url = reverse("opd:pegawai_atasan", args=[world.pegawai.pk])
    form = client.get(url).context["form"]
    assert "cakupan" in form.fields  # pegawai2 holds the same position
    label = form.fields["atasan"].label_from_instance(world.kepala.jabatan)
    assert label.endswith("— dr. Sunarto, M.Kes. (197003151998031005)")
    response = client.post(url, {"atasan": world.kepala.jabatan.pk, "cakupan": "satu", "alasan": "SK mutasi 12"})
    assert response.status_code == 302
    assert response["Location"] == reverse("opd:pegawai_detail", args=[world.pegawai.pk])
    world.pegawai.refresh_from_db()
    world.pegawai2.refresh_from_db()
    assert world.pegawai.penilai() == world.kepala
    assert world.pegawai2.penilai() == world.penilai
    row = AuditLog.objects.for_object(world.pegawai).get()
    assert row.aksi == "ubah_atasan" and row.alasan == "SK mutasi 12" and row.actor == world.admin_opd
    # The split of the shared position is on record too.
    assert row.perubahan["jabatan_id"] == [world.pegawai2.jabatan_id, world.pegawai.jabatan_id]


def test_change_atasan_all_holders(client, world):
    client.force_login(world.admin_bkd)
    url = reverse("opd:pegawai_atasan", args=[world.pegawai.pk])
    response = client.post(url, {"atasan": world.kepala.jabatan.pk, "cakupan": "semua", "alasan": "Restrukturisasi"})
    assert response.status_code == 302
    world.pegawai2.refresh_from_db()
    assert world.pegawai2.penilai() == world.kepala


def test_change_atasan_invalid_keeps_input(client, world):
    client.force_login(world.admin_opd)
    url = reverse("opd:pegawai_atasan", args=[world.pegawai.pk])
    response = client.post(url, {"atasan": world.kepala.jabatan.pk, "cakupan": "satu", "alasan": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["alasan"]
    assert f'value="{world.kepala.jabatan.pk}" selected' in response.content.decode()
    # A service error (same supervisor) comes back as a form error with the typed reason kept.
    response = client.post(url, {"atasan": world.penilai.jabatan.pk, "cakupan": "semua", "alasan": "Coba lagi"})
    assert response.status_code == 200
    assert "sama dengan atasan saat ini" in response.content.decode()
    assert "Coba lagi" in response.content.decode()
    assert not AuditLog.objects.filter(aksi="ubah_atasan").exists()


def test_change_atasan_cycle_refused(client, world):
    client.force_login(world.admin_bkd)
    url = reverse("opd:pegawai_atasan", args=[world.kepala.pk])
    response = client.post(url, {"atasan": world.penilai.jabatan.pk, "alasan": "Salah pilih"})
    assert response.status_code == 200
    assert "melingkar" in response.content.decode()


def test_change_atasan_admin_opd_cannot_pick_other_opd_position(client, world):
    client.force_login(world.admin_opd)
    url = reverse("opd:pegawai_atasan", args=[world.pegawai.pk])
    response = client.post(url, {"atasan": world.outsider.jabatan.pk, "cakupan": "satu", "alasan": "x"})
    assert response.status_code == 200 and response.context["form"].errors["atasan"]


# Reset password ---------------------------------------------------------------------------------


def test_reset_password(client, world):
    client.force_login(world.admin_opd)
    url = reverse("opd:pegawai_reset_sandi", args=[world.pegawai.pk])
    assert "Ya, reset kata sandi" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert len(password) == 12 and password in response.content.decode()
    world.pegawai.refresh_from_db()
    assert world.pegawai.check_password(password)
    row = AuditLog.objects.for_object(world.pegawai).get()
    assert row.aksi == "reset_sandi" and row.actor == world.admin_opd
    assert password not in str(row.perubahan) + row.alasan
    # Shown once: not kept in a message for the next page.
    assert password not in client.get(reverse("opd:dashboard")).content.decode()


# Plt / Plh --------------------------------------------------------------------------------------


def _plt_post(world, **extra) -> dict:
    data = {
        "jabatan": world.penilai.jabatan.pk,
        "nip": world.admin_opd.nip,
        "jenis": "PLT",
        "mulai": TODAY.isoformat(),
        "selesai": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "nomor_sk": "800/12/406.011/2026",
    }
    data.update(extra)
    return data


def test_plt_create_changes_penilai(client, world):
    # The admin OPD appoints a colleague (never herself: SPEC §9, tests/test_access_opd.py).
    client.force_login(world.admin_opd)
    response = client.post(reverse("opd:plt_tambah"), _plt_post(world, nip=world.pegawai2.nip))
    assert response.status_code == 302 and response["Location"] == reverse("opd:plt_list")
    plt = PenugasanPlt.objects.get()
    assert plt.pegawai == world.pegawai2 and plt.dibuat_oleh == world.admin_opd
    assert world.pegawai.penilai() == world.pegawai2
    row = AuditLog.objects.for_object(plt).get()
    assert row.aksi == "tambah_plt" and row.opd == world.opd
    html = client.get(reverse("opd:plt_list")).content.decode()
    assert "Dewi Lestari" in html and "800/12/406.011/2026" in html


def test_plt_message_after_a_gelar_has_one_full_stop(client, world):
    Pegawai.objects.filter(pk=world.pegawai2.pk).update(gelar_belakang="S.ST.")
    client.force_login(world.admin_opd)
    html = client.post(reverse("opd:plt_tambah"), _plt_post(world, nip=world.pegawai2.nip), follow=True)
    text = html.content.decode()
    assert "dicatat: Dewi Lestari, S.ST." in text and "S.ST.." not in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"selesai": (TODAY - datetime.timedelta(days=1)).isoformat()}, "tidak boleh sebelum tanggal mulai"),
        ({"nip": "199002142015031099"}, "tidak ditemukan"),
        ({"nip": "12345"}, "harus 18 digit"),
        ({"nip": "197805232005012012"}, "pemegang jabatan ini"),  # the penilai holds the position
    ],
)
def test_plt_create_invalid_keeps_input(client, world, extra, message):
    client.force_login(world.admin_opd)
    response = client.post(reverse("opd:plt_tambah"), _plt_post(world, **extra))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "800/12/406.011/2026" in html
    assert not PenugasanPlt.objects.exists()


def test_plt_create_overlap_refused(client, world):
    _plt(world, pegawai=world.kepala)
    client.force_login(world.admin_opd)
    response = client.post(reverse("opd:plt_tambah"), _plt_post(world, nip=world.pegawai2.nip))
    assert response.status_code == 200
    assert "tumpang tindih" in response.content.decode()
    assert PenugasanPlt.objects.count() == 1


def test_plt_cancel(client, world):
    plt = _plt(world, pegawai=world.pegawai2)  # not her own assignment (SPEC §9)
    client.force_login(world.admin_opd)
    url = reverse("opd:plt_batalkan", args=[plt.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"alasan": ""}, follow=True)
    assert "alasan pembatalan wajib diisi" in response.content.decode()
    plt.refresh_from_db()
    assert not plt.dibatalkan
    response = client.post(url, {"alasan": "Pejabat definitif sudah dilantik"})
    assert response.status_code == 302
    plt.refresh_from_db()
    assert plt.dibatalkan
    assert world.pegawai.penilai() == world.penilai
    row = AuditLog.objects.for_object(plt).get(aksi="batal_plt")
    assert row.alasan == "Pejabat definitif sudah dilantik"
    response = client.post(url, {"alasan": "lagi"}, follow=True)
    assert "sudah dibatalkan" in response.content.decode()


def test_plt_list_admin_opd_sees_own_opd_only(client, world, django_assert_max_num_queries):
    _plt(world)
    other = Jabatan.objects.create(nama="Kepala Dinas Perhubungan", jenis=JenisJabatan.JPT, opd=world.other_opd)
    _plt(world, jabatan=other, pegawai=world.outsider)
    client.force_login(world.admin_opd)
    response = client.get(reverse("opd:plt_list"))
    assert [p.jabatan for p, *_ in response.context["rows"]] == [world.penilai.jabatan]
    client.force_login(world.admin_bkd)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("opd:plt_list"), {"opd": "DISHUB"})
    assert [p.jabatan for p, *_ in response.context["rows"]] == [other]


# OPD --------------------------------------------------------------------------------------------


def test_opd_list_counts_without_fan_out(client, world, django_assert_max_num_queries):
    client.force_login(world.auditor)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("opd:opd_list"))
    opds = {o.kode: o for o in response.context["opds"]}
    dinkes = opds["DINKESDALDUKKB"]
    assert (dinkes.jumlah_pegawai, dinkes.jumlah_unit, dinkes.jumlah_jabatan) == (5, 3, 4)
    assert (opds["SETWAN"].jumlah_pegawai, opds["SETWAN"].jumlah_unit) == (0, 0)
    assert list(opds)[:4] == [o.kode for o in Opd.objects.filter(pilot=True).order_by("urutan", "nama")]
    assert "Pilot" in response.content.decode()


def test_opd_detail_unit_tree(client, world):
    UnitKerja.objects.create(opd=world.opd, parent=world.unit, nama="Seksi Pelayanan Kesehatan Primer")
    client.force_login(world.admin_opd)
    response = client.get(reverse("opd:opd_detail", args=[world.opd.kode]))
    (root,) = response.context["tree"]
    assert root.unit.nama == "Pimpinan Dinas" and root.jumlah_pegawai == 1
    bidang = next(n for n in root.children if n.unit == world.unit)
    assert bidang.jumlah_pegawai == 3
    assert [c.unit.nama for c in bidang.children] == ["Seksi Pelayanan Kesehatan Primer"]
    assert f"?opd={world.opd.kode}" in response.content.decode()


# Audit trail ------------------------------------------------------------------------------------


def test_audit_list_filters_and_scope(client, world, django_assert_max_num_queries):
    services.set_atasan_jabatan(world.pegawai, world.kepala.jabatan, by=world.admin_opd, alasan="SK 1")
    services.reset_password(world.outsider, by=world.admin_bkd)
    client.force_login(world.auditor)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("opd:audit_list"))
    assert {r.aksi for r in response.context["page"].object_list} == {"ubah_atasan", "reset_sandi"}
    html = response.content.decode()
    assert "Kepala Bidang Pelayanan Kesehatan" in html and "diff-new" in html
    filtered = client.get(reverse("opd:audit_list"), {"aksi": "reset_sandi"}).context["page"].object_list
    assert [r.aksi for r in filtered] == ["reset_sandi"]
    by_opd = client.get(reverse("opd:audit_list"), {"opd": "DISHUB"}).context["page"].object_list
    assert [r.aksi for r in by_opd] == ["reset_sandi"]
    client.force_login(world.admin_opd)
    own = client.get(reverse("opd:audit_list")).context["page"].object_list
    assert [r.aksi for r in own] == ["ubah_atasan"]
