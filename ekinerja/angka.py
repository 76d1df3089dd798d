"""Numbers typed by users, the Indonesian way. Model-free: every numeric form field of the app
(IKI targets, the SKP year, later the monthly realisation) parses through `parse_angka`.

What is accepted (one reading each, nothing guessed):
- `12`, `-3` (a sign only where the bounds allow it);
- a comma is always the decimal mark: `1,5` = 1.5, `12,25`;
- a dot followed by groups of exactly three digits is the thousands separator: `1.000` = 1000,
  `1.000.000`, and with a decimal comma `1.000,5` = 1000.5 (the Indonesian way of writing it);
- a single dot followed by other than three digits is a decimal point (`12.5`, `0.75`), since
  many people type the international way and it cannot be read as thousands.
What is refused, each with a message saying how to write it: `1,000.5` (comma before the dot:
the English thousands style, ambiguous here), `1.00.0`, two commas, letters (`NaN`, `Infinity`,
`1e309`), dashes (`—`), and anything beyond the bounds or the digits the field can store.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

CONTOH = "Tulis angka seperti 12, 12,5 atau 1.000."

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DECIMAL_DOT = re.compile(r"[+-]?\d+\.\d+")


def _normalise(text: str) -> str:
    """The digits of `text` in Python's notation, or ValidationError."""
    raw = _SPACES.sub("", text)
    if _INTEGER.fullmatch(raw):
        return raw
    if _DECIMAL_COMMA.fullmatch(raw):
        return raw.replace(",", ".")
    if _THOUSANDS.fullmatch(raw):
        return raw.replace(".", "").replace(",", ".")
    if _DECIMAL_DOT.fullmatch(raw):
        return raw
    if re.fullmatch(r"[+-]?[\d.,]+", raw) and "," in raw and "." in raw:
        raise ValidationError(
            f"'{text}' tidak jelas dibaca. Pakai koma untuk desimal dan titik untuk ribuan, misalnya 1.000,5.",
            code="ambiguous",
        )
    raise ValidationError(f"'{text}' bukan angka. {CONTOH}", code="invalid")


def format_angka(value: Decimal | int) -> str:
    """Indonesian style: 12, 12,5, 1.000, -1.234,75."""
    value = Decimal(value)
    normalized = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    sign = "-" if normalized < 0 else ""
    integer, _, frac = f"{abs(normalized):f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"


def parse_angka(
    text: str | None,
    *,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
    max_digits: int | None = None,
    decimal_places: int | None = None,
    label: str = "Nilai",
    ribuan: bool = True,
) -> Decimal | None:
    """An Indonesian decimal string → a finite Decimal within the bounds, None when blank, or
    ValidationError with an Indonesian message. `max_digits`/`decimal_places` are those of the
    DecimalField the value goes to, so nothing the database refuses gets through. `ribuan=False`
    writes the bounds in messages without a thousands dot (a year: 2100, not 2.100)."""
    show = format_angka if ribuan else (lambda v: str(Decimal(v)))
    if text is None or not _SPACES.sub("", str(text)):
        return None
    text = str(text).strip()
    digits = _normalise(text)
    if "." in digits:
        # Trailing zeros of the fraction carry nothing ("2026,0" is a whole year); dropping them as
        # text avoids quantize/normalize, which round to 28 digits and raise on longer input.
        digits = digits.rstrip("0").rstrip(".")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the patterns only let digits through
        raise ValidationError(f"'{text}' bukan angka. {CONTOH}", code="invalid") from None
    if not value.is_finite():  # pragma: no cover - as above; kept as the last guard
        raise ValidationError(f"'{text}' bukan angka. {CONTOH}", code="invalid")
    _sign, coefficient, exponent = value.as_tuple()
    # Exact counts from the tuple: no arithmetic on a number that may have thousands of digits.
    places = max(0, -exponent)
    whole = max(0, len(coefficient) + exponent) if any(coefficient) else 0
    if decimal_places is not None and places > decimal_places:
        raise ValidationError(
            f"{label} harus bilangan bulat."
            if decimal_places == 0
            else f"{label} paling banyak {decimal_places} angka di belakang koma.",
            code="decimal_places",
        )
    if max_digits is not None and whole > max_digits - (decimal_places or 0):
        raise ValidationError(
            f"{label} terlalu besar: paling banyak {max_digits - (decimal_places or 0)} angka sebelum koma.",
            code="max_digits",
        )
    if min_value is not None and value < Decimal(min_value):
        raise ValidationError(f"{label} tidak boleh kurang dari {show(min_value)}.", code="min_value")
    if max_value is not None and value > Decimal(max_value):
        raise ValidationError(f"{label} tidak boleh lebih dari {show(max_value)}.", code="max_value")
    return value


class AngkaField(forms.Field):
    """A form field for `parse_angka`: a text input (so the browser never rewrites `1.000,5`),
    the typed text kept on error, a Decimal (or an int with `bulat=True`) in cleaned_data."""

    widget = forms.TextInput

    def __init__(
        self,
        *,
        min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        bulat: bool = False,
        nama: str = "",
        **kwargs,
    ) -> None:
        # `nama` names the value in messages when the label alone does not ("s.d." → "Target maksimum").
        self.nama = nama or str(kwargs.get("label") or "Nilai")
        self.min_value, self.max_value = min_value, max_value
        self.max_digits = max_digits
        self.decimal_places = 0 if bulat else decimal_places
        self.bulat = bulat
        kwargs.setdefault("error_messages", {}).setdefault("required", f"{self.nama} wajib diisi.")
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric" if bulat else "decimal", "autocomplete": "off"})

    def to_python(self, value: str | None) -> Decimal | int | None:
        number = parse_angka(
            value,
            min_value=self.min_value,
            max_value=self.max_value,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            label=self.nama,
            ribuan=not self.bulat,
        )
        if number is None:
            return None
        return int(number) if self.bulat else number

    def prepare_value(self, value: object) -> object:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            # A whole number such as a year is shown as typed (2026), other numbers the Indonesian way.
            return str(int(value)) if self.bulat else format_angka(value)
        return value
