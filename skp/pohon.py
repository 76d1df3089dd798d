"""Pohon kinerja (SPEC §4) and matriks bawahan: read models built in plain Python over rows
loaded with a constant number of queries, whatever the size of the OPD.

Load once: the OrgChart (who rates whom), the SKP of the OPD's pegawai for the year, their RHK,
IKI and intervensi links. Then pick each pegawai's current version, hang the pegawai under
their penilai and mark the two warnings:

- orphan: an RHK utama of a non-JPT SKP with no link to an RHK atasan (PermenPANRB 6/2022:
  every RHK utama of a non-JPT intervenes an RHK of the penilai);
- uncovered: an RHK utama of a pegawai who rates somebody (OrgChart) that no subordinate RHK
  intervenes. Bawahan who are JPT themselves (the Asisten under the Sekda) do not count: their
  RHK derive from the Perjanjian Kinerja and take no links. Only SKP the bawahan can link to (diajukan/disetujui) are checked: a draft's RHK
  cannot be chosen yet, so a warning there could not be cleared. RHK tambahan are personal
  assignments and are not expected to cascade.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Q
from django.utils import timezone

from opd.models import Jabatan, JenisJabatan, Opd, Pegawai, PenugasanPlt
from opd.services import OrgChart, bawahan_of
from skp import rules
from skp.models import IndikatorKinerja, IntervensiRhk, RencanaHasilKerja, Skp

LINKABLE = {Skp.Status.DIAJUKAN, Skp.Status.DISETUJUI}


def pick_current(skps: Iterable[Skp]) -> Skp | None:
    """The version to show for one pegawai and year: the latest lineage (jabatan change
    mid-year starts a new one), and in it the approved version in force over an open revision."""
    candidates = [s for s in skps if s.status != Skp.Status.DIGANTI]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.mulai, s.status == Skp.Status.DISETUJUI, s.revisi, s.pk))


def current_skp_by_pegawai(pegawai_ids: Iterable[int], tahun: int) -> dict[int, Skp]:
    """One query: pegawai id → current SKP of the year (jabatan loaded)."""
    by_pegawai: dict[int, list[Skp]] = {}
    rows = Skp.objects.filter(pegawai_id__in=list(pegawai_ids), tahun=tahun).exclude(status=Skp.Status.DIGANTI)
    for skp in rows.select_related("jabatan"):
        by_pegawai.setdefault(skp.pegawai_id, []).append(skp)
    return _current_of_each(by_pegawai)


def _current_of_each(by_pegawai: dict[int, list]) -> dict:
    """pegawai id → the current one of their SKP (pick_current), for those who have one."""
    return {pid: current for pid, skps in by_pegawai.items() if (current := pick_current(skps)) is not None}


# Rows -------------------------------------------------------------------------------------------


@dataclass
class IkiRow:
    uraian: str
    aspek: str
    target: str


@dataclass
class LinkRow:
    rhk_atasan_id: int
    uraian: str
    langsung: bool
    label: str
    pegawai_id: int | None = None  # whose SKP the RHK atasan is in (the pohon node to open)


@dataclass
class RhkRow:
    pk: int
    skp_id: int
    utama: bool
    uraian: str
    iki: list[IkiRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    covered_by: int = 0
    orphan: bool = False
    uncovered: bool = False
    linked: bool = False  # intervenes at least one RHK atasan


def load_rhk(skp_ids: list[int]) -> dict[int, list[RhkRow]]:
    """Three queries of plain tuples (no model instances: this is the hot path of the pohon):
    skp id → its RHK rows (utama first, in order) with IKI and the RHK atasan each intervenes.
    `covered_by` counts links into each row from these SKP."""
    rows: dict[int, RhkRow] = {}
    by_skp: dict[int, list[RhkRow]] = {}
    if not skp_ids:
        return by_skp
    utama = RencanaHasilKerja.Jenis.UTAMA
    rhk_rows = (
        RencanaHasilKerja.objects.filter(skp_id__in=skp_ids)
        .order_by("skp_id", "jenis", "urutan", "pk")
        .values_list("pk", "skp_id", "jenis", "uraian")
    )
    for pk, skp_id, jenis, uraian in rhk_rows:
        row = RhkRow(pk, skp_id, jenis == utama, uraian)
        rows[pk] = row
        by_skp.setdefault(skp_id, []).append(row)
    aspek_label = dict(IndikatorKinerja.Aspek.choices)
    # Filter by the RHK ids just loaded: `rhk__skp_id__in` joins and lets PostgreSQL scan every
    # IKI of the regency to return one OPD's; the FK index on rhk_id answers this directly.
    iki_rows = (
        IndikatorKinerja.objects.filter(rhk_id__in=list(rows))
        .order_by("rhk_id", "urutan", "pk")
        .values_list("rhk_id", "uraian", "aspek", "target_min", "target_max", "satuan", "target_kualitatif")
    )
    for rhk_id, uraian, aspek, minimum, maksimum, satuan, kualitatif in iki_rows:
        target = kualitatif if minimum is None else rules.format_target(minimum, maksimum, satuan)
        rows[rhk_id].iki.append(IkiRow(uraian, aspek_label.get(aspek, ""), target))
    links = (
        IntervensiRhk.objects.filter(rhk_id__in=list(rows))
        .order_by("rhk_id", "pk")
        .values_list("rhk_id", "rhk_atasan_id", "jenis_cascading", "rhk_atasan__uraian", "rhk_atasan__skp__pegawai_id")
    )
    langsung_value = IntervensiRhk.Cascading.LANGSUNG
    for rhk_id, atasan_id, cascading, atasan_uraian, atasan_pegawai in links:
        langsung = cascading == langsung_value
        label = "L" if langsung else "TL"
        rows[rhk_id].links.append(LinkRow(atasan_id, atasan_uraian, langsung, label, atasan_pegawai))
        rows[rhk_id].linked = True
        target_row = rows.get(atasan_id)
        if target_row is not None:
            target_row.covered_by += 1
    return by_skp


def load_rhk_ringan(skp_ids: list[int]) -> dict[int, list[RhkRow]]:
    """What the pohon needs of every RHK to place the two warnings, without texts, IKI or links:
    one query of narrow tuples (each RHK once per link it makes). skp id → rows (utama first, in
    order) with `linked` and `covered_by` (links into the row from these SKP), `uraian` empty."""
    rows: dict[int, RhkRow] = {}
    by_skp: dict[int, list[RhkRow]] = {}
    if not skp_ids:
        return by_skp
    utama = RencanaHasilKerja.Jenis.UTAMA
    targets: list[int] = []
    for pk, skp_id, jenis, atasan_id in (
        RencanaHasilKerja.objects.filter(skp_id__in=skp_ids)
        .order_by("skp_id", "jenis", "urutan", "pk")
        .values_list("pk", "skp_id", "jenis", "link_atas__rhk_atasan_id")
    ):
        row = rows.get(pk)
        if row is None:
            row = rows[pk] = RhkRow(pk, skp_id, jenis == utama, "")
            by_skp.setdefault(skp_id, []).append(row)
        if atasan_id is not None:
            row.linked = True
            targets.append(atasan_id)
    for atasan_id in targets:
        target_row = rows.get(atasan_id)
        if target_row is not None:
            target_row.covered_by += 1
    return by_skp


# Pohon kinerja ------------------------------------------------------------------------------------


@dataclass
class Node:
    pegawai: Pegawai | PegawaiRingkas
    skp: Skp | SkpRingkas | None
    plt_jabatan: str = ""
    rhk_utama: list[RhkRow] = field(default_factory=list)
    rhk_tambahan: list[RhkRow] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    depth: int = 0
    rinci: bool = False  # RHK rows carry texts, IKI and links (else only what the warnings need)

    @property
    def rhk_all(self) -> list[RhkRow]:
        return [*self.rhk_utama, *self.rhk_tambahan]

    @property
    def lazy(self) -> bool:
        """Has RHK not loaded yet: the page fetches them when the node is opened."""
        return not self.rinci and self.skp is not None and bool(self.rhk_utama or self.rhk_tambahan)

    @property
    def anchor(self) -> str:
        return f"p-{self.pegawai.pk}"

    @property
    def warning_count(self) -> int:
        return sum(r.orphan or r.uncovered for r in (*self.rhk_utama, *self.rhk_tambahan))

    @property
    def size(self) -> int:
        return 1 + sum(c.size for c in self.children)


@dataclass
class Warning:
    node: Node
    rhk: RhkRow


@dataclass
class Pohon:
    opd: Opd
    tahun: int
    roots: list[Node]
    nodes: list[Node]
    orphans: list[Warning]
    uncovered: list[Warning]

    @property
    def events(self) -> list[tuple[str, Node | None]]:
        """The tree flattened for a loop-only template: ("open", node) … ("close", None)."""
        out: list[tuple[str, Node | None]] = []
        stack: list[tuple[Node, bool]] = [(n, False) for n in reversed(self.roots)]
        while stack:
            node, closing = stack.pop()
            if closing:
                out.append(("close", node))
                continue
            out.append(("open", node))
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.children))
        return out

    @property
    def stats(self) -> dict[str, int]:
        with_skp = [n for n in self.nodes if n.skp is not None]
        return {
            "pegawai": len(self.nodes),
            "dengan_skp": len(with_skp),
            "tanpa_skp": len(self.nodes) - len(with_skp),
            "disetujui": sum(n.skp.status == Skp.Status.DISETUJUI for n in with_skp),
            "rhk": sum(len(n.rhk_utama) + len(n.rhk_tambahan) for n in self.nodes),
        }


@dataclass(slots=True)
class JabatanRingkas:
    pk: int
    nama: str
    jenis: str


@dataclass(slots=True)
class PegawaiRingkas:
    """What the tree shows of a pegawai, read as plain values: a model instance per pegawai cost
    more than the rest of a province-size tree (issue #9)."""

    pk: int
    nip: str
    nama: str
    gelar_depan: str
    gelar_belakang: str
    opd_id: int | None
    jabatan_id: int | None
    jabatan: JabatanRingkas | None

    nama_lengkap = Pegawai.nama_lengkap  # the same formatting as the model's


@dataclass(slots=True)
class SkpRingkas:
    """What the tree reads of an SKP (see PegawaiRingkas)."""

    pk: int
    pegawai_id: int
    status: str
    mulai: datetime.date
    revisi: int
    is_jpt: bool


def current_skp_ringkas(pegawai_ids: Iterable[int], tahun: int) -> dict[int, SkpRingkas]:
    """current_skp_by_pegawai as plain values (one query)."""
    by_pegawai: dict[int, list[SkpRingkas]] = {}
    rows = (
        Skp.objects.filter(pegawai_id__in=list(pegawai_ids), tahun=tahun)
        .exclude(status=Skp.Status.DIGANTI)
        .values_list("pk", "pegawai_id", "status", "mulai", "revisi", "jabatan__jenis")
    )
    for pk, pegawai_id, status, mulai, revisi, jenis in rows:
        by_pegawai.setdefault(pegawai_id, []).append(
            SkpRingkas(pk, pegawai_id, status, mulai, revisi, jenis == JenisJabatan.JPT)
        )
    return _current_of_each(by_pegawai)


class OpdChart(OrgChart):
    """OrgChart restricted to what one OPD's tree needs: holders of the OPD's positions and of
    every position above them, plus active Plt/Plh. Resolution is OrgChart's own; only the scope
    differs, and a test checks both charts agree for every member. Its pegawai are PegawaiRingkas:
    what the tree shows (names, NIP, position) as plain values."""

    def __init__(self, opd: Opd, *, on: datetime.date | None = None) -> None:
        day = on or timezone.localdate()
        jabatan_atasan = dict(Jabatan.objects.values_list("pk", "atasan_id"))
        own = set(Jabatan.objects.filter(opd=opd).values_list("pk", flat=True))
        own |= set(Pegawai.objects.filter(opd=opd, jabatan__isnull=False).values_list("jabatan_id", flat=True))
        relevant: set[int] = set()
        for jabatan_id in own:
            node: int | None = jabatan_id
            while node is not None and node not in relevant:
                relevant.add(node)
                node = jabatan_atasan.get(node)
        plt_pegawai = PenugasanPlt.objects.active_on(day).filter(jabatan_id__in=relevant).values("pegawai_id")
        self.scope = Q(jabatan_id__in=relevant) | Q(pk__in=plt_pegawai)
        super().__init__(on=day, scope=self.scope, jabatan_atasan=jabatan_atasan)

    def objects(self, ids: Iterable[int | None]) -> dict[int, PegawaiRingkas]:  # type: ignore[override]
        wanted = {pk for pk in ids if pk is not None}
        missing = wanted - self._objects.keys()
        if missing and not self._all_loaded:
            # The whole scope at once when most of it is wanted (the tree), not an IN list of it.
            rows = Pegawai.objects.filter(self.scope) if len(missing) > 100 else Pegawai.objects.filter(pk__in=missing)
            fields = ("pk", "nip", "nama", "gelar_depan", "gelar_belakang", "opd_id", "jabatan_id", "jabatan__nama",
                      "jabatan__jenis")  # fmt: skip
            for pk, nip, nama, depan, belakang, opd_id, jabatan_id, jab_nama, jab_jenis in rows.values_list(
                *fields
            ).order_by():
                jabatan = JabatanRingkas(jabatan_id, jab_nama, jab_jenis) if jabatan_id is not None else None
                self._objects[pk] = PegawaiRingkas(pk, nip, nama, depan, belakang, opd_id, jabatan_id, jabatan)
        return {pk: self._objects[pk] for pk in wanted if pk in self._objects}


def top_jabatan_ids(jabatan: Iterable[Jabatan]) -> set[int]:
    """Positions that head their OPD: JPT whose supervising position is outside the OPD."""
    rows = list(jabatan)
    opd_of = {j.pk: j.opd_id for j in rows}
    return {
        j.pk
        for j in rows
        if j.jenis == JenisJabatan.JPT and (j.atasan_id is None or opd_of.get(j.atasan_id, -1) != j.opd_id)
    }


def build_pohon(
    opd: Opd,
    tahun: int,
    *,
    on: datetime.date | None = None,
    chart: OrgChart | None = None,
    rinci: Iterable[int] | None = None,
    batas_peringatan: int | None = None,
) -> Pohon:
    """The tree with both warnings, placed from narrow rows of every RHK (load_rhk_ringan).
    RHK texts, IKI and links are loaded only for the pegawai in `rinci` (all when None): the
    page opens a few nodes and fetches the others when they are opened (issue #9: rendering
    every RHK and IKI of a large OPD made the page 53x a trivial one). The texts of the flagged
    RHK are read for the first `batas_peringatan` of each warning list (all when None)."""
    chart = chart or OpdChart(opd, on=on)
    jabatan = list(Jabatan.objects.filter(opd=opd).only("pk", "jenis", "atasan_id", "opd_id", "nama"))
    jabatan_opd = {j.pk for j in jabatan}
    top = top_jabatan_ids(jabatan)

    # OrgChart.pegawai builds a new dict on each access: read it once (it was read per member,
    # which made the tree quadratic in the OPD's size).
    pegawai = chart.pegawai
    member_ids = [pk for pk, p in pegawai.items() if p.opd_id == opd.pk]
    # An acting Plt/Plh from another OPD heads the positions they hold here.
    plt_label: dict[int, str] = {}
    jabatan_nama = {j.pk: j.nama for j in jabatan}
    for jab_id, pid in chart.plt.items():
        if jab_id in jabatan_opd and pid in pegawai:
            plt_label[pid] = f"Plt. {jabatan_nama[jab_id]}"
            if pid not in member_ids:
                member_ids.append(pid)
    members = set(member_ids)

    skp_by_pegawai = current_skp_ringkas(member_ids, tahun)
    rhk_by_skp = load_rhk_ringan([s.pk for s in skp_by_pegawai.values()])

    nodes: dict[int, Node] = {}
    for pid in member_ids:
        skp = skp_by_pegawai.get(pid)
        rows = rhk_by_skp.get(skp.pk, []) if skp else []
        nodes[pid] = Node(
            pegawai=pegawai[pid],
            skp=skp,
            plt_jabatan=plt_label.get(pid, ""),
            rhk_utama=[r for r in rows if r.utama],
            rhk_tambahan=[r for r in rows if not r.utama],
        )

    roots: list[Node] = []
    for pid in member_ids:
        penilai_id = chart.penilai_id(pid)
        if penilai_id in members and penilai_id != pid:
            nodes[penilai_id].children.append(nodes[pid])
        else:
            roots.append(nodes[pid])

    def order(node: Node) -> tuple:
        jab = node.pegawai.jabatan
        rank = {
            JenisJabatan.JPT: 0,
            JenisJabatan.ADMINISTRATOR: 1,
            JenisJabatan.PENGAWAS: 2,
            JenisJabatan.FUNGSIONAL: 3,
            JenisJabatan.PELAKSANA: 4,
        }.get(jab.jenis, 5)
        heads = node.pegawai.jabatan_id in top or bool(node.plt_jabatan)
        return (not heads, rank, jab.nama, node.pegawai.nama)

    roots.sort(key=order)
    flat: list[Node] = []
    stack = [(n, 0) for n in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        node.children.sort(key=order)
        flat.append(node)
        stack.extend((c, depth + 1) for c in reversed(node.children))

    orphans: list[Warning] = []
    uncovered: list[Warning] = []
    for node in flat:
        if node.skp is None:
            continue
        if not node.skp.is_jpt:
            for row in node.rhk_utama:
                if not row.linked:
                    row.orphan = True
                    orphans.append(Warning(node, row))
        # Only bawahan who can link count: RHK of a JPT (e.g. the Asisten under the Sekda) take none.
        can_cascade = any(c.pegawai.jabatan.jenis != JenisJabatan.JPT for c in node.children)
        if can_cascade and node.skp.status in LINKABLE:
            for row in node.rhk_utama:
                if row.covered_by == 0:
                    row.uncovered = True
                    uncovered.append(Warning(node, row))
    flagged = {w.rhk.pk: w.rhk for w in (*orphans[:batas_peringatan], *uncovered[:batas_peringatan])}
    if flagged:  # the warning lists name each RHK
        for pk, uraian in RencanaHasilKerja.objects.filter(pk__in=list(flagged)).values_list("pk", "uraian"):
            flagged[pk].uraian = uraian
    tree = Pohon(opd=opd, tahun=tahun, roots=roots, nodes=flat, orphans=orphans, uncovered=uncovered)
    isi_rinci(tree, flat if rinci is None else [nodes[pk] for pk in rinci if pk in nodes])
    return tree


def isi_rinci(tree: Pohon, nodes: Iterable[Node]) -> None:
    """Replace the narrow RHK rows of `nodes` by full ones (texts, IKI, links: three queries for
    all of them), keeping the tree's warnings and its counts of links into each row."""
    nodes = [n for n in nodes if n.skp is not None]
    full = load_rhk([n.skp.pk for n in nodes])
    for node in nodes:
        light = {r.pk: r for r in node.rhk_all}
        rows = full.get(node.skp.pk, [])
        for row in rows:
            known = light.get(row.pk)
            if known is not None:
                row.covered_by, row.orphan, row.uncovered = known.covered_by, known.orphan, known.uncovered
        node.rhk_utama = [r for r in rows if r.utama]
        node.rhk_tambahan = [r for r in rows if not r.utama]
        node.rinci = True


# The pohon's cache -------------------------------------------------------------------------------

# Everything build_pohon reads for one OPD and year, hashed in the database: the positions and the
# Plt/Plh of the regency, the OPD's people (members, holders of its positions, acting Plt/Plh), their
# SKP of the year, the RHK of those SKP and the links from and to them. Per table: the row count
# and the sum of a 64-bit hash of each row (no sort, no long string). The tree is cached under
# this fingerprint and the day (Plt/Plh are read as of today), so any change of what it shows
# gives another key: no invalidation to forget, whatever wrote the change (services, imports,
# the admin, SQL). IKI and link texts are not in it: the cached tree holds none (the opened
# levels' RHK are filled in on each request, the others are fetched when opened). One query that
# hashes rows in PostgreSQL instead of building Python objects from them.
_SIDIK_SQL = """
WITH jab AS (SELECT id FROM opd_jabatan WHERE opd_id = %(opd)s),
peg AS (
    SELECT p.id, p.nip, p.nama, p.gelar_depan, p.gelar_belakang, p.jabatan_id, p.opd_id, p.is_active,
           p.kedudukan_hukum
    FROM opd_pegawai p WHERE p.opd_id = %(opd)s
    UNION
    SELECT p.id, p.nip, p.nama, p.gelar_depan, p.gelar_belakang, p.jabatan_id, p.opd_id, p.is_active,
           p.kedudukan_hukum
    FROM opd_pegawai p WHERE p.jabatan_id IN (SELECT id FROM jab)
    UNION
    SELECT p.id, p.nip, p.nama, p.gelar_depan, p.gelar_belakang, p.jabatan_id, p.opd_id, p.is_active,
           p.kedudukan_hukum
    FROM opd_pegawai p JOIN opd_penugasanplt t ON t.pegawai_id = p.id
),
skp AS (
    SELECT id, pegawai_id, jabatan_id, status, versi, revisi, mulai, selesai, diubah_pada
    FROM skp_skp WHERE tahun = %(tahun)s AND pegawai_id IN (SELECT id FROM peg)
),
rhk AS (SELECT id, skp_id, jenis, urutan, uraian FROM skp_rencanahasilkerja WHERE skp_id IN (SELECT id FROM skp)),
rhk_ids AS (SELECT ARRAY(SELECT id FROM rhk) AS ids),
link AS (
    SELECT l.id, l.rhk_id, l.rhk_atasan_id FROM skp_intervensirhk l, rhk_ids WHERE l.rhk_id = ANY(rhk_ids.ids)
    UNION ALL
    SELECT l.id, l.rhk_id, l.rhk_atasan_id FROM skp_intervensirhk l, rhk_ids WHERE l.rhk_atasan_id = ANY(rhk_ids.ids)
)
SELECT concat_ws('|',
    (SELECT concat(count(*), ':', sum(hashtextextended(x::text, 0))) FROM
        (SELECT id, atasan_id, opd_id, jenis, nama FROM opd_jabatan) x),
    (SELECT concat(count(*), ':', sum(hashtextextended(x::text, 0))) FROM
        (SELECT id, jabatan_id, pegawai_id, jenis, mulai, selesai, dibatalkan FROM opd_penugasanplt) x),
    (SELECT concat(count(*), ':', sum(hashtextextended(x::text, 0))) FROM peg x),
    (SELECT concat(count(*), ':', sum(hashtextextended(x::text, 0))) FROM skp x),
    (SELECT concat(count(*), ':', sum(hashtextextended(x::text, 0))) FROM rhk x),
    (SELECT concat(count(*), ':', sum(hashtextextended(x::text, 0))) FROM link x)
)
"""


def sidik_pohon(opd: Opd, tahun: int) -> str | None:
    """The fingerprint of the data the pohon of `opd` and `tahun` is built from (see _SIDIK_SQL),
    read from the database the pohon itself reads; None off PostgreSQL (then nothing is cached)."""
    alias = router.db_for_read(Skp) or DEFAULT_DB_ALIAS
    conn = connections[alias]
    if conn.vendor != "postgresql":
        return None
    with conn.cursor() as cursor:
        cursor.execute(_SIDIK_SQL, {"opd": opd.pk, "tahun": tahun})
        return cursor.fetchone()[0]


def kunci_cache(opd: Opd, tahun: int) -> str:
    """The name the tree is kept under (with the fingerprint, ekinerja.sidik.tersimpan): Plt/Plh
    are read as of today, so the day is part of it."""
    return f"pohon:{opd.pk}:{tahun}:{timezone.localdate().isoformat()}"


# Who may see which OPD's pohon ---------------------------------------------------------------------


def pohon_opds(user: Pegawai) -> list[Opd]:
    """The OPDs whose pohon kinerja the user may read (SPEC §9): all for admin BKD/auditor,
    their OPDs for an admin OPD, those they read as pimpinan (Kepala OPD or its active Plt/Plh:
    their OPD; Sekda, Bupati: all) — the same predicate as `Pegawai.objects.visible_to`."""
    qs = Opd.objects.filter(aktif=True).order_by("-pilot", "urutan", "nama")
    if user.can_read_all():
        return list(qs)
    ids = {*user.admin_opd_ids, *user.pimpinan_opd_ids()}
    return list(qs.filter(pk__in=ids)) if ids else []


# Matriks bawahan ---------------------------------------------------------------------------------


@dataclass
class MatriksRow:
    rhk: RhkRow | None  # None: the last row, "Tidak terkait RHK atasan"
    cells: list[list[tuple[RhkRow, LinkRow | None]]]


@dataclass
class Matriks:
    skp: Skp | None
    bawahan: list[Pegawai]
    bawahan_skp: dict[int, Skp]
    rows: list[MatriksRow]

    @property
    def columns(self) -> list[tuple[Pegawai, Skp | None]]:
        return [(p, self.bawahan_skp.get(p.pk)) for p in self.bawahan]


def build_matriks(user: Pegawai, tahun: int, *, on: datetime.date | None = None) -> Matriks:
    bawahan = bawahan_of(user, on=on)
    skp_map = current_skp_by_pegawai([user.pk, *(p.pk for p in bawahan)], tahun)
    own = skp_map.pop(user.pk, None)
    rhk_by_skp = load_rhk([s.pk for s in (own, *skp_map.values()) if s is not None])
    own_rows = rhk_by_skp.get(own.pk, []) if own else []
    index = {r.pk: i for i, r in enumerate(own_rows)}
    grid = [[[] for _ in bawahan] for _ in range(len(own_rows) + 1)]
    for col, p in enumerate(bawahan):
        skp = skp_map.get(p.pk)
        for row in rhk_by_skp.get(skp.pk, []) if skp else []:
            hits = [link for link in row.links if link.rhk_atasan_id in index]
            for link in hits:
                grid[index[link.rhk_atasan_id]][col].append((row, link))
            if not hits:
                grid[-1][col].append((row, None))
    rows = [MatriksRow(r, grid[i]) for i, r in enumerate(own_rows)]
    rows.append(MatriksRow(None, grid[-1]))
    return Matriks(skp=own, bawahan=bawahan, bawahan_skp=skp_map, rows=rows)
