"""Regression tests from the audit of the exchange-exact position math (each failed before its fix)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from contractcalc import InputError, contracts, cost, max_open, pnl, target

D = Decimal


def test_a_bad_funding_mark_is_reported_on_funding_mark() -> None:
    # It was validated inside funding_payment as 'mark', so the CLI said '--mark' (a flag pnl lacks).
    with pytest.raises(InputError) as caught:
        pnl(contract="linear", side="long", entry=D(100), exit=D(110), quantity=D(1),
            funding_rate=D("0.0001"), funding_mark=D(0))
    assert str(caught.value) == "'funding_mark' must be > 0 (got 0)"
    assert caught.value.flag == "--funding-mark"


@pytest.mark.parametrize(
    ("contract", "side", "roe", "message"),
    [
        ("linear", "long", D(-10), "'roe' must be > -leverage for a linear long (the price would reach 0) (got -10)"),
        ("linear", "short", D(10), "'roe' must be < leverage for a linear short (the price would reach 0) (got 10)"),
        ("inverse", "long", D(10),
         "'roe' must be < leverage for an inverse long (the price would be infinite) (got 10)"),
        ("inverse", "short", D(-10),
         "'roe' must be > -leverage for an inverse short (the price would be infinite) (got -10)"),
    ],
)
def test_an_unreachable_roe_names_the_side_and_bound_it_breaks(contract: str, side: str, roe: D,
                                                               message: str) -> None:
    # A linear long at ROE -10 (10x) needs price 0: the message said "< leverage for a linear short".
    with pytest.raises(InputError) as caught:
        target(contract=contract, side=side, entry=D(100), leverage=D(10), roe=roe)
    assert str(caught.value) == message
    # just inside the bound the price exists: linear long at ROE -9.9 at 10x is 100 × 0.01 = 1
    inside = roe * D("0.99")
    price = target(contract=contract, side=side, entry=D(100), leverage=D(10), roe=inside)["target_price"]
    assert price == (D(1) if contract == "linear" else D(10000))


@pytest.mark.parametrize(
    ("kind", "entry", "mark"),
    [(float, 100.0, 101.0), (D, D(100), D(101))],
)
def test_open_loss_of_zero_has_the_inputs_type(kind: type, entry: Any, mark: Any) -> None:
    # A long whose mark is above the order price has no open loss: it was the int 0 for any input.
    loss = contracts.open_loss("linear", "long", entry, mark, kind(1))
    assert loss == 0 and type(loss) is kind
    result = cost(contract="linear", side="long", entry=entry, leverage=kind(10), quantity=kind(1), mark=mark)
    assert type(result["open_loss"]) is kind
    # an order at the mark of a short: no loss, and not a negative zero
    flat = contracts.open_loss("linear", "short", entry, entry, kind(1))
    assert flat == 0 and str(flat) in ("0", "0.0")


def test_max_open_over_a_decimal_array_of_leverages_where_the_tier_cap_binds() -> None:
    # 2021 table: tier 2 up to 250,000 at 100x, tier 3 up to 1,000,000 at 50x.  100,000 USDT at
    # 10x / 50x / 100x: 1,000,000 / min(5,000,000, 1,000,000) / min(10,000,000, 250,000).
    # The tier bounds were floats and Decimal / float raised TypeError.
    leverage = np.array([D(10), D(50), D(100)], dtype=object)
    result = max_open(tiers="binance-usdm-BTCUSDT-2021-03-18", contract="linear", balance=D(100000),
                      leverage=leverage, entry=D(50000))
    assert list(result["max_notional"]) == [D(1000000), D(1000000), D(250000)]
    assert list(result["max_quantity"]) == [D(20), D(20), D(5)]
    assert all(isinstance(x, Decimal) for x in result["max_quantity"])
    floats = max_open(tiers="binance-usdm-BTCUSDT-2021-03-18", contract="linear", balance=100000.0,
                      leverage=np.array([10.0, 50.0, 100.0]), entry=50000.0)
    assert floats["max_notional"].tolist() == [1e6, 1e6, 250000.0]


def test_plan_over_arrays_broadcasts_stop_before_liquidation_without_a_leverage() -> None:
    # Without --leverage the flag was the scalar True beside arrays of every other figure.
    from contractcalc.engines.plan import plan

    result = plan("long", np.array([100.0, 200.0]), np.array([90.0, 150.0]), 300.0, 1000.0)
    assert result["leverage"].tolist() == pytest.approx([10.0, 4.0])
    assert isinstance(result["stop_before_liquidation"], np.ndarray)
    assert result["stop_before_liquidation"].tolist() == [True, True]
    assert plan("long", 100.0, 90.0, 120.0, 1000.0)["stop_before_liquidation"] is True
