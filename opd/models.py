"""Organisation of the regency: OPD, unit tree, jabatan (positions), pegawai (the login identity),
roles, Plt/Plh assignments and the audit trail that every other app writes to.

The supervisor structure is positional: each Jabatan names the Jabatan that supervises it
(`Jabatan.atasan`). The pejabat penilai of a pegawai is found from the position above their own
(SPEC §2: active Plt/Plh of that position → its definitive holder → if vacant, the next one up),
so a new holder of a position becomes the penilai of its subordinates without relinking anybody.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opd import rules

if TYPE_CHECKING:
    from collections.abc import Iterable


class Opd(models.Model):
    class Jenis(models.TextChoices):
        SEKRETARIAT = "SEKRETARIAT", "Sekretariat"
        INSPEKTORAT = "INSPEKTORAT", "Inspektorat"
        BADAN = "BADAN", "Badan"
        DINAS = "DINAS", "Dinas"
        SATUAN = "SATUAN", "Satuan"
        KECAMATAN = "KECAMATAN", "Kecamatan"
        LAINNYA = "LAINNYA", "Lainnya"

    kode = models.CharField("kode", max_length=30, unique=True)
    nama = models.CharField("nama", max_length=200, unique=True)
    jenis = models.CharField("jenis", max_length=20, choices=Jenis.choices)
    pilot = models.BooleanField("OPD pilot", default=False)
    aktif = models.BooleanField("aktif", default=True)
    urutan = models.PositiveIntegerField("urutan", default=0)

    class Meta:
        verbose_name = "OPD"
        verbose_name_plural = "OPD"
        ordering = ["urutan", "nama"]

    def __str__(self) -> str:
        return self.nama


class UnitKerja(models.Model):
    """A unit inside an OPD (bidang, bagian, sub-bagian, seksi, UPT/Puskesmas); a tree."""

    class Jenis(models.TextChoices):
        PIMPINAN = "PIMPINAN", "Pimpinan"
        SEKRETARIAT = "SEKRETARIAT", "Sekretariat"
        BIDANG = "BIDANG", "Bidang"
        BAGIAN = "BAGIAN", "Bagian"
        SUBBAGIAN = "SUBBAGIAN", "Sub Bagian"
        SEKSI = "SEKSI", "Seksi"
        UPT = "UPT", "UPT / Puskesmas"
        LAINNYA = "LAINNYA", "Lainnya"

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="units", verbose_name="OPD")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="induk"
    )
    nama = models.CharField("nama", max_length=200)
    jenis = models.CharField("jenis", max_length=20, choices=Jenis.choices, default=Jenis.LAINNYA)

    class Meta:
        verbose_name = "unit kerja"
        verbose_name_plural = "unit kerja"
        ordering = ["opd", "nama"]
        constraints = [models.UniqueConstraint(fields=["opd", "nama"], name="unitkerja_unique_nama_per_opd")]

    def __str__(self) -> str:
        return self.nama


class JenisJabatan(models.TextChoices):
    JPT = "JPT", "JPT"
    ADMINISTRATOR = "ADMINISTRATOR", "Administrator"
    PENGAWAS = "PENGAWAS", "Pengawas"
    PELAKSANA = "PELAKSANA", "Pelaksana"
    FUNGSIONAL = "FUNGSIONAL", "Fungsional"
    # The Bupati (and Wakil): the top of the chain, rates the Sekda, has no SKP of its own.
    PEJABAT_NEGARA = "PEJABAT_NEGARA", "Pejabat Negara"


class Eselon(models.TextChoices):
    IIA = "II.a", "II.a"
    IIB = "II.b", "II.b"
    IIIA = "III.a", "III.a"
    IIIB = "III.b", "III.b"
    IVA = "IV.a", "IV.a"
    IVB = "IV.b", "IV.b"


class JabatanQuerySet(models.QuerySet):
    def in_opd(self, opd: Opd) -> JabatanQuerySet:
        return self.filter(opd=opd)


class Jabatan(models.Model):
    """A position. Structural positions (JPT, Administrator, Pengawas) have one definitive holder;
    pelaksana and fungsional positions may be held by several pegawai."""

    nama = models.CharField("nama jabatan", max_length=255)
    jenis = models.CharField("jenis jabatan", max_length=20, choices=JenisJabatan.choices)
    eselon = models.CharField("eselon", max_length=6, choices=Eselon.choices, blank=True)
    kelas_jabatan = models.PositiveSmallIntegerField("kelas jabatan", null=True, blank=True)
    opd = models.ForeignKey(
        Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="jabatan_set", verbose_name="OPD"
    )
    unit = models.ForeignKey(
        UnitKerja, on_delete=models.PROTECT, null=True, blank=True, related_name="jabatan_set", verbose_name="unit"
    )
    atasan = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bawahan_set",
        verbose_name="jabatan atasan langsung",
    )

    objects = JabatanQuerySet.as_manager()

    class Meta:
        verbose_name = "jabatan"
        verbose_name_plural = "jabatan"
        ordering = ["opd", "nama"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kelas_jabatan__isnull=True) | Q(kelas_jabatan__gte=1, kelas_jabatan__lte=17),
                name="jabatan_kelas_1_17",
            ),
            models.CheckConstraint(condition=~Q(atasan=models.F("pk")), name="jabatan_not_own_atasan"),
        ]

    def __str__(self) -> str:
        return self.nama

    @property
    def is_struktural(self) -> bool:
        return self.jenis in {JenisJabatan.JPT, JenisJabatan.ADMINISTRATOR, JenisJabatan.PENGAWAS}


class PegawaiQuerySet(models.QuerySet):
    def aktif(self) -> PegawaiQuerySet:
        return self.filter(is_active=True)

    def asn(self) -> PegawaiQuerySet:
        return self.exclude(jenis_asn=Pegawai.JenisAsn.NON_ASN)

    def with_related(self) -> PegawaiQuerySet:
        return self.select_related("opd", "unit", "jabatan", "jabatan__atasan")

    def visible_to(self, user: Pegawai) -> PegawaiQuerySet:
        """SPEC §9: admin BKD and auditor see everyone; admin OPD their OPDs; the Kepala OPD (or an
        active Plt/Plh of that position) their OPD, the Sekda and the Bupati every OPD; a pegawai
        themself and the pegawai whose penilai they are now (positional: the holders of positions
        below theirs, or below a position they hold as an active Plt/Plh — never one that ended)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.is_admin_bkd or user.is_auditor:
            return self
        q = Q(pk=user.pk)
        # Admin OPD: their OPDs; Kepala OPD (or its active Plt/Plh), Sekda, Bupati: read as pimpinan.
        opd_ids = {*user.admin_opd_ids, *user.pimpinan_opd_ids()}
        if opd_ids:
            q |= Q(opd_id__in=opd_ids)
        bawahan_ids = user.bawahan_langsung_ids()
        if bawahan_ids:
            q |= Q(pk__in=bawahan_ids)
        return self.filter(q)

    def openable_ids(self, user: Pegawai, ids: Iterable[int]) -> set[int]:
        """Which of `ids` the user may open (SPEC §9: never render a link the viewer cannot open)."""
        wanted = set(ids)
        if not wanted or user.can_read_all():
            return wanted
        return set(self.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))


