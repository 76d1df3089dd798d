"""The plan of an import (SPEC §8): `build_plan(data)` reads and validates the file and, when it is
clean, works out what would change without writing anything: new, changed, unchanged and absent
pegawai, the units and positions to create, and the position each row will hold.

Positions (Jabatan) are positional, as in opd.models: a row's NIP ATASAN names a pegawai, and the
row's position gets that pegawai's position as its supervising position. A position is identified
by (OPD, unit, name, supervising position, eselon, kelas jabatan): two people with the same position
name in the same unit under different supervisors get two positions, as `services.set_atasan_jabatan`
does; and since ESELON and KELAS JABATAN are each person's own (SPEC §8, TPP pays by each person's
kelas), two people under the same supervisor whose rows differ there get two positions of the same
name too. The preview lists such differences as warnings for the BKD to check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from ekinerja.tabel import angka
from opd.imports.berkas import (
    ImportFileError,
    ImportIssue,
    TooManyCells,
    TooManyRows,
    issue_order,
    match_columns,
    read_table,
)
from opd.imports.tersimpan import Snapshot, norm
from opd.imports.validasi import RowData, validate_rows
from opd.models import JenisJabatan, Pegawai

# Above this many new pegawai the "initial password = NIP" option is not offered: each password
# costs one PBKDF2 hash (~0.25 s on the 2-core server), so 50 accounts already take ~12 s.
MAX_SANDI_AWAL = 50
MAX_PREVIEW_ROWS = 1000  # per list stored in ImporPegawai.ringkasan for the preview page
MAX_ROWS_NAMED = 10  # row numbers named in one warning


# Reading an .xlsx costs time per cell: 10,000 rows × 40 columns took 7 s, × 200 columns 45 s
# (openpyxl, shared 2-core machine), and the browser reads the file twice (preview, apply). The
# browser path takes on average this many written cells per allowed row (SIASN-style exports
# have 16–24 columns); wider files go through the command or lose their unused columns.
CELLS_PER_ROW_WEB = 24


def browser_max_cells() -> int:
    return browser_max_rows() * CELLS_PER_ROW_WEB


def browser_max_rows() -> int:
    """Rows the browser path accepts (measured to fit a request under gunicorn's timeout, README);
    larger files go through `manage.py impor_pegawai`, limited by IMPORT_MAX_ROWS."""
    return min(int(settings.IMPORT_MAX_ROWS_WEB), int(settings.IMPORT_MAX_ROWS))


@dataclass(eq=False)
class Posisi:
    """A position the plan uses: an existing Jabatan (jabatan_id) or a new one. Compared and
    hashed by identity: two new positions with equal fields are still two positions."""

    opd_id: int
    unit: str  # display name, "" for none
    nama: str
    jenis: str
    eselon: str
    kelas: int | None
    atasan: Posisi | int | None  # planned position, an untouched existing jabatan id, or none
    jabatan_id: int | None = None
    rows: list[int] = field(default_factory=list)  # row numbers holding it

    @property
    def name_key(self) -> tuple[int, str, str]:
        return (self.opd_id, norm(self.unit), norm(self.nama))

    @property
    def atasan_id(self) -> int | None:
        """The supervising jabatan id (None while the supervising position is not created)."""
        return self.atasan.jabatan_id if isinstance(self.atasan, Posisi) else self.atasan


@dataclass
class Perubahan:
    row: RowData
    pegawai_id: int
    changes: dict[str, tuple[Any, Any]]  # user-facing label → (old, new)


@dataclass
class ImportPlan:
    data: bytes
    columns: set[str] = field(default_factory=set)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)  # shown in the preview, never block
    rows: list[RowData] = field(default_factory=list)
    baru: list[RowData] = field(default_factory=list)
    berubah: list[Perubahan] = field(default_factory=list)
    tetap: int = 0
    tidak_ada: list[dict[str, str]] = field(default_factory=list)
    posisi: dict[int, Posisi] = field(default_factory=dict)  # row number → position
    units_baru: list[tuple[int, str]] = field(default_factory=list)
    jabatan_baru: int = 0
    jabatan_diubah: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sandi_awal_allowed(self) -> bool:
        return 0 < len(self.baru) <= MAX_SANDI_AWAL

    def positions(self) -> list[Posisi]:
        """Every position the plan uses, once, in the order rows first use them."""
        return list(dict.fromkeys(self.posisi.values()))

    def counts(self) -> dict[str, int]:
        return {
            "baris": len(self.rows),
            "baru": len(self.baru),
            "berubah": len(self.berubah),
            "tetap": self.tetap,
            "tidak_ada": len(self.tidak_ada),
            "unit_baru": len(self.units_baru),
            "jabatan_baru": self.jabatan_baru,
            "jabatan_diubah": self.jabatan_diubah,
            "peringatan": len(self.warnings),
        }

    def summary(self) -> dict[str, Any]:
        """JSON for ImporPegawai.ringkasan: the counts and the preview tables (capped)."""
        return {
            "counts": self.counts(),
            "baru": [
                {
                    "baris": r.baris,
                    "nip": r.nip,
                    "nama": _nama_lengkap(r.gelar_depan, r.nama, r.gelar_belakang),
                    "jabatan": r.jabatan,
                    "opd": r.opd.nama,
                    "unit": r.unit,
                    "atasan": r.atasan_nip,
                }
                for r in self.baru[:MAX_PREVIEW_ROWS]
            ],
            "berubah": [
                {
                    "baris": c.row.baris,
                    "nip": c.row.nip,
                    "nama": c.row.nama,
                    "perubahan": [[k, _show(o), _show(n)] for k, (o, n) in c.changes.items()],
                }
                for c in self.berubah[:MAX_PREVIEW_ROWS]
            ],
            "tidak_ada": self.tidak_ada[:MAX_PREVIEW_ROWS],
            "peringatan": [str(w) for w in self.warnings[:MAX_PREVIEW_ROWS]],
            "sandi_awal_allowed": self.sandi_awal_allowed,
        }


def _show(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _nama_lengkap(depan: str, nama: str, belakang: str) -> str:
    name = " ".join(p for p in (depan, nama) if p)
    return f"{name}, {belakang}" if belakang else name


def build_plan(data: bytes, *, max_rows: int | None = None, max_cells: int | None = None) -> ImportPlan:
    """Validate every row and compute what the import would change. Never writes.
    Costs four queries (the Snapshot) whatever the size of the file. `max_rows` and `max_cells`
    are the browser's limits (None: IMPORT_MAX_ROWS, no cell limit).

    Every error shows in one pass: the plan's own checks (a supervisor chain that loops through
    stored pegawai) run on the rows that passed validation even when other rows failed."""
    plan = ImportPlan(data=data)
    try:
        header, table = read_table(data, max_rows=max_rows, max_cells=max_cells)
    except TooManyRows as exc:
        plan.errors.append(ImportIssue(None, "", _too_many_rows(exc, max_rows)))
        return plan
    except TooManyCells as exc:
        plan.errors.append(
            ImportIssue(
                None,
                "",
                f"{exc} Hapus kolom yang tidak dipakai (kolom yang dikenali tercantum di bawah), "
                "atau minta admin server menjalankan perintah manage.py impor_pegawai.",
            )
        )
        return plan
    except ImportFileError as exc:
        plan.errors.append(ImportIssue(None, "", str(exc)))
        return plan
    columns, missing = match_columns(header)
    if missing:
        plan.errors = missing
        return plan
    plan.columns = set(columns)

    snap = Snapshot()
    plan.rows, plan.errors = validate_rows(table, columns, snap)
    placeable = _placeable(plan.rows, plan.errors, snap)
    _Placer(plan, snap, placeable).run()
    _check_position_cycles(plan, snap)
    plan.warnings = _variant_warnings(plan, placeable)
    if plan.errors:
        plan.errors.sort(key=issue_order)
        return plan
    _diff(plan, snap)
    return plan


def _too_many_rows(exc: TooManyRows, max_rows: int | None) -> str:
    """Past the browser's limit, say where a larger file goes."""
    if max_rows is None or exc.limit >= int(settings.IMPORT_MAX_ROWS):
        return str(exc)
    counted = angka(exc.rows) if exc.rows is not None else f"lebih dari {angka(exc.limit)}"
    return (
        f"Berkas berisi {counted} baris data; batas impor lewat peramban {angka(exc.limit)} baris. "
        "Bagi berkasnya (misalnya per OPD), atau minta admin server menjalankan perintah "
        "manage.py impor_pegawai untuk berkas yang lebih besar."
    )


