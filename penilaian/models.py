"""The monthly cycle (SPEC §5, §6): periods and their locks, the pegawai's rencana aksi with
realisasi and bukti dukung, the penilai's evaluation (umpan balik, two ratings, predikat), the
annual realisation per IKI, and each OPD's capaian organisasi per period for the kurva.

An `Evaluasi` is one SKP's part of one period: normally one per pegawai per month; two when an
SKP is closed mid-month at a jabatan change (each SKP is evaluated for its part, and the one in
force on the month's last day carries `hasil_bulan=True`: it is the month's result). Its
snapshot columns record the pegawai, the penilai and the atasan penilai as of the last day of
its part, so curves, monitoring and TPP of a past month never read today's data.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from opd.models import Opd, Pegawai
from penilaian.rules import CapaianOrganisasi, Predikat, Rating
from skp.models import IndikatorKinerja, RencanaHasilKerja, Skp
from skp.rules import BERAKHLAK_CHOICES

NAMA_BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

TAHUNAN = 0  # Periode.bulan of the annual period


class PeriodeQuerySet(models.QuerySet):
    def bulanan(self) -> PeriodeQuerySet:
        return self.exclude(bulan=TAHUNAN)

    def tahunan(self) -> PeriodeQuerySet:
        return self.filter(bulan=TAHUNAN)


class Periode(models.Model):
    """A month (bulan 1–12) or the year (bulan 0) opened by the admin BKD, with its deadlines.
    After `batas_penilaian` the period is locked (SPEC §5) except for pegawai with an active
    `BukaKunci`."""

    tahun = models.PositiveSmallIntegerField("tahun")
    bulan = models.PositiveSmallIntegerField("bulan", help_text="1–12; 0 untuk periode tahunan.")
    batas_realisasi = models.DateField("batas pengisian realisasi")
    batas_penilaian = models.DateField("batas penilaian")
    dibuka_oleh = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="dibuka oleh"
    )
    dibuka_pada = models.DateTimeField("dibuka pada", default=timezone.now)

    objects = PeriodeQuerySet.as_manager()

    class Meta:
        verbose_name = "periode penilaian"
        verbose_name_plural = "periode penilaian"
        ordering = ["-tahun", "-bulan"]
        constraints = [
            models.UniqueConstraint(fields=["tahun", "bulan"], name="periode_unique"),
            models.CheckConstraint(condition=Q(bulan__gte=0, bulan__lte=12), name="periode_bulan_0_12"),
            models.CheckConstraint(
                condition=Q(batas_penilaian__gte=models.F("batas_realisasi")), name="periode_batas_urut"
            ),
        ]

    def __str__(self) -> str:
        return self.nama

    @property
    def is_tahunan(self) -> bool:
        return self.bulan == TAHUNAN

    @property
    def nama(self) -> str:
        if self.is_tahunan:
            return f"Tahunan {self.tahun}"
        return f"{NAMA_BULAN[self.bulan - 1]} {self.tahun}"

    @property
    def mulai(self) -> datetime.date:
        return datetime.date(self.tahun, self.bulan or 1, 1)

    @property
    def selesai(self) -> datetime.date:
        bulan = self.bulan or 12
        return datetime.date(self.tahun, bulan, calendar.monthrange(self.tahun, bulan)[1])

    def is_terkunci(self, today: datetime.date | None = None) -> bool:
        """Past the evaluation deadline: nothing changes without an unlock for the pegawai."""
        return (today or timezone.localdate()) > self.batas_penilaian

    def is_lewat_batas_realisasi(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.batas_realisasi


class BukaKunci(models.Model):
    """An unlock of a locked period for one pegawai (SPEC §5), with the admin's written reason.
    Active while `ditutup_pada` is null; closed when that pegawai's evaluation is saved."""

    periode = models.ForeignKey(Periode, on_delete=models.PROTECT, related_name="buka_kunci_set")
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="buka_kunci_set")
    alasan = models.TextField("alasan")
    dibuka_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="+", verbose_name="dibuka oleh")
    dibuka_pada = models.DateTimeField("dibuka pada", default=timezone.now)
    ditutup_pada = models.DateTimeField("dikunci kembali pada", null=True, blank=True)

    class Meta:
        verbose_name = "buka kunci periode"
        verbose_name_plural = "buka kunci periode"
        ordering = ["-dibuka_pada"]
        constraints = [
            models.UniqueConstraint(
                fields=["periode", "pegawai"], condition=Q(ditutup_pada__isnull=True), name="buka_kunci_satu_aktif"
            ),
            models.CheckConstraint(condition=~Q(alasan=""), name="buka_kunci_alasan_wajib"),
        ]

    def __str__(self) -> str:
        return f"Buka kunci {self.periode} — {self.pegawai.nama_lengkap}"

    @property
    def is_aktif(self) -> bool:
        return self.ditutup_pada is None


