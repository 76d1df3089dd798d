"""Money and percent as the TPP pages print them: `Rp 1.234.567`, `1,25 %` (STYLE: money as Rp
with dots)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def rupiah(value: int | Decimal | None) -> str:
    if value is None or value == "":
        return "—"
    n = int(value)
    teks = f"{abs(n):,}".replace(",", ".")
    return f"−Rp {teks}" if n < 0 else f"Rp {teks}"


@register.filter
def selisih_rupiah(value: int) -> str:
    """A difference with its sign: `+Rp 10.000`, `−Rp 5.000`."""
    n = int(value)
    return ("+" if n > 0 else "") + rupiah(n)


@register.filter
def persen(value: Decimal | str | int | None) -> str:
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    return f"{d:f}".replace(".", ",") + " %"
