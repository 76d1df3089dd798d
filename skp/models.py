"""The annual SKP (SPEC §4): header, Rencana Hasil Kerja with intervensi links to the penilai's
RHK, Indikator Kinerja Individu, the seven BerAKHLAK perilaku rows and the lampiran.

Revisions: an approved SKP is changed only through a new row (`induk` = the first approved
version of the lineage, `revisi` = 1, 2, …) that goes through the same approval; when it is
approved the previous version becomes DIGANTI and stays readable.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.http import Http404

from opd.models import Jabatan, JenisJabatan, Pegawai
from skp import rules


def alasan_tanpa_skp(pegawai: Pegawai) -> str:
    """Why `pegawai` has no SKP of their own, or "" when they may have one (SPEC §2: the Bupati
    and other pejabat negara rate but have no SKP; system accounts and people without a jabatan
    cannot have one). The one predicate behind the Buat SKP button, the Beranda and create_skp."""
    if pegawai.jenis_asn == Pegawai.JenisAsn.NON_ASN:
        return "Akun non-ASN (pejabat negara atau akun sistem) tidak menyusun SKP."
    if pegawai.jabatan_id is None:
        return "Anda belum memiliki jabatan. Hubungi admin OPD untuk melengkapi data jabatan Anda."
    if pegawai.jabatan.jenis == JenisJabatan.PEJABAT_NEGARA:
        return "Pejabat negara tidak menyusun SKP."
    return ""


def boleh_menyusun_skp(pegawai: Pegawai) -> bool:
    return not alasan_tanpa_skp(pegawai)


class SkpQuerySet(models.QuerySet):
    def for_tahun(self, tahun: int) -> SkpQuerySet:
        return self.filter(tahun=tahun)

    def berlaku(self) -> SkpQuerySet:
        """Versions in force or on their way to it (not superseded)."""
        return self.exclude(status=Skp.Status.DIGANTI)

    def with_related(self) -> SkpQuerySet:
        return self.select_related("pegawai", "pegawai__opd", "pegawai__unit", "jabatan", "penilai")

    def lineage(self, root_id: int) -> SkpQuerySet:
        """Every version of one lineage (the first version and its revisions)."""
        return self.filter(Q(pk=root_id) | Q(induk_id=root_id))

    def visible_to(self, user: Pegawai) -> SkpQuerySet:
        """SPEC §9, as one SQL filter: own SKP; those of the pegawai the user rates now (incl. as
        an active Plt/Plh: not after it ends); admin OPD, and the Kepala OPD / Sekda / Bupati as
        readers: their OPDs (`Pegawai.pimpinan_opd_ids`); admin BKD, auditor, superuser: all."""
        if not user.is_authenticated:
            return self.none()
        if user.can_read_all():
            return self
        # No `penilai_id=user`: who approved an SKP keeps it in the snapshots only; access follows
        # who rates the pegawai today, so a former Plt/Plh loses it when the assignment ends.
        q = Q(pegawai_id=user.pk)
        bawahan_ids = user.bawahan_langsung_ids()
        if bawahan_ids:
            q |= Q(pegawai_id__in=bawahan_ids)
        opd_ids = {*user.admin_opd_ids, *user.pimpinan_opd_ids()}
        if opd_ids:
            q |= Q(pegawai__opd_id__in=opd_ids)
        return self.filter(q)

    def for_inbox(self, user: Pegawai) -> SkpQuerySet:
        """SKP waiting for the user's decision: DIAJUKAN by a pegawai the user rates now."""
        if not user.is_authenticated:
            return self.none()
        bawahan_ids = user.bawahan_langsung_ids()
        return (
            self.filter(status=Skp.Status.DIAJUKAN, pegawai_id__in=bawahan_ids)
            .with_related()
            .order_by("diajukan_pada", "pk")
        )


