"""The fast calculators agree with the plain-``Decimal`` reference on random inputs.

The reference (``contractcalc.reference``) works each figure out step by step,
with ``if``/``else`` on the side and a bisection for the break-even price;
the calculators use the factored formulas of ``contractcalc.contracts``.
Inputs are random ``Decimal`` values; the calculators run on them as given,
and on their float versions.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractcalc import average_entry, cost, max_open, pnl, size, target
from contractcalc.reference import contracts as reference
from contractcalc.venues.tiers import load_tiers

D = Decimal


def decimals(low: str, high: str, places: int = 4) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=D(low), max_value=D(high), places=places, allow_nan=False, allow_infinity=False)


prices = decimals("0.5", "200000", 2)
quantities = decimals("0.001", "1000", 3)
leverages = decimals("1", "125", 1)
fee_rates = decimals("0", "0.002", 5)
sides = st.sampled_from(["long", "short"])
kinds = st.sampled_from(["linear", "inverse"])


RELATIVE = D("1e-20")


def agree(fast: Any, slow: Any, rel: Decimal = RELATIVE, scale: Decimal | None = None) -> None:
    """Same value (``None`` alike), within ``rel`` (Decimal) or 1e-9 (float) of ``scale``.

    ``scale`` (default: the value itself) is the size of the terms a result is the
    difference of: a float difference of large terms is only good relative to them.
    """
    if slow is None:
        assert fast is None
        return
    assert fast is not None
    if isinstance(fast, float):
        tolerance = 1e-9 * max(abs(float(slow)), float(scale or 0), 1e-12)
        assert abs(fast - float(slow)) <= tolerance, (fast, slow)
        return
    assert abs(D(fast) - slow) <= rel * max(abs(slow), scale or 0, D("1e-12")), (fast, slow)


def size_keywords(kind: str, quantity: Decimal) -> dict[str, Any]:
    if kind == "linear":
        return {"quantity": quantity}
    return {"contracts": quantity, "contract_size": D(10)}


def face(kind: str, quantity: Decimal) -> Decimal:
    return quantity if kind == "linear" else quantity * 10


def floats(keywords: dict[str, Any]) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in keywords.items()}


@settings(max_examples=150)
@given(kinds, sides, prices, prices, quantities, leverages, fee_rates, fee_rates,
       decimals("-0.001", "0.001", 6), st.integers(0, 30), st.one_of(st.none(), prices))
def test_pnl_agrees_with_the_reference(
    kind: str, side: str, entry: Decimal, exit: Decimal, quantity: Decimal, leverage: Decimal,
    f_o: Decimal, f_c: Decimal, funding_rate: Decimal, intervals: int, funding_mark: Decimal | None,
) -> None:
    keywords = dict(contract=kind, side=side, entry=entry, exit=exit, leverage=leverage, open_fee_rate=f_o,
                    close_fee_rate=f_c, funding_rate=funding_rate, funding_intervals=D(intervals),
                    funding_mark=funding_mark, **size_keywords(kind, quantity))
    slow = reference.pnl(kind, side, entry, exit, face(kind, quantity), leverage, f_o, f_c, funding_rate,
                         D(intervals), funding_mark)
    fast = pnl(**keywords)
    as_floats = pnl(**floats(keywords))
    assert list(fast) == list(slow)
    terms = abs(slow["pnl"] or 0) + abs(slow["fees"] or 0) + abs(slow["funding"] or 0)
    for key in slow:
        scale = terms if key == "net_pnl" else None
        agree(fast[key], slow[key], scale=scale)
        agree(as_floats[key], slow[key], scale=scale)


@settings(max_examples=150)
@given(kinds, sides, prices, leverages, decimals("-0.95", "0.95", 4))
def test_target_agrees_with_the_reference(
    kind: str, side: str, entry: Decimal, leverage: Decimal, move: Decimal
) -> None:
    roe = move * leverage  # a reachable ROE on both kinds and sides
    slow = reference.target_price(kind, side, entry, leverage, roe)
    agree(target(contract=kind, side=side, entry=entry, leverage=leverage, roe=roe)["target_price"], slow)
    agree(target(contract=kind, side=side, entry=float(entry), leverage=float(leverage),
                 roe=float(roe))["target_price"], slow)


@settings(max_examples=100)
@given(kinds, st.lists(st.tuples(quantities, prices), min_size=1, max_size=8))
def test_average_entry_agrees_with_the_reference(kind: str, fills: list[tuple[Decimal, Decimal]]) -> None:
    slow = reference.average_entry(kind, fills)
    fast = average_entry(contract=kind, fill=[f"{q}@{p}" for q, p in fills])
    agree(fast["average_entry"], slow["average_entry"])
    assert fast["total_size"] == slow["total_size"]
    as_floats = average_entry(contract=kind, fill=[(float(q), float(p)) for q, p in fills])
    agree(as_floats["average_entry"], slow["average_entry"])


@settings(max_examples=150)
@given(kinds, sides, prices, leverages, quantities, st.one_of(st.none(), prices), fee_rates)
def test_cost_agrees_with_the_reference(
    kind: str, side: str, entry: Decimal, leverage: Decimal, quantity: Decimal, mark: Decimal | None,
    fee_rate: Decimal,
) -> None:
    keywords = dict(contract=kind, side=side, entry=entry, leverage=leverage, mark=mark, fee_rate=fee_rate,
                    **size_keywords(kind, quantity))
    slow = reference.cost(kind, side, entry, leverage, face(kind, quantity), mark, fee_rate)
    fast = cost(**keywords)
    as_floats = cost(**floats(keywords))
    assert list(fast) == list(slow)
    for key in slow:
        agree(fast[key], slow[key])
        if not (slow[key] is None or (key == "bankruptcy_price" and leverage == 1)):
            agree(as_floats[key], slow[key])


@settings(max_examples=150)
@given(kinds, sides, decimals("1", "1000000", 2), decimals("0.001", "1", 3), prices,
       decimals("0.001", "0.5", 3), decimals("0.001", "2", 3), fee_rates, fee_rates)
def test_size_agrees_with_the_reference(
    kind: str, side: str, balance: Decimal, risk_rate: Decimal, entry: Decimal, stop_move: Decimal,
    target_move: Decimal, f_o: Decimal, f_c: Decimal,
) -> None:
    s = 1 if side == "long" else -1
    stop = entry * (1 - s * stop_move)
    target_price = entry * (1 + s * target_move) if s == 1 or target_move < 1 else None
    keywords: dict[str, Any] = dict(contract=kind, side=side, balance=balance, risk_rate=risk_rate, entry=entry,
                                    stop=stop, target=target_price, open_fee_rate=f_o, close_fee_rate=f_c)
    if kind == "inverse":
        keywords["contract_size"] = D(10)
    slow = reference.size(kind, side, balance, risk_rate, entry, stop, target_price, f_o, f_c)
    fast = size(**keywords)
    as_floats = size(**floats(keywords))
    count = "quantity" if kind == "linear" else "contracts"
    scale = 1 if kind == "linear" else 10
    agree(fast[count] * scale, slow["quantity"])
    agree(as_floats[count] * scale, slow["quantity"])
    gross = (target_move + f_o + f_c) / stop_move  # the terms the reward/risk ratio is a difference of
    for key in ("notional", "risk_amount", "leverage_needed", "reward_risk_ratio"):
        scale = gross if key == "reward_risk_ratio" else None
        agree(fast[key], slow[key], scale=scale)
        agree(as_floats[key], slow[key], scale=scale)


TABLES = ["binance-usdm-BTCUSDT-2021-03-18", "binance-usdm-BTCUSDT-2024-10", "bybit-linear-BTCUSDT"]


@settings(max_examples=100)
@given(st.sampled_from(TABLES), decimals("1", "100000000", 2), st.integers(1, 125), prices)
def test_max_open_agrees_with_the_reference(name: str, balance: Decimal, leverage: int, entry: Decimal) -> None:
    table = load_tiers(name)
    slow = reference.max_open([(t.max_notional, t.max_leverage) for t in table.tiers], balance, D(leverage))
    if slow is None or leverage > table.tiers[0].max_leverage:
        with pytest.raises(ValueError, match="the cap of tier 1"):
            max_open(tiers=name, contract="linear", balance=balance, leverage=D(leverage), entry=entry)
        return
    fast = max_open(tiers=name, contract="linear", balance=balance, leverage=D(leverage), entry=entry)
    agree(fast["max_notional"], slow)
    with localcontext() as context:
        context.prec = 28
        agree(fast["max_quantity"], slow / entry)
    as_floats = max_open(tiers=name, contract="linear", balance=float(balance), leverage=float(leverage),
                         entry=float(entry))
    agree(as_floats["max_notional"], slow)


def test_the_reference_break_even_is_a_search_not_the_formula() -> None:
    # hand check of the reference itself: long 1 BTC @ 10,000, 0.05 % both ways → 10,010.005002501…
    x = reference.breakeven_price("linear", "long", D(10000), D("0.0005"), D("0.0005"))
    assert abs(x - D(10000) * D("1.0005") / D("0.9995")) < D("1e-30")
