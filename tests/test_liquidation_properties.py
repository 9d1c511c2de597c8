"""Invariants of the liquidation engine, for every exchange, side, contract kind and mode.

- At the computed price the margin balance equals the requirement (maintenance
  margin, plus the fee to close on okx-*), the requirement being evaluated by
  the plain reference (tier looked up at that price; Bybit: at entry).
- The tier reported holds the notional at the liquidation price (Bybit: at entry).
- Adding margin moves the price away from entry.
- Isolated equals cross for a single position with the same balance, and the
  positions-file form agrees with both.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

import pytest
from _liquidation_books import ALL_EXCHANGES, Case, dec, single_case
from hypothesis import given, settings
from hypothesis import strategies as st

from contractcalc import liquidation_price
from contractcalc.reference.liquidation import margin_gap, requirement
from contractcalc.venues.exchanges import EXCHANGES

D = Decimal
SIDES = ["long", "short"]
MODES = ["isolated", "cross"]
COMBINATIONS = [(ex, side, mode) for ex in ALL_EXCHANGES for side in SIDES for mode in MODES]


def _value(case: Case, price: Decimal) -> Decimal:
    return case.size * price if case.kind == "linear" else case.size / price


@pytest.mark.parametrize(("exchange", "side", "mode"), COMBINATIONS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_margin_balance_equals_requirement_at_the_price(exchange: str, side: str, mode: str, data: Any) -> None:
    case = data.draw(single_case(exchange, side, mode))
    result = liquidation_price(**case.kwargs)
    price = result["liquidation_price"]
    pos = case.ref_position()
    with localcontext() as ctx:
        ctx.prec = 40
        if price is None:
            # no price liquidates: the balance stays above the requirement at the extremes
            far = case.entry / 10**9 if side == "long" else case.entry * 10**9
            assert margin_gap(case.model, case.kind, case.balance, [pos], [], far) > 0
            return
        assert price > 0
        if price > case.entry * 10**12:
            # an inverse short whose margin is its value to 1e-25: both prices are rounding noise
            return
        gap = margin_gap(case.model, case.kind, case.balance, [pos], [], price)
        scale = case.balance + _value(case, price) + _value(case, case.entry)
        assert abs(gap) <= scale * D("1e-20"), (gap, result)
        # the requirement in the output is the reference's (maintenance part) and its tier holds the notional
        mm = requirement(case.model if case.model != "okx" else "binance", case.kind, pos, price)
        assert abs(result["maintenance_margin"] - mm) <= scale * D("1e-20")
        if case.table is not None:
            valued = _value(case, case.entry if case.model == "bybit" else price)
            tier = next(t for t in case.table.tiers if t.tier == result["tier"])
            last = case.table.tiers[-1].tier == tier.tier
            assert tier.min_notional <= valued * (1 + D("1e-20")) or tier.tier == 1
            assert valued * (1 - D("1e-20")) <= tier.max_notional or last
        # with a non-negative requirement, the liquidation comes before the bankruptcy
        bankrupt = result["bankruptcy_price"]
        if bankrupt is not None and result["maintenance_margin"] >= 0:
            assert (price - bankrupt) * (1 if side == "long" else -1) >= -scale * D("1e-20")


@pytest.mark.parametrize(("exchange", "side", "mode"), COMBINATIONS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_more_margin_moves_the_price_away(exchange: str, side: str, mode: str, data: Any) -> None:
    case = data.draw(single_case(exchange, side, mode))
    added = case.balance * data.draw(dec(0.01, 2, 3))
    more = dict(case.kwargs)
    if mode == "isolated":
        more["extra_margin"] = more.get("extra_margin", D(0)) + added
    else:
        more["wallet_balance"] = case.balance + added
    before = liquidation_price(**case.kwargs)["liquidation_price"]
    after = liquidation_price(**more)["liquidation_price"]
    if before is None:
        assert after is None
    elif after is not None:
        assert (before - after) * (1 if side == "long" else -1) > 0


@pytest.mark.parametrize("exchange", ALL_EXCHANGES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_isolated_equals_cross_for_one_position(exchange: str, data: Any) -> None:
    case = data.draw(single_case(exchange, mode="isolated"))
    isolated = liquidation_price(**case.kwargs)
    cross_kwargs = {k: v for k, v in case.kwargs.items() if k != "extra_margin"}
    cross_kwargs.update(margin_mode="cross", wallet_balance=case.balance)
    cross = liquidation_price(**cross_kwargs)
    for key in ("liquidation_price", "bankruptcy_price", "maintenance_margin", "tier"):
        assert isolated[key] == cross[key], key

    # the positions-file form of the same single position
    position: dict[str, Any] = {
        "symbol": case.table.symbol if case.table is not None else "X/USD:X",
        "side": case.side,
        "entryPrice": case.entry,
        "markPrice": case.entry,
    }
    if case.kind == "linear":
        position.update(contracts=case.kwargs["quantity"], contractSize=1)
    else:
        position.update(contracts=case.kwargs["contracts"], contractSize=case.kwargs["contract_size"])
    if case.table is None:
        position.update(maintenanceMarginRate=case.rate, maintenanceAmount=case.amount)
    book = liquidation_price(exchange, wallet_balance=case.balance, positions=[position],
                             tiers=case.table, taker_fee_rate=case.kwargs.get("taker_fee_rate"))
    row = book["positions"][0]
    assert row["liquidation_price"] == isolated["liquidation_price"]
    assert row["bankruptcy_price"] == isolated["bankruptcy_price"]


def test_every_exchange_is_covered() -> None:
    kinds = {(EXCHANGES[ex].contract, EXCHANGES[ex].liquidation_model) for ex in ALL_EXCHANGES}
    assert ("linear", "binance") in kinds and ("inverse", "okx") in kinds and len(ALL_EXCHANGES) == 7
