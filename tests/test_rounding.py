"""``--round``: prices on the exchange's tick, sizes on its lot (venues/data/markets.json).

Expected figures are hand calculations written beside them, the exchanges' own rules
(Hyperliquid's published tick examples) and invariants of the rounding (Hypothesis).
The ticks and lots are the exchanges' fields as ccxt recorded them in its static markets.
"""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contractcalc import InputError
from contractcalc.core.rounding import round_to_step, safe_liquidation_direction
from contractcalc.engines.calculators import max_open, size
from contractcalc.engines.liquidation import liquidation_price
from contractcalc.engines.plan import plan
from contractcalc.venues.exchanges import EXCHANGES
from contractcalc.venues.markets import MarketRules, exchange_markets, market_rules, price_ticks

D = Decimal

# ---------------------------------------------------------------------------
# The rounding itself


def test_a_long_liquidation_price_rounds_up_and_a_short_one_down() -> None:
    # 43,210.337 on a 0.1 tick: 432,103.37 ticks; a long's up to 432,104 ticks, a short's down to 432,103
    long_way, short_way = safe_liquidation_direction(1), safe_liquidation_direction(-1)
    assert round_to_step(D("43210.337"), D("0.1"), long_way) == D("43210.4")
    assert round_to_step(D("43210.337"), D("0.1"), short_way) == D("43210.3")
    # a price on the tick already stays
    assert round_to_step(D("43210.3"), D("0.1"), long_way) == D("43210.3")


def test_sizes_round_down_to_the_lot_and_nearest_ties_go_up() -> None:
    assert round_to_step(D("0.0999"), D("0.001"), "down") == D("0.099")
    assert round_to_step(D("12000.2"), D("1"), "down") == D("12000")
    # a tick that is not a power of ten: 101.25 is 202.5 half-ticks, nearest goes up to 203
    assert round_to_step(D("101.25"), D("0.5"), "nearest") == D("101.5")
    assert round_to_step(D("101.2"), D("0.5"), "nearest") == D("101.0")


def test_rounding_is_exact_where_float_round_is_not() -> None:
    # float: 1.005 is 1.00499999999999989..., so round(1.005, 2) gives 1.0; the decimal text rounds to 1.01
    assert round(1.005, 2) == 1.0
    assert round_to_step(1.005, D("0.01"), "nearest") == 1.01
    # many digits: the quotient is exact however long the value
    long_value = D("123456789012345678901234567.891234567")
    assert round_to_step(long_value, D("0.01"), "down") == D("123456789012345678901234567.89")


_steps = st.sampled_from([D("0.1"), D("0.01"), D("0.00001"), D("1"), D("0.5"), D("0.25"), D("5"), D("0.001")])
_values = st.decimals(min_value=D("0.000001"), max_value=D("10000000"), places=8, allow_nan=False,
                      allow_infinity=False)


@given(value=_values, step=_steps)
def test_rounding_lands_on_the_step_on_the_right_side(value: Decimal, step: Decimal) -> None:
    down = round_to_step(value, step, "down")
    up = round_to_step(value, step, "up")
    nearest = round_to_step(value, step, "nearest")
    assert isinstance(down, Decimal) and isinstance(up, Decimal) and isinstance(nearest, Decimal)
    for rounded in (down, up, nearest):
        assert rounded % step == 0
    assert down <= value <= up
    assert up - down in (0, step)
    assert (up == down) == (value % step == 0)
    assert abs(nearest - value) <= step / 2
    assert nearest in (down, up)


@given(value=_values, step=_steps, sign=st.sampled_from([1, -1]))
def test_a_liquidation_price_is_never_shown_farther_from_the_entry(value: Decimal, step: Decimal, sign: int) -> None:
    # a long's liquidation price lies below its entry: shown at or above the exact one; a short's at or below
    shown = round_to_step(value, step, safe_liquidation_direction(sign))
    assert sign * (shown - value) >= 0
    assert abs(shown - value) < step


@given(value=st.floats(min_value=1e-6, max_value=1e7, allow_nan=False), step=_steps)
def test_floats_round_like_their_decimal_text(value: float, step: Decimal) -> None:
    rounded = round_to_step(value, step, "down")
    assert isinstance(rounded, float)
    assert rounded == float(round_to_step(D(repr(value)), step, "down"))


# ---------------------------------------------------------------------------
# The recorded markets