class EvaluasiQuerySet(models.QuerySet):
    def hasil(self) -> EvaluasiQuerySet:
        """The evaluation that is the month's result (one per pegawai and period)."""
        return self.filter(hasil_bulan=True)

    def dinilai(self) -> EvaluasiQuerySet:
        return self.filter(status=Evaluasi.Status.DINILAI)


class Evaluasi(models.Model):
    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Belum dikirim"
        DIKIRIM = "DIKIRIM", "Dikirim"
        DIKEMBALIKAN = "DIKEMBALIKAN", "Dikembalikan"
        DINILAI = "DINILAI", "Dinilai"

    periode = models.ForeignKey(Periode, on_delete=models.PROTECT, related_name="evaluasi_set")
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="evaluasi_set")
    # The version in force; a revision approved mid-period re-points open evaluations to it.
    skp = models.ForeignKey(Skp, on_delete=models.PROTECT, related_name="evaluasi_set", verbose_name="SKP")
    mulai = models.DateField("bagian periode mulai")
    selesai = models.DateField("bagian periode selesai")
    hasil_bulan = models.BooleanField(
        "hasil periode", default=True, help_text="SKP yang berlaku pada hari terakhir periode."
    )
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.DRAFT)
    catatan_pengembalian = models.TextField("catatan pengembalian", blank=True)
    dikirim_pada = models.DateTimeField("dikirim pada", null=True, blank=True)
    # The penilai who rated (the current penilai at the time, incl. an active Plt/Plh).
    dinilai_oleh = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluasi_dinilai",
        verbose_name="dinilai oleh",
    )  # fmt: skip
    dinilai_pada = models.DateTimeField("dinilai pada", null=True, blank=True)
    rating_hasil = models.CharField("rating hasil kerja", max_length=20, choices=Rating.choices, blank=True)
    rating_perilaku = models.CharField("rating perilaku kerja", max_length=20, choices=Rating.choices, blank=True)
    predikat = models.CharField("predikat kinerja", max_length=20, choices=Predikat.choices, blank=True, db_index=True)
    # Snapshot as of the last day of this part of the period (SPEC §5). `snap_opd` is a key so
    # that curves and monitoring of a past period group by the OPD of then, with an index.
    snap_opd = models.ForeignKey(
        Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="OPD (saat itu)"
    )
    snap_kelas_jabatan = models.PositiveSmallIntegerField("kelas jabatan (saat itu)", null=True, blank=True)
    snap_golongan = models.CharField("golongan (saat itu)", max_length=6, blank=True)
    snap_kedudukan_hukum = models.CharField("kedudukan hukum (saat itu)", max_length=30, blank=True)
    snapshot_pegawai = models.JSONField("data pegawai", default=dict, blank=True)
    snapshot_penilai = models.JSONField("data pejabat penilai", default=dict, blank=True)
    snapshot_atasan_penilai = models.JSONField("data atasan pejabat penilai", default=dict, blank=True)
    # Optimistic locking: every change bumps it; a form carrying a stale value is refused.
    versi = models.PositiveIntegerField("versi", default=1)
    dibuat_pada = models.DateTimeField("dibuat pada", auto_now_add=True)
    diubah_pada = models.DateTimeField("diubah pada", auto_now=True)

    objects = EvaluasiQuerySet.as_manager()

    class Meta:
        verbose_name = "evaluasi kinerja"
        verbose_name_plural = "evaluasi kinerja"
        ordering = ["periode", "pegawai", "mulai"]
        constraints = [
            models.UniqueConstraint(fields=["periode", "skp"], name="evaluasi_unique_skp"),
            models.UniqueConstraint(
                fields=["periode", "pegawai"], condition=Q(hasil_bulan=True), name="evaluasi_satu_hasil"
            ),
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")), name="evaluasi_selesai_after_mulai"),
            models.CheckConstraint(
                condition=~Q(status="DINILAI") | (~Q(rating_hasil="") & ~Q(rating_perilaku="") & ~Q(predikat="")),
                name="evaluasi_dinilai_lengkap",
            ),
        ]
        indexes = [
            models.Index(fields=["periode", "snap_opd", "hasil_bulan"]),
            models.Index(fields=["periode", "status"]),
            models.Index(fields=["pegawai", "periode"]),
        ]

    def __str__(self) -> str:
        return f"Evaluasi {self.periode} — {self.pegawai.nama_lengkap}"

    @property
    def is_editable_state(self) -> bool:
        """The pegawai may change rencana aksi and realisasi (subject to the lock)."""
        return self.status in {self.Status.DRAFT, self.Status.DIKEMBALIKAN}


