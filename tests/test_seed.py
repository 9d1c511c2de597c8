"""The seed lesson's formulas against the document's own examples and their relations.

Rows S1-S8 are from shared/reference/examples.md (the seed document's examples).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contractcalc import InputError, seed

D = Decimal


# --- the document's examples, exactly, in Decimal ------------------------------------

def test_s1_target_change_up() -> None:
    assert seed.target_change(D(1000), D(1200)) == D("0.2")


def test_s2_target_change_down_reads_typo_as_800() -> None:
    assert seed.target_change(D(1000), D(800)) == D("-0.2")


def test_s3_liquidation_change_at_20x() -> None:
    assert seed.liquidation_change(D(20)) == D("0.05")


def test_s4_leverage_for_ten_percent_stop() -> None:
    assert seed.leverage_for_stop_change(D("0.1")) == 10
    assert seed.leverage(stop_change=D("0.1")) == 10


def test_s5_leverage_for_open_and_stop() -> None:
    assert seed.leverage_for_stop(D(20000), D(15000)) == 4
    assert seed.leverage(open=D(20000), stop=D(15000)) == 4


def test_s6_coin_based_long() -> None:
    # 1000 × 50 × 0.1 × (1 + 0.1) = 5500
    assert seed.inverse_profit("long", D(1000), D(50), D("0.1")) == 5500
    assert seed.profit("coin", "long", D(1000), D(50), D("0.1")) == 5500


def test_s7_coin_based_short() -> None:
    # the document: 1000 × 50 × 0.1 × (1 − 0.1) = 4500 for a 10 % drop
    assert seed.inverse_profit("short", D(1000), D(50), D("-0.1")) == 4500
    assert seed.profit("inverse", "short", D(1000), D(50), D("-0.1")) == 4500


def test_s8_u_based_long() -> None:
    # 1000 × 50 × 0.02 = 1000
    assert seed.linear_profit("long", D(1000), D(50), D("0.02")) == 1000
    assert seed.profit("usdt", "long", D(1000), D(50), D("0.02")) == 1000
    assert seed.profit("u", "long", D(1000), D(50), D("0.02")) == 1000


# --- any number type ----------------------------------------------------------------

@pytest.mark.parametrize("kind", [float, D, np.float64])
def test_same_function_for_every_scalar_type(kind: type) -> None:
    result = seed.linear_profit("long", kind(1000), kind(50), kind("0.02"))
    assert float(result) == pytest.approx(1000)
    assert type(result) is kind or isinstance(result, kind)


def test_arrays_broadcast_and_sides_can_be_arrays() -> None:
    changes = np.array([0.1, -0.1])
    sides = np.array(["long", "short"])
    result = seed.inverse_profit(sides, 1000, 50, changes)
    np.testing.assert_allclose(result, [5500, 4500])
    grid = seed.target_change(np.array([[1000.0], [2000.0]]), np.array([1200.0, 800.0]))
    np.testing.assert_allclose(grid, [[0.2, -0.2], [-0.4, -0.6]])


def test_inputs_are_not_mutated() -> None:
    opens = np.array([1000.0, 2000.0])
    targets = np.array([1200.0, 1800.0])
    seed.target_change(opens, targets)
    np.testing.assert_array_equal(opens, [1000.0, 2000.0])
    np.testing.assert_array_equal(targets, [1200.0, 1800.0])


def test_scalar_in_scalar_out() -> None:
    assert isinstance(seed.liquidation_change(20), float)
    assert isinstance(seed.liquidation_change(D(20)), Decimal)


# --- relations between the formulas (property tests) ----------------------------------

leverages = st.decimals(min_value=D("1.01"), max_value=D(200), places=2)
prices = st.decimals(min_value=D("0.01"), max_value=D(1_000_000), places=2)
changes = st.decimals(min_value=D("-0.9"), max_value=D(5), places=4)


@given(prices, leverages)
def test_leverage_for_the_stop_at_the_liquidation_move_is_that_leverage(open_: D, lev: D) -> None:
    stop = open_ * (1 - 1 / lev)
    assert seed.leverage_for_stop(open_, stop) == pytest.approx(lev, rel=D("1e-20"))


@given(leverages)
def test_liquidation_change_and_leverage_for_stop_change_are_inverse(lev: D) -> None:
    assert seed.leverage_for_stop_change(seed.liquidation_change(lev)) == pytest.approx(lev, rel=D("1e-20"))


@given(st.sampled_from(["linear", "inverse"]), st.sampled_from(["long", "short"]), prices, leverages)
def test_profit_is_zero_at_zero_change(contract: str, side: str, principal: D, lev: D) -> None:
    assert seed.profit(contract, side, principal, lev, D(0)) == 0


@given(prices, leverages, changes)
def test_long_and_short_mirror(principal: D, lev: D, change: D) -> None:
    for contract in ("linear", "inverse"):
        long = seed.profit(contract, "long", principal, lev, change)
        short = seed.profit(contract, "short", principal, lev, change)
        assert long == -short


@given(prices, leverages, changes)
def test_coin_based_is_linear_times_one_plus_change(principal: D, lev: D, change: D) -> None:
    linear = seed.linear_profit("long", principal, lev, change)
    assert seed.inverse_profit("long", principal, lev, change) == linear * (1 + change)


@given(prices, prices)
def test_target_change_reaches_the_target(open_: D, target: D) -> None:
    assert open_ * (1 + seed.target_change(open_, target)) == pytest.approx(target, rel=D("1e-20"))


# --- bad input: one error class per rule, message names field, rule and value ----------

@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: seed.liquidation_change(0), "'leverage' must be > 0 (got 0)"),
        (lambda: seed.liquidation_change(-2), "'leverage' must be > 0 (got -2)"),
        (lambda: seed.liquidation_change(float("nan")), "'leverage' must be finite (got nan)"),
        (lambda: seed.liquidation_change(float("inf")), "'leverage' must be finite (got inf)"),
        (lambda: seed.liquidation_change(D("NaN")), "'leverage' must be finite (got NaN)"),
        (lambda: seed.liquidation_change("20"), "'leverage' must be a number (got '20')"),
        (lambda: seed.target_change(0, 1200), "'open' must be > 0 (got 0)"),
        (lambda: seed.target_change(1000, -5), "'target' must be > 0 (got -5)"),
        (lambda: seed.leverage_for_stop(20000, 20000), "'stop' must differ from 'open' (got 20000)"),
        (lambda: seed.leverage_for_stop_change(0), "'stop_change' must not be 0 (got 0)"),
        (lambda: seed.leverage_for_stop_change(-1), "'stop_change' must be > -1 (got -1)"),
        (lambda: seed.leverage(), "'stop_change' is required (or both 'open' and 'stop')"),
        (lambda: seed.linear_profit("long", 0, 50, 0.1), "'principal' must be > 0 (got 0)"),
        (lambda: seed.linear_profit("long", 1000, 50, -1.5), "'change' must be > -1 (got -1.5)"),
        (lambda: seed.linear_profit("up", 1000, 50, 0.1), "'side' must be 'long' or 'short' (got 'up')"),
        (lambda: seed.profit("spot", "long", 1, 1, 0.1), "'contract' must be 'linear' or 'inverse'"),
        (
            lambda: seed.liquidation_change(np.array([20.0, 0.0])),
            "'leverage' must be > 0 (got 0 at index 1)",
        ),
    ],
)
def test_bad_input_raises_input_error(call: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(message)
