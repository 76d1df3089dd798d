"""What is stored, loaded once per import: every OPD, unit, jabatan and pegawai with one query per
table, so validating and planning cost a fixed number of queries whatever the size of the file.
Also `norm`, the key for matching names in the file against stored names."""

from __future__ import annotations

from collections import defaultdict

from opd.models import Jabatan, Opd, Pegawai, UnitKerja

PEGAWAI_FIELDS = (
    "pk", "nip", "nama", "gelar_depan", "gelar_belakang", "jenis_asn", "golongan", "jabatan_id",
    "opd_id", "unit_id", "kedudukan_hukum", "email", "is_active",
)  # fmt: skip
JABATAN_FIELDS = ("pk", "nama", "jenis", "eselon", "kelas_jabatan", "opd_id", "unit_id", "atasan_id")


def norm(text: str) -> str:
    """Key for name matching: case-insensitive, whitespace collapsed."""
    return " ".join(text.split()).casefold()


class Snapshot:
    """The stored OPDs, units, jabatan and pegawai as plain dicts (four queries)."""

    def __init__(self) -> None:
        self.opds = list(Opd.objects.all())
        self.opd_by_kode = {o.kode.casefold(): o for o in self.opds}
        self.opd_by_nama = {norm(o.nama): o for o in self.opds}
        self.opd_by_id = {o.pk: o for o in self.opds}
        self.units: dict[tuple[int, str], dict] = {}
        self.unit_by_id: dict[int, dict] = {}
        for u in UnitKerja.objects.values("pk", "opd_id", "nama"):
            self.units[(u["opd_id"], norm(u["nama"]))] = u
            self.unit_by_id[u["pk"]] = u
        self.jabatan: dict[int, dict] = {j["pk"]: j for j in Jabatan.objects.values(*JABATAN_FIELDS)}
        # (OPD, unit, name) → jabatan ids, oldest first
        self.jabatan_by_key: dict[tuple[int, str, str], list[int]] = defaultdict(list)
        for j in sorted(self.jabatan.values(), key=lambda j: j["pk"]):
            if j["opd_id"] is not None:
                self.jabatan_by_key[self.jabatan_key(j["pk"])].append(j["pk"])
        self.pegawai: dict[str, dict] = {p["nip"]: p for p in Pegawai.objects.order_by("pk").values(*PEGAWAI_FIELDS)}
        self.holders: dict[int, list[str]] = defaultdict(list)  # jabatan id → NIPs of active holders
        for p in self.pegawai.values():
            if p["jabatan_id"] is not None and p["is_active"]:
                self.holders[p["jabatan_id"]].append(p["nip"])

    def jabatan_key(self, jabatan_id: int) -> tuple[int, str, str]:
        """(OPD, unit, name) of a stored position, normalised for matching."""
        j = self.jabatan[jabatan_id]
        return (j["opd_id"], self.unit_norm(j["unit_id"]), norm(j["nama"]))

    def unit_norm(self, unit_id: int | None) -> str:
        return norm(self.unit_by_id[unit_id]["nama"]) if unit_id in self.unit_by_id else ""

    def unit_name(self, unit_id: int | None) -> str:
        return self.unit_by_id[unit_id]["nama"] if unit_id in self.unit_by_id else ""

    def find_opd(self, text: str) -> Opd | None:
        return self.opd_by_kode.get(text.casefold()) or self.opd_by_nama.get(norm(text))

    def holder_nip(self, jabatan_id: int | None) -> str:
        """The NIP of whoever holds the position (or the next one up when vacant)."""
        seen: set[int] = set()
        while jabatan_id is not None and jabatan_id not in seen:
            seen.add(jabatan_id)
            if self.holders.get(jabatan_id):
                return self.holders[jabatan_id][0]
            jabatan_id = self.jabatan.get(jabatan_id, {}).get("atasan_id")
        return ""