def _placeable(rows: list[RowData], errors: list[ImportIssue], snap: Snapshot) -> list[RowData]:
    """The valid rows whose position can be planned: no issue on the row, and a supervisor that is
    a placeable row of the file or a stored pegawai holding a position."""
    bad = {e.baris for e in errors}
    by_nip = {r.nip: r for r in rows}
    verdict: dict[str, bool] = {}
    for r in rows:
        chain: list[str] = []
        node: RowData | None = r
        ok = True
        while node is not None and node.nip not in verdict:
            if node.nip in chain:  # a loop, reported by validate_rows
                ok = False
                break
            chain.append(node.nip)
            if node.baris in bad:
                ok = False
                break
            if not node.atasan_nip:
                node = None
            elif node.atasan_nip in by_nip:
                node = by_nip[node.atasan_nip]
            else:
                stored = snap.pegawai.get(node.atasan_nip)
                ok = stored is not None and stored["jabatan_id"] is not None
                node = None
        if ok and node is not None:
            ok = verdict[node.nip]
        for nip in chain:
            verdict[nip] = ok
    return [r for r in rows if verdict[r.nip]]


# Positions ----------------------------------------------------------------------------------------


def _layers(rows: list[RowData]) -> list[list[RowData]]:
    """Rows ordered so that a row comes after the row of its atasan (the file has no cycle here)."""
    by_nip = {r.nip: r for r in rows}
    depth: dict[str, int] = {}
    for r in rows:
        chain: list[str] = []
        node: RowData | None = r
        while node is not None and node.nip not in depth:
            chain.append(node.nip)
            node = by_nip.get(node.atasan_nip) if node.atasan_nip else None
        base = depth[node.nip] if node is not None else -1
        for nip in reversed(chain):
            base += 1
            depth[nip] = base
    layers: dict[int, list[RowData]] = defaultdict(list)
    for r in rows:
        layers[depth[r.nip]].append(r)
    return [layers[d] for d in sorted(layers)]