class Skp(models.Model):
    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        DIAJUKAN = "DIAJUKAN", "Diajukan"
        DIKEMBALIKAN = "DIKEMBALIKAN", "Dikembalikan"
        DISETUJUI = "DISETUJUI", "Disetujui"
        DIGANTI = "DIGANTI", "Diganti revisi"

    class Pendekatan(models.TextChoices):
        KUANTITATIF = "KUANTITATIF", "Kuantitatif"
        KUALITATIF = "KUALITATIF", "Kualitatif"

    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="skp_set", verbose_name="pegawai")
    jabatan = models.ForeignKey(Jabatan, on_delete=models.PROTECT, related_name="+", verbose_name="jabatan")
    tahun = models.PositiveSmallIntegerField("tahun")
    mulai = models.DateField("periode mulai")
    selesai = models.DateField("periode selesai")
    pendekatan = models.CharField(
        "pendekatan", max_length=12, choices=Pendekatan.choices, default=Pendekatan.KUANTITATIF
    )
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Revision lineage: `induk` is the first version; null on the first version itself.
    induk = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisi_set", verbose_name="SKP induk"
    )
    revisi = models.PositiveSmallIntegerField("revisi ke", default=0)
    # The penilai who receives the submission (resolved at submit), and the one who decided.
    penilai = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="skp_dinilai", verbose_name="penilai"
    )
    # Snapshots at approval (SPEC §2): nama, nip, golongan, pangkat, jabatan, unit, opd.
    snapshot_pegawai = models.JSONField("data pegawai saat disetujui", default=dict, blank=True)
    snapshot_penilai = models.JSONField("data penilai saat disetujui", default=dict, blank=True)
    snapshot_atasan_penilai = models.JSONField("data atasan penilai saat disetujui", default=dict, blank=True)
    catatan_pengembalian = models.TextField("catatan pengembalian", blank=True)
    diajukan_pada = models.DateTimeField("diajukan pada", null=True, blank=True)
    disetujui_pada = models.DateTimeField("disetujui pada", null=True, blank=True)
    ditutup_pada = models.DateField("ditutup pada", null=True, blank=True)
    alasan_penutupan = models.CharField("alasan penutupan", max_length=255, blank=True)
    # Lampiran SKP (PermenPANRB 6/2022).
    lampiran_dukungan_sumber_daya = models.TextField("dukungan sumber daya", blank=True)
    lampiran_skema_pertanggungjawaban = models.TextField("skema pertanggungjawaban", blank=True)
    lampiran_konsekuensi = models.TextField("konsekuensi", blank=True)
    # Optimistic locking: every edit of the SKP or its rows bumps it; a save that carries a
    # stale value is refused (two browser tabs must not silently overwrite each other).
    versi = models.PositiveIntegerField("versi", default=1)
    dibuat_pada = models.DateTimeField("dibuat pada", auto_now_add=True)
    diubah_pada = models.DateTimeField("diubah pada", auto_now=True)

    objects = SkpQuerySet.as_manager()

    class Meta:
        verbose_name = "SKP"
        verbose_name_plural = "SKP"
        ordering = ["-tahun", "-mulai", "-revisi"]
        constraints = [
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")), name="skp_selesai_after_mulai"),
            models.CheckConstraint(
                condition=Q(induk__isnull=True, revisi=0) | Q(induk__isnull=False, revisi__gt=0),
                name="skp_revisi_has_induk",
            ),
            # At most one version of a lineage in progress at a time.
            models.UniqueConstraint(
                fields=["induk"],
                condition=Q(induk__isnull=False, status__in=["DRAFT", "DIAJUKAN", "DIKEMBALIKAN"]),
                name="skp_one_open_revision",
            ),
            models.UniqueConstraint(fields=["induk", "revisi"], name="skp_unique_revisi"),
            # Two lineages of one pegawai never start on the same day (the full no-overlap rule is
            # an exclusion constraint on PostgreSQL, migration 0002, and a check in services).
            models.UniqueConstraint(
                fields=["pegawai", "mulai"], condition=Q(induk__isnull=True), name="skp_unique_start_per_pegawai"
            ),
        ]
        indexes = [models.Index(fields=["pegawai", "tahun"]), models.Index(fields=["penilai", "status"])]

    def __str__(self) -> str:
        suffix = f" rev. {self.revisi}" if self.revisi else ""
        return f"SKP {self.tahun} {self.pegawai.nama_lengkap}{suffix}"

    @property
    def lineage_root_id(self) -> int:
        return self.induk_id or self.pk

    @property
    def is_editable_state(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.DIKEMBALIKAN}

    @property
    def is_kualitatif(self) -> bool:
        return self.pendekatan == self.Pendekatan.KUALITATIF

    @property
    def is_jpt(self) -> bool:
        return self.jabatan.jenis == "JPT"

    def overlaps(self, mulai: datetime.date, selesai: datetime.date) -> bool:
        return self.mulai <= selesai and mulai <= self.selesai

    # Predicates (views answer 403 when one is false; services check the same rules) ----------
    @property
    def is_current_version(self) -> bool:
        """Not superseded: approving a revision turns the previous version DIGANTI."""
        return self.status != self.Status.DIGANTI

    @property
    def is_ditutup(self) -> bool:
        return self.ditutup_pada is not None

    @cached_property
    def penilai_sekarang(self) -> Pegawai | None:
        """The pegawai's penilai today (SPEC §2: active Plt/Plh → holder → next one up)."""
        from opd.services import resolve_penilai

        return resolve_penilai(self.pegawai)

    def is_owner(self, user: Pegawai) -> bool:
        return user.is_authenticated and user.pk == self.pegawai_id

    def can_edit(self, user: Pegawai) -> bool:
        return self.is_owner(user) and self.is_editable_state

    def can_submit(self, user: Pegawai) -> bool:
        return self.can_edit(user)

    def can_review(self, user: Pegawai) -> bool:
        """Approve, return, set ekspektasi: the current penilai while DIAJUKAN."""
        if not user.is_authenticated or self.status != self.Status.DIAJUKAN or self.is_owner(user):
            return False
        penilai = self.penilai_sekarang
        return penilai is not None and penilai.pk == user.pk

    def has_open_revision(self) -> bool:
        return (
            Skp.objects.filter(induk_id=self.lineage_root_id)
            .filter(status__in=[self.Status.DRAFT, self.Status.DIAJUKAN, self.Status.DIKEMBALIKAN])
            .exists()
        )

    def can_revise(self, user: Pegawai) -> bool:
        return (
            self.is_owner(user)
            and self.status == self.Status.DISETUJUI
            and not self.is_ditutup
            and not self.has_open_revision()
        )

    def can_delete(self, user: Pegawai) -> bool:
        """A never-submitted first draft, or a revision that is not (yet) approved."""
        if not self.is_owner(user):
            return False
        if self.induk_id is None:
            return self.status == self.Status.DRAFT and self.diajukan_pada is None
        return self.is_editable_state

    def can_close(self, user: Pegawai) -> bool:
        """Closing at a jabatan change: the pegawai's admin (OPD or BKD), never the pegawai."""
        return (
            user.is_authenticated
            and not self.is_owner(user)
            and user.can_manage_people_of(self.pegawai.opd_id)
            and self.status == self.Status.DISETUJUI
            and not self.is_ditutup
        )


