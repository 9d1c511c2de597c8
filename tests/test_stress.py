"""Book stress (engines/stress.py): hand-built books worked out here, a slow reference, exact moves.

Every expected figure is either worked out in the test (the margin balance of
a cross account is linear in the shock with a fixed rate) or comes from an
independent implementation: a per-pool Python loop over the shocked marks
with the tier table's own lookup (:func:`_reference_ladder`), the
single-position liquidation price of :func:`contractcalc.liquidation_price`
and the cross-account prices of :func:`contractcalc.engines.cross.cross_liquidation`.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from _stress_books import BTC, ETH, SOL, TIERS, random_book

from contractcalc.engines.cross import cross_liquidation
from contractcalc.engines.liquidation import liquidation_price
from contractcalc.engines.stress import (
    Scenario,
    account_moves,
    parse_shocks,
    prepare_book,
    span_scenarios,
    stress,
)
from contractcalc.errors import InputError
from contractcalc.venues.exchanges import exchange_preset
from contractcalc.venues.tiers import load_tiers


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in result.rows()]


def _ladder(book: Any, shocks: str) -> dict[float, dict[str, Any]]:
    return {float(row["shock"]): row for row in _rows(stress(book, parse_shocks(shocks)))}


# ---------------------------------------------------------------------------
# Hand-built books


def _hand_book() -> Any:
    """Binance USDⓈ-M, fixed rates:

    A (cross, wallet 2,000): long 1 BTC @ 50,000 (MMR 0.4 %), short 10 ETH @ 3,000 (MMR 0.5 %), marks = entries.
        g(k) = 2,000 + 50,000k − 30,000k − 200(1+k) − 150(1+k) = 1,650 + 19,650k → liquidated for k <= −0.08397.
    B (isolated): long 2 ETH @ 3,000, 10x → margin 600; g(k) = 600 + 6,000k − 30(1+k) = 570 + 5,970k → k <= −0.09548.
    C (cross, wallet 1,000, hedge legs): long 1 BTC @ 50,000 and short 0.5 BTC @ 52,000, mark 50,000, MMR 0.4 %:
        g(k) = 1,000 + 50,000k − 0.5(50,000k − 2,000) − 300(1+k) = 1,700 + 24,700k → k <= −0.06883.
    D (cross, wallet 500): short 100 SOL @ 100 marked 100 (MMR 1 %): g(k) = 500 − 10,000k − 100(1+k)
        = 400 − 10,100k → liquidated for k >= 0.0396.
    """
    positions = {
        "account": ["A", "A", "B", "C", "C", "D"],
        "symbol": [BTC, ETH, ETH, BTC, BTC, SOL],
        "side": ["long", "short", "long", "long", "short", "short"],
        "quantity": [1, 10, 2, 1, 0.5, 100],
        "entry": [50000, 3000, 3000, 50000, 52000, 100],
        "mark": [50000, 3000, 3000, 50000, 50000, 100],
        "margin_mode": ["cross", "cross", "isolated", "cross", "cross", "cross"],
        "leverage": [None, None, 10, None, None, None],
        "maintenance_margin_rate": [0.004, 0.005, 0.005, 0.004, 0.004, 0.01],
    }
    accounts = {"account": ["A", "C", "D"], "wallet_balance": [2000, 1000, 500]}
    return prepare_book(positions, accounts, exchange="binance-usdm")


def test_hand_book_counts_and_sums_per_shock() -> None:
    ladder = _ladder(_hand_book(), "-0.2:0.1:0.05")
    assert [float(k) for k in ladder] == [-0.2, -0.15, -0.1, -0.05, 0.0, 0.05, 0.1]
    # −0.05: nobody (A at 1,650 − 982.5 > 0, B at 570 − 298.5, C at 1,700 − 1,235, D not short-shocked)
    assert ladder[-0.05]["accounts_liquidated"] == 0
    assert ladder[0.0]["accounts_liquidated"] == 0
    # −0.1: A (2 positions), B (1), C (2); notional 45,000 + 27,000 + 5,400 + 45,000 + 22,500
    row = ladder[-0.1]
    assert (row["accounts_liquidated"], row["positions_liquidated"]) == (3, 5)
    assert row["notional_liquidated"] == pytest.approx(144_900, rel=1e-12)
    # margin balances at −0.1: A 2,000 − 2,000 = 0; B 600 − 600 = 0; C 1,000 − 5,000 + 3,500 = −500 → shortfall 500
    assert row["shortfall"] == pytest.approx(500, rel=1e-12)
    # −0.2: A 2,000 − 4,000 = −2,000; B 600 − 1,200 = −600; C 1,000 − 10,000 + 6,000 = −3,000
    row = ladder[-0.2]
    assert (row["accounts_liquidated"], row["positions_liquidated"]) == (3, 5)
    assert row["notional_liquidated"] == pytest.approx((40_000 + 24_000) + 4_800 + 60_000, rel=1e-12)
    assert row["shortfall"] == pytest.approx(2_000 + 600 + 3_000, rel=1e-12)
    # up: D only (k >= 0.0396); at +0.1 its balance is 500 − 1,000 = −500; notional 11,000
    assert ladder[0.05]["accounts_liquidated"] == 1 and ladder[0.05]["positions_liquidated"] == 1
    assert ladder[0.05]["notional_liquidated"] == pytest.approx(10_500, rel=1e-12)
    assert ladder[0.05]["shortfall"] == 0
    assert ladder[0.1]["shortfall"] == pytest.approx(500, rel=1e-12)


def test_hand_book_moves_solved_exactly() -> None:
    moves = account_moves(_hand_book())
    by = {name: k for k, name in enumerate(moves.account.tolist())}
    assert moves.liquidation_move_down[by["A"]] == pytest.approx(-1650 / 19650, rel=1e-12)
    assert moves.liquidation_move_down[by["B"]] == pytest.approx(-570 / 5970, rel=1e-12)
    assert moves.liquidation_move_down[by["C"]] == pytest.approx(-1700 / 24700, rel=1e-12)
    assert moves.liquidation_move_up[by["D"]] == pytest.approx(400 / 10100, rel=1e-12)
    # A is net long (g rises with k): no rise liquidates it; D is a short: no fall does
    assert math.isnan(moves.liquidation_move_up[by["A"]]) and math.isnan(moves.liquidation_move_down[by["D"]])
    # margin now: A 2,000 (PnL 0), maintenance 200 + 150; C 1,000 + 0 + 1,000 (the short's PnL)
    assert moves.margin_balance[by["A"]] == pytest.approx(2000)
    assert moves.maintenance_margin[by["A"]] == pytest.approx(350)
    assert moves.margin_ratio[by["A"]] == pytest.approx(350 / 2000)
    assert moves.margin_balance[by["C"]] == pytest.approx(2000)
    assert moves.positions.tolist() == [2, 1, 2, 1]
    # the isolated position's move is its Binance liquidation price over the mark
    single = liquidation_price(exchange="binance-usdm", side="long", entry=3000, quantity=2, leverage=10,
                               maintenance_margin_rate=0.005)
    assert moves.liquidation_move_down[by["B"]] == pytest.approx(single["liquidation_price"] / 3000 - 1, rel=1e-12)
    assert moves.nearest(1)[0]["account"] == "D"


def test_inverse_account() -> None:
    """Binance COIN-M, wallet 0.1 BTC, long 100 × 100 USD (F = 10,000) @ 50,000, MMR 0.4 %:

    PnL = 0.2·(1 − 1/(1+k)), MM = 0.0008/(1+k): g = 0.3 − 0.2008/(1+k) <= 0 ⇔ 1 + k <= 0.669333.
    At −0.4: balance 0.3 − 0.2/0.6 = −0.0333 BTC (the shortfall), notional 10,000/30,000 = 0.3333 BTC.
    """
    book = prepare_book(
        {"account": ["X"], "symbol": ["BTC/USD:BTC"], "side": ["long"], "contracts": [100], "entry": [50000],
         "mark": [50000], "maintenance_margin_rate": [0.004]},
        {"account": ["X"], "wallet_balance": [0.1]}, exchange="binance-coinm")
    ladder = _ladder(book, "-0.4:0:0.1")
    assert [ladder[k]["accounts_liquidated"] for k in (-0.4, -0.3, -0.2, -0.1, 0.0)] == [1, 0, 0, 0, 0]
    assert ladder[-0.4]["shortfall"] == pytest.approx(0.2 / 0.6 - 0.3, rel=1e-12)
    assert ladder[-0.4]["notional_liquidated"] == pytest.approx(10000 / 30000, rel=1e-12)
    moves = account_moves(book)
    assert moves.liquidation_move_down[0] == pytest.approx(0.2008 / 0.3 - 1, rel=1e-12)
    assert math.isnan(moves.liquidation_move_up[0])
    # the same price from the liquidation engine (Binance COIN-M cross, one position)
    cross = cross_liquidation(exchange_preset("binance-coinm"), 0.1, [
        {"symbol": "BTC/USD:BTC", "side": "long", "contracts": 100, "contractSize": 100, "entryPrice": 50000,
         "markPrice": 50000, "maintenanceMarginRate": 0.004}])
    assert moves.liquidation_move_down[0] == pytest.approx(cross["positions"][0]["liquidation_price"] / 50000 - 1,
                                                           rel=1e-12)


def test_inverse_short_is_liquidated_on_the_way_up() -> None:
    # wallet 0.05 BTC, short F = 10,000 @ 50,000, MMR 0.5 %: g = 0.05 − 0.2 + 0.2/(1+k) − 0.001/(1+k)
    # <= 0 ⇔ 0.199/(1+k) <= 0.15 ⇔ k >= 0.32667
    book = prepare_book(
        {"account": ["Y"], "symbol": ["BTC/USD:BTC"], "side": ["short"], "contracts": [100], "entry": [50000],
         "mark": [50000], "maintenance_margin_rate": [0.005]},
        {"account": ["Y"], "wallet_balance": [0.05]}, exchange="binance-coinm")
    moves = account_moves(book)
    assert moves.liquidation_move_up[0] == pytest.approx(0.199 / 0.15 - 1, rel=1e-12)
    assert math.isnan(moves.liquidation_move_down[0])
    ladder = _ladder(book, "0.3:0.4:0.05")
    assert [ladder[k]["accounts_liquidated"] for k in (0.3, 0.35, 0.4)] == [0, 1, 1]


def test_shock_values_are_the_grid_decimals() -> None:
    shocks = parse_shocks("-0.5:0.5:0.01")
    assert len(shocks) == 101 and str(shocks[45]) == "-0.05" and shocks[-1] == Decimal("0.5")
    rows = _rows(stress(_hand_book(), shocks))
    assert rows[45]["shock"] == Decimal("-0.05") and float(rows[45]["shock"]) == -0.05


@pytest.mark.parametrize(("text", "rule"), [
    ("0.1:-0.1:0.01", "must go up"),
    ("-0.1:0.1:0", "STEP > 0"),
    ("-1:0:0.1", "must be > -1"),
    ("-1.5:0:0.1", "must be > -1"),
    ("a:b:c", "three numbers"),
    ("0.1:0.2", "FROM:TO:STEP"),
    ("-0.5:0.5:0.000001", "at most"),
])
def test_bad_shock_grids(text: str, rule: str) -> None:
    with pytest.raises(InputError, match=rule) as error:
        parse_shocks(text)
    assert error.value.field == "shocks"


def test_span_scenarios() -> None:
    scenarios = span_scenarios(Decimal("0.15"))
    assert len(scenarios) == 16
    moves = sorted({s.shock for s in scenarios})
    assert moves == [Decimal(x) for x in ("-0.30", "-0.15", "-0.10", "-0.05", "0", "0.05", "0.10", "0.15", "0.30")]
    assert [s.weight for s in scenarios].count(Decimal("0.35")) == 2
    result = stress(_hand_book(), scenarios).to_dict()
    assert len(result["ladder"]) == 16
    by_name = {row["scenario"]: row for row in result["ladder"]}
    # −1 range (−0.15): A, B and C as at −0.1; −2 ranges (−0.30) counted with weight 0.35
    assert by_name["13: -1, vol up"]["accounts_liquidated"] == 3
    assert by_name["16: -2 (35 %)"]["weight"] == Decimal("0.35")


def test_per_symbol_scenarios_move_one_symbol() -> None:
    book = _hand_book()
    # only ETH falls 20 %: A gains on its ETH short, B (isolated ETH long) is liquidated; C and D untouched
    result = stress(book, [Scenario("eth crash", Decimal(0), {ETH: Decimal("-0.2")})]).to_dict()
    row = result["ladder"][0]
    assert (row["scenario"], row["shock"]) == ("eth crash", None)
    assert (row["accounts_liquidated"], row["positions_liquidated"]) == (1, 1)
    assert row["notional_liquidated"] == pytest.approx(4800)
    assert row["shortfall"] == pytest.approx(600)  # 600 − 2 × 600


# ---------------------------------------------------------------------------
# A slow, independent reference on random books


def _reference_ladder(columns: dict[str, Any], wallets: dict[str, float], exchange: str, tiers: str | None,
                      shocks: list[float]) -> np.ndarray:
    """Per shock: accounts, positions, notional and shortfall, by a Python loop over pools."""
    preset = exchange_preset(exchange)
    inverse = preset.contract == "inverse"
    table = load_tiers(tiers, BTC) if tiers else None
    fee = float(preset.taker_fee_rate) if preset.liquidation_model == "okx" else 0.0
    at_entry = preset.liquidation_model == "bybit"
    n = len(columns["account"])
    pools: dict[Any, list[int]] = {}
    for i in range(n):
        key = (columns["account"][i], "cross") if columns["margin_mode"][i] == "cross" else (columns["account"][i], i)
        pools.setdefault(key, []).append(i)
    out = np.zeros((4, len(shocks)))
    for g, k in enumerate(shocks):
        hit: set[Any] = set()
        for key, members in pools.items():
            balance = wallets[key[0]] if key[1] == "cross" else None
            requirement = notional = 0.0
            for i in members:
                s = 1 if columns["side"][i] == "long" else -1
                size = columns["contracts"][i] * 100 if inverse else columns["quantity"][i]
                entry, price = columns["entry"][i], columns["mark"][i] * (1 + k)
                value = size / price if inverse else size * price
                value_entry = size / entry if inverse else size * entry
                if balance is None or key[1] != "cross":
                    balance = (balance or 0.0) + value_entry / columns["leverage"][i]
                balance += s * size * (1 / entry - 1 / price) if inverse else s * size * (price - entry)
                rate, amount = columns["maintenance_margin_rate"][i], 0.0
                valued = value_entry if at_entry else value
                if math.isnan(rate):
                    assert table is not None
                    tier = table.tier_for_notional(min(valued, float(table.max_notional)))
                    rate, amount = float(tier.maintenance_margin_rate), float(tier.maintenance_amount)
                requirement += valued * rate - amount + value * fee
                notional += value
            if balance <= requirement:
                hit.add(key[0])
                out[1, g] += len(members)
                out[2, g] += notional
                out[3, g] += max(0.0, -balance)
        out[0, g] = len(hit)
    return out


@pytest.mark.parametrize("exchange", ["binance-usdm", "okx-linear", "bybit-linear", "binance-coinm"])
def test_random_books_against_the_reference(exchange: str) -> None:
    columns, accounts = random_book(400, 60, seed=hash(exchange) % 1000, exchange=exchange)
    tiers = None if exchange == "binance-coinm" else ("bybit-linear-BTCUSDT" if exchange == "bybit-linear"
                                                      else TIERS)
    book = prepare_book(columns, accounts, exchange=exchange, tiers=tiers)
    shocks = parse_shocks("-0.6:0.6:0.03")
    ladder = stress(book, shocks)
    wallets = dict(zip(accounts["account"].tolist(), accounts["wallet_balance"].tolist(), strict=True))
    columns_list = {key: np.asarray(value).tolist() for key, value in columns.items()}
    expected = _reference_ladder(columns_list, wallets, exchange, "bybit-linear-BTCUSDT"
                                 if exchange == "bybit-linear" else (None if exchange == "binance-coinm" else TIERS),
                                 [float(k) for k in shocks])
    assert ladder.accounts_liquidated.tolist() == expected[0].astype(int).tolist()
    assert ladder.positions_liquidated.tolist() == expected[1].astype(int).tolist()
    np.testing.assert_allclose(ladder.notional_liquidated, expected[2], rtol=1e-9)
    np.testing.assert_allclose(ladder.shortfall, expected[3], rtol=1e-9, atol=1e-9)
    assert 0 < expected[0].max() < 60  # the book is neither untouched nor wiped out
    # the same figures through per-symbol scenarios (the direct kernel)
    direct = stress(book, [Scenario(str(k), k, {book.symbol_names[0]: k}) for k in shocks])
    assert direct.accounts_liquidated.tolist() == ladder.accounts_liquidated.tolist()
    np.testing.assert_allclose(direct.shortfall, ladder.shortfall, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("exchange", ["binance-usdm", "okx-linear", "binance-coinm"])
def test_moves_bracket_the_first_liquidation(exchange: str) -> None:
    """Just inside each account's move nothing liquidates it; at the move (and just beyond) it is liquidated."""
    columns, accounts = random_book(300, 50, seed=7, exchange=exchange)
    tiers = None if exchange == "binance-coinm" else TIERS
    book = prepare_book(columns, accounts, exchange=exchange, tiers=tiers)
    moves = account_moves(book)
    for k, name in enumerate(moves.account.tolist()):
        mine = {key: np.asarray(value)[np.asarray(columns["account"]) == name] for key, value in columns.items()}
        sub = prepare_book(mine, accounts, exchange=exchange, tiers=tiers)
        for move, sign in ((moves.liquidation_move_down[k], -1), (moves.liquidation_move_up[k], 1)):
            if math.isnan(move):
                far = [x for x in (-0.99, -0.9, -0.5) if sign < 0] or [0.5, 2.0, 10.0]
                assert stress(sub, far).accounts_liquidated.sum() == 0
                continue
            if move == 0:
                assert stress(sub, [0.0]).accounts_liquidated[0] == 1
                continue
            inside = np.linspace(0, move, 40)[:-1] * (1 - 1e-9)
            assert stress(sub, inside.tolist()).accounts_liquidated.sum() == 0
            beyond = move * (1 + 1e-9)
            if beyond > -1:
                assert stress(sub, [beyond]).accounts_liquidated[0] == 1


