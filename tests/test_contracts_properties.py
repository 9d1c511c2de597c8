"""Invariants of the exact position math, property-tested with Hypothesis.

- ROE and target price round-trip;
- long and short mirror each other;
- linear and inverse agree to first order for small moves;
- net PnL at the break-even price is zero;
- the bankruptcy price loses exactly the wallet balance;
- the average entry lies between the fills and makes the PnL additive.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from contractcalc import pnl
from contractcalc.core import contracts as cx

prices = st.floats(min_value=0.01, max_value=1e6)
sizes = st.floats(min_value=1e-3, max_value=1e6)
leverages = st.floats(min_value=1, max_value=125)
fee_rates = st.floats(min_value=0, max_value=0.01)
sides = st.sampled_from(["long", "short"])
kinds = st.sampled_from(["linear", "inverse"])


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 0.0) -> bool:
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


@given(kinds, sides, prices, leverages, st.floats(min_value=-0.99, max_value=0.99))
def test_roe_and_target_price_round_trip(kind: str, side: str, entry: float, leverage: float, move: float) -> None:
    # the target for an ROE is the price whose ROE is that ROE, and back
    roe = move * leverage  # keeps the target price positive and finite on both kinds and sides
    x = cx.target_price(kind, side, entry, leverage, roe)
    assert x > 0
    assert close(cx.roe(kind, side, entry, x, leverage), roe, abs_=1e-9 * leverage)
    exit = entry * (1 + move)
    again = cx.target_price(kind, side, entry, leverage, cx.roe(kind, side, entry, exit, leverage))
    assert close(again, exit, rel=1e-8)


@given(kinds, prices, prices, sizes, leverages)
def test_roe_is_pnl_over_initial_margin(kind: str, entry: float, exit: float, size: float, leverage: float) -> None:
    gain = cx.unrealized_pnl(kind, "long", entry, exit, size)
    margin = cx.initial_margin(kind, entry, size, leverage)
    assert close(gain / margin, cx.roe(kind, "long", entry, exit, leverage), rel=1e-8, abs_=1e-9)


@given(kinds, prices, prices, sizes, fee_rates, fee_rates)
def test_long_and_short_mirror(kind: str, entry: float, exit: float, size: float, f_o: float, f_c: float) -> None:
    assert cx.unrealized_pnl(kind, "long", entry, exit, size) == -cx.unrealized_pnl(kind, "short", entry, exit, size)
    assert cx.roe(kind, "long", entry, exit, 10) == -cx.roe(kind, "short", entry, exit, 10)
    rate = 0.0001
    assert cx.funding_payment(kind, "long", exit, size, rate) == -cx.funding_payment(kind, "short", exit, size, rate)
    # fees push the break-even away from the entry, upwards for a long and downwards for a short
    long, short = (cx.breakeven_price(kind, side, entry, f_o, f_c) for side in ("long", "short"))
    assert long >= entry >= short


@given(sides, prices, sizes, st.floats(min_value=-1e-4, max_value=1e-4))
def test_linear_and_inverse_agree_to_first_order(side: str, entry: float, quantity: float, move: float) -> None:
    # An inverse position of face value F = Q·E, marked in quote at the exit, earns s·Q·(X − E)·E/X:
    # the same as the linear position up to a relative error of the move itself.
    exit = entry * (1 + move)
    linear = cx.linear_pnl(side, entry, exit, quantity)
    inverse_in_quote = cx.inverse_pnl(side, entry, exit, quantity * entry) * entry
    assert abs(inverse_in_quote - linear) <= abs(linear) * (abs(move) * 1.01 + 1e-9) + 1e-9 * quantity * entry


@given(kinds, sides, prices, sizes, fee_rates, fee_rates)
def test_net_pnl_at_the_breakeven_price_is_zero(
    kind: str, side: str, entry: float, size: float, f_o: float, f_c: float
) -> None:
    x = cx.breakeven_price(kind, side, entry, f_o, f_c)
    net = (
        cx.unrealized_pnl(kind, side, entry, x, size)
        - cx.fee(kind, entry, size, f_o)
        - cx.fee(kind, x, size, f_c)
    )
    fees = cx.fee(kind, entry, size, f_o) + cx.fee(kind, x, size, f_c)
    assert abs(net) <= 1e-9 * (fees + cx.position_value(kind, entry, size))


@settings(max_examples=50)
@given(kinds, sides, st.integers(1, 10**6), st.integers(1, 10**4), st.integers(1, 10**4), st.integers(0, 5),
       st.integers(0, 5))
def test_net_pnl_at_the_breakeven_price_is_zero_in_decimal(
    kind: str, side: str, entry: int, size: int, leverage: int, f_o: int, f_c: int
) -> None:
    # through the pnl calculator, in Decimal at 50 digits: zero to 40 digits
    with localcontext() as context:
        context.prec = 50
        rates = Decimal(f_o) / 10000, Decimal(f_c) / 10000
        x = cx.breakeven_price(kind, side, Decimal(entry), *rates)
        result = pnl(contract=kind, side=side, entry=Decimal(entry), exit=x, contracts=Decimal(size),
                     contract_size=Decimal(1), open_fee_rate=rates[0], close_fee_rate=rates[1])
        assert abs(result["net_pnl"]) <= Decimal("1e-40") * (result["notional"] + 1)
        assert result["breakeven_price"] == x


@given(kinds, sides, prices, sizes, leverages)
def test_bankruptcy_price_loses_exactly_the_initial_margin(
    kind: str, side: str, entry: float, size: float, leverage: float
) -> None:
    margin = cx.initial_margin(kind, entry, size, leverage)
    value = cx.position_value(kind, entry, size)
    x = cx.bankruptcy_price(kind, side, entry, size, margin)
    # with WB = IM: linear E·(1 − s/L), inverse E·L/(L + s)
    y = cx.bankruptcy_price_for_leverage(kind, side, entry, leverage)
    s = 1 if side == "long" else -1
    if kind == "linear":
        expected = entry * (1 - s / leverage)
        reachable = expected > 0
    else:
        reachable = leverage + s > 0
        expected = entry * leverage / (leverage + s) if reachable else None
    if not reachable:
        # a 1x linear long or 1x inverse short: no price loses the whole margin
        assert y is None
        assert x is None or (x <= 1e-9 * entry if kind == "linear" else 1 / x <= 1e-9 / entry)
        return
    assert y is not None and expected is not None
    if kind == "linear":
        assert abs(y - expected) <= 1e-12 * entry
        assert x is None or abs(x - expected) <= 1e-9 * entry
    else:
        assert abs(1 / y - 1 / expected) <= 1e-12 / entry
        assert x is not None and abs(1 / x - 1 / expected) <= 1e-9 / entry
    if x is not None:
        assert abs(cx.unrealized_pnl(kind, side, entry, x, size) + margin) <= 1e-9 * value


@given(kinds, st.lists(st.tuples(sizes, prices), min_size=1, max_size=6), prices)
def test_average_entry_lies_between_the_fills_and_adds_up_the_pnl(
    kind: str, fills: list[tuple[float, float]], exit: float
) -> None:
    qs, ps = [q for q, _ in fills], [p for _, p in fills]
    average = cx.average_entry(kind, qs, ps)
    assert min(ps) * (1 - 1e-12) <= average <= max(ps) * (1 + 1e-12)
    # the PnL of the merged position is the sum of the fills' PnLs: that defines the average entry
    separate = sum(cx.unrealized_pnl(kind, "long", p, exit, q) for q, p in fills)
    merged = cx.unrealized_pnl(kind, "long", average, exit, sum(qs))
    scale = sum(cx.position_value(kind, p, q) + cx.position_value(kind, exit, q) for q, p in fills)
    assert abs(merged - separate) <= 1e-9 * scale


@given(kinds, sides, st.lists(prices, min_size=1, max_size=5), sizes, leverages)
def test_arrays_broadcast_like_scalars(kind: str, side: str, exits: list[float], size: float, lev: float) -> None:
    # one call over an array gives the scalar answers elementwise
    entry = 1000.0
    array = cx.roe(kind, side, entry, np.array(exits), lev)
    np.testing.assert_allclose(array, [cx.roe(kind, side, entry, x, lev) for x in exits], rtol=1e-12)
    array = cx.unrealized_pnl(kind, side, entry, np.array(exits), size)
    np.testing.assert_allclose(array, [cx.unrealized_pnl(kind, side, entry, x, size) for x in exits], rtol=1e-12)