def get_skp_for(user: Pegawai, pk: int) -> Skp:
    """The SKP if `user` may see it; Http404 otherwise (SPEC §9: not visible → 404)."""
    skp = Skp.objects.visible_to(user).with_related().filter(pk=pk).first()
    if skp is None:
        raise Http404("SKP tidak ditemukan.")
    return skp


def get_rhk_for(user: Pegawai, pk: int) -> RencanaHasilKerja:
    """The RHK if its SKP is visible to `user`; Http404 otherwise."""
    rhk = (
        RencanaHasilKerja.objects.filter(pk=pk, skp__in=Skp.objects.visible_to(user))
        .select_related("skp", "skp__pegawai", "skp__pegawai__opd", "skp__jabatan", "skp__penilai")
        .first()
    )
    if rhk is None:
        raise Http404("Rencana hasil kerja tidak ditemukan.")
    return rhk


class RencanaHasilKerja(models.Model):
    class Jenis(models.TextChoices):
        UTAMA = "UTAMA", "Utama"
        TAMBAHAN = "TAMBAHAN", "Tambahan"

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="rhk_set", verbose_name="SKP")
    jenis = models.CharField("jenis", max_length=10, choices=Jenis.choices, default=Jenis.UTAMA)
    urutan = models.PositiveSmallIntegerField("urutan", default=0)
    uraian = models.TextField("rencana hasil kerja")
    # JPT: derived from the OPD's Perjanjian Kinerja (perspektif is optional; SPEC §4).
    perspektif = models.CharField("perspektif", max_length=100, blank=True)
    # The row of the previous version this one was copied from (revisions, copy from last year).
    asal = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="salinan", verbose_name="disalin dari"
    )
    intervensi = models.ManyToManyField(
        "self",
        through="IntervensiRhk",
        through_fields=("rhk", "rhk_atasan"),
        symmetrical=False,
        related_name="diintervensi_oleh",
        verbose_name="RHK atasan yang diintervensi",
    )

    class Meta:
        verbose_name = "rencana hasil kerja"
        verbose_name_plural = "rencana hasil kerja"
        ordering = ["skp", "jenis", "urutan", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(uraian=""), name="rhk_uraian_not_empty")]

    def __str__(self) -> str:
        return self.uraian[:120]


