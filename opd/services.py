"""Workflows of the organisation: penilai resolution, supervisor changes, Plt/Plh, passwords.

Each state change is atomic and writes one audit row (opd.audit.record).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, Min, Q, Value, When
from django.utils import timezone
from django.utils.crypto import get_random_string

from opd import audit
from opd.models import Jabatan, JenisJabatan, LoginAttempt, Opd, Pegawai, PenugasanPlt


class OrganisasiError(Exception):
    """A rule of the organisation is broken; the message is fit for the user."""


# Kedudukan hukum in which a holder can act as penilai. CLTN, tugas belajar, pemberhentian
# sementara etc. leave the position effectively vacant (the next one up rates, unless a Plt is set).
KEDUDUKAN_BERTUGAS = (Pegawai.KedudukanHukum.AKTIF, Pegawai.KedudukanHukum.MPP)


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def holders_of(jabatan_ids: list[int] | set[int]) -> Q:
    return Q(jabatan_id__in=jabatan_ids, is_active=True, kedudukan_hukum__in=KEDUDUKAN_BERTUGAS)


def holders_of_any() -> Q:
    """Holders on duty of any position (those OrgChart counts as able to rate)."""
    return Q(jabatan__isnull=False, is_active=True, kedudukan_hukum__in=KEDUDUKAN_BERTUGAS)


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
    # One query: the pegawai's own assignments and any on their own position.
    rows = PenugasanPlt.objects.active_on(day).filter(Q(pegawai=pegawai) | Q(jabatan_id=pegawai.jabatan_id))
    ids: set[int] = set()
    replaced = False
    for jabatan_id, pegawai_id in rows.values_list("jabatan_id", "pegawai_id"):
        if pegawai_id == pegawai.pk:
            ids.add(jabatan_id)
        elif jabatan_id == pegawai.jabatan_id:
            replaced = True
    if pegawai.jabatan_id and pegawai.is_active and pegawai.kedudukan_hukum in KEDUDUKAN_BERTUGAS and not replaced:
        ids.add(pegawai.jabatan_id)
    return ids


def supervises_a_position(pegawai: Pegawai, *, on: datetime.date | None = None) -> bool:
    """One query: does some position report to a position the pegawai acts for today (their own
    unless a Plt/Plh replaces them, or one they hold as an active Plt/Plh)? The menu's "has
    bawahan" without resolving them (a supervisor of only vacant, empty positions counts)."""
    day = _today(on)
    active = PenugasanPlt.objects.active_on(day)
    q = Q(atasan_id__in=active.filter(pegawai=pegawai).values("jabatan_id"))
    if pegawai.jabatan_id and pegawai.is_active and pegawai.kedudukan_hukum in KEDUDUKAN_BERTUGAS:
        replaced = active.filter(jabatan_id=pegawai.jabatan_id).exclude(pegawai=pegawai)
        q |= Q(atasan_id=pegawai.jabatan_id) & ~Exists(replaced)
    return Jabatan.objects.filter(q).exists()


def _bawahan(pegawai: Pegawai, day: datetime.date, *, objects: bool) -> dict[int, Pegawai | None]:
    """The walk of bawahan_of: pk → Pegawai (with_related) when `objects`, else pk → None.
    One query per level for the people (holders on duty and those not on duty alike)."""
    frontier = acting_jabatan_ids(pegawai, on=day)
    if not frontier:
        return {}
    result: dict[int, Pegawai | None] = {}
    seen = set(frontier)
    # Positions taken over by somebody's active Plt/Plh are not vacant.
    plt_jabatan = set(PenugasanPlt.objects.active_on(day).values_list("jabatan_id", flat=True))
    while frontier:
        children = list(
            Jabatan.objects.filter(atasan_id__in=frontier).exclude(pk__in=seen).values_list("pk", flat=True)
        )
        if not children:
            break
        # Holders on duty, and people holding these positions while not on duty (CLTN …): all
        # are rated by the one above; only those on duty make a position occupied.
        people = Pegawai.objects.filter(jabatan_id__in=children, is_active=True).exclude(pk=pegawai.pk)
        occupied = set(plt_jabatan)
        if objects:
            for p in people.with_related():
                result[p.pk] = p
                if p.kedudukan_hukum in KEDUDUKAN_BERTUGAS:
                    occupied.add(p.jabatan_id)
        else:
            for pk, jabatan_id, kedudukan in people.values_list("pk", "jabatan_id", "kedudukan_hukum"):
                result[pk] = None
                if kedudukan in KEDUDUKAN_BERTUGAS:
                    occupied.add(jabatan_id)
        seen.update(children)
        frontier = [c for c in children if c not in occupied]
    return result