class RencanaAksi(models.Model):
    """What the pegawai will do this month for one RHK, measured by one of its IKI."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="rencana_aksi_set")
    rhk = models.ForeignKey(RencanaHasilKerja, on_delete=models.PROTECT, related_name="rencana_aksi_set")
    iki = models.ForeignKey(IndikatorKinerja, on_delete=models.PROTECT, related_name="rencana_aksi_set")
    urutan = models.PositiveSmallIntegerField("urutan", default=0)
    uraian = models.TextField("rencana aksi")
    target = models.DecimalField("target", max_digits=16, decimal_places=2, null=True, blank=True)
    satuan = models.CharField("satuan", max_length=50, blank=True)
    realisasi = models.DecimalField("realisasi", max_digits=16, decimal_places=2, null=True, blank=True)
    realisasi_uraian = models.TextField("uraian realisasi", blank=True)
    diubah_pada = models.DateTimeField("diubah pada", auto_now=True)

    class Meta:
        verbose_name = "rencana aksi"
        verbose_name_plural = "rencana aksi"
        ordering = ["evaluasi", "rhk__jenis", "rhk__urutan", "rhk_id", "urutan", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(uraian=""), name="rencana_aksi_uraian_wajib"),
            models.CheckConstraint(condition=Q(target__isnull=True) | Q(target__gt=0), name="rencana_aksi_target_pos"),
            models.CheckConstraint(
                condition=Q(realisasi__isnull=True) | Q(realisasi__gte=0), name="rencana_aksi_realisasi_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return self.uraian[:120]

    @property
    def lebih_kecil_lebih_baik(self) -> bool:
        return self.iki.aspek in {IndikatorKinerja.Aspek.WAKTU, IndikatorKinerja.Aspek.BIAYA}


class BuktiDukung(models.Model):
    """Evidence for one rencana aksi: a stored file (outside any served folder, type decided
    from its content, SHA-256 kept) or an https link."""

    class Jenis(models.TextChoices):
        BERKAS = "BERKAS", "Berkas"
        TAUTAN = "TAUTAN", "Tautan"

    rencana_aksi = models.ForeignKey(RencanaAksi, on_delete=models.CASCADE, related_name="bukti_set")
    jenis = models.CharField("jenis", max_length=6, choices=Jenis.choices)
    # BERKAS: path relative to settings.BUKTI_ROOT (never a name the user chose).
    berkas = models.CharField("lokasi berkas", max_length=255, blank=True)
    nama_berkas = models.CharField("nama berkas", max_length=255, blank=True)
    mime = models.CharField("jenis isi", max_length=100, blank=True)
    ukuran = models.PositiveBigIntegerField("ukuran (byte)", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    tautan = models.URLField("tautan", max_length=500, blank=True)
    keterangan = models.CharField("keterangan", max_length=255, blank=True)
    diunggah_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="+")
    diunggah_pada = models.DateTimeField("diunggah pada", default=timezone.now)

    class Meta:
        verbose_name = "bukti dukung"
        verbose_name_plural = "bukti dukung"
        ordering = ["rencana_aksi", "diunggah_pada", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(jenis="BERKAS") & ~Q(berkas="") & ~Q(sha256="") & Q(tautan=""))
                | (Q(jenis="TAUTAN") & ~Q(tautan="") & Q(berkas="")),
                name="bukti_berkas_atau_tautan",
            ),
        ]

    def __str__(self) -> str:
        return self.nama_berkas or self.tautan

    @property
    def is_berkas(self) -> bool:
        return self.jenis == self.Jenis.BERKAS


class UmpanBalik(models.Model):
    """The penilai's feedback on one RHK or one BerAKHLAK value of an evaluation."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="umpan_balik_set")
    rhk = models.ForeignKey(
        RencanaHasilKerja, on_delete=models.PROTECT, null=True, blank=True, related_name="umpan_balik_set"
    )
    perilaku = models.CharField("nilai dasar", max_length=30, choices=BERAKHLAK_CHOICES, blank=True)
    teks = models.TextField("umpan balik")

    class Meta:
        verbose_name = "umpan balik"
        verbose_name_plural = "umpan balik"
        constraints = [
            models.CheckConstraint(
                condition=(Q(rhk__isnull=False) & Q(perilaku="")) | (Q(rhk__isnull=True) & ~Q(perilaku="")),
                name="umpan_balik_satu_sasaran",
            ),
            models.UniqueConstraint(fields=["evaluasi", "rhk"], name="umpan_balik_unique_rhk"),
            models.UniqueConstraint(
                fields=["evaluasi", "perilaku"], condition=~Q(perilaku=""), name="umpan_balik_unique_perilaku"
            ),
            models.CheckConstraint(condition=~Q(teks=""), name="umpan_balik_teks_wajib"),
        ]

    def __str__(self) -> str:
        return self.teks[:80]


