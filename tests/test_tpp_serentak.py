"""Concurrent POSTs of the TPP preparation on PostgreSQL: one wins, the other gets an Indonesian
message and nothing is written twice (attendance apply, hukdis record, scheme edit)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from opd.models import AuditLog
from penilaian.models import HukumanDisiplin, ImporPresensi, Presensi, SkemaTpp
from penilaian.services import presensi, tpp_hukdis, tpp_skema
from penilaian.services._common import PenilaianError
from tests.tpp_fixtures import periode, skema

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL=postgres://…)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(action: Callable[[], None]) -> list[str]:
    barrier = threading.Barrier(2)
    hasil: list[str] = []

    def run() -> None:
        from django.db import connection as conn

        try:
            barrier.wait(timeout=10)
            action()
            hasil.append("ok")
        except PenilaianError as e:
            hasil.append(str(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(hasil, key=lambda h: h != "ok")


def test_the_same_attendance_file_applied_twice_at_once(world):
    today = timezone.localdate()
    per = periode(today.year, today.month)
    data = f"NIP;HARI KERJA;TANPA KETERANGAN;TL1;TL2;TL3;TL4;PSW1;PSW2;PSW3;PSW4\n{world.pegawai.nip};21;0;1;0;0;0;0;0;0;0\n".encode()
    hasil = _race(lambda: presensi.terapkan(per, data, "a.csv", by=world.admin_bkd))
    assert hasil[0] == "ok" and "sudah diterapkan" in hasil[1], hasil
    assert ImporPresensi.objects.count() == 1 and Presensi.objects.count() == 1
    assert AuditLog.objects.filter(aksi="presensi_diimpor").count() == 1


def test_the_same_hukdis_recorded_twice_at_once(world):
    def catat() -> None:
        tpp_hukdis.catat_hukdis(
            pegawai=world.pegawai, jenis="SEDANG", uraian="", bulan_mulai=datetime.date(2026, 2, 1),
            bulan_selesai=datetime.date(2026, 3, 1), nomor_sk="800/1", tanggal_sk=datetime.date(2026, 1, 5),
            by=world.admin_bkd,
        )  # fmt: skip

    hasil = _race(catat)
    assert hasil[0] == "ok" and "sudah dicatat" in hasil[1], hasil
    assert HukumanDisiplin.objects.count() == 1


def test_two_edits_of_one_version_at_once(world):
    s = skema(2026, world.admin_bkd)

    def ubah() -> None:
        mine = SkemaTpp.objects.get(pk=s.pk)
        data = tpp_skema.DataSkema.dari(mine)
        data.persen["persen_kurang"] = data.persen["persen_kurang"] - 1
        tpp_skema.ubah_skema(mine, data, by=world.admin_bkd, versi=1)

    hasil = _race(ubah)
    assert hasil[0] == "ok" and "diubah di tab/jendela lain" in hasil[1], hasil
    assert SkemaTpp.objects.get(pk=s.pk).versi == 2
    assert AuditLog.objects.filter(aksi="skema_tpp_diubah").count() == 1
