"""Pegawai import from SIASN/SAPK/SIMPEG exports (SPEC §8).

Flow: `ekinerja.tabel.read_table(data)` turns the bytes of a CSV or XLSX into a header and rows
(with the size, row and column limits);
`rencana.build_plan(data)` validates every row (`validasi`, collecting every error with its
spreadsheet row number and column) and, when clean, computes what would change;
`terapkan.apply_plan(plan, by=...)` re-validates inside one transaction and writes with bulk
operations. The browser (opd.views.impor) and the command `impor_pegawai` share this code path.

Layers, each importing only those before it: berkas (bytes → cells) ← tersimpan (the stored
rows, four queries) ← validasi (rows → RowData or issues) ← rencana (the plan) ← terapkan (writes).
Callers import from here.
"""

from opd.imports.berkas import (
    COLUMNS,
    REQUIRED,
    TEMPLATE_HEADER,
    ImportFileError,
    ImportIssue,
    max_bytes,
    read_table,
    size_error,
    template_csv,
)
from opd.imports.rencana import (
    MAX_PREVIEW_ROWS,
    MAX_SANDI_AWAL,
    ImportPlan,
    Perubahan,
    Posisi,
    browser_max_cells,
    browser_max_rows,
    build_plan,
)
from opd.imports.terapkan import (
    SUDAH_DITERAPKAN,
    ImportFailed,
    ImportResult,
    SudahDiterapkan,
    apply_plan,
    save_upload,
    terapkan_impor,
)
from opd.imports.validasi import RowData
from opd.rules import parse_eselon, parse_golongan

__all__ = [
    "COLUMNS",
    "MAX_PREVIEW_ROWS",
    "MAX_SANDI_AWAL",
    "REQUIRED",
    "SUDAH_DITERAPKAN",
    "TEMPLATE_HEADER",
    "ImportFailed",
    "ImportFileError",
    "ImportIssue",
    "ImportPlan",
    "ImportResult",
    "Perubahan",
    "Posisi",
    "RowData",
    "SudahDiterapkan",
    "apply_plan",
    "browser_max_cells",
    "browser_max_rows",
    "build_plan",
    "max_bytes",
    "parse_eselon",
    "parse_golongan",
    "read_table",
    "save_upload",
    "size_error",
    "template_csv",
    "terapkan_impor",
]
