from decimal import Decimal

import pytest

from bot.core.money import FEN, fmt_yuan, to_money


@pytest.mark.parametrize(
    "value, expected",
    [
        (3500, Decimal("3500.00")),
        (0, Decimal("0.00")),
        (-12, Decimal("-12.00")),
        ("1234.5", Decimal("1234.50")),
        ("  88 ", Decimal("88.00")),
        ("3,500.00", Decimal("3500.00")),
        ("1e3", Decimal("1000.00")),
        (Decimal("10.004"), Decimal("10.00")),
        (Decimal("10.005"), Decimal("10.01")),  # half up, not banker's rounding
        (Decimal("10.015"), Decimal("10.02")),
        (Decimal("-10.005"), Decimal("-10.01")),  # half away from zero
        ("0.125", Decimal("0.13")),
    ],
)
def test_to_money_quantizes_half_up(value, expected):
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2  # always exactly two places


def test_fen_constant():
    assert FEN == Decimal("0.01")


@pytest.mark.parametrize("value", [0.1, 3500.0, float("nan")])
def test_to_money_rejects_float(value):
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize("value", [True, False, None, [1], object()])
def test_to_money_rejects_other_types(value):
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize("value", ["", "   ", "abc", "12元", "1.2.3", "NaN", "Infinity", "-inf", "1e999999999"])
def test_to_money_rejects_garbage(value):
    with pytest.raises(ValueError):
        to_money(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_to_money_rejects_non_finite_decimal(value):
    with pytest.raises(ValueError):
        to_money(value)


@pytest.mark.parametrize(
    "amount, expected",
    [
        (Decimal("3500"), "3,500.00元"),
        (Decimal("0"), "0.00元"),
        (Decimal("0.5"), "0.50元"),
        (Decimal("893.333"), "893.33元"),
        (Decimal("1234567.891"), "1,234,567.89元"),
        (Decimal("-1500"), "-1,500.00元"),
        (600, "600.00元"),
    ],
)
def test_fmt_yuan(amount, expected):
    assert fmt_yuan(amount) == expected


def test_fmt_yuan_rejects_float():
    with pytest.raises(TypeError):
        fmt_yuan(3500.0)
