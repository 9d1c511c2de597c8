"""Bybit's fee to close at the bankruptcy price, in its cross-margin liquidation and bankruptcy prices (issue 12).

Published figures (Bybit help centre):

- "How to calculate Liquidation Price (Inverse Contract)",
  https://help.bybit.com/hc/en-us/articles/360039261334-How-to-calculate-Liquidation-Price-Inverse-Contract-
  cross margin: account balance 0.5 BTC, long 10,000 BTCUSD contracts at 8,000, MMR 0.5 %, taker 0.075 %:
  bankruptcy 1.00075 × 10,000 / (10,000/8,000 + 0.5) = 5,718.57; liquidation 5,739.50.
- "How to calculate Bankruptcy Price",
  https://help.bybit.com/hc/en-us/articles/360037757474-How-to-calculate-Bankruptcy-Price-
  "for long position, the bankruptcy price will be rounded up to the nearest 0.5 ... for short position
  ... rounded down": the page's 5,739.50 is 5,739.08 rounded up to BTCUSD's 0.5 tick.

Every expected value below is written out by hand with ``Fraction``; the general path
(``liquidation_price``), the cross-account path (``positions=``) and the book path
(``book_liquidation``) must give the same prices.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction as F
from typing import Any

import numpy as np
import pytest

from contractcalc import liquidation_price
from contractcalc.core import kernels
from contractcalc.engines.book import book_liquidation
from contractcalc.errors import InputError
from contractcalc.interfaces.cli import run

#: Bybit's inverse cross example, as keywords of ``liquidation_price``
EXAMPLE: dict[str, Any] = {"exchange": "bybit-inverse", "side": "long", "entry": 8000, "contracts": 10000,
                           "contract_size": 1, "wallet_balance": 0.5, "margin_mode": "cross",
                           "maintenance_margin_rate": 0.005, "taker_fee_rate": 0.00075}


def _hand_inverse(s: int, entry: F, face: F, balance: F, rate: F, fee: F) -> tuple[F, F, F]:
    """(bankruptcy, fee to close, liquidation) by Bybit's two equations, written out."""
    # margin balance = fee to close at BP:  balance + s·F·(1/E − 1/BP) = F·f/BP
    bankruptcy = face * (s + fee) / (balance + s * face / entry)
    fee_to_close = face * fee / bankruptcy
    # s·F·(1/E − 1/LP) = −(balance − F/E·MMR − fee to close)
    inverse_lp = 1 / entry + s * (balance - face / entry * rate - fee_to_close) / face
    return bankruptcy, fee_to_close, 1 / inverse_lp


def _hand_linear(s: int, entry: F, quantity: F, balance: F, rate: F, fee: F) -> tuple[F, F, F]:
    # balance + s·Q·(BP − E) = Q·BP·f  →  BP = (s·Q·E − balance) / (Q·(s − f))
    bankruptcy = (s * quantity * entry - balance) / (quantity * (s - fee))
    fee_to_close = quantity * bankruptcy * fee
    # balance + s·Q·(LP − E) = Q·E·MMR + fee to close
    return bankruptcy, fee_to_close, entry - s * (balance - quantity * entry * rate - fee_to_close) / quantity


def test_bybits_inverse_cross_example_through_the_engine() -> None:
    result = liquidation_price(**EXAMPLE)
    bankruptcy, fee_to_close, lp = _hand_inverse(1, F(8000), F(10000), F(1, 2), F("0.005"), F("0.00075"))
    assert bankruptcy == F("1.00075") * 10000 / F("1.75")  # the page's own expression
    assert round(result.bankruptcy_price, 2) == 5718.57
    assert result.bankruptcy_price == pytest.approx(float(bankruptcy), rel=1e-14)
    assert result.fee_to_close == pytest.approx(float(fee_to_close), rel=1e-14)
    assert round(result.fee_to_close, 8) == 0.00131152
    assert result.liquidation_price == pytest.approx(float(lp), rel=1e-14)
    assert round(result.liquidation_price, 2) == 5739.08
    # the page's 5,739.50: a long's price rounded up to the 0.5 USD tick of BTCUSD
    assert math.ceil(result.liquidation_price / 0.5) * 0.5 == 5739.50
    # not the nearest tick (5,739.0), nor the maintenance margin at the bankruptcy price (another formula)
    assert round(result.liquidation_price / 0.5) * 0.5 == 5739.0
    mm_at_bp = 1 / (F(1, 8000) + (F(1, 2) - 10000 / bankruptcy * F("0.005") - fee_to_close) / 10000)
    assert round(float(mm_at_bp), 2) == 5747.31
    fee_at_entry = 1 / (F(1, 8000) + (F(1, 2) - F("0.00625") - 10000 * F("0.00075") / 8000) / 10000)
    assert math.ceil(float(fee_at_entry) / 0.5) * 0.5 == 5738.0  # nor the fee valued at the entry price
    assert result.maintenance_margin == pytest.approx(10000 / 8000 * 0.005)  # at entry, as Bybit writes it


