"""SKP workflows (SPEC §4): create, copy, edit RHK/IKI/links, submit, approve, return, revise,
close, delete. Use them through this package: `from skp import services; services.submit_skp(...)`.

Every workflow is atomic, checks who acts and the state, raises SkpError with a message fit for
the user, writes exactly one audit row (object = the Skp row) and returns the object.

Concurrency: services that take `versi` bump it with a conditional UPDATE (a stale value from
another tab raises KonflikVersi); status transitions use the same conditional UPDATE on the
expected status, so a double submit/approve changes nothing twice.

Modules, by sub-domain (each imports only those listed before it, never this package):
- `_common`: SkpError, KonflikVersi, IkiData, LinkData, status groups, `tanggal`, snapshots,
  the current-penilai check, copying RHK and perilaku rows.
- `baca`: read-only queries (rhk_atasan_choices, riwayat, lineage_versions).
- `penyusunan`: drafting (create, copy, update, RHK, ekspektasi khusus).
- `alur`: the workflow (submit, approve, return, revision, close, delete).
"""

from skp.services._common import (
    EDITABLE,
    OPEN,
    IkiData,
    KonflikVersi,
    LinkData,
    S,
    SkpError,
    periode_text,
    snapshot_of,
    tanggal,
)
from skp.services.alur import approve_skp, close_skp, delete_draft, return_skp, start_revision, submit_skp
from skp.services.baca import lineage_versions, rhk_atasan_choices, riwayat
from skp.services.penyusunan import (
    copy_skp,
    create_skp,
    delete_rhk,
    move_rhk,
    periode_default,
    save_rhk,
    set_ekspektasi,
    update_skp,
)

__all__ = [
    "EDITABLE",
    "OPEN",
    "IkiData",
    "KonflikVersi",
    "LinkData",
    "S",
    "SkpError",
    "approve_skp",
    "close_skp",
    "copy_skp",
    "create_skp",
    "delete_draft",
    "delete_rhk",
    "lineage_versions",
    "move_rhk",
    "periode_default",
    "periode_text",
    "return_skp",
    "rhk_atasan_choices",
    "riwayat",
    "save_rhk",
    "set_ekspektasi",
    "snapshot_of",
    "start_revision",
    "submit_skp",
    "tanggal",
    "update_skp",
]