def test_every_recorded_market_has_a_positive_tick_and_lot_on_its_steps() -> None:
    for name in EXCHANGES:
        markets = exchange_markets(name)
        assert markets, f"{name}: no recorded markets"
        for symbol, rules in markets.items():
            assert rules.amount_step > 0 and rules.contract_size > 0, symbol
            assert rules.price_tick is None or rules.price_tick > 0, symbol
            if rules.min_amount is not None:
                assert rules.min_amount % rules.amount_step == 0, symbol


@pytest.mark.parametrize(("exchange", "symbol"), [
    ("binance-coinm", "BTC/USD:BTC"), ("binance-coinm", "ETH/USD:ETH"), ("okx-linear", "BTC/USDT:USDT"),
    ("okx-linear", "ETH/USDT:USDT"), ("okx-inverse", "BTC/USD:BTC"), ("bybit-inverse", "BTC/USD:BTC"),
])
def test_recorded_contract_sizes_agree_with_the_presets(exchange: str, symbol: str) -> None:
    # two sources: the presets' published contract sizes and ccxt's recorded contractSize / ctVal
    assert market_rules(exchange, symbol).contract_size == EXCHANGES[exchange].contract_size(symbol)


def test_the_data_file_names_its_source_commit_and_date() -> None:
    from importlib import resources

    data = json.loads(resources.files("contractcalc.venues").joinpath("data", "markets.json").read_text("utf-8"))
    assert "ccxt" in data["about"] and data["read_on"]
    for name, entry in data["exchanges"].items():
        assert name in EXCHANGES
        assert entry["ccxt_file"].startswith("ts/src/test/static/markets/")
        assert len(entry["ccxt_commit"]) == 40 and entry["recorded"]


def test_a_symbol_is_found_in_any_spelling() -> None:
    for spelling in ("BTC/USDT:USDT", "BTCUSDT", "BTC-USDT-SWAP", "btc"):
        assert market_rules("okx-linear", spelling).symbol == "BTC/USDT:USDT"
    assert market_rules("binance-coinm", "BTCUSD_PERP").contract_size == 100
    assert price_ticks("binance-usdm")["DOGE"] == D("0.00001")


def test_a_symbol_without_tick_data_is_an_error_naming_it() -> None:
    with pytest.raises(InputError) as caught:
        market_rules("binance-usdm", "PEPE/USDT:USDT")
    assert caught.value.field == "symbol"
    assert "no recorded price tick" in str(caught.value) and "BTC, ETH" in str(caught.value)


def test_hyperliquids_tick_follows_its_published_examples() -> None:
    # Hyperliquid docs, "Tick and lot size": 1234.5 is a valid price, 1234.56 is not (5 significant
    # figures); 0.001234 is valid, 0.0012345 is not (6 decimals); with szDecimals 1, 0.01234 is valid,
    # 0.012345 is not; 123456 is valid (a whole number always is) though 12345.6 is not.
    btc = market_rules("hyperliquid", "BTC/USDC:USDC")  # szDecimals 5: at most 1 decimal
    ada = market_rules("hyperliquid", "ADA")  # szDecimals 0: at most 6 decimals
    assert btc.tick_at(D("1234.56")) == D("0.1")
    assert ada.tick_at(D("0.0012345")) == D("0.000001")
    assert btc.tick_at(D("123456")) == 1 and btc.tick_at(D("12345.6")) == 1
    one_decimal = MarketRules("hyperliquid", "X", None, D("0.1"), None, D(1), significant_figures=5, max_decimals=5)
    assert one_decimal.tick_at(D("0.012345")) == D("0.00001")
    for valid, rules in ((D("1234.5"), btc), (D("0.001234"), ada), (D("0.01234"), one_decimal), (D("123456"), btc)):
        assert valid % rules.tick_at(valid) == 0
    for invalid, rules in ((D("1234.56"), btc), (D("0.0012345"), ada), (D("0.012345"), one_decimal),
                           (D("12345.6"), btc)):
        assert invalid % rules.tick_at(invalid) != 0


# ---------------------------------------------------------------------------
# The calculators with round=True


