"""`manage.py bench` (issue #9 §3): the command builds a small set, measures every page with
status 200 and prints the table with the ratio to the trivial page, the TPP export and the staff
import; it reuses and removes only its own data; the query counts of the pages do not grow with
the data (a team of 5 with 2 months stored vs a team of 40 with 12) — checked to fail when a page
queries per bawahan, per month stored, per OPD or per submitted realisation."""

from __future__ import annotations

import io
import re
from collections import Counter
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from opd.models import Jabatan, Pegawai, PeranPengguna, UnitKerja
from opd.rules import is_valid_nip
from penilaian.bench import data as bd
from penilaian.bench import halaman, profil
from penilaian.bench.muat import Pemuat
from penilaian.models import BuktiDukung, Evaluasi, KinerjaOrganisasi, Presensi, RencanaAksi
from skp.models import IntervensiRhk, Skp

pytestmark = pytest.mark.django_db

KODE = profil.KODE[1:]  # every measured page but the trivial one  # fmt: skip


def run(**options) -> str:
    out = io.StringIO()
    call_command("bench", stdout=out, **options)
    return out.getvalue()


def test_command_builds_measures_every_page_then_reuses_and_removes_only_its_data(world):
    before, jabatan_before = Pegawai.objects.count(), Jabatan.objects.count()
    output = run(pegawai=120, runs=2, kecil=60)
    assert "Data bench dibangun" in output
    today = timezone.localdate()
    bench_peg = Pegawai.objects.filter(nip__startswith=bd.PREFIX)
    bench_ev = Evaluasi.objects.filter(pegawai__nip__startswith=bd.PREFIX)
    assert bench_peg.count() == 120 and Pegawai.objects.count() == before + 120
    assert all(is_valid_nip(n) for n in bench_peg.values_list("nip", flat=True))
    assert bench_ev.count() == 120 * today.month
    assert not bench_ev.filter(status=Evaluasi.Status.DINILAI, predikat="").exists()
    assert Skp.objects.filter(pegawai__nip__startswith=bd.PREFIX, status=Skp.Status.DISETUJUI).count() == 120
    assert Skp.objects.filter(pegawai__nip__startswith=bd.PREFIX, status=Skp.Status.DIAJUKAN).count() == 10
    assert IntervensiRhk.objects.filter(rhk__skp__pegawai__nip__startswith=bd.PREFIX).exists()
    assert Presensi.objects.filter(pegawai__nip__startswith=bd.PREFIX).count() == 120
    kapus = Pegawai.objects.get(nip=bd.nip(bd.PREFIX, bd.NO_KAPUS))
    assert len(kapus.bawahan_langsung()) == 40
    assert PeranPengguna.objects.filter(pegawai__nip__startswith=bd.PREFIX).count() == 3
    # The small comparison set was rolled back.
    assert not Pegawai.objects.filter(nip__startswith=bd.PREFIX_KECIL).exists()

    lines = output.splitlines()
    for kode in KODE:
        row = next(line for line in lines if line.startswith(kode + " "))
        # … median, p95, queries, ratio "N,N×", status 200
        assert re.search(r"\d+,\d×\s+200$", row), row
    assert "Target ≤ 10× tampilan ringan" in output
    perbandingan = lines[next(i for i, line in enumerate(lines) if line.startswith("Jumlah kueri pada dua ukuran")) :]
    for kode in KODE:
        row = next(line for line in perbandingan if line.startswith(kode + " "))
        assert row.endswith("  ya"), row
    assert "Ekspor TPP" in output and "Rasio tulis_xlsx / openpyxl polos" in output
    assert re.search(r"Rencana: 120 baris, baru 0, berubah \d+ \(diterapkan \d+\)", output), output
    # The import was rolled back.
    assert not bench_peg.filter(email__startswith="baru.").exists()

    again = run(pegawai=120, runs=1, kecil=0, tanpa_ekspor=True)
    assert "dipakai ulang" in again and "Data bench dibangun" not in again

    removed = run(hapus=True)
    assert "120 pegawai" in removed
    assert Pegawai.objects.count() == before
    assert not bench_ev.exists()
    assert not RencanaAksi.objects.filter(evaluasi__pegawai__nip__startswith=bd.PREFIX).exists()
    assert not BuktiDukung.objects.filter(diunggah_oleh__nip__startswith=bd.PREFIX).exists()
    assert not UnitKerja.objects.filter(nama__startswith=bd.LABEL + " ").exists()
    assert Jabatan.objects.count() == jabatan_before
    assert not KinerjaOrganisasi.objects.filter(dicatat_oleh__nip__startswith=bd.PREFIX).exists()
    # The world's own people and their rows are untouched.
    assert Pegawai.objects.filter(pk=world.pegawai.pk).exists()