def bawahan_of(pegawai: Pegawai, *, on: datetime.date | None = None) -> list[Pegawai]:
    """The pegawai whose penilai is `pegawai` on the day: holders of the positions directly
    below the positions they act for, continuing down through vacant positions."""
    return sorted(_bawahan(pegawai, _today(on), objects=True).values(), key=lambda p: p.nama)


def bawahan_ids_of(pegawai: Pegawai, *, on: datetime.date | None = None) -> list[int]:
    """bawahan_of without loading the people: for access filters, which need only the ids."""
    return sorted(_bawahan(pegawai, _today(on), objects=False))


def pimpinan_opd_ids(user: Pegawai, *, on: datetime.date | None = None) -> list[int]:
    """SPEC §9: the OPDs whose pegawai and documents `user` reads as pimpinan (read-only beyond
    what they rate): the Kepala OPD, holder on duty or active Plt/Plh of the OPD's top position
    (a JPT whose supervising position lies outside the OPD), reads that OPD; the Sekda (the JPT
    right under a pejabat negara) and the Bupati (a pejabat negara) read every OPD. A holder on
    duty keeps reading while a Plh covers the position (both read; only one rates).

    The one place this is decided: `visible_to` of Pegawai and Skp, the pohon and the menu use it."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return []
    acting = acting_jabatan_ids(user, on=on)
    if user.jabatan_id and user.is_active and user.kedudukan_hukum in KEDUDUKAN_BERTUGAS:
        acting.add(user.jabatan_id)
    if not acting:
        return []
    rows = Jabatan.objects.filter(pk__in=acting).values_list("jenis", "opd_id", "atasan__opd_id", "atasan__jenis")
    ids: set[int] = set()
    for jenis, opd_id, atasan_opd_id, atasan_jenis in rows:
        if jenis == JenisJabatan.PEJABAT_NEGARA or (
            jenis == JenisJabatan.JPT and atasan_jenis == JenisJabatan.PEJABAT_NEGARA
        ):
            return list(Opd.objects.order_by("pk").values_list("pk", flat=True))
        if jenis == JenisJabatan.JPT and opd_id is not None and atasan_opd_id != opd_id:
            ids.add(opd_id)
    return sorted(ids)


def jabatan_above(jabatan_id: int | None) -> set[int]:
    """The supervising position of `jabatan_id` and every position above it (not itself)."""
    parents = dict(Jabatan.objects.values_list("pk", "atasan_id"))
    result: set[int] = set()
    node = parents.get(jabatan_id) if jabatan_id is not None else None
    while node is not None and node not in result:
        result.add(node)
        node = parents.get(node)
    return result


def plt_jabatan_reserved_for_bkd(by: Pegawai) -> set[int]:
    """SPEC §9, separation of duties: positions whose Plt/Plh only the admin BKD appoints when
    `by` is an admin OPD — the position that rates her and every one above it (an admin OPD
    must not choose who rates her, nor her supervisor's supervisor). Empty for the admin BKD."""
    if by.is_superuser or by.is_admin_bkd:
        return set()
    return jabatan_above(by.jabatan_id)


@transaction.atomic
def set_atasan_jabatan(
    pegawai: Pegawai, atasan: Jabatan | None, *, by: Pegawai, alasan: str, only_this_pegawai: bool = True
) -> Pegawai:
    """Change who supervises `pegawai`: the position above the pegawai's own position.

    When others hold the same position and `only_this_pegawai` is set, the pegawai gets a
    position of their own (same name, unit and class) under the new supervisor, so that
    colleagues keep theirs."""
    if pegawai.pk == by.pk:
        # SPEC §9, separation of duties: nobody changes their own supervisor.
        raise OrganisasiError(
            "Anda tidak dapat mengubah atasan Anda sendiri; perubahan ini dilakukan admin lain atau admin BKD."
        )
    if pegawai.jabatan_id is None:
        raise OrganisasiError("Pegawai belum memiliki jabatan; isi jabatannya dahulu.")
    jabatan = Jabatan.objects.select_for_update().get(pk=pegawai.jabatan_id)
    if by.jabatan_id == jabatan.pk and not only_this_pegawai:
        raise OrganisasiError(
            "Jabatan ini juga jabatan Anda: mengubah atasannya untuk semua pemegang berarti mengubah "
            'atasan Anda sendiri. Pilih "hanya pegawai ini" atau minta admin BKD.'
        )
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
    perubahan: dict[str, tuple[object, object]] = {"jabatan_atasan": (old, atasan)}
    if others and only_this_pegawai:
        old_jabatan_id = jabatan.pk
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
        # The colleagues keep the old position; the record says this pegawai moved to a copy of it.
        perubahan["jabatan_id"] = (old_jabatan_id, jabatan.pk)
    else:
        jabatan.atasan = atasan
        jabatan.save(update_fields=["atasan"])
    audit.record(pegawai, "ubah_atasan", by=by, perubahan=perubahan, alasan=alasan)
    return pegawai


class OrgChart:
    """The supervisor structure loaded once, resolved in memory: for list pages and the pohon
    kinerja, where resolving each pegawai with queries would cost a query per row.

    Same rules as `resolve_penilai`: active Plt/Plh of the supervising position → its definitive
    holder on duty → if vacant, the position above.

    Loading reads three narrow columns of every pegawai (~10 ms for 7,000); Pegawai objects are
    fetched only when asked for (`objects(ids)`, `penilai(pk)`, or the whole `pegawai` map)."""

    def __init__(
        self,
        *,
        on: datetime.date | None = None,
        scope: Q | None = None,
        jabatan_atasan: dict[int, int | None] | None = None,
    ) -> None:
        """`scope` limits which pegawai are loaded (e.g. one OPD and the positions above it);
        resolution is only right for pegawai whose supervising positions' holders are in scope.
        `jabatan_atasan` (position → supervising position) may be passed when already loaded."""
        self.day = _today(on)
        if jabatan_atasan is None:
            jabatan_atasan = dict(Jabatan.objects.values_list("pk", "atasan_id"))
        self.jabatan_atasan = jabatan_atasan
        self.plt: dict[int, int] = {}
        for jabatan_id, pegawai_id in (
            PenugasanPlt.objects.active_on(self.day).order_by("mulai", "pk").values_list("jabatan_id", "pegawai_id")
        ):
            self.plt[jabatan_id] = pegawai_id  # the latest start wins, as in resolve_penilai
        rows = Pegawai.objects.filter(jabatan__isnull=False, is_active=True)
        if scope is not None:
            rows = rows.filter(scope)
        self.jabatan_of: dict[int, int] = {}
        self.holders: dict[int, list[int]] = {}
        for pk, jabatan_id, kedudukan in rows.values_list("pk", "jabatan_id", "kedudukan_hukum"):
            self.jabatan_of[pk] = jabatan_id
            if kedudukan in KEDUDUKAN_BERTUGAS:
                self.holders.setdefault(jabatan_id, []).append(pk)
        for ids in self.holders.values():
            ids.sort()
        self._objects: dict[int, Pegawai] = {}
        self._all_loaded = False
        self._penilai_cache: dict[int, int | None] = {}

    def objects(self, ids: Iterable[int | None]) -> dict[int, Pegawai]:
        """Pegawai objects (with jabatan, OPD and unit) for `ids`, one query for those not loaded yet."""
        wanted = {pk for pk in ids if pk is not None}
        missing = wanted - self._objects.keys()
        if missing and not self._all_loaded:
            for p in Pegawai.objects.filter(pk__in=missing).select_related("jabatan", "opd", "unit"):
                self._objects[p.pk] = p
        return {pk: self._objects[pk] for pk in wanted if pk in self._objects}

    @property
    def pegawai(self) -> dict[int, Pegawai]:
        """Every loaded pegawai as objects (one query, on first use)."""
        if not self._all_loaded:
            self.objects(self.jabatan_of)
            self._all_loaded = True
        return {pk: self._objects[pk] for pk in self.jabatan_of if pk in self._objects}

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
            jabatan_id = self.jabatan_of.get(pegawai_id)
            result = None
            if jabatan_id is not None:
                result = self._acting_for(self.jabatan_atasan.get(jabatan_id), exclude=pegawai_id)
            self._penilai_cache[pegawai_id] = result
        return self._penilai_cache[pegawai_id]

    def penilai(self, pegawai_id: int) -> Pegawai | None:
        pid = self.penilai_id(pegawai_id)
        return self.objects([pid]).get(pid) if pid is not None else None

    def penilai_of(self, pegawai_ids: Iterable[int]) -> dict[int, Pegawai | None]:
        """The penilai of each of `pegawai_ids`, with one query for all of them."""
        ids = list(pegawai_ids)
        found = self.objects(self.penilai_id(pk) for pk in ids)
        return {pk: found.get(self.penilai_id(pk)) for pk in ids}

    def bawahan_ids(self, pegawai_id: int) -> list[int]:
        return [pk for pk in self.jabatan_of if self.penilai_id(pk) == pegawai_id]

    def bawahan_map(self) -> dict[int, list[int]]:
        """penilai id → ids of the pegawai they rate."""
        result: dict[int, list[int]] = {}
        for pk in self.jabatan_of:
            pid = self.penilai_id(pk)
            if pid is not None:
                result.setdefault(pid, []).append(pk)
        return result


@dataclass
class HitunganOpd:
    """Active ASN pegawai of one OPD: how many, per jenis jabatan, and how many have no penilai."""

    jumlah: int = 0
    per_jenis: dict[str, int] = field(default_factory=dict)
    tanpa_penilai: int = 0


@dataclass(frozen=True)
class Tersimpan:
    """A regency-wide count kept for the Beranda, with when it was counted."""

    nilai: object
    dihitung: datetime.datetime

    @staticmethod
    def menit() -> int:
        """The window in whole minutes, as the Beranda says it."""
        return max(1, settings.BERANDA_RINGKASAN_DETIK // 60)


def ringkasan_kabupaten(kunci: str, hitung) -> Tersimpan:
    """`hitung()` kept for BERANDA_RINGKASAN_DETIK per process under `kunci` (issue #9: the
    regency's counts on the Beranda of the readers of every OPD read every pegawai; the pages they
    link to always count afresh). 0 seconds: counted every time."""
    tersimpan = cache.get(f"beranda-kabupaten:{kunci}")
    if tersimpan is None:
        tersimpan = Tersimpan(hitung(), timezone.now())
        cache.set(f"beranda-kabupaten:{kunci}", tersimpan, timeout=settings.BERANDA_RINGKASAN_DETIK)
    return tersimpan


def hitung_per_opd(
    opd_ids: Iterable[int], *, every_opd: bool = False, on: datetime.date | None = None
) -> dict[int, HitunganOpd]:
    """The Beranda's counts per OPD in five queries whose rows grow with the positions, not the
    pegawai (issue #9: the whole-regency OrgChart read every pegawai on every admin Beranda).

    "No penilai" is OrgChart's answer (`penilai_id(pk) is None`), resolved per position: everyone
    holding a position gets the same answer, except somebody the walk up from it would stop at —
    the active Plt/Plh found there, or the sole holder of a position in a cycle — who must skip
    themself (`exclude` in OrgChart). Those few are loaded by pk and resolved one by one.
    Unless `every_opd`, only the holders of the positions above the OPDs' people are read."""
    day = _today(on)
    opd_ids = list(opd_ids)
    result = {pk: HitunganOpd() for pk in opd_ids}
    jabatan_atasan: dict[int, int | None] = {}
    jenis_of: dict[int, str] = {}
    for pk, atasan_id, jenis in Jabatan.objects.values_list("pk", "atasan_id", "jenis"):
        jabatan_atasan[pk], jenis_of[pk] = atasan_id, jenis
    plt: dict[int, int] = {}
    for jabatan_id, pegawai_id in (
        PenugasanPlt.objects.active_on(day).order_by("mulai", "pk").values_list("jabatan_id", "pegawai_id")
    ):
        plt[jabatan_id] = pegawai_id  # the latest start wins, as in resolve_penilai
    groups = list(
        Pegawai.objects.aktif()
        .asn()
        .filter(opd_id__in=opd_ids)
        .values("opd_id", "jabatan_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("opd_id", "jabatan_id", "n")
    )
    # Holders on duty per position: how many and the first suffice to answer "anybody but P?".
    holder_rows = Pegawai.objects.filter(holders_of_any())
    if not every_opd:
        relevant: set[int] = set()
        for _opd_id, jabatan_id, _n in groups:
            node = jabatan_atasan.get(jabatan_id) if jabatan_id is not None else None
            while node is not None and node not in relevant:
                relevant.add(node)
                node = jabatan_atasan.get(node)
        holder_rows = holder_rows.filter(jabatan_id__in=relevant)
    holders = {
        jabatan_id: (n, first)
        for jabatan_id, n, first in holder_rows.values("jabatan_id")
        .annotate(n=Count("pk"), first=Min("pk"))
        .order_by()
        .values_list("jabatan_id", "n", "first")
    }

    def stop(jabatan_id: int) -> int | None:
        """The first position up from `jabatan_id` with an acting Plt/Plh or a holder on duty."""
        node, seen = jabatan_atasan.get(jabatan_id), set()
        while node is not None and node not in seen:
            seen.add(node)
            if node in plt or node in holders:
                return node
            node = jabatan_atasan.get(node)
        return None

    def has_penilai(jabatan_id: int, pegawai_id: int) -> bool:
        node, seen = jabatan_atasan.get(jabatan_id), set()
        while node is not None and node not in seen:
            seen.add(node)
            if plt.get(node, pegawai_id) != pegawai_id:
                return True
            n, first = holders.get(node, (0, None))
            if n > 1 or (n == 1 and first != pegawai_id):
                return True
            node = jabatan_atasan.get(node)
        return False

    stops: dict[int, int | None] = {}
    special: set[int] = set()
    for opd_id, jabatan_id, n in groups:
        row = result[opd_id]
        row.jumlah += n
        if jabatan_id is None:
            row.tanpa_penilai += n
            continue
        jenis = jenis_of[jabatan_id]
        row.per_jenis[jenis] = row.per_jenis.get(jenis, 0) + n
        if jabatan_id not in stops:
            stops[jabatan_id] = stop(jabatan_id)
            at = stops[jabatan_id]
            if at is not None:
                if at in plt:
                    special.add(plt[at])
                if at == jabatan_id and holders[at][0] == 1:
                    special.add(holders[at][1])
        if stops[jabatan_id] is None:
            row.tanpa_penilai += n
    if special:
        for pk, opd_id, jabatan_id in (
            Pegawai.objects.aktif()
            .asn()
            .filter(pk__in=special, opd_id__in=opd_ids, jabatan__isnull=False)
            .values_list("pk", "opd_id", "jabatan_id")
        ):
            generic = stops[jabatan_id] is not None
            if generic != has_penilai(jabatan_id, pk):
                result[opd_id].tanpa_penilai += 1 if generic else -1
    return result


# --- people pages: penilai details, Plt/Plh, passwords, login throttling -------------------------


@dataclass(frozen=True)
class PenilaiInfo:
    """Who rates somebody, for which position, and whether as Plt/Plh ("" when definitive)."""

    pegawai: Pegawai
    jabatan: Jabatan
    sebagai: str  # "", "Plt" or "Plh"


def penilai_detail(pegawai: Pegawai, *, on: datetime.date | None = None) -> PenilaiInfo | None:
    """`resolve_penilai` with the position acted for and the Plt/Plh label, for profile pages.
    Same walk: active Plt/Plh of the supervising position → its holder on duty → the next one up."""
    if pegawai.jabatan_id is None:
        return None
    day = _today(on)
    jabatan = Jabatan.objects.filter(pk=pegawai.jabatan.atasan_id).first() if pegawai.jabatan.atasan_id else None
    seen: set[int] = set()
    while jabatan is not None and jabatan.pk not in seen:
        seen.add(jabatan.pk)
        plt = (
            PenugasanPlt.objects.active_on(day)
            .filter(jabatan=jabatan)
            .exclude(pegawai_id=pegawai.pk)
            .select_related("pegawai__jabatan", "pegawai__opd", "pegawai__unit")
            .order_by("-mulai", "-pk")
            .first()
        )
        if plt is not None:
            return PenilaiInfo(plt.pegawai, jabatan, "Plt" if plt.jenis == PenugasanPlt.Jenis.PLT else "Plh")
        holder = (
            Pegawai.objects.filter(holders_of([jabatan.pk]))
            .exclude(pk=pegawai.pk)
            .with_related()
            .order_by("pk")
            .first()
        )
        if holder is not None:
            return PenilaiInfo(holder, jabatan, "")
        jabatan = jabatan.atasan
    return None


def penilai_chain(pegawai: Pegawai, *, on: datetime.date | None = None, limit: int = 20) -> list[PenilaiInfo]:
    """The penilai, the atasan penilai, … up to the top (the Bupati)."""
    chain: list[PenilaiInfo] = []
    seen = {pegawai.pk}
    current = pegawai
    while len(chain) < limit:
        info = penilai_detail(current, on=on)
        if info is None or info.pegawai.pk in seen:
            break
        chain.append(info)
        seen.add(info.pegawai.pk)
        current = info.pegawai
    return chain


def _check_plt_duties(jabatan: Jabatan, *, pegawai: Pegawai, by: Pegawai) -> None:
    """SPEC §9, separation of duties for Plt/Plh assignments."""
    if pegawai.pk == by.pk:
        raise OrganisasiError(
            "Anda tidak dapat menunjuk diri sendiri sebagai Plt/Plh; penunjukan ini dilakukan admin lain "
            "atau admin BKD."
        )
    if jabatan.pk in plt_jabatan_reserved_for_bkd(by):
        raise OrganisasiError(
            f"Plt/Plh {jabatan.nama} ditunjuk oleh admin BKD: jabatan ini menilai Anda atau berada di atas atasan Anda."
        )


@transaction.atomic
def create_plt(
    *,
    jabatan: Jabatan,
    pegawai: Pegawai,
    jenis: str,
    mulai: datetime.date,
    selesai: datetime.date,
    nomor_sk: str = "",
    by: Pegawai,
) -> PenugasanPlt:
    """Appoint a Plt/Plh for a position (SPEC §2). One active assignment per position at a time."""
    if selesai < mulai:
        raise OrganisasiError("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    # Lock the position so that two admins cannot appoint overlapping assignments at once.
    jabatan = Jabatan.objects.select_for_update().get(pk=jabatan.pk)
    _check_plt_duties(jabatan, pegawai=pegawai, by=by)
    if pegawai.jabatan_id == jabatan.pk:
        raise OrganisasiError(f"{pegawai.nama_lengkap} adalah pemegang jabatan ini; Plt/Plh harus pegawai lain.")
    if not pegawai.is_active:
        raise OrganisasiError(f"{pegawai.nama_lengkap} tidak aktif dan tidak dapat ditunjuk sebagai Plt/Plh.")
    overlap = (
        PenugasanPlt.objects.filter(jabatan=jabatan, dibatalkan=False, mulai__lte=selesai, selesai__gte=mulai)
        .select_related("pegawai")
        .first()
    )
    if overlap is not None:
        raise OrganisasiError(
            f"Jabatan ini sudah memiliki {overlap.get_jenis_display().split(' ')[0]} "
            f"{overlap.pegawai.nama_lengkap} pada {overlap.mulai:%d-%m-%Y} s.d. {overlap.selesai:%d-%m-%Y} "
            "yang tumpang tindih; batalkan penugasan itu dahulu atau ubah tanggalnya."
        )
    plt = PenugasanPlt.objects.create(
        jabatan=jabatan,
        pegawai=pegawai,
        jenis=jenis,
        mulai=mulai,
        selesai=selesai,
        nomor_sk=nomor_sk,
        dibuat_oleh=by,
    )
    perubahan = {
        "jabatan": (None, jabatan),
        "pegawai": (None, pegawai),
        "jenis": (None, plt.get_jenis_display()),
        "mulai": (None, mulai),
        "selesai": (None, selesai),
    }
    if nomor_sk:
        perubahan["nomor_sk"] = (None, nomor_sk)
    audit.record(plt, "tambah_plt", by=by, perubahan=perubahan, opd_id=jabatan.opd_id)
    return plt


@transaction.atomic
def cancel_plt(plt: PenugasanPlt, *, by: Pegawai, alasan: str) -> PenugasanPlt:
    plt = PenugasanPlt.objects.select_for_update().select_related("jabatan", "pegawai").get(pk=plt.pk)
    if plt.dibatalkan:
        raise OrganisasiError("Penugasan ini sudah dibatalkan.")
    if plt.pegawai_id == by.pk:
        raise OrganisasiError("Anda tidak dapat membatalkan penugasan Plt/Plh Anda sendiri; hubungi admin BKD.")
    if plt.jabatan_id in plt_jabatan_reserved_for_bkd(by):
        raise OrganisasiError(
            f"Penugasan Plt/Plh {plt.jabatan.nama} dikelola admin BKD: jabatan ini menilai Anda atau berada di "
            "atas atasan Anda."
        )
    if not alasan.strip():
        raise OrganisasiError("Alasan pembatalan wajib diisi.")
    plt.dibatalkan = True
    plt.save(update_fields=["dibatalkan"])
    audit.record(plt, "batal_plt", by=by, perubahan={"dibatalkan": (False, True)}, alasan=alasan.strip(),
                 opd_id=plt.jabatan.opd_id)  # fmt: skip
    return plt


# Temporary passwords avoid look-alike characters (0/O, 1/l/I) because they are read out or typed.
_TEMP_PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@transaction.atomic
def reset_password(pegawai: Pegawai, *, by: Pegawai) -> str:
    """Give `pegawai` a random temporary password and return it (to show once to the admin).
    The pegawai must replace it at the next login (wajib_ganti_sandi). The audit row never
    contains the password. A login lock on the NIP is lifted too.

    Separation of duties: nobody resets their own password here (they use /akun/kata-sandi/)."""
    if pegawai.pk == by.pk:
        raise OrganisasiError(
            "Anda tidak dapat mengatur ulang kata sandi Anda sendiri. Ubah kata sandi Anda melalui menu Ubah kata sandi."
        )
    password = get_random_string(12, _TEMP_PASSWORD_CHARS)
    pegawai.set_password(password)
    pegawai.wajib_ganti_sandi = True
    pegawai.save(update_fields=["password", "wajib_ganti_sandi"])
    LoginAttempt.objects.filter(jenis=LoginAttempt.Jenis.NIP, kunci=pegawai.nip).update(
        gagal=0, terakhir_gagal=None, terkunci_sampai=None
    )
    audit.record(pegawai, "reset_sandi", by=by)
    return password


@transaction.atomic
def change_own_password(pegawai: Pegawai, password: str) -> Pegawai:
    """The pegawai sets their own password (already validated by the form); this clears
    wajib_ganti_sandi. The audit row never contains the password."""
    pegawai.set_password(password)
    pegawai.wajib_ganti_sandi = False
    pegawai.save(update_fields=["password", "wajib_ganti_sandi"])
    audit.record(pegawai, "ganti_sandi", by=pegawai)
    return pegawai


@dataclass(frozen=True)
class LoginLock:
    """A lock on a NIP or on a client address, and when it ends."""

    jenis: str  # LoginAttempt.Jenis
    until: datetime.datetime


def _attempt_keys(nip: str, address: str | None) -> Q:
    q = Q(jenis=LoginAttempt.Jenis.NIP, kunci=nip[:64])
    if address:
        q |= Q(jenis=LoginAttempt.Jenis.ALAMAT, kunci=address[:64])
    return q


def login_lock(nip: str, address: str | None = None, *, now: datetime.datetime | None = None) -> LoginLock | None:
    """The lock that refuses a login for `nip` from `address` now, if any (the NIP's first)."""
    now = now or timezone.now()
    rows = list(
        LoginAttempt.objects.filter(_attempt_keys(nip, address), terkunci_sampai__gt=now).values_list(
            "jenis", "terkunci_sampai"
        )
    )
    if not rows:
        return None
    jenis, until = min(rows, key=lambda row: (row[0] != LoginAttempt.Jenis.NIP, row[1]))
    return LoginLock(jenis=jenis, until=until)


def _count_failure(jenis: str, kunci: str, limit: int, now: datetime.datetime) -> LoginLock | None:
    """Count one failure for (jenis, kunci); lock it when `limit` failures fall within
    LOGIN_LOCK_MINUTES. The increment is one conditional UPDATE (it takes the row lock), so
    concurrent failures each count; the threshold is then checked on the locked row. A missing
    row is created already counting this failure (and a concurrent creation falls back to the
    UPDATE), so a prune running in between never loses the row under us."""
    window = datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    rows = LoginAttempt.objects.filter(jenis=jenis, kunci=kunci)
    increment = {
        "gagal": Case(When(terakhir_gagal__gte=now - window, then=F("gagal") + 1), default=Value(1)),
        "terakhir_gagal": now,
    }
    if not rows.update(**increment):
        try:
            with transaction.atomic():
                LoginAttempt.objects.create(jenis=jenis, kunci=kunci, gagal=1, terakhir_gagal=now)
        except IntegrityError:
            rows.update(**increment)
    attempt = rows.select_for_update().first()
    if attempt is None or attempt.gagal < limit:
        return None
    attempt.gagal = 0
    attempt.terkunci_sampai = now + window
    attempt.save(update_fields=["gagal", "terkunci_sampai"])
    return LoginLock(jenis=jenis, until=attempt.terkunci_sampai)


@transaction.atomic
def register_login_failure(
    nip: str, address: str | None = None, *, now: datetime.datetime | None = None
) -> LoginLock | None:
    """Count one failed login for `nip` (LOGIN_MAX_FAILURES) and for the client `address`
    (LOGIN_MAX_FAILURES_PER_ADDRESS), both within LOGIN_LOCK_MINUTES. Returns the lock when
    this failure locks the NIP or the address. Now and then old rows are pruned."""
    now = now or timezone.now()
    nip_lock = _count_failure(LoginAttempt.Jenis.NIP, nip[:64], settings.LOGIN_MAX_FAILURES, now)
    address_lock = (
        _count_failure(LoginAttempt.Jenis.ALAMAT, address[:64], settings.LOGIN_MAX_FAILURES_PER_ADDRESS, now)
        if address
        else None
    )
    if cache.add(_PRUNE_CACHE_KEY, True, timeout=settings.LOGIN_ATTEMPT_PRUNE_MINUTES * 60):
        prune_login_attempts(now=now)
    return nip_lock or address_lock


def reset_login_failures(nip: str) -> None:
    """After a successful login: the NIP's budget starts afresh. The address counter is left
    alone, so that one known account cannot be used to reset an address's budget."""
    LoginAttempt.objects.filter(jenis=LoginAttempt.Jenis.NIP, kunci=nip[:64]).exclude(
        gagal=0, terkunci_sampai=None
    ).update(gagal=0, terakhir_gagal=None, terkunci_sampai=None)


# At most one opportunistic prune per LOGIN_ATTEMPT_PRUNE_MINUTES (per cache, i.e. per process
# with the default local-memory cache); `manage.py hapus_percobaan_masuk` prunes on demand.
_PRUNE_CACHE_KEY = "opd:login-attempt-prune"


def prune_login_attempts(*, now: datetime.datetime | None = None) -> int:
    """Delete the rows that no longer count: last failure older than the window (or none) and
    no lock still running. Returns how many rows were deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    stale = LoginAttempt.objects.filter(
        Q(terakhir_gagal__isnull=True) | Q(terakhir_gagal__lt=cutoff),
        Q(terkunci_sampai__isnull=True) | Q(terkunci_sampai__lte=now),
    )
    deleted, _ = stale.delete()
    return deleted
