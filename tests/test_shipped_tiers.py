"""The shipped Binance USDⓈ-M tables of ETH, SOL, XRP, DOGE, BNB and ADA (2024-10-24).

Source: Binance's GET /fapi/v1/leverageBracket as freqtrade's weekly job recorded it through
ccxt (freqtrade/exchange/binance_leverage_tiers.json, commit 3d9514d2660c, 2024-10-24). Binance
publishes each bracket's maintenance amount (``cum``) in that answer; every one is checked here
against the recurrence, the maintenance margin against continuity at each boundary, and the
calculators against hand calculations on the tables.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from _tier_checks import assert_continuous_and_ordered

from contractcalc.engines.calculators import max_open
from contractcalc.engines.liquidation import liquidation_price
from contractcalc.venues.tiers import PRESET_TABLES, complete_maintenance_amounts, load_tiers, preset_table

D = Decimal
NEW_TABLES = [f"binance-usdm-{base}USDT-2024-10-24" for base in ("ETH", "SOL", "XRP", "DOGE", "BNB", "ADA")]


def _document(name: str) -> dict[str, object]:
    text = resources.files("contractcalc.venues").joinpath("data", "tiers", PRESET_TABLES[name].file).read_text()
    data: dict[str, object] = json.loads(text, parse_float=Decimal)
    return data


@pytest.mark.parametrize("name", NEW_TABLES)
def test_binances_published_cum_follows_the_recurrence(name: str) -> None:
    table = load_tiers(name)
    floors = [t.min_notional for t in table.tiers]
    rates = [t.maintenance_margin_rate for t in table.tiers]
    recomputed = complete_maintenance_amounts(floors, rates, [None] * len(floors))
    assert [t.maintenance_amount for t in table.tiers] == recomputed  # Binance's own cum, tier for tier


@pytest.mark.parametrize("name", NEW_TABLES)
def test_maintenance_margin_is_continuous_and_the_tiers_are_ordered(name: str) -> None:
    table = load_tiers(name)
    assert_continuous_and_ordered(table, name)
    assert table.tiers[-1].max_leverage == 1


@pytest.mark.parametrize("name", NEW_TABLES)
def test_each_table_says_where_and_when_it_comes_from(name: str) -> None:
    preset = PRESET_TABLES[name]
    document = _document(name)
    assert preset.exchange == document["exchange"] == "binance-usdm"
    assert preset.as_of == "2024-10-24" and str(document["recorded_at"]).startswith("2024-10-24")
    assert document["source"] == preset.source
    assert "freqtrade" in str(document["source"]) and "leverageBracket" in str(document["source"])
    table = load_tiers(name)
    assert table.as_of == "2024-10-24" and "3d9514d2660c" in table.source
    # the raw bracket Binance sent is kept beside ccxt's fields
    tiers = document["tiers"]
    assert isinstance(tiers, dict)
    first = tiers[preset.symbol][0]
    assert first["info"]["notionalFloor"] == "0"
    assert D(first["info"]["maintMarginRatio"]) == table.tiers[0].maintenance_margin_rate


def test_eth_table_figures_as_binance_sent_them() -> None:
    # ETHUSDT 2024-10-24: bracket 3 is 600,000-3,000,000 at 0.65 % (75x), cum 950; bracket 12 caps 1,200,000,000
    table = load_tiers("binance-usdm-ETHUSDT-2024-10-24")
    third = table.tiers[2]
    assert (third.min_notional, third.max_notional, third.maintenance_margin_rate, third.max_leverage,
            third.maintenance_amount) == (600000, 3000000, D("0.0065"), 75, 950)
    assert table.max_notional == 1200000000


@pytest.mark.parametrize("symbol", ["ETH/USDT:USDT", "ETHUSDT", "ETH-USDT-SWAP"])
def test_liquidation_picks_the_eth_table_by_symbol(symbol: str) -> None:
    # long 100 ETH @ 3,000 at 20x: WB 15,000, notional 300,000; at the liquidation price the notional is in
    # bracket 2 (0.5 %, cum 50): LP = (15,000 + 50 − 300,000) / (100 × 0.005 − 100) = 284,950 / 99.5
    r = liquidation_price("binance-usdm", "long", D(3000), quantity=D(100), leverage=D(20), symbol=symbol)
    assert abs(r.liquidation_price - D(284950) / D("99.5")) < D("1e-20")
    assert r.tier == 2 and r.maintenance_amount == 50
    assert preset_table("binance-usdm", symbol) is not None


def test_max_open_uses_the_sol_table_cap() -> None:
    # SOLUSDT: 50x is allowed up to bracket 3 (cap 800,000); 20,000 × 50 = 1,000,000 is more: 800,000
    r = max_open(balance=D(20000), leverage=D(50), entry=D(160), exchange="binance-usdm", symbol="SOL/USDT:USDT")
    assert r.max_notional == 800000 and r.max_quantity == 5000


def test_cli_uses_the_shipped_table_for_doge(cli: Any) -> None:
    # long 1,000,000 DOGE @ 0.1 at 10x: WB 10,000, notional 100,000; at the LP (about 90,900 notional) it is
    # in bracket 3 (50,000-750,000, 1 %, cum 170): LP = (10,000 + 170 − 100,000) / (1,000,000 × (0.01 − 1))
    result = cli("liquidation", "--exchange", "binance-usdm", "--symbol", "DOGE/USDT:USDT", "--side", "long",
                 "--entry", "0.1", "--quantity", "1000000", "--leverage", "10", "--json")
    data = result.json()
    assert data["liquidation_price"] == pytest.approx(89830 / 990000, rel=1e-12)
    assert data["tier"] == 3 and data["maintenance_amount"] == 170
