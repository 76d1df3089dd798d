"""ekinerja.angka: the one reading of numbers typed by users (issue #6 §4)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from ekinerja.angka import AngkaField, format_angka, parse_angka

TARGET = {"min_value": 0, "max_digits": 16, "decimal_places": 2, "label": "Target"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", D(12)),
        (" 12 ", D(12)),
        ("1,5", D("1.5")),
        ("12,25", D("12.25")),
        ("1.000", D(1000)),
        ("1.000.000", D(1000000)),
        ("1.000,5", D("1000.5")),  # Indonesian: dot for thousands, comma for decimals
        ("1 000,5", D("1000.5")),
        ("12.5", D("12.5")),  # one dot not followed by three digits: the international decimal point
        ("0.75", D("0.75")),
        ("12,50", D("12.5")),
        ("1.000,00", D(1000)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_angka_reads(text, expected):
    assert parse_angka(text, **TARGET) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NaN", "'NaN' bukan angka. Tulis angka seperti 12, 12,5 atau 1.000."),
        ("nan", "bukan angka"),
        ("sNaN", "bukan angka"),
        ("Infinity", "bukan angka"),
        ("-Infinity", "bukan angka"),
        ("inf", "bukan angka"),
        ("1e309", "bukan angka"),
        ("1E3", "bukan angka"),
        ("—", "bukan angka"),
        ("12 dokumen", "bukan angka"),
        ("1,2,3", "bukan angka"),
        ("1.00.0", "bukan angka"),
        ("1,000.5", "tidak jelas dibaca. Pakai koma untuk desimal dan titik untuk ribuan, misalnya 1.000,5."),
        ("-1", "Target tidak boleh kurang dari 0."),
        ("0,125", "Target paling banyak 2 angka di belakang koma."),
        ("100.000.000.000.000", "Target terlalu besar: paling banyak 14 angka sebelum koma."),
        ("1" * 40, "Target terlalu besar"),  # beyond Decimal's 28-digit context: was InvalidOperation (a 500)
        ("9" * 5000, "Target terlalu besar"),
        ("0," + "0" * 50 + "1", "paling banyak 2 angka di belakang koma"),
    ],
)
def test_parse_angka_refuses_with_a_message(text, message):
    with pytest.raises(ValidationError) as e:
        parse_angka(text, **TARGET)
    assert message in e.value.messages[0]


def test_parse_angka_integer_and_bounds():
    assert parse_angka("2026", decimal_places=0, min_value=2000, max_value=2100, label="Tahun") == D(2026)
    assert parse_angka("2026,0", decimal_places=0, label="Tahun") == D(2026)
    with pytest.raises(ValidationError, match="tidak boleh lebih dari 2100"):
        parse_angka("9" * 5000, decimal_places=0, max_value=2100, label="Tahun", ribuan=False)
    for text, message in [("1,5", "Tahun harus bilangan bulat."), ("2.101", "tidak boleh lebih dari 2.100")]:
        with pytest.raises(ValidationError, match=message):
            parse_angka(text, decimal_places=0, min_value=2000, max_value=2100, label="Tahun")


def test_angka_field_cleans_and_keeps_what_was_typed():
    field = AngkaField(label="Tahun", bulat=True, min_value=2000, max_value=2100)
    assert field.clean("2.026") == 2026 and isinstance(field.clean("2026"), int)
    with pytest.raises(ValidationError, match="Tahun wajib diisi"):
        field.clean("  ")
    with pytest.raises(ValidationError, match="Tahun tidak boleh lebih dari 2100"):
        field.clean("2101")
    assert field.prepare_value(2026) == "2026"  # a year, not 2.026
    assert field.prepare_value("NaN") == "NaN"  # a bound (typed) value goes back as typed
    assert AngkaField(required=False).prepare_value(D("1000.5")) == "1.000,5"


@pytest.mark.parametrize(
    ("value", "text"), [(D(12), "12"), (D("12.50"), "12,5"), (D(1234567), "1.234.567"), (-3, "-3")]
)
def test_format_angka(value, text):
    assert format_angka(value) == text
