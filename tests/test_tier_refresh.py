"""``contractcalc tiers refresh`` and ``tiers list``: fresh tables through ccxt, replayed without a network.

ccxt's real parsers run on recorded exchange answers (tests/data/exchange_responses/):
its HTTP call is replaced by one that returns the recorded body for the endpoint, so
the test covers ccxt's unified tiers, the ``cum`` completion and the written document.
The independent figures: Binance sends ``cum`` itself; for Bybit the recurrence must
rebuild the "MM deduction" column that Bybit publishes on its margin parameters page
(the shipped bybit-linear-BTCUSDT table).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contractcalc.errors import InputError
from contractcalc.io.tier_refresh import complete_tiers, refresh_tiers, write_tier_document
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.tiers import (
    PRESET_TABLES,
    STALE_AFTER_DAYS,
    stale_warning,
    table_age_days,
    unwrap_tier_document,
)

ccxt = pytest.importorskip("ccxt")

RESPONSES = Path(__file__).parent / "data" / "exchange_responses"
FETCHED = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def recorded(name: str) -> Any:
    return json.loads((RESPONSES / name).read_text("utf-8"))["response"]


def market(symbol: str, market_id: str, *, linear: bool = True) -> dict[str, Any]:
    base, rest = symbol.split("/")
    quote, settle = rest.split(":")
    return {"id": market_id, "symbol": symbol, "base": base, "quote": quote, "settle": settle, "baseId": base,
            "quoteId": quote, "settleId": settle, "type": "swap", "spot": False, "margin": False, "swap": True,
            "future": False, "option": False, "contract": True, "linear": linear, "inverse": not linear,
            "active": True, "contractSize": 1, "precision": {}, "limits": {}, "info": {}}


def replaying(client: Any, answers: dict[str, Any], markets: list[dict[str, Any]]) -> tuple[Any, list[str]]:
    """``client`` with its markets set and its HTTP answered from ``answers`` (path fragment -> body)."""
    asked: list[str] = []

    def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        asked.append(url)
        for fragment, answer in answers.items():
            if fragment in url:
                return answer
        raise AssertionError(f"no recorded answer for {url}")

    client.fetch = fetch
    client.set_markets(markets)
    return client, asked


def shipped(name: str) -> list[dict[str, Any]]:
    path = Path(__file__).parents[1] / "src" / "contractcalc" / "venues" / "data" / "tiers" / name
    return list(json.loads(path.read_text("utf-8"))["BTC/USDT:USDT"])


def test_binance_brackets_through_ccxt_keep_binances_cum() -> None:
    brackets = recorded("binance-usdm-leverageBracket-BTCUSDT-2024-10.json")
    client, asked = replaying(ccxt.binanceusdm({"apiKey": "recorded", "secret": "recorded"}),
                              {"/fapi/v1/leverageBracket": brackets}, [market("BTC/USDT:USDT", "BTCUSDT")])
    document = refresh_tiers("binance-usdm", ["BTC/USDT:USDT"], client=client, now=lambda: FETCHED)
    assert len(asked) == 1 and "leverageBracket" in asked[0]
    assert document["contractcalc_tiers"] == 1
    assert document["exchange"] == "binance-usdm"
    assert document["fetched_at"] == "2026-12-01T06:00:00Z"
    assert document["source"].startswith(f"ccxt {ccxt.__version__} binanceusdm.fetch_leverage_tiers")
    got = document["tiers"]["BTC/USDT:USDT"]
    want = shipped("binance-usdm-BTCUSDT-2024-10.json")
    assert [(t["minNotional"], t["maxNotional"], t["maintenanceMarginRate"], t["maxLeverage"], t["info"]["cum"])
            for t in got] == [(t["minNotional"], t["maxNotional"], t["maintenanceMarginRate"], t["maxLeverage"],
                               t["info"]["cum"]) for t in want]


def test_bybit_risk_limits_get_bybits_published_mm_deduction_by_the_recurrence() -> None:
    client, asked = replaying(ccxt.bybit(), {"/v5/market/risk-limit": recorded(
        "bybit-linear-risk-limit-BTCUSDT-2024.json")}, [market("BTC/USDT:USDT", "BTCUSDT")])
    document = refresh_tiers("bybit-linear", ["BTC/USDT:USDT"], client=client, now=lambda: FETCHED)
    assert asked == ["https://api.bybit.com/v5/market/risk-limit?symbol=BTCUSDT&category=linear"]
    got = document["tiers"]["BTC/USDT:USDT"]
    want = shipped("bybit-linear-BTCUSDT.json")
    assert len(got) == len(want) == 20
    # Bybit's page: tier 2 deducts 2,000,000 × (0.56 % − 0.5 %) = 1,200; every tier as published
    assert got[1]["info"]["cum"] == 1200
    for mine, published in zip(got, want, strict=True):
        assert Decimal(str(mine["info"]["cum"])) == Decimal(str(published["info"]["cum"])), mine["tier"]
        assert mine["maintenanceMarginRate"] == published["maintenanceMarginRate"]
        assert mine["maxNotional"] == published["maxNotional"]


def test_the_written_document_is_a_table_with_its_source_and_date(tmp_path: Path) -> None:
    client, _ = replaying(ccxt.bybit(), {"/v5/market/risk-limit": recorded(
        "bybit-linear-risk-limit-BTCUSDT-2024.json")}, [market("BTC/USDT:USDT", "BTCUSDT")])
    document = refresh_tiers("bybit-linear", ["BTC/USDT:USDT"], client=client, now=lambda: FETCHED)
    path = write_tier_document(document, tmp_path)
    assert path.name == "bybit-linear-BTCUSDT-2026-12-01.json"
    table = load_tiers(str(path), "BTCUSDT")
    assert table.as_of == "2026-12-01"
    assert table.source.endswith("fetched 2026-12-01T06:00:00Z")
    # the same liquidation as the shipped table: examples.md Y23-style tier lookup at 2.3M notional
    shipped_table = load_tiers("bybit-linear-BTCUSDT", "BTC/USDT:USDT")
    for notional in (1_000_000, 2_300_000, 10_000_000):
        assert table.tier_for_notional(notional) == shipped_table.tier_for_notional(notional)


def test_a_refreshed_file_beside_the_shipped_ones_is_a_preset() -> None:
    from contractcalc.venues import tiers as tiers_module

    # the file name the writer gives is the one the loader recognises
    match = tiers_module._REFRESHED_NAME.match("bybit-linear-BTCUSDT-2026-12-01.json")
    assert match and match.group("exchange") == "bybit-linear" and match.group("day") == "2026-12-01"
    assert tiers_module._REFRESHED_NAME.match("binance-usdm-BTCUSDT-2024-10.json") is None  # a month: shipped


def test_complete_tiers_fills_only_what_is_missing() -> None:
    # Binance's 2021 BTCUSDT table (examples.md B7): tier 3 cum = 250,000 × (1 % − 0.5 %) + 50 = 1,300
    raw = [{"tier": 1, "minNotional": 0, "maxNotional": 50000, "maintenanceMarginRate": 0.004, "info": {}},
           {"tier": 2, "minNotional": 50000, "maxNotional": 250000, "maintenanceMarginRate": 0.005, "info": {}},
           {"tier": 3, "minNotional": 250000, "maxNotional": 1000000, "maintenanceMarginRate": 0.01,
            "info": {"cum": "1300.0"}}]
    assert [t["info"]["cum"] for t in complete_tiers(raw)] == [0, 50, 1300]
    raw[2]["info"] = {"mmDeduction": "999"}  # the exchange's own figure wins over the recurrence
    assert complete_tiers(raw)[2]["info"]["cum"] == 999


def test_network_and_exchange_errors_are_one_input_error() -> None:
    client = ccxt.bybit()

    def down(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        raise ccxt.NetworkError("bybit GET " + url)

    client.fetch = down
    client.set_markets([market("BTC/USDT:USDT", "BTCUSDT")])
    with pytest.raises(InputError) as caught:
        refresh_tiers("bybit-linear", ["BTC/USDT:USDT"], client=client)
    assert caught.value.field == "exchange"
    assert "did not give its tiers (NetworkError" in str(caught.value)
    with pytest.raises(InputError, match="'exchange' must be one of"):
        refresh_tiers("ftx", ["BTC/USDT:USDT"], client=client)


def test_the_cli_writes_the_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from contractcalc.interfaces.cli import run
    from contractcalc.io import tier_refresh

    client, _ = replaying(ccxt.bybit(), {"/v5/market/risk-limit": recorded(
        "bybit-linear-risk-limit-BTCUSDT-2024.json")}, [market("BTC/USDT:USDT", "BTCUSDT")])
    monkeypatch.setattr(tier_refresh, "ccxt_client", lambda exchange, config=None: client)
    code = run(["tiers", "refresh", "--exchange", "bybit-linear", "--symbol", "BTC/USDT:USDT", "--out", str(tmp_path),
                "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    summary = json.loads(out.out)
    assert summary["symbols"] == {"BTC/USDT:USDT": 20}
    written = json.loads(Path(summary["path"]).read_text("utf-8"))
    assert written["contractcalc_tiers"] == 1 and written["fetched_at"] == summary["fetched_at"]


def test_a_versioned_document_of_another_version_is_refused() -> None:
    with pytest.raises(InputError, match="must be a tier document of version 1"):
        unwrap_tier_document({"contractcalc_tiers": 2, "tiers": {}})


# ---------------------------------------------------------------------------
# The shipped snapshots say their date and warn when old


def test_age_of_a_table_counts_from_the_last_day_it_names() -> None:
    assert table_age_days("2024-10-31", date(2025, 1, 29)) == 90
    assert table_age_days("2024-10", date(2025, 1, 29)) == 90  # October 2024: from the 31st
    assert table_age_days("2024", date(2025, 3, 31)) == 90  # 2024: from 31 December
    assert table_age_days("2021-03-18", date(2021, 3, 18)) == 0
    assert table_age_days("undated") is None


def test_a_table_over_90_days_old_is_warned_with_the_refresh_command() -> None:
    preset = PRESET_TABLES["binance-usdm-BTCUSDT-2024-10"]
    assert stale_warning(preset, date(2025, 1, 29)) is None  # 90 days: not yet
    warning = stale_warning(preset, date(2025, 1, 30))
    assert warning == ("tier table binance-usdm-BTCUSDT-2024-10 is from 2024-10 (91 days old): exchanges change "
                       "their tiers; refresh it with: contractcalc tiers refresh --exchange binance-usdm "
                       "--symbol BTC/USDT:USDT")
    assert STALE_AFTER_DAYS == 90


def test_tiers_list_says_each_tables_date_and_age(capsys: pytest.CaptureFixture[str]) -> None:
    from contractcalc.interfaces.cli import run

    assert run(["tiers", "list", "--json"]) == 0
    tables = {row["name"]: row for row in json.loads(capsys.readouterr().out)["tables"]}
    assert set(PRESET_TABLES) <= set(tables)
    row = tables["binance-usdm-BTCUSDT-2021-03-18"]
    assert row["as_of"] == "2021-03-18"
    assert row["age_days"] == (date.today() - date(2021, 3, 18)).days
    assert row["stale"] is True