def _ident(target: Posisi | int | None) -> tuple | None:
    """Identity of a supervising position: a stored jabatan id or a planned new position."""
    if isinstance(target, Posisi):
        return ("db", target.jabatan_id) if target.jabatan_id else ("new", id(target))
    return ("db", target) if target is not None else None


class _Placer:
    """Gives every row a Posisi: reuse the stored position where it fits, else plan a new one."""

    def __init__(self, plan: ImportPlan, snap: Snapshot, rows: list[RowData]) -> None:
        self.plan = plan
        self.snap = snap
        self.rows = rows
        self.claimed: dict[int, Posisi] = {}  # existing jabatan id → its planned position
        self.by_target: dict[tuple, Posisi] = {}  # (name key, target identity, variant) → position
        self.by_name: dict[tuple, list[Posisi]] = defaultdict(list)
        self.spec_atasan: dict[int, bool] = {}  # id(Posisi) → its atasan was set by a row
        self.row_pos: dict[str, Posisi] = {}  # NIP → position
        self.keeper = self._keepers()  # stored jabatan id → the variant of the rows that keep it

    def _variant(self, eselon: str, kelas: int | None) -> tuple[str | None, int | None]:
        """What makes two people of one position name under one supervisor hold two positions:
        their eselon and kelas jabatan, where the file has those columns."""
        cols = self.plan.columns
        return (eselon if "ESELON" in cols else None, kelas if "KELAS JABATAN" in cols else None)

    def _row_variant(self, r: RowData) -> tuple[str | None, int | None]:
        return self._variant(r.eselon, r.kelas)

    def _stored_variant(self, jid: int) -> tuple[str | None, int | None]:
        j = self.snap.jabatan[jid]
        return self._variant(j["eselon"], j["kelas_jabatan"])

    def _keepers(self) -> dict[int, tuple]:
        """For each stored position held by rows of the file under its name: the variant that
        stays on it. The stored variant if a row still has it (the others move to a position of
        their own), else the most common one (the position itself changes)."""
        variants: dict[int, list[tuple]] = defaultdict(list)
        for r in self.rows:
            stored = self.snap.pegawai.get(r.nip)
            jid = stored["jabatan_id"] if stored is not None else None
            if jid is not None and self.snap.jabatan_key(jid)[2] == norm(r.jabatan):
                variants[jid].append(self._row_variant(r))
        keeper = {}
        for jid, found in variants.items():
            own = self._stored_variant(jid)
            keeper[jid] = own if own in found else Counter(found).most_common(1)[0][0]
        return keeper

    def _fits(self, pos: Posisi, r: RowData) -> bool:
        return self._variant(pos.eselon, pos.kelas) == self._row_variant(r)

    def run(self) -> None:
        # Supervisors first, so that a row's target is known; within a layer, the rows whose stored
        # position already has the right supervisor claim it before the others.
        for layer in _layers(self.rows):
            targets = {r.nip: self._target(r) for r in layer}
            for r in sorted(layer, key=lambda r: not self._keeps_atasan(r, targets[r.nip])):
                self._place(r, targets[r.nip])

    def _target(self, r: RowData) -> Posisi | int | None:
        if not r.atasan_nip:
            return None
        if r.atasan_nip in self.row_pos:
            return self.row_pos[r.atasan_nip]
        jid = self.snap.pegawai[r.atasan_nip]["jabatan_id"]
        return self.claimed.get(jid, jid)

    def _keeps_atasan(self, r: RowData, target: Posisi | int | None) -> bool:
        stored = self.snap.pegawai.get(r.nip)
        if stored is None or stored["jabatan_id"] is None:
            return False
        j = self.snap.jabatan[stored["jabatan_id"]]
        return target is None or _ident(target) == ("db", j["atasan_id"])

    def _claim(self, jid: int) -> Posisi:
        if jid in self.claimed:
            return self.claimed[jid]
        j = self.snap.jabatan[jid]
        p = Posisi(
            opd_id=j["opd_id"],
            unit=self.snap.unit_name(j["unit_id"]),
            nama=j["nama"],
            jenis=j["jenis"],
            eselon=j["eselon"],
            kelas=j["kelas_jabatan"],
            atasan=j["atasan_id"],
            jabatan_id=jid,
        )
        self.claimed[jid] = p
        self.by_name[p.name_key].append(p)
        return p

    def _free(self, jid: int) -> bool:
        """The stored position is not yet given a supervisor by another row."""
        c = self.claimed.get(jid)
        return c is None or not self.spec_atasan.get(id(c))

    def _reuse(self, r: RowData, name_key: tuple, target: Posisi | int | None) -> Posisi | None:
        """A position of the same name, eselon and kelas under the same supervisor, planned or
        stored, if any."""
        snap = self.snap
        stored = snap.pegawai.get(r.nip)
        current = stored["jabatan_id"] if stored is not None else None
        variant = self._row_variant(r)
        current_fits = (
            current is not None and snap.jabatan_key(current) == name_key and self.keeper.get(current) == variant
        )
        t = _ident(target)
        if t is None:
            if current_fits:
                return self._claim(current)
            pos = next((p for p in self.by_name.get(name_key, []) if self._fits(p, r)), None)
            if pos is None:
                jid = next(
                    (j for j in snap.jabatan_by_key.get(name_key, []) if self._stored_variant(j) == variant), None
                )
                pos = self._claim(jid) if jid is not None else None
            return pos
        pos = self.by_target.get((name_key, t, variant))
        if pos is None and current_fits:
            candidate = self.claimed.get(current)
            others = [n for n in snap.holders.get(current, []) if n != r.nip]
            if candidate is None and not others:
                pos = self._claim(current)
            elif candidate is not None and not self.spec_atasan.get(id(candidate)):
                pos = candidate
            elif candidate is None and _ident(snap.jabatan[current]["atasan_id"]) == t:
                pos = self._claim(current)
        if pos is None:
            for jid in snap.jabatan_by_key.get(name_key, []):
                if (
                    _ident(snap.jabatan[jid]["atasan_id"]) == t
                    and self._free(jid)
                    and self._stored_variant(jid) == variant
                ):
                    pos = self._claim(jid)
                    break
        if pos is not None:
            pos.atasan = target
            self.spec_atasan[id(pos)] = True
            self.by_target[(name_key, t, variant)] = pos
        return pos

    def _place(self, r: RowData, target: Posisi | int | None) -> None:
        cols = self.plan.columns
        unit = r.unit
        stored = self.snap.pegawai.get(r.nip)
        if "UNIT KERJA" not in cols and stored is not None:
            unit = self.snap.unit_name(stored["unit_id"])
        name_key = (r.opd.pk, norm(unit), norm(r.jabatan))
        pos = self._reuse(r, name_key, target)
        if pos is None and target is None and self.by_name.get(name_key):
            # No NIP ATASAN ("unchanged") and another eselon or kelas: a new position of that
            # name under the same supervisor as the position of that name already used.
            target = self.by_name[name_key][0].atasan
        elif pos is None and target is None and self.snap.jabatan_by_key.get(name_key):
            target = self.snap.jabatan[self.snap.jabatan_by_key[name_key][0]]["atasan_id"]
        if pos is None:
            pos = Posisi(
                opd_id=r.opd.pk,
                unit=unit,
                nama=r.jabatan,
                jenis=r.jenis_jabatan,
                eselon=r.eselon,
                kelas=r.kelas,
                atasan=target,
            )
            self.spec_atasan[id(pos)] = target is not None
            self.by_name[name_key].append(pos)
            if target is not None:
                self.by_target[(name_key, _ident(target), self._row_variant(r))] = pos
        elif pos.rows:
            _check_same_position(self.plan, pos, r)
        else:
            pos.jenis = r.jenis_jabatan
            if "ESELON" in cols:
                pos.eselon = r.eselon
            if "KELAS JABATAN" in cols:
                pos.kelas = r.kelas
        pos.rows.append(r.baris)
        self.row_pos[r.nip] = pos
        self.plan.posisi[r.baris] = pos


