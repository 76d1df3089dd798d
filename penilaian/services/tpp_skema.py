"""The TPP scheme per year (SPEC §7), edited by the admin BKD: versions, each in force from the first
day of a month until the next version of the same year.

Versioning: a month uses the version in force on its first day (`skema_berlaku`). A version that a
final month used (a FINAL TppBulan points at it, or a final month falls in its range) is never
changed in place: editing it makes a new version from a chosen later month, after the year's last
final month. Changing next year's scheme never touches this year: versions belong to one year.

Every function: @transaction.atomic, the actor checked (a forged POST meets the same checks as the
form), one PenilaianError with an Indonesian message, one audit row per change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from ekinerja.angka import format_angka
from opd import audit
from opd.models import Pegawai
from penilaian.models import NAMA_BULAN, BesaranTpp, SkemaTpp, TppBulan
from penilaian.services._common import KonflikVersi, PenilaianError

KELAS = range(1, 18)  # kelas jabatan 1–17 (Perpres 99/2012 and its successors)
BESARAN_MAKS = 1_000_000_000  # Rupiah per month: above it is a typing error, not a TPP
PERSEN_FIELDS = (
    "bobot_kinerja", "bobot_disiplin",
    "persen_sangat_baik", "persen_baik", "persen_butuh_perbaikan", "persen_kurang", "persen_sangat_kurang",
    "potongan_tl1", "potongan_tl2", "potongan_tl3", "potongan_tl4",
    "potongan_psw1", "potongan_psw2", "potongan_psw3", "potongan_psw4",
    "potongan_tanpa_keterangan", "potongan_hukdis",
)  # fmt: skip
# Kedudukan hukum that may be excluded from TPP (Aktif never is: it is who the TPP is for).
KEDUDUKAN_PILIHAN = [(v, label) for v, label in Pegawai.KedudukanHukum.choices if v != Pegawai.KedudukanHukum.AKTIF]


def is_pengelola_tpp(user: Pegawai) -> bool:
    """The TPP scheme, attendance and hukdis belong to the admin BKD (SPEC §9)."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_admin_bkd))


def boleh_baca_skema(user: Pegawai) -> bool:
    """Admin BKD and auditor read every scheme; an admin OPD reads it too (their OPD's TPP is
    computed from it), read-only."""
    return bool(user.is_authenticated and (user.can_read_all() or user.is_admin_opd))


def _wajib_pengelola(by: Pegawai) -> None:
    if not is_pengelola_tpp(by):
        raise PenilaianError("Hanya admin BKD yang dapat mengubah skema TPP.")


# Reading ------------------------------------------------------------------------------------------


def skema_berlaku(tahun: int, bulan: int) -> SkemaTpp | None:
    """The version in force on the first day of month `bulan` of `tahun` (one query)."""
    return SkemaTpp.objects.filter(tahun=tahun, berlaku_mulai__lte=bulan).order_by("-berlaku_mulai").first()


def nama_bulan(bulan: int) -> str:
    return NAMA_BULAN[bulan - 1]


@dataclass
class VersiSkema:
    """One version as the list and the form show it."""

    skema: SkemaTpp
    sampai: int  # the last month it is in force (12 or the month before the next version)
    bulan_final: list[int]  # final months in its range
    dipakai_final: bool  # a final month used it: never changed in place

    @property
    def rentang(self) -> str:
        mulai = nama_bulan(self.skema.berlaku_mulai)
        return mulai if self.sampai == self.skema.berlaku_mulai else f"{mulai} – {nama_bulan(self.sampai)}"


def _final_bulan(tahun: int) -> dict[int, int | None]:
    """Final months of `tahun`: bulan → the version its TppBulan was finalised with."""
    rows = TppBulan.objects.filter(status=TppBulan.Status.FINAL, periode__tahun=tahun, periode__bulan__gte=1)
    return dict(rows.values_list("periode__bulan", "skema_id"))


def versi_tahun(tahun: int) -> list[VersiSkema]:
    """The versions of a year in month order, with their range and whether a final month used them
    (two queries)."""
    versions = list(SkemaTpp.objects.filter(tahun=tahun).select_related("dibuat_oleh").order_by("berlaku_mulai"))
    final = _final_bulan(tahun)
    result = []
    for i, s in enumerate(versions):
        sampai = versions[i + 1].berlaku_mulai - 1 if i + 1 < len(versions) else 12
        months = sorted(b for b in final if s.berlaku_mulai <= b <= sampai)
        used = bool(months) or s.pk in final.values()
        result.append(VersiSkema(s, sampai, months, used))
    return result


