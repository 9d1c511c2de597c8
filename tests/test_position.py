"""The position calculators as library calls: hand calculations, number types, bad input.

Published figures are in test_contracts_examples.py; here each expected value is a hand
calculation written next to it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

import contractcalc
from contractcalc import InputError, average_entry, cost, max_open, pnl, size, target
from contractcalc.engines.calculators import size_position

D = Decimal


# --- pnl ----------------------------------------------------------------------


def test_pnl_with_fees_and_funding_by_hand() -> None:
    # long 0.2 BTC 7,000 → 7,500, 10x, 0.05 % each way, funding 0.01 % × 3 at the entry price:
    # pnl 100; IM 140; fees 1400 × 0.0005 + 1500 × 0.0005 = 1.45; funding 1400 × 0.0001 × 3 = 0.42;
    # net 100 − 1.45 − 0.42 = 98.13; break-even 7000 × 1.0005 / 0.9995
    result = pnl(contract="linear", side="long", entry=D(7000), exit=D(7500), quantity=D("0.2"), leverage=D(10),
                 open_fee_rate=D("0.0005"), close_fee_rate=D("0.0005"), funding_rate=D("0.0001"),
                 funding_intervals=D(3))
    assert result["pnl"] == 100
    assert result["initial_margin"] == 140
    assert result["roe"] == D(100) / D(140)
    assert result["notional"] == 1400
    assert result["fees"] == D("1.45")
    assert result["funding"] == D("0.42")
    assert result["net_pnl"] == D("98.13")
    assert result["breakeven_price"] == D(7000) * D("1.0005") / D("0.9995")


def test_funding_is_paid_by_longs_and_received_by_shorts() -> None:
    common: dict[str, Any] = dict(contract="linear", entry=D(100), exit=D(100), quantity=D(10),
                                  funding_rate=D("0.001"), funding_mark=D(200))
    # value at the funding mark 10 × 200 = 2000; × 0.1 % = 2 per interval
    assert pnl(side="long", **common)["funding"] == 2
    assert pnl(side="short", **common)["net_pnl"] == 2  # received
    negative = {**common, "funding_rate": D("-0.001")}
    assert pnl(side="long", **negative)["funding"] == -2


def test_inverse_pnl_amounts_are_in_coin() -> None:
    # short 100 contracts × 100 USD @ 50,000 → 40,000: 10,000 × (1/40,000 − 1/50,000) = 0.05 BTC
    # fees 0.05 %: 0.2 BTC × 0.0005 + 0.25 BTC × 0.0005 = 0.000225; break-even 50,000 × 0.9995 / 1.0005
    result = pnl(contract="inverse", side="short", entry=D(50000), exit=D(40000), contracts=D(100),
                 contract_size=D(100), leverage=D(5), open_fee_rate=D("0.0005"), close_fee_rate=D("0.0005"))
    assert result["pnl"] == D("0.05")
    assert result["notional"] == D("0.2")
    assert result["initial_margin"] == D("0.04")
    assert result["roe"] == D("1.25")
    assert result["fees"] == D("0.000225")
    assert result["breakeven_price"] == D(50000) * D("0.9995") / D("1.0005")


def test_pnl_without_leverage_has_no_margin_or_roe() -> None:
    result = pnl(contract="linear", side="long", entry=100.0, exit=110.0, quantity=1.0)
    assert result["initial_margin"] is None and result["roe"] is None
    assert result["funding"] == 0 and result["fees"] == 0


def test_pnl_over_arrays_broadcasts() -> None:
    result = pnl(contract="linear", side=np.array(["long", "short"]), entry=100.0, exit=np.array([110.0, 90.0]),
                 quantity=2.0, leverage=np.array([5.0, 10.0]))
    np.testing.assert_allclose(result["pnl"], [20.0, 20.0])  # 2 × 10 both ways
    np.testing.assert_allclose(result["roe"], [20 / 40, 20 / 20])


def test_pnl_in_floats_decimals_and_arrays_agree() -> None:
    args: dict[str, Any] = dict(contract="inverse", side="long", entry=5000, exit=5500, contracts=1000,
                                contract_size=1, leverage=10, open_fee_rate=0.0005, close_fee_rate=0.0005)
    as_float = pnl(**{k: float(v) if isinstance(v, int) else v for k, v in args.items()})
    as_decimal = pnl(**{k: D(str(v)) if isinstance(v, int | float) else v for k, v in args.items()})
    as_array = pnl(**{**args, "exit": np.array([5500.0, 6000.0])})
    for key, value in as_float.items():
        assert float(as_decimal[key]) == pytest.approx(value, rel=1e-12)
        assert as_array[key] is None or np.ravel(as_array[key])[0] == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": None}, "'contracts' is required (or 'quantity')"),
        ({"quantity": 0}, "'quantity' must be > 0 (got 0)"),
        ({"contracts": 5}, "'quantity' cannot be combined with 'contracts' (got 1)"),
        ({"quantity": None, "contracts": 5}, "'contract_size' is required with 'contracts'"),
        ({"exit": -1}, "'exit' must be > 0 (got -1)"),
        ({"leverage": 0}, "'leverage' must be > 0 (got 0)"),
        ({"open_fee_rate": -0.1}, "'open_fee_rate' must be >= 0 (got -0.1)"),
        ({"close_fee_rate": 1}, "'close_fee_rate' must be < 1 (got 1)"),
        ({"funding_intervals": 3}, "'funding_intervals' needs 'funding_rate' (got 3)"),
        ({"side": "flat"}, "'side' must be 'long' or 'short' (got 'flat')"),
        ({"contract": "perp"}, "'contract' must be 'linear' or 'inverse' (or usdt, u, coin) (got 'perp')"),
    ],
)
def test_pnl_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    args = {"contract": "linear", "side": "long", "entry": 100, "exit": 110, "quantity": 1, **kwargs}
    with pytest.raises(InputError) as caught:
        pnl(**args)
    assert str(caught.value) == message


def test_inverse_takes_contracts_not_quantity() -> None:
    with pytest.raises(InputError, match="'quantity' is for linear contracts"):
        pnl(contract="inverse", side="long", entry=100, exit=110, quantity=1)


# --- target -------------------------------------------------------------------


def test_target_by_hand_on_both_kinds_and_sides() -> None:
    # linear: 10,000 × (1 ± 0.5/10); inverse: 10,000 / (1 ∓ 0.5/10)
    assert target(contract="linear", side="long", entry=D(10000), leverage=D(10), roe=D("0.5")) == {
        "target_price": D(10500)}
    assert target(contract="linear", side="short", entry=D(10000), leverage=D(10), roe=D("0.5")) == {
        "target_price": D(9500)}
    assert target(contract="inverse", side="long", entry=D(10000), leverage=D(10), roe=D("0.5"))[
        "target_price"] == D(10000) / D("0.95")
    assert target(contract="inverse", side="short", entry=D(10000), leverage=D(10), roe=D("0.5"))[
        "target_price"] == D(10000) / D("1.05")


def test_target_refuses_an_unreachable_roe() -> None:
    # an inverse long at 10x cannot make 1000 % (the price would have to be infinite)
    with pytest.raises(InputError, match="'roe' must be < leverage for an inverse long"):
        target(contract="inverse", side="long", entry=100, leverage=10, roe=10)
    with pytest.raises(InputError, match="'roe' must be < leverage for a linear short"):
        target(contract="linear", side="short", entry=100, leverage=10, roe=10)


# --- average-entry ------------------------------------------------------------


def test_average_entry_accepts_text_pairs_and_objects() -> None:
    # (1 × 100 + 3 × 200) / 4 = 175
    for fills in (["1@100", "3@200"], [(1, 100), (3, 200)], [{"size": 1, "price": 100}, {"size": 3, "price": 200}]):
        assert average_entry(contract="linear", fill=fills)["average_entry"] == 175
    # inverse: 4 / (1/100 + 3/200) = 160
    assert average_entry(contract="inverse", fill=["1@100", "3@200"])["average_entry"] == 160


@pytest.mark.parametrize(
    ("fill", "message"),
    [
        (["1@100", "abc"], "'fill' must be SIZE@PRICE, e.g. 0.5@5000 (got 'abc' at index 1)"),
        (["1@100@3"], "'fill' must be SIZE@PRICE, e.g. 0.5@5000 (got '1@100@3' at index 0)"),
        (["0@100"], "'fill' size must be > 0 (got 0 at index 0)"),
        (["1@-5"], "'fill' price must be > 0 (got -5 at index 0)"),
        (["1@nan"], "'fill' must be SIZE@PRICE, e.g. 0.5@5000 (got '1@nan' at index 0)"),
        ([], "'fill' must list at least one fill, e.g. ['0.5@5000', '0.3@6000']"),
        ([("x", 1)], "'fill' size must be a number (got 'x' at index 0)"),
    ],
)
def test_fills_that_do_not_parse(fill: list[Any], message: str) -> None:
    with pytest.raises(InputError) as caught:
        average_entry(contract="linear", fill=fill)
    assert str(caught.value) == message


# --- cost ---------------------------------------------------------------------


def test_cost_of_a_short_by_hand() -> None:
    # short 2 BTC @ 10,000, 20x, fee 0.1 %: IM 1,000; BP 10,500; open fee 20; close fee 21,000 × 0.001 = 21
    result = cost(contract="linear", side="short", entry=D(10000), leverage=D(20), quantity=D(2),
                  fee_rate=D("0.001"))
    assert result == {"initial_margin": 1000, "open_loss": 0, "open_fee": 20, "close_fee": 21,
                      "bankruptcy_price": 10500, "cost": 1041}


def test_cost_without_a_bankruptcy_price() -> None:
    # a 1x linear long loses its margin only at a price of 0: no bankruptcy price, no fee to close there
    result = cost(contract="linear", side="long", entry=D(100), leverage=D(1), quantity=D(1), fee_rate=D("0.001"))
    assert result["bankruptcy_price"] is None and result["close_fee"] == 0
    # a 1x inverse short likewise (the price would be infinite)
    result = cost(contract="inverse", side="short", entry=D(100), leverage=D(1), contracts=D(1),
                  contract_size=D(100), fee_rate=D("0.001"))
    assert result["bankruptcy_price"] is None and result["close_fee"] == 0


def test_cost_checks_the_tier_cap() -> None:
    # 2021 table: 10 BTC @ 30,000 = 300,000 notional is tier 3, max 50x
    args: dict[str, Any] = dict(side="long", entry=D(30000), quantity=D(10), exchange="binance-usdm",
                                symbol="BTC/USDT:USDT", tiers="binance-usdm-BTCUSDT-2021-03-18")
    cost(leverage=D(50), **args)
    with pytest.raises(InputError, match=r"'leverage' must be <= 50, the cap of tier 3 .* \(got 51\)"):
        cost(leverage=D(51), **args)


# --- size ---------------------------------------------------------------------


def test_size_with_fees_by_hand() -> None:
    # 10,000 USDT, 1 % → 100 at risk; long @ 50,000, stop 49,000, 0.05 % each way:
    # per BTC 1,000 + 25 + 24.5 = 1,049.5 → Q = 100 / 1,049.5; target 52,000 nets 2,000 − 25 − 26 per BTC
    result = size(contract="linear", side="long", balance=D(10000), risk_rate=D("0.01"), entry=D(50000),
                  stop=D(49000), target=D(52000), open_fee_rate=D("0.0005"), close_fee_rate=D("0.0005"))
    q = D(100) / D("1049.5")
    assert result["quantity"] == q
    assert result["notional"] == q * 50000
    assert result["risk_amount"] == 100
    assert result["leverage_needed"] == q * 50000 / 10000
    assert result["reward_risk_ratio"] == q * D(1949) / 100


def test_size_of_an_inverse_short_by_hand() -> None:
    # 1 BTC, 2 % → 0.02 BTC; short @ 50,000, stop 52,000, no fees: per USD 1/50,000 − 1/52,000,
    # F = 0.02 / that = 26,000 USD = 260 contracts of 100 USD
    result = size(exchange="binance-coinm", symbol="BTC/USD:BTC", side="short", balance=D(1), risk_rate=D("0.02"),
                  entry=D(50000), stop=D(52000), open_fee_rate=D(0), close_fee_rate=D(0))
    assert result["contracts"] == pytest.approx(D(260), abs=D("1e-20"))
    assert result["notional"] == pytest.approx(D("0.52"), abs=D("1e-20"))  # 26,000 / 50,000 BTC
    assert result["reward_risk_ratio"] is None


def test_size_position_is_the_seam_behind_size() -> None:
    sized = size_position(contract="linear", side="short", balance=1000.0, risk_rate=0.02, entry=100.0, stop=104.0)
    assert sized.size == pytest.approx(5.0)  # 20 / 4
    assert sized.side == -1 and sized.contract == "linear"
    assert sized.result() == size(contract="linear", side="short", balance=1000.0, risk_rate=0.02, entry=100.0,
                                  stop=104.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"risk_rate": 0}, "'risk_rate' must be in (0, 1] (got 0)"),
        ({"risk_rate": D("1.5")}, "'risk_rate' must be in (0, 1] (got 1.5)"),
        ({"stop": 110}, "'stop' must be on the loss side of 'entry' (below for a long, above for a short) (got 110)"),
        ({"stop": 100}, "'stop' must be on the loss side of 'entry' (below for a long, above for a short) (got 100)"),
        ({"target": 95}, "'target' must be on the profit side of 'entry' (above for a long, below for a short) "
                         "(got 95)"),
        ({"balance": -1}, "'balance' must be > 0 (got -1)"),
        ({"max_leverage": 2}, "'max_leverage' must be >= the leverage the position needs (notional / balance, 5); "
                              "lower 'risk_rate' or widen the stop (got 2)"),
    ],
)
def test_size_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    # base case: 1000 × 5 % = 50 at risk over a 1 move → 50 units, notional 5,000, leverage 5
    args = {"contract": "linear", "side": "long", "balance": 1000, "risk_rate": D("0.05"), "entry": 100, "stop": 99,
            **kwargs}
    with pytest.raises(InputError) as caught:
        size(**args)
    assert str(caught.value) == message


def test_size_within_max_leverage_passes() -> None:
    result = size(contract="linear", side="long", balance=1000, risk_rate=D("0.05"), entry=100, stop=99,
                  max_leverage=5)
    assert result["leverage_needed"] == 5


def test_inverse_size_needs_a_contract_size() -> None:
    with pytest.raises(InputError, match="'contract_size' is required for inverse contracts"):
        size(contract="inverse", side="long", balance=1, risk_rate=D("0.01"), entry=100, stop=90)


# --- max-open -----------------------------------------------------------------


def test_max_open_by_hand() -> None:
    # 2024 table: 10,000 USDT at 20x → 200,000 (tier 6's 20x reaches 100,000,000, so the balance binds)
    result = max_open(exchange="binance-usdm", symbol="BTC/USDT:USDT", balance=D(10000), leverage=D(20),
                      entry=D(50000))
    assert result == {"max_quantity": 4, "max_notional": 200000}
    # at 100x the highest tier allowing it is tier 2, up to 600,000: 1,000,000 USDT × 100 is capped there
    result = max_open(exchange="binance-usdm", symbol="BTC/USDT:USDT", balance=D(1000000), leverage=D(100),
                      entry=D(60000))
    assert result == {"max_quantity": 10, "max_notional": 600000}


def test_max_open_inverse_in_contracts() -> None:
    # reconstructed COIN-M table, bounds in BTC: 2 BTC at 20x = 40 BTC (tier 4, 20x, up to 50 BTC);
    # 40 BTC × 50,000 USD / 100 USD per contract = 20,000 contracts
    result = max_open(exchange="binance-coinm", symbol="BTC/USD:BTC", balance=D(2), leverage=D(20), entry=D(50000))
    assert result == {"max_contracts": 20000, "max_notional": 40}


def test_max_open_over_an_array_of_leverages() -> None:
    result = max_open(tiers="binance-usdm-BTCUSDT-2024-10", contract="linear", balance=1e6,
                      leverage=np.array([20.0, 75.0, 100.0, 125.0]), entry=50000.0)
    # caps: 20x → 100,000,000; 75x → 3,000,000; 100x → 600,000; 125x → 50,000; balance × L binds at 20x
    np.testing.assert_allclose(result["max_notional"], [2e7, 3e6, 6e5, 5e4])


def test_max_open_errors() -> None:
    with pytest.raises(InputError) as caught:
        max_open(exchange="binance-usdm", symbol="BTC/USDT:USDT", balance=1000, leverage=150, entry=50000)
    assert str(caught.value) == "'leverage' must be <= 125, the cap of tier 1 (notional 0–50000, max 125x) (got 150)"
    with pytest.raises(InputError, match="'symbol' is not in the tier file"):
        max_open(tiers="binance-usdm-BTCUSDT-2024-10", symbol="ETH/USDT:USDT", contract="linear", balance=1,
                 leverage=1, entry=1)
    # (a symbol without a shipped table: ETHUSDT has one since the 2024-10-24 tables)
    with pytest.raises(InputError, match="'tiers' is required: no table ships for LTC/USDT:USDT on binance-usdm"):
        max_open(exchange="binance-usdm", symbol="LTC/USDT:USDT", balance=1, leverage=1, entry=1)
    with pytest.raises(InputError, match="'tiers' is required"):
        max_open(contract="linear", balance=1, leverage=1, entry=1)


def test_the_calculators_are_exported_and_return_the_documented_keys() -> None:
    keys = {
        "pnl": ["pnl", "initial_margin", "roe", "notional", "fees", "funding", "net_pnl", "breakeven_price"],
        "cost": ["initial_margin", "open_loss", "open_fee", "close_fee", "bankruptcy_price", "cost"],
    }
    assert list(contractcalc.pnl(contract="linear", side="long", entry=1, exit=2, quantity=1)) == keys["pnl"]
    assert list(contractcalc.cost(contract="linear", side="long", entry=1, leverage=2, quantity=1)) == keys["cost"]
    assert list(contractcalc.average_entry(contract="linear", fill=["1@1"])) == ["average_entry", "total_size"]
    assert list(contractcalc.size(contract="linear", side="long", balance=1, risk_rate=1, entry=2, stop=1)) == [
        "quantity", "notional", "risk_amount", "leverage_needed", "reward_risk_ratio"]


# --- number types -------------------------------------------------------------


def test_cost_size_and_average_entry_over_arrays() -> None:
    # cost: two leverages at once; linear long 1 BTC @ 8,000, fee 0.075 %: 50x is Y6 (171.88), 1x has no BP
    result = cost(contract="linear", side="long", entry=8000.0, leverage=np.array([50.0, 1.0]), quantity=1.0,
                  fee_rate=0.00075)
    np.testing.assert_allclose(result["cost"], [171.88, 8000 + 6])
    assert result["bankruptcy_price"][0] == pytest.approx(7840) and np.isnan(result["bankruptcy_price"][1])
    # size: two stops; 100 at risk over 1,000 and 2,000 per BTC
    result = size(contract="linear", side="long", balance=10000.0, risk_rate=0.01, entry=50000.0,
                  stop=np.array([49000.0, 48000.0]))
    np.testing.assert_allclose(result["quantity"], [0.1, 0.05])
    with pytest.raises(InputError, match=r"'stop' must be on the loss side .* \(got 51000 at index 1\)"):
        size(contract="linear", side="long", balance=10000.0, risk_rate=0.01, entry=50000.0,
             stop=np.array([49000.0, 51000.0]))
    # average entry: each fill's price an array (two scenarios for the second fill)
    result = average_entry(contract="linear", fill=[(1.0, 100.0), (1.0, np.array([200.0, 300.0]))])
    np.testing.assert_allclose(result["average_entry"], [150.0, 200.0])


def test_decimal_object_arrays() -> None:
    entry = np.array([D(8000), D(6400)], dtype=object)
    result = cost(contract="linear", side="long", entry=entry, leverage=D(50), quantity=D(1), fee_rate=D("0.00075"))
    assert list(result["cost"]) == [D("171.88"), D(6400) / 50 + D(6400) * D("0.00075") * (1 + D(49) / 50)]
