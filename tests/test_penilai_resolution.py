"""Penilai resolution (SPEC §2), table-driven over Plt/Plh, vacancy and kedudukan hukum;
the in-memory OrgChart must agree with the query-based resolver in every case."""

import datetime

import pytest

from opd.models import Pegawai, PenugasanPlt
from opd.services import OrgChart, resolve_penilai

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 15)


def _plt(world, jenis="PLT", mulai=datetime.date(2026, 6, 1), selesai=datetime.date(2026, 6, 30), dibatalkan=False):
    return PenugasanPlt.objects.create(
        jabatan=world.penilai.jabatan, pegawai=world.admin_opd, jenis=jenis, mulai=mulai, selesai=selesai,
        dibatalkan=dibatalkan,
    )  # fmt: skip


def setup_none(world):
    return "penilai"


def setup_plt_active(world):
    _plt(world)
    return "admin_opd"


def setup_plh_active(world):
    _plt(world, jenis="PLH", mulai=DAY, selesai=DAY)
    return "admin_opd"


def setup_plt_expired(world):
    _plt(world, mulai=datetime.date(2026, 1, 1), selesai=datetime.date(2026, 5, 31))
    return "penilai"


def setup_plt_future(world):
    _plt(world, mulai=datetime.date(2026, 7, 1), selesai=datetime.date(2026, 12, 31))
    return "penilai"


def setup_plt_cancelled(world):
    _plt(world, dibatalkan=True)
    return "penilai"


def setup_vacant(world):
    Pegawai.objects.filter(pk=world.penilai.pk).update(jabatan=None)
    return "kepala"


def setup_vacant_two_levels(world):
    Pegawai.objects.filter(pk__in=[world.penilai.pk, world.kepala.pk]).update(jabatan=None)
    return "sekda"


def setup_penilai_on_cltn(world):
    Pegawai.objects.filter(pk=world.penilai.pk).update(kedudukan_hukum=Pegawai.KedudukanHukum.CLTN)
    return "kepala"


def setup_vacant_with_plt(world):
    Pegawai.objects.filter(pk=world.penilai.pk).update(jabatan=None)
    _plt(world)
    return "admin_opd"


def setup_penilai_inactive_account(world):
    Pegawai.objects.filter(pk=world.penilai.pk).update(is_active=False)
    return "kepala"


CASES = [
    setup_none,
    setup_plt_active,
    setup_plh_active,
    setup_plt_expired,
    setup_plt_future,
    setup_plt_cancelled,
    setup_vacant,
    setup_vacant_two_levels,
    setup_penilai_on_cltn,
    setup_vacant_with_plt,
    setup_penilai_inactive_account,
]


@pytest.mark.parametrize("setup", CASES, ids=[c.__name__.removeprefix("setup_") for c in CASES])
def test_penilai_of_pegawai(world, setup):
    expected = getattr(world, setup(world))
    pegawai = Pegawai.objects.get(pk=world.pegawai.pk)
    assert resolve_penilai(pegawai, on=DAY) == expected
    assert OrgChart(on=DAY).penilai_id(pegawai.pk) == expected.pk


def test_plt_takes_over_the_team_of_the_position(world):
    _plt(world)
    assert {p.pk for p in world.admin_opd.bawahan_langsung(on=DAY)} >= {world.pegawai.pk, world.pegawai2.pk}
    assert world.penilai.bawahan_langsung(on=DAY) == []
    assert set(OrgChart(on=DAY).bawahan_ids(world.admin_opd.pk)) >= {world.pegawai.pk, world.pegawai2.pk}


def test_vacancy_passes_team_up(world):
    Pegawai.objects.filter(pk=world.penilai.pk).update(jabatan=None)
    kepala = Pegawai.objects.get(pk=world.kepala.pk)
    team = {p.pk for p in kepala.bawahan_langsung(on=DAY)}
    assert {world.pegawai.pk, world.pegawai2.pk, world.admin_opd.pk} <= team
    assert set(OrgChart(on=DAY).bawahan_ids(kepala.pk)) == team


def test_top_of_chain_has_no_penilai(world):
    assert resolve_penilai(world.bupati, on=DAY) is None
    assert OrgChart(on=DAY).penilai_id(world.bupati.pk) is None