def versi_dari(skema: SkemaTpp) -> VersiSkema:
    for v in versi_tahun(skema.tahun):
        if v.skema.pk == skema.pk:
            return v
    raise PenilaianError("Versi skema ini tidak ada lagi.")  # pragma: no cover - deleted meanwhile


def bulan_final_terakhir(tahun: int) -> int:
    """The year's last final month (0 when none)."""
    return max(_final_bulan(tahun), default=0)


def besaran_map(skema: SkemaTpp) -> dict[int, int]:
    return dict(BesaranTpp.objects.filter(skema=skema).values_list("kelas_jabatan", "besaran"))


def kelas_dipegang() -> dict[int, int]:
    """Kelas jabatan held today by pegawai who get TPP (kedudukan Aktif, ASN) → number of pegawai
    (one query)."""
    rows = (
        Pegawai.objects.asn()
        .filter(kedudukan_hukum=Pegawai.KedudukanHukum.AKTIF, jabatan__kelas_jabatan__isnull=False)
        .values("jabatan__kelas_jabatan")
        .annotate(n=Count("pk"))
    )
    return {r["jabatan__kelas_jabatan"]: r["n"] for r in rows}


def besaran_kurang(
    besaran: Mapping[int, int | None], dipegang: Mapping[int, int] | None = None
) -> list[tuple[int, int]]:
    """(kelas, pegawai) for every kelas jabatan held by pegawai but without a besaran."""
    dipegang = kelas_dipegang() if dipegang is None else dipegang
    return [(k, n) for k, n in sorted(dipegang.items()) if not besaran.get(k)]


def pesan_besaran_kurang(kurang: list[tuple[int, int]]) -> str:
    bagian = [f"kelas {k} ({n} pegawai)" for k, n in kurang]
    return "Besaran TPP belum diisi untuk kelas jabatan yang dipegang pegawai: " + ", ".join(bagian) + "."


# Validation ---------------------------------------------------------------------------------------


@dataclass
class DataSkema:
    """The editable content of a version: percentages, besaran per kelas, excluded kedudukan."""

    persen: dict[str, Decimal]
    besaran: dict[int, int]  # kelas → Rupiah; a kelas left out has no besaran
    kedudukan_tanpa_tpp: list[str]
    catatan: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def dari(cls, skema: SkemaTpp, besaran: Mapping[int, int] | None = None) -> DataSkema:
        return cls(
            persen={f: Decimal(str(getattr(skema, f))) for f in PERSEN_FIELDS},
            besaran=dict(besaran if besaran is not None else besaran_map(skema)),
            kedudukan_tanpa_tpp=list(skema.kedudukan_tanpa_tpp or []),
        )


def cek_data(data: DataSkema, *, dipegang: Mapping[int, int] | None = None) -> list[str]:
    """Every broken rule of a scheme, in Indonesian (empty when it may be saved)."""
    errors = []
    for name in PERSEN_FIELDS:
        value = data.persen.get(name)
        if value is None or not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 100:
            label = str(SkemaTpp._meta.get_field(name).verbose_name)
            errors.append(f"{label[:1].upper()}{label[1:]}: harus antara 0 dan 100.")
    bobot = [data.persen.get("bobot_kinerja"), data.persen.get("bobot_disiplin")]
    if all(isinstance(b, Decimal) and b.is_finite() for b in bobot) and sum(bobot) != 100:
        errors.append(
            f"Bobot produktivitas kerja dan disiplin kerja harus berjumlah 100 % (sekarang {sum(bobot):g} %)."
        )
    for kelas, value in data.besaran.items():
        if kelas not in KELAS:
            errors.append(f"Kelas jabatan {kelas} tidak ada (1–17).")
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= BESARAN_MAKS:
            errors.append(
                f"Besaran kelas {kelas}: harus bilangan bulat Rupiah antara 1 dan {BESARAN_MAKS:,}.".replace(",", ".")
            )
    allowed = {v for v, _ in KEDUDUKAN_PILIHAN}
    unknown = [k for k in data.kedudukan_tanpa_tpp if k not in allowed]
    if unknown:
        errors.append(
            "Kedudukan hukum tidak dikenal atau tidak dapat dikecualikan: " + ", ".join(map(str, unknown)) + "."
        )
    kurang = besaran_kurang(data.besaran, dipegang)
    if kurang:
        errors.append(pesan_besaran_kurang(kurang))
    return errors