def _check_same_position(plan: ImportPlan, pos: Posisi, r: RowData) -> None:
    """Rows sharing one position (same name, supervisor, eselon and kelas) must give it one jenis."""
    if pos.jenis != r.jenis_jabatan:
        show = JenisJabatan(pos.jenis).label if pos.jenis else "—"
        plan.errors.append(
            ImportIssue(
                r.baris,
                "JENIS JABATAN",
                f"jabatan '{r.jabatan}' yang sama tertulis di baris {pos.rows[0]} dengan jenis jabatan {show}, "
                f"di sini {JenisJabatan(r.jenis_jabatan).label}; satu jabatan hanya punya satu jenis.",
            )
        )


def _variant_warnings(plan: ImportPlan, rows: list[RowData]) -> list[ImportIssue]:
    """One warning per position name under one supervisor whose rows give different kelas
    jabatan (or eselon): legitimate (each person keeps their own, SPEC §8) but worth a check."""
    groups: dict[tuple, list[RowData]] = defaultdict(list)
    for r in rows:
        pos = plan.posisi.get(r.baris)
        unit = pos.unit if pos is not None else r.unit
        groups[(r.opd.pk, norm(unit), norm(r.jabatan), r.atasan_nip)].append(r)
    warnings = []
    for (_, _, _, atasan_nip), members in groups.items():
        for kolom, label, value in (
            ("KELAS JABATAN", "kelas", lambda r: r.kelas),
            ("ESELON", "eselon", lambda r: r.eselon),
        ):
            if kolom not in plan.columns:
                continue
            by_value: dict[Any, list[int]] = defaultdict(list)
            for r in members:
                by_value[value(r)].append(r.baris)
            if len(by_value) < 2:
                continue
            parts = [f"{label} {_show(v)} ({_baris(b)})" for v, b in by_value.items()]
            first = members[0]
            atasan = f"NIP ATASAN {atasan_nip}" if atasan_nip else "atasan yang sama"
            warnings.append(
                ImportIssue(
                    first.baris,
                    kolom,
                    f"jabatan '{first.jabatan}' di bawah {atasan} tertulis dengan {', '.join(parts[:-1])} "
                    f"dan {parts[-1]}. Tiap pegawai memakai {label} di barisnya sendiri; periksa bila ada salah ketik.",
                )
            )
    warnings.sort(key=issue_order)
    return warnings


