"""The bench data set: N pegawai over the real OPDs with a year of the monthly cycle.

Organisation: a bench Sekda above every bench Kepala OPD (Kepala → Kepala Bidang → Kepala Seksi →
staff), sizes spread like a regency (the Dinkes with its Puskesmas ~3.6 % of everybody, the other
OPDs 0.6–1.0 of the mean), one Puskesmas whose Kepala rates exactly `tim` pegawai, an admin BKD,
an admin OPD of the Dinkes and an auditor. One approved SKP per pegawai (2–3 RHK, 1–2 IKI each,
the seven BerAKHLAK rows, every RHK intervening the penilai's first RHK), a submitted revision
for every fourth team member (the penilai's inbox); the twelve months of the year opened; every
month up to the current one evaluated (rencana aksi with realisasi and one https bukti each),
past months rated, the current month in every state; capaian organisasi of the past months; a
TPP scheme and last month's attendance. Bench rows are recognisable: NIP starting with `1901` (a
valid NIP of someone born in 1901, who serves nowhere) and unit names starting with `[bench]`.

Rows are generated pegawai chunk by pegawai chunk and written through `muat.Pemuat` (COPY on
PostgreSQL), so memory stays bounded by the organisation plus one chunk.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from opd.models import AuditLog, Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt, PeranPengguna, UnitKerja
from penilaian import rules
from penilaian.bench.muat import Ids, Pemuat
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

# NIP prefixes: valid NIPs (so the staff import accepts the bench people) of someone born in 1901
# or 1902, which no serving civil servant is.
PREFIX = "1901"  # the bench data set
PREFIX_KECIL = "1902"  # the small comparison set (always rolled back)
LABEL = "[bench]"
LABEL_KECIL = "[bench-kecil]"
TIM = 40  # bawahan of the Kepala Puskesmas
TIM_KECIL = 5
BULAN_KECIL = 2  # months stored in the small set
KUNCI_PEGAWAI = 1000  # pegawai per chunk of SKPs and evaluations (bounds memory)
BAGIAN_DINKES = 0.036  # the Dinkes's share of the pegawai (with the Puskesmas: 250–300 at 7,000)

# NIP serials of the fixed people (the team follows the Kepala Puskesmas; then admin OPD, auditor).
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
RATING_HASIL = ([Rating.SESUAI, Rating.DI_ATAS, Rating.DI_BAWAH], [70, 22, 8])
RATING_PERILAKU = ([Rating.SESUAI, Rating.DI_ATAS, Rating.DI_BAWAH], [75, 20, 5])
# This month: belum (no rencana aksi), diisi (draft with rencana aksi), dikirim, dikembalikan, dinilai.
KEADAAN = ["belum", "diisi", "dikirim", "dikembalikan", "dinilai"]
BOBOT_KEADAAN = [15, 25, 35, 5, 20]
DEPAN_OPD = ("DINKESDALDUKKB", "BKD")
STRUKTURAL = (JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS)


@dataclass(frozen=True)
class Spec:
    prefix: str
    label: str
    n: int
    tim: int
    tahun: int
    bulan_kini: int  # months 1..bulan_kini are stored; the last one is "this month"

    @property
    def no_admin_opd(self) -> int:
        return NO_KAPUS + self.tim + 1

    @property
    def no_auditor(self) -> int:
        return NO_KAPUS + self.tim + 2


@dataclass
class DataBench:
    """The people and rows the measured pages are opened for."""

    spec: Spec
    kapus: Pegawai  # the Kepala Puskesmas (the measured penilai)
    anggota: Pegawai  # a team member (the measured month page and SKP page)
    admin: Pegawai  # admin BKD
    admin_opd: Pegawai  # admin OPD of the largest OPD
    auditor: Pegawai
    kepala_opd: Pegawai  # Kepala of the largest OPD
    opd_terbesar: Opd
    ev_dikirim: int  # pk of a DIKIRIM evaluation of the team this month
    skp_anggota: int  # pk of the team member's approved SKP
    skp_diajukan: int  # pk of a submitted revision waiting for the Kepala Puskesmas
    bulan_kurva: int

    @property
    def tahun(self) -> int:
        return self.spec.tahun


def nip(prefix: str, serial: int) -> str:
    """The serial's valid NIP (`opd.rules.parse_nip`): birth `prefix`-MM-DD, TMT CPNS 1925 or
    later, gender digit, nomor urut 001–999; distinct for 8 million serials."""
    urut, rest = serial % 999 + 1, serial // 999
    kelamin, rest = rest % 2 + 1, rest // 2
    bulan_tmt, rest = rest % 12 + 1, rest // 12
    hari, rest = rest % 28 + 1, rest // 28
    bulan, rest = rest % 12 + 1, rest // 12
    return f"{prefix}{bulan:02d}{hari:02d}{1925 + rest}{bulan_tmt:02d}{kelamin}{urut:03d}"


def spec_kecil(tahun: int, n: int) -> Spec:
    return Spec(PREFIX_KECIL, LABEL_KECIL, n, TIM_KECIL, tahun + 1, BULAN_KECIL)


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


@transaction.atomic
def hapus_data(prefix: str, label: str) -> int:
    """Remove a bench data set: every row hanging off pegawai with the NIP prefix, and the units
    named with the label and their positions. Returns the number of pegawai removed. Periods
    stay (they may be shared); their opener is cleared."""
    peg = Pegawai.objects.filter(nip__startswith=prefix)
    n = peg.count()
    if not n and not UnitKerja.objects.filter(nama__startswith=f"{label} ").exists():
        return 0
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
    RencanaHasilKerja.objects.filter(skp_id__in=skp, asal__isnull=False).update(asal=None)
    _raw_delete(RencanaHasilKerja.objects.filter(skp_id__in=skp))
    _raw_delete(PerilakuKerja.objects.filter(skp_id__in=skp))
    _raw_delete(Skp.objects.filter(pegawai_id__in=peg_ids, induk__isnull=False))
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


# Organisation ----------------------------------------------------------------------------------


class _Org:
    """The organisation being built: units, positions and people with their final pks."""

    def __init__(self, spec: Spec, pemuat: Pemuat) -> None:
        self.spec = spec
        self.pemuat = pemuat
        self.ids = {m: Ids(m) for m in (UnitKerja, Jabatan, Pegawai)}
        self.pegawai: list[Pegawai] = []
        self.penilai: dict[int, int] = {}  # pegawai index → penilai index
        self.holder: dict[int, int] = {}  # jabatan pk → pegawai index (structural)
        self.serial_of: list[int] = []  # pegawai index → NIP serial
        self.serial = 0

    def unit(self, opd: Opd, nama: str, jenis: str, parent: UnitKerja | None = None) -> UnitKerja:
        u = UnitKerja(pk=self.ids[UnitKerja](), opd=opd, nama=f"{self.spec.label} {nama}"[:200], jenis=jenis,
                      parent=parent)  # fmt: skip
        return self.pemuat.tambah(u)

    def jab(self, nama: str, jenis: str, kelas: int, opd: Opd, unit: UnitKerja, atasan: Jabatan | None,
            eselon: str = "") -> Jabatan:  # fmt: skip
        j = Jabatan(pk=self.ids[Jabatan](), nama=nama[:255], jenis=jenis, eselon=eselon, kelas_jabatan=kelas, opd=opd,
                    unit=unit, atasan=atasan)  # fmt: skip
        return self.pemuat.tambah(j)

    def orang(self, jabatan: Jabatan, golongan: str, *, serial: int | None = None) -> int:
        if serial is None:
            self.serial += 1
            serial = self.serial
        i = len(self.pegawai)
        nama = f"{DEPAN[serial % len(DEPAN)]} {BELAKANG[(serial // len(DEPAN)) % len(BELAKANG)]}"
        p = Pegawai(
            pk=self.ids[Pegawai](), nip=nip(self.spec.prefix, serial), nama=nama,
            gelar_belakang="S.E." if serial % 3 == 0 else "", golongan=golongan, jabatan=jabatan, opd=jabatan.opd,
            unit=jabatan.unit, password="!bench", email=f"bench{serial}@example.go.id",
        )  # fmt: skip
        self.pegawai.append(self.pemuat.tambah(p))
        self.serial_of.append(serial)
        if jabatan.atasan_id is not None and jabatan.atasan_id in self.holder:
            self.penilai[i] = self.holder[jabatan.atasan_id]
        if jabatan.jenis in STRUKTURAL:
            self.holder[jabatan.pk] = i
        return i


def _opds() -> list[Opd]:
    opds = list(Opd.objects.filter(aktif=True).order_by("urutan", "pk"))
    if not opds:
        raise CommandError("Belum ada data OPD (jalankan: python manage.py migrate).")
    # The Dinkes first (it takes the largest share, `kuota`), then the BKD, then the rest.
    depan = sorted((o for o in opds if o.kode in DEPAN_OPD), key=lambda o: DEPAN_OPD.index(o.kode))
    return depan + [o for o in opds if o not in depan]


def kuota(sisa: int, n_opd: int) -> list[int]:
    """Pegawai per OPD summing to `sisa`: the first (the Dinkes) BAGIAN_DINKES of everybody, the
    others weighted 0.6–1.0 in a fixed scattered order (a regency's spread, not equal slices)."""
    if n_opd == 1:
        return [sisa]
    pertama = max(1, round(sisa * BAGIAN_DINKES)) if n_opd > 2 else sisa // n_opd
    bobot = [0.6 + 0.4 * ((k * 7) % (n_opd - 1)) / max(1, n_opd - 2) for k in range(n_opd - 1)]
    sisa_lain = sisa - pertama
    bagian = [math.floor(sisa_lain * b / sum(bobot)) for b in bobot]
    for k in range(sisa_lain - sum(bagian)):
        bagian[k % len(bagian)] += 1
    return [pertama, *bagian]


def _bangun_organisasi(spec: Spec, pemuat: Pemuat) -> _Org:
    org = _Org(spec, pemuat)
    opds = _opds()
    by_kode = {o.kode: o for o in opds}
    setda = by_kode.get("SETDA", opds[0])
    dinkes = by_kode.get("DINKESDALDUKKB", opds[0])
    bkd = by_kode.get("BKD", opds[0])
    tetap = 5 + spec.tim  # admin BKD, Sekda, Kepala Puskesmas and the team, admin OPD, auditor
    sisa = spec.n - tetap
    minimum = 20
    if sisa < minimum:
        raise CommandError(f"--pegawai minimal {tetap + minimum} (tim {spec.tim} orang + pimpinan OPD).")
    n_opd = max(1, min(len(opds), sisa // minimum))

    u_sekda = org.unit(setda, "Sekretaris Daerah", UnitKerja.Jenis.PIMPINAN)
    j_sekda = org.jab("Sekretaris Daerah", JenisJabatan.JPT, 15, setda, u_sekda, None, "II.a")
    org.orang(j_sekda, "IV/d", serial=NO_SEKDA)
    kepala_jab: dict[int, Jabatan] = {}
    staf_opd: dict[int, list[Jabatan]] = {}
    org.serial = spec.no_auditor  # the team's, the admin OPD's and the auditor's serials are reserved
    for opd, q in zip(opds, kuota(sisa, n_opd), strict=False):
        pimpinan = org.unit(opd, "Pimpinan", UnitKerja.Jenis.PIMPINAN)
        j_kepala = org.jab(f"Kepala {opd.nama}", JenisJabatan.JPT, 14, opd, pimpinan, j_sekda, "II.b")
        kepala_jab[opd.pk] = j_kepala
        org.orang(j_kepala, "IV/c")
        r = q - 1
        n_kabid = max(1, min(4 + r // 1000, r // 40))
        r -= n_kabid
        n_kasi = 0 if r < n_kabid * 15 else min(20, math.ceil(r / (n_kabid * 30)))
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
        staf_opd[opd.pk] = staf
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

    # The admin BKD, the Dinkes's admin OPD (a staff position of the Dinkes) and an auditor.
    u_bkd = org.unit(bkd, "Bidang Penilaian Kinerja", UnitKerja.Jenis.BIDANG)
    j_admin = org.jab("Analis Kinerja", JenisJabatan.PELAKSANA, 7, bkd, u_bkd, kepala_jab.get(bkd.pk, j_sekda))
    org.orang(j_admin, "III/b", serial=NO_ADMIN)
    org.orang(staf_opd.get(dinkes.pk, [j_admin])[0], "III/a", serial=spec.no_admin_opd)
    org.orang(j_admin, "III/c", serial=spec.no_auditor)
    assert len(org.pegawai) == spec.n, (len(org.pegawai), spec.n)
    return org


def _peran(org: _Org, spec: Spec, pemuat: Pemuat) -> None:
    by_nip = {p.nip: p for p in org.pegawai[-3:]}
    admin, admin_opd = by_nip[nip(spec.prefix, NO_ADMIN)], by_nip[nip(spec.prefix, spec.no_admin_opd)]
    auditor = by_nip[nip(spec.prefix, spec.no_auditor)]
    pemuat.semua(
        [
            PeranPengguna(pegawai=admin, peran=PeranPengguna.Peran.ADMIN_BKD),
            PeranPengguna(pegawai=admin_opd, peran=PeranPengguna.Peran.ADMIN_OPD, opd_id=admin_opd.opd_id),
            PeranPengguna(pegawai=auditor, peran=PeranPengguna.Peran.AUDITOR),
        ]
    )


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


# SKP and evaluations, chunk by chunk ------------------------------------------------------------


class _Tahun:
    """SKPs and the months of the year for the pegawai, written chunk by chunk."""

    def __init__(self, org: _Org, spec: Spec, periode: dict[int, Periode], pemuat: Pemuat, rng: random.Random):
        self.org, self.spec, self.periode, self.pemuat, self.rng = org, spec, periode, pemuat, rng
        self.ids = {m: Ids(m) for m in (Skp, RencanaHasilKerja, IndikatorKinerja, Evaluasi, RencanaAksi)}
        self.rhk_pertama: dict[int, int] = {}  # pegawai index (structural) → pk of the first RHK
        self.urut_tim: dict[int, int] = {}  # pegawai index → position in the Puskesmas team
        for i, serial in enumerate(org.serial_of):
            if NO_KAPUS < serial <= NO_KAPUS + spec.tim:
                self.urut_tim[i] = serial - NO_KAPUS - 1
        self.mulai, self.selesai = datetime.date(spec.tahun, 1, 1), datetime.date(spec.tahun, 12, 31)
        self.disetujui = timezone.make_aware(datetime.datetime(spec.tahun, 1, 20, 10))

    def bangun(self) -> None:
        n = len(self.org.pegawai)
        for awal in range(0, n, KUNCI_PEGAWAI):
            indeks = range(awal, min(n, awal + KUNCI_PEGAWAI))
            plan = {i: self._skp(i) for i in indeks}
            self._evaluasi(indeks, plan)

    def _penilai(self, i: int) -> tuple[Pegawai | None, Pegawai | None]:
        org = self.org
        penilai = org.pegawai[org.penilai[i]] if i in org.penilai else None
        atasan = org.pegawai[org.penilai[org.penilai[i]]] if penilai and org.penilai[i] in org.penilai else None
        return penilai, atasan

    def _skp(self, i: int) -> tuple[Skp, list[tuple[RencanaHasilKerja, list[IndikatorKinerja]]]]:
        """One approved SKP (RHK, IKI, BerAKHLAK, intervensi); for every fourth team member a
        submitted revision copying it, waiting in the Kepala Puskesmas's inbox."""
        p, rng, tambah = self.org.pegawai[i], self.rng, self.pemuat.tambah
        penilai, atasan = self._penilai(i)
        skp = tambah(
            Skp(
                pk=self.ids[Skp](), pegawai=p, jabatan=p.jabatan, tahun=self.spec.tahun, mulai=self.mulai,
                selesai=self.selesai, status=Skp.Status.DISETUJUI, penilai=penilai, snapshot_pegawai=snapshot_of(p),
                snapshot_penilai=snapshot_of(penilai), snapshot_atasan_penilai=snapshot_of(atasan),
                diajukan_pada=self.disetujui - datetime.timedelta(days=3), disetujui_pada=self.disetujui,
            )
        )  # fmt: skip
        rows = []
        start = rng.randrange(len(RHK))
        for k in range(rng.randint(2, 3)):
            rhk = tambah(RencanaHasilKerja(pk=self.ids[RencanaHasilKerja](), skp=skp, jenis=RencanaHasilKerja.Jenis.UTAMA,
                                           urutan=k + 1, uraian=RHK[(start + k) % len(RHK)]))  # fmt: skip
            ikis = []
            for m in range(rng.randint(1, 2)):
                uraian, aspek, target, satuan = IKI[rng.randrange(len(IKI))]
                ikis.append(tambah(IndikatorKinerja(pk=self.ids[IndikatorKinerja](), rhk=rhk, urutan=m + 1,
                                                    uraian=uraian, aspek=aspek, target_min=Decimal(target),
                                                    satuan=satuan)))  # fmt: skip
            rows.append((rhk, ikis))
        self.pemuat.semua(PerilakuKerja(skp=skp, nilai=kode, urutan=k) for k, kode in enumerate(BERAKHLAK))
        atas = self.rhk_pertama.get(self.org.penilai.get(i, -1))
        if atas is not None:
            self.pemuat.semua(IntervensiRhk(rhk=rhk, rhk_atasan_id=atas) for rhk, _ in rows)
        if p.jabatan.jenis in STRUKTURAL:
            self.rhk_pertama[i] = rows[0][0].pk
        if i in self.urut_tim and self.urut_tim[i] % 4 == 3:
            self._revisi(skp, rows, atas)
        return skp, rows

    def _revisi(self, skp: Skp, rows: list, atas: int | None) -> None:
        tambah = self.pemuat.tambah
        rev = tambah(
            Skp(
                pk=self.ids[Skp](), pegawai=skp.pegawai, jabatan=skp.jabatan, tahun=skp.tahun, mulai=skp.mulai,
                selesai=skp.selesai, status=Skp.Status.DIAJUKAN, induk=skp, revisi=1, penilai=skp.penilai,
                diajukan_pada=timezone.now() - datetime.timedelta(days=2), versi=2,
            )
        )  # fmt: skip
        for rhk, ikis in rows:
            baru = tambah(RencanaHasilKerja(pk=self.ids[RencanaHasilKerja](), skp=rev, jenis=rhk.jenis,
                                            urutan=rhk.urutan, uraian=f"{rhk.uraian} (revisi)", asal=rhk))  # fmt: skip
            for iki in ikis:
                tambah(IndikatorKinerja(pk=self.ids[IndikatorKinerja](), rhk=baru, urutan=iki.urutan,
                                        uraian=iki.uraian, aspek=iki.aspek, target_min=iki.target_min * 2,
                                        satuan=iki.satuan, asal=iki))  # fmt: skip
            if atas is not None:
                tambah(IntervensiRhk(rhk=baru, rhk_atasan_id=atas))
        self.pemuat.semua(PerilakuKerja(skp=rev, nilai=kode, urutan=k) for k, kode in enumerate(BERAKHLAK))

    def _evaluasi(self, indeks: range, plan: dict) -> None:
        spec, rng, tambah = self.spec, self.rng, self.pemuat.tambah
        contoh: dict[int, tuple[Evaluasi, dict, dict]] = {}
        for i in indeks:  # the snapshots once per pegawai (equal in every month of the set)
            skp, _ = plan[i]
            ev = Evaluasi(skp=skp)
            isi_snapshot_pegawai(ev, self.org.pegawai[i])
            penilai, atasan = self._penilai(i)
            contoh[i] = (ev, snapshot_of(penilai), snapshot_of(atasan))
        # Month by month inside the chunk, as the months arrive in production.
        for bulan in range(1, spec.bulan_kini + 1):
            per = self.periode[bulan]
            kirim, dinilai_pada = _rentang(spec.tahun, bulan)
            for i in indeks:
                p = self.org.pegawai[i]
                skp, rows = plan[i]
                penilai = self.org.pegawai[self.org.penilai[i]] if i in self.org.penilai else None
                if bulan < spec.bulan_kini:
                    keadaan = "dinilai"
                elif i in self.urut_tim:
                    keadaan = KEADAAN[self.urut_tim[i] % len(KEADAAN)]
                else:
                    keadaan = rng.choices(KEADAAN, BOBOT_KEADAAN)[0]
                c, snap_penilai, snap_atasan = contoh[i]
                ev = Evaluasi(
                    pk=self.ids[Evaluasi](), periode=per, pegawai=p, skp=skp, mulai=per.mulai, selesai=per.selesai,
                    hasil_bulan=True, snap_opd_id=c.snap_opd_id, snap_kelas_jabatan=c.snap_kelas_jabatan,
                    snap_golongan=c.snap_golongan, snap_kedudukan_hukum=c.snap_kedudukan_hukum,
                    snapshot_pegawai=c.snapshot_pegawai,
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
                    ev.dinilai_oleh, ev.dinilai_pada = penilai, dinilai_pada
                tambah(ev)
                if keadaan != "belum":
                    self._rencana(ev, p, rows, keadaan)

    def _rencana(self, ev: Evaluasi, p: Pegawai, rows: list, keadaan: str) -> None:
        rng, tambah = self.rng, self.pemuat.tambah
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
            ra = tambah(
                RencanaAksi(
                    pk=self.ids[RencanaAksi](), evaluasi=ev, rhk=rhk, iki=iki, urutan=k + 1,
                    uraian=f"{iki.uraian} bulan ini"[:200], target=target, satuan=iki.satuan, realisasi=realisasi,
                    realisasi_uraian="" if realisasi is None else "Selesai sesuai rencana; laporan terlampir.",
                )
            )  # fmt: skip
            tambah(
                BuktiDukung(
                    rencana_aksi=ra, jenis=BuktiDukung.Jenis.TAUTAN, keterangan="Laporan bulanan",
                    tautan=f"https://drive.example.go.id/bench/{p.nip}/{ra.pk}", diunggah_oleh=p,
                )
            )  # fmt: skip


def _bangun_kinerja_organisasi(spec: Spec, org: _Org, periode: dict[int, Periode], admin: Pegawai,
                               rng: random.Random) -> None:  # fmt: skip
    """Capaian organisasi of every OPD with bench pegawai for every past month (the curve checks)."""
    opd_ids = sorted({p.opd_id for p in org.pegawai if p.opd_id})
    ada = set(
        KinerjaOrganisasi.objects.filter(periode__tahun=spec.tahun, periode__bulan__gte=1).values_list(
            "periode_id", "opd_id"
        )
    )
    pilihan = ([CapaianOrganisasi.BAIK, CapaianOrganisasi.ISTIMEWA, CapaianOrganisasi.BUTUH_PERBAIKAN], [70, 20, 10])
    KinerjaOrganisasi.objects.bulk_create(
        KinerjaOrganisasi(periode=periode[b], opd_id=o, capaian=rng.choices(*pilihan)[0], dicatat_oleh=admin)
        for b in range(1, spec.bulan_kini)
        for o in opd_ids
        if (periode[b].pk, o) not in ada
    )


def bangun_tpp(spec: Spec, periode: dict[int, Periode], admin: Pegawai, rng: random.Random,
               pemuat: Pemuat | None = None) -> None:  # fmt: skip
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
    sendiri = pemuat is None
    pemuat = pemuat or Pemuat()
    for pk in Pegawai.objects.filter(nip__startswith=spec.prefix).values_list("pk", flat=True).iterator(5000):
        roll = rng.random()
        pemuat.tambah(
            Presensi(
                periode=periode[bulan], pegawai_id=pk, impor=impor, hari_kerja=21,
                tl1=rng.randint(1, 4) if roll > 0.7 else 0, tl2=1 if roll > 0.9 else 0,
                psw1=1 if roll > 0.8 else 0, tanpa_keterangan=1 if roll > 0.97 else 0,
            )
        )  # fmt: skip
    if sendiri:
        pemuat.tutup()


def _tanpa_pemicu_fk() -> bool:
    """PostgreSQL checks every foreign key of every COPYed row with a trigger (a lookup and a
    row lock on the parent). The builder's rows reference rows it reserved itself, so on a
    superuser connection the triggers are skipped for this transaction (as pg_restore
    --disable-triggers does) and `periksa_fk` checks the references afterwards in one anti-join
    per foreign key instead."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def periksa_fk(labels: list[str]) -> None:
    """Every foreign key of the loaded tables points at an existing row (else: CommandError, and
    the build's transaction rolls back)."""
    from django.apps import apps

    with connection.cursor() as cursor:
        for label in labels:
            model = apps.get_model(label)
            for f in model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                child, parent = model._meta.db_table, f.related_model._meta.db_table
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{child}" c WHERE c."{f.column}" IS NOT NULL AND NOT EXISTS '
                    f'(SELECT 1 FROM "{parent}" p WHERE p."{f.target_field.column}" = c."{f.column}")'
                )
                if cursor.fetchone()[0]:
                    raise CommandError(f"Data bench rusak: {label}.{f.name} menunjuk baris yang tidak ada.")


@transaction.atomic
def bangun(spec: Spec, *, seed: int = 7) -> dict[str, int]:
    """Build the data set in one transaction; returns the rows written per model."""
    rng = random.Random(seed)
    tanpa_pemicu = _tanpa_pemicu_fk()
    pemuat = Pemuat()
    org = _bangun_organisasi(spec, pemuat)
    _peran(org, spec, pemuat)
    pemuat.tutup()  # the people exist before the periods and the scheme point at the admin
    admin = next(p for p in org.pegawai[-3:] if p.nip == nip(spec.prefix, NO_ADMIN))
    periode = _periode(spec, admin)
    _Tahun(org, spec, periode, pemuat, rng).bangun()
    bangun_tpp(spec, periode, admin, rng, pemuat)
    jumlah = pemuat.tutup()
    _bangun_kinerja_organisasi(spec, org, periode, admin, rng)
    if tanpa_pemicu:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        periksa_fk(list(jumlah))
    return jumlah


def urutan_produksi() -> str:
    """Put the evaluations in the order production writes them. The builder streams them per
    chunk of pegawai with all twelve months, so one month's 100,000 rows lie scattered over the
    whole table (2.9 GB); in production a month's evaluations are written during that month and
    sit together. CLUSTER by (periode, status) gives that order once after a build (17 s at
    100,000; measured: Pemantauan 200 -> 146 ms). Not inside a transaction (the tests)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'penilaian_evaluasi' "
            "AND indexdef LIKE '%%(periode_id, status)%%'"
        )
        row = cursor.fetchone()
        if row is None:
            return ""
        cursor.execute(f"CLUSTER penilaian_evaluasi USING {connection.ops.quote_name(row[0])}")
    return "CLUSTER penilaian_evaluasi (urutan bulan seperti di produksi)"


def analyze() -> str:
    """Planner statistics and the visibility map after a bulk load, as autovacuum leaves them in
    production (PostgreSQL ≥ 13 vacuums after inserts too). Without statistics PostgreSQL plans
    hash joins over whole tables for one evaluation's rows; without the vacuum every first read
    of a freshly loaded page also writes its hint bits (measured: the regency TPP query 0.7 s cold
    vs 0.3 s vacuumed at 100,000 pegawai)."""
    if connection.vendor == "postgresql":
        # VACUUM cannot run inside a transaction (the tests run the command inside one).
        perintah = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(perintah)
        return perintah
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return "ANALYZE"
    return ""


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
    orang = {
        p.nip: p
        for p in Pegawai.objects.select_related("opd").filter(
            nip__in=[
                nip(spec.prefix, s) for s in (NO_ADMIN, NO_KAPUS, NO_KAPUS + 2, spec.no_admin_opd, spec.no_auditor)
            ]
        )
    }
    kapus, admin = orang.get(nip(spec.prefix, NO_KAPUS)), orang.get(nip(spec.prefix, NO_ADMIN))
    # The measured month page and SKP page: member 1, whose month is a draft with rencana aksi (KEADAAN[1]).
    anggota = orang.get(nip(spec.prefix, NO_KAPUS + 2))
    admin_opd, auditor = orang.get(nip(spec.prefix, spec.no_admin_opd)), orang.get(nip(spec.prefix, spec.no_auditor))
    if None in (kapus, admin, anggota, admin_opd, auditor):
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
    skp_anggota = Skp.objects.filter(pegawai=anggota, tahun=spec.tahun, status=Skp.Status.DISETUJUI).first()
    diajukan = Skp.objects.filter(pegawai__nip__in=tim, status=Skp.Status.DIAJUKAN).order_by("pk").first()
    kepala = Pegawai.objects.filter(
        nip__startswith=spec.prefix, opd=admin_opd.opd, jabatan__jenis=JenisJabatan.JPT
    ).first()
    if ev is None or skp_anggota is None or diajukan is None or kepala is None:
        return None
    return DataBench(
        spec=spec, kapus=kapus, anggota=anggota, admin=admin, admin_opd=admin_opd, auditor=auditor, kepala_opd=kepala,
        opd_terbesar=admin_opd.opd, ev_dikirim=ev.pk, skp_anggota=skp_anggota.pk, skp_diajukan=diajukan.pk,
        bulan_kurva=max(1, spec.bulan_kini - 1),
    )  # fmt: skip