def _simpan_besaran(skema: SkemaTpp, besaran: Mapping[int, int]) -> None:
    BesaranTpp.objects.filter(skema=skema).delete()
    BesaranTpp.objects.bulk_create(
        [BesaranTpp(skema=skema, kelas_jabatan=k, besaran=v) for k, v in sorted(besaran.items())]
    )


def _terapkan(skema: SkemaTpp, data: DataSkema) -> None:
    for name, value in data.persen.items():
        setattr(skema, name, value)
    skema.kedudukan_tanpa_tpp = sorted(data.kedudukan_tanpa_tpp)


def _teks(value: Decimal | None) -> str | None:
    """A percentage as the audit shows it: 60, 0,5 (never 60.00)."""
    return None if value is None else format_angka(value)


def _perubahan(lama: DataSkema, baru: DataSkema) -> dict[str, tuple]:
    changes: dict[str, tuple] = {}
    for name in PERSEN_FIELDS:
        if lama.persen.get(name) != baru.persen.get(name):
            changes[name] = (_teks(lama.persen.get(name)), _teks(baru.persen.get(name)))
    for kelas in KELAS:
        if lama.besaran.get(kelas) != baru.besaran.get(kelas):
            changes[f"besaran_kelas_{kelas}"] = (lama.besaran.get(kelas), baru.besaran.get(kelas))
    if sorted(lama.kedudukan_tanpa_tpp) != sorted(baru.kedudukan_tanpa_tpp):
        changes["kedudukan_tanpa_tpp"] = (sorted(lama.kedudukan_tanpa_tpp), sorted(baru.kedudukan_tanpa_tpp))
    return changes


# Creating a year's scheme ---------------------------------------------------------------------------


def _buat(tahun: int, data: DataSkema, *, by: Pegawai, berlaku_mulai: int, catatan: str) -> SkemaTpp:
    skema = SkemaTpp(tahun=tahun, berlaku_mulai=berlaku_mulai, dibuat_oleh=by, catatan=catatan)
    _terapkan(skema, data)
    try:
        with transaction.atomic():
            skema.save()
    except IntegrityError as exc:  # made concurrently by another request
        raise PenilaianError(
            f"Skema TPP {tahun} mulai {nama_bulan(berlaku_mulai)} sudah ada (mungkin baru saja dibuat di tab lain)."
        ) from exc
    _simpan_besaran(skema, data.besaran)
    return skema


def _cek_tahun_kosong(tahun: int) -> None:
    from penilaian.services.periode import TAHUN_MAX, TAHUN_MIN

    if not TAHUN_MIN <= tahun <= TAHUN_MAX:
        raise PenilaianError(f"Tahun harus antara {TAHUN_MIN} dan {TAHUN_MAX}.")
    if SkemaTpp.objects.filter(tahun=tahun).exists():
        raise PenilaianError(f"Skema TPP tahun {tahun} sudah ada; ubah versinya dari daftar skema.")


@transaction.atomic
def salin_tahun_lalu(tahun: int, *, by: Pegawai) -> SkemaTpp:
    """This year's first version (from January) as a copy of last year's latest version."""
    _wajib_pengelola(by)
    _cek_tahun_kosong(tahun)
    asal = SkemaTpp.objects.filter(tahun=tahun - 1).order_by("-berlaku_mulai").first()
    if asal is None:
        raise PenilaianError(f"Tidak ada skema TPP tahun {tahun - 1} untuk disalin. Buat skema dengan nilai bawaan.")
    data = DataSkema.dari(asal)
    skema = _buat(tahun, data, by=by, berlaku_mulai=1, catatan=f"Disalin dari {asal}.")
    audit.record(
        skema,
        "skema_tpp_disalin",
        by=by,
        perubahan={"skema": (str(asal), str(skema)), **_perubahan(DataSkema({}, {}, []), data)},
    )
    return skema


@transaction.atomic
def buat_bawaan(tahun: int, *, by: Pegawai) -> SkemaTpp:
    """A year's first version with the SPEC §7 defaults and no besaran yet."""
    _wajib_pengelola(by)
    _cek_tahun_kosong(tahun)
    data = DataSkema.dari(SkemaTpp(tahun=tahun), besaran={})
    skema = _buat(tahun, data, by=by, berlaku_mulai=1, catatan="Nilai bawaan SPEC §7.")
    audit.record(skema, "skema_tpp_dibuat", by=by, perubahan={"skema": (None, str(skema))})
    return skema


# Editing a version ----------------------------------------------------------------------------------


