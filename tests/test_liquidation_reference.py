"""The array path and the cross solver against the plain-Decimal reference on random books.

:mod:`contractcalc.liquidation_reference` solves the margin equation by
scanning and bisection with the tier looked up at every trial price; the
engine uses closed forms per tier with NumPy masks.  They must agree.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
from _liquidation_books import ALL_EXCHANGES, dec, ref_tiers, tier_table
from hypothesis import given, settings
from hypothesis import strategies as st

from contractcalc import liquidation_price
from contractcalc.reference.liquidation import RefPosition, reference_liquidation_price
from contractcalc.venues.exchanges import EXCHANGES

D = Decimal


def _agree(engine: Any, reference: Decimal | None, rel: float) -> bool:
    if reference is None:
        return engine is None or (isinstance(engine, float) and math.isnan(engine))
    if engine is None or (isinstance(engine, float) and math.isnan(engine)):
        return False
    return math.isclose(float(engine), float(reference), rel_tol=rel)


@st.composite
def isolated_book(draw: st.DrawFn) -> dict[str, Any]:
    exchange = draw(st.sampled_from(ALL_EXCHANGES))
    preset = EXCHANGES[exchange]
    n = draw(st.integers(1, 25))
    scale = draw(dec(1000, 1000000)) if preset.contract == "linear" else draw(dec(0.1, 100))
    leverages = st.floats(1.2, 100) if preset.contract == "inverse" else st.one_of(st.just(1.0), st.floats(1.2, 100))
    book = {
        "exchange": exchange,
        "side": np.array(draw(st.lists(st.sampled_from(["long", "short"]), min_size=n, max_size=n))),
        "entry": np.array(draw(st.lists(st.floats(100, 100000), min_size=n, max_size=n))),
        "notional": np.array(draw(st.lists(st.floats(0.1, 3), min_size=n, max_size=n))) * float(scale),
        "leverage": np.array(draw(st.lists(leverages, min_size=n, max_size=n))),
    }
    if draw(st.booleans()):
        book["table"] = draw(tier_table(scale))
    elif preset.liquidation_model == "hyperliquid":
        book["max_leverage"] = 200.0
    else:
        book["rate"] = draw(st.floats(0.001, 0.05))
    book["fee"] = draw(st.floats(0, 0.001)) if preset.liquidation_model == "okx" else 0.0
    return book


@settings(max_examples=60, deadline=None)
@given(book=isolated_book())
def test_array_path_agrees_with_the_reference(book: dict[str, Any]) -> None:
    preset = EXCHANGES[book["exchange"]]
    kind = preset.contract
    entry, notional = book["entry"], book["notional"]
    kwargs: dict[str, Any] = {"exchange": book["exchange"], "side": book["side"], "entry": entry,
                              "leverage": book["leverage"]}
    if kind == "linear":
        kwargs["quantity"] = size = notional / entry
    else:
        kwargs.update(contracts=notional * entry, contract_size=1.0)  # F = notional (coin) × E
        size = notional * entry
    table = book.get("table")
    if table is not None:
        kwargs["tiers"] = table
    elif "max_leverage" in book:
        kwargs["max_leverage"] = book["max_leverage"]
    else:
        kwargs["maintenance_margin_rate"] = book["rate"]
    if preset.liquidation_model == "okx":
        kwargs["taker_fee_rate"] = book["fee"]
    result = liquidation_price(**kwargs)

    if table is not None:
        tiers = ref_tiers(table)
    elif "max_leverage" in book:
        tiers = ref_tiers(None, 1 / (2 * D(book["max_leverage"])))
    else:
        tiers = ref_tiers(None, D(book["rate"]))
    for k in range(len(entry)):
        e, q, lev = D(entry[k]), D(size[k]), D(book["leverage"][k])
        wallet = q * e / lev if kind == "linear" else q / e / lev
        pos = RefPosition(str(book["side"][k]), e, q, tiers, fee_rate=D(book["fee"]))
        expected = reference_liquidation_price(preset.liquidation_model, kind, wallet, [pos])
        got = result["liquidation_price"][k]
        assert _agree(got, expected, 1e-9), (k, got, expected)


SYMBOLS = {"linear": ["BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"],
           "inverse": ["BTC/USD:BTC", "BTC/USD:BTC-250328", "BTC/USD:BTC-250627"]}


@st.composite
def cross_book(draw: st.DrawFn) -> dict[str, Any]:
    exchange = draw(st.sampled_from(ALL_EXCHANGES))
    kind = EXCHANGES[exchange].contract
    n = draw(st.integers(1, 6))
    positions = []
    total = D(0)
    base = {symbol: draw(dec(100, 100000)) for symbol in SYMBOLS[kind]}
    marks = {symbol: price * draw(dec(0.95, 1.05, 4)) for symbol, price in base.items()}
    used: set[tuple[str, str]] = set()
    for _ in range(n):
        symbol = draw(st.sampled_from(SYMBOLS[kind]))
        side = draw(st.sampled_from(["long", "short"]))
        if (symbol, side) in used:  # hedge mode: at most one long and one short leg per symbol
            continue
        used.add((symbol, side))
        entry = base[symbol] * draw(dec(0.9, 1.1, 4))
        mark = marks[symbol]
        value = draw(dec(100, 100000)) if kind == "linear" else draw(dec(0.01, 10))
        contracts = value / entry if kind == "linear" else value * entry
        total += value
        positions.append({
            "symbol": symbol,
            "side": side,
            "contracts": contracts,
            "contractSize": D(1),
            "entryPrice": entry,
            "markPrice": mark,
            "maintenanceMarginRate": draw(dec(0.002, 0.05, 3)),
            "maintenanceAmount": D(0),
        })
    wallet = total * draw(dec(0.05, 1, 4))
    tiers = None
    if draw(st.booleans()):
        symbol = SYMBOLS[kind][0]
        table = draw(tier_table(total / 2, symbol))
        tiers = table
        for pos in positions:
            if pos["symbol"] == symbol:
                pos["maintenanceMarginRate"] = None
    fee = draw(dec(0, 0.001, 3)) if EXCHANGES[exchange].liquidation_model == "okx" else None
    return {"exchange": exchange, "positions": positions, "wallet": wallet, "tiers": tiers, "fee": fee}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(book=cross_book())
def test_cross_solver_agrees_with_the_reference(book: dict[str, Any]) -> None:
    preset = EXCHANGES[book["exchange"]]
    kind = preset.contract
    result = liquidation_price(book["exchange"], wallet_balance=book["wallet"], positions=book["positions"],
                               tiers=book["tiers"], taker_fee_rate=book["fee"])
    fee = book["fee"] if book["fee"] is not None else (preset.taker_fee_rate if preset.liquidation_model == "okx"
                                                        else D(0))
    refs = []
    for pos in book["positions"]:
        table = book["tiers"] if pos["maintenanceMarginRate"] is None else None
        tiers = ref_tiers(table, pos["maintenanceMarginRate"])
        refs.append(RefPosition(pos["side"], pos["entryPrice"], pos["contracts"], tiers, pos["markPrice"], fee))
    for k, pos in enumerate(book["positions"]):
        group = [refs[j] for j, p in enumerate(book["positions"]) if p["symbol"] == pos["symbol"]]
        others = [refs[j] for j, p in enumerate(book["positions"]) if p["symbol"] != pos["symbol"]]
        expected = reference_liquidation_price(preset.liquidation_model, kind, book["wallet"], group, others,
                                               start=pos["markPrice"])
        got = result["positions"][k]["liquidation_price"]
        assert _agree(got, expected, 1e-15), (k, got, expected)