class RealisasiTahunan(models.Model):
    """The annual realisation of one IKI (SPEC §5), on the annual period's evaluation."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="realisasi_tahunan_set")
    iki = models.ForeignKey(IndikatorKinerja, on_delete=models.PROTECT, related_name="realisasi_tahunan_set")
    realisasi = models.DecimalField("realisasi", max_digits=16, decimal_places=2, null=True, blank=True)
    uraian = models.TextField("uraian realisasi", blank=True)

    class Meta:
        verbose_name = "realisasi tahunan"
        verbose_name_plural = "realisasi tahunan"
        constraints = [
            models.UniqueConstraint(fields=["evaluasi", "iki"], name="realisasi_tahunan_unique"),
            models.CheckConstraint(
                condition=Q(realisasi__isnull=True) | Q(realisasi__gte=0), name="realisasi_tahunan_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iki} — {self.realisasi}"


class KinerjaOrganisasi(models.Model):
    """An OPD's capaian kinerja organisasi for a period, recorded by the admin BKD (SPEC §6), and
    the finalisation of that OPD's period (with a justification when the curve breaks a rule)."""

    periode = models.ForeignKey(Periode, on_delete=models.PROTECT, related_name="kinerja_organisasi_set")
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="kinerja_organisasi_set")
    capaian = models.CharField("capaian kinerja organisasi", max_length=20, choices=CapaianOrganisasi.choices)
    dicatat_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="+")
    dicatat_pada = models.DateTimeField("dicatat pada", default=timezone.now)
    difinalkan_pada = models.DateTimeField("difinalkan pada", null=True, blank=True)
    difinalkan_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    justifikasi = models.TextField("justifikasi pelanggaran kurva", blank=True)
    # The broken constraints at finalisation, as shown then (the audit keeps them too).
    pelanggaran_saat_final = models.JSONField("pelanggaran saat difinalkan", default=list, blank=True)

    class Meta:
        verbose_name = "capaian kinerja organisasi"
        verbose_name_plural = "capaian kinerja organisasi"
        ordering = ["periode", "opd"]
        constraints = [models.UniqueConstraint(fields=["periode", "opd"], name="kinerja_organisasi_unique")]

    def __str__(self) -> str:
        return f"{self.opd} {self.periode}: {self.get_capaian_display()}"

    @property
    def is_final(self) -> bool:
        return self.difinalkan_pada is not None


# TPP basis (SPEC §7, §8) ----------------------------------------------------------------------------

