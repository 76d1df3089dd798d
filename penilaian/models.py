"""Monthly rencana aksi, realisasi and evaluation (SPEC §5) — built in a later issue."""
