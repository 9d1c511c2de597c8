"""The helpers that let one formula take floats, Decimal and NumPy arrays."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from contractcalc import InputError
from contractcalc.core.numeric import check, constant_like, number, positive, side_sign, where


def test_side_sign_for_words_signs_and_arrays() -> None:
    assert side_sign("long") == 1
    assert side_sign(" Short ") == -1
    assert side_sign(-1) == -1
    np.testing.assert_array_equal(side_sign(np.array(["long", "short", "long"])), [1, -1, 1])
    np.testing.assert_array_equal(side_sign([1, -1]), [1, -1])


@pytest.mark.parametrize("bad", ["buy", 0, 2, None, ["long", "flat"], np.array([1, 0])])
def test_side_sign_rejects_anything_else(bad: object) -> None:
    with pytest.raises(InputError, match="'side' must be 'long' or 'short'"):
        side_sign(bad)


def test_number_accepts_real_numbers_and_makes_lists_arrays() -> None:
    assert number("x", 3) == 3
    assert number("x", Decimal("2.5")) == Decimal("2.5")
    result = number("x", [1.0, 2.0])
    assert isinstance(result, np.ndarray)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (True, "'x' must be a number (got True)"),
        ("1", "'x' must be a number (got '1')"),
        (None, "'x' must be a number (got None)"),
        (float("-inf"), "'x' must be finite (got -inf)"),
        (Decimal("sNaN"), "'x' must be finite (got sNaN)"),
        (np.array([1.0, np.nan]), "'x' must be finite (got nan at index 1)"),
        (np.array(["a"]), "'x' must be numeric"),
    ],
)
def test_number_rejects_non_numbers_and_non_finite(bad: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        number("x", bad)
    assert str(caught.value).startswith(message)


def test_check_reports_first_bad_element_of_a_broadcast() -> None:
    with pytest.raises(InputError, match=r"'price' must be > 0 \(got -1 at index \(1, 0\)\)"):
        positive("price", np.array([[1.0], [-1.0]]))
    with pytest.raises(InputError, match=r"'x' must be <= 1 \(got 2\)"):
        check("x", 2, "<=", 1)


def test_where_for_scalars_and_arrays() -> None:
    assert where(True, 1, 2) == 1
    assert where(False, Decimal(1), Decimal(2)) == Decimal(2)
    np.testing.assert_array_equal(where(np.array([True, False]), 1, 2), [1, 2])


def test_constant_like_follows_the_inputs_number_type() -> None:
    assert constant_like(0.004, Decimal(1)) == Decimal("0.004")
    assert isinstance(constant_like(Decimal("0.004"), 1.0), float)
    assert constant_like(Decimal("0.004"), np.array([1.0])) == 0.004


def test_integers_beyond_a_double_are_an_arithmetic_error() -> None:
    # the CLI and the HTTP API turn ArithmeticError into their one "out of range" line
    with pytest.raises(ArithmeticError):
        number("x", 10**400)


def test_calculators_refuse_decimal_beside_float_by_name() -> None:
    import contractcalc

    with pytest.raises(InputError, match=r"^'exit' must be a Decimal like the other numbers .* \(got 5500\)$"):
        contractcalc.pnl(contract="linear", side="long", entry=Decimal(5000), exit=5500.0, quantity=1)
    with pytest.raises(InputError, match=r"^'stop' must be a Decimal"):
        contractcalc.plan("long", Decimal(20000), 15000.0, Decimal(24000), Decimal(1000))
    # ints go with either
    assert contractcalc.pnl(contract="linear", side="long", entry=Decimal(5000), exit=5500, quantity=1)["pnl"] == 500