# Kedudukan hukum whose holders get no TPP by default (SPEC §7): not Aktif on duty.
KEDUDUKAN_TANPA_TPP_BAWAAN = ["CLTN", "TUGAS_BELAJAR", "PEMBERHENTIAN_SEMENTARA"]


def _kedudukan_tanpa_tpp() -> list[str]:
    return list(KEDUDUKAN_TANPA_TPP_BAWAAN)


class SkemaTpp(models.Model):
    """One version of a year's TPP scheme (SPEC §7), in force from the first day of month
    `berlaku_mulai` until the next version of the same year. A month uses the version in force on
    its first day; a version some finalised month used is never changed in place (a new version
    from a later month is made instead). All parameters in percent."""

    tahun = models.PositiveSmallIntegerField("tahun")
    berlaku_mulai = models.PositiveSmallIntegerField("berlaku mulai bulan", default=1)
    bobot_kinerja = models.DecimalField("bobot produktivitas kerja (%)", max_digits=5, decimal_places=2, default=60)
    bobot_disiplin = models.DecimalField("bobot disiplin kerja (%)", max_digits=5, decimal_places=2, default=40)
    persen_sangat_baik = models.DecimalField("Sangat Baik (%)", max_digits=5, decimal_places=2, default=100)
    persen_baik = models.DecimalField("Baik (%)", max_digits=5, decimal_places=2, default=100)
    persen_butuh_perbaikan = models.DecimalField("Butuh Perbaikan (%)", max_digits=5, decimal_places=2, default=80)
    persen_kurang = models.DecimalField("Kurang (%)", max_digits=5, decimal_places=2, default=60)
    persen_sangat_kurang = models.DecimalField("Sangat Kurang (%)", max_digits=5, decimal_places=2, default=40)
    potongan_tl1 = models.DecimalField("TL1 (%)", max_digits=5, decimal_places=2, default=Decimal("0.5"))
    potongan_tl2 = models.DecimalField("TL2 (%)", max_digits=5, decimal_places=2, default=1)
    potongan_tl3 = models.DecimalField("TL3 (%)", max_digits=5, decimal_places=2, default=Decimal("1.25"))
    potongan_tl4 = models.DecimalField("TL4 (%)", max_digits=5, decimal_places=2, default=Decimal("1.5"))
    potongan_psw1 = models.DecimalField("PSW1 (%)", max_digits=5, decimal_places=2, default=Decimal("0.5"))
    potongan_psw2 = models.DecimalField("PSW2 (%)", max_digits=5, decimal_places=2, default=1)
    potongan_psw3 = models.DecimalField("PSW3 (%)", max_digits=5, decimal_places=2, default=Decimal("1.25"))
    potongan_psw4 = models.DecimalField("PSW4 (%)", max_digits=5, decimal_places=2, default=Decimal("1.5"))
    potongan_tanpa_keterangan = models.DecimalField(
        "tanpa keterangan per hari (%)", max_digits=5, decimal_places=2, default=3
    )
    potongan_hukdis = models.DecimalField("hukuman disiplin sedang (%)", max_digits=5, decimal_places=2, default=25)
    kedudukan_tanpa_tpp = models.JSONField("kedudukan hukum tanpa TPP", default=_kedudukan_tanpa_tpp, blank=True)
    catatan = models.TextField("catatan perubahan", blank=True)
    dibuat_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="+")
    dibuat_pada = models.DateTimeField("dibuat pada", default=timezone.now)
    diubah_pada = models.DateTimeField("diubah pada", auto_now=True)
    versi = models.PositiveIntegerField("versi", default=1)

    class Meta:
        verbose_name = "skema TPP"
        verbose_name_plural = "skema TPP"
        ordering = ["-tahun", "-berlaku_mulai"]
        constraints = [
            models.UniqueConstraint(fields=["tahun", "berlaku_mulai"], name="skema_tpp_unique"),
            models.CheckConstraint(condition=Q(berlaku_mulai__gte=1, berlaku_mulai__lte=12), name="skema_tpp_bulan"),
            models.CheckConstraint(
                condition=Q(
                    bobot_kinerja__gte=0, bobot_disiplin__gte=0, bobot_kinerja__lte=100, bobot_disiplin__lte=100
                ),
                name="skema_tpp_bobot_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Skema TPP {self.tahun} mulai {NAMA_BULAN[self.berlaku_mulai - 1]}"

    def aturan(self):
        """The scheme as `penilaian.rules.SkemaTpp` (what `rules.hitung_tpp` takes)."""
        from penilaian.rules import Predikat
        from penilaian.rules import SkemaTpp as Aturan

        return Aturan(
            bobot_kinerja=self.bobot_kinerja,
            bobot_disiplin=self.bobot_disiplin,
            persen_predikat={
                Predikat.SANGAT_BAIK: self.persen_sangat_baik,
                Predikat.BAIK: self.persen_baik,
                Predikat.BUTUH_PERBAIKAN: self.persen_butuh_perbaikan,
                Predikat.KURANG: self.persen_kurang,
                Predikat.SANGAT_KURANG: self.persen_sangat_kurang,
            },
            potongan_presensi={
                "TL1": self.potongan_tl1,
                "TL2": self.potongan_tl2,
                "TL3": self.potongan_tl3,
                "TL4": self.potongan_tl4,
                "PSW1": self.potongan_psw1,
                "PSW2": self.potongan_psw2,
                "PSW3": self.potongan_psw3,
                "PSW4": self.potongan_psw4,
                "TANPA KETERANGAN": self.potongan_tanpa_keterangan,
            },
            potongan_hukdis=self.potongan_hukdis,
        )


class BesaranTpp(models.Model):
    """The TPP amount (whole Rupiah per month) for one kelas jabatan in one scheme version."""

    skema = models.ForeignKey(SkemaTpp, on_delete=models.CASCADE, related_name="besaran_set")
    kelas_jabatan = models.PositiveSmallIntegerField("kelas jabatan")
    besaran = models.PositiveBigIntegerField("besaran TPP (Rp)")

    class Meta:
        verbose_name = "besaran TPP"
        verbose_name_plural = "besaran TPP"
        ordering = ["skema", "-kelas_jabatan"]
        constraints = [
            models.UniqueConstraint(fields=["skema", "kelas_jabatan"], name="besaran_tpp_unique"),
            models.CheckConstraint(condition=Q(kelas_jabatan__gte=1, kelas_jabatan__lte=17), name="besaran_tpp_kelas"),
        ]

    def __str__(self) -> str:
        return f"Kelas {self.kelas_jabatan}: Rp{self.besaran}"


class ImporPresensi(models.Model):
    """One imported attendance summary file for a month (SPEC §8). A later import of the same
    month replaces the month's figures (`menggantikan` points at the one it replaced)."""

    periode = models.ForeignKey(Periode, on_delete=models.PROTECT, related_name="impor_presensi_set")
    berkas = models.CharField("lokasi berkas", max_length=255, blank=True)
    nama_berkas = models.CharField("nama berkas", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    jumlah_baris = models.PositiveIntegerField("jumlah baris")
    menggantikan = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="menggantikan"
    )
    diimpor_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    diimpor_pada = models.DateTimeField("diimpor pada", default=timezone.now)

    class Meta:
        verbose_name = "impor presensi"
        verbose_name_plural = "impor presensi"
        ordering = ["-diimpor_pada"]

    def __str__(self) -> str:
        return f"Presensi {self.periode} ({self.nama_berkas})"


class Presensi(models.Model):
    """A pegawai's monthly attendance summary (SPEC §8 columns): working days, days absent without
    reason, and counts of late arrival (TL1–TL4) and early leave (PSW1–PSW4) per band."""

    periode = models.ForeignKey(Periode, on_delete=models.PROTECT, related_name="presensi_set")
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="presensi_set")
    impor = models.ForeignKey(ImporPresensi, on_delete=models.PROTECT, related_name="baris_set")
    hari_kerja = models.PositiveSmallIntegerField("hari kerja")
    tanpa_keterangan = models.PositiveSmallIntegerField("tanpa keterangan (hari)", default=0)
    tl1 = models.PositiveSmallIntegerField("TL1", default=0)
    tl2 = models.PositiveSmallIntegerField("TL2", default=0)
    tl3 = models.PositiveSmallIntegerField("TL3", default=0)
    tl4 = models.PositiveSmallIntegerField("TL4", default=0)
    psw1 = models.PositiveSmallIntegerField("PSW1", default=0)
    psw2 = models.PositiveSmallIntegerField("PSW2", default=0)
    psw3 = models.PositiveSmallIntegerField("PSW3", default=0)
    psw4 = models.PositiveSmallIntegerField("PSW4", default=0)

    class Meta:
        verbose_name = "presensi bulanan"
        verbose_name_plural = "presensi bulanan"
        ordering = ["periode", "pegawai"]
        constraints = [
            models.UniqueConstraint(fields=["periode", "pegawai"], name="presensi_unique"),
            models.CheckConstraint(
                condition=Q(tanpa_keterangan__lte=models.F("hari_kerja")), name="presensi_absen_lte_hari_kerja"
            ),
            models.CheckConstraint(condition=Q(hari_kerja__lte=31), name="presensi_hari_kerja_31"),
        ]

    def __str__(self) -> str:
        return f"Presensi {self.periode} — {self.pegawai_id}"

    def hitungan(self) -> dict[str, int]:
        """Keyed by the SPEC §8 column names, as `rules.hitung_tpp` takes it."""
        return {
            "TL1": self.tl1, "TL2": self.tl2, "TL3": self.tl3, "TL4": self.tl4,
            "PSW1": self.psw1, "PSW2": self.psw2, "PSW3": self.psw3, "PSW4": self.psw4,
            "TANPA KETERANGAN": self.tanpa_keterangan,
        }  # fmt: skip


class HukumanDisiplin(models.Model):
    """A disciplinary sentence (PP 94/2021) recorded by the admin BKD. A hukdis sedang reduces
    the whole TPP for each month from `bulan_mulai` to `bulan_selesai` (first days of months)."""

    class Jenis(models.TextChoices):
        RINGAN = "RINGAN", "Ringan"
        SEDANG = "SEDANG", "Sedang"
        BERAT = "BERAT", "Berat"

    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="hukdis_set")
    jenis = models.CharField("jenis hukuman", max_length=6, choices=Jenis.choices)
    uraian = models.CharField("hukuman", max_length=255, blank=True)
    bulan_mulai = models.DateField("bulan pertama")
    bulan_selesai = models.DateField("bulan terakhir")
    nomor_sk = models.CharField("nomor SK", max_length=100)
    tanggal_sk = models.DateField("tanggal SK")
    dicatat_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="+")
    dicatat_pada = models.DateTimeField("dicatat pada", default=timezone.now)
    dibatalkan_pada = models.DateTimeField("dibatalkan pada", null=True, blank=True)
    alasan_batal = models.TextField("alasan pembatalan", blank=True)

    class Meta:
        verbose_name = "hukuman disiplin"
        verbose_name_plural = "hukuman disiplin"
        ordering = ["-bulan_mulai", "pegawai"]
        constraints = [
            models.CheckConstraint(condition=Q(bulan_selesai__gte=models.F("bulan_mulai")), name="hukdis_urut"),
            models.CheckConstraint(condition=Q(bulan_mulai__day=1) & Q(bulan_selesai__day=1), name="hukdis_awal_bulan"),
            models.CheckConstraint(condition=~Q(nomor_sk=""), name="hukdis_nomor_sk"),
        ]
        indexes = [models.Index(fields=["bulan_mulai", "bulan_selesai"])]

    def __str__(self) -> str:
        return f"Hukdis {self.get_jenis_display()} {self.pegawai_id} ({self.nomor_sk})"