class PegawaiManager(BaseUserManager.from_queryset(PegawaiQuerySet)):
    use_in_migrations = True

    def create_user(self, nip: str, password: str | None = None, **extra) -> Pegawai:
        user = self.model(nip=nip, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, nip: str, password: str | None = None, **extra) -> Pegawai:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("jenis_asn", Pegawai.JenisAsn.NON_ASN)
        extra.setdefault("nama", "Administrator Sistem")
        return self.create_user(nip, password, **extra)


class Pegawai(AbstractBaseUser, PermissionsMixin):
    """Every ASN, and the login identity (NIP + password). Accounts without a NIP (the Bupati,
    a system administrator) are NON_ASN and log in with a short user id stored in `nip`."""

    class JenisAsn(models.TextChoices):
        PNS = "PNS", "PNS"
        CPNS = "CPNS", "CPNS"
        PPPK = "PPPK", "PPPK"
        NON_ASN = "NON_ASN", "Non-ASN (pejabat negara / sistem)"

    class KedudukanHukum(models.TextChoices):
        AKTIF = "AKTIF", "Aktif"
        CLTN = "CLTN", "CLTN"
        TUGAS_BELAJAR = "TUGAS_BELAJAR", "Tugas Belajar"
        PEMBERHENTIAN_SEMENTARA = "PEMBERHENTIAN_SEMENTARA", "Pemberhentian Sementara"
        MPP = "MPP", "Masa Persiapan Pensiun"
        PENERIMA_UANG_TUNGGU = "PENERIMA_UANG_TUNGGU", "Penerima Uang Tunggu"
        PENSIUN = "PENSIUN", "Pensiun"
        DIBERHENTIKAN = "DIBERHENTIKAN", "Diberhentikan"
        MENINGGAL = "MENINGGAL", "Meninggal Dunia"

    nip = models.CharField("NIP", max_length=18, unique=True)
    nama = models.CharField("nama", max_length=150)
    gelar_depan = models.CharField("gelar depan", max_length=50, blank=True)
    gelar_belakang = models.CharField("gelar belakang", max_length=80, blank=True)
    jenis_asn = models.CharField("jenis ASN", max_length=10, choices=JenisAsn.choices, default=JenisAsn.PNS)
    golongan = models.CharField("golongan", max_length=6, choices=rules.GOLONGAN_CHOICES, blank=True)
    jabatan = models.ForeignKey(
        Jabatan, on_delete=models.PROTECT, null=True, blank=True, related_name="pemegang", verbose_name="jabatan"
    )
    opd = models.ForeignKey(
        Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="pegawai_set", verbose_name="OPD"
    )
    unit = models.ForeignKey(
        UnitKerja,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pegawai_set",
        verbose_name="unit kerja",
    )
    kedudukan_hukum = models.CharField(
        "kedudukan hukum", max_length=30, choices=KedudukanHukum.choices, default=KedudukanHukum.AKTIF
    )
    email = models.EmailField("email", blank=True)
    is_active = models.BooleanField("dapat masuk", default=True)
    is_staff = models.BooleanField("akses admin Django", default=False)
    # Set when an admin or the import sets the password: the user must choose their own at the
    # next login before any other page opens (a password someone else knows is not theirs).
    wajib_ganti_sandi = models.BooleanField("wajib ganti kata sandi", default=False)
    dibuat_pada = models.DateTimeField("dibuat pada", default=timezone.now)
    diubah_pada = models.DateTimeField("diubah pada", auto_now=True)

    objects = PegawaiManager()

    USERNAME_FIELD = "nip"
    REQUIRED_FIELDS = ["nama"]

    class Meta:
        verbose_name = "pegawai"
        verbose_name_plural = "pegawai"
        ordering = ["nama"]
        indexes = [models.Index(fields=["opd", "nama"]), models.Index(fields=["nama"])]

    def __str__(self) -> str:
        return f"{self.nama_lengkap} ({self.nip})"

    @property
    def nama_lengkap(self) -> str:
        parts = [self.gelar_depan.strip(), self.nama.strip()]
        name = " ".join(p for p in parts if p)
        if self.gelar_belakang.strip():
            name = f"{name}, {self.gelar_belakang.strip()}"
        return name

    @property
    def pangkat(self) -> str:
        return rules.pangkat_of(self.golongan)

    @property
    def golongan_pangkat(self) -> str:
        if not self.golongan:
            return "-"
        return f"{self.pangkat} ({self.golongan})" if self.pangkat else self.golongan

    @property
    def is_aktif_kedinasan(self) -> bool:
        return self.kedudukan_hukum in {self.KedudukanHukum.AKTIF, self.KedudukanHukum.MPP}

    # Roles -------------------------------------------------------------------------------------
    @property
    def _roles(self) -> list[PeranPengguna]:
        cache = getattr(self, "_roles_cache", None)
        if cache is None:
            cache = list(self.peran_set.all()) if self.pk else []
            self._roles_cache = cache
        return cache

    @property
    def is_admin_bkd(self) -> bool:
        return any(r.peran == PeranPengguna.Peran.ADMIN_BKD for r in self._roles)

    @property
    def is_auditor(self) -> bool:
        return any(r.peran == PeranPengguna.Peran.AUDITOR for r in self._roles)

    @property
    def admin_opd_ids(self) -> list[int]:
        return [r.opd_id for r in self._roles if r.peran == PeranPengguna.Peran.ADMIN_OPD and r.opd_id]

    @property
    def is_admin_opd(self) -> bool:
        return bool(self.admin_opd_ids)

    def can_read_all(self) -> bool:
        return self.is_superuser or self.is_admin_bkd or self.is_auditor

    def can_manage_people_of(self, opd_id: int | None) -> bool:
        """SPEC §9: admin BKD everywhere; admin OPD inside their OPD. Auditor never."""
        if self.is_superuser or self.is_admin_bkd:
            return True
        return opd_id is not None and opd_id in self.admin_opd_ids

    # Supervisor chain ------------------------------------------------------------------------
    def penilai(self, on: datetime.date | None = None) -> Pegawai | None:
        from opd.services import resolve_penilai

        return resolve_penilai(self, on=on)

    def atasan_penilai(self, on: datetime.date | None = None) -> Pegawai | None:
        penilai = self.penilai(on=on)
        return penilai.penilai(on=on) if penilai else None

    def bawahan_langsung(self, on: datetime.date | None = None) -> list[Pegawai]:
        from opd.services import bawahan_of

        return bawahan_of(self, on=on)

    def bawahan_langsung_ids(self, on: datetime.date | None = None) -> list[int]:
        """The ids of bawahan_langsung, without loading them (access filters)."""
        from opd.services import bawahan_ids_of

        return bawahan_ids_of(self, on=on)

    def pimpinan_opd_ids(self, on: datetime.date | None = None) -> list[int]:
        """OPDs this user reads as Kepala OPD / its active Plt/Plh, Sekda or Bupati (SPEC §9)."""
        from opd.services import pimpinan_opd_ids

        return pimpinan_opd_ids(self, on=on)


