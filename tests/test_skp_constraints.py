"""The database refuses bad SKP rows even when services are bypassed (STYLE: invariants live in
the database too)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from skp.models import IndikatorKinerja, IntervensiRhk, RencanaHasilKerja, Skp

pytestmark = pytest.mark.django_db

JAN1, DEC31 = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def make_skp(pegawai, **kw) -> Skp:
    values = {"pegawai": pegawai, "jabatan": pegawai.jabatan, "tahun": 2026, "mulai": JAN1, "selesai": DEC31}
    return Skp.objects.create(**{**values, **kw})


def rejected(factory) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factory()


@pytest.fixture
def rhk(world) -> RencanaHasilKerja:
    return RencanaHasilKerja.objects.create(skp=make_skp(world.pegawai), uraian="Tersusunnya laporan")


def test_iki_constraints(rhk):
    def iki(**kw):
        return lambda: IndikatorKinerja.objects.create(rhk=rhk, **{"uraian": "Jumlah", **kw})

    rejected(iki(target_min=Decimal(90), target_max=Decimal(80), satuan="%"))
    rejected(iki(target_min=Decimal(-1), satuan="dokumen"))
    rejected(iki(target_min=None, target_max=Decimal(5), satuan="dokumen"))
    rejected(iki(uraian=""))
    # The good ones pass (so the checks above fail for the reason named).
    iki(target_min=Decimal(80), target_max=Decimal(90), satuan="%")()
    iki(target_min=Decimal(0), satuan="keluhan")()
    iki(target_kualitatif="Tanpa keluhan")()
    assert rhk.iki_set.count() == 3


def test_rhk_uraian_not_empty(rhk):
    rejected(lambda: RencanaHasilKerja.objects.create(skp=rhk.skp, uraian=""))


def test_intervensi_not_self_and_unique(rhk):
    other = RencanaHasilKerja.objects.create(skp=rhk.skp, uraian="Lain")
    rejected(lambda: IntervensiRhk.objects.create(rhk=rhk, rhk_atasan=rhk))
    IntervensiRhk.objects.create(rhk=rhk, rhk_atasan=other)
    rejected(lambda: IntervensiRhk.objects.create(rhk=rhk, rhk_atasan=other))


def test_skp_period_and_revision_constraints(world):
    root = make_skp(world.pegawai, status=Skp.Status.DISETUJUI)
    rejected(lambda: make_skp(world.pegawai2, mulai=DEC31, selesai=JAN1))
    # A revision needs an induk, a first version has none.
    rejected(lambda: make_skp(world.pegawai2, revisi=1))
    rejected(lambda: make_skp(world.pegawai, induk=root, revisi=0))
    # At most one open revision per lineage; revision numbers unique.
    make_skp(world.pegawai, induk=root, revisi=1, status=Skp.Status.DRAFT)
    rejected(lambda: make_skp(world.pegawai, induk=root, revisi=2, status=Skp.Status.DIAJUKAN))
    rejected(lambda: make_skp(world.pegawai, induk=root, revisi=1, status=Skp.Status.DIGANTI))
    make_skp(world.pegawai, induk=root, revisi=2, status=Skp.Status.DIGANTI)
    # Two lineages of one pegawai never start on the same day (all databases).
    rejected(lambda: make_skp(world.pegawai, selesai=datetime.date(2026, 3, 31)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint exists on PostgreSQL only")
def test_overlapping_lineages_refused_on_postgresql(world):
    make_skp(world.pegawai, selesai=datetime.date(2026, 6, 30))
    rejected(lambda: make_skp(world.pegawai, mulai=datetime.date(2026, 6, 30)))
    rejected(lambda: make_skp(world.pegawai, mulai=datetime.date(2026, 3, 1), selesai=datetime.date(2026, 4, 1)))
    # Adjacent periods, another pegawai, and revisions (sharing the lineage's period) are fine.
    make_skp(world.pegawai, mulai=datetime.date(2026, 7, 1))
    root = Skp.objects.get(pegawai=world.pegawai, mulai=JAN1)
    make_skp(world.pegawai, induk=root, revisi=1, selesai=datetime.date(2026, 6, 30))
    make_skp(world.pegawai2)
    assert Skp.objects.filter(pegawai=world.pegawai).count() == 3
