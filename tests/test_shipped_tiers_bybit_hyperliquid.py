"""The shipped Bybit linear (ETH, SOL, XRP, DOGE, BNB, 2026-08-05) and Hyperliquid (BTC, ETH, SOL, XRP, DOGE) tables.

Bybit: GET /v5/market/risk-limit?category=linear as a live snapshot of 2026-08-05/06 recorded in
src/emulation/marginTierData.json of SoftwareMaestro16/trade-bot (commit 43443f4aa359). Bybit publishes each
tier's ``mmDeduction`` (kept as ``cum``) and its initial margin rate beside the max leverage: every deduction is
checked against the recurrence, the requirement against continuity at each boundary, and each max leverage
against the initial margin rate it must be the reciprocal of (to the two or four decimals Bybit prints).

Hyperliquid: the docs' Margin tiers page (mainnet): max leverage by notional, MMR = 1 / (2 × max leverage),
the maintenance deduction by the page's recurrence; the top tier is open-ended ("> 150M").
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

import pytest
from _tier_checks import assert_continuous_and_ordered

from contractcalc.engines.calculators import max_open
from contractcalc.engines.liquidation import liquidation_price
from contractcalc.errors import InputError, TierCapExceeded
from contractcalc.venues.tiers import PRESET_TABLES, complete_maintenance_amounts, load_tiers, preset_table

D = Decimal
BYBIT = [f"bybit-linear-{base}USDT-2026-08-05" for base in ("ETH", "SOL", "XRP", "DOGE", "BNB")]
HYPERLIQUID = [f"hyperliquid-{base}USDC-2026-09-27" for base in ("BTC", "ETH", "SOL", "XRP", "DOGE")]


def _document(name: str) -> dict[str, Any]:
    text = resources.files("contractcalc.venues").joinpath("data", "tiers", PRESET_TABLES[name].file).read_text()
    data: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return data


def _raw_tiers(name: str) -> list[dict[str, Any]]:
    document = _document(name)
    tiers: list[dict[str, Any]] = document["tiers"][PRESET_TABLES[name].symbol]
    return tiers


@pytest.mark.parametrize("name", BYBIT)
def test_bybits_published_mm_deduction_follows_the_recurrence(name: str) -> None:
    table = load_tiers(name)
    floors = [t.min_notional for t in table.tiers]
    rates = [t.maintenance_margin_rate for t in table.tiers]
    recomputed = complete_maintenance_amounts(floors, rates, [None] * len(floors))
    published = [D(t["info"]["mmDeduction"]) for t in _raw_tiers(name)]
    assert [t.maintenance_amount for t in table.tiers] == published == recomputed


@pytest.mark.parametrize("name", BYBIT)
def test_bybit_tiers_are_the_risk_limits_in_order(name: str) -> None:
    # each tier runs from the previous riskLimitValue to its own; the max leverage is the reciprocal of the
    # initial margin rate, one of the two rounded (90x beside 0.0111; 7.14x beside 0.14)
    floor = D(0)
    for raw in _raw_tiers(name):
        info = raw["info"]
        assert D(raw["minNotional"]) == floor and D(raw["maxNotional"]) == D(info["riskLimitValue"])
        floor = D(info["riskLimitValue"])
        leverage, initial = D(info["maxLeverage"]), D(info["initialMargin"])
        assert D(raw["maxLeverage"]) == leverage and D(raw["maintenanceMarginRate"]) == D(info["maintenanceMargin"])
        assert ((1 / initial).quantize(D("0.01"), ROUND_HALF_UP) == leverage
                or (1 / leverage).quantize(D("0.0001"), ROUND_HALF_UP) == initial), raw["tier"]
        assert initial > D(raw["maintenanceMarginRate"])


@pytest.mark.parametrize("name", BYBIT + HYPERLIQUID)
def test_maintenance_margin_is_continuous_and_the_tiers_are_ordered(name: str) -> None:
    table = load_tiers(name)
    assert_continuous_and_ordered(table, name)


@pytest.mark.parametrize("name", BYBIT + HYPERLIQUID)
def test_each_table_says_where_and_when_it_comes_from(name: str) -> None:
    preset = PRESET_TABLES[name]
    document = _document(name)
    assert document["exchange"] == preset.exchange and document["contractcalc_tiers"] == 1
    assert name.endswith(preset.as_of) and str(document["recorded_at"]) == preset.as_of
    table = load_tiers(name)
    assert table.as_of == preset.as_of and table.source == preset.source
    if preset.exchange == "bybit-linear":
        assert "SoftwareMaestro16/trade-bot" in preset.source and "43443f4aa359" in preset.source
        assert "risk-limit" in str(document["source"])
    else:
        assert "hyperliquid.gitbook.io" in preset.source and "2026-09-27" in preset.source


def test_bybit_eth_table_figures() -> None:
    # ETHUSDT 2026-08-05: 35 tiers, tier 1 to 900,000 at 0.5 % (100x), tier 11 12-16M at 1.4 % (35x, deduction
    # 42,220), tier 35 to 1,000,000,000 at 60 % (1x, deduction 138,018,220)
    table = load_tiers("bybit-linear-ETHUSDT-2026-08-05")
    assert len(table.tiers) == 35 and table.max_notional == 1000000000
    first, eleventh, last = table.tiers[0], table.tiers[10], table.tiers[-1]
    assert (first.max_notional, first.maintenance_margin_rate, first.max_leverage) == (900000, D("0.005"), 100)
    assert (eleventh.min_notional, eleventh.max_notional, eleventh.maintenance_margin_rate,
            eleventh.max_leverage, eleventh.maintenance_amount) == (12000000, 16000000, D("0.014"), 35, 42220)
    assert (last.maintenance_margin_rate, last.maintenance_amount) == (D("0.6"), 138018220)


def test_bybit_xrp_and_sol_share_one_ladder_and_doge_has_its_own() -> None:
    sol, xrp = load_tiers("bybit-linear-SOLUSDT-2026-08-05"), load_tiers("bybit-linear-XRPUSDT-2026-08-05")
    assert [(t.min_notional, t.maintenance_margin_rate) for t in sol.tiers] == [
        (t.min_notional, t.maintenance_margin_rate) for t in xrp.tiers]
    doge = load_tiers("bybit-linear-DOGEUSDT-2026-08-05")
    assert len(doge.tiers) == 30 and doge.tiers[0].maintenance_margin_rate == D("0.0075")
    assert doge.tiers[0].max_leverage == 75 and doge.max_notional == 80000000 and doge.tiers[-1].max_leverage == 1
    # BNBUSDT stops at 15,000,000 and 1.5x (60 % of its initial margin rate is maintenance from tier 25 on:
    # 0.156 beside 0.26, 0.4002 beside 0.667)
    bnb = load_tiers("bybit-linear-BNBUSDT-2026-08-05")
    last = bnb.tiers[-1]
    assert (last.min_notional, last.max_notional, last.max_leverage, last.maintenance_margin_rate,
            last.maintenance_amount) == (9400000, 15000000, D("1.5"), D("0.4002"), 2670780)


@pytest.mark.parametrize("symbol", ["ETH/USDT:USDT", "ETHUSDT", "ETH-USDT"])
def test_bybit_liquidation_picks_the_eth_table_by_symbol(symbol: str) -> None:
    # long 5,000 ETH @ 3,000 at 10x: notional 15,000,000 in tier 11 (12-16M, 1.4 %, deduction 42,220); Bybit
    # values the requirement at entry: MM = 15,000,000 × 1.4 % − 42,220 = 167,780, IM = 1,500,000,
    # LP = 3,000 − (1,500,000 − 167,780) / 5,000 = 3,000 − 266.444 = 2,733.556
    r = liquidation_price("bybit-linear", "long", D(3000), quantity=D(5000), leverage=D(10), symbol=symbol)
    assert r.tier == 11 and r.maintenance_amount == 42220
    assert abs(r.liquidation_price - (D(3000) - (D(1500000) - D(167780)) / D(5000))) < D("1e-20")
    assert preset_table("bybit-linear", symbol) is not None


def test_bybit_max_open_uses_the_sol_cap() -> None:
    # SOLUSDT: 50x is allowed up to tier 8 (cap 1,000,000); 30,000 × 50 = 1,500,000 is more: 1,000,000
    r = max_open(balance=D(30000), leverage=D(50), entry=D(150), exchange="bybit-linear", symbol="SOL/USDT:USDT")
    assert r.max_notional == 1000000


def test_cli_uses_the_bybit_doge_table(cli: Any) -> None:
    # short 2,000,000 DOGE @ 0.2 at 20x: notional 400,000 in tier 2 (250,000-500,000, 1 %, deduction 625):
    # MM = 4,000 − 625 = 3,375, IM = 20,000, LP = 0.2 + (20,000 − 3,375) / 2,000,000
    result = cli("liquidation", "--exchange", "bybit-linear", "--symbol", "DOGEUSDT", "--side", "short",
                 "--entry", "0.2", "--quantity", "2000000", "--leverage", "20", "--json")
    data = result.json()
    assert data["tier"] == 2 and data["maintenance_amount"] == 625
    assert data["liquidation_price"] == pytest.approx(0.2 + 16625 / 2000000, rel=1e-12)


@pytest.mark.parametrize(("base", "bound", "low", "high"), [
    ("BTC", 150_000_000, 40, 20), ("ETH", 100_000_000, 25, 15), ("SOL", 70_000_000, 20, 10),
    ("XRP", 40_000_000, 20, 10), ("DOGE", 20_000_000, 10, 5)])
def test_hyperliquid_tables_are_the_docs_tiers(base: str, bound: int, low: int, high: int) -> None:
    # the docs: "0-150M 40x, >150M 20x" (BTC) and so on; MMR = half the initial margin at max leverage;
    # deduction(2) = lower bound × (MMR(2) − MMR(1)), e.g. BTC 150,000,000 × (2.5 % − 1.25 %) = 1,875,000
    table = load_tiers(f"hyperliquid-{base}USDC-2026-09-27")
    first, second = table.tiers
    assert (first.min_notional, first.max_notional, first.max_leverage) == (0, bound, low)
    assert (second.min_notional, second.max_leverage) == (bound, high)
    assert second.max_notional.is_infinite() and table.max_notional.is_infinite()
    for tier in table.tiers:
        assert abs(tier.maintenance_margin_rate - 1 / (2 * tier.max_leverage)) < D("1e-16")
    expected = bound * (second.maintenance_margin_rate - first.maintenance_margin_rate)
    assert second.maintenance_amount == expected
    if base == "BTC":
        assert second.maintenance_amount == 1875000


def test_hyperliquid_liquidation_picks_the_table_and_its_top_tier() -> None:
    # long 3,000 BTC @ 60,000 at 20x: WB 9,000,000, notional 180M; at the price it is in tier 2 (2.5 %,
    # deduction 1,875,000): LP = (9,000,000 + 1,875,000 − 180,000,000) / (3,000 × 0.025 − 3,000)
    r = liquidation_price("hyperliquid", "long", D(60000), quantity=D(3000), leverage=D(20), symbol="BTC/USDC:USDC")
    assert r.tier == 2 and r.maintenance_amount == 1875000
    assert abs(r.liquidation_price - D(-169125000) / D(-2925)) < D("1e-20")
    # one BTC at 20x is in tier 1: MMR 1 / 80, LP = (3,000 − 60,000) / (0.0125 − 1)
    small = liquidation_price("hyperliquid", "long", D(60000), quantity=D(1), leverage=D(20), symbol="BTCUSDC")
    assert small.tier == 1 and abs(small.liquidation_price - D(-57000) / D("-0.9875")) < D("1e-20")
    # a given max leverage is still the rate (no table): 1 / (2 × 40), the same figure
    given = liquidation_price("hyperliquid", "long", 60000.0, quantity=1.0, leverage=20.0, symbol="BTCUSDC",
                              max_leverage=40.0)
    assert given.tier is None and given.liquidation_price == pytest.approx(57000 / 0.9875, rel=1e-15)


def test_hyperliquid_leverage_cap_and_open_top_tier() -> None:
    with pytest.raises(TierCapExceeded, match="must be <= 40, the cap of tier 1"):
        liquidation_price("hyperliquid", "long", 60000.0, quantity=1.0, leverage=50.0, symbol="BTCUSDC")
    # ETH at 20x: only tier 1 (25x, to 100M) allows it: 10,000,000 × 20 = 200M is capped at 100M;
    # at 10x both tiers allow it and the top one has no bound: 20,000,000 × 10 = 200M
    assert max_open(balance=D(10000000), leverage=D(20), entry=D(3000), exchange="hyperliquid",
                    symbol="ETH/USDC:USDC").max_notional == 100000000
    assert max_open(balance=D(20000000), leverage=D(10), entry=D(3000), exchange="hyperliquid",
                    symbol="ETH/USDC:USDC").max_notional == 200000000
    message = load_tiers("hyperliquid-ETHUSDC-2026-09-27").tiers[-1].describe()
    assert message == "tier 2 (notional from 100000000, max 15x)"


def test_only_the_top_tier_may_be_open_ended() -> None:
    tiers = [{"minNotional": 0, "maxNotional": None, "maintenanceMarginRate": 0.01, "maxLeverage": 50},
             {"minNotional": 100, "maxNotional": 200, "maintenanceMarginRate": 0.02, "maxLeverage": 25}]
    with pytest.raises(InputError, match="'maxNotional' must be a number"):
        load_tiers({"X": tiers})
