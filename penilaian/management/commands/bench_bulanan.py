"""`python manage.py bench_bulanan [--pegawai 7000] [--runs 15] [--kecil 60] [--force] [--hapus]`
(issue #7 "Done when"): a regency-sized year of the monthly cycle, then the pages that must stay
fast, measured through the test client.

Data set (built once with bulk_create, reused while it matches N and the month; `--force`
rebuilds): N pegawai over the real OPDs (a bench Sekda above every bench Kepala OPD; Kepala →
Kepala Bidang → Kepala Seksi → staff), one Puskesmas in the Dinkes whose Kepala rates exactly
40 pegawai, one admin BKD; one approved SKP per pegawai (2–3 RHK, 1–2 IKI each, the seven
BerAKHLAK rows); the twelve months of the year opened; every month up to the current one
evaluated for everybody (rencana aksi with realisasi and one https bukti each), past months
rated, the current month in every state. Bench rows are recognisable: NIP starting with `99`
(no real NIP: its birth year would be 99xx) and unit names starting with `[bench]`.

Measured (median and p95 server time, queries, ratio to a trivial logged-in page): the team page
of the 40-bawahan penilai, the evaluation page of one submitted month of that team, the regency
kurva overview as admin BKD for last month, the month page of one team member. The same pages
are then counted on a small set (`--kecil` pegawai, a team of 5, two months stored) built in a
rolled-back transaction in the next year, so the query counts can be compared at two sizes.
"""

from __future__ import annotations

import datetime
import math
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opd.models import AuditLog, Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt, PeranPengguna, UnitKerja
from penilaian import rules
from penilaian.models import (
    BesaranTpp,
    BukaKunci,
    BuktiDukung,
    Evaluasi,
    HukumanDisiplin,
    ImporPresensi,
    KinerjaOrganisasi,
    PenyesuaianTpp,
    Periode,
    Presensi,
    RealisasiTahunan,
    RencanaAksi,
    SkemaTpp,
    TppBaris,
    TppBulan,
    UmpanBalik,
)
from penilaian.rules import CapaianOrganisasi, Rating
from penilaian.services._common import isi_snapshot_pegawai
from penilaian.services.periode import batas_bawaan
from skp.models import IndikatorKinerja, IntervensiRhk, PerilakuKerja, RencanaHasilKerja, Skp
from skp.rules import BERAKHLAK
from skp.services._common import snapshot_of

PREFIX = "99"  # NIP prefix of the bench data set
PREFIX_KECIL = "98"  # NIP prefix of the small comparison set (always rolled back)
LABEL = "[bench]"
LABEL_KECIL = "[bench-kecil]"
TIM = 40  # bawahan of the Kepala Puskesmas
TIM_KECIL = 5
BULAN_KECIL = 2  # months stored in the small set
BATCH = 2000
KUNCI_PEGAWAI = 500  # pegawai per chunk of evaluations (bounds memory at 7,000)

# NIP serials of the fixed people (the rest follow).
NO_ADMIN, NO_SEKDA, NO_KAPUS = 1, 2, 3

DEPAN = ["Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gunawan", "Hesti", "Indra", "Joko", "Kartika", "Lukman",
         "Maya", "Nur", "Putri", "Rudi", "Sari", "Teguh", "Umi", "Wahyu"]  # fmt: skip
BELAKANG = ["Santoso", "Wibowo", "Lestari", "Rahmawati", "Saputra", "Handayani", "Kurniawan", "Puspitasari",
            "Hidayat", "Wulandari", "Prasetyo", "Susanti"]  # fmt: skip
GOLONGAN_STAF = ["II/a", "II/b", "II/c", "II/d", "III/a", "III/b"]
STAF = [
    ("Pengadministrasi Perkantoran", JenisJabatan.PELAKSANA, 5),
    ("Analis Kebijakan Ahli Pertama", JenisJabatan.FUNGSIONAL, 8),
]
PUSKESMAS = [
    ("Perawat Terampil", JenisJabatan.FUNGSIONAL, 7),
    ("Bidan Terampil", JenisJabatan.FUNGSIONAL, 7),
    ("Dokter Ahli Pertama", JenisJabatan.FUNGSIONAL, 9),
    ("Pengadministrasi Perkantoran", JenisJabatan.PELAKSANA, 5),
]
RHK = [
    "Terlaksananya pelayanan administrasi yang tertib dan tepat waktu",
    "Tersusunnya laporan kinerja unit yang akurat",
    "Terlaksananya pelayanan kepada masyarakat sesuai standar",
    "Terkelolanya data dan informasi unit kerja",
    "Terlaksananya koordinasi program dengan unit terkait",
]
IKI = [
    ("Jumlah dokumen yang diselesaikan", IndikatorKinerja.Aspek.KUANTITAS, 12, "dokumen"),
    ("Persentase layanan sesuai standar", IndikatorKinerja.Aspek.KUALITAS, 90, "%"),
    ("Jumlah kegiatan yang dilaksanakan", IndikatorKinerja.Aspek.KUANTITAS, 24, "kegiatan"),
    ("Rata-rata waktu penyelesaian layanan", IndikatorKinerja.Aspek.WAKTU, 3, "hari"),
]


@dataclass(frozen=True)
class Spec:
    prefix: str
    label: str
    n: int
    tim: int
    tahun: int
    bulan_kini: int  # months 1..bulan_kini are stored; the last one is "this month"


