"""Workflows of the organisation: penilai resolution, supervisor changes, Plt/Plh, passwords.

Each state change is atomic and writes one audit row (opd.audit.record).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opd import audit
from opd.models import Jabatan, Pegawai, PenugasanPlt


class OrganisasiError(Exception):
    """A rule of the organisation is broken; the message is fit for the user."""


# Kedudukan hukum in which a holder can act as penilai. CLTN, tugas belajar, pemberhentian
# sementara etc. leave the position effectively vacant (the next one up rates, unless a Plt is set).
KEDUDUKAN_BERTUGAS = (Pegawai.KedudukanHukum.AKTIF, Pegawai.KedudukanHukum.MPP)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def holders_of(jabatan_ids: list[int] | set[int]) -> Q:
    return Q(jabatan_id__in=jabatan_ids, is_active=True, kedudukan_hukum__in=KEDUDUKAN_BERTUGAS)


def resolve_penilai_for_jabatan(
    jabatan: Jabatan | None, *, on: datetime.date | None = None, exclude: Pegawai | None = None
) -> Pegawai | None:
    """Who acts for `jabatan` on the day: an active Plt/Plh of it → its definitive holder →
    if vacant, the same for the position above it (SPEC §2)."""
    day = _today(on)
    seen: set[int] = set()
    exclude_pk = exclude.pk if exclude is not None else None
    while jabatan is not None and jabatan.pk not in seen:
        seen.add(jabatan.pk)
        plt = (
            PenugasanPlt.objects.active_on(day)
            .filter(jabatan=jabatan)
            .exclude(pegawai_id=exclude_pk)
            .select_related("pegawai")
            .order_by("-mulai", "-pk")
            .first()
        )
        if plt is not None:
            return plt.pegawai
        holder = Pegawai.objects.filter(holders_of([jabatan.pk])).exclude(pk=exclude_pk).order_by("pk").first()
        if holder is not None:
            return holder
        jabatan = jabatan.atasan
    return None


def resolve_penilai(pegawai: Pegawai, *, on: datetime.date | None = None) -> Pegawai | None:
    """The pejabat penilai of `pegawai` on the day (SPEC §2)."""
    if pegawai.jabatan_id is None:
        return None
    atasan = Jabatan.objects.filter(pk=pegawai.jabatan.atasan_id).first() if pegawai.jabatan.atasan_id else None
    return resolve_penilai_for_jabatan(atasan, on=on, exclude=pegawai)


def acting_jabatan_ids(pegawai: Pegawai, *, on: datetime.date | None = None) -> set[int]:
    """The positions a pegawai acts for on the day: their own (unless an active Plt/Plh of
    somebody else replaces them there) plus those they hold as an active Plt/Plh."""
    day = _today(on)
    ids = set(PenugasanPlt.objects.active_on(day).filter(pegawai=pegawai).values_list("jabatan_id", flat=True))
    if pegawai.jabatan_id and pegawai.is_active and pegawai.kedudukan_hukum in KEDUDUKAN_BERTUGAS:
        replaced = (
            PenugasanPlt.objects.active_on(day).filter(jabatan_id=pegawai.jabatan_id).exclude(pegawai=pegawai).exists()
        )
        if not replaced:
            ids.add(pegawai.jabatan_id)
    return ids


def bawahan_of(pegawai: Pegawai, *, on: datetime.date | None = None) -> list[Pegawai]:
    """The pegawai whose penilai is `pegawai` on the day: holders of the positions directly
    below the positions they act for, continuing down through vacant positions."""
    day = _today(on)
    frontier = acting_jabatan_ids(pegawai, on=day)
    if not frontier:
        return []
    result: dict[int, Pegawai] = {}
    seen = set(frontier)
    # Positions taken over by somebody's active Plt/Plh are not vacant.
    plt_jabatan = set(PenugasanPlt.objects.active_on(day).values_list("jabatan_id", flat=True))
    while frontier:
        children = list(
            Jabatan.objects.filter(atasan_id__in=frontier).exclude(pk__in=seen).values_list("pk", flat=True)
        )
        if not children:
            break
        holders = list(Pegawai.objects.filter(holders_of(children)).exclude(pk=pegawai.pk).with_related())
        for holder in holders:
            result[holder.pk] = holder
        # Also people holding these positions while not on duty (CLTN …) are rated by the one above.
        for other in (
            Pegawai.objects.filter(jabatan_id__in=children, is_active=True)
            .exclude(kedudukan_hukum__in=KEDUDUKAN_BERTUGAS)
            .exclude(pk=pegawai.pk)
            .with_related()
        ):
            result[other.pk] = other
        occupied = {h.jabatan_id for h in holders} | plt_jabatan
        seen.update(children)
        frontier = [c for c in children if c not in occupied]
    return sorted(result.values(), key=lambda p: p.nama)


@transaction.atomic
def set_atasan_jabatan(
    pegawai: Pegawai, atasan: Jabatan | None, *, by: Pegawai, alasan: str, only_this_pegawai: bool = True
) -> Pegawai:
    """Change who supervises `pegawai`: the position above the pegawai's own position.

    When others hold the same position and `only_this_pegawai` is set, the pegawai gets a
    position of their own (same name, unit and class) under the new supervisor, so that
    colleagues keep theirs."""
    if pegawai.jabatan_id is None:
        raise OrganisasiError("Pegawai belum memiliki jabatan; isi jabatannya dahulu.")
    jabatan = Jabatan.objects.select_for_update().get(pk=pegawai.jabatan_id)
    if atasan is not None:
        node: Jabatan | None = atasan
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            if node.pk == jabatan.pk:
                raise OrganisasiError(
                    "Atasan yang dipilih berada di bawah jabatan pegawai ini (rantai atasan melingkar)."
                )
            seen.add(node.pk)
            node = node.atasan
    old = jabatan.atasan
    if old == atasan:
        raise OrganisasiError("Atasan yang dipilih sama dengan atasan saat ini.")
    others = Pegawai.objects.filter(jabatan=jabatan).exclude(pk=pegawai.pk).exists()
    if others and only_this_pegawai:
        jabatan = Jabatan.objects.create(
            nama=jabatan.nama,
            jenis=jabatan.jenis,
            eselon=jabatan.eselon,
            kelas_jabatan=jabatan.kelas_jabatan,
            opd=jabatan.opd,
            unit=jabatan.unit,
            atasan=atasan,
        )
        Pegawai.objects.filter(pk=pegawai.pk).update(jabatan=jabatan)
        pegawai.jabatan = jabatan
    else:
        jabatan.atasan = atasan
        jabatan.save(update_fields=["atasan"])
    audit.record(
        pegawai,
        "ubah_atasan",
        by=by,
        perubahan={"jabatan_atasan": (old, atasan)},
        alasan=alasan,
    )
    return pegawai


class OrgChart:
    """The supervisor structure loaded once, resolved in memory: for list pages and the pohon
    kinerja, where resolving each pegawai with queries would cost a query per row.

    Same rules as `resolve_penilai`: active Plt/Plh of the supervising position → its definitive
    holder on duty → if vacant, the position above."""

    def __init__(self, *, on: datetime.date | None = None) -> None:
        self.day = _today(on)
        self.jabatan_atasan: dict[int, int | None] = dict(Jabatan.objects.values_list("pk", "atasan_id"))
        self.pegawai: dict[int, Pegawai] = {}
        self.holders: dict[int, list[int]] = {}
        for p in Pegawai.objects.filter(jabatan__isnull=False, is_active=True).select_related("jabatan", "opd", "unit"):
            self.pegawai[p.pk] = p
            if p.kedudukan_hukum in KEDUDUKAN_BERTUGAS:
                self.holders.setdefault(p.jabatan_id, []).append(p.pk)
        for ids in self.holders.values():
            ids.sort()
        self.plt: dict[int, int] = {}
        for jabatan_id, pegawai_id in (
            PenugasanPlt.objects.active_on(self.day).order_by("mulai", "pk").values_list("jabatan_id", "pegawai_id")
        ):
            self.plt[jabatan_id] = pegawai_id  # the latest start wins, as in resolve_penilai
        self._penilai_cache: dict[int, int | None] = {}

    def _acting_for(self, jabatan_id: int | None, exclude: int) -> int | None:
        seen: set[int] = set()
        while jabatan_id is not None and jabatan_id not in seen:
            seen.add(jabatan_id)
            plt = self.plt.get(jabatan_id)
            if plt is not None and plt != exclude:
                return plt
            for holder in self.holders.get(jabatan_id, ()):
                if holder != exclude:
                    return holder
            jabatan_id = self.jabatan_atasan.get(jabatan_id)
        return None

    def penilai_id(self, pegawai_id: int) -> int | None:
        if pegawai_id not in self._penilai_cache:
            p = self.pegawai.get(pegawai_id)
            result = None
            if p is not None and p.jabatan_id is not None:
                result = self._acting_for(self.jabatan_atasan.get(p.jabatan_id), exclude=pegawai_id)
            self._penilai_cache[pegawai_id] = result
        return self._penilai_cache[pegawai_id]

    def penilai(self, pegawai_id: int) -> Pegawai | None:
        pid = self.penilai_id(pegawai_id)
        return self.pegawai.get(pid) if pid is not None else None

    def bawahan_ids(self, pegawai_id: int) -> list[int]:
        return [pk for pk in self.pegawai if self.penilai_id(pk) == pegawai_id]

    def bawahan_map(self) -> dict[int, list[int]]:
        """penilai id → ids of the pegawai they rate."""
        result: dict[int, list[int]] = {}
        for pk in self.pegawai:
            pid = self.penilai_id(pk)
            if pid is not None:
                result.setdefault(pid, []).append(pk)
        return result