def test_the_example_on_the_command_line_with_a_rate_as_traders_type_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["liquidation", "--exchange", "bybit-inverse", "--margin-mode", "cross", "--side", "long",
                "--entry", "8000", "--contracts", "10000", "--contract-size", "1", "--wallet-balance", "0.5",
                "--maintenance-margin-rate", "0.5%", "--taker-fee-rate", "0.075%", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 0
    assert round(answer["bankruptcy_price"], 2) == 5718.57 and round(answer["liquidation_price"], 2) == 5739.08
    assert answer["fee_to_close"] == pytest.approx(10000 * 0.00075 / answer["bankruptcy_price"], rel=1e-14)
    # the table says what is counted
    assert run(["liquidation", "--exchange", "bybit-inverse", "--margin-mode", "cross", "--side", "long",
                "--entry", "8000", "--contracts", "10000", "--wallet-balance", "0.5",
                "--maintenance-margin-rate", "0.005", "--taker-fee-rate", "0.00075"]) == 0
    table = " ".join(capsys.readouterr().out.split())
    assert "fee to close (taker rate × value at the bankruptcy price) is part of the requirement" in table


def test_without_a_rate_the_fee_is_not_counted_and_the_table_says_how_to(capsys: pytest.CaptureFixture[str]) -> None:
    # F/E + WB − MM: 1/LP = 1/8,000 + (0.5 − 0.00625)/10,000 (the fee-free price, as before)
    plain = liquidation_price(**{**EXAMPLE, "taker_fee_rate": None})
    assert plain.liquidation_price == pytest.approx(float(1 / (F(1, 8000) + (F(1, 2) - F("0.00625")) / 10000)))
    assert "fee_to_close" not in plain
    assert plain.liquidation_price < liquidation_price(**EXAMPLE).liquidation_price  # the fee brings it closer
    assert run(["liquidation", "--exchange", "bybit-inverse", "--margin-mode", "cross", "--side", "long",
                "--entry", "8000", "--contracts", "10000", "--wallet-balance", "0.5",
                "--maintenance-margin-rate", "0.005"]) == 0
    assert "give --taker-fee-rate" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("side", ["long", "short"])
def test_inverse_cross_both_sides_by_hand(side: str) -> None:
    s = 1 if side == "long" else -1
    result = liquidation_price(**{**EXAMPLE, "side": side})
    bankruptcy, fee_to_close, lp = _hand_inverse(s, F(8000), F(10000), F(1, 2), F("0.005"), F("0.00075"))
    if s < 0:  # Bybit's short: 0.99925 × Q / (Q/E − balance)
        assert bankruptcy == F("0.99925") * 10000 / (F(10000, 8000) - F(1, 2))
    assert result.bankruptcy_price == pytest.approx(float(bankruptcy), rel=1e-14)
    assert result.fee_to_close == pytest.approx(float(fee_to_close), rel=1e-14)
    assert result.liquidation_price == pytest.approx(float(lp), rel=1e-14)
    # the liquidation comes before the bankruptcy
    assert s * (result.liquidation_price - result.bankruptcy_price) > 0


@pytest.mark.parametrize("side", ["long", "short"])
def test_linear_cross_by_hand(side: str) -> None:
    # bybit-linear: long/short 1 BTC at 8,000 with 500 USDT, MMR 0.5 %, taker 0.055 %:
    # long BP = (8,000 − 500) / 0.99945 = 7,504.13, fee 4.1273, LP = 8,000 − (500 − 40 − 4.1273) = 7,544.13
    s = 1 if side == "long" else -1
    result = liquidation_price("bybit-linear", side=side, entry=8000, quantity=1, wallet_balance=500,
                               margin_mode="cross", maintenance_margin_rate=0.005, taker_fee_rate=0.00055)
    bankruptcy, fee_to_close, lp = _hand_linear(s, F(8000), F(1), F(500), F("0.005"), F("0.00055"))
    assert result.bankruptcy_price == pytest.approx(float(bankruptcy), rel=1e-14)
    assert result.fee_to_close == pytest.approx(float(fee_to_close), rel=1e-14)
    assert result.liquidation_price == pytest.approx(float(lp), rel=1e-14)
    if s > 0:
        assert round(result.liquidation_price, 2) == 7544.13


def test_decimal_inputs_give_the_exact_figures() -> None:
    exact = {k: (Decimal(str(v)) if isinstance(v, float | int) else v) for k, v in EXAMPLE.items()}
    result = liquidation_price(**exact)
    bankruptcy, fee_to_close, lp = _hand_inverse(1, F(8000), F(10000), F(1, 2), F("0.005"), F("0.00075"))
    assert isinstance(result.liquidation_price, Decimal)
    assert abs(F(result.liquidation_price) - lp) < F(1, 10**20)
    assert abs(F(result.bankruptcy_price) - bankruptcy) < F(1, 10**20)
    assert abs(F(result.fee_to_close) - fee_to_close) < F(1, 10**24)


def test_isolated_mode_refuses_the_rate_because_the_fee_cancels() -> None:
    # Bybit's isolated position margin holds the fee to close beside the initial margin and its maintenance
    # margin adds the same fee: it cancels, so the isolated price (examples.md Y1: 9,850) takes no fee rate
    with pytest.raises(InputError) as caught:
        liquidation_price("bybit-linear", side="long", entry=10000, quantity=1, leverage=50,
                          maintenance_margin_rate=0.005, taker_fee_rate=0.00055)
    assert str(caught.value).startswith("'taker_fee_rate' is not part of bybit-linear's liquidation formula in "
                                        "isolated mode")
    assert liquidation_price("bybit-linear", side="long", entry=10000, quantity=1, leverage=50,
                             maintenance_margin_rate=0.005).liquidation_price == 9850


def _one_row_book(kind: str, side: str, exact: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    num = (lambda x: Decimal(str(x))) if exact else float
    size = {"contracts": [num(10000)], "contract_size": [num(1)]} if kind == "inverse" else {"quantity": [num(1)]}
    entry = 8000
    positions = {"account": ["a"], "symbol": ["BTCUSD" if kind == "inverse" else "BTC/USDT:USDT"], "side": [side],
                 **size, "entry": [num(entry)], "mark": [num(entry)], "margin_mode": ["cross"],
                 "maintenance_margin_rate": [num(0.005)]}
    return positions, {"account": ["a"], "wallet_balance": [num(0.5 if kind == "inverse" else 500)]}


@pytest.mark.parametrize("kind", ["inverse", "linear"])
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("exact", [False, True])
def test_the_general_the_account_and_the_book_paths_agree(kind: str, side: str, exact: bool) -> None:
    fee = Decimal("0.00075") if exact else 0.00075
    positions, accounts = _one_row_book(kind, side, exact)
    book = book_liquidation(positions, accounts, exchange=f"bybit-{kind}", taker_fee_rate=fee)
    size_keys = {"contracts": positions["contracts"][0], "contract_size": positions["contract_size"][0]} \
        if kind == "inverse" else {"quantity": positions["quantity"][0]}
    general = liquidation_price(f"bybit-{kind}", side=side, entry=positions["entry"][0], **size_keys,
                                wallet_balance=accounts["wallet_balance"][0], margin_mode="cross",
                                maintenance_margin_rate=positions["maintenance_margin_rate"][0], taker_fee_rate=fee)
    ccxt = [{"symbol": positions["symbol"][0], "side": side, "contracts": size_keys.get("contracts", size_keys.get(
        "quantity")), "contractSize": size_keys.get("contract_size", 1), "entryPrice": positions["entry"][0],
        "markPrice": positions["mark"][0], "maintenanceMarginRate": positions["maintenance_margin_rate"][0]}]
    account = liquidation_price(f"bybit-{kind}", positions=ccxt, wallet_balance=accounts["wallet_balance"][0],
                                taker_fee_rate=fee)
    row = account["positions"][0]
    for key in ("liquidation_price", "bankruptcy_price", "fee_to_close"):
        ours = float(general[key])
        assert float(book.positions.to_dict()[key][0]) == pytest.approx(ours, rel=1e-13), key
        assert float(row[key]) == pytest.approx(ours, rel=1e-13), key


def _gap(kind: str, s: np.ndarray, entry: np.ndarray, size: np.ndarray, price: np.ndarray) -> np.ndarray:
    return s * size * (price - entry) if kind == "linear" else s * size * (1 / entry - 1 / price)


@pytest.mark.parametrize("kind", ["inverse", "linear"])
def test_an_account_of_several_positions_meets_its_requirement_at_each_price(kind: str) -> None:
    # Invariant: at each cross position's price, the wallet + the others' PnL at their marks − every position's
    # requirement (maintenance margin at entry + fee to close at its bankruptcy price) + its own PnL is zero;
    # at its bankruptcy price, the wallet + the others' PnL + its own PnL equals its own fee to close.
    fee = 0.00055
    if kind == "linear":
        rows = {"symbol": ["BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"], "side": ["long", "short", "long"],
                "quantity": [0.5, 8.0, 100.0], "entry": [62000.0, 3000.0, 150.0], "mark": [64000.0, 3100.0, 140.0],
                "maintenance_margin_rate": [0.005, 0.01, 0.01]}
        wallet = 9000.0
    else:
        rows = {"symbol": ["BTC/USD:BTC", "BTC/USD:BTC-261225", "BTC/USD:BTC-270326"],
                "side": ["long", "short", "long"],
                "contracts": [20000.0, 15000.0, 8000.0], "contract_size": [1.0, 1.0, 1.0],
                "entry": [62000.0, 63000.0, 61000.0], "mark": [64000.0, 64100.0, 64050.0],
                "maintenance_margin_rate": [0.005, 0.005, 0.006]}
        wallet = 0.05
    n = 3
    positions = {"account": ["a"] * n, "margin_mode": ["cross"] * n, **rows}
    result = book_liquidation(positions, {"account": ["a"], "wallet_balance": [wallet]}, exchange=f"bybit-{kind}",
                              taker_fee_rate=fee)
    s = np.where(np.array(rows["side"]) == "long", 1.0, -1.0)
    entry, mark = np.array(rows["entry"]), np.array(rows["mark"])
    size = np.array(rows["quantity"] if kind == "linear" else rows["contracts"])
    value_entry = size * entry if kind == "linear" else size / entry
    mm = value_entry * np.array(rows["maintenance_margin_rate"])
    pnl_mark = _gap(kind, s, entry, size, mark)
    out = result.positions
    lp, bp, close = out.liquidation_price, out.bankruptcy_price, out.fee_to_close
    assert np.all(np.isfinite(lp)) and np.all(close > 0)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        own_lp = _gap(kind, s[i:i + 1], entry[i:i + 1], size[i:i + 1], lp[i:i + 1])[0]
        balance = wallet + pnl_mark[others].sum() - mm.sum() - close.sum() + own_lp
        assert balance == pytest.approx(0, abs=1e-9 * wallet)
        own_bp = _gap(kind, s[i:i + 1], entry[i:i + 1], size[i:i + 1], bp[i:i + 1])[0]
        value_bp = size[i] * bp[i] if kind == "linear" else size[i] / bp[i]
        assert close[i] == pytest.approx(value_bp * fee, rel=1e-12)
        assert wallet + pnl_mark[others].sum() + own_bp == pytest.approx(close[i], rel=1e-9)


def test_a_hedged_pair_shares_one_bankruptcy_price_with_both_fees() -> None:
    # A long 1 BTC @ 60,000 and a short 0.4 BTC @ 62,000, both marked at 61,000, wallet 5,000:
    # BP: 5,000 + 1·(BP − 60,000) − 0.4·(BP − 62,000) = 0.00055·(1 + 0.4)·BP
    positions = {"account": ["a", "a"], "symbol": ["BTC/USDT:USDT"] * 2, "side": ["long", "short"],
                 "quantity": [1.0, 0.4], "entry": [60000.0, 62000.0], "mark": [61000.0, 61000.0],
                 "margin_mode": ["cross", "cross"], "maintenance_margin_rate": [0.005, 0.005]}
    result = book_liquidation(positions, {"account": ["a"], "wallet_balance": [5000.0]}, exchange="bybit-linear",
                              taker_fee_rate=0.00055).positions
    f = F("0.00055")
    bankruptcy = (F(60000) - F(4, 10) * 62000 - 5000) / (1 - F(4, 10) - f * F(14, 10))
    assert result.bankruptcy_price[0] == result.bankruptcy_price[1] == pytest.approx(float(bankruptcy), rel=1e-12)
    fees = [float(F(1) * bankruptcy * f), float(F(4, 10) * bankruptcy * f)]
    assert list(result.fee_to_close) == pytest.approx(fees, rel=1e-12)
    # LP: 5,000 + (LP − 60,000) − 0.4·(LP − 62,000) = MM at entry (300 + 124) + both fees
    lp = (F(60000) - F(4, 10) * 62000 - 5000 + 300 + 124 + sum(F(x) for x in fees)) / (1 - F(4, 10))
    assert result.liquidation_price[0] == result.liquidation_price[1] == pytest.approx(float(lp), rel=1e-12)


def test_kernels_take_arrays_and_agree_with_scalars() -> None:
    s = np.array([1.0, -1.0, 1.0])
    entry = np.array([8000.0, 8000.0, 100.0])
    balance = np.array([0.5, 0.5, 2.0])  # an inverse long always has a bankruptcy price
    got = kernels.bybit_cross_liquidation_price(False, s, entry, 10000.0, balance, 0.005, 0.0, 0.00075)
    for k in range(3):
        one = kernels.bybit_cross_liquidation_price(False, float(s[k]), float(entry[k]), 10000.0, float(balance[k]),
                                                    0.005, 0.0, 0.00075)
        assert got[k] == pytest.approx(one, rel=1e-15)
    # an inverse short whose coin covers any rise has no bankruptcy price and no fee to close
    assert math.isnan(kernels.bybit_cross_bankruptcy_price(False, -1, 8000.0, 10000.0, 2.0, 0.00075))
    assert kernels.bybit_fee_to_close(False, -1, 8000.0, 10000.0, 2.0, 0.00075) == 0
    # a linear long whose balance covers a fall to zero: the same
    assert kernels.bybit_fee_to_close(True, 1, 100.0, 1.0, 150.0, 0.00055) == 0


def test_the_api_answers_the_same() -> None:
    from fastapi.testclient import TestClient

    from contractcalc.interfaces.web.app import create_app

    body = {**EXAMPLE, "taker_fee_rate": "0.075%"}
    response = TestClient(create_app()).post("/api/liquidation", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert round(answer["liquidation_price"], 2) == 5739.08 and round(answer["bankruptcy_price"], 2) == 5718.57
    assert round(answer["fee_to_close"], 8) == 0.00131152


def test_rounded_the_safe_way_to_todays_tick(capsys: pytest.CaptureFixture[str]) -> None:
    # --round: a long's prices toward the entry (up), Bybit's own direction.  Today's BTCUSD tick is 0.1
    # (ccxt's recorded Bybit markets, venues/data/markets.json): 5,739.08 → 5,739.1 and 5,718.57 → 5,718.6;
    # at the 0.5 tick of the help page's time the same rule gives its 5,739.50.
    code = run(["liquidation", "--exchange", "bybit-inverse", "--margin-mode", "cross", "--side", "long",
                "--entry", "8000", "--contracts", "10000", "--contract-size", "1", "--wallet-balance", "0.5",
                "--maintenance-margin-rate", "0.005", "--taker-fee-rate", "0.075%", "--symbol", "BTC/USD:BTC",
                "--round", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 0 and answer["price_tick"] == 0.1
    _, _, lp = _hand_inverse(1, F(8000), F(10000), F(1, 2), F("0.005"), F("0.00075"))
    assert answer["liquidation_price"] == pytest.approx(math.ceil(float(lp) * 10) / 10) == 5739.1
    assert answer["bankruptcy_price"] == pytest.approx(5718.6)
    assert math.ceil(float(lp) / 0.5) * 0.5 == 5739.5
