"""Hypothesis strategies for random positions, tier tables and cross books (liquidation tests)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from contractcalc.reference.liquidation import RefPosition, RefTier
from contractcalc.venues.exchanges import EXCHANGES
from contractcalc.venues.tiers import TierTable, load_tiers

D = Decimal
ALL_EXCHANGES = list(EXCHANGES)


def dec(low: float, high: float, places: int = 6) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with a few significant places (typed-number-like)."""
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False).map(
        lambda x: D(f"{x:.{places}g}")
    )


@st.composite
def tier_table(draw: st.DrawFn, scale: Decimal, symbol: str = "X/USDT:USDT") -> TierTable:
    """1-6 tiers whose floors lie around ``scale`` (the entry notional), cum by the recurrence."""
    count = draw(st.integers(1, 6))
    factors = sorted(draw(st.lists(dec(0.2, 3, 3), min_size=count - 1, max_size=count - 1, unique=True)))
    floors = [D(0), *[scale * f for f in factors]]
    rates = sorted(draw(st.lists(dec(0.001, 0.08, 3), min_size=count, max_size=count, unique=True)))
    top = scale * 1000
    raw = [
        {
            "tier": k + 1,
            "minNotional": floors[k],
            "maxNotional": floors[k + 1] if k + 1 < count else top,
            "maintenanceMarginRate": rates[k],
            "maxLeverage": 1000,
            "info": {},
        }
        for k in range(count)
    ]
    return load_tiers({symbol: raw}, symbol)


def ref_tiers(table: TierTable | None, rate: Decimal | None = None, amount: Decimal | None = None) -> list[RefTier]:
    if table is None:
        assert rate is not None
        return [RefTier(D(0), None, rate, amount or D(0))]
    last = len(table.tiers) - 1
    return [
        RefTier(t.min_notional, None if k == last else t.max_notional, t.maintenance_margin_rate,
                t.maintenance_amount)
        for k, t in enumerate(table.tiers)
    ]


@dataclass
class Case:
    """One random single-position case, with the keywords for ``liquidation_price``."""

    exchange: str
    kind: str
    model: str
    side: str
    entry: Decimal
    size: Decimal  # Q or F
    kwargs: dict[str, Any]
    table: TierTable | None
    rate: Decimal | None
    amount: Decimal
    fee: Decimal
    balance: Decimal

    def ref_position(self) -> RefPosition:
        return RefPosition(self.side, self.entry, self.size, ref_tiers(self.table, self.rate, self.amount),
                           fee_rate=self.fee)


@st.composite
def single_case(
    draw: st.DrawFn, exchange: str | None = None, side: str | None = None, mode: str | None = None,
    tiers: bool | None = None,
) -> Case:
    exchange = exchange or draw(st.sampled_from(ALL_EXCHANGES))
    preset = EXCHANGES[exchange]
    side = side or draw(st.sampled_from(["long", "short"]))
    mode = mode or draw(st.sampled_from(["isolated", "cross"]))
    entry = draw(dec(0.5, 100000))
    leverage = draw(dec(1.2, 100, 4))
    kwargs: dict[str, Any] = {"exchange": exchange, "side": side, "entry": entry, "margin_mode": mode}
    if preset.contract == "linear":
        quantity = draw(dec(100, 1000000)) / entry
        kwargs["quantity"] = quantity
        size = quantity
        notional = quantity * entry
    else:
        contracts = draw(dec(1, 10000, 5))
        contract_size = draw(st.sampled_from([D(1), D(10), D(100)]))
        kwargs.update(contracts=contracts, contract_size=contract_size)
        size = contracts * contract_size
        notional = size / entry
    use_tiers = draw(st.booleans()) if tiers is None else tiers
    table: TierTable | None = None
    rate: Decimal | None = None
    amount = D(0)
    if use_tiers:
        table = draw(tier_table(notional))
        kwargs["tiers"] = table
    elif preset.liquidation_model == "hyperliquid":
        max_leverage = draw(st.integers(int(leverage) + 1, 200))
        kwargs["max_leverage"] = D(max_leverage)
        rate = 1 / (2 * D(max_leverage))
    else:
        rate = draw(dec(0.001, 0.08, 3))
        amount = draw(st.sampled_from([D(0), notional * rate * draw(dec(0, 0.5, 3))]))
        kwargs.update(maintenance_margin_rate=rate, maintenance_amount=amount)
    fee = D(0)
    if preset.liquidation_model == "okx":
        fee = draw(dec(0, 0.001, 3))
        kwargs["taker_fee_rate"] = fee
    initial = notional / leverage
    kwargs["leverage"] = leverage
    if mode == "isolated":
        extra = draw(st.sampled_from([D(0), initial * draw(dec(0, 1, 3))]))
        if extra:
            kwargs["extra_margin"] = extra
        balance = initial + extra
    else:
        balance = initial * draw(dec(0.5, 3, 4))
        kwargs["wallet_balance"] = balance
    return Case(exchange, preset.contract, preset.liquidation_model, side, entry, size, kwargs, table, rate,
                amount, fee, balance)
