"""Demo names read like real ones (issue #6 §6: "drg. Eka Eka Nurhayati")."""

from __future__ import annotations

from opd.demo import build_plan


def test_no_demo_name_repeats_a_part():
    repeated = [p.nama for p in build_plan().people if len(set(p.nama.split())) < len(p.nama.split())]
    assert repeated == []
