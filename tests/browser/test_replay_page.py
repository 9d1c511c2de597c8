"""The Replay tab in a real browser: paste or upload candles, read how the position ended, see the chart.

The position is Bybit's published isolated long (examples.md Y1: 1 BTC at 10,000, 50x,
MMR 0.5 %, liquidation 9,850); outcomes are worked out in each test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest_browser import shot
from .test_web_page import chart_pixels, market, number_in, open_page, wait_for

H = 3_600_000


def result(page: Any, key: str) -> str:
    cell = page.locator(f"#replay-results tr[data-key='{key}'] td.value")
    return str(cell.get_attribute("data-value") or "")


def y1(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=replay")
    market(page, "linear", "bybit-linear")
    for name, value in {"quantity": "1", "leverage": "50", "maintenance_margin_rate": "0.005", "fee_rate": "0",
                        "stop": "9900", "target": "10300"}.items():
        page.locator(f"#replay-{name.replace('_', '-')}").fill(value)
    # Bybit's Y1 liquidation price: the answer to these inputs, not the market the page opened with
    wait_for(lambda: result(page, "liquidation_price") == "9850", "Bybit's 9,850")


def paste(page: Any, rows: Any, box: str = "#replay-candles") -> None:
    page.locator(box).fill(rows if isinstance(rows, str) else json.dumps(rows))


def test_the_sample_candles_stop_out_and_the_chart_marks_every_level(page: Any, server_url: str) -> None:
    y1(page, server_url)
    # the tab's sample: the sixth hourly candle's low (9,880) reaches the 9,900 stop, above the 9,850 liquidation
    wait_for(lambda: result(page, "exit_reason") == "stop", "the stop")
    assert float(result(page, "exit_price")) == 9900 and float(result(page, "pnl")) == -100
    assert result(page, "bars_held") == "6" and float(result(page, "liquidation_price")) == 9850
    box = page.locator("#replay-chart")
    wait_for(lambda: box.get_attribute("data-marks") == "entry,stop,target,liquidation,exit", "the chart's marks")
    assert box.get_attribute("data-candles") == "7" and chart_pixels(page, "replay") > 1000
    assert page.locator("#tab-replay").get_attribute("aria-selected") == "true"
    shot(page, "replay-tab")


def test_pasted_csv_with_a_mark_wick_liquidates(page: Any, server_url: str) -> None:
    y1(page, server_url)
    page.locator("#replay-stop").fill("")
    paste(page, "timestamp,open,high,low,close\n0,10000,10050,9950,10000\n3600000,10000,10020,9870,9900\n")
    wait_for(lambda: result(page, "exit_reason") == "open", "still open")
    assert float(result(page, "exit_price")) == 9900 and float(result(page, "pnl")) == -100
    page.locator(".replay-more summary").click()
    paste(page, [[0, 10000, 10050, 9950, 10000], [H, 10000, 10020, 9840, 9900]], "#replay-mark-candles")
    wait_for(lambda: result(page, "exit_reason") == "liquidation", "the mark's wick to liquidate")
    assert float(result(page, "pnl")) == -200 and result(page, "exit_time") == str(H)
    # funding at 0.5 h (value 10,000 at candle 0's mark open) and at 1 h, the exit candle's start
    paste(page, "timestamp,rate\n1800000,0.001\n3600000,0.002\n", "#replay-funding")
    wait_for(lambda: result(page, "funding") == "30", "30 of funding")
    assert number_in(page.locator("#replay-results tr[data-key='net_pnl'] td.value").inner_text()) == -230


def test_a_bad_row_shows_the_apis_words(page: Any, server_url: str) -> None:
    y1(page, server_url)
    wait_for(lambda: result(page, "exit_reason") == "stop", "the sample first")
    paste(page, [[0, 10000, 10050, 9950, 10000], [H, 10000, 9000, 9950, 10000]])
    error = page.locator("#replay-error")
    wait_for(lambda: "'candles' row 1 must have low <= open, close <= high" in error.inner_text(), "the error")
    assert "stale" in (page.locator("#replay-results").locator("xpath=..").get_attribute("class") or "")
    page.locator("#replay-stop").fill("10100")
    paste(page, [[0, 10000, 10050, 9950, 10000]])
    field_error = page.locator("#replay-stop-error")
    wait_for(lambda: "'stop' must be below the entry (10000) for a long" in field_error.inner_text(), "stop error")


def test_upload_a_candle_file(page: Any, server_url: str, tmp_path: Path) -> None:
    y1(page, server_url)
    upload = tmp_path / "candles.json"
    upload.write_text(json.dumps([[0, 10000, 10050, 9950, 10000, 3], [H, 10000, 10350, 9990, 10300, 4]]))
    page.locator("input[aria-label='Upload candles']").set_input_files(str(upload))
    wait_for(lambda: result(page, "exit_reason") == "target", "the target")
    assert float(result(page, "exit_price")) == 10300 and float(result(page, "pnl")) == 300


def test_replay_fits_a_phone(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url, "?tab=replay")
    wait_for(lambda: result(page, "exit_reason") != "", "a result")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#replay-chart").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    shot(page, "replay-phone")