def _baris(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_ROWS_NAMED])
    more = f" dan {len(numbers) - MAX_ROWS_NAMED} baris lain" if len(numbers) > MAX_ROWS_NAMED else ""
    return f"baris {shown}{more}"


def _check_position_cycles(plan: ImportPlan, snap: Snapshot) -> None:
    """After the plan, no supervising-position chain may come back to itself (file + stored).
    Reports the first cycle only: one is enough to fix, and the rest usually go with it."""
    claimed = {p.jabatan_id: p for p in plan.posisi.values() if p.jabatan_id}

    def node(x: Posisi | int | None) -> Posisi | int | None:
        return claimed.get(x, x) if isinstance(x, int) else x

    def parent(x: Posisi | int) -> Posisi | int | None:
        if isinstance(x, Posisi):
            return node(x.atasan)
        return node(snap.jabatan.get(x, {}).get("atasan_id"))

    def key(x: Posisi | int) -> object:
        return id(x) if isinstance(x, Posisi) else x

    nip_of_row = {r.baris: r.nip for r in plan.rows}
    state: dict[object, int] = {}  # 1 = on the current path, 2 = done
    for start in plan.positions():  # only the placeable rows' positions
        path: list[Posisi | int] = []
        x: Posisi | int | None = start
        while x is not None and state.get(key(x)) is None:
            state[key(x)] = 1
            path.append(x)
            x = parent(x)
        if x is not None and state.get(key(x)) == 1:
            cycle = path[[key(p) for p in path].index(key(x)) :]
            nips = [
                nip_of_row[c.rows[0]]
                if isinstance(c, Posisi) and c.rows
                else snap.holder_nip(c if isinstance(c, int) else c.jabatan_id)
                for c in cycle
            ]
            nips = [n or "(jabatan kosong)" for n in nips]
            first = next(c for c in cycle if isinstance(c, Posisi) and c.rows)
            plan.errors.append(
                ImportIssue(first.rows[0], "NIP ATASAN", f"rantai atasan melingkar: {' → '.join([*nips, nips[0]])}.")
            )
            return
        for p in path:
            state[key(p)] = 2