@dataclass
class DataBench:
    spec: Spec
    kapus: Pegawai  # the Kepala Puskesmas (the measured penilai)
    anggota: Pegawai  # a team member (the measured month page)
    admin: Pegawai  # admin BKD
    ev_dikirim: int  # pk of a DIKIRIM evaluation of the team this month
    bulan_kurva: int

    @property
    def tahun(self) -> int:
        return self.spec.tahun


@dataclass
class Hasil:
    kode: str
    judul: str
    url: str
    times: list[float] = field(default_factory=list)
    kueri: list[int] = field(default_factory=list)
    status: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def nip(prefix: str, serial: int) -> str:
    return f"{prefix}{serial:016d}"


def _rentang(tahun: int, bulan: int) -> tuple[datetime.datetime, datetime.datetime]:
    """A submit and a rating moment for the month (the 3rd and the 7th of the next month)."""
    berikut = datetime.date(tahun + (bulan == 12), bulan % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    kirim = datetime.datetime.combine(berikut.replace(day=3), datetime.time(9), tzinfo=tz)
    return kirim, kirim + datetime.timedelta(days=4)


# Removal ---------------------------------------------------------------------------------------


def _raw_delete(qs: QuerySet) -> int:
    """One DELETE … WHERE, without Django's collector (bench rows only; the callers delete
    children first). `_raw_delete` is Django's own fast path for exactly this."""
    return qs._raw_delete(qs.db)


def hapus_data(prefix: str, label: str) -> int:
    """Remove a bench data set: every row hanging off pegawai with the NIP prefix, and the units
    named with the label and their positions. Returns the number of pegawai removed. Periods
    stay (they may be shared); their opener is cleared."""
    peg = Pegawai.objects.filter(nip__startswith=prefix)
    n = peg.count()
    peg_ids = peg.values("pk")
    ev = Evaluasi.objects.filter(pegawai_id__in=peg_ids).values("pk")
    ra = RencanaAksi.objects.filter(evaluasi_id__in=ev).values("pk")
    _raw_delete(BuktiDukung.objects.filter(rencana_aksi_id__in=ra))
    _raw_delete(RencanaAksi.objects.filter(evaluasi_id__in=ev))
    _raw_delete(UmpanBalik.objects.filter(evaluasi_id__in=ev))
    _raw_delete(RealisasiTahunan.objects.filter(evaluasi_id__in=ev))
    _raw_delete(Presensi.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(ImporPresensi.objects.filter(diimpor_oleh_id__in=peg_ids))
    _raw_delete(TppBaris.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(PenyesuaianTpp.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(HukumanDisiplin.objects.filter(pegawai_id__in=peg_ids))
    skema = SkemaTpp.objects.filter(dibuat_oleh_id__in=peg_ids).values("pk")
    _raw_delete(BesaranTpp.objects.filter(skema_id__in=skema))
    TppBulan.objects.filter(skema_id__in=skema).update(skema=None, status=TppBulan.Status.TERBUKA, difinalkan_pada=None)
    TppBulan.objects.filter(difinalkan_oleh_id__in=peg_ids).update(difinalkan_oleh=None)
    _raw_delete(SkemaTpp.objects.filter(dibuat_oleh_id__in=peg_ids))
    _raw_delete(Evaluasi.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(BukaKunci.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(KinerjaOrganisasi.objects.filter(dicatat_oleh_id__in=peg_ids))
    KinerjaOrganisasi.objects.filter(difinalkan_oleh_id__in=peg_ids).update(difinalkan_oleh=None)
    Periode.objects.filter(dibuka_oleh_id__in=peg_ids).update(dibuka_oleh=None)
    skp = Skp.objects.filter(pegawai_id__in=peg_ids).values("pk")
    rhk = RencanaHasilKerja.objects.filter(skp_id__in=skp).values("pk")
    _raw_delete(IntervensiRhk.objects.filter(rhk_id__in=rhk))
    _raw_delete(IndikatorKinerja.objects.filter(rhk_id__in=rhk))
    _raw_delete(RencanaHasilKerja.objects.filter(skp_id__in=skp))
    _raw_delete(PerilakuKerja.objects.filter(skp_id__in=skp))
    _raw_delete(Skp.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(AuditLog.objects.filter(actor_id__in=peg_ids))
    _raw_delete(PenugasanPlt.objects.filter(pegawai_id__in=peg_ids))
    _raw_delete(PeranPengguna.objects.filter(pegawai_id__in=peg_ids))
    unit_ids = set(UnitKerja.objects.filter(nama__startswith=f"{label} ").values_list("pk", flat=True))
    jabatan_ids = set(Jabatan.objects.filter(unit_id__in=unit_ids).values_list("pk", flat=True))
    _raw_delete(Pegawai.objects.filter(nip__startswith=prefix))
    Jabatan.objects.filter(pk__in=jabatan_ids).update(atasan=None)
    _raw_delete(Jabatan.objects.filter(pk__in=jabatan_ids))
    UnitKerja.objects.filter(pk__in=unit_ids).update(parent=None)
    _raw_delete(UnitKerja.objects.filter(pk__in=unit_ids))
    return n


# Building --------------------------------------------------------------------------------------


class _Org:
    """The organisation being built: units, positions and people, in memory until saved."""

    def __init__(self, spec: Spec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.units: list[UnitKerja] = []
        self.jabatan: list[Jabatan] = []
        self.pegawai: list[Pegawai] = []
        self.penilai: dict[int, int] = {}  # pegawai index → penilai index
        self.holder: dict[int, int] = {}  # id(jabatan) → pegawai index (structural)
        self.serial = 0

    def unit(self, opd: Opd, nama: str, jenis: str, parent: UnitKerja | None = None) -> UnitKerja:
        u = UnitKerja(opd=opd, nama=f"{self.spec.label} {nama}"[:200], jenis=jenis, parent=parent)
        self.units.append(u)
        return u

    def jab(self, nama: str, jenis: str, kelas: int, opd: Opd, unit: UnitKerja, atasan: Jabatan | None,
            eselon: str = "") -> Jabatan:  # fmt: skip
        j = Jabatan(nama=nama[:255], jenis=jenis, eselon=eselon, kelas_jabatan=kelas, opd=opd, unit=unit, atasan=atasan)
        self.jabatan.append(j)
        return j

    def orang(self, jabatan: Jabatan, golongan: str, *, serial: int | None = None) -> int:
        if serial is None:
            self.serial += 1
            serial = self.serial
        i = len(self.pegawai)
        nama = f"{DEPAN[serial % len(DEPAN)]} {BELAKANG[(serial // len(DEPAN)) % len(BELAKANG)]}"
        p = Pegawai(
            nip=nip(self.spec.prefix, serial), nama=nama, gelar_belakang="S.E." if serial % 3 == 0 else "",
            golongan=golongan, jabatan=jabatan, opd=jabatan.opd, unit=jabatan.unit, password="!bench",
            email=f"bench{serial}@example.go.id",
        )  # fmt: skip
        self.pegawai.append(p)
        if jabatan.atasan is not None:
            atasan = self.holder.get(id(jabatan.atasan))
            if atasan is not None:
                self.penilai[i] = atasan
        if jabatan.jenis in (JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS):
            self.holder[id(jabatan)] = i
        return i

    def save(self) -> None:
        # Parents and superiors first: bulk_create sets pks, which the children then carry.
        for level in _levels(self.units, lambda u: u.parent):
            for u in level:
                u.parent = u.parent  # refresh parent_id from the now saved parent
            UnitKerja.objects.bulk_create(level, batch_size=BATCH)
        for j in self.jabatan:
            j.unit = j.unit
        for level in _levels(self.jabatan, lambda j: j.atasan):
            for j in level:
                j.atasan = j.atasan
            Jabatan.objects.bulk_create(level, batch_size=BATCH)
        for p in self.pegawai:
            p.jabatan, p.unit = p.jabatan, p.unit
        Pegawai.objects.bulk_create(self.pegawai, batch_size=BATCH)


def _levels(items: list, parent_of: Callable) -> list[list]:
    depth: dict[int, int] = {}

    def d(x) -> int:
        if id(x) not in depth:
            p = parent_of(x)
            depth[id(x)] = 0 if p is None else d(p) + 1
        return depth[id(x)]

    result: dict[int, list] = {}
    for x in items:
        result.setdefault(d(x), []).append(x)
    return [result[k] for k in sorted(result)]


def _opds() -> list[Opd]:
    opds = list(Opd.objects.filter(aktif=True).order_by("urutan", "pk"))
    if not opds:
        raise CommandError("Belum ada data OPD (jalankan: python manage.py migrate).")
    depan = [o for o in opds if o.kode in ("DINKESDALDUKKB", "BKD")]
    return depan + [o for o in opds if o not in depan]


def _bangun_organisasi(spec: Spec, rng: random.Random) -> _Org:
    org = _Org(spec, rng)
    opds = _opds()
    by_kode = {o.kode: o for o in opds}
    setda = by_kode.get("SETDA", opds[0])
    dinkes = by_kode.get("DINKESDALDUKKB", opds[0])
    bkd = by_kode.get("BKD", opds[0])
    tetap = 3 + spec.tim  # admin BKD, Sekda, Kepala Puskesmas and the team
    sisa = spec.n - tetap
    minimum = 20
    if sisa < minimum:
        raise CommandError(f"--pegawai minimal {tetap + minimum} (tim {spec.tim} orang + pimpinan OPD).")
    n_opd = max(1, min(len(opds), sisa // minimum))
    quota = [sisa // n_opd + (1 if k < sisa % n_opd else 0) for k in range(n_opd)]

    u_sekda = org.unit(setda, "Sekretaris Daerah", UnitKerja.Jenis.PIMPINAN)
    j_sekda = org.jab("Sekretaris Daerah", JenisJabatan.JPT, 15, setda, u_sekda, None, "II.a")
    org.orang(j_sekda, "IV/d", serial=NO_SEKDA)
    kepala_jab: dict[int, Jabatan] = {}
    org.serial = NO_KAPUS + spec.tim  # the team's serials are reserved
    for opd, q in zip(opds, quota, strict=False):
        pimpinan = org.unit(opd, "Pimpinan", UnitKerja.Jenis.PIMPINAN)
        j_kepala = org.jab(f"Kepala {opd.nama}", JenisJabatan.JPT, 14, opd, pimpinan, j_sekda, "II.b")
        kepala_jab[opd.pk] = j_kepala
        org.orang(j_kepala, "IV/c")
        r = q - 1
        n_kabid = max(1, min(4, r // 40))
        r -= n_kabid
        n_kasi = max(0, min(3, r // (n_kabid * 15)))
        r -= n_kabid * n_kasi
        daun: list[tuple[Jabatan, UnitKerja]] = []
        for b in range(n_kabid):
            bidang = org.unit(opd, f"Bidang {b + 1}", UnitKerja.Jenis.BIDANG, pimpinan)
            j_kabid = org.jab(f"Kepala Bidang {b + 1}", JenisJabatan.ADMINISTRATOR, 11, opd, bidang, j_kepala, "III.b")
            org.orang(j_kabid, "IV/a")
            if not n_kasi:
                daun.append((j_kabid, bidang))
            for s in range(n_kasi):
                seksi = org.unit(opd, f"Seksi {b + 1}.{s + 1}", UnitKerja.Jenis.SEKSI, bidang)
                j_kasi = org.jab(f"Kepala Seksi {b + 1}.{s + 1}", JenisJabatan.PENGAWAS, 9, opd, seksi, j_kabid, "IV.a")
                org.orang(j_kasi, "III/d")
                daun.append((j_kasi, seksi))
        staf: list[Jabatan] = []
        for atasan, unit in daun:
            for nama, jenis, kelas in STAF:
                staf.append(org.jab(nama, jenis, kelas, opd, unit, atasan))
        for k in range(r):
            org.orang(staf[k % len(staf)], GOLONGAN_STAF[k % len(GOLONGAN_STAF)])

    # The Puskesmas: its Kepala rates exactly `tim` pegawai on four positions.
    u_pkm = org.unit(dinkes, "Puskesmas Bench", UnitKerja.Jenis.UPT)
    atasan_kapus = kepala_jab.get(dinkes.pk, j_sekda)
    j_kapus = org.jab("Kepala Puskesmas", JenisJabatan.PENGAWAS, 9, dinkes, u_pkm, atasan_kapus, "IV.a")
    org.orang(j_kapus, "III/d", serial=NO_KAPUS)
    tim_jab = [org.jab(nama, jenis, kelas, dinkes, u_pkm, j_kapus) for nama, jenis, kelas in PUSKESMAS]
    for k in range(spec.tim):
        org.orang(tim_jab[k % len(tim_jab)], GOLONGAN_STAF[k % len(GOLONGAN_STAF)], serial=NO_KAPUS + 1 + k)

    # The admin BKD.
    u_bkd = org.unit(bkd, "Bidang Penilaian Kinerja", UnitKerja.Jenis.BIDANG)
    j_admin = org.jab("Analis Kinerja", JenisJabatan.PELAKSANA, 7, bkd, u_bkd, kepala_jab.get(bkd.pk, j_sekda))
    org.orang(j_admin, "III/b", serial=NO_ADMIN)
    assert len(org.pegawai) == spec.n, (len(org.pegawai), spec.n)
    return org


def _periode(spec: Spec, admin: Pegawai) -> dict[int, Periode]:
    ada = {p.bulan: p for p in Periode.objects.filter(tahun=spec.tahun, bulan__gte=1)}
    baru = []
    for bulan in range(1, 13):
        if bulan not in ada:
            realisasi, penilaian = batas_bawaan(spec.tahun, bulan)
            baru.append(Periode(tahun=spec.tahun, bulan=bulan, batas_realisasi=realisasi,
                                batas_penilaian=penilaian, dibuka_oleh=admin))  # fmt: skip
    Periode.objects.bulk_create(baru)
    return {p.bulan: p for p in Periode.objects.filter(tahun=spec.tahun, bulan__gte=1)}


def _bangun_skp(org: _Org, spec: Spec, rng: random.Random) -> dict[int, list[tuple[RencanaHasilKerja, list]]]:
    """One approved SKP per pegawai; returns pegawai index → [(rhk, [iki, …]), …]."""
    mulai, selesai = datetime.date(spec.tahun, 1, 1), datetime.date(spec.tahun, 12, 31)
    disetujui = timezone.make_aware(datetime.datetime(spec.tahun, 1, 20, 10))
    skps = []
    for i, p in enumerate(org.pegawai):
        penilai = org.pegawai[org.penilai[i]] if i in org.penilai else None
        atasan = (
            org.pegawai[org.penilai[org.penilai[i]]] if i in org.penilai and org.penilai[i] in org.penilai else None
        )
        skps.append(
            Skp(
                pegawai=p,
                jabatan=p.jabatan,
                tahun=spec.tahun,
                mulai=mulai,
                selesai=selesai,
                status=Skp.Status.DISETUJUI,
                penilai=penilai,
                snapshot_pegawai=snapshot_of(p),
                snapshot_penilai=snapshot_of(penilai),
                snapshot_atasan_penilai=snapshot_of(atasan),
                diajukan_pada=disetujui - datetime.timedelta(days=3),
                disetujui_pada=disetujui,
            )
        )
    Skp.objects.bulk_create(skps, batch_size=BATCH)
    rhks, plan = [], {}
    for i, skp in enumerate(skps):
        n_rhk = rng.randint(2, 3)
        start = rng.randrange(len(RHK))
        rows = []
        for k in range(n_rhk):
            rhk = RencanaHasilKerja(skp=skp, jenis=RencanaHasilKerja.Jenis.UTAMA, urutan=k + 1,
                                    uraian=RHK[(start + k) % len(RHK)])  # fmt: skip
            rhks.append(rhk)
            rows.append((rhk, []))
        plan[i] = rows
    RencanaHasilKerja.objects.bulk_create(rhks, batch_size=BATCH)
    ikis = []
    for rows in plan.values():
        for rhk, daftar in rows:
            for k in range(rng.randint(1, 2)):
                uraian, aspek, target, satuan = IKI[rng.randrange(len(IKI))]
                iki = IndikatorKinerja(rhk=rhk, urutan=k + 1, uraian=uraian, aspek=aspek,
                                       target_min=Decimal(target), satuan=satuan)  # fmt: skip
                ikis.append(iki)
                daftar.append(iki)
    IndikatorKinerja.objects.bulk_create(ikis, batch_size=BATCH)
    PerilakuKerja.objects.bulk_create(
        (PerilakuKerja(skp=skp, nilai=kode, urutan=k) for skp in skps for k, kode in enumerate(BERAKHLAK)),
        batch_size=BATCH,
    )
    for i, skp in enumerate(skps):
        org.pegawai[i].skp_bench = skp
    return plan


RATING_HASIL = ([Rating.SESUAI, Rating.DI_ATAS, Rating.DI_BAWAH], [70, 22, 8])
RATING_PERILAKU = ([Rating.SESUAI, Rating.DI_ATAS, Rating.DI_BAWAH], [75, 20, 5])
# This month: belum (no rencana aksi), diisi (draft with rencana aksi), dikirim, dikembalikan, dinilai.
KEADAAN = ["belum", "diisi", "dikirim", "dikembalikan", "dinilai"]
BOBOT_KEADAAN = [15, 25, 35, 5, 20]


def _bangun_evaluasi(org: _Org, spec: Spec, periode: dict[int, Periode], plan: dict, rng: random.Random) -> None:
    # The team's month this month: every state in turn (member k: KEADAAN[k % 5]).
    urut_tim = {}
    for i, p in enumerate(org.pegawai):
        serial = int(p.nip[len(spec.prefix) :])
        if NO_KAPUS < serial <= NO_KAPUS + spec.tim:
            urut_tim[i] = serial - NO_KAPUS - 1
    indeks = list(range(len(org.pegawai)))
    for awal in range(0, len(indeks), KUNCI_PEGAWAI):
        evs: list[Evaluasi] = []
        rencana: list[tuple[Evaluasi, int, str]] = []
        for i in indeks[awal : awal + KUNCI_PEGAWAI]:
            p = org.pegawai[i]
            penilai = org.pegawai[org.penilai[i]] if i in org.penilai else None
            atasan = org.pegawai[org.penilai[org.penilai[i]]] if penilai and org.penilai[i] in org.penilai else None
            contoh = Evaluasi(skp=p.skp_bench)
            isi_snapshot_pegawai(contoh, p)
            snap_penilai, snap_atasan = snapshot_of(penilai), snapshot_of(atasan)
            for bulan in range(1, spec.bulan_kini + 1):
                per = periode[bulan]
                if bulan < spec.bulan_kini:
                    keadaan = "dinilai"
                elif i in urut_tim:
                    keadaan = KEADAAN[urut_tim[i] % len(KEADAAN)]
                else:
                    keadaan = rng.choices(KEADAAN, BOBOT_KEADAAN)[0]
                kirim, nilai = _rentang(spec.tahun, bulan)
                ev = Evaluasi(
                    periode=per, pegawai=p, skp=p.skp_bench, mulai=per.mulai, selesai=per.selesai, hasil_bulan=True,
                    snap_opd_id=contoh.snap_opd_id, snap_kelas_jabatan=contoh.snap_kelas_jabatan,
                    snap_golongan=contoh.snap_golongan, snap_kedudukan_hukum=contoh.snap_kedudukan_hukum,
                    snapshot_pegawai=contoh.snapshot_pegawai,
                )  # fmt: skip
                if keadaan in ("belum", "diisi"):
                    ev.status = Evaluasi.Status.DRAFT
                else:
                    ev.dikirim_pada = kirim
                    ev.snapshot_penilai, ev.snapshot_atasan_penilai = snap_penilai, snap_atasan
                    ev.status = {"dikirim": Evaluasi.Status.DIKIRIM, "dikembalikan": Evaluasi.Status.DIKEMBALIKAN,
                                 "dinilai": Evaluasi.Status.DINILAI}[keadaan]  # fmt: skip
                if keadaan == "dikembalikan":
                    ev.catatan_pengembalian = "Lengkapi bukti dukung untuk setiap rencana aksi."
                if keadaan == "dinilai":
                    hasil = rng.choices(*RATING_HASIL)[0]
                    perilaku = rng.choices(*RATING_PERILAKU)[0]
                    ev.rating_hasil, ev.rating_perilaku = hasil, perilaku
                    ev.predikat = rules.predikat(hasil, perilaku)
                    ev.dinilai_oleh, ev.dinilai_pada = penilai, nilai
                evs.append(ev)
                if keadaan != "belum":
                    rencana.append((ev, i, keadaan))
        # Month by month, as the months arrive in production (a month's rows sit together on disk).
        evs.sort(key=lambda e: e.periode.bulan)
        rencana.sort(key=lambda r: r[0].periode.bulan)
        Evaluasi.objects.bulk_create(evs, batch_size=BATCH)
        aksi: list[RencanaAksi] = []
        for ev, i, keadaan in rencana:
            rows = plan[i]
            for k in range(rng.randint(1, 3)):
                rhk, ikis = rows[k % len(rows)]
                iki = ikis[k % len(ikis)]
                if iki.aspek == IndikatorKinerja.Aspek.KUANTITAS:  # the year's target spread over 12 months
                    target = max(Decimal(1), (iki.target_min / 12).quantize(Decimal(1)))
                else:
                    target = iki.target_min
                if keadaan == "diisi" and k:
                    realisasi = None
                else:
                    realisasi = (target * Decimal(rng.randint(80, 115)) / 100).quantize(Decimal("0.01"))
                aksi.append(
                    RencanaAksi(
                        evaluasi=ev,
                        rhk=rhk,
                        iki=iki,
                        urutan=k + 1,
                        uraian=f"{iki.uraian} bulan ini"[:200],
                        target=target,
                        satuan=iki.satuan,
                        realisasi=realisasi,
                        realisasi_uraian="" if realisasi is None else "Selesai sesuai rencana; laporan terlampir.",
                    )
                )
        RencanaAksi.objects.bulk_create(aksi, batch_size=BATCH)
        BuktiDukung.objects.bulk_create(
            (
                BuktiDukung(
                    rencana_aksi=ra,
                    jenis=BuktiDukung.Jenis.TAUTAN,
                    keterangan="Laporan bulanan",
                    tautan=f"https://drive.example.go.id/bench/{ra.evaluasi.pegawai.nip}/{ra.pk}",
                    diunggah_oleh=ra.evaluasi.pegawai,
                )
                for ra in aksi
            ),
            batch_size=BATCH,
        )


def _bangun_kinerja_organisasi(spec: Spec, periode: dict[int, Periode], admin: Pegawai, rng: random.Random) -> None:
    """Capaian organisasi of every OPD with bench pegawai for every past month (the curve checks)."""
    opd_ids = set(
        Pegawai.objects.filter(nip__startswith=spec.prefix, opd__isnull=False).values_list("opd_id", flat=True)
    )
    ada = set(
        KinerjaOrganisasi.objects.filter(periode__tahun=spec.tahun, periode__bulan__gte=1).values_list(
            "periode_id", "opd_id"
        )
    )
    pilihan = ([CapaianOrganisasi.BAIK, CapaianOrganisasi.ISTIMEWA, CapaianOrganisasi.BUTUH_PERBAIKAN], [70, 20, 10])
    KinerjaOrganisasi.objects.bulk_create(
        KinerjaOrganisasi(periode=periode[b], opd_id=o, capaian=rng.choices(*pilihan)[0], dicatat_oleh=admin)
        for b in range(1, spec.bulan_kini)
        for o in sorted(opd_ids)
        if (periode[b].pk, o) not in ada
    )


@transaction.atomic
def bangun(spec: Spec, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    org = _bangun_organisasi(spec, rng)
    org.save()
    admin = next(p for p in org.pegawai if p.nip == nip(spec.prefix, NO_ADMIN))
    PeranPengguna.objects.create(pegawai=admin, peran=PeranPengguna.Peran.ADMIN_BKD)
    periode = _periode(spec, admin)
    plan = _bangun_skp(org, spec, rng)
    _bangun_evaluasi(org, spec, periode, plan, rng)
    _bangun_kinerja_organisasi(spec, periode, admin, rng)
    _bangun_tpp(spec, periode, admin, rng)


def _bangun_tpp(spec: Spec, periode: dict[int, Periode], admin: Pegawai, rng: random.Random) -> None:
    """A TPP scheme for the year (besaran for every kelas) and last month's attendance summary for
    every bench pegawai (some late arrivals, a few days absent): the regency TPP page of last month
    then computes every row the way it does on deadline day."""
    if not SkemaTpp.objects.filter(tahun=spec.tahun).exists():
        skema = SkemaTpp.objects.create(tahun=spec.tahun, berlaku_mulai=1, dibuat_oleh=admin)
        BesaranTpp.objects.bulk_create(
            BesaranTpp(skema=skema, kelas_jabatan=k, besaran=1_500_000 + 450_000 * (k - 1)) for k in range(1, 18)
        )
    bulan = max(1, spec.bulan_kini - 1)
    if Presensi.objects.filter(periode=periode[bulan], pegawai__nip__startswith=spec.prefix).exists():
        return
    impor = ImporPresensi.objects.create(
        periode=periode[bulan], nama_berkas="bench.csv", sha256="0" * 64, jumlah_baris=spec.n, diimpor_oleh=admin
    )
    ids = Pegawai.objects.filter(nip__startswith=spec.prefix).values_list("pk", flat=True)
    rows = []
    for pk in ids:
        roll = rng.random()
        rows.append(
            Presensi(
                periode=periode[bulan], pegawai_id=pk, impor=impor, hari_kerja=21,
                tl1=rng.randint(1, 4) if roll > 0.7 else 0, tl2=1 if roll > 0.9 else 0,
                psw1=1 if roll > 0.8 else 0, tanpa_keterangan=1 if roll > 0.97 else 0,
            )
        )  # fmt: skip
    Presensi.objects.bulk_create(rows, batch_size=2000)


def analyze() -> str:
    """Planner statistics after a bulk load. Production has autovacuum to gather them; without
    them PostgreSQL plans hash joins over whole tables for one evaluation's rows."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return "ANALYZE"


def temukan(spec: Spec) -> DataBench | None:
    """The built data set if it matches `spec` (N, year, months stored), else None."""
    peg = Pegawai.objects.filter(nip__startswith=spec.prefix)
    if peg.count() != spec.n:
        return None
    bulan = set(
        Evaluasi.objects.filter(pegawai__nip__startswith=spec.prefix, periode__tahun=spec.tahun)
        .values_list("periode__bulan", flat=True)
        .order_by()
        .distinct()
    )
    if bulan != set(range(1, spec.bulan_kini + 1)):
        return None
    kapus = Pegawai.objects.filter(nip=nip(spec.prefix, NO_KAPUS)).first()
    admin = Pegawai.objects.filter(nip=nip(spec.prefix, NO_ADMIN)).first()
    if kapus is None or admin is None:
        return None
    tim = [nip(spec.prefix, NO_KAPUS + 1 + k) for k in range(spec.tim)]
    ev = (
        Evaluasi.objects.filter(
            pegawai__nip__in=tim,
            periode__tahun=spec.tahun,
            periode__bulan=spec.bulan_kini,
            status=Evaluasi.Status.DIKIRIM,
        )
        .order_by("pegawai__nip")
        .first()
    )
    # The measured month page: member 1, whose month is a draft with rencana aksi (KEADAAN[1]).
    anggota = Pegawai.objects.filter(nip=tim[1]).first() if len(tim) > 1 else None
    if ev is None or anggota is None:
        return None
    return DataBench(spec, kapus, anggota, admin, ev.pk, max(1, spec.bulan_kini - 1))


# Measuring -------------------------------------------------------------------------------------

RINGAN = "ringan"
HALAMAN_DIBANDINGKAN = ("tim", "nilai", "kurva", "pantau", "tpp")


def _client(user: Pegawai) -> Client:
    host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def halaman(data: DataBench) -> list[tuple[str, str, Pegawai, str]]:
    """(kode, judul, who, url) of the measured pages; the trivial page first."""
    t, b = data.tahun, data.spec.bulan_kini
    return [
        (RINGAN, "Pembanding: kata sandi diubah (tata letak dasar)", data.kapus,
         reverse("password_change_done")),
        ("tim", "Tim penilai (Kepala Puskesmas), bulan ini", data.kapus,
         reverse("penilaian:tim_bulan", args=[t, b])),
        ("nilai", "Penilaian satu evaluasi yang dikirim", data.kapus, reverse("penilaian:nilai", args=[data.ev_dikirim])),
        ("kurva", "Kurva semua OPD (admin BKD), bulan lalu", data.admin,
         reverse("penilaian:kurva_bulan", args=[t, data.bulan_kurva])),
        ("bulan", "Bulan pegawai (anggota tim), bulan ini", data.anggota,
         reverse("penilaian:bulanan_detail", args=[t, b])),
        ("pantau", "Pemantauan semua OPD (admin BKD), bulan ini", data.admin,
         reverse("penilaian:pemantauan_bulan", args=[t, b])),
        ("tpp", "TPP kabupaten (admin BKD), bulan lalu, belum final", data.admin,
         reverse("penilaian:tpp_bulan", args=[t, data.bulan_kurva])),
    ]  # fmt: skip


def ukur(data: DataBench, runs: int) -> list[Hasil]:
    """Each page: one warm-up, then `runs` timed requests, each with its queries captured."""
    hasil = []
    clients: dict[int, Client] = {}
    for kode, judul, user, url in halaman(data):
        client = clients.setdefault(user.pk, _client(user))
        h = Hasil(kode, judul, url)
        client.get(url)  # warm-up: templates compiled, session loaded, connection open
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                h.times.append((time.perf_counter() - started) * 1000)
            h.kueri.append(len(ctx.captured_queries))
            h.status = response.status_code
            if response.status_code != 200:
                raise CommandError(f"{judul}: {url} menjawab status {response.status_code}, bukan 200.")
        hasil.append(h)
    return hasil


def kueri_kecil(spec: Spec) -> tuple[Spec, dict[str, int]]:
    """The query count of each page on a small set built in the next year, rolled back."""
    with transaction.atomic():
        bangun(spec)
        data = temukan(spec)
        if data is None:
            raise CommandError("Data pembanding kecil tidak terbentuk.")
        counts = {h.kode: h.kueri[-1] for h in ukur(data, 1)}
        transaction.set_rollback(True)
    return spec, counts


def spec_kecil(tahun: int, n: int) -> Spec:
    return Spec(PREFIX_KECIL, LABEL_KECIL, n, TIM_KECIL, tahun + 1, BULAN_KECIL)


def _ms(value: float) -> str:
    return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _angka(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Membangun (atau memakai ulang) data satu tahun penilaian bulanan untuk N pegawai, lalu mengukur "
        "halaman tim penilai, penilaian, kurva semua OPD dan bulan pegawai (waktu server dan jumlah kueri)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pegawai", type=int, default=7000, help="jumlah pegawai data bench (bawaan 7000)")
        parser.add_argument("--runs", type=int, default=15, help="pengukuran per halaman setelah satu pemanasan")
        parser.add_argument(
            "--kecil", type=int, default=60, help="pegawai data pembanding kecil untuk jumlah kueri (0: lewati)"
        )
        parser.add_argument("--force", action="store_true", help="hapus dan bangun ulang data bench")
        parser.add_argument("--hapus", action="store_true", help="hanya hapus data bench, lalu selesai")

    def handle(self, *args, pegawai: int, runs: int, kecil: int, force: bool, hapus: bool, **options) -> None:
        out = self.stdout.write
        if hapus:
            n = hapus_data(PREFIX, LABEL)
            out(f"Data bench dihapus: {_angka(n)} pegawai beserta SKP, evaluasi, rencana aksi dan bukti.")
            return
        if runs < 1:
            raise CommandError("--runs minimal 1.")
        if not settings.SECRET_KEY:
            raise CommandError(
                "SECRET_KEY kosong: sesi login uji memerlukannya. Jalankan dengan SECRET_KEY=… atau "
                "ALLOW_INSECURE_SECRET_KEY=1 (atau lewat ./dev manage, yang memakai DEBUG=1)."
            )
        today = timezone.localdate()
        spec = Spec(PREFIX, LABEL, pegawai, TIM, today.year, today.month)
        data = None if force else temukan(spec)
        if data is None:
            t0 = time.perf_counter()
            n_lama = hapus_data(PREFIX, LABEL)
            if n_lama:
                out(f"Data bench lama ({_angka(n_lama)} pegawai) dihapus dalam {time.perf_counter() - t0:.1f} s.")
            t1 = time.perf_counter()
            bangun(spec)
            out(f"Data bench dibangun dalam {time.perf_counter() - t1:.1f} s.")
            data = temukan(spec)
            if data is None:
                raise CommandError("Data bench tidak lengkap setelah dibangun.")
        else:
            out("Data bench yang ada dipakai ulang (N dan bulan sama; --force untuk membangun ulang).")
            with transaction.atomic():  # a data set built before the TPP part: add it
                _bangun_tpp(spec, _periode(spec, data.admin), data.admin, random.Random(7))
        t2 = time.perf_counter()
        if analyze():
            out(
                f"ANALYZE (statistik perencana kueri, seperti autovacuum di produksi): {time.perf_counter() - t2:.1f} s."
            )

        ev_bench = Evaluasi.objects.filter(pegawai__nip__startswith=PREFIX)
        out(
            f"Basis data: {connection.vendor}; DEBUG={'ya' if settings.DEBUG else 'tidak'}; pegawai bench: {_angka(pegawai)} di "
            f"{Pegawai.objects.filter(nip__startswith=PREFIX).values('opd').distinct().count()} OPD; "
            f"evaluasi tersimpan: {_angka(Evaluasi.objects.count())} (bench {_angka(ev_bench.count())}, "
            f"{spec.bulan_kini} bulan {spec.tahun}); rencana aksi: {_angka(RencanaAksi.objects.count())}; "
            f"bukti dukung: {_angka(BuktiDukung.objects.count())}."
        )
        status_kini = dict(
            ev_bench.filter(periode__bulan=spec.bulan_kini, periode__tahun=spec.tahun)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        out(
            f"Evaluasi bench bulan ini ({spec.bulan_kini}/{spec.tahun}): "
            + ", ".join(f"{Evaluasi.Status(k).label} {_angka(v)}" for k, v in sorted(status_kini.items()))
        )
        out(
            f"Penilai: {data.kapus.nama_lengkap} (Kepala Puskesmas, NIP {data.kapus.nip}); admin BKD NIP "
            f"{data.admin.nip}; pegawai: NIP {data.anggota.nip}."
        )
        beban = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        out(f"Mesin: {os.cpu_count()} CPU, load average {_ms(beban)}; Django {django.get_version()}.")
        out(f"Tampilan ringan pembanding: {reverse('password_change_done')} (halaman statis di tata letak dasar).")

        hasil = ukur(data, runs)
        ringan = next(h for h in hasil if h.kode == RINGAN)
        out("")
        out(f"{'Halaman':<52} {'URL':<36} {'Median ms':>10} {'p95 ms':>9} {'Kueri':>6} {'× ringan':>9} {'Status':>7}")
        for h in hasil:
            kueri = str(h.kueri[-1]) if len(set(h.kueri)) == 1 else f"{min(h.kueri)}–{max(h.kueri)}"
            rasio = h.median / ringan.median if ringan.median else float("nan")
            out(
                f"{h.judul:<52} {h.url:<36} {_ms(h.median):>10} {_ms(h.p95):>9} {kueri:>6} "
                f"{_ms(rasio) + '×':>9} {h.status:>7}"
            )
        out(f"({runs} kali per halaman setelah satu pemanasan; p95 = peringkat terdekat.)")
        lewat = [h.judul for h in hasil if h.kode != RINGAN and h.median > 15 * ringan.median]
        out("Target ≤ 15× tampilan ringan: " + ("terpenuhi." if not lewat else "TIDAK untuk " + "; ".join(lewat)))

        if kecil:
            sk, counts = kueri_kecil(spec_kecil(spec.tahun, kecil))
            out("")
            out(
                f"Jumlah kueri pada dua ukuran data (kecil: {sk.n} pegawai, tim {sk.tim}, {sk.bulan_kini} bulan, "
                f"tahun {sk.tahun}, dibatalkan; besar: {_angka(pegawai)} pegawai, tim {spec.tim}, "
                f"{spec.bulan_kini} bulan):"
            )
            out(f"{'Halaman':<52} {'Kecil':>6} {'Besar':>6}  Sama")
            for h in hasil:
                sama = "ya" if counts[h.kode] == h.kueri[-1] else "TIDAK"
                out(f"{h.judul:<52} {counts[h.kode]:>6} {h.kueri[-1]:>6}  {sama}")
