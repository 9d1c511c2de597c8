"""Exchange rules from published cases (issue 12): Bybit's ROI, partial closes in average-entry.

Each test cites the figure it checks and writes the hand calculation out with ``Fraction``.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction as F
from typing import Any

import numpy as np
import pytest

from contractcalc import average_entry, liquidation_price, pnl
from contractcalc.errors import InputError
from contractcalc.interfaces.cli import run

# ---------------------------------------------------------------------------
# Bybit's ROI: PnL / position margin, which holds the fee to close at the bankruptcy price


def test_bybit_roi_of_the_usdt_example() -> None:
    # Bybit's USDT example (examples.md Y16): long 0.2 BTC from 7,000 to 7,500 at 10x: PnL 100 on an
    # initial margin of 140; the fee to close at the bankruptcy price 7,000 × (1 − 1/10) = 6,300 at
    # the 0.055 % taker rate is 0.2 × 6,300 × 0.00055 = 0.693: ROI = 100 / 140.693 = 71.07 % (Bybit truncates).
    result = pnl(exchange="bybit-linear", side="long", entry=7000, exit=7500, quantity=0.2, leverage=10)
    want = F(100) / (140 + F("0.2") * 6300 * F("0.00055"))
    assert result["roi"] == pytest.approx(float(want), rel=1e-12)
    assert math.floor(result["roi"] * 10000) / 100 == 71.07
    assert result["roe"] == pytest.approx(100 / 140)  # ROE stays PnL / initial margin


def test_bybit_roi_inverse_uses_the_inverse_bankruptcy_price() -> None:
    # Bybit inverse (examples.md Y19): long 1,000 USD from 5,000 to 5,500 at 10x: PnL 1000·(1/5000 − 1/5500);
    # BP = E·L/(L + 1) = 5,000 × 10/11; fee to close = 1,000/BP × 0.055 %.
    result = pnl(exchange="bybit-inverse", side="long", entry=5000, exit=5500, contracts=1000, leverage=10)
    gain = 1000 * (F(1, 5000) - F(1, 5500))
    bankruptcy = F(5000) * 10 / 11
    want = gain / (F(1000) / 5000 / 10 + F(1000) / bankruptcy * F("0.00055"))
    assert result["roi"] == pytest.approx(float(want), rel=1e-12)


def test_bybit_roi_only_under_bybit_presets_and_arrays() -> None:
    plain = pnl(contract="linear", side="long", entry=7000, exit=7500, quantity=0.2, leverage=10)
    assert "roi" not in plain and list(plain) == ["pnl", "initial_margin", "roe", "notional", "fees", "funding",
                                                  "net_pnl", "breakeven_price"]
    assert "roi" not in pnl(exchange="binance-usdm", side="long", entry=7000, exit=7500, quantity=0.2, leverage=10)
    assert "roi" not in pnl(exchange="bybit-linear", side="long", entry=7000, exit=7500, quantity=0.2)  # no margin
    exits = np.array([7500.0, 6500.0])
    array = pnl(exchange="bybit-linear", side="long", entry=7000, exit=exits, quantity=0.2, leverage=10)["roi"]
    assert array == pytest.approx([100 / 140.693, -100 / 140.693], rel=1e-12)


def test_bybit_roi_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["pnl", "--exchange", "bybit-linear", "--side", "long", "--entry", "7000", "--exit", "7500",
                "--quantity", "0.2", "--leverage", "10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["roi"] == pytest.approx(100 / 140.693, rel=1e-12)


# ---------------------------------------------------------------------------
# Partial closes: a negative fill closes part of the position at an unchanged average entry


def test_a_partial_close_keeps_the_average_entry_and_realises_pnl_linear() -> None:
    # long 1 @ 1,000 + 1 @ 2,000: average 1,500; closing 0.5 @ 1,800 leaves 1.5 @ 1,500 and realises
    # 0.5 × (1,800 − 1,500) = 150 (BitMEX's and Bybit's rule: a close does not move the entry).
    result = average_entry(contract="linear", fill=["1@1000", "1@2000", "-0.5@1800"])
    assert result.to_dict() == {"average_entry": 1500, "total_size": F(3, 2), "realized_pnl": 150}


def test_a_partial_close_inverse_the_issues_fill() -> None:
    # inverse, sizes in USD: 1,000 @ 1,000 + 1,000 @ 2,000: harmonic average 2,000 / (1 + 0.5) = 1,333.33;
    # --fill -500@1500 closes 500 USD: realised 500 × (1/1,333.33 − 1/1,500) = 0.041667 coin.
    result = average_entry(contract="inverse", fill=["1000@1000", "1000@2000", "-500@1500"])
    entry = F(2000) / (1 + F(1, 2))
    assert float(result["average_entry"]) == pytest.approx(float(entry), rel=1e-15)
    assert result["total_size"] == 1500
    assert float(result["realized_pnl"]) == pytest.approx(float(500 * (1 / entry - F(1, 1500))), rel=1e-15)


def test_a_short_realises_the_opposite_sign_and_a_full_close_empties_the_position() -> None:
    result = average_entry(contract="linear", side="short", fill=["2@1000", "-1@900", "-1@1100"])
    # short 2 @ 1,000: closing 1 @ 900 gains 100, closing 1 @ 1,100 loses 100
    assert result.to_dict() == {"average_entry": None, "total_size": 0, "realized_pnl": 0}
    reopened = average_entry(contract="linear", fill=["1@1000", "-1@1200", "2@3000"])
    assert reopened.to_dict() == {"average_entry": 3000, "total_size": 2, "realized_pnl": 200}


def test_closing_more_than_is_open_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        average_entry(contract="linear", fill=["1@1000", "-2@1000"])
    assert str(caught.value) == "'fill' closes 2, more than the open size (1) (got -2 at index 1)"
    with pytest.raises(InputError, match="size must be > 0 \\(open\\) or < 0 \\(close\\)"):
        average_entry(contract="linear", fill=["1@1000", "0@1000", "-1@1000"])


def test_without_closes_the_keys_are_unchanged() -> None:
    # examples.md Y13: 0.5 @ 5,000 + 0.3 @ 6,000 = 5,375 (no realised PnL key without a close)
    assert list(average_entry(contract="linear", fill=["0.5@5000", "0.3@6000"])) == ["average_entry", "total_size"]


def test_partial_close_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["average-entry", "--contract", "inverse", "--fill", "1000@1000", "--fill", "1000@2000",
                "--fill", "-500@1500", "--json"])
    answer: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == 0
    assert answer["total_size"] == 1500
    assert answer["realized_pnl"] == pytest.approx(500 * (1 / (2000 / 1.5) - 1 / 1500), rel=1e-12)


# ---------------------------------------------------------------------------
# Maker rebates: a negative fee rate, within the exchange's published bounds


def test_nautilus_xbtusd_maker_rebate() -> None:
    # nautilus_trader's BitMEX XBTUSD commission case: 100,000 contracts of 1 USD filled at 11,450.50 as
    # maker at -0.025 %: the fee is 100,000 / 11,450.50 × -0.00025 = -0.00218331 XBT (paid to the maker).
    from contractcalc.core.contracts import fee

    got = fee("inverse", F("11450.50"), 100000, F("-0.00025"))
    assert got == F(100000) / F("11450.50") * F("-0.00025")
    assert round(float(got), 8) == -0.00218331


def test_a_rebate_within_binances_bound_lowers_the_fees() -> None:
    # Binance's USDⓈ-M liquidity provider programme (2022-03-07) pays makers up to 0.014 %: a long of 1 BTC
    # opened as maker at -0.014 % (50,000) and closed as maker at -0.01 % (51,000): fees
    # 50,000 × -0.00014 + 51,000 × -0.0001 = -12.1 USDT, so net PnL = 1,000 + 12.1.
    result = pnl(exchange="binance-usdm", side="long", entry=50000, exit=51000, quantity=1,
                 open_fee_rate=Decimal("-0.00014"), close_fee_rate=Decimal("-0.0001"))
    assert result["fees"] == Decimal("-12.1")
    assert result["net_pnl"] == Decimal("1012.1")
    # break-even below the entry: the rebates pay for part of the move
    assert result["breakeven_price"] < 50000


def test_a_rebate_beyond_the_bound_or_without_one_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        pnl(exchange="binance-usdm", side="long", entry=50000, exit=51000, quantity=1, open_fee_rate=-0.0002)
    assert str(caught.value) == ("'open_fee_rate' must be >= -0.00014 (the largest maker rebate binance-usdm "
                                 "publishes) (got -0.0002)")
    with pytest.raises(InputError, match="'open_fee_rate' must be >= 0"):  # Bybit publishes no rebate here
        pnl(exchange="bybit-linear", side="long", entry=50000, exit=51000, quantity=1, open_fee_rate=-0.0001)


# ---------------------------------------------------------------------------
# Bybit's fee to close at the bankruptcy price, in its inverse cross-margin prices


def _bybit_inverse_cross(side: str, taker_fee_rate: float) -> dict[str, Any]:
    """Bybit's inverse cross example through the public path: 10,000 contracts at 8,000, balance 0.5 BTC."""
    return liquidation_price("bybit-inverse", side, 8000, contracts=10000, contract_size=1, wallet_balance=0.5,
                             maintenance_margin_rate=0.005, margin_mode="cross",
                             taker_fee_rate=taker_fee_rate).to_dict()