class TppBulan(models.Model):
    """A month's TPP basis: open (figures computed on the fly) or final (frozen in `TppBaris`,
    never recomputed). Changes that would alter a final month show as `PenyesuaianTpp` rows in
    the next open month."""

    class Status(models.TextChoices):
        TERBUKA = "TERBUKA", "Sementara"
        FINAL = "FINAL", "Final"

    periode = models.OneToOneField(Periode, on_delete=models.PROTECT, related_name="tpp")
    status = models.CharField("status", max_length=8, choices=Status.choices, default=Status.TERBUKA)
    skema = models.ForeignKey(SkemaTpp, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    difinalkan_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    difinalkan_pada = models.DateTimeField("difinalkan pada", null=True, blank=True)
    jumlah_total = models.BigIntegerField("jumlah TPP (Rp)", null=True, blank=True)

    class Meta:
        verbose_name = "TPP bulanan"
        verbose_name_plural = "TPP bulanan"
        ordering = ["-periode__tahun", "-periode__bulan"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="TERBUKA") | (Q(difinalkan_pada__isnull=False) & Q(skema__isnull=False)),
                name="tpp_bulan_final_lengkap",
            ),
        ]

    def __str__(self) -> str:
        return f"TPP {self.periode} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class TppBaris(models.Model):
    """One pegawai's frozen TPP row of a final month, with everything printed about it (so the
    export and the breakdown of a final month never read today's data)."""

    tpp_bulan = models.ForeignKey(TppBulan, on_delete=models.CASCADE, related_name="baris_set")
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="tpp_baris_set")
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="+")
    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    nip = models.CharField("NIP", max_length=30)
    nama = models.CharField("nama", max_length=255)
    golongan = models.CharField("golongan", max_length=10, blank=True)
    jabatan = models.CharField("jabatan", max_length=255, blank=True)
    kelas_jabatan = models.PositiveSmallIntegerField("kelas jabatan", null=True, blank=True)
    kedudukan_hukum = models.CharField("kedudukan hukum", max_length=30, blank=True)
    besaran = models.BigIntegerField("besaran TPP (Rp)")
    predikat = models.CharField("predikat", max_length=20, choices=Predikat.choices, blank=True)
    persen_kinerja = models.DecimalField("% kinerja", max_digits=6, decimal_places=2)
    kinerja = models.BigIntegerField("nilai kinerja (Rp)")
    potongan_disiplin = models.DecimalField("potongan disiplin (%)", max_digits=6, decimal_places=2)
    disiplin = models.BigIntegerField("nilai disiplin (Rp)")
    hukdis = models.BigIntegerField("potongan hukdis (Rp)")
    jumlah = models.BigIntegerField("jumlah TPP (Rp)")
    keterangan = models.TextField("keterangan", blank=True)
    rincian = models.JSONField("rincian", default=dict, blank=True)

    class Meta:
        verbose_name = "baris TPP"
        verbose_name_plural = "baris TPP"
        ordering = ["tpp_bulan", "opd", "-kelas_jabatan", "nip"]
        constraints = [
            models.UniqueConstraint(fields=["tpp_bulan", "pegawai"], name="tpp_baris_unique"),
            models.CheckConstraint(
                condition=Q(jumlah=models.F("kinerja") + models.F("disiplin") - models.F("hukdis")),
                name="tpp_baris_jumlah",
            ),
        ]
        indexes = [models.Index(fields=["tpp_bulan", "opd"])]

    def __str__(self) -> str:
        return f"TPP {self.nip} {self.jumlah}"


