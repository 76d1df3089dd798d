"""Menu flags for templates/base.html (SPEC §9: a link is shown only where the viewer may open
it). Lives in `skp` because the menu spans both apps and `opd` may not import `skp`.

Computed once per request (cached on the request) with a fixed number of queries: who the user
rates today and which OPDs they read as pimpinan; nothing grows with the size of the data."""

from __future__ import annotations

from django.http import HttpRequest

from opd.services import pimpinan_opd_ids, supervises_a_position
from skp.models import boleh_menyusun_skp


def menu_flags(request: HttpRequest) -> dict[str, bool]:
    cached = getattr(request, "_menu_flags", None)
    if cached is not None:
        return cached
    user = request.user
    can_see_people = user.can_read_all() or user.is_admin_opd
    rates = supervises_a_position(user)
    # Admins see the pohon and the people pages anyway: no need to ask whether they lead an OPD.
    pimpinan = not can_see_people and bool(pimpinan_opd_ids(user))
    flags = {
        "daftar_skp": boleh_menyusun_skp(user),
        "persetujuan": rates,
        "matriks": rates,
        "pohon": can_see_people or pimpinan,
        "manajemen_pegawai": can_see_people,
        # Without the admin menu: the pegawai list for those who read more than themselves.
        "daftar_pegawai": not can_see_people and (pimpinan or rates),
    }
    request._menu_flags = flags
    return flags


def menu(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": menu_flags(request)}
