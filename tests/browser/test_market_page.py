"""The page's starting figures (one dated table) and Bybit's cross fee to close, in Debian's headless Chromium.

What the user sees: the inputs' values, the field shown or hidden (computed visibility),
the figures in the positions table.  Expected figures come from ``schema.PAGE_DEFAULTS``
(the one place the page's defaults live) and from hand calculations written here.
"""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

from contractcalc.interfaces.schema import MARKET_AS_OF, MARKET_PRICES, PAGE_DEFAULTS

from .conftest_browser import shot
from .test_web_page import choose, market, number_in, open_page, type_into, wait_for


def test_the_page_opens_on_todays_market_from_one_table(page: Any, server_url: str) -> None:
    assert MARKET_AS_OF == "2026-12-01"
    btc = MARKET_PRICES["BTC"]
    open_page(page, server_url)
    # the header's market is the coin the figures trade (BTC), with its tier table; the footer says the date
    assert page.locator("#symbol").input_value() == "BTC/USDT:USDT"
    assert page.locator("#tiers option:checked").inner_text().startswith("BTC/USDT:USDT")
    footer = page.locator("#starting-market")
    assert footer.is_visible() and footer.inner_text() == f"Starting figures: BTC {btc:,} as of {MARKET_AS_OF}."
    for tab in ("plan", "pnl", "target", "cost", "size", "max-open", "liquidation"):
        page.locator(f"#tab-{tab}").click()
        entry = page.locator(f"#{tab}-entry")
        assert entry.is_visible(), tab
        assert entry.input_value() == str(PAGE_DEFAULTS[tab]["entry"]) == str(btc), tab
    # the plan keeps the seed's proportions: a 25 % stop gives 4x
    page.locator("#tab-plan").click()
    assert page.locator("#plan-stop").input_value() == str(btc * 3 // 4)
    cell = page.locator("#panel-plan .results tr[data-key='leverage'] td.value").first
    wait_for(lambda: cell.inner_text().strip() == "4×", "the plan at 4x")
    # no starting price of another era: every price input is within 10 % of today's
    page.locator("#tab-average-entry").click()
    prices = [row["price"] for row in PAGE_DEFAULTS["average-entry"]["fill"]]
    assert all(abs(p - btc) <= btc / 10 for p in prices)
    shown = page.locator("#panel-average-entry").inner_text() + " ".join(
        page.locator("#panel-average-entry input").evaluate_all("(ns) => ns.map((n) => n.value)"))
    assert str(prices[0]) in shown.replace(",", "")


def test_bybit_cross_shows_the_fee_to_close_and_counts_it(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "bybit-linear", tiers="")
    fee = page.locator("#panel-liquidation .field[data-field='taker_fee_rate']")
    choose(page, "liquidation", "margin_mode", "isolated")
    page.locator("#panel-liquidation details.advanced summary").click()
    assert not fee.is_visible()  # isolated: Bybit's fee to close cancels, nothing to type
    choose(page, "liquidation", "margin_mode", "cross")
    wait_for(lambda: fee.is_visible(), "the fee to close in cross mode")
    assert "Fee rate to close" in fee.locator("label").inner_text()
    cell = page.locator("#panel-liquidation tr[data-result-row='positions[0]'] td[data-key='liquidation_price']")
    wait_for(lambda: cell.count() > 0 and cell.inner_text().strip() != "", "the sample account's price")
    # the sample: long Q = 0.5 BTC from E (today's price) in a 10,000 USDT wallet, MMR 0.5 % (no tier table)
    q, e, wallet, rate = F(PAGE_DEFAULTS["liquidation"]["quantity"]), F(MARKET_PRICES["BTC"]), F(10000), F("0.005")
    plain = e - (wallet - q * e * rate) / q
    def exact() -> float:  # the cell's full value (the text is rounded to the market's tick)
        return float(cell.get_attribute("data-value") or "nan")

    wait_for(lambda: abs(exact() - float(plain)) < 1e-6 * float(plain), "the fee-free price first")
    assert abs(number_in(cell.inner_text()) - float(plain)) <= 0.5  # shown to the tick
    type_into(page, "#liquidation-taker_fee_rate", "0.055%")
    # Bybit: BP = (Q·E − WB) / (Q·(1 − f)); LP = E − (WB − Q·E·MMR − f·Q·BP) / Q
    f = F("0.00055")
    bankruptcy = (q * e - wallet) / (q * (1 - f))
    lp = e - (wallet - q * e * rate - f * q * bankruptcy) / q
    wait_for(lambda: abs(exact() - float(lp)) < 1e-6 * float(lp), "the price with the fee to close")
    assert "taker_fee_rate=0.055%25" in page.url or "taker_fee_rate=0.055%" in page.url
    shot(page, "bybit-cross-fee-to-close")


def test_cross_chart_labels_are_painted_where_they_are_placed(page: Any, server_url: str) -> None:
    # In cross mode the chart has one axis (the left one); its right-aligned tick labels must not leave the
    # labels above the plot, nor the "liquidated" band's text, drawn right-aligned (shifted left by their
    # width, over the axis).  Each label's painted pixels lie inside its placed box.
    open_page(page, server_url, "?tab=liquidation")  # the page's own market: binance-usdm, its BTC table
    choose(page, "liquidation", "margin_mode", "cross")
    chart = page.locator("#liquidation-chart")
    title = page.locator("#panel-liquidation .chart-card h2")
    wait_for(lambda: title.inner_text().startswith("Margin balance") and chart.get_attribute("data-lost")
             and '"mark"' in (chart.get_attribute("data-labels") or ""), "the cross chart")
    found = page.evaluate("""() => {
        const box = document.getElementById('liquidation-chart');
        const canvas = box.querySelector('canvas');
        const ctx = canvas.getContext('2d');
        const r = devicePixelRatio || 1;
        const painted = (x0, x1, y0, y1, red) => {
            const w = Math.max(1, Math.round((x1 - x0) * r)), h = Math.max(1, Math.round((y1 - y0) * r));
            const d = ctx.getImageData(Math.round(x0 * r), Math.round(y0 * r), w, h).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i + 3] > 100 && (!red || d[i] > d[i + 1] + 60)) n += 1;
            }
            return n;
        };
        const labels = JSON.parse(box.dataset.labels);
        const out = labels.map((l) => ({ key: l.key,
            inside: painted(l.left, l.right, l.baseline - 11, l.baseline, false),
            before: painted(Math.max(0, l.left - 40), l.left - 1, l.baseline - 11, l.baseline, false) }));
        const card = window.contractcalc.state.cards.find((c) => c.calc.name === 'liquidation');
        const left = card.plot.bbox.left / r, top = card.plot.bbox.top / r;
        // the band's red text: none left of the plot, some inside it
        const bandText = { outside: painted(0, left - 1, top + 4, top + 20, true),
                           inside: painted(left, left + 80, top + 4, top + 20, true) };
        return { labels: out, bandText };
    }""")
    liquidation = next(label for label in found["labels"] if label["key"] == "liquidation")
    assert liquidation["inside"] > 20, found
    assert liquidation["before"] == 0, found  # nothing painted just left of where it was placed
    assert found["bandText"]["outside"] == 0 and found["bandText"]["inside"] > 10, found
    text = page.evaluate("JSON.parse(document.getElementById('liquidation-chart').dataset.labels)")
    assert all(label["left"] >= 0 for label in text)
    shot(page, "cross-chart-labels")


def test_on_a_phone_the_result_starts_on_the_first_screen(page: Any, server_url: str) -> None:
    # 390 × 844: the market fits a compact header, so the plan's card starts in the top half of the first
    # screen and its first figure is read without scrolling (before, the header alone filled two thirds of
    # it and the card started at 585 px), and nothing runs past the edge.
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    cell = page.locator("#panel-plan .results tr[data-key='leverage'] td.value").first
    wait_for(lambda: cell.inner_text().strip() == "4×", "the plan")
    results = page.locator("#plan-plan-results").bounding_box()
    assert results is not None and results["y"] < 844 / 2, results
    first_row = page.locator("#panel-plan .results tr[data-key]").first.bounding_box()
    assert first_row is not None and first_row["y"] + first_row["height"] < 0.6 * 844, first_row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for control in ("#exchange", "#symbol", "#tiers", "#save-button", "#theme-toggle"):
        box = page.locator(control).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (control, box)
    shot(page, "phone-compact-header")


def test_plain_labels_come_from_the_schema_on_the_risk_tab_too(page: Any, server_url: str) -> None:
    from contractcalc.interfaces.schema import LABELS

    open_page(page, server_url, "?tab=risk")
    row = page.locator("#panel-risk tr[data-key='liquidation_probability'] th")
    wait_for(lambda: row.count() > 0, "the risk results")
    # shown in the table's small capitals (CSS), in the schema's words
    assert row.inner_text().strip().lower() == LABELS["liquidation_probability"].lower() == "chance of liquidation"
    assert row.get_attribute("title") == "liquidation_probability"  # the JSON key on hover
