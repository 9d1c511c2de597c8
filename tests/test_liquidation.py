"""The liquidation engine against published examples and hand calculations.

Rows Y1-Y3, Y5, B6/B7 and B9 are from shared/reference/examples.md; the other
figures are worked by hand in the comments from the formulas in
shared/reference/formulas.md ("Liquidation price").
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import contractcalc
from contractcalc import InputError, liquidation_price
from contractcalc.engines.liquidation import maintenance_margin

D = Decimal


def close(a: Any, b: Any, rel: float = 1e-12) -> bool:
    return math.isclose(float(a), float(b), rel_tol=rel)


# --- published examples ------------------------------------------------------------


def test_y1_bybit_linear_isolated_long() -> None:
    # Y1: long 1 BTC @ 10,000, 50x, MMR 0.5 %: LP 9,850
    r = liquidation_price("bybit-linear", "long", D(10000), quantity=D(1), leverage=D(50),
                          maintenance_margin_rate=D("0.005"))
    assert r["liquidation_price"] == 9850
    assert r["initial_margin"] == 200 and r["maintenance_margin"] == 50


def test_y2_bybit_linear_isolated_short() -> None:
    # Y2: short 1 BTC @ 8,000, 40x, MMR 0.5 %: LP 8,160
    r = liquidation_price("bybit-linear", "short", D(8000), quantity=D(1), leverage=D(40),
                          maintenance_margin_rate=D("0.005"))
    assert r["liquidation_price"] == 8160


def test_y3_bybit_linear_isolated_long_im_mm_lp() -> None:
    # Y3: long 1 BTC @ 20,000, 50x, MMR 0.5 %: IM 400, MM 100, LP 19,700
    r = liquidation_price("bybit-linear", "long", D(20000), quantity=D(1), leverage=D(50),
                          maintenance_margin_rate=D("0.005"))
    assert (r["initial_margin"], r["maintenance_margin"], r["liquidation_price"]) == (400, 100, 19700)


def test_y5_bankruptcy_price() -> None:
    # Y5: long 1 BTC @ 10,000, 50x: bankruptcy 9,800 (every exchange: WB = IM = 200)
    for exchange in ("bybit-linear", "binance-usdm", "okx-linear"):
        r = liquidation_price(exchange, "long", D(10000), quantity=D(1), leverage=D(50),
                              maintenance_margin_rate=D("0.005"))
        assert r["bankruptcy_price"] == 9800


def test_b9_coinm_maintenance_margin() -> None:
    # B9: 100 BTCUSD contracts (100 USD) at mark 25,000, MMR 0.4 %: 0.0016 BTC
    assert maintenance_margin("inverse", D(25000), D(100) * D(100), D("0.004")) == D("0.0016")
    # the same figure drives the margin ratio: 20x isolated long from 25,000 has
    # 10,000 / 25,000 / 20 = 0.02 BTC of margin, so MM / margin balance = 0.0016 / 0.02
    r = liquidation_price("binance-coinm", "long", D(25000), contracts=D(100), symbol="BTC/USD:BTC",
                          leverage=D(20), maintenance_margin_rate=D("0.004"), mark=D(25000))
    assert r["margin_ratio"] == D("0.08")


def test_b6_b7_tier_at_the_liquidation_price_not_at_entry() -> None:
    # B6: a 264,000 notional is in the 1 % tier (B7: cum 1,300) of the 2021 table.
    # Long 4.4 BTC @ 60,000 (264,000), 10x: WB 26,400.
    # In the entry tier: LP = (26,400 + 1,300 − 264,000) / (4.4·0.01 − 4.4) = 54,246.98,
    # whose notional 238,687 lies in tier 2, so that is not self-consistent.
    # In tier 2 (0.5 %, cum 50): LP = (26,400 + 50 − 264,000) / (4.4·0.005 − 4.4) = 54,259.936;
    # notional 238,744 is in tier 2: the answer.
    r = liquidation_price("binance-usdm", "long", D(60000), quantity=D("4.4"), leverage=D(10),
                          tiers="binance-usdm-BTCUSDT-2021-03-18")
    assert r["tier_at_entry"] == 3
    assert r["tier"] == 2
    assert r["maintenance_margin_rate"] == D("0.005") and r["maintenance_amount"] == 50
    assert r["liquidation_price"] == (D(26400) + 50 - 264000) / (D("4.4") * D("0.005") - D("4.4"))
    assert close(r["liquidation_price"], 54259.93604385564)


# --- hand calculations per exchange -----------------------------------------------


def test_binance_usdm_isolated_both_sides() -> None:
    # 1 BTC @ 10,000, 20x (WB 500), MMR 0.4 %:
    # long (500 − 10,000) / (0.004 − 1) = 9,538.15; short (500 + 10,000) / (0.004 + 1) = 10,458.17
    long = liquidation_price("binance-usdm", "long", D(10000), quantity=D(1), leverage=D(20),
                             maintenance_margin_rate=D("0.004"))
    short = liquidation_price("binance-usdm", "short", D(10000), quantity=D(1), leverage=D(20),
                              maintenance_margin_rate=D("0.004"))
    assert long["liquidation_price"] == D(-9500) / D("-0.996")
    assert short["liquidation_price"] == D(10500) / D("1.004")
    assert long["distance_to_liquidation"] == (10000 - long["liquidation_price"]) / 10000


def test_binance_coinm_isolated_long() -> None:
    # F = 100 × 100 = 10,000 USD @ 25,000, 20x: WB = 0.02 BTC;
    # LP = F·(MMR + 1) / (WB + F/E) = 10,040 / 0.42 = 23,904.76
    r = liquidation_price("binance-coinm", "long", D(25000), contracts=D(100), contract_size=D(100),
                          leverage=D(20), maintenance_margin_rate=D("0.004"))
    assert r["liquidation_price"] == D(10040) / D("0.42")
    assert r["initial_margin"] == D("0.02")


def test_okx_linear_counts_the_fee_to_close() -> None:
    # 1 BTC @ 50,000, 10x (WB 5,000), MMR 0.4 %, taker 0.05 %:
    # LP = (50,000 − 5,000) / (1 − 0.0045) = 45,203.42
    r = liquidation_price("okx-linear", "long", D(50000), quantity=D(1), leverage=D(10),
                          maintenance_margin_rate=D("0.004"), taker_fee_rate=D("0.0005"))
    assert r["liquidation_price"] == D(45000) / D("0.9955")
    # the preset's taker rate (0.05 %) is the default
    default = liquidation_price("okx-linear", "long", D(50000), quantity=D(1), leverage=D(10),
                                maintenance_margin_rate=D("0.004"))
    assert default["liquidation_price"] == r["liquidation_price"]


def test_okx_inverse_short() -> None:
    # 100 × 100 USD = 10,000 @ 50,000, 10x: WB 0.02 BTC, MMR 0.5 %, fee 0.05 %:
    # LP = F·(MMR + f − 1) / (WB − F/E) = −9,945 / −0.18 = 55,250
    r = liquidation_price("okx-inverse", "short", D(50000), contracts=D(100), symbol="BTC-USD-SWAP",
                          leverage=D(10), maintenance_margin_rate=D("0.005"), taker_fee_rate=D("0.0005"))
    assert r["liquidation_price"] == 55250


def test_hyperliquid_rate_from_max_leverage() -> None:
    # 1 ETH @ 3,000, 10x (WB 300), max leverage 50: MMR = 1 / 100;
    # LP = (3,000 − 300) / (1 − 0.01) = 2,727.27
    r = liquidation_price("hyperliquid", "long", D(3000), quantity=D(1), leverage=D(10), max_leverage=D(50))
    assert r["maintenance_margin_rate"] == D("0.01")
    assert r["liquidation_price"] == D(2700) / D("0.99")


def test_bybit_inverse_isolated() -> None:
    # 60,000 USD (1 USD contracts) @ 50,000, 10x, MMR 0.5 %: value 1.2 BTC, IM 0.12, MM 0.006;
    # long LP = 60,000 / (1.2 + 0.114) = 45,662.10; short 60,000 / (1.2 − 0.114) = 55,248.62
    long = liquidation_price("bybit-inverse", "long", D(50000), contracts=D(60000), leverage=D(10),
                             maintenance_margin_rate=D("0.005"))
    short = liquidation_price("bybit-inverse", "short", D(50000), contracts=D(60000), leverage=D(10),
                              maintenance_margin_rate=D("0.005"))
    assert long["liquidation_price"] == D(60000) / D("1.314")
    assert short["liquidation_price"] == D(60000) / D("1.086")


def test_extra_margin_moves_the_price_away() -> None:
    # Bybit: LP = E − (IM + extra − MM) / Q: 10,000 − (200 + 100 − 50) = 9,750
    r = liquidation_price("bybit-linear", "long", D(10000), quantity=D(1), leverage=D(50),
                          maintenance_margin_rate=D("0.005"), extra_margin=D(100))
    assert r["liquidation_price"] == 9750 and r["wallet_balance"] == 300


def test_cross_single_position_uses_the_wallet_balance() -> None:
    # Binance cross: 1 BTC @ 10,000 with a 2,000 wallet: (2,000 − 10,000) / (0.004 − 1) = 8,032.13
    r = liquidation_price("binance-usdm", "long", D(10000), quantity=D(1), margin_mode="cross",
                          wallet_balance=D(2000), maintenance_margin_rate=D("0.004"))
    assert r["liquidation_price"] == D(-8000) / D("-0.996")
    assert r["initial_margin"] is None


def test_margin_ratio_is_one_at_the_liquidation_price() -> None:
    r = liquidation_price("binance-usdm", "short", D(10000), quantity=D(1), leverage=D(20),
                          maintenance_margin_rate=D("0.004"))
    at = liquidation_price("binance-usdm", "short", D(10000), quantity=D(1), leverage=D(20),
                           maintenance_margin_rate=D("0.004"), mark=r["liquidation_price"])
    assert close(at["margin_ratio"], 1) and at["distance_to_liquidation"] == 0


# --- no liquidation by price ------------------------------------------------------


def test_one_x_long_has_no_liquidation_price() -> None:
    r = liquidation_price("binance-usdm", "long", D(100), quantity=D(1), leverage=D(1),
                          maintenance_margin_rate=D("0.004"))
    assert r["liquidation_price"] is None and r["distance_to_liquidation"] is None
    assert "no liquidation by price" in r["note"]


def test_inverse_short_covered_by_its_coin_margin() -> None:
    # 1x inverse short: the coin margin is worth the position at any price
    r = liquidation_price("okx-inverse", "short", D(25000), contracts=D(100), contract_size=D(100),
                          leverage=D(1), maintenance_margin_rate=D("0.004"))
    assert r["liquidation_price"] is None
    assert "inverse short" in r["note"]


def test_under_maintenance_at_entry_is_reported() -> None:
    # 200x with MMR 1 %: the margin (0.5 %) is below the requirement at entry: LP above entry for a long
    r = liquidation_price("binance-usdm", "long", D(10000), quantity=D(1), leverage=D(200),
                          maintenance_margin_rate=D("0.01"))
    assert r["liquidation_price"] > 10000
    assert "liquidated at once" in r["note"]


# --- hedge mode and cross accounts ----------------------------------------------


def test_hedge_mode_legs_share_binances_price() -> None:
    # formulas.md hedge mode: LP = (WB + cum_L + cum_S − Q_L·E_L + Q_S·E_S) / (Q_L·MMR_L + Q_S·MMR_S − Q_L + Q_S)
    # WB 3,000; long 1 @ 10,000 and short 0.4 @ 10,500, both MMR 0.4 %:
    # (3,000 − 10,000 + 4,200) / (0.004 + 0.0016 − 1 + 0.4) = −2,800 / −0.5944 = 4,710.63
    book = [
        {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": D(1), "contractSize": 1, "entryPrice": D(10000),
         "markPrice": D(10000), "maintenanceMarginRate": D("0.004")},
        {"symbol": "BTC/USDT:USDT", "side": "short", "contracts": D("0.4"), "contractSize": 1,
         "entryPrice": D(10500), "markPrice": D(10000), "maintenanceMarginRate": D("0.004")},
    ]
    r = liquidation_price("binance-usdm", wallet_balance=D(3000), positions=book)
    prices = {p["liquidation_price"] for p in r["positions"]}
    assert prices == {D(-2800) / D("-0.5944")}
    assert all(p["hedged"] for p in r["positions"])


def test_cross_account_others_pnl_and_maintenance() -> None:
    # WB 10,000; BTC long 1 @ 60,000 (MMR 0.4 %); ETH short 10 @ 3,000 marked 3,100 (MMR 0.5 %):
    # ETH's PnL −1,000 and MM 155 reduce the BTC long's balance to 8,845:
    # LP = (8,845 − 60,000) / (0.004 − 1) = 51,360.44
    # ETH sees 10,000 + 0 − 240 (BTC MM at 60,000): LP = (9,760 + 30,000) / (10 × 1.005) = 3,956.22
    book = [
        {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1,
         "entryPrice": 60000, "markPrice": 60000, "maintenanceMarginRate": "0.004"},
        {"symbol": "ETH/USDT:USDT", "side": "short", "contracts": 10, "contractSize": 1,
         "entryPrice": 3000, "markPrice": 3100, "maintenanceMarginRate": "0.005"},
    ]
    r = liquidation_price("binance-usdm", wallet_balance=D(10000), positions=book)
    btc, eth = r["positions"]
    assert btc["liquidation_price"] == D(-51155) / D("-0.996")
    assert eth["liquidation_price"] == D(39760) / D("10.05")
    assert r["margin_balance"] == 9000 and r["maintenance_margin"] == 395
    assert r["margin_ratio"] == D(395) / D(9000)


def test_positions_file_example() -> None:
    path = Path(__file__).resolve().parents[1] / "examples" / "positions-cross.json"
    r = liquidation_price("binance-usdm", wallet_balance=D(5000), positions=str(path),
                          tiers="binance-usdm-BTCUSDT-2024-10")
    assert [p["symbol"] for p in r["positions"]] == [p["symbol"] for p in json.loads(path.read_text())]
    btc_long, btc_short = r["positions"][:2]
    assert btc_long["liquidation_price"] == btc_short["liquidation_price"]
    # others: ETH PnL −800, MM 124; SOL PnL −1,000, MM 140: 5,000 − 2,064 = 2,936 for the BTC pair;
    # (2,936 − 31,000 + 13,000) / (0.002 + 0.0008 − 0.5 + 0.2) = 50,686.41
    assert btc_long["liquidation_price"] == D(-15064) / D("-0.2972")


# --- arrays ----------------------------------------------------------------------


def test_array_book_in_one_call() -> None:
    r = liquidation_price(
        "binance-usdm",
        np.array(["long", "short", "long"]),
        np.array([60000.0, 60000.0, 100.0]),
        quantity=np.array([4.4, 4.4, 1.0]),
        leverage=np.array([10.0, 10.0, 1.0]),
        tiers="binance-usdm-BTCUSDT-2021-03-18",
    )
    lp = r["liquidation_price"]
    assert lp.shape == (3,)
    assert close(lp[0], 54259.93604385564)
    assert math.isnan(lp[2])  # the 1x long: NaN in arrays
    assert list(r["tier"]) == [2, 3, 0]
    for k, side in enumerate(["long", "short"]):
        one = liquidation_price("binance-usdm", side, 60000.0, quantity=4.4, leverage=10.0,
                                tiers="binance-usdm-BTCUSDT-2021-03-18")
        assert close(lp[k], one["liquidation_price"])


def test_decimal_object_arrays() -> None:
    r = liquidation_price("bybit-linear", np.array(["long", "short"]), np.array([D(10000), D(8000)]),
                          quantity=D(1), leverage=np.array([D(50), D(40)]), maintenance_margin_rate=D("0.005"))
    assert list(r["liquidation_price"]) == [9850, 8160]


def test_sides_as_signs_and_lists() -> None:
    r = liquidation_price("bybit-linear", [1, -1], [10000.0, 8000.0], quantity=1.0, leverage=[50.0, 40.0],
                          maintenance_margin_rate=0.005)
    assert np.allclose(r["liquidation_price"], [9850, 8160])


# --- bad input -------------------------------------------------------------------


def _error(**kwargs: Any) -> str:
    base: dict[str, Any] = {"exchange": "binance-usdm", "side": "long", "entry": 100, "quantity": 1,
                            "leverage": 10, "maintenance_margin_rate": 0.004}
    base.update(kwargs)
    with pytest.raises(InputError) as caught:
        liquidation_price(**base)
    return str(caught.value)


def test_leverage_above_the_tier_cap_names_the_tier() -> None:
    message = _error(entry=60000, quantity=4.4, leverage=75, maintenance_margin_rate=None,
                     tiers="binance-usdm-BTCUSDT-2021-03-18")
    assert message == (
        "'leverage' must be <= 50, the cap of tier 3 (notional 250000–1000000, max 50x) (got 75)"
    )


def test_symbol_missing_from_the_tier_file() -> None:
    tiers = {"A/USDT:USDT": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.01,
                              "maxLeverage": 20}],
             "B/USDT:USDT": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.01,
                              "maxLeverage": 20}]}
    message = _error(maintenance_margin_rate=None, tiers=tiers, symbol="C/USDT:USDT")
    assert message.startswith("'symbol' is not in the tier file (it holds A/USDT:USDT, B/USDT:USDT)")


def test_notional_beyond_the_tier_table() -> None:
    message = _error(entry=60000, quantity=10000, leverage=1, maintenance_margin_rate=None,
                     tiers="binance-usdm-BTCUSDT-2021-03-18")
    assert message == (
        "'quantity' must give a notional at entry within the tier table of BTC/USDT:USDT (0 to 500000000) (got 10000)"
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"entry": float("nan")}, "'entry' must be finite (got nan)"),
        ({"entry": -1}, "'entry' must be > 0 (got -1)"),
        ({"mark": -5}, "'mark' must be > 0 (got -5)"),
        ({"quantity": 0}, "'quantity' must be > 0 (got 0)"),
        ({"leverage": 0}, "'leverage' must be > 0 (got 0)"),
        ({"wallet_balance": -1}, "'wallet_balance' must be >= 0 (got -1)"),
        ({"maintenance_margin_rate": 1}, "'maintenance_margin_rate' must be < 1 (got 1)"),
        ({"maintenance_margin_rate": D("NaN")}, "'maintenance_margin_rate' must be finite (got NaN)"),
        ({"maintenance_amount": -1}, "'maintenance_amount' must be >= 0 (got -1)"),
        ({"side": "buy"}, "'side' must be 'long' or 'short' (got 'buy')"),
        ({"exchange": "ftx"}, "'exchange' must be one of"),
        ({"margin_mode": "portfolio"}, "'margin_mode' must be 'isolated' or 'cross' (got 'portfolio')"),
        ({"taker_fee_rate": 0.0005}, "'taker_fee_rate' is not part of binance-usdm's liquidation formula"),
        ({"max_leverage": 50}, "'max_leverage' is for hyperliquid only"),
        ({"maintenance_margin_rate": None}, "'maintenance_margin_rate' is required"),
        ({"tiers": "binance-usdm-BTCUSDT-2024-10"}, "'maintenance_margin_rate' cannot be combined with 'tiers'"),
        ({"leverage": None}, "'leverage' is required in isolated mode unless 'wallet_balance' is given"),
        ({"margin_mode": "cross"}, "'wallet_balance' is required in cross mode"),
        ({"margin_mode": "cross", "wallet_balance": 10, "extra_margin": 5}, "'extra_margin' is for isolated mode"),
        ({"entry": None}, "'entry' is required"),
        ({"side": None}, "'side' is required"),
        ({"exchange": "okx-inverse", "quantity": 1}, "'quantity' is for linear contracts"),
        ({"exchange": "binance-coinm", "quantity": None, "contracts": 5}, "'contract_size' is required"),
        ({"exchange": "hyperliquid", "maintenance_margin_rate": None}, "give 'max_leverage'"),
        ({"exchange": "hyperliquid", "max_leverage": 5}, "cannot be combined with 'max_leverage'"),
        ({"exchange": "hyperliquid", "maintenance_margin_rate": None, "max_leverage": 5},
         "'leverage' must be <= 'max_leverage' (5) (got 10)"),
        ({"exchange": "okx-linear", "maintenance_margin_rate": 0.5, "taker_fee_rate": 0.5},
         "'maintenance_margin_rate' plus 'taker_fee_rate' must be < 1"),
        ({"contract_size": 2}, "'contract_size' needs 'contracts'"),
        # MMR = 1 / (2 × 0.4) = 1.25: was reported as 'maintenance_margin_rate' plus 'taker_fee_rate'
        ({"exchange": "hyperliquid", "maintenance_margin_rate": None, "leverage": None, "wallet_balance": 10,
          "max_leverage": 0.4}, "'max_leverage' must be > 0.5 (the maintenance rate 1 / (2 × max leverage) must be < 1)"
         " (got 0.4)"),
        # a negative amount was accepted beside max_leverage (LP 93.33 instead of an error)
        ({"exchange": "hyperliquid", "maintenance_margin_rate": None, "max_leverage": 20, "maintenance_amount": -1},
         "'maintenance_amount' must be >= 0 (got -1)"),
        # Decimal beside float was a TypeError from deep inside
        ({"entry": D(100), "quantity": 1.5},
         "'quantity' must be a Decimal like the other numbers (Decimal and float do not mix) (got 1.5)"),
        ({"entry": np.array([D(100)], dtype=object), "maintenance_margin_rate": D("0.004"), "mark": np.array([95.0])},
         "'mark' must be a Decimal like the other numbers (Decimal and float do not mix) (got 'a float array')"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], expected: str) -> None:
    message = _error(**kwargs)
    assert message.startswith(expected) or (expected in message and not expected.startswith("'"))


def test_array_errors_name_the_index() -> None:
    message = _error(entry=np.array([100.0, -3.0]))
    assert message == "'entry' must be > 0 (got -3 at index 1)"
    assert _error(quantity=np.array([1.0, 0.0])) == "'quantity' must be > 0 (got 0 at index 1)"


def _positions_error(positions: Any, **kwargs: Any) -> str:
    with pytest.raises(InputError) as caught:
        liquidation_price(**{"exchange": "binance-usdm", "wallet_balance": 1000, "positions": positions, **kwargs})
    return str(caught.value)


GOOD = {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 100,
        "markPrice": 100, "maintenanceMarginRate": 0.004}


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ({"not": "a list"}, "'positions' must be a JSON list of positions"),
        ([], "'positions' must hold at least one position"),
        ([1], "'positions' item 0 must be a position object"),
        ([{**GOOD, "contracts": 0}], "'positions' item 0: 'contracts' must be > 0 (got 0)"),
        ([{**GOOD, "entryPrice": -1}], "'positions' item 0: 'entryPrice' must be > 0 (got -1)"),
        ([{**GOOD, "markPrice": None}], "'positions' item 0: 'markPrice' is required"),
        ([{**GOOD, "side": "buy"}], "'positions' item 0: 'side' must be 'long' or 'short' (got 'buy')"),
        ([{**GOOD, "entryPrice": "abc"}], "'positions' item 0: 'entryPrice' must be a number (got 'abc')"),
        ([{**GOOD, "entryPrice": float("nan")}], "'positions' item 0: 'entryPrice' must be finite (got nan)"),
        ([GOOD, {**GOOD, "maintenanceMarginRate": None}],
         "'positions' item 1: 'maintenanceMarginRate' is required"),
        # a list is not a side (it was read as 'short': the short's price for a long)
        ([{**GOOD, "side": ["long"]}], "'positions' item 0: 'side' must be 'long' or 'short' (got ['long'])"),
        ([{**GOOD, "side": True}], "'positions' item 0: 'side' must be 'long' or 'short' (got True)"),
        # a JSON integer beyond float range (was an OverflowError)
        ([{**GOOD, "contracts": 10**400}],
         "'positions' item 0: 'contracts' must be finite (too large for a float) (got '401-digit integer')"),
        # two legs of one symbol share one mark (the second mark was ignored)
        ([GOOD, {**GOOD, "side": "short", "markPrice": 50}],
         "'positions' item 1: 'markPrice' must equal the mark of item 0"),
    ],
)
def test_bad_positions(positions: Any, expected: str) -> None:
    assert _positions_error(positions).startswith(expected)


def test_positions_file_that_does_not_parse(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"symbol\": ")
    assert _positions_error(str(bad)).startswith("'positions' must be valid JSON (Expecting value at line 1")


def test_positions_file_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe[]")
    assert _positions_error(str(bad)) == f"'positions' must be a UTF-8 JSON file (it is not UTF-8 text) (got '{bad}')"


def test_positions_side_as_sign_or_text() -> None:
    # long 1 @ 100, wallet 1,000, MMR 0.4 %: LP = (1,000 − 100) / (0.004 − 1) < 0, none;
    # short: LP = (1,000 + 100) / (0.004 + 1) = 1,095.62
    for side, expected in ((1, None), ("LONG", None), (-1, 1100 / 1.004), (" short ", 1100 / 1.004)):
        row = liquidation_price("binance-usdm", wallet_balance=1000, positions=[{**GOOD, "side": side}])["positions"][0]
        assert row["side"] == ("long" if expected is None else "short")
        assert row["liquidation_price"] is None if expected is None else close(row["liquidation_price"], expected)


def test_positions_exclude_single_position_keywords() -> None:
    expected = "'entry' is per position in 'positions' (give it in each position) (got 5)"
    assert _positions_error([GOOD], entry=5) == expected
    assert _positions_error([GOOD], margin_mode="isolated").startswith("'margin_mode' must be 'cross'")


def test_positions_missing_symbol_in_tiers() -> None:
    eth = {**GOOD, "symbol": "ETH/USDT:USDT", "maintenanceMarginRate": None}
    message = _positions_error([eth], tiers="binance-usdm-BTCUSDT-2024-10")
    assert message.startswith("'positions' item 0: 'symbol' is not in the tier file")


def test_inverse_cross_margin_is_per_coin() -> None:
    btc = {**GOOD, "symbol": "BTC/USD:BTC", "contractSize": 100}
    eth = {**GOOD, "symbol": "ETH/USD:ETH", "contractSize": 10}
    message = _positions_error([btc, eth], exchange="binance-coinm")
    assert message.startswith("'positions' must settle in one coin")


def test_exported() -> None:
    assert contractcalc.liquidation_price is liquidation_price


def test_a_mark_beyond_the_liquidation_price_is_noted() -> None:
    # long 1 @ 55,000 with 5,200 of margin, 2021 BTCUSDT table: tier 2 gives
    # LP = (5,200 + 50 − 55,000) / (0.005 − 1) = 50,000 (tier 1 gives the same: the table is continuous).
    book = {"exchange": "binance-usdm", "side": "long", "entry": D(55000), "quantity": D(1),
            "wallet_balance": D(5200), "tiers": "binance-usdm-BTCUSDT-2021-03-18"}
    assert liquidation_price(**book)["liquidation_price"] == 50000
    # mark 49,900: balance 5,200 − 5,100 = 100 against 49,900 × 0.4 % = 199.6 of maintenance margin
    below = liquidation_price(**book, mark=D(49900))
    assert below["margin_ratio"] == D("1.996")
    assert below["note"] == "the mark is at or beyond the liquidation price: the position is liquidated at this mark"
    assert liquidation_price(**book, mark=D(50001))["note"] is None
    short = {**book, "side": "short", "entry": D(45000)}  # LP = (5,200 + 50 + 45,000) / 1.005 = 50,000
    assert liquidation_price(**short)["liquidation_price"] == 50000
    assert liquidation_price(**short, mark=D(50000))["note"] is not None
    assert liquidation_price(**short, mark=D(49999))["note"] is None