# What changes -------------------------------------------------------------------------------------


def _diff(plan: ImportPlan, snap: Snapshot) -> None:
    """Fill in the plan's new, changed, unchanged and absent pegawai and the counts."""
    _count_units_and_positions(plan, snap)
    nip_of_posisi: dict[int, str] = {}
    for r in plan.rows:
        nip_of_posisi.setdefault(id(plan.posisi[r.baris]), r.nip)

    def atasan_nip(target: Posisi | int | None) -> str:
        if isinstance(target, Posisi):
            return nip_of_posisi.get(id(target)) or snap.holder_nip(target.jabatan_id)
        return snap.holder_nip(target)

    for r in plan.rows:
        pos = plan.posisi[r.baris]
        stored = snap.pegawai.get(r.nip)
        if stored is None:
            plan.baru.append(r)
            continue
        changes = _changes(r, pos, stored, plan.columns, snap, atasan_nip)
        if changes or pos.jabatan_id is None or pos.jabatan_id != stored["jabatan_id"]:
            if not changes:
                old_j = snap.jabatan.get(stored["jabatan_id"]) if stored["jabatan_id"] else None
                changes["jabatan"] = (old_j["nama"] if old_j else "", f"{pos.nama} (jabatan baru)")
            plan.berubah.append(Perubahan(row=r, pegawai_id=stored["pk"], changes=changes))
        else:
            plan.tetap += 1
    plan.tidak_ada = _absent(plan, snap)