class PeranPengguna(models.Model):
    """A role besides being a pegawai (SPEC §1): admin OPD (per OPD), admin BKD, auditor."""

    class Peran(models.TextChoices):
        ADMIN_OPD = "ADMIN_OPD", "Admin OPD"
        ADMIN_BKD = "ADMIN_BKD", "Admin BKD"
        AUDITOR = "AUDITOR", "Auditor"

    pegawai = models.ForeignKey(Pegawai, on_delete=models.CASCADE, related_name="peran_set")
    peran = models.CharField("peran", max_length=20, choices=Peran.choices)
    opd = models.ForeignKey(Opd, on_delete=models.CASCADE, null=True, blank=True, verbose_name="OPD")

    class Meta:
        verbose_name = "peran pengguna"
        verbose_name_plural = "peran pengguna"
        constraints = [
            models.UniqueConstraint(fields=["pegawai", "peran", "opd"], name="peran_unique"),
            models.UniqueConstraint(
                fields=["pegawai", "peran"], condition=Q(opd__isnull=True), name="peran_unique_global"
            ),
            models.CheckConstraint(
                condition=(Q(peran="ADMIN_OPD") & Q(opd__isnull=False)) | (~Q(peran="ADMIN_OPD") & Q(opd__isnull=True)),
                name="peran_admin_opd_needs_opd",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" {self.opd.kode}" if self.opd_id else ""
        return f"{self.get_peran_display()}{suffix}"


class PenugasanPltQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> PenugasanPltQuerySet:
        return self.filter(mulai__lte=day, selesai__gte=day, dibatalkan=False)


class PenugasanPlt(models.Model):
    """A Plt (pelaksana tugas) or Plh (pelaksana harian) of a position for a date range.
    While active, the assignee is the penilai of the position's subordinates (SPEC §2)."""

    class Jenis(models.TextChoices):
        PLT = "PLT", "Plt (Pelaksana Tugas)"
        PLH = "PLH", "Plh (Pelaksana Harian)"

    jabatan = models.ForeignKey(Jabatan, on_delete=models.PROTECT, related_name="penugasan_plt", verbose_name="jabatan")
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="penugasan_plt", verbose_name="pegawai")
    jenis = models.CharField("jenis", max_length=3, choices=Jenis.choices, default=Jenis.PLT)
    mulai = models.DateField("tanggal mulai")
    selesai = models.DateField("tanggal selesai")
    nomor_sk = models.CharField("nomor surat perintah", max_length=100, blank=True)
    dibatalkan = models.BooleanField("dibatalkan", default=False)
    dibuat_oleh = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="dibuat oleh"
    )
    dibuat_pada = models.DateTimeField("dibuat pada", default=timezone.now)

    objects = PenugasanPltQuerySet.as_manager()

    class Meta:
        verbose_name = "penugasan Plt/Plh"
        verbose_name_plural = "penugasan Plt/Plh"
        ordering = ["-mulai"]
        constraints = [
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")), name="plt_selesai_after_mulai"),
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.jabatan} — {self.pegawai.nama_lengkap}"

    def is_active_on(self, day: datetime.date) -> bool:
        return not self.dibatalkan and self.mulai <= day <= self.selesai


class AuditLogQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> AuditLogQuerySet:
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=str(obj.pk))

    def visible_to(self, user: Pegawai) -> AuditLogQuerySet:
        if user.is_superuser or user.is_admin_bkd or user.is_auditor:
            return self
        if user.admin_opd_ids:
            return self.filter(opd_id__in=user.admin_opd_ids)
        return self.none()


class AuditLog(models.Model):
    """Who did what, when, to which object: old → new values and the reason (SPEC §9).
    Rows are only ever inserted, through `opd.audit.record`."""

    waktu = models.DateTimeField("waktu", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pelaku",
    )
    actor_repr = models.CharField("pelaku (saat itu)", max_length=200, blank=True)
    aksi = models.CharField("aksi", max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    objek = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField("objek", max_length=255, blank=True)
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="OPD")
    perubahan = models.JSONField("perubahan (lama → baru)", default=dict, blank=True)
    alasan = models.TextField("alasan", blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = "jejak audit"
        verbose_name_plural = "jejak audit"
        ordering = ["-waktu", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["opd", "-waktu"]),
        ]

    def __str__(self) -> str:
        return f"{self.waktu:%Y-%m-%d %H:%M} {self.actor_repr} {self.aksi} {self.object_repr}"

    def perubahan_rows(self) -> Iterable[tuple[str, object, object]]:
        for field, change in (self.perubahan or {}).items():
            if isinstance(change, (list, tuple)) and len(change) == 2:
                yield field, change[0], change[1]
            else:
                yield field, None, change