def test_bangun_saja_builds_and_measures_nothing():
    output = run(pegawai=80, bangun_saja=True)
    assert "Data bench dibangun" in output and "Median" not in output
    assert Pegawai.objects.filter(nip__startswith=bd.PREFIX).count() == 80


def test_profil_prints_a_profile_and_the_plan_of_the_heaviest_query():
    output = run(pegawai=80, profil="tpp")
    assert "Profil pyinstrument" in output and "Kueri terberat" in output and "EXPLAIN" in output


def test_command_refuses_a_data_set_too_small_and_an_unknown_page():
    with pytest.raises(CommandError, match="--pegawai minimal"):
        run(pegawai=50, runs=1, kecil=0)
    with pytest.raises(CommandError, match="--profil"):
        run(pegawai=80, profil="tidak-ada")


def test_sizes_are_spread_with_one_much_larger_opd():
    sizes = bd.kuota(6955, 40)
    assert sum(sizes) == 6955
    dinkes = sizes[0] + bd.TIM + 2  # with the Puskesmas (Kepala and team) and its admin OPD
    assert 250 <= dinkes <= 300 and max(sizes[1:]) < 0.8 * dinkes and min(sizes[1:]) < 0.7 * max(sizes[1:])
    besar = bd.kuota(99955, 40)
    assert sum(besar) == 99955 and besar[0] > 3000


def test_nip_is_valid_and_distinct():
    nips = [bd.nip(bd.PREFIX, s) for s in range(0, 120_000, 7)]
    assert len(set(nips)) == len(nips) and all(n.startswith(bd.PREFIX) and is_valid_nip(n) for n in nips[:2000])


def test_a_failed_build_writes_nothing(monkeypatch):
    def boom(self, i):
        raise RuntimeError("gagal di tengah")

    monkeypatch.setattr(bd._Tahun, "_skp", boom)
    spec = bd.Spec(bd.PREFIX, bd.LABEL, 80, bd.TIM, 2026, 3)
    with pytest.raises(RuntimeError):
        bd.bangun(spec)
    assert not Pegawai.objects.filter(nip__startswith=bd.PREFIX).exists()
    assert not UnitKerja.objects.filter(nama__startswith=bd.LABEL + " ").exists()


def test_loader_writes_what_it_was_given():
    pemuat = Pemuat()
    opd = bd._opds()[0]
    unit = UnitKerja(pk=None, opd=opd, nama="[bench] Uji\tTab\\Garis", jenis=UnitKerja.Jenis.BIDANG)
    pemuat.tambah(unit)
    assert pemuat.tutup() == {"opd.UnitKerja": 1}
    assert UnitKerja.objects.get(nama="[bench] Uji\tTab\\Garis").opd_id == opd.pk


DIBANDINGKAN = ("tim", "nilai", "kurva", "pantau")


def counts(data: bd.DataBench) -> dict[str, int]:
    return {h.kode: h.kueri[-1] for h in halaman.ukur(data, 1, set(DIBANDINGKAN))}


def besar() -> bd.DataBench:
    today = timezone.localdate()
    spec = bd.Spec(bd.PREFIX, bd.LABEL, 150, bd.TIM, today.year, 12)
    bd.bangun(spec)
    data = bd.temukan(spec)
    assert data is not None
    return data


def compare(data: bd.DataBench) -> tuple[dict[str, int], dict[str, int]]:
    kecil = halaman.kueri_kecil(bd.spec_kecil(data.tahun, 60))
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


def test_the_dinkes_is_the_largest_opd():
    bd.bangun(bd.Spec(bd.PREFIX, bd.LABEL, 2000, bd.TIM, 2026, 2))
    data = bd.temukan(bd.Spec(bd.PREFIX, bd.LABEL, 2000, bd.TIM, 2026, 2))
    sizes = Counter(Pegawai.objects.filter(nip__startswith=bd.PREFIX).values_list("opd__kode", flat=True))
    (terbesar, n), (_, kedua) = sizes.most_common(2)
    assert terbesar == data.opd_terbesar.kode == "DINKESDALDUKKB" and n > 1.3 * kedua