def test_moves_against_the_cross_engine_with_tiers() -> None:
    """A single-symbol account's move brings the mark to its cross liquidation price (tiers at that price)."""
    rng = np.random.default_rng(3)
    preset = exchange_preset("binance-usdm")
    for _ in range(40):
        legs = int(rng.integers(1, 3))
        sides = ["long", "short"][:legs] if legs == 2 else [str(rng.choice(["long", "short"]))]
        quantity = rng.lognormal(1, 1, legs).tolist()
        entry = (60000 * (1 + rng.normal(0, 0.05, legs))).tolist()
        wallet = float(rng.lognormal(10, 1))
        book = prepare_book({"account": ["a"] * legs, "symbol": [BTC] * legs, "side": sides, "quantity": quantity,
                             "entry": entry, "mark": [60000.0] * legs},
                            {"account": ["a"], "wallet_balance": [wallet]}, exchange="binance-usdm", tiers=TIERS)
        moves = account_moves(book)
        cross = cross_liquidation(preset, wallet, [
            {"symbol": BTC, "side": side, "contracts": q, "contractSize": 1, "entryPrice": e, "markPrice": 60000.0}
            for side, q, e in zip(sides, quantity, entry, strict=True)], tiers=TIERS)
        price = cross["positions"][0]["liquidation_price"]
        if stress(book, [0.0]).accounts_liquidated[0]:  # liquidated at the mark already: no move needed
            assert moves.liquidation_move_down[0] == 0 == moves.liquidation_move_up[0]
            continue
        nearest = [m for m in (moves.liquidation_move_down[0], moves.liquidation_move_up[0]) if not math.isnan(m)]
        if price is None:
            assert nearest == [] or all(m <= -1 + 1e-12 for m in nearest)
            continue
        best = min(nearest, key=abs)
        assert 60000 * (1 + best) == pytest.approx(price, rel=1e-9)


