"""Builders for the TPP scheme, attendance and hukdis tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from penilaian.models import BesaranTpp, Periode, SkemaTpp, TppBulan

# Every kelas jabatan of the world's pegawai (6, 7, 11, 14, 15) with a besaran.
BESARAN = {k: 1_000_000 + k * 250_000 for k in range(1, 18)}


def skema(tahun: int, by, *, mulai: int = 1, besaran: dict[int, int] | None = None, **fields) -> SkemaTpp:
    s = SkemaTpp.objects.create(tahun=tahun, berlaku_mulai=mulai, dibuat_oleh=by, **fields)
    BesaranTpp.objects.bulk_create(
        [
            BesaranTpp(skema=s, kelas_jabatan=k, besaran=v)
            for k, v in (besaran if besaran is not None else BESARAN).items()
        ]
    )
    return s


def periode(tahun: int, bulan: int) -> Periode:
    """An opened month (deadlines after it)."""
    awal = datetime.date(tahun, bulan, 1)
    batas = awal + datetime.timedelta(days=40)
    return Periode.objects.get_or_create(
        tahun=tahun, bulan=bulan, defaults={"batas_realisasi": batas, "batas_penilaian": batas}
    )[0]


def final(per: Periode, s: SkemaTpp, by) -> TppBulan:
    return TppBulan.objects.create(
        periode=per, status=TppBulan.Status.FINAL, skema=s, difinalkan_oleh=by, difinalkan_pada=timezone.now(),
        jumlah_total=0,
    )  # fmt: skip


def form_data(s: SkemaTpp, besaran: dict[int, int] | None = None, **overrides) -> dict:
    """The POST of the scheme form for version `s` as it is (then the overrides)."""
    data = {
        name: str(getattr(s, name)).replace(".", ",")
        for name in (
            "bobot_kinerja", "bobot_disiplin", "persen_sangat_baik", "persen_baik", "persen_butuh_perbaikan",
            "persen_kurang", "persen_sangat_kurang", "potongan_tl1", "potongan_tl2", "potongan_tl3", "potongan_tl4",
            "potongan_psw1", "potongan_psw2", "potongan_psw3", "potongan_psw4", "potongan_tanpa_keterangan",
            "potongan_hukdis",
        )
    }  # fmt: skip
    stored = dict(s.besaran_set.values_list("kelas_jabatan", "besaran"))
    for k, v in (besaran if besaran is not None else stored).items():
        data[f"besaran_{k}"] = str(v)
    data["kedudukan_tanpa_tpp"] = list(s.kedudukan_tanpa_tpp)
    data["versi"] = str(s.versi)
    data["mulai_bulan"] = ""
    data["alasan"] = ""
    data.update(overrides)
    return data
