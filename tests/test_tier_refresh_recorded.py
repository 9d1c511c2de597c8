"""``tiers refresh`` replayed on recorded data, with no network: ccxt's own parsers, ccxt's recorded markets.

- Markets: ccxt's recorded static markets (tests/data/ccxt/binance-markets.json, copied from ccxt's
  ts/src/test/static/markets/binance.json at commit 0dca8ac0a3ce, MIT: tests/data/ccxt/LICENSE), loaded
  into ccxt's client as ccxt's own tests load them, not markets rebuilt by hand.
- Answer: Binance's GET /fapi/v1/leverageBracket brackets for BTCUSDT, ETHUSDT, XRPUSDT and DOGEUSDT as
  recorded on 2024-10-24 (tests/data/exchange_responses/binance-usdm-leverageBracket-2024-10-24.json;
  its ``_provenance`` says where from).  ccxt's HTTP call is replaced by one returning that body.

The independent figures: Binance's own ``cum`` (kept as sent, and equal to the recurrence), and the
shipped 2024-10-24 tables, which must come out of the refresh tier for tier.  ccxt's recorded static
*responses* (ts/src/test/static/response/binance.json, commit 05776890e288) hold no leverage-tier
call to replay.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import ccxt  # type: ignore[import-untyped]  # in the dev extra: these tests always run, never skip
import pytest

from contractcalc.io.tier_refresh import refresh_tiers, write_tier_document
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.tiers import complete_maintenance_amounts
from contractcalc.venues.tiers import load_tiers as load_shipped

DATA = Path(__file__).parent / "data"
FETCHED = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SYMBOLS = ["BTC/USDT:USDT", "ETH/USDT:USDT", "XRP/USDT:USDT", "DOGE/USDT:USDT"]


def recorded_markets() -> dict[str, Any]:
    markets: dict[str, Any] = json.loads((DATA / "ccxt" / "binance-markets.json").read_text("utf-8"))
    return markets


def recorded_brackets() -> Any:
    path = DATA / "exchange_responses" / "binance-usdm-leverageBracket-2024-10-24.json"
    return json.loads(path.read_text("utf-8"))["response"]


def replayed_client() -> tuple[Any, list[str]]:
    """ccxt's binanceusdm with ccxt's recorded markets, answering leverageBracket from the recording."""
    client = ccxt.binanceusdm({"apiKey": "recorded", "secret": "recorded"})
    asked: list[str] = []
    brackets = recorded_brackets()

    def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        asked.append(url)
        if "/fapi/v1/leverageBracket" in url:
            return brackets
        raise AssertionError(f"no recorded answer for {url}")  # no network, ever

    client.fetch = fetch
    client.set_markets(list(recorded_markets().values()))
    return client, asked


def test_ccxts_recorded_markets_resolve_binances_ids() -> None:
    client, _ = replayed_client()
    for symbol in SYMBOLS:
        market = client.market(symbol)
        assert market["id"] == symbol.split("/")[0] + "USDT" and market["linear"] and market["contract"]


def test_ccxts_parser_on_the_recorded_brackets_gives_ccxts_unified_tiers() -> None:
    client, _ = replayed_client()
    tiers = client.parse_leverage_tiers(recorded_brackets(), SYMBOLS, "symbol")
    assert sorted(tiers) == sorted(SYMBOLS)
    eth = tiers["ETH/USDT:USDT"]
    # bracket 3 of ETHUSDT as Binance sent it: 600,000-3,000,000 at 0.65 %, 75x, cum 950
    assert (eth[2]["minNotional"], eth[2]["maxNotional"], eth[2]["maintenanceMarginRate"], eth[2]["maxLeverage"],
            eth[2]["currency"]) == (600000, 3000000, 0.0065, 75, "USDT")
    assert eth[2]["info"]["cum"] == "950.0"


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_refresh_keeps_binances_cum_and_it_follows_the_recurrence(symbol: str) -> None:
    client, asked = replayed_client()
    document = refresh_tiers("binance-usdm", [symbol], client=client, now=lambda: FETCHED)
    assert len(asked) == 1 and "leverageBracket" in asked[0]
    tiers = document["tiers"][symbol]
    sent = next(item["brackets"] for item in recorded_brackets() if item["symbol"] == symbol.replace("/USDT:USDT",
                                                                                                    "USDT"))
    assert [Decimal(str(t["info"]["cum"])) for t in tiers] == [Decimal(b["cum"]) for b in sent]
    floors = [Decimal(b["notionalFloor"]) for b in sent]
    rates = [Decimal(b["maintMarginRatio"]) for b in sent]
    assert [Decimal(b["cum"]) for b in sent] == complete_maintenance_amounts(floors, rates, [None] * len(sent))


@pytest.mark.parametrize("symbol", ["ETH/USDT:USDT", "XRP/USDT:USDT", "DOGE/USDT:USDT"])
def test_refresh_writes_the_shipped_2024_10_24_table(symbol: str, tmp_path: Path) -> None:
    client, _ = replayed_client()
    document = refresh_tiers("binance-usdm", [symbol], client=client, now=lambda: FETCHED)
    path = write_tier_document(document, tmp_path)
    fresh = load_tiers(str(path), symbol)
    base = symbol.split("/")[0]
    shipped = load_shipped(f"binance-usdm-{base}USDT-2024-10-24", symbol)
    assert fresh.tiers == shipped.tiers  # every bound, rate, cap and cum, as Decimals
    assert fresh.as_of == "2026-12-01" and shipped.as_of == "2024-10-24"


def test_the_btc_brackets_of_2024_10_24_are_the_shipped_2024_10_table() -> None:
    # a second source for binance-usdm-BTCUSDT-2024-10: the same brackets, recorded on 2024-10-24
    client, _ = replayed_client()
    document = refresh_tiers("binance-usdm", ["BTC/USDT:USDT"], client=client, now=lambda: FETCHED)
    fresh = load_tiers({"BTC/USDT:USDT": document["tiers"]["BTC/USDT:USDT"]}, "BTC/USDT:USDT")
    assert fresh.tiers == load_shipped("binance-usdm-BTCUSDT-2024-10", "BTC/USDT:USDT").tiers
