"""Menu flags of the whole app: the SKP ones (skp.context_processors.menu_flags) plus those of
the monthly cycle. Lives in `penilaian`, the top app, which may import both below it."""

from __future__ import annotations

from django.http import HttpRequest

from skp.context_processors import menu_flags


def menu(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    flags = dict(menu_flags(request))
    admin = user.is_admin_bkd or user.is_superuser
    flags.update(
        {
            # Realisasi bulanan: whoever has an SKP of their own.
            "realisasi": flags["daftar_skp"],
            # Penilaian tim: whoever rates a position today (incl. an active Plt/Plh).
            "penilaian_tim": flags["persetujuan"],
            # Periods (open months, deadlines) and capaian organisasi: the admin BKD.
            "periode": admin,
            # Kurva and unlocks: admin BKD, auditor, admin OPD and pimpinan (read their OPDs).
            "kurva": user.can_read_all() or user.is_admin_opd or flags["pohon"],
            "buka_kunci": admin or user.is_admin_opd,
            # TPP of the month: the same readers as the kurva; every ASN their own breakdown.
            "tpp_bulan": user.can_read_all() or user.is_admin_opd or flags["pohon"],
            "tpp_saya": user.jenis_asn != user.JenisAsn.NON_ASN,
            # TPP (SPEC §7, §9): the scheme and hukdis are read by the auditor and the admin OPD
            # too (their OPD's hukdis); attendance imports by the admin BKD and the auditor.
            "tpp_skema": user.can_read_all() or user.is_admin_opd,
            "tpp_presensi": user.can_read_all(),
            "tpp_hukdis": user.can_read_all() or user.is_admin_opd,
            # Pemantauan (completion per OPD): the kurva's readers (penilaian.services.monitoring).
            "pemantauan": user.can_read_all() or user.is_admin_opd or flags["pohon"],
        }
    )
    flags["tpp"] = any(flags[k] for k in ("tpp_bulan", "tpp_saya", "tpp_skema", "tpp_presensi", "tpp_hukdis"))
    flags["penilaian"] = any(flags[k] for k in ("realisasi", "penilaian_tim", "periode", "kurva"))
    return {"menu": flags}
