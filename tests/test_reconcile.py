"""``contractcalc reconcile``: the exchange's reported liquidation price beside contractcalc's.

Each exchange figure below is a published example or a hand calculation written in the
test with ``Fraction`` (Binance isolated: LP = (WB + cum − Q·E) / (Q·MMR − Q) for a long,
(WB + cum + Q·E) / (Q·MMR + Q) for a short), so a reason is found only when its own
formula gives the exchange's number.
"""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

from contractcalc.engines.reconcile import AGREE_RATE, reconcile
from contractcalc.errors import InputError
from contractcalc.interfaces.cli import run
from contractcalc.venues.tiers import load_tiers

TABLE = load_tiers("binance-usdm-BTCUSDT-2024-10")


def binance_long(wallet: F, quantity: F, entry: F, rate: F, amount: F) -> F:
    return (wallet + amount - quantity * entry) / (quantity * rate - quantity)


def position(**fields: Any) -> dict[str, Any]:
    base = {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 60000,
            "markPrice": 59000, "leverage": 20, "collateral": 3000, "initialMargin": 3000, "marginMode": "isolated",
            "maintenanceMarginPercentage": 0.005}
    return {**base, **fields}


def one(exchange: str, item: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    answer = reconcile(exchange=exchange, positions=[item], **kwargs)
    row: dict[str, Any] = answer["positions"][0]
    return row


def test_bybit_y1_agrees() -> None:
    # examples.md Y1: Bybit linear isolated long 1 BTC @ 10,000, 50x (margin 200), MMR 0.5 %: LP 9,850.
    row = one("bybit-linear", position(entryPrice=10000, markPrice=10000, leverage=50, collateral=200,
                                       initialMargin=200, liquidationPrice=9850))
    assert row["agrees"] and row["reason"] is None
    assert row["contractcalc_liquidation_price"] == pytest.approx(9850)


def test_binance_tier_2_agrees_and_rounding_to_the_tick_is_no_difference() -> None:
    # 1 BTC @ 60,000, 20x: notional 60,000 in tier 2 (0.5 %, cum 50): LP = (3000 + 50 − 60000) / (0.005 − 1)
    lp = binance_long(F(3000), F(1), F(60000), F("0.005"), F(50))
    row = one("binance-usdm", position(liquidationPrice=round(float(lp), 1)))  # the exchange shows its tick
    assert row["agrees"]
    assert row["contractcalc_liquidation_price"] == pytest.approx(float(lp), rel=1e-12)
    assert row["difference"] == pytest.approx(float(lp) - round(float(lp), 1), abs=1e-6)
    assert row["computed_with"] == "tier 2 of BTC/USDT:USDT (as of 2024-10)"


def test_an_estimate_at_entry() -> None:
    # 1,000 USDT added after opening: contractcalc uses the 4,000 of margin now; the exchange's figure is
    # the one at opening (3,000): 57,236.18.
    at_entry = binance_long(F(3000), F(1), F(60000), F("0.005"), F(50))
    now = binance_long(F(4000), F(1), F(60000), F("0.005"), F(50))
    row = one("binance-usdm", position(collateral=4000, liquidationPrice=float(at_entry)))
    assert row["contractcalc_liquidation_price"] == pytest.approx(float(now), rel=1e-12)
    assert not row["agrees"]
    assert row["reason"].startswith("an estimate at entry: the exchange's figure is the one at opening (margin 3000)")
    assert row["difference"] == pytest.approx(float(now - at_entry), rel=1e-9)


def test_a_fee_to_close() -> None:
    # An exchange that counts the 0.05 % taker fee on closing at LP: MM + fee·Q·LP = margin balance,
    # i.e. the rate 0.5 % + 0.05 %.
    with_fee = binance_long(F(3000), F(1), F(60000), F("0.0055"), F(50))
    row = one("binance-usdm", position(liquidationPrice=float(with_fee)))
    assert not row["agrees"]
    assert row["reason"] == ("a fee to close: the exchange counts the taker fee (0.05 %) on closing at the "
                             "liquidation price")


def test_another_tier() -> None:
    # The exchange's figure is tier 3's (0.65 %, its cum from the table): e.g. it valued the notional elsewhere.
    tier3 = next(t for t in TABLE.tiers if t.tier == 3)
    rate, amount = F(str(tier3.maintenance_margin_rate)), F(str(tier3.maintenance_amount))
    theirs = binance_long(F(3000), F(1), F(60000), rate, amount)
    row = one("binance-usdm", position(liquidationPrice=float(theirs)))
    assert not row["agrees"]
    assert row["reason"].startswith("another tier: the exchange's figure is tier 3's (MMR 0.65 %")


def test_unexplained_names_the_nearest_miss() -> None:
    row = one("binance-usdm", position(liquidationPrice=50000))
    assert not row["agrees"]
    assert row["reason"].startswith("unexplained: check the margin mode, margin added or removed")
    assert "away)" in row["reason"]


def test_without_a_table_the_reported_rate_is_used() -> None:
    # okx-linear ships no BTC table: ccxt's maintenanceMarginPercentage is the rate. OKX counts the fee to
    # close itself: LP = (WB − Q·E) / (Q·(MMR + fee) − Q) with the 0.05 % taker.
    lp = (F(3000) - F(60000)) / (F("0.005") + F("0.0005") - 1)
    row = one("okx-linear", position(contractSize=1, liquidationPrice=float(lp)))
    assert row["agrees"]
    assert row["computed_with"].startswith("the maintenanceMarginPercentage ccxt reports")


def test_cross_positions_need_the_wallet_balance() -> None:
    item = position(marginMode="cross", liquidationPrice=50201.01)
    with pytest.raises(InputError, match="'wallet_balance' is required for cross positions"):
        reconcile(exchange="binance-usdm", positions=[item])
    # 1 BTC long, mark 58,800, wallet 10,000, tier 2: the page's cross sample; LP = (10,000 + 50 − 60,000) / (0.005 − 1)
    lp = binance_long(F(10000), F(1), F(60000), F("0.005"), F(50))
    row = one("binance-usdm", position(marginMode="cross", markPrice=58800, liquidationPrice=float(lp)),
              wallet_balance=10000)
    assert row["agrees"] and row["margin_mode"] == "cross"


def test_the_cli_reads_a_ccxt_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    at_entry = binance_long(F(3000), F(1), F(60000), F("0.005"), F(50))
    dump = tmp_path / "positions.json"
    dump.write_text(json.dumps([position(liquidationPrice=float(at_entry)),
                                position(collateral=4000, liquidationPrice=float(at_entry))]))
    assert run(["reconcile", "--exchange", "binance-usdm", "--positions", str(dump), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["agree"] == 1 and answer["differ"] == 1
    assert [row["agrees"] for row in answer["positions"]] == [True, False]
    assert run(["reconcile", "--exchange", "binance-usdm", "--positions", str(dump)]) == 0
    table = capsys.readouterr().out
    assert "an estimate at entry" in table and "1 agree, 1 differ" in table
    assert run(["reconcile", "--exchange", "binance-usdm", "--positions", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err.startswith("error: '--positions' must be")


def test_agreement_is_within_five_hundredths_of_a_percent() -> None:
    assert F(5, 10000) == AGREE_RATE
    lp = float(binance_long(F(3000), F(1), F(60000), F("0.005"), F(50)))
    assert one("binance-usdm", position(liquidationPrice=lp * (1 + 0.0004)))["agrees"]
    assert not one("binance-usdm", position(liquidationPrice=lp * (1 + 0.0006)))["agrees"]


def test_liquidation_finds_the_shipped_table_by_symbol(capsys: pytest.CaptureFixture[str]) -> None:
    # as plan, size and max-open: --symbol alone picks the newest shipped table (tier 2 here)
    args = ["liquidation", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--side", "long",
            "--entry", "60000", "--quantity", "1", "--leverage", "20", "--json"]
    assert run(args) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["tier"] == 2
    assert answer["liquidation_price"] == pytest.approx(float(binance_long(F(3000), F(1), F(60000), F("0.005"),
                                                                           F(50))), rel=1e-12)
    assert run(args[:-1]) == 0
    out = capsys.readouterr().out
    assert "Tiers: binance-usdm-BTCUSDT-2024-10 (shipped, as of 2024-10), found by --symbol" in out
    assert "contractcalc tiers refresh --exchange binance-usdm" in " ".join(out.split())