def test_liquidation_rounds_the_safe_way_on_binance() -> None:
    # binance-usdm, 1 BTC @ 60,000, 20x: WB 3,000; tier 2 of the 2024-10 table (MMR 0.5 %, cum 50).
    # long:  LP = (3,000 + 50 − 60,000) / (0.005 − 1) = 57,236.1809... -> up to 57,236.2
    # short: LP = (3,000 + 50 + 60,000) / (0.005 + 1) = 62,736.3184... -> down to 62,736.3
    common: dict[str, Any] = {"entry": D(60000), "quantity": D(1), "leverage": D(20), "symbol": "BTC/USDT:USDT"}
    long_exact = liquidation_price("binance-usdm", "long", **common)
    assert abs(long_exact.liquidation_price - D(56950) / D("0.995")) < D("1e-20")
    long_round = liquidation_price("binance-usdm", "long", **common, round=True)
    assert long_round.liquidation_price == D("57236.2") and long_round.price_tick == D("0.1")
    assert long_round.bankruptcy_price == D("57000.0")
    assert long_round.distance_to_liquidation == (D(60000) - D("57236.2")) / D(60000)
    short_round = liquidation_price("binance-usdm", "short", **common, round=True)
    assert short_round.liquidation_price == D("62736.3")
    assert "price_tick" not in long_exact and long_round.to_dict()["price_tick"] == D("0.1")


def test_liquidation_with_floats_gives_floats() -> None:
    r = liquidation_price("bybit-linear", "long", 10000.0, quantity=1.0, leverage=50.0,
                          maintenance_margin_rate=0.005, symbol="BTCUSDT", round=True)
    # examples.md Y1: LP 9,850 exactly, already on the 0.1 tick
    assert r.liquidation_price == 9850.0 and isinstance(r.price_tick, float) and r.price_tick == 0.1


def test_size_rounds_down_to_okxs_lot_and_scales_what_follows() -> None:
    # okx-linear BTC-USDT-SWAP: lot 0.1 contract of 0.01 BTC = 0.001 BTC. Loss per BTC at the stop:
    # 1,000 + 50,000 × 0.05 % + 49,000 × 0.05 % = 1,049.5; 100 / 1,049.5 = 0.09528... -> 0.095 BTC,
    # which loses 0.095 × 1,049.5 = 99.7025 at the stop; notional 0.095 × 50,000 = 4,750
    r = size(side="long", balance=D(10000), risk_rate=D("0.01"), entry=D(50000), stop=D(49000),
             target=D(53000), exchange="okx-linear", symbol="BTC/USDT:USDT", maintenance_margin_rate=D("0.004"),
             leverage=D(10), round=True)
    assert r.quantity == D("0.095") and r.lot_size == D("0.001")
    assert r.risk_amount == D("99.7025") and r.notional == 4750 and r.leverage_needed == D("0.475")
    exact = size(side="long", balance=D(10000), risk_rate=D("0.01"), entry=D(50000), stop=D(49000),
                 target=D(53000), exchange="okx-linear", symbol="BTC/USDT:USDT",
                 maintenance_margin_rate=D("0.004"), leverage=D(10))
    assert r.reward_risk_ratio == exact.reward_risk_ratio  # both sides of the ratio scale alike
    assert r.liquidation_price >= exact.liquidation_price > r.liquidation_price - D("0.1")
    assert r.price_tick == D("0.1")


def test_size_of_an_inverse_contract_rounds_whole_contracts() -> None:
    # binance-coinm BTCUSD: 100 USD contracts, lot 1. Short 1 BTC × 1 % at 50,000, stop 51,000, taker 0.05 %:
    # per USD 1/50,000 − 1/51,000 + 0.0005/50,000 + 0.0005/51,000; F = 0.01 / that = 24,243.9... USD
    per_usd = (D(1) / 50000 - D(1) / 51000) + D("0.0005") / 50000 + D("0.0005") / 51000
    contracts = D("0.01") / per_usd / 100
    assert 242 < contracts < 243
    r = size(side="short", balance=D(1), risk_rate=D("0.01"), entry=D(50000), stop=D(51000),
             exchange="binance-coinm", symbol="BTCUSD", round=True)
    assert r.contracts == 242 and r.lot_size == 1 and r.notional == D(24200) / 50000


def test_size_below_the_smallest_order_is_an_error_naming_the_risk() -> None:
    with pytest.raises(InputError) as caught:
        size(side="long", balance=D(10), risk_rate=D("0.001"), entry=D(50000), stop=D(49000),
             exchange="binance-usdm", symbol="BTC/USDT:USDT", round=True)
    assert caught.value.field == "risk_rate" and "smallest order of 0.001 BTC" in str(caught.value)


