"""book_liquidation: many accounts, isolated and cross, against hand calculations and the plain-Decimal reference."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from _liquidation_books import ALL_EXCHANGES, dec, ref_tiers, tier_table
from hypothesis import event, given, settings
from hypothesis import strategies as st

import contractcalc
from contractcalc import book_liquidation, liquidation_price
from contractcalc.book import Accounts
from contractcalc.errors import InputError
from contractcalc.reference.liquidation import RefPosition, reference_liquidation_price
from contractcalc.venues.exchanges import EXCHANGES

D = Decimal
BTC, ETH, SOL = "BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"


def test_hand_worked_book_of_three_accounts() -> None:
    # Binance USDⓈ-M, every rate given (no tiers).
    # alice (wallet 10,000, cross): BTC long 1 @ 60,000 (mark 60,000, 0.4 %), ETH short 10 @ 3,000 marked 3,100
    #   (0.5 %: MM 155, PnL −1,000). BTC sees 10,000 − 1,000 − 155 = 8,845: LP = (8,845 − 60,000) / (0.004 − 1)
    #   = 51,360.44; ETH sees 10,000 + 0 − 240 = 9,760: LP = (9,760 + 30,000) / (10 × 1.005) = 3,956.22.
    # bob (wallet 3,000, cross): BTC long 1 @ 10,000 and short 0.4 @ 10,500, both 0.4 %, marks 10,000 (hedged):
    #   formulas.md hedge mode: (3,000 − 10,000 + 4,200) / (0.004 + 0.0016 − 1 + 0.4) = 4,710.63 for both legs.
    # carol: an isolated 0.5 BTC short @ 60,000 with 3,000 of margin: (3,000 + 30,000) / (0.5 × 1.004) = 65,737.05;
    #   and an isolated 2 SOL long @ 100, 10x (margin 20 = initial margin): (20 − 200) / (2 × 0.01 − 2) = 90.91.
    book = {
        "account": ["alice", "alice", "bob", "bob", "carol", "carol"],
        "symbol": [BTC, ETH, BTC, BTC, BTC, SOL],
        "side": ["long", "short", "long", "short", "short", "long"],
        "quantity": [1, 10, 1, 0.4, 0.5, 2],
        "entry": [60000, 3000, 10000, 10500, 60000, 100],
        "mark": [60000, 3100, 10000, 10000, 60000, 100],
        "margin_mode": ["cross", "cross", "cross", "cross", "isolated", "isolated"],
        "wallet_balance": [None, None, None, None, 3000, None],
        "leverage": [None, None, None, None, None, 10],
        "maintenance_margin_rate": [0.004, 0.005, 0.004, 0.004, 0.004, 0.01],
    }
    accounts = {"account": ["bob", "alice"], "wallet_balance": [3000, 10000]}
    result = book_liquidation(book, accounts, exchange="binance-usdm")
    expected = [51155 / 0.996, 39760 / 10.05, 2800 / 0.5944, 2800 / 0.5944, 33000 / 0.502, 180 / 1.98]
    np.testing.assert_allclose(result.positions.liquidation_price, expected, rtol=1e-12)
    assert result.positions.hedged.tolist() == [False, False, True, True, False, False]
    assert result.positions.margin_mode.tolist() == book["margin_mode"]
    # bankruptcy of carol's short: E + WB / Q = 60,000 + 6,000
    assert result.positions.bankruptcy_price[4] == pytest.approx(66000)
    # accounts, sorted: alice 10,000 − 1,000 = 9,000 with 240 + 155 of MM; bob 3,000 + 0.4 × 500 = 3,200
    # with 40 + 16 of MM; carol has no cross position
    summary = result.accounts
    assert summary.account.tolist() == ["alice", "bob", "carol"]
    assert summary.margin_balance.tolist() == [9000, 3200, 0]
    np.testing.assert_allclose(summary.maintenance_margin, [395, 56, 0])
    np.testing.assert_allclose(summary.margin_ratio[:2], [395 / 9000, 56 / 3200])
    assert math.isnan(summary.margin_ratio[2])
    rows = result.to_dict()
    assert rows["positions"][0]["liquidation_price"] == pytest.approx(51360.4417670683)
    assert rows["accounts"][2]["margin_ratio"] is None


def test_the_single_account_calculator_is_the_book_engine() -> None:
    positions = [
        {"symbol": BTC, "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 60000, "markPrice": 60000,
         "maintenanceMarginRate": 0.004},
        {"symbol": ETH, "side": "short", "contracts": 10, "contractSize": 1, "entryPrice": 3000, "markPrice": 3100,
         "maintenanceMarginRate": 0.005},
    ]
    single = liquidation_price("binance-usdm", wallet_balance=10000.0, positions=positions)
    book = book_liquidation({"account": ["x", "x"], "symbol": [BTC, ETH], "side": ["long", "short"],
                             "quantity": [1, 10], "entry": [60000, 3000], "mark": [60000, 3100],
                             "maintenance_margin_rate": [0.004, 0.005]},
                            {"account": ["x"], "wallet_balance": [10000]}, exchange="binance-usdm")
    assert [p["liquidation_price"] for p in single["positions"]] == book.positions.liquidation_price.tolist()


def test_accounts_do_not_see_each_other() -> None:
    one = {"account": ["a", "a"], "symbol": [BTC, ETH], "side": ["long", "short"], "quantity": [1, 10],
           "entry": [60000, 3000], "mark": [58000, 3300], "maintenance_margin_rate": [0.004, 0.005]}
    alone = book_liquidation(one, {"account": ["a"], "wallet_balance": [5000]}).positions.liquidation_price
    two = {key: values + values for key, values in one.items()}
    two["account"] = ["a", "a", "b", "b"]
    two["quantity"] = [1, 10, 3, 1]  # b is another account, with other sizes
    both = book_liquidation(two, {"account": ["a", "b"], "wallet_balance": [5000, 100000]})
    np.testing.assert_array_equal(both.positions.liquidation_price[:2], alone)


def test_tiers_by_symbol_and_bybit_at_entry() -> None:
    # the shipped Binance table of 2021-03-18: 4.4 BTC long @ 60,000, 10x isolated is liquidated in the 0.5 % tier
    # (README: 54,259.94, tier 2), not the 1 % tier of its entry notional
    book = {"account": ["a"], "symbol": [BTC], "side": ["long"], "quantity": [4.4], "entry": [60000],
            "margin_mode": ["isolated"], "leverage": [10]}
    result = book_liquidation(book, exchange="binance-usdm", tiers="binance-usdm-BTCUSDT-2021-03-18")
    assert result.positions.liquidation_price[0] == pytest.approx(54259.93604385564, rel=1e-12)
    assert result.positions.tier.tolist() == [2] and result.positions.maintenance_margin_rate[0] == 0.005
    # Bybit values maintenance margin at entry (examples.md Y1: LP 9,850)
    bybit = {"account": ["a"], "symbol": ["BTCUSDT"], "side": ["long"], "quantity": [1], "entry": [10000],
             "margin_mode": ["isolated"], "leverage": [50], "maintenance_margin_rate": [0.005]}
    assert book_liquidation(bybit, exchange="bybit-linear").positions.liquidation_price[0] == pytest.approx(9850)


def test_no_price_is_nan_with_a_note() -> None:
    book = {"account": ["a", "b"], "symbol": [BTC, BTC], "side": ["long", "long"], "quantity": [1, 1],
            "entry": [100, 100], "margin_mode": ["isolated", "cross"], "leverage": [1, None],
            "maintenance_margin_rate": [0.004, 0.004]}
    result = book_liquidation(book, {"account": ["b"], "wallet_balance": [1000]})
    assert np.isnan(result.positions.liquidation_price).all()
    assert result.positions.tier.tolist() == [0, 0]
    assert result.positions.note[0].startswith("no liquidation by price")
    assert result.positions.note[1].startswith("no liquidation by price: the account's margin")


def test_book_errors_name_the_row() -> None:
    base = {"account": ["a", "a", "a"], "symbol": [BTC, BTC, ETH], "side": ["long", "short", "long"],
            "quantity": [1, 1, 1], "entry": [100, 100, 10], "mark": [100, 100, 10],
            "maintenance_margin_rate": [0.004, 0.004, 0.004]}
    wallets = {"account": ["a"], "wallet_balance": [100]}
    with pytest.raises(InputError, match=r"'accounts' must hold the wallet of every account.*'a' at index 0"):
        book_liquidation(base, {"account": ["z"], "wallet_balance": [1]})
    with pytest.raises(InputError, match=r"'accounts' is required: the book holds cross positions"):
        book_liquidation(base)
    with pytest.raises(InputError, match=r"'side' must leave at most one long and one short.*at index 2"):
        book_liquidation({**base, "symbol": [BTC, BTC, BTC], "side": ["long", "short", "long"]}, wallets)
    with pytest.raises(InputError, match=r"'mark' must equal the mark of row 0.*at index 1"):
        book_liquidation({**base, "mark": [100, 101, 10]}, wallets)
    with pytest.raises(InputError, match=r"'maintenance_margin_rate' is required.*at index 2"):
        book_liquidation({**base, "maintenance_margin_rate": [0.004, 0.004, None]}, wallets,
                         tiers="binance-usdm-BTCUSDT-2024-10")
    with pytest.raises(InputError, match=r"'contracts' must give a notional at entry within the tier table"):
        book_liquidation({**base, "quantity": [1e9, 1, 1]}, wallets, tiers="binance-usdm-BTCUSDT-2024-10")


def test_inverse_cross_accounts_settle_in_one_coin() -> None:
    book = {"account": ["a", "a", "b"], "symbol": ["BTC/USD:BTC", "ETH/USD:ETH", "ETH/USD:ETH"],
            "side": ["long", "long", "long"], "contracts": [10, 10, 10], "contract_size": [100, 10, 10],
            "entry": [60000, 3000, 3000], "maintenance_margin_rate": [0.004, 0.005, 0.005]}
    wallets = {"account": ["a", "b"], "wallet_balance": [1, 1]}
    with pytest.raises(InputError, match=r"'symbol' must settle in the coin.*'ETH/USD:ETH' at index 1"):
        book_liquidation(book, wallets, exchange="binance-coinm")
    # one coin per account is fine (b holds a hedged ETH pair)
    book["account"], book["side"] = ["a", "b", "b"], ["long", "long", "short"]
    result = book_liquidation(book, wallets, exchange="binance-coinm")
    assert result.positions.hedged.tolist() == [False, True, True]


def test_positions_items_are_checked_as_ccxt_writes_them() -> None:
    good = {"symbol": BTC, "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 100, "markPrice": 100,
            "maintenanceMarginPercentage": 0.004}
    result = liquidation_price("binance-usdm", wallet_balance=50, positions=[good])
    assert result["positions"][0]["liquidation_price"] == pytest.approx(50 / 0.996)  # (50 − 100) / (0.004 − 1)
    for key, value in (("contracts", [1, 2]), ("markPrice", [60000, 1]), ("leverage", {"a": 1})):
        with pytest.raises(InputError) as caught:
            liquidation_price("binance-usdm", wallet_balance=50, positions=[good, {**good, key: value}])
        assert str(caught.value).startswith(f"'positions' item 1: '{key}' must be a number")
    with pytest.raises(InputError, match="'positions' item 1: 'side' must leave at most one long leg per symbol"):
        liquidation_price("binance-usdm", wallet_balance=50, positions=[good, good])
    with pytest.raises(InputError, match="'positions' must hold at most 10,000 positions"):
        liquidation_price("binance-usdm", wallet_balance=50, positions=[good] * 10_001)
    with pytest.raises(InputError, match="'positions' item 0: 'marginMode' must be 'cross' or 'isolated'"):
        liquidation_price("binance-usdm", wallet_balance=50, positions=[{**good, "marginMode": "portfolio"}])


def test_isolated_ccxt_items_use_their_collateral() -> None:
    # an isolated 1 BTC long @ 100 marked at 90 whose ccxt collateral is 15 (PnL −10 included): margin 25,
    # LP = (25 − 100) / (0.004 − 1) = 75.30; the cross wallet of 1,000 does not help it
    item = {"symbol": BTC, "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 100, "markPrice": 90,
            "maintenanceMarginRate": 0.004, "marginMode": "isolated", "collateral": 15}
    result = liquidation_price("binance-usdm", wallet_balance=1000, positions=[item])
    assert result["positions"][0]["liquidation_price"] == pytest.approx(75 / 0.996)
    assert result["margin_balance"] == 1000  # the isolated position is not in the cross wallet
    initial = {**item, "collateral": None, "initialMargin": 25}
    assert liquidation_price("binance-usdm", wallet_balance=1000, positions=[initial])["positions"][0][
        "liquidation_price"] == pytest.approx(75 / 0.996)


def test_book_from_a_dataframe_and_the_top_level_names() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"account": ["a"], "symbol": [BTC], "side": ["short"], "quantity": [0.5],
                          "entry": [60000.0], "margin_mode": ["isolated"], "wallet_balance": [3000.0],
                          "maintenance_margin_rate": [0.004]})
    result = contractcalc.book_liquidation(contractcalc.Book.from_columns(frame))
    assert result.positions.liquidation_price[0] == pytest.approx(33000 / 0.502)
    assert isinstance(contractcalc.Accounts.from_columns({"account": ["a"], "wallet_balance": [1]}), Accounts)


# --- random books against the plain-Decimal reference ------------------------------------

SYMBOLS = {"linear": [BTC, ETH, SOL], "inverse": ["BTC/USD:BTC", "BTC/USD:BTC-250328", "BTC/USD:BTC-250627"]}


@st.composite
def random_book(draw: st.DrawFn) -> dict[str, Any]:
    exchange = draw(st.sampled_from(ALL_EXCHANGES))
    kind = EXCHANGES[exchange].contract
    base = {symbol: draw(dec(100, 100000)) for symbol in SYMBOLS[kind]}
    marks = {symbol: price * draw(dec(0.95, 1.05, 4)) for symbol, price in base.items()}
    rows: list[dict[str, Any]] = []
    wallets = {}
    # every row in the table's symbol: one table for the whole book (the engine's search by tier floors)
    one_table = draw(st.booleans())
    symbols = SYMBOLS[kind][:1] if one_table else SYMBOLS[kind]
    for account in range(draw(st.integers(1, 4))):
        used: set[tuple[str, str]] = set()
        total = D(0)
        for _ in range(draw(st.integers(1, 5))):
            symbol = draw(st.sampled_from(symbols))
            side = draw(st.sampled_from(["long", "short"]))
            isolated = draw(st.booleans()) and draw(st.booleans())
            if not isolated and (symbol, side) in used:
                continue
            if not isolated:
                used.add((symbol, side))
            entry = base[symbol] * draw(dec(0.9, 1.1, 4))
            value = draw(dec(100, 100000)) if kind == "linear" else draw(dec(0.01, 10))
            total += value
            rows.append({
                "account": f"acct{account}", "symbol": symbol, "side": side,
                "quantity": value / entry if kind == "linear" else value * entry,
                "entry": entry, "mark": marks[symbol], "isolated": isolated,
                "margin": value * draw(dec(0.02, 1, 4)) if isolated else None,
                "rate": draw(dec(0.002, 0.05, 3)),
            })
        wallets[f"acct{account}"] = total * draw(dec(0.05, 1, 4))
    table = draw(tier_table(max(D(1), sum((D(1) for _ in rows), D(0))) * (D(20000) if kind == "linear"
                                                                           else D(2)), SYMBOLS[kind][0]))
    use_table = one_table or draw(st.booleans())
    fee = draw(dec(0, 0.001, 3)) if EXCHANGES[exchange].liquidation_model == "okx" else D(0)
    return {"exchange": exchange, "kind": kind, "rows": rows, "wallets": wallets,
            "table": table if use_table else None, "fee": fee}


@settings(max_examples=120, deadline=None, derandomize=True)
@given(case=random_book())
def test_random_books_agree_with_the_reference(case: dict[str, Any]) -> None:
    rows, kind = case["rows"], case["kind"]
    if not rows:
        return
    table = case["table"]
    with_table = [table is not None and row["symbol"] == table.symbol for row in rows]
    columns = {
        "account": [row["account"] for row in rows], "symbol": [row["symbol"] for row in rows],
        "side": [row["side"] for row in rows], "contracts": [float(row["quantity"]) for row in rows],
        "contract_size": [1.0] * len(rows), "entry": [float(row["entry"]) for row in rows],
        "mark": [float(row["mark"]) for row in rows],
        "margin_mode": ["isolated" if row["isolated"] else "cross" for row in rows],
        "wallet_balance": [float(row["margin"]) if row["isolated"] else None for row in rows],
        "maintenance_margin_rate": [None if t else float(row["rate"]) for row, t in zip(rows, with_table, strict=True)],
    }
    accounts = {"account": list(case["wallets"]), "wallet_balance": [float(w) for w in case["wallets"].values()]}
    try:
        result = book_liquidation(columns, accounts, exchange=case["exchange"], tiers=table,
                                  taker_fee_rate=float(case["fee"]) if kind and case["fee"] else None)
    except InputError as error:  # a notional beyond the random table: refused, and said so
        assert "within the tier table" in str(error)
        event("refused: notional beyond the table")
        return
    event(f"tiers: {table is not None}, one table: {all(with_table)}, hedged: {bool(result.positions.hedged.any())}")
    model = EXCHANGES[case["exchange"]].liquidation_model
    fee = case["fee"] if model == "okx" and case["fee"] else (EXCHANGES[case["exchange"]].taker_fee_rate
                                                              if model == "okx" else D(0))
    refs = [RefPosition(row["side"], D(columns["entry"][k]), D(columns["contracts"][k]),
                        ref_tiers(table if with_table[k] else None, D(columns["maintenance_margin_rate"][k])
                                  if not with_table[k] else None), D(columns["mark"][k]), fee)
            for k, row in enumerate(rows)]
    for k, row in enumerate(rows):
        if row["isolated"]:
            group, others, wallet = [refs[k]], [], D(columns["wallet_balance"][k])
        else:
            same = [j for j, r in enumerate(rows) if r["account"] == row["account"] and not r["isolated"]]
            group = [refs[j] for j in same if rows[j]["symbol"] == row["symbol"]]
            others = [refs[j] for j in same if rows[j]["symbol"] != row["symbol"]]
            wallet = D(accounts["wallet_balance"][accounts["account"].index(row["account"])])
        expected = reference_liquidation_price(model, kind, wallet, group, others, start=refs[k].mark)
        got = result.positions.liquidation_price[k]
        if expected is None:  # the reference looks within a factor 10^8 of the mark: beyond it is "no price"
            mark = columns["mark"][k]
            assert math.isnan(got) or not 1e-8 * mark < got < 1e8 * mark, (k, got)
        else:
            assert math.isclose(got, float(expected), rel_tol=1e-9), (k, got, expected)
