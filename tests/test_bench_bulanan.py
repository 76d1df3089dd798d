"""`manage.py bench_bulanan` (issue #7 "Done when"): the command builds, measures and prints every
page with status 200 and its ratio to the trivial page, reuses and removes its data; and the query
count of the team page, the evaluation page, the kurva overview and the monitoring overview does
not grow with the data (a team of 5 with 2 months stored vs a team of 40 with 12) — checked to fail
when a page queries per bawahan, per month stored, per OPD or per submitted realisation."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.utils import timezone

from opd.models import Jabatan, Pegawai, UnitKerja
from penilaian.management.commands import bench_bulanan as bench
from penilaian.models import Evaluasi, KinerjaOrganisasi, RencanaAksi
from skp.models import Skp

pytestmark = pytest.mark.django_db

HALAMAN = (
    "Pembanding", "Tim penilai", "Penilaian satu evaluasi", "Kurva semua OPD", "Bulan pegawai", "Pemantauan semua OPD",
)  # fmt: skip


def run(**options) -> str:
    out = io.StringIO()
    call_command("bench_bulanan", stdout=out, **options)
    return out.getvalue()


def test_command_measures_every_page_then_reuses_and_removes_its_data():
    output = run(pegawai=120, runs=2, kecil=60)
    assert "Data bench dibangun" in output
    today = timezone.localdate()
    bench_ev = Evaluasi.objects.filter(pegawai__nip__startswith=bench.PREFIX)
    assert Pegawai.objects.filter(nip__startswith=bench.PREFIX).count() == 120
    assert bench_ev.count() == 120 * today.month
    assert not bench_ev.filter(status=Evaluasi.Status.DINILAI, predikat="").exists()
    assert Skp.objects.filter(pegawai__nip__startswith=bench.PREFIX, status=Skp.Status.DISETUJUI).count() == 120
    kapus = Pegawai.objects.get(nip=bench.nip(bench.PREFIX, bench.NO_KAPUS))
    assert len(kapus.bawahan_langsung()) == 40
    # The small comparison set was rolled back.
    assert not Pegawai.objects.filter(nip__startswith=bench.PREFIX_KECIL).exists()

    lines = output.splitlines()
    for judul in HALAMAN:
        row = next(line for line in lines if line.startswith(judul) and "/" in line)
        # … median, p95, queries, ratio "N,N×", status 200
        assert re.search(r"\d+,\d×\s+200$", row), row
    assert "Target ≤ 15× tampilan ringan" in output
    perbandingan = lines[next(i for i, line in enumerate(lines) if line.startswith("Jumlah kueri pada dua ukuran")) :]
    assert sum(1 for line in perbandingan if line.startswith(HALAMAN)) == len(HALAMAN)

    again = run(pegawai=120, runs=1, kecil=0)
    assert "dipakai ulang" in again and "Data bench dibangun" not in again

    removed = run(hapus=True)
    assert "120 pegawai" in removed
    assert not Pegawai.objects.filter(nip__startswith=bench.PREFIX).exists()
    assert not bench_ev.exists()
    assert not UnitKerja.objects.filter(nama__startswith=bench.LABEL + " ").exists()
    assert not Jabatan.objects.filter(nama__in=["Kepala Puskesmas", "Sekretaris Daerah"]).exists()
    assert not KinerjaOrganisasi.objects.filter(dicatat_oleh__nip__startswith=bench.PREFIX).exists()


def test_command_refuses_a_data_set_too_small_for_the_team():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--pegawai minimal"):
        run(pegawai=50, runs=1, kecil=0)


DIBANDINGKAN = ("tim", "nilai", "kurva", "pantau")


def counts(data: bench.DataBench) -> dict[str, int]:
    return {h.kode: h.kueri[-1] for h in bench.ukur(data, 1)}


def besar() -> bench.DataBench:
    today = timezone.localdate()
    spec = bench.Spec(bench.PREFIX, bench.LABEL, 150, bench.TIM, today.year, 12)
    bench.bangun(spec)
    data = bench.temukan(spec)
    assert data is not None
    return data


def compare(data: bench.DataBench) -> tuple[dict[str, int], dict[str, int]]:
    _, kecil = bench.kueri_kecil(bench.spec_kecil(data.tahun, 60))
    return kecil, counts(data)


def test_query_counts_do_not_grow_with_team_months_and_opds():
    data = besar()
    kecil, besar_ = compare(data)
    assert {k: kecil[k] for k in DIBANDINGKAN} == {k: besar_[k] for k in DIBANDINGKAN}


@contextmanager
def patched(monkeypatch, module: str, name: str, wrapper):
    import importlib

    mod = importlib.import_module(module)
    original = getattr(mod, name)
    with monkeypatch.context() as m:
        m.setattr(mod, name, wrapper(original))
        yield


def per_bawahan(original):
    def tim_bulan(user, periode, **kwargs):
        result = original(user, periode, **kwargs)
        for b in result.baris:
            Evaluasi.objects.filter(pegawai=b.pegawai).exists()
        return result

    return tim_bulan


def per_bulan(original):
    def halaman_penilaian(ev, **kwargs):
        for e in Evaluasi.objects.filter(pegawai_id=ev.pegawai_id):
            RencanaAksi.objects.filter(evaluasi=e).count()
        return original(ev, **kwargs)

    return halaman_penilaian


def per_opd(original):
    def kurva_semua_opd(periode, opds):
        rows = original(periode, opds)
        for k in rows:
            if k.n:
                KinerjaOrganisasi.objects.filter(opd_id=k.opd_id).exists()
        return rows

    return kurva_semua_opd


def per_opd_pantau(original):
    def capaian_per_opd(periode, opds):
        rows = original(periode, opds)
        for r in rows:  # a query per submitted realisation
            for ev_id in Evaluasi.objects.filter(periode=periode, snap_opd_id=r.opd.pk, status="DIKIRIM").values_list(
                "pk", flat=True
            ):
                RencanaAksi.objects.filter(evaluasi_id=ev_id).exists()
        return rows

    return capaian_per_opd


def test_the_comparison_fails_when_a_page_queries_per_row(monkeypatch):
    data = besar()
    cases = [
        ("tim", "penilaian.views.penilai", "tim_bulan", per_bawahan),
        ("nilai", "penilaian.views.penilai", "halaman_penilaian", per_bulan),
        ("kurva", "penilaian.views.kurva", "kurva_semua_opd", per_opd),
        ("pantau", "penilaian.services.monitoring", "capaian_per_opd", per_opd_pantau),
    ]
    for kode, module, name, wrapper in cases:
        with patched(monkeypatch, module, name, wrapper):
            kecil, besar_ = compare(data)
        assert kecil[kode] < besar_[kode], (kode, kecil, besar_)
        assert all(kecil[k] == besar_[k] for k in DIBANDINGKAN if k != kode), (kode, kecil, besar_)
