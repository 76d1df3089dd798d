from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _rhk_texts(ids: set[Any]) -> dict[Any, str]:
    """The RHK atasan an audit row names by id, as their text (one query for a page of rows)."""
    from skp.models import RencanaHasilKerja

    pks = {int(v) for v in ids if str(v).isdigit()}
    texts = dict(RencanaHasilKerja.objects.filter(pk__in=pks).values_list("pk", "uraian"))
    return {v: texts[int(v)] for v in ids if str(v).isdigit() and int(v) in texts}


class SkpConfig(AppConfig):
    name = "skp"
    verbose_name = "SKP"

    def ready(self) -> None:
        """Teach the audit trail (opd.audit, which may not import skp) the words of SKP rows."""
        from opd import audit
        from skp import rules
        from skp.models import Skp

        model_labels = {
            f.name: str(f.verbose_name)[:1].upper() + str(f.verbose_name)[1:]
            for f in Skp._meta.get_fields()
            if hasattr(f, "verbose_name") and not f.is_relation and f.name not in ("mulai", "selesai")
        }
        audit.register(
            aksi={
                "skp_dibuat": "SKP dibuat",
                "skp_disalin": "SKP disalin dari tahun lalu",
                "skp_diubah": "SKP diubah",
                "rhk_disimpan": "RHK disimpan",
                "rhk_dihapus": "RHK dihapus",
                "rhk_dipindah": "Urutan RHK diubah",
                "ekspektasi_disimpan": "Ekspektasi pimpinan disimpan",
                "skp_diajukan": "SKP diajukan",
                "skp_disetujui": "SKP disetujui",
                "skp_dikembalikan": "SKP dikembalikan",
                "skp_revisi_dibuat": "Revisi SKP dibuat",
                "skp_ditutup": "SKP ditutup (pindah jabatan)",
                "skp_dihapus": "Draf SKP dihapus",
            },
            fields={
                **model_labels,
                **dict(rules.BERAKHLAK_CHOICES),
                "status": "Status",
                "penilai": "Pejabat penilai",
                "periode": "Periode",
                "rhk": "RHK",
                "iki": "IKI",
                "rhk_atasan": "RHK atasan yang diintervensi",
                "urutan": "Urutan",
                "disalin_dari": "Disalin dari",
                "revisi": "Revisi ke",
                "skp_ditutup:selesai": "Periode selesai",
                "versi_sebelumnya": "Versi sebelumnya",
                "intervensi_bawahan_dipindah": "Intervensi bawahan dipindahkan",
                "revisi_terbuka_dihapus": "Revisi yang belum disetujui dihapus",
            },
            choices={"status": dict(Skp.Status.choices), "pendekatan": dict(Skp.Pendekatan.choices)},
            lookups={"rhk_atasan": _rhk_texts},
        )