def _count_units_and_positions(plan: ImportPlan, snap: Snapshot) -> None:
    units_baru: dict[tuple[int, str], str] = {}
    for p in plan.positions():
        if p.unit and (p.opd_id, norm(p.unit)) not in snap.units:
            units_baru.setdefault((p.opd_id, norm(p.unit)), p.unit)
        if p.jabatan_id is None:
            plan.jabatan_baru += 1
        else:
            j = snap.jabatan[p.jabatan_id]
            atasan_id = p.atasan_id
            if isinstance(p.atasan, Posisi) and p.atasan.jabatan_id is None:
                atasan_id = -1  # a new position
            if (p.jenis, p.eselon, p.kelas, atasan_id) != (j["jenis"], j["eselon"], j["kelas_jabatan"], j["atasan_id"]):
                plan.jabatan_diubah += 1
    plan.units_baru = [(k[0], v) for k, v in units_baru.items()]


def _changes(
    r: RowData, pos: Posisi, stored: dict, cols: set[str], snap: Snapshot, atasan_nip: Any
) -> dict[str, tuple[Any, Any]]:
    """User-facing label → (stored, new) for what the row changes; columns absent from the file
    change nothing."""
    old_j = snap.jabatan.get(stored["jabatan_id"]) if stored["jabatan_id"] else None
    changes: dict[str, tuple[Any, Any]] = {}

    def put(label: str, old: Any, new: Any) -> None:
        if (old or "") != (new or ""):
            changes[label] = (old, new)

    put("nama", stored["nama"], r.nama)
    if "GELAR DEPAN" in cols:
        put("gelar depan", stored["gelar_depan"], r.gelar_depan)
    if "GELAR BELAKANG" in cols:
        put("gelar belakang", stored["gelar_belakang"], r.gelar_belakang)
    put("jenis ASN", stored["jenis_asn"], r.jenis_asn)
    if "GOLONGAN" in cols:
        put("golongan", stored["golongan"], r.golongan)
    put("OPD", snap.opd_by_id[stored["opd_id"]].nama if stored["opd_id"] else "", r.opd.nama)
    put("unit kerja", snap.unit_name(stored["unit_id"]), pos.unit)
    put("jabatan", old_j["nama"] if old_j else "", pos.nama)
    put("jenis jabatan", JenisJabatan(old_j["jenis"]).label if old_j else "", JenisJabatan(pos.jenis).label)
    put("eselon", old_j["eselon"] if old_j else "", pos.eselon)
    put("kelas jabatan", old_j["kelas_jabatan"] if old_j else None, pos.kelas)
    old_atasan = old_j["atasan_id"] if old_j else None
    new_atasan = pos.atasan
    same = (
        new_atasan.jabatan_id == old_atasan
        if isinstance(new_atasan, Posisi) and new_atasan.jabatan_id
        else new_atasan == old_atasan
    )
    if not same:
        put("NIP atasan", snap.holder_nip(old_atasan), atasan_nip(new_atasan))
    if r.kedudukan:
        put(
            "kedudukan hukum",
            Pegawai.KedudukanHukum(stored["kedudukan_hukum"]).label,
            Pegawai.KedudukanHukum(r.kedudukan).label,
        )
    if "EMAIL" in cols:
        put("email", stored["email"], r.email)
    return changes


def _absent(plan: ImportPlan, snap: Snapshot) -> list[dict[str, str]]:
    """Stored ASN of the file's OPDs that the file leaves out (shown, never deactivated)."""
    file_nips = {r.nip for r in plan.rows}
    file_opds = {r.opd.pk for r in plan.rows}
    absent = []
    for p in snap.pegawai.values():
        if p["opd_id"] in file_opds and p["nip"] not in file_nips and p["jenis_asn"] != Pegawai.JenisAsn.NON_ASN:
            j = snap.jabatan.get(p["jabatan_id"]) if p["jabatan_id"] else None
            absent.append(
                {
                    "nip": p["nip"],
                    "nama": p["nama"],
                    "opd": snap.opd_by_id[p["opd_id"]].nama,
                    "jabatan": j["nama"] if j else "",
                }
            )
    absent.sort(key=lambda d: (d["opd"], d["nama"]))
    return absent
