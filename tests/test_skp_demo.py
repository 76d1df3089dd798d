"""The demo SKP (skp.demo.seed_skp) on the demo organisation: idempotent, cascading, all statuses."""

from __future__ import annotations

import io

import pytest
from django.db.models import Count, F, Q

from opd.models import Opd
from skp.models import IntervensiRhk, RencanaHasilKerja, Skp
from skp.pohon import build_pohon

pytestmark = pytest.mark.django_db

TAHUN = 2026

demo = pytest.importorskip("opd.demo", reason="opd/demo.py (seed_organisation) belum ada")


def counts() -> tuple[int, int, int, int]:
    from opd.models import AuditLog

    return (Skp.objects.count(), RencanaHasilKerja.objects.count(), IntervensiRhk.objects.count(),
            AuditLog.objects.count())  # fmt: skip


def test_seed_skp_is_idempotent_and_cascades():
    from skp.demo import seed_skp

    accounts = demo.seed_organisation()
    out = io.StringIO()
    seed_skp(tahun=TAHUN, stdout=out)
    first = counts()
    assert "SKP demo 2026" in out.getvalue()
    demo.seed_organisation()
    seed_skp(tahun=TAHUN)
    assert counts() == first

    statuses = set(Skp.objects.values_list("status", flat=True))
    assert {"DRAFT", "DIAJUKAN", "DIKEMBALIKAN", "DISETUJUI"} <= statuses
    assert Skp.objects.get(status="DIKEMBALIKAN").catatan_pengembalian

    # Approved non-JPT SKP: every RHK utama intervenes an RHK of the penilai's SKP.
    approved = Skp.objects.filter(status="DISETUJUI").exclude(jabatan__jenis="JPT")
    assert approved.count() > 100
    unlinked = RencanaHasilKerja.objects.filter(skp__in=approved, jenis="UTAMA").annotate(n=Count("link_atas"))
    assert not unlinked.filter(n=0).exists()
    # ... and the RHK atasan belongs to the one who approved.
    wrong_owner = IntervensiRhk.objects.filter(rhk__skp__in=approved).exclude(
        rhk_atasan__skp__pegawai=F("rhk__skp__penilai")
    )
    assert not wrong_owner.exists()
    # Approvals carry real snapshots.
    assert not approved.filter(Q(snapshot_penilai={}) | Q(snapshot_pegawai={})).exists()

    # The demo logins: the pegawai has a draft whose RHK are all linked; the penilai has one in the inbox.
    nips = {a.peran: a.nip for a in accounts.logins}
    draft = Skp.objects.get(pegawai__nip=nips["Pegawai"], tahun=TAHUN)
    assert draft.status == "DRAFT"
    assert all(r.link_atas.exists() for r in draft.rhk_set.filter(jenis="UTAMA"))
    penilai = Skp.objects.filter(pegawai__nip=nips["Pejabat penilai"]).get().pegawai
    assert Skp.objects.for_inbox(penilai).count() == 1

    # ~10% without SKP, and the pohon shows both warnings somewhere among the pilots.
    trees = [build_pohon(o, TAHUN) for o in Opd.objects.filter(pilot=True)]
    nodes = [n for t in trees for n in t.nodes]
    without = sum(n.skp is None for n in nodes)
    assert 0.05 * len(nodes) <= without <= 0.2 * len(nodes)
    assert sum(len(t.orphans) for t in trees) > 0 and sum(len(t.uncovered) for t in trees) > 0