class LoginAttempt(models.Model):
    """Failed logins per NIP and per client address, for throttling (a lock after too many
    failures). Rows whose last failure and lock lie in the past are pruned (see
    opd.services.prune_login_attempts)."""

    class Jenis(models.TextChoices):
        NIP = "NIP", "NIP / ID pengguna"
        ALAMAT = "ALAMAT", "Alamat jaringan"

    jenis = models.CharField("jenis", max_length=6, choices=Jenis.choices, default=Jenis.NIP)
    kunci = models.CharField("NIP / alamat", max_length=64)
    gagal = models.PositiveIntegerField(default=0)
    terakhir_gagal = models.DateTimeField(null=True, blank=True)
    terkunci_sampai = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "percobaan masuk"
        verbose_name_plural = "percobaan masuk"
        constraints = [models.UniqueConstraint(fields=["jenis", "kunci"], name="loginattempt_jenis_kunci_unik")]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.kunci}: {self.gagal} gagal"


class ImporPegawai(models.Model):
    """One uploaded pegawai file (SPEC §8): kept on disk under MEDIA_ROOT (never served by URL),
    previewed, then applied once. What is applied is re-read from this stored file."""

    class Status(models.TextChoices):
        PRATINJAU = "PRATINJAU", "Pratinjau"
        DITERAPKAN = "DITERAPKAN", "Diterapkan"
        GAGAL = "GAGAL", "Gagal"

    uploaded_by = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="diunggah oleh"
    )
    created_at = models.DateTimeField("diunggah pada", default=timezone.now)
    file = models.FileField("berkas", upload_to="impor/%Y/%m/")
    original_name = models.CharField("nama berkas", max_length=255)
    size = models.PositiveBigIntegerField("ukuran (bita)")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.PRATINJAU)
    ringkasan = models.JSONField("ringkasan", default=dict, blank=True)
    applied_at = models.DateTimeField("diterapkan pada", null=True, blank=True)

    class Meta:
        verbose_name = "impor pegawai"
        verbose_name_plural = "impor pegawai"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Impor {self.original_name} ({self.created_at:%Y-%m-%d %H:%M})"


