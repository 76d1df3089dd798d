"""The named world is wired as its docstring says (guards every other test's assumptions)."""

import pytest

pytestmark = pytest.mark.django_db


def test_world_chain(world):
    assert world.pegawai.penilai() == world.penilai
    assert world.penilai.penilai() == world.kepala
    assert world.kepala.penilai() == world.sekda
    assert world.sekda.penilai() == world.bupati
    assert world.bupati.penilai() is None
    assert world.pegawai.atasan_penilai() == world.kepala
    assert {p.pk for p in world.penilai.bawahan_langsung()} == {world.pegawai.pk, world.pegawai2.pk}
    assert world.admin_opd.is_admin_opd and world.admin_bkd.is_admin_bkd and world.auditor.is_auditor