def test_bybit_inverse_cross_example() -> None:
    # Bybit help centre, "How to calculate Liquidation Price (Inverse Contract)", cross margin: account
    # balance 0.5 BTC, long 10,000 contracts at 8,000, MMR 0.5 %, taker 0.075 %:
    # BP = 1.00075 × 10,000 / (10,000/8,000 + 0.5) = 5,718.57; LP = 5,739.50 as the page rounds it.
    result = _bybit_inverse_cross("long", taker_fee_rate=0.00075)
    bankruptcy = F("1.00075") * 10000 / (F(10000) / 8000 + F(1, 2))
    assert result["bankruptcy_price"] == pytest.approx(float(bankruptcy), rel=1e-12)
    assert round(result["bankruptcy_price"], 2) == 5718.57
    # by hand: 10,000·(1/8,000 − 1/LP) = −(0.5 − 1.25 × 0.5 % − 10,000 × 0.00075 / BP)
    fee_to_close = 10000 * F("0.00075") / bankruptcy
    lp = 1 / (F(1, 8000) + (F(1, 2) - F(10000, 8000) * F("0.005") - fee_to_close) / 10000)
    assert result["liquidation_price"] == pytest.approx(float(lp), rel=1e-12)
    assert abs(result["liquidation_price"] - 5739.50) / 5739.50 < 1e-4  # the page's rounded figure
    # without the fee to close the liquidation would come later (lower): the fee brings it closer
    no_fee = _bybit_inverse_cross("long", taker_fee_rate=0)
    assert no_fee["liquidation_price"] < result["liquidation_price"]


def test_bybit_inverse_cross_short_mirrors_the_long() -> None:
    # short: BP = 0.99925·Q / (Q/E − balance); Q·(1/LP − 1/E) = −(balance − Q/E·MMR − Q·f/BP)
    result = _bybit_inverse_cross("short", taker_fee_rate=0.00075)
    bankruptcy = F("0.99925") * 10000 / (F(10000) / 8000 - F(1, 2))
    fee_to_close = 10000 * F("0.00075") / bankruptcy
    lp = 1 / (F(1, 8000) - (F(1, 2) - F(10000, 8000) * F("0.005") - fee_to_close) / 10000)
    assert result["bankruptcy_price"] == pytest.approx(float(bankruptcy), rel=1e-12)
    assert result["liquidation_price"] == pytest.approx(float(lp), rel=1e-12)
    assert result["liquidation_price"] < result["bankruptcy_price"]
