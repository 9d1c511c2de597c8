"""Tier tables in ccxt's ``fetch_leverage_tiers()`` shape: lookup, cum recurrence, caps, bad files.

Rows of ``shared/reference/examples.md``: B6, B7 (Binance 2021 BTCUSDT table), Y23 (Bybit's
tiered-MM example).
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from contractcalc import InputError
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.tiers import (
    PRESET_TABLES,
    Y23_TIERS,
    complete_maintenance_amounts,
    preset_table,
    preset_tables_for,
)

D = Decimal
REFERENCE_TIERS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "tiers"


def without_cum(data: dict[str, Any]) -> dict[str, Any]:
    return {
        symbol: [{**tier, "info": {k: v for k, v in tier["info"].items() if k != "cum"}} for tier in tiers]
        for symbol, tiers in data.items()
    }


def shipped(name: str) -> dict[str, Any]:
    from importlib import resources

    text = resources.files("contractcalc.venues").joinpath("data", "tiers", PRESET_TABLES[name].file).read_text("utf-8")
    data: dict[str, Any] = json.loads(text, parse_float=D)
    return data


def test_b6_a_264000_notional_is_in_the_1_percent_tier() -> None:
    # B6: BTCUSDT tier of a 264,000 USDT notional (2021 table) → MMR 1 %
    table = load_tiers("binance-usdm-BTCUSDT-2021-03-18")
    assert table.tier_for_notional(D(264000)).maintenance_margin_rate == D("0.01")
    assert table.tier_for_notional(264000.0).tier == 3


def test_b7_cum_of_tier_3_by_the_recurrence() -> None:
    # B7: 250,000 × (1 % − 0.5 %) + 50 = 1,300, computed from a file stripped of info.cum
    table = load_tiers(without_cum(shipped("binance-usdm-BTCUSDT-2021-03-18")), "BTC/USDT:USDT")
    assert table.tiers[2].maintenance_amount == 1300
    assert table.tiers[1].maintenance_amount == 50  # 50,000 × (0.5 % − 0.4 %)


@pytest.mark.parametrize("name", ["binance-usdm-BTCUSDT-2021-03-18", "binance-usdm-BTCUSDT-2024-10"])
def test_the_recurrence_reproduces_binances_published_cums(name: str) -> None:
    # the 2024 file holds cum as Binance's leverageBracket API publishes it (the 2021 one agrees with the
    # page's B7 example): the recurrence from floors and rates alone must reproduce every one of them
    published = load_tiers(name)
    completed = load_tiers(without_cum(shipped(name)), published.symbol)
    assert [t.maintenance_amount for t in completed.tiers] == [t.maintenance_amount for t in published.tiers]


def test_the_recurrence_by_hand() -> None:
    # floors 0, 100, 300; rates 1 %, 2 %, 5 %: cum 0, 100 × 1 % = 1, 1 + 300 × 3 % = 10
    amounts = complete_maintenance_amounts([D(0), D(100), D(300)], [D("0.01"), D("0.02"), D("0.05")],
                                           [None, None, None])
    assert amounts == [0, 1, 10]
    # a given cum is kept, and the next one builds on it
    assert complete_maintenance_amounts([D(0), D(100)], [D("0.01"), D("0.02")], [D(5), None]) == [5, 6]


def test_y23_tiered_maintenance_margin() -> None:
    # Y23: position value 3,500 in the 3.5 % tier (3k–4k) → 3,500 × 3.5 % − 30 = 92.5
    table = load_tiers(Y23_TIERS, "X")
    tier = table.tier_for_notional(D(3500))
    assert (tier.tier, tier.maintenance_margin_rate, tier.maintenance_amount) == (4, D("0.035"), 30)
    assert D(3500) * tier.maintenance_margin_rate - tier.maintenance_amount == D("92.5")


def test_maintenance_margin_is_continuous_at_each_floor() -> None:
    # the point of cum: notional × MMR − cum agrees on both sides of every tier boundary
    for name in PRESET_TABLES:
        table = load_tiers(name)
        for lower, upper in itertools.pairwise(table.tiers):
            floor = upper.min_notional
            below = floor * lower.maintenance_margin_rate - lower.maintenance_amount
            above = floor * upper.maintenance_margin_rate - upper.maintenance_amount
            assert below == above, (name, upper.tier)


def test_boundaries_belong_to_the_upper_tier_and_the_top_to_the_last() -> None:
    table = load_tiers(Y23_TIERS, "X")
    assert table.tier_for_notional(999.99).tier == 1
    assert table.tier_for_notional(1000).tier == 2
    assert table.tier_for_notional(5000).tier == 5
    with pytest.raises(InputError, match="must be within the tier table"):
        table.tier_for_notional(5000.01)


def test_tier_lookup_over_an_array() -> None:
    table = load_tiers(Y23_TIERS, "X")
    np.testing.assert_array_equal(table.index_for_notional(np.array([0.0, 1500.0, 3500.0, 4999.0])), [0, 1, 3, 4])


def test_a_leverage_above_the_tier_cap_names_the_tier_and_its_cap() -> None:
    table = load_tiers("binance-usdm-BTCUSDT-2021-03-18")
    table.check_leverage(50, 264000)  # tier 3 allows 50x
    with pytest.raises(InputError) as caught:
        table.check_leverage(D(75), D(264000))
    assert str(caught.value) == (
        "'leverage' must be <= 50, the cap of tier 3 (notional 250000–1000000, max 50x) (got 75)"
    )
    with pytest.raises(InputError, match=r"the cap of tier 2 .* at index 1"):
        table.check_leverage(np.array([100.0, 125.0]), np.array([100000.0, 100000.0]))


@pytest.mark.parametrize("name", sorted(PRESET_TABLES))
def test_shipped_presets_match_the_reference_files_and_carry_source_and_date(name: str) -> None:
    preset = PRESET_TABLES[name]
    assert preset.source and preset.as_of
    table = load_tiers(name)
    assert (table.symbol, table.source, table.as_of) == (preset.symbol, preset.source, preset.as_of)
    reference = REFERENCE_TIERS / preset.file
    if reference.exists():  # the shipped copy is the reference file, byte for byte
        shipped = Path(__file__).resolve().parents[1] / "src" / "contractcalc" / "venues" / "data" / "tiers"
        assert reference.read_bytes() == (shipped / preset.file).read_bytes()


def test_newest_preset_first() -> None:
    names = [p.name for p in preset_tables_for("binance-usdm", "BTC/USDT:USDT")]
    assert names == ["binance-usdm-BTCUSDT-2024-10", "binance-usdm-BTCUSDT-2021-03-18"]
    table = preset_table("binance-usdm", "BTC/USDT:USDT")
    assert table is not None and table.as_of == "2024-10"
    assert preset_table("okx-linear", "BTC/USDT:USDT") is None


def test_a_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "tiers.json"
    path.write_text(json.dumps(Y23_TIERS))
    table = load_tiers(path)
    assert table.symbol == "X" and table.source == str(path)
    assert table.tier_for_notional(3500).maintenance_amount == 30


def test_bad_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InputError, match="'tiers' must be a readable JSON file or a preset"):
        load_tiers(missing)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match="'tiers' must be valid JSON"):
        load_tiers(broken)
    with pytest.raises(InputError, match="must map symbols to tier lists"):
        load_tiers({})
    gap = {"X": [dict(Y23_TIERS["X"][0]), dict(Y23_TIERS["X"][2])]}
    with pytest.raises(InputError, match="must be contiguous"):
        load_tiers(gap, "X")
    negative = {"X": [{**Y23_TIERS["X"][0], "maintenanceMarginRate": -1}]}
    with pytest.raises(InputError, match="'maintenanceMarginRate' must be a finite number >= 0"):
        load_tiers(negative, "X")


def test_a_symbol_missing_from_the_tier_file() -> None:
    with pytest.raises(InputError) as caught:
        load_tiers("binance-usdm-BTCUSDT-2021-03-18", "ETH/USDT:USDT")
    assert str(caught.value) == "'symbol' is not in the tier file (it holds BTC/USDT:USDT) (got 'ETH/USDT:USDT')"
    two = {"A": Y23_TIERS["X"], "B": Y23_TIERS["X"]}
    with pytest.raises(InputError, match="'symbol' is required: the tier file holds A, B"):
        load_tiers(two)


@pytest.mark.parametrize("spelling", ["BTC/USDT:USDT", "BTCUSDT", "btcusdt", "BTC-USDT-SWAP", "BTC_USDT"])
def test_exchange_spellings_of_a_symbol_find_the_ccxt_key(spelling: str) -> None:
    table = load_tiers("binance-usdm-BTCUSDT-2021-03-18", spelling)
    assert table.symbol == "BTC/USDT:USDT"
    # the inverse BTC/USD:BTC must not be taken for BTCUSDT
    with pytest.raises(InputError, match="'symbol' is not in the tier file"):
        load_tiers("binance-coinm-BTCUSD-reconstructed", spelling)


def test_bad_tier_files_are_input_errors_on_tiers(tmp_path: Path) -> None:
    # A tier file that is not UTF-8, or whose tiers are not objects, or whose 'tier' is not a
    # number, used to escape as UnicodeDecodeError / AttributeError / ValueError (a CLI traceback).
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="'tiers' must be a JSON file in UTF-8"):
        load_tiers(binary)
    with pytest.raises(InputError, match=r"'tiers' must hold tier objects for X \(got 1 at tier 1\)"):
        load_tiers({"X": [1]}, "X")
    named = {"X": [{**Y23_TIERS["X"][0], "tier": "one"}]}
    with pytest.raises(InputError, match=r"'tiers' 'tier' must be a whole number \(got 'one' at tier 1\)"):
        load_tiers(named, "X")
    assert load_tiers({"X": [{**Y23_TIERS["X"][0], "tier": "7"}]}, "X").tiers[0].tier == 7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"maxLeverage": None}, "'tiers' X tier 1: 'maxLeverage' must be a number (got None)"),
        ({"maxLeverage": 0}, "'tiers' X tier 1: 'maxLeverage' must be > 0 (got 0)"),
        ({"maxNotional": 0}, "'tiers' X tier 1: 'maxNotional' must be > 'minNotional' (0) (got 0)"),
        ({"info": {"cum": "x"}}, "'tiers' X tier 1: 'cum' must be a number (got 'x')"),
        ({"maintenanceMarginRate": -1}, "'tiers' X tier 1: 'maintenanceMarginRate' must be a finite number >= 0"),
    ],
)
def test_a_bad_tier_field_is_reported_on_tiers(change: dict[str, Any], message: str) -> None:
    # The error's field is 'tiers' (the CLI shows '--tiers', a real flag), not 'maxLeverage'
    # (which it showed as '--maxLeverage'), and says which tier holds the bad value.
    with pytest.raises(InputError) as caught:
        load_tiers({"X": [{**Y23_TIERS["X"][0], **change}]}, "X")
    assert caught.value.field == "tiers"
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("spelling", ["BTC/USDT:USDT", "BTCUSDT", "btcusdt", "BTC-USDT-SWAP"])
def test_shipped_tables_are_found_by_exchange_spellings_of_a_symbol(spelling: str) -> None:
    # load_tiers matched BTCUSDT to BTC/USDT:USDT but the shipped-table lookup did not: `cost
    # --exchange binance-usdm --symbol BTCUSDT --leverage 150` skipped the 125x cap silently.
    names = [p.name for p in preset_tables_for("binance-usdm", spelling)]
    assert names == ["binance-usdm-BTCUSDT-2024-10", "binance-usdm-BTCUSDT-2021-03-18"]
    assert preset_tables_for("binance-coinm", spelling) == []
    from contractcalc import cost

    with pytest.raises(InputError, match="'leverage' must be <= 125, the cap of tier 1"):
        cost(exchange="binance-usdm", symbol=spelling, side="long", entry=D(100), leverage=D(150), quantity=D(1))