class PenyesuaianTpp(models.Model):
    """A change that would alter a final month's figure for one pegawai (an evaluation unlocked
    and re-rated, attendance re-imported, a hukdis entered late): shown with old → new and the
    reason on the next open month's page and export; the final month itself never changes."""

    asal = models.ForeignKey(TppBulan, on_delete=models.PROTECT, related_name="penyesuaian_keluar")
    dicatat_di = models.ForeignKey(TppBulan, on_delete=models.PROTECT, related_name="penyesuaian_set")
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="+")
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="+")
    lama = models.BigIntegerField("jumlah lama (Rp)")
    baru = models.BigIntegerField("jumlah baru (Rp)")
    alasan = models.TextField("alasan")
    rincian_baru = models.JSONField("rincian baru", default=dict, blank=True)
    dicatat_pada = models.DateTimeField("dicatat pada", default=timezone.now)

    class Meta:
        verbose_name = "penyesuaian TPP"
        verbose_name_plural = "penyesuaian TPP"
        ordering = ["dicatat_di", "opd", "pegawai", "asal"]
        constraints = [
            models.UniqueConstraint(fields=["asal", "dicatat_di", "pegawai"], name="penyesuaian_tpp_unique"),
        ]

    def __str__(self) -> str:
        return f"Penyesuaian {self.pegawai_id}: {self.lama} → {self.baru}"

    @property
    def selisih(self) -> int:
        return self.baru - self.lama
