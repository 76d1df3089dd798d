"""Navigation flags for templates/base.html: the menus each role sees."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    ctx: dict = {"regency_name": settings.REGENCY_NAME}
    if user is None or not user.is_authenticated:
        return ctx
    ctx["nav"] = {
        "is_admin_bkd": user.is_admin_bkd or user.is_superuser,
        "is_admin_opd": user.is_admin_opd,
        "is_auditor": user.is_auditor,
        "can_read_all": user.can_read_all(),
        "can_see_people": user.can_read_all() or user.is_admin_opd,
    }
    return ctx
