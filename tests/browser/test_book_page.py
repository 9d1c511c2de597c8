"""The Book tab in a real browser: a book in, the stress ladder chart and the accounts nearest to liquidation out.

The sample book is tests/test_stress.py's hand-built one (worked out there): at −10 % A, B and C
are liquidated (5 positions, shortfall 500); D, a short, is the nearest (+3.96 %).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest_browser import shot
from .test_web_page import chart_pixels, market, open_page, wait_for


def nearest(page: Any) -> list[str]:
    """The accounts of the nearest-to-liquidation table, read at once (the table is redrawn as one types)."""
    return list(page.evaluate(
        "() => [...document.querySelectorAll('#book-nearest tbody tr')].map((row) => row.dataset.account)"))


def test_the_sample_book_charts_its_ladder(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=book")
    market(page, "linear", "binance-usdm")
    wait_for(lambda: nearest(page) == ["D", "C", "A", "B"], "the nearest accounts")
    move_up = page.locator("#book-nearest tr[data-account='D'] td[data-key='liquidation_move_up']").inner_text()
    assert move_up.startswith("3.96 ")
    assert "6 positions in 4 accounts" in page.locator("#book-summary").inner_text()
    box = page.locator("#book-chart")
    wait_for(lambda: box.get_attribute("data-points") == "101", "the chart's 101 moves")
    assert chart_pixels(page, "book") > 1000
    assert page.locator("#tab-book").get_attribute("aria-selected") == "true"
    shot(page, "book-tab")


def test_a_bad_row_and_a_bad_grid_show_the_apis_words(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=book")
    market(page, "linear", "binance-usdm")
    wait_for(lambda: len(nearest(page)) == 4, "the sample first")
    page.locator("#book-shocks").fill("0.5:-0.5:0.01")
    wait_for(lambda: "'shocks' must go up" in page.locator("#book-shocks-error").inner_text(), "the grid's error")
    page.locator("#book-shocks").fill("-0.2:0.2:0.1")
    page.locator("#book-positions").fill("account,symbol,side,quantity,entry,mark,maintenance_margin_rate\n"
                                         "A,BTC/USDT:USDT,up,1,50000,50000,0.004\n")
    error = page.locator("#book-error")
    wait_for(lambda: "column 'side' must be 'long' or 'short' (got 'up' at index 0)" in error.inner_text(), "row error")


def test_upload_a_book(page: Any, server_url: str, tmp_path: Path) -> None:
    open_page(page, server_url, "?tab=book")
    market(page, "linear", "binance-usdm")
    wait_for(lambda: len(nearest(page)) == 4, "the sample first")
    book = tmp_path / "book.csv"
    # one isolated long, 10x on 2 ETH at 3,000, MMR 0.5 %: liquidated at −9.548 % (Binance's price 2,713.57)
    book.write_text("account,symbol,side,quantity,entry,mark,margin_mode,leverage,maintenance_margin_rate\n"
                    "Z,ETH/USDT:USDT,long,2,3000,3000,isolated,10,0.005\n")
    page.locator("#book-accounts").fill("")
    page.locator("input[aria-label='Upload positions']").set_input_files(str(book))
    wait_for(lambda: nearest(page) == ["Z"], "the uploaded book")
    down = page.locator("#book-nearest tr[data-account='Z'] td[data-key='liquidation_move_down']").inner_text()
    assert down.startswith("-9.548")