def test_max_open_rounds_down_and_the_notional_follows() -> None:
    # examples.md B7 (2021 table): 10,000 at 50x opens 500,000; at 50,001: 9.99980... BTC -> 9.999 BTC
    r = max_open(balance=D(10000), leverage=D(50), entry=D(50001), exchange="binance-usdm",
                 symbol="BTC/USDT:USDT", tiers="binance-usdm-BTCUSDT-2021-03-18", round=True)
    assert r.max_quantity == D("9.999") and r.max_notional == D("9.999") * 50001 and r.lot_size == D("0.001")


def test_plan_rounds_the_exchange_liquidation_price() -> None:
    # the README's seed plan on binance-usdm: LP 15,060.2409... (0.4 % tier 1) -> a long's up to 15,060.3
    r = plan("long", D(20000), D(15000), D(24000), D(1000), exchange="binance-usdm", symbol="BTC/USDT:USDT",
             round=True)
    assert r.liquidation_price == D("15060.3") and r.price_tick == D("0.1")
    assert r.stop_before_liquidation_exact is False


@pytest.mark.parametrize(("call", "field"), [
    (lambda: liquidation_price("binance-usdm", "long", D(60000), quantity=D(1), leverage=D(20),
                               maintenance_margin_rate=D("0.004"), round=True), "symbol"),
    (lambda: liquidation_price("binance-usdm", "long", D(60000), quantity=D(1), leverage=D(20),
                               maintenance_margin_rate=D("0.004"), symbol="PEPEUSDT", round=True), "symbol"),
    (lambda: plan("long", D(20000), D(15000), D(24000), D(1000), round=True), "exchange"),
    (lambda: liquidation_price("binance-usdm", wallet_balance=D(1000), positions=[], round=True), "round"),
])
def test_round_without_market_data_names_the_field(call: Any, field: str) -> None:
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field


# ---------------------------------------------------------------------------
# CLI and API


def test_cli_round_shows_the_tick_and_where_it_comes_from(cli: Any) -> None:
    args = ["liquidation", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--side", "long",
            "--entry", "60000", "--quantity", "1", "--leverage", "20", "--round"]
    data = cli(*args, "--json").json()
    assert data["liquidation_price"] == 57236.2 and data["price_tick"] == 0.1
    table = cli(*args)
    assert table.code == 0 and "price_tick" in table.out
    assert "0dca8ac0a3ce" in " ".join(table.out.split())  # the ccxt commit the tick comes from


def test_cli_round_error_is_one_line_naming_the_flag(cli: Any) -> None:
    result = cli("size", "--exchange", "binance-usdm", "--symbol", "PEPE/USDT:USDT", "--side", "long",
                 "--balance", "1000", "--risk-rate", "0.01", "--entry", "1", "--stop", "0.9", "--round")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("error: '--symbol' has no recorded price tick and lot size on binance-usdm")
    assert result.err.count("\n") == 1


def test_api_presets_carry_the_ticks_and_lots_and_round_is_a_field() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from contractcalc.interfaces.web import create_app

    client = TestClient(create_app())
    presets = {p["name"]: p for p in client.get("/api/presets").json()["exchanges"]}
    assert presets["binance-usdm"]["price_ticks"]["BTC"] == 0.1
    assert presets["okx-linear"]["lot_sizes"]["BTC"] == 0.001  # 0.1 contract × 0.01 BTC
    assert presets["binance-coinm"]["lot_sizes"]["BTC"] == 1  # contracts
    assert "price_ticks" in presets["hyperliquid"] and "BTC" not in presets["hyperliquid"]["price_ticks"]
    assert "ccxt" in presets["bybit-linear"]["markets_source"]
    answer = client.post("/api/liquidation", json={
        "exchange": "binance-usdm", "symbol": "BTC/USDT:USDT", "side": "short", "entry": 60000, "quantity": 1,
        "leverage": 20, "round": True})
    assert answer.status_code == 200 and answer.json()["liquidation_price"] == 62736.3
    missing = client.post("/api/size", json={
        "side": "long", "balance": 1000, "risk_rate": 0.01, "entry": 100, "stop": 90, "exchange": "bybit-linear",
        "round": True})
    assert missing.status_code == 422 and "symbol" in missing.text