@transaction.atomic
def ubah_skema(
    skema: SkemaTpp,
    data: DataSkema,
    *,
    by: Pegawai,
    versi: int | None = None,
    mulai_bulan: int | None = None,
    alasan: str = "",
) -> SkemaTpp:
    """Save a version. `mulai_bulan` None: change it in place (refused when a final month used
    it). `mulai_bulan` a month: a new version from that month (after the year's last final month,
    after this version's start and before the next version's), this one left as it is.
    `versi` is the version number the form was opened with (a stale one is refused)."""
    _wajib_pengelola(by)
    fresh = SkemaTpp.objects.select_for_update().filter(pk=skema.pk).first()
    if fresh is None:
        raise PenilaianError("Versi skema ini sudah tidak ada.")
    if versi is not None and fresh.versi != versi:
        raise KonflikVersi()
    errors = cek_data(data)
    if errors:
        raise PenilaianError(" ".join(errors))
    info = versi_dari(fresh)
    lama = DataSkema.dari(fresh)
    changes = _perubahan(lama, data)
    if mulai_bulan is None:
        if info.dipakai_final:
            raise PenilaianError(
                f"Versi ini dipakai bulan yang sudah final ({', '.join(nama_bulan(b) for b in info.bulan_final)}"
                f" {fresh.tahun}) sehingga tidak dapat diubah langsung. Pilih bulan mulai berlakunya versi baru."
            )
        if not changes:
            return fresh
        _terapkan(fresh, data)
        fresh.versi += 1
        if alasan:
            fresh.catatan = alasan
        fresh.save()
        _simpan_besaran(fresh, data.besaran)
        audit.record(fresh, "skema_tpp_diubah", by=by, perubahan=changes, alasan=alasan)
        skema.versi = fresh.versi
        return fresh
    _cek_mulai_bulan(fresh, info, mulai_bulan)
    baru = _buat(fresh.tahun, data, by=by, berlaku_mulai=mulai_bulan, catatan=alasan or f"Perubahan dari {fresh}.")
    audit.record(
        baru,
        "skema_tpp_versi_baru",
        by=by,
        perubahan={"berlaku_mulai": (nama_bulan(fresh.berlaku_mulai), nama_bulan(mulai_bulan)), **changes},
        alasan=alasan,
    )
    return baru


def _cek_mulai_bulan(skema: SkemaTpp, info: VersiSkema, mulai_bulan: int) -> None:
    if not 1 <= mulai_bulan <= 12:
        raise PenilaianError("Bulan mulai berlaku harus 1–12.")
    terakhir = bulan_final_terakhir(skema.tahun)
    if mulai_bulan <= terakhir:
        raise PenilaianError(
            f"Versi baru harus berlaku setelah bulan terakhir yang sudah final ({nama_bulan(terakhir)} {skema.tahun})."
        )
    if mulai_bulan <= skema.berlaku_mulai:
        raise PenilaianError(
            f"Versi baru harus berlaku setelah {nama_bulan(skema.berlaku_mulai)}, awal versi yang diubah; "
            "untuk mengubah versi ini sendiri, kosongkan pilihan bulan."
        )
    if mulai_bulan > info.sampai:
        raise PenilaianError(
            f"Mulai {nama_bulan(info.sampai + 1)} {skema.tahun} berlaku versi lain; ubah versi itu untuk bulan "
            f"{nama_bulan(mulai_bulan)}."
        )


def bulan_versi_baru(info: VersiSkema) -> list[int]:
    """Months a new version made from this one may start in."""
    terakhir = bulan_final_terakhir(info.skema.tahun)
    return list(range(max(info.skema.berlaku_mulai, terakhir) + 1, info.sampai + 1))


def tahun_skema() -> list[int]:
    """Years with a scheme, newest first (one query)."""
    return list(SkemaTpp.objects.values_list("tahun", flat=True).distinct().order_by("-tahun"))


def tahun_terakhir() -> int | None:
    return SkemaTpp.objects.aggregate(t=Max("tahun"))["t"]


__all__ = [
    "KEDUDUKAN_PILIHAN",
    "KELAS",
    "PERSEN_FIELDS",
    "DataSkema",
    "VersiSkema",
    "besaran_kurang",
    "besaran_map",
    "boleh_baca_skema",
    "buat_bawaan",
    "bulan_final_terakhir",
    "bulan_versi_baru",
    "cek_data",
    "is_pengelola_tpp",
    "kelas_dipegang",
    "salin_tahun_lalu",
    "skema_berlaku",
    "ubah_skema",
    "versi_tahun",
]
