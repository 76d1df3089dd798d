"""Periods, deadlines and unlocks (SPEC §5, §9): the services, then the pages through HTTP.

The lock is probed through the pegawai's and the penilai's own services: `alur.kirim_realisasi`
is refused in a locked month, goes through once unlocked, and `alur.simpan_penilaian` closes the
unlock (the month locks again)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from opd.models import AuditLog, PeranPengguna
from penilaian.models import BukaKunci, Evaluasi, Periode
from penilaian.services import alur
from penilaian.services import periode as services
from penilaian.services._common import PenilaianError, is_terkunci_untuk
from tests.conftest import add_role, make_pegawai
from tests.penilaian_fixtures_admin import periode, periode_berjalan, periode_terkunci, realisasi_lengkap

pytestmark = pytest.mark.django_db

D = datetime.date


# Defaults and opening ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tahun", "bulan", "realisasi", "penilaian"),
    [
        (2026, 1, D(2026, 2, 5), D(2026, 2, 10)),
        (2026, 6, D(2026, 7, 5), D(2026, 7, 10)),
        (2026, 12, D(2027, 1, 5), D(2027, 1, 10)),
        (2026, 0, D(2027, 1, 15), D(2027, 1, 31)),
    ],
)
def test_batas_bawaan(tahun, bulan, realisasi, penilaian):
    assert services.batas_bawaan(tahun, bulan) == (realisasi, penilaian)


def test_buka_periode_defaults_and_audit(world):
    p = services.buka_periode(2026, 3, by=world.admin_bkd)
    assert (p.batas_realisasi, p.batas_penilaian) == (D(2026, 4, 5), D(2026, 4, 10))
    assert p.dibuka_oleh == world.admin_bkd and p.nama == "Maret 2026"
    row = AuditLog.objects.for_object(p).get(aksi="periode_dibuka")
    assert row.actor == world.admin_bkd and row.perubahan["batas_penilaian"] == [None, "2026-04-10"]


def test_buka_periode_custom_deadlines_and_refusals(world):
    p = services.buka_periode(
        2026, 4, by=world.admin_bkd, batas_realisasi=D(2026, 5, 7), batas_penilaian=D(2026, 5, 14)
    )
    assert (p.batas_realisasi, p.batas_penilaian) == (D(2026, 5, 7), D(2026, 5, 14))
    with pytest.raises(PenilaianError, match="sudah dibuka"):
        services.buka_periode(2026, 4, by=world.admin_bkd)
    with pytest.raises(PenilaianError, match="tidak boleh setelah batas penilaian"):
        services.buka_periode(
            2026, 5, by=world.admin_bkd, batas_realisasi=D(2026, 6, 12), batas_penilaian=D(2026, 6, 10)
        )
    with pytest.raises(PenilaianError, match="sebelum periode dimulai"):
        services.buka_periode(
            2026, 5, by=world.admin_bkd, batas_realisasi=D(2026, 4, 30), batas_penilaian=D(2026, 6, 10)
        )
    with pytest.raises(PenilaianError, match="Bulan harus"):
        services.buka_periode(2026, 13, by=world.admin_bkd)
    with pytest.raises(PenilaianError, match="Tahun harus"):
        services.buka_periode(1999, 1, by=world.admin_bkd)
    for user in (world.admin_opd, world.auditor, world.kepala, world.pegawai):
        with pytest.raises(PenilaianError, match="Hanya admin BKD"):
            services.buka_periode(2026, 5, by=user)
    assert not Periode.objects.filter(tahun=2026, bulan=5).exists()


def test_buka_tahun_is_idempotent(world):
    services.buka_periode(2027, 2, by=world.admin_bkd, batas_realisasi=D(2027, 3, 9), batas_penilaian=D(2027, 3, 20))
    assert services.buka_tahun(2027, by=world.admin_bkd) == 12
    assert sorted(Periode.objects.filter(tahun=2027).values_list("bulan", flat=True)) == list(range(13))
    # The one opened before kept its own deadlines.
    feb = Periode.objects.get(tahun=2027, bulan=2)
    assert (feb.batas_realisasi, feb.batas_penilaian) == (D(2027, 3, 9), D(2027, 3, 20))
    assert Periode.objects.get(tahun=2027, bulan=0).batas_penilaian == D(2028, 1, 31)
    audit_count = AuditLog.objects.filter(aksi="periode_dibuka").count()
    assert services.buka_tahun(2027, by=world.admin_bkd) == 0
    assert AuditLog.objects.filter(aksi="periode_dibuka").count() == audit_count == 13
    with pytest.raises(PenilaianError, match="Hanya admin BKD"):
        services.buka_tahun(2028, by=world.admin_opd)


def test_superuser_manages_periods(world):
    boss = make_pegawai("Pengelola Sistem", None, nip="198001012005011001", is_superuser=True)
    assert services.buka_tahun(2028, by=boss) == 13


def test_ubah_batas_order_and_audit(world):
    p = services.buka_periode(2026, 8, by=world.admin_bkd)
    with pytest.raises(PenilaianError, match="tidak boleh setelah"):
        services.ubah_batas(p, by=world.admin_bkd, batas_realisasi=D(2026, 9, 20), batas_penilaian=D(2026, 9, 19))
    with pytest.raises(PenilaianError, match="Hanya admin BKD"):
        services.ubah_batas(p, by=world.admin_opd, batas_realisasi=D(2026, 9, 6), batas_penilaian=D(2026, 9, 12))
    p.refresh_from_db()
    assert (p.batas_realisasi, p.batas_penilaian) == (D(2026, 9, 5), D(2026, 9, 10))
    services.ubah_batas(p, by=world.admin_bkd, batas_realisasi=D(2026, 9, 5), batas_penilaian=D(2026, 9, 12))
    p.refresh_from_db()
    assert p.batas_penilaian == D(2026, 9, 12)
    row = AuditLog.objects.for_object(p).get(aksi="periode_diubah")
    assert row.perubahan == {"batas_penilaian": ["2026-09-10", "2026-09-12"]}
    # Nothing changed: no audit row.
    services.ubah_batas(p, by=world.admin_bkd, batas_realisasi=D(2026, 9, 5), batas_penilaian=D(2026, 9, 12))
    assert AuditLog.objects.for_object(p).filter(aksi="periode_diubah").count() == 1


# Unlocks ------------------------------------------------------------------------------------------


def test_buka_kunci_rules(world):
    terbuka = periode_berjalan()
    with pytest.raises(PenilaianError, match="belum dikunci"):
        services.buka_kunci(terbuka, world.pegawai, by=world.admin_bkd, alasan="Sakit")
    p = periode(2026, 1, batas_realisasi=D(2026, 2, 5), batas_penilaian=D(2026, 2, 10))
    with pytest.raises(PenilaianError, match="alasan"):
        services.buka_kunci(p, world.pegawai, by=world.admin_opd, alasan="   ")
    # Separation of duties: never for oneself, not even the admin BKD.
    with pytest.raises(PenilaianError, match="sendiri"):
        services.buka_kunci(p, world.admin_bkd, by=world.admin_bkd, alasan="Lupa mengirim")
    with pytest.raises(PenilaianError, match="sendiri"):
        services.buka_kunci(p, world.admin_opd, by=world.admin_opd, alasan="Lupa mengirim")
    # Admin OPD of another OPD, the auditor, the penilai, the kepala: refused.
    dishub_admin = add_role(
        make_pegawai("Admin Dishub", world.outsider.jabatan, nip="198802022012011002"),
        PeranPengguna.Peran.ADMIN_OPD,
        world.other_opd,
    )
    for user in (dishub_admin, world.auditor, world.penilai, world.kepala):
        with pytest.raises(PenilaianError, match="Hanya admin BKD atau admin OPD"):
            services.buka_kunci(p, world.pegawai, by=user, alasan="Sakit")
    assert not BukaKunci.objects.exists()
    # The admin OPD of the pegawai's OPD: yes, once.
    row = services.buka_kunci(p, world.pegawai, by=world.admin_opd, alasan="Sakit, rawat inap 3–9 Februari")
    assert row.is_aktif and row.dibuka_oleh == world.admin_opd
    with pytest.raises(PenilaianError, match="sudah dibuka"):
        services.buka_kunci(p, world.pegawai, by=world.admin_bkd, alasan="Sekali lagi")
    # The admin OPD unlocks the outsider? No; the admin BKD unlocks anyone (but themself).
    with pytest.raises(PenilaianError):
        services.buka_kunci(p, world.outsider, by=world.admin_opd, alasan="Sakit")
    services.buka_kunci(p, world.outsider, by=world.admin_bkd, alasan="Tugas luar daerah")
    audit_row = AuditLog.objects.for_object(row).get(aksi="periode_dibuka_kunci")
    assert audit_row.alasan == "Sakit, rawat inap 3–9 Februari"
    assert audit_row.opd_id == world.opd.pk and audit_row.actor == world.admin_opd


def test_kunci_kembali_closes_an_unlock_opened_by_mistake(world, client):
    p = periode_terkunci()
    row = services.buka_kunci(p, world.pegawai, by=world.admin_opd, alasan="Salah pilih pegawai")
    assert not is_terkunci_untuk(p, world.pegawai.pk)
    with pytest.raises(PenilaianError, match="alasan"):
        services.kunci_kembali(row, by=world.admin_bkd, alasan="  ")
    for user in (world.auditor, world.penilai, world.kepala, world.pegawai):
        with pytest.raises(PenilaianError):
            services.kunci_kembali(row, by=user, alasan="Tidak perlu")
    assert BukaKunci.objects.get(pk=row.pk).is_aktif
    services.kunci_kembali(row, by=world.admin_bkd, alasan="Dibuka untuk pegawai yang salah")
    assert is_terkunci_untuk(p, world.pegawai.pk)
    audit_row = AuditLog.objects.for_object(row).get(aksi="periode_dikunci_kembali")
    assert audit_row.alasan == "Dibuka untuk pegawai yang salah" and audit_row.actor == world.admin_bkd
    # Twice (a second tab): told, nothing more written.
    with pytest.raises(PenilaianError, match="sudah terkunci kembali"):
        services.kunci_kembali(row, by=world.admin_opd, alasan="Sekali lagi")
    assert AuditLog.objects.for_object(row).filter(aksi="periode_dikunci_kembali").count() == 1
    # Never on one's own unlock (the admin OPD's own period, opened by the admin BKD).
    own = services.buka_kunci(p, world.admin_opd, by=world.admin_bkd, alasan="Sakit")
    with pytest.raises(PenilaianError, match="sendiri"):
        services.kunci_kembali(own, by=world.admin_opd, alasan="Sudah sembuh")
    # Through the page: the reason is required, the message says what happened.
    client.force_login(world.admin_bkd)
    response = client.post(reverse("penilaian:buka_kunci_tutup", args=[own.pk]), {"alasan": ""}, follow=True)
    assert "Tuliskan alasan" in response.content.decode()
    assert BukaKunci.objects.get(pk=own.pk).is_aktif
    response = client.post(reverse("penilaian:buka_kunci_tutup", args=[own.pk]), {"alasan": "Selesai"}, follow=True)
    assert "terkunci kembali" in response.content.decode()
    assert not BukaKunci.objects.get(pk=own.pk).is_aktif
    assert client.get(reverse("penilaian:buka_kunci_tutup", args=[own.pk])).status_code == 405


def test_lock_probe_through_the_pegawai_and_penilai_services(world):
    """SPEC §5: nothing changes in a locked month; an unlock lets the pegawai submit; the penilai's
    saved evaluation locks it again."""
    p = periode_terkunci()
    ev = realisasi_lengkap(world, p)
    with pytest.raises(PenilaianError, match="sudah dikunci"):
        alur.kirim_realisasi(ev, by=world.pegawai)
    assert Evaluasi.objects.get(pk=ev.pk).status == Evaluasi.Status.DRAFT

    row = services.buka_kunci(p, world.pegawai, by=world.admin_opd, alasan="Lupa mengirim karena cuti sakit")
    assert not is_terkunci_untuk(p, world.pegawai.pk)
    # Another pegawai of the same month stays locked.
    assert is_terkunci_untuk(p, world.pegawai2.pk)
    alur.kirim_realisasi(ev, by=world.pegawai)
    assert Evaluasi.objects.get(pk=ev.pk).status == Evaluasi.Status.DIKIRIM

    alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="SESUAI", rating_perilaku="SESUAI")
    row.refresh_from_db()
    assert not row.is_aktif and is_terkunci_untuk(p, world.pegawai.pk)
    assert AuditLog.objects.filter(aksi="periode_dikunci_kembali").exists()
    # Locked again: the penilai cannot change the rating any more.
    with pytest.raises(PenilaianError, match="sudah dikunci"):
        alur.simpan_penilaian(ev, by=world.penilai, rating_hasil="DI_ATAS", rating_perilaku="DI_ATAS")
    assert Evaluasi.objects.get(pk=ev.pk).predikat == "BAIK"
    # And a new unlock is possible after the first one closed.
    services.buka_kunci(p, world.pegawai, by=world.admin_bkd, alasan="Koreksi rating atas keberatan pegawai")
    assert BukaKunci.objects.filter(periode=p, pegawai=world.pegawai).count() == 2


# Pages --------------------------------------------------------------------------------------------


def test_periode_list_and_open_a_year(client, world, django_assert_max_num_queries):
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:periode_list")
    html = client.get(url).content.decode()
    assert "Belum ada periode" in html
    assert client.get(reverse("penilaian:periode_buka_tahun")).status_code == 405
    response = client.post(reverse("penilaian:periode_buka_tahun"), {"tahun": "2026"})
    assert response.status_code == 302
    assert Periode.objects.filter(tahun=2026).count() == 13
    response = client.post(reverse("penilaian:periode_buka_tahun"), {"tahun": "2026"}, follow=True)
    assert "tidak ada yang berubah" in response.content.decode()
    services.buka_tahun(2025, by=world.admin_bkd)
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert "Tahun 2026" in html and "Tahun 2025" in html and "Tahunan 2026" in html
    assert "Terkunci" in html and reverse("penilaian:periode_ubah", args=[2026, 3]) in html


@pytest.mark.parametrize("tahun", ["", "abc", "NaN", "1e309", "-2026", "20266", "2026,5"])
def test_open_a_year_bad_input(client, world, tahun):
    client.force_login(world.admin_bkd)
    response = client.post(reverse("penilaian:periode_buka_tahun"), {"tahun": tahun})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html and not Periode.objects.exists()


def test_periode_list_queries_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.admin_bkd)
    services.buka_tahun(2026, by=world.admin_bkd)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("penilaian:periode_list")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for tahun in (2023, 2024, 2025):
        services.buka_tahun(tahun, by=world.admin_bkd)
    assert count() == small


def test_periode_ubah_page(client, world):
    p = services.buka_periode(2026, 5, by=world.admin_bkd)
    client.force_login(world.admin_bkd)
    url = reverse("penilaian:periode_ubah", args=[2026, 5])
    assert "Mei 2026" in client.get(url).content.decode()
    bad = {"batas_realisasi": "2026-06-20", "batas_penilaian": "2026-06-10"}
    response = client.post(url, bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "tidak boleh setelah batas penilaian" in html and 'value="2026-06-20"' in html
    response = client.post(url, {"batas_realisasi": "bukan tanggal", "batas_penilaian": "2026-06-10"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    response = client.post(url, {"batas_realisasi": "2026-06-08", "batas_penilaian": "2026-06-15"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.batas_realisasi, p.batas_penilaian) == (D(2026, 6, 8), D(2026, 6, 15))
    assert AuditLog.objects.for_object(p).filter(aksi="periode_diubah", actor=world.admin_bkd).exists()
    for args in ([2026, 13], [2026, 7], [99999999999999999999, 1], [2026, 99999999999999999999]):
        assert client.get(reverse("penilaian:periode_ubah", args=args)).status_code == 404


def test_buka_kunci_page(client, world, django_assert_max_num_queries):
    p = periode(2026, 1, batas_realisasi=D(2026, 2, 5), batas_penilaian=D(2026, 2, 10))
    berjalan = periode_berjalan()
    client.force_login(world.admin_opd)
    url = reverse("penilaian:buka_kunci_list")
    html = client.get(url).content.decode()
    # Only locked periods are offered.
    assert f'<option value="{p.pk}">Januari 2026</option>' in html
    assert f'<option value="{berjalan.pk}"' not in html
    # Another OPD's pegawai: refused in the form, what was typed is kept.
    response = client.post(url, {"periode": p.pk, "nip": world.outsider.nip, "alasan": "Sakit"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "tidak ditemukan di OPD yang Anda kelola" in html and "Sakit</textarea>" in html
    # Oneself: refused.
    response = client.post(url, {"periode": p.pk, "nip": world.admin_opd.nip, "alasan": "Saya lupa"})
    assert "sendiri" in response.content.decode() and not BukaKunci.objects.exists()
    # No reason: refused.
    response = client.post(url, {"periode": p.pk, "nip": world.pegawai.nip, "alasan": " "})
    assert "Tuliskan alasan" in response.content.decode() and not BukaKunci.objects.exists()
    # A period not locked (forged): refused.
    response = client.post(url, {"periode": berjalan.pk, "nip": world.pegawai.nip, "alasan": "Sakit"})
    assert "belum terkunci" in response.content.decode() and not BukaKunci.objects.exists()
    # Happy path (NIP typed with spaces).
    nip = world.pegawai.nip
    response = client.post(url, {"periode": p.pk, "nip": f"{nip[:8]} {nip[8:14]} {nip[14:]}", "alasan": "Cuti sakit"})
    assert response.status_code == 302
    row = BukaKunci.objects.get()
    assert row.pegawai == world.pegawai and row.alasan == "Cuti sakit"
    assert AuditLog.objects.for_object(row).get().alasan == "Cuti sakit"
    # Twice: told, nothing new.
    response = client.post(url, {"periode": p.pk, "nip": nip, "alasan": "Cuti sakit"})
    assert "sudah dibuka" in response.content.decode() and BukaKunci.objects.count() == 1
    html = client.get(url).content.decode()
    assert world.pegawai.nama_lengkap in html.split('id="buka-kunci-aktif"')[1]


def test_buka_kunci_list_scoped_and_queries_pinned(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = periode(2026, 1, batas_realisasi=D(2026, 2, 5), batas_penilaian=D(2026, 2, 10))
    services.buka_kunci(p, world.outsider, by=world.admin_bkd, alasan="Tugas luar dinas perhubungan")
    services.buka_kunci(p, world.pegawai, by=world.admin_opd, alasan="Cuti sakit dinkes")
    # One closed already (the history table is not empty in either measure).
    services.buka_kunci(p, world.pegawai2, by=world.admin_opd, alasan="Salah input")
    BukaKunci.objects.filter(pegawai=world.pegawai2).update(ditutup_pada=timezone.now())
    client.force_login(world.admin_opd)
    html = client.get(reverse("penilaian:buka_kunci_list")).content.decode()
    assert "Cuti sakit dinkes" in html and "Tugas luar dinas perhubungan" not in html
    client.force_login(world.admin_bkd)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("penilaian:buka_kunci_list"))
        return len(ctx.captured_queries), response.content.decode()

    small, html = count()
    assert "Cuti sakit dinkes" in html and "Tugas luar dinas perhubungan" in html
    # More unlocks, active and closed, over more periods and OPDs: the same number of queries.
    from tests.penilaian_fixtures_admin import staf_opd

    for bulan in range(2, 8):
        q = periode(2025, bulan, batas_realisasi=D(2025, bulan + 1, 5), batas_penilaian=D(2025, bulan + 1, 10))
        for orang in staf_opd(world.other_opd, 3):
            services.buka_kunci(q, orang, by=world.admin_bkd, alasan="Data presensi terlambat masuk")
    BukaKunci.objects.filter(periode__bulan__in=[2, 3]).update(ditutup_pada=timezone.now())
    big, html = count()
    assert big == small and html.count("Data presensi terlambat masuk") == 18