class Pekerjaan(models.Model):
    """A piece of long work run by the background worker (django-tasks) on a user's behalf — an
    export, an import, a month's computation — with its progress, so the page that started it
    shows a progress bar, survives a reload and ends with the result or an Indonesian error."""

    class Status(models.TextChoices):
        MENUNGGU = "MENUNGGU", "Menunggu giliran"
        BERJALAN = "BERJALAN", "Sedang dikerjakan"
        SELESAI = "SELESAI", "Selesai"
        GAGAL = "GAGAL", "Gagal"

    jenis = models.CharField("jenis", max_length=40)
    judul = models.CharField("judul", max_length=255)
    parameter = models.JSONField("parameter", default=dict, blank=True)
    dibuat_oleh = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="pekerjaan_set")
    dibuat_pada = models.DateTimeField("dibuat pada", default=timezone.now)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.MENUNGGU)
    persen = models.PositiveSmallIntegerField("kemajuan (%)", default=0)
    langkah = models.CharField("langkah", max_length=255, blank=True)
    mulai_pada = models.DateTimeField("mulai pada", null=True, blank=True)
    selesai_pada = models.DateTimeField("selesai pada", null=True, blank=True)
    berkas = models.CharField("lokasi berkas hasil", max_length=255, blank=True)
    nama_berkas = models.CharField("nama berkas hasil", max_length=255, blank=True)
    pesan = models.TextField("pesan", blank=True)
    task_id = models.CharField("ID tugas", max_length=64, blank=True)

    class Meta:
        verbose_name = "pekerjaan latar belakang"
        verbose_name_plural = "pekerjaan latar belakang"
        ordering = ["-dibuat_pada", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(persen__lte=100), name="pekerjaan_persen_0_100")]
        indexes = [models.Index(fields=["dibuat_oleh", "-dibuat_pada"])]

    def __str__(self) -> str:
        return f"{self.judul} ({self.get_status_display()})"

    @property
    def is_selesai(self) -> bool:
        return self.status in {self.Status.SELESAI, self.Status.GAGAL}
