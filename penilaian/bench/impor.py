"""The staff import of the N bench pegawai: a SIASN-format CSV of every bench pegawai (SPEC §8,
SIASN column names) with some changes (every tenth pegawai a new golongan, every seventh a new
e-mail), then the preview (parse + validate + plan) and the apply, in a transaction rolled back."""

from __future__ import annotations

import csv
import gc
import io
import time
import tracemalloc
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import CommandError, OutputWrapper
from django.db import transaction
from django.test.utils import override_settings

from ekinerja.angka import format_angka
from opd.imports import ImportPlan, ImportResult, apply_plan, build_plan
from opd.models import JenisJabatan, Pegawai
from penilaian.bench.data import DataBench
from penilaian.bench.laporan import koma, rss_sekarang_mb

KOLOM = ["NIP BARU", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "GOL AKHIR NAMA", "JABATAN NAMA", "JENIS JABATAN NAMA",
         "ESELON", "KELAS JABATAN", "OPD", "UNOR NAMA", "NIP ATASAN", "KEDUDUKAN HUKUM NAMA", "EMAIL"]  # fmt: skip
JENIS_SIASN = {
    JenisJabatan.JPT: "Jabatan Struktural",
    JenisJabatan.ADMINISTRATOR: "Jabatan Struktural",
    JenisJabatan.PENGAWAS: "Jabatan Struktural",
    JenisJabatan.FUNGSIONAL: "Jabatan Fungsional Tertentu",
    JenisJabatan.PELAKSANA: "Jabatan Fungsional Umum",
}
GOLONGAN_BERIKUT = {"II/a": "II/b", "II/b": "II/c", "II/c": "II/d", "II/d": "III/a", "III/a": "III/b", "III/b": "III/c"}


def berkas_siasn(prefix: str) -> tuple[bytes, int]:
    """The CSV of every pegawai with the NIP prefix, and how many rows were changed."""
    pegawai = Pegawai.objects.filter(nip__startswith=prefix).select_related("jabatan", "opd", "unit").order_by("pk")
    pemegang = dict(
        Pegawai.objects.filter(
            nip__startswith=prefix,
            jabatan__jenis__in=[JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS],
        ).values_list("jabatan_id", "nip")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(KOLOM)
    diubah = 0
    for k, p in enumerate(pegawai.iterator(chunk_size=5000)):
        j = p.jabatan
        golongan, email = p.golongan, p.email
        if k % 10 == 5 and golongan in GOLONGAN_BERIKUT:
            golongan = GOLONGAN_BERIKUT[golongan]
        if k % 7 == 3:
            email = f"baru.{p.email}"
        diubah += (golongan, email) != (p.golongan, p.email)
        writer.writerow([
            p.nip, p.nama, p.gelar_depan, p.gelar_belakang, golongan, j.nama, JENIS_SIASN[j.jenis], j.eselon,
            j.kelas_jabatan or "", p.opd.kode, p.unit.nama if p.unit_id else "", pemegang.get(j.atasan_id, ""),
            p.get_kedudukan_hukum_display(), email,
        ])  # fmt: skip
    return out.getvalue().encode("utf-8"), diubah


def _langkah(fungsi: Callable[[], object], *, memori: bool) -> tuple[object, float]:
    """(result, seconds) of one call, or (result, tracemalloc peak MB) when `memori`: tracing
    slows Python down several times, so times and peaks come from separate runs."""
    gc.collect()
    if not memori:
        mulai = time.perf_counter()
        return fungsi(), time.perf_counter() - mulai
    tracemalloc.start()
    try:
        hasil = fungsi()
        _, puncak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return hasil, puncak / 2**20


def _pratinjau_dan_terapkan(
    isi: bytes, admin: Pegawai, *, memori: bool
) -> tuple[ImportPlan, ImportResult, float, float]:
    plan, plan_angka = _langkah(lambda: build_plan(isi), memori=memori)
    if plan.errors:
        raise CommandError("Impor bench ditolak: " + "; ".join(str(e) for e in plan.errors[:5]))
    with transaction.atomic():
        hasil, apply_angka = _langkah(lambda: apply_plan(plan, by=admin, alasan="Impor bench"), memori=memori)
        transaction.set_rollback(True)
    return plan, hasil, plan_angka, apply_angka


def laporan(data: DataBench, out: OutputWrapper) -> None:
    mulai = time.perf_counter()
    isi, diubah = berkas_siasn(data.spec.prefix)
    t_berkas = time.perf_counter() - mulai
    baris = isi.count(b"\n") - 1
    batas = settings.IMPORT_MAX_BYTES
    out.write(
        f"Impor pegawai: berkas CSV format SIASN dari {format_angka(baris)} pegawai bench ({format_angka(len(isi) // 1024)} "
        f"KB, dibuat dalam {koma(t_berkas)} s), {format_angka(diubah)} baris dengan golongan atau e-mail baru."
    )
    if len(isi) > batas:
        out.write(
            f"Berkas melebihi IMPORT_MAX_BYTES ({format_angka(batas // 1024)} KB): impor sebesar ini perlu "
            "IMPORT_MAX_BYTES yang lebih besar; di sini batas dinaikkan ke ukuran berkas hanya untuk pengukuran."
        )
    with override_settings(IMPORT_MAX_BYTES=max(batas, len(isi))):
        plan, hasil, t_plan, t_apply = _pratinjau_dan_terapkan(isi, data.admin, memori=False)
        _, _, mb_plan, mb_apply = _pratinjau_dan_terapkan(isi, data.admin, memori=True)
    c = plan.counts()
    rss = rss_sekarang_mb()
    out.write(f"{'Langkah':<52}{'s':>8}{'tracemalloc MB':>16}")
    out.write(f"{'Pratinjau: baca + validasi + rencana (build_plan)':<52}{koma(t_plan):>8}{koma(mb_plan):>16}")
    out.write(f"{'Terapkan (validasi ulang + tulis), dibatalkan':<52}{koma(t_apply):>8}{koma(mb_apply):>16}")
    out.write(
        f"Rencana: {format_angka(c['baris'])} baris, baru {c['baru']}, berubah {format_angka(c['berubah'])} "
        f"(diterapkan {format_angka(hasil.berubah)}), tetap {format_angka(c['tetap'])}, jabatan baru "
        f"{c['jabatan_baru']}, unit baru {c['unit_baru']}; RSS proses sesudahnya {koma(rss, 0)} MB."
    )