class IntervensiRhk(models.Model):
    """A link from a pegawai's RHK to the penilai's RHK it intervenes (cascading)."""

    class Cascading(models.TextChoices):
        LANGSUNG = "LANGSUNG", "Langsung"
        TIDAK_LANGSUNG = "TIDAK_LANGSUNG", "Tidak langsung"

    rhk = models.ForeignKey(RencanaHasilKerja, on_delete=models.CASCADE, related_name="link_atas")
    rhk_atasan = models.ForeignKey(RencanaHasilKerja, on_delete=models.PROTECT, related_name="link_bawah")
    jenis_cascading = models.CharField(
        "jenis cascading", max_length=15, choices=Cascading.choices, default=Cascading.LANGSUNG
    )

    class Meta:
        verbose_name = "intervensi RHK"
        verbose_name_plural = "intervensi RHK"
        constraints = [
            models.UniqueConstraint(fields=["rhk", "rhk_atasan"], name="intervensi_unique"),
            models.CheckConstraint(condition=~Q(rhk=models.F("rhk_atasan")), name="intervensi_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.rhk} → {self.rhk_atasan} ({self.get_jenis_cascading_display()})"


class IndikatorKinerja(models.Model):
    """IKI. Kuantitatif: aspek and a numeric target `min[–max] satuan`; kualitatif: a sentence."""

    class Aspek(models.TextChoices):
        KUANTITAS = "KUANTITAS", "Kuantitas"
        KUALITAS = "KUALITAS", "Kualitas"
        WAKTU = "WAKTU", "Waktu"
        BIAYA = "BIAYA", "Biaya"

    rhk = models.ForeignKey(RencanaHasilKerja, on_delete=models.CASCADE, related_name="iki_set", verbose_name="RHK")
    urutan = models.PositiveSmallIntegerField("urutan", default=0)
    uraian = models.TextField("indikator kinerja individu")
    aspek = models.CharField("aspek", max_length=10, choices=Aspek.choices, blank=True)
    target_min = models.DecimalField("target (min)", max_digits=16, decimal_places=2, null=True, blank=True)
    target_max = models.DecimalField("target (maks)", max_digits=16, decimal_places=2, null=True, blank=True)
    satuan = models.CharField("satuan", max_length=50, blank=True)
    target_kualitatif = models.TextField("target (kualitatif)", blank=True)
    # The IKI of the previous version this one was copied from: a revision carries the month's
    # rencana aksi (penilaian) from each IKI to its copy.
    asal = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="salinan", verbose_name="disalin dari"
    )

    class Meta:
        verbose_name = "indikator kinerja individu"
        verbose_name_plural = "indikator kinerja individu"
        ordering = ["rhk", "urutan", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(uraian=""), name="iki_uraian_not_empty"),
            models.CheckConstraint(
                condition=Q(target_min__isnull=True) | Q(target_min__gte=0), name="iki_target_min_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(target_max__isnull=True)
                | Q(target_min__isnull=False, target_max__gte=models.F("target_min")),
                name="iki_target_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return self.uraian[:120]

    @property
    def target_display(self) -> str:
        if self.target_min is None:
            return self.target_kualitatif
        return rules.format_target(self.target_min, self.target_max, self.satuan)


class PerilakuKerja(models.Model):
    """One row per BerAKHLAK core value, created with the SKP (SPEC §4)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="perilaku_set", verbose_name="SKP")
    nilai = models.CharField("nilai dasar", max_length=30, choices=rules.BERAKHLAK_CHOICES)
    urutan = models.PositiveSmallIntegerField("urutan")
    ekspektasi_khusus = models.TextField("ekspektasi khusus pimpinan", blank=True)

    class Meta:
        verbose_name = "perilaku kerja"
        verbose_name_plural = "perilaku kerja"
        ordering = ["skp", "urutan"]
        constraints = [models.UniqueConstraint(fields=["skp", "nilai"], name="perilaku_unique_per_skp")]

    def __str__(self) -> str:
        return self.get_nilai_display()

    @property
    def panduan(self) -> tuple[str, ...]:
        return rules.BERAKHLAK[self.nilai].panduan
