"""Helpers of the tests of results kept until their data changes (ekinerja.jejak): a reader that
says whether it computed, and the loop that changes each input and checks the next read."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def pembaca(baca: Callable[[], object], tanda_sql: str) -> Callable[[], object]:
    """`baca()` as a callable whose `.dihitung` says whether the last call ran the computation (a
    query containing `tanda_sql`) or served the kept result."""

    def dibaca():
        with CaptureQueriesContext(connection) as ctx:
            hasil = baca()
        dibaca.dihitung = any(tanda_sql in q["sql"] for q in ctx.captured_queries)
        return hasil

    return dibaca


def setiap_perubahan_terlihat(dibaca, segar: Callable[[], object], changes: dict[str, Callable[[], object]]) -> None:
    """Each change (raw SQL, no service): the next read computes again, equals the computation done
    anew (`segar`), and differs from the read before — else the fixture proves nothing."""
    for name, change in changes.items():
        before = dibaca()
        change()
        after = dibaca()
        assert after == segar(), name
        assert after != before, f"{name}: the fixture's figures must change, or this proves nothing"
        assert dibaca.dihitung, name
