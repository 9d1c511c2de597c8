"""The page shows prices to the market's tick and, with "Round to tick and lot", the exchange's rounding.

The tick is Binance's BTCUSDT perpetual PRICE_FILTER.tickSize (0.1) as ccxt recorded it
(venues/data/markets.json); the figures are hand calculations written beside them.
"""

from __future__ import annotations

from typing import Any

from .conftest_browser import shot
from .test_web_page import choose, market, open_page, shown, type_into, wait_for


def _liquidation_price_cell(page: Any) -> Any:
    return page.locator("#panel-liquidation .results tr[data-key='liquidation_price'] td.value").first


def test_prices_to_the_tick_and_round_shows_the_tick_used(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "binance-usdm", tiers="")
    page.locator("#symbol").fill("BTC/USDT:USDT")
    choose(page, "liquidation", "margin_mode", "isolated")
    choose(page, "liquidation", "side", "long")
    type_into(page, "#liquidation-entry", "60000")
    type_into(page, "#liquidation-quantity", "1")
    type_into(page, "#liquidation-leverage", "20")
    # tier 2 of the 2024-10 BTCUSDT table: LP = (3,000 + 50 − 60,000) / (0.005 − 1) = 57,236.1809...
    # shown to the nearest 0.1 tick, the exact figure and the tick on hover
    wait_for(lambda: shown(page, "liquidation", "liquidation_price").strip().startswith("57,236.2"),
             "the liquidation price to the tick")
    title = _liquidation_price_cell(page).get_attribute("title") or ""
    assert "57,236.18" in title and "tick, 0.1" in title

    # Round: the exchange's grid, the safe way for a long (up), and the tick used in the answer
    page.locator("#liquidation-round").check()
    wait_for(lambda: float(_liquidation_price_cell(page).get_attribute("data-value") or "nan") == 57236.2,
             "the rounded liquidation price")
    wait_for(lambda: shown(page, "liquidation", "price_tick").strip() == "0.1", "the tick used")
    # a short rounds down: (3,000 + 50 + 60,000) / 1.005 = 62,736.318... -> 62,736.3
    choose(page, "liquidation", "side", "short")
    wait_for(lambda: float(_liquidation_price_cell(page).get_attribute("data-value") or "nan") == 62736.3,
             "the short's rounded liquidation price")
    shot(page, "liquidation-round")


def test_round_without_a_recorded_market_names_the_symbol(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "binance-usdm", tiers="")
    page.locator("#symbol").fill("PEPE/USDT:USDT")
    choose(page, "liquidation", "margin_mode", "isolated")
    choose(page, "liquidation", "side", "long")
    type_into(page, "#liquidation-entry", "1")
    type_into(page, "#liquidation-quantity", "1000")
    type_into(page, "#liquidation-leverage", "10")
    type_into(page, "#liquidation-maintenance_margin_rate", "0.01")
    page.locator("#liquidation-round").check()
    # the symbol is a header field: its error shows there, in the API's words
    wait_for(lambda: "has no recorded price tick and lot size on binance-usdm"
             in page.locator("#symbol-error").inner_text(), "the error naming the symbol")