# ---------------------------------------------------------------------------
# Bad input


def _columns(**override: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"account": ["a", "b"], "symbol": [BTC, ETH], "side": ["long", "short"],
                            "quantity": [1, 2], "entry": [60000, 3000], "mark": [60000, 3000],
                            "margin_mode": ["cross", "isolated"], "leverage": [None, 10],
                            "maintenance_margin_rate": [0.004, 0.005]}
    base.update(override)
    return {key: value for key, value in base.items() if value is not None}


@pytest.mark.parametrize(("override", "field", "rule"), [
    ({"side": ["long", "sideways"]}, "side", "must be 'long' or 'short'"),
    ({"margin_mode": ["cross", "portfolio"]}, "margin_mode", "must be 'isolated' or 'cross'"),
    ({"quantity": [1, 0]}, "quantity", "must be > 0"),
    ({"quantity": [1, -2]}, "quantity", "must be > 0"),
    ({"mark": [60000, float("nan")]}, "mark", "is required"),
    ({"entry": [0, 3000]}, "entry", "must be > 0"),
    ({"mark": [60000, -1]}, "mark", "must be > 0"),
    ({"symbol": None}, "symbol", "required column"),
    ({"mark": [60000, 3000], "symbol": [BTC, BTC]}, "mark", "one mark per symbol"),
    ({"maintenance_margin_rate": [0.004, None]}, "maintenance_margin_rate", "is required where --tiers"),
])
def test_bad_books(override: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(InputError, match=rule) as error:
        prepare_book(_columns(**override), {"account": ["a"], "wallet_balance": [100]}, exchange="binance-usdm")
    assert error.value.field == field


def test_an_account_with_cross_positions_needs_a_wallet_row() -> None:
    with pytest.raises(InputError, match="wallet row") as error:
        prepare_book(_columns(), {"account": ["b"], "wallet_balance": [100]}, exchange="binance-usdm")
    assert error.value.field == "accounts" and error.value.value == "a"
    with pytest.raises(InputError, match="give --accounts"):
        prepare_book(_columns(), None, exchange="binance-usdm")
    # only isolated positions: no wallet row needed
    prepare_book(_columns(margin_mode=["isolated", "isolated"], leverage=[5, 10]), None, exchange="binance-usdm")


def test_an_inverse_book_settles_in_one_coin() -> None:
    with pytest.raises(InputError, match="one coin"):
        prepare_book({"account": ["a", "a"], "symbol": ["BTC/USD:BTC", "ETH/USD:ETH"], "side": ["long", "long"],
                      "contracts": [1, 1], "entry": [60000, 3000], "maintenance_margin_rate": [0.004, 0.005]},
                     {"account": ["a"], "wallet_balance": [1]}, exchange="binance-coinm")


def test_shocks_at_or_below_minus_one_are_refused() -> None:
    with pytest.raises(InputError, match="> -1") as error:
        stress(_hand_book(), [-0.5, -1.0])
    assert error.value.field == "shocks"


def test_chunks_cover_whole_accounts() -> None:
    columns, accounts = random_book(3000, 400, seed=11)
    book = prepare_book(columns, accounts, exchange="binance-usdm", tiers=TIERS)
    chunks = list(book.chunks(100))
    assert chunks[0][0] == 0 and chunks[-1][1] == book.accounts
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
    # chunked or not, the same ladder
    import contractcalc.engines.stress as engine
    whole = stress(book, parse_shocks("-0.3:0.3:0.1"))
    original = engine.CHUNK_POSITIONS
    try:
        engine.CHUNK_POSITIONS = 50
        small = stress(book, parse_shocks("-0.3:0.3:0.1"))
    finally:
        engine.CHUNK_POSITIONS = original
    assert small.accounts_liquidated.tolist() == whole.accounts_liquidated.tolist()
    np.testing.assert_allclose(small.shortfall, whole.shortfall, rtol=1e-12)


@pytest.mark.parametrize("accounts", [3, 40])
def test_wide_accounts_count_once(accounts: int) -> None:
    """Accounts with many isolated pools (over 64: the running-sum path) count once per shock."""
    columns, wallets = random_book(2000, accounts, seed=13)
    book = prepare_book(columns, wallets, exchange="binance-usdm", tiers=TIERS)
    shocks = parse_shocks("-0.5:0.5:0.05")
    uniform = stress(book, shocks)
    direct = stress(book, [Scenario(str(k), k, {BTC: k}) for k in shocks])
    assert uniform.accounts_liquidated.tolist() == direct.accounts_liquidated.tolist()
    assert uniform.accounts_liquidated.max() <= accounts
    expected = _reference_ladder({key: np.asarray(value).tolist() for key, value in columns.items()},
                                 dict(zip(wallets["account"].tolist(), wallets["wallet_balance"].tolist(),
                                          strict=True)), "binance-usdm", TIERS, [float(k) for k in shocks])
    assert uniform.accounts_liquidated.tolist() == expected[0].astype(int).tolist()


def test_cascade_reaches_the_fixed_point_of_the_square_root_impact() -> None:
    """At −10 % A, B and C are liquidated; closing them sells a net 20,000·z (A: BTC long − ETH short)
    + 6,000·z (B) + 25,000·z (C: long 1 − short 0.5 BTC) = 51,000·z, which moves every mark by
    −sqrt(51,000·z / depth); the cascade stops where k = −0.1 − sqrt(51,000·(1 + k) / depth)."""
    from contractcalc.engines.stress import cascade

    book = _hand_book()
    depth = 5_000_000.0
    move, sums, rounds = cascade(book, -0.1, depth)
    assert move == pytest.approx(-0.1 - math.sqrt(51_000 * (1 + move) / depth), abs=1e-12)
    assert 1 < rounds < 100
    assert (sums[0], sums[1]) == (3, 5)
    assert sums[2] == pytest.approx((80_000 + 6_000 + 75_000) * (1 + move), rel=1e-12)  # notional at the marks
    # D's short (+5 %) is bought back: the price rises further, k = 0.05 + sqrt(10,000·(1 + k) / depth)
    up, _, _ = cascade(book, 0.05, depth)
    assert up == pytest.approx(0.05 + math.sqrt(10_000 * (1 + up) / depth), abs=1e-12)
    # nothing liquidated: nothing moves
    assert cascade(book, -0.05, depth)[0] == -0.05
    result = stress(book, parse_shocks("-0.1:0:0.1"), cascade_depth=depth).to_dict()
    assert result["ladder"][0]["cascade_shock"] == pytest.approx(move)
    assert result["ladder"][1]["cascade_shock"] == 0
    # a deep market: the cascade changes nothing visible
    assert cascade(book, -0.1, 1e18)[0] == pytest.approx(-0.1, abs=1e-6)


def test_cascade_refuses_what_it_cannot_do() -> None:
    from contractcalc.engines.stress import cascade
    from contractcalc.engines.stress_run import run_stress

    with pytest.raises(InputError, match="depth > 0"):
        cascade(_hand_book(), -0.1, 0.0)
    with pytest.raises(InputError, match="not --scenarios"):
        stress(_hand_book(), span_scenarios(Decimal("0.1")), cascade_depth=1e6)
    with pytest.raises(InputError, match="local backend") as error:
        run_stress({"account": ["a"]}, exchange="binance-usdm", shocks="-0.1:0:0.1", backend="dask", cascade=1e6)
    assert error.value.field == "cascade"


def test_moves_against_book_liquidation_prices() -> None:
    """Many single-symbol accounts (cross, hedged legs, isolated) in one book: each account's nearest move takes
    the mark to the liquidation price book_liquidation gives its positions (tiers at that price)."""
    from contractcalc.engines.book import book_liquidation

    rng = np.random.default_rng(17)
    rows: dict[str, list[Any]] = {key: [] for key in ("account", "symbol", "side", "quantity", "entry", "mark",
                                                      "margin_mode", "leverage")}
    wallets: dict[str, list[Any]] = {"account": [], "wallet_balance": []}
    for k in range(120):
        name = f"acct{k:03d}"
        isolated = k % 3 == 0
        sides = ["long"] if isolated and k % 2 else ["short"] if isolated else (
            ["long", "short"] if k % 3 == 1 else [str(rng.choice(["long", "short"]))])
        for side in sides:
            rows["account"].append(name)
            rows["symbol"].append(BTC)
            rows["side"].append(side)
            rows["quantity"].append(float(rng.lognormal(1, 1)))
            rows["entry"].append(float(60000 * (1 + rng.normal(0, 0.05))))
            rows["mark"].append(60000.0)
            rows["margin_mode"].append("isolated" if isolated else "cross")
            rows["leverage"].append(float(rng.choice([3.0, 5.0, 10.0, 20.0])))
        if not isolated:
            wallets["account"].append(name)
            wallets["wallet_balance"].append(float(rng.lognormal(10, 1)))
    book = prepare_book(rows, wallets, exchange="binance-usdm", tiers=TIERS)
    moves = account_moves(book)
    prices = book_liquidation(rows, wallets, exchange="binance-usdm", tiers=TIERS).positions.liquidation_price
    by_account = dict(zip(rows["account"], prices.tolist(), strict=False))  # the legs of an account share one price
    checked = 0
    for k, name in enumerate(moves.account.tolist()):
        price = by_account[name]
        nearest = [m for m in (moves.liquidation_move_down[k], moves.liquidation_move_up[k]) if not math.isnan(m)]
        if nearest and min(map(abs, nearest)) == 0:
            continue  # liquidated at the mark already
        if math.isnan(price):
            assert nearest == [], name  # no price liquidates it: no move either
            continue
        assert 60000 * (1 + min(nearest, key=abs)) == pytest.approx(price, rel=1e-9), name
        checked += 1
    assert checked > 60
