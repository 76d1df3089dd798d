"""Indonesian number formats for the TPP pages: `Rp 1.234.567` and `12,5 %`."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ekinerja.angka import format_angka

register = template.Library()


@register.filter
def rupiah(value: int | Decimal | None) -> str:
    if value is None or value == "":
        return "—"
    return f"Rp {format_angka(value)}"


@register.filter
def persen(value: int | Decimal | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{format_angka(value)} %"
