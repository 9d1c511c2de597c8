"""The page a trader trusts (issue 12), in Debian's headless Chromium: what the user sees.

Each test reads computed styles, focus and text, never only a class name.  Expected
figures are the published examples the other browser tests use (examples.md Y1, Y16)
and hand calculations written here.  Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction as F
from pathlib import Path
from typing import Any

from contractcalc.interfaces.schema import PAGE_DEFAULTS

from .conftest_browser import binance_btc_price, shot
from .test_web_page import chart_marks, chart_pixels, choose, market, open_page, type_into, wait_for

#: The liquidation tab's card, in the page's own state (the chart's data as drawn).
LIQUIDATION_CARD = "window.contractcalc.state.cards.find((c) => c.calc.name === 'liquidation')"

PLAN = "?tab=plan&side=long&entry=20000&stop=15000&target=24000&principal=1000"
STATIC = Path(__file__).resolve().parents[2] / "src" / "contractcalc" / "interfaces" / "web" / "static"


def cell(page: Any, tab: str, key: str) -> Any:
    return page.locator(f"#panel-{tab} .results tr[data-key='{key}'] td.value").first


def style(page: Any, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"(n) => getComputedStyle(n).{prop}"))


def rgb(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


# ---------------------------------------------------------------------------
# Defects


def test_stale_results_and_chart_are_visibly_dimmed(page: Any, server_url: str) -> None:
    open_page(page, server_url, PLAN)
    wait_for(lambda: chart_pixels(page, "plan") > 5000, "the chart")
    box = "#panel-plan .results-box"
    assert float(style(page, box, "opacity")) == 1
    type_into(page, "#plan-leverage", "abc")
    wait_for(lambda: float(style(page, box, "opacity")) < 0.5, "the old results to dim")
    assert "grayscale(1)" in style(page, box, "filter")
    assert float(style(page, "#plan-chart", "opacity")) < 0.5
    # the page says why, above the old figures
    before = page.eval_on_selector(box, "(n) => getComputedStyle(n, '::before').content")
    assert "Waiting for valid inputs" in before
    shot(page, "trader-stale")
    page.locator("#plan-leverage").fill("")
    wait_for(lambda: float(style(page, box, "opacity")) == 1, "full contrast again")
    assert float(style(page, "#plan-chart", "opacity")) == 1


def test_tabs_follow_the_wai_aria_keyboard_pattern(page: Any, server_url: str) -> None:
    open_page(page, server_url, PLAN)
    tabs = page.locator("#tabs [role=tab]")
    ids = [tabs.nth(i).get_attribute("id") for i in range(tabs.count())]
    # one Tab stop: only the selected tab is in the tab order
    assert [tabs.nth(i).get_attribute("tabindex") for i in range(len(ids))] == ["0"] + ["-1"] * (len(ids) - 1)
    page.locator("#tab-plan").focus()

    def focused() -> str:
        return str(page.evaluate("document.activeElement.id"))

    page.keyboard.press("ArrowRight")
    assert focused() == ids[1]
    assert page.locator(f"#{ids[1]}").get_attribute("aria-selected") == "true"
    assert page.locator(f"#{ids[1]}").get_attribute("tabindex") == "0"
    assert page.locator("#tab-plan").get_attribute("tabindex") == "-1"
    assert page.locator(f"#panel-{ids[1][4:]}").is_visible()
    assert not page.locator("#panel-plan").is_visible()
    page.keyboard.press("End")
    assert focused() == ids[-1]
    page.keyboard.press("ArrowRight")  # wraps to the first
    assert focused() == ids[0]
    page.keyboard.press("ArrowLeft")  # and back to the last
    assert focused() == ids[-1]
    page.keyboard.press("Home")
    assert focused() == ids[0]
    # Tab leaves the row for the panel: the next focus is not another tab
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") != "tab"
    outline = page.evaluate("""() => { const b = document.getElementById('tab-plan'); b.focus();
        return getComputedStyle(b).outlineStyle; }""")
    assert outline != "none"


def cross_mode(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "binance-usdm", tiers="binance-usdm-BTCUSDT-2024-10")
    choose(page, "liquidation", "margin_mode", "cross")
    wait_for(lambda: page.locator("#panel-liquidation .rows-out td[data-key='tier']").count() > 0, "the positions")


def test_cross_mode_draws_the_accounts_margin_balance(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    cross_mode(page, server_url)
    wait_for(lambda: chart_pixels(page, "liquidation") > 5000, "the cross chart to paint")
    wait_for(lambda: {"entry", "mark", "liquidation"} <= chart_marks(page, "liquidation"), "the cross marks")
    title = page.locator("#panel-liquidation .chart-card h2").inner_text()
    assert title == "Margin balance against the price of BTC/USDT:USDT"
    # the sample: Q BTC long from E (schema.PAGE_DEFAULTS: 1 BTC at today's price) in a 10,000 USDT
    # wallet: balance = 10,000 + Q·(P − E), so at the liquidation price the balance is what the table
    # says the maintenance margin is.
    quantity, entry = PAGE_DEFAULTS["liquidation"]["quantity"], PAGE_DEFAULTS["liquidation"]["entry"]
    spec = page.evaluate("""() => { const c = CARD;
        return { x: c.spec.x, y: c.spec.pnl }; }""".replace("CARD", LIQUIDATION_CARD))
    for x, y in zip(spec["x"], spec["y"], strict=True):
        assert abs(y - (10000 + quantity * (x - entry))) < 1e-6 * entry
    assert page.locator("#liquidation-chart").get_attribute("data-lost") is not None
    # every column of the positions table, Tier last, inside its card at 1,400 px
    box = page.locator("#panel-liquidation .outputs .card").first.bounding_box()
    for header in page.locator("#panel-liquidation .rows-out th").all():
        edge = header.bounding_box()
        assert edge["x"] + edge["width"] <= box["x"] + box["width"] + 0.5, header.inner_text()
    tier = page.locator("#panel-liquidation .rows-out td[data-key='tier']").first
    assert tier.is_visible() and tier.inner_text().strip() == str(binance_btc_price(10000, quantity, entry)[1]) == "2"
    shot(page, "trader-cross-1400")


def test_position_size_warns_in_amber_like_plan(page: Any, server_url: str) -> None:
    # A 20 % stop at Binance's BTCUSDT tiers: sized from the risk (1 % of 10,000), the position needs
    # 0.05x; at 10x the exchange liquidates at about 45,000, before the 40,000 stop.
    query = ("?tab=size&side=long&balance=10000&risk_rate=0.01&entry=50000&stop=40000&leverage=10"
             "&exchange=binance-usdm&symbol=BTC/USDT:USDT&tiers=binance-usdm-BTCUSDT-2024-10&contract=linear")
    open_page(page, server_url, query)
    value = cell(page, "size", "stop_before_liquidation_exact")
    wait_for(lambda: value.inner_text().strip() == "no", "the exact check")
    amber = rgb(style(page, "#panel-size tr[data-key='stop_before_liquidation_exact'] td.value", "color"))
    assert amber == (183, 121, 31)  # --warn
    note = page.locator("#panel-size .note")
    wait_for(lambda: "before the stop is reached" in note.inner_text(), "the amber note")
    assert rgb(style(page, "#panel-size .note", "backgroundColor")) == (255, 246, 229)
    # the advice is a whole leverage, rounded down: never "4.92…"
    advice = cell(page, "size", "max_leverage_for_stop")
    exact = float(advice.get_attribute("data-value") or "nan")
    assert advice.inner_text().strip() == f"{int(exact)}×"
    assert f"at most {int(exact)}× leverage" in note.inner_text()
    shot(page, "trader-size-warning")


def test_isolated_loss_is_capped_at_the_liquidation_price(page: Any, server_url: str) -> None:
    # examples.md Y1: Bybit linear isolated long 1 BTC @ 10,000, 50x, MMR 0.5 %: LP 9,850, margin 200.
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "bybit-linear", tiers="")
    choose(page, "liquidation", "margin_mode", "isolated")
    choose(page, "liquidation", "side", "long")
    type_into(page, "#liquidation-entry", "10000")
    type_into(page, "#liquidation-quantity", "1")
    type_into(page, "#liquidation-leverage", "50")
    type_into(page, "#liquidation-maintenance_margin_rate", "0.005")

    def spec() -> Any:
        return page.evaluate("""() => { const c = CARD;
            return c.spec && { x: c.spec.x, y: c.spec.pnl, lost: c.spec.lost }; }""".replace("CARD", LIQUIDATION_CARD))

    wait_for(lambda: (s := spec()) and s["lost"] and abs(s["lost"]["from"] - 9850) < 1e-6, "the capped chart")
    drawn = spec()
    for x, y in zip(drawn["x"], drawn["y"], strict=True):
        # below 9,850 the position is gone with its 200 USDT margin; above it PnL = 1·(x − 10,000)
        assert abs(y - (-200 if x < 9850 else x - 10000)) < 1e-6, (x, y)
    assert min(drawn["y"]) == -200
    lost = json.loads(page.locator("#liquidation-chart").get_attribute("data-lost") or "{}")
    assert lost["price"] == 9850 and lost["from"] == 0 and lost["to"] > 0
    # the shaded band is painted red where the position is lost
    red = page.evaluate("""() => { const cv = document.querySelector('#liquidation-chart canvas');
        const ctx = cv.getContext('2d');
        const l = JSON.parse(document.getElementById('liquidation-chart').dataset.lost);
        const c = CARD;
        const x = Math.round(c.plot.bbox.left + (l.to * devicePixelRatio) / 2);
        const y = Math.round(c.plot.bbox.top + 40 * devicePixelRatio);
        return Array.from(ctx.getImageData(x, y, 1, 1).data); }""".replace("CARD", LIQUIDATION_CARD))
    assert red[3] > 0 and red[0] > red[2], red
    shot(page, "trader-liquidation-capped")


# ---------------------------------------------------------------------------
# Units and precision


def test_amounts_carry_their_currency_and_their_precision(page: Any, server_url: str) -> None:
    # examples.md Y16: long 0.2 BTC 7,000 -> 7,500 at 10x: PnL 100 USDT on 140 USDT, ROE 71.43 %.
    open_page(page, server_url, "?tab=pnl&contract=linear&exchange=bybit-linear&symbol=BTC/USDT:USDT"
                                "&side=long&entry=7000&exit=7500&quantity=0.2&leverage=10")
    wait_for(lambda: cell(page, "pnl", "pnl").inner_text().strip() == "100.00 USDT", "PnL in USDT")
    assert cell(page, "pnl", "initial_margin").inner_text().strip() == "140.00 USDT"
    assert cell(page, "pnl", "roe").inner_text().strip() == f"{float(F(100, 140)) * 100:.2f} %"
    assert "0.7142857" in (cell(page, "pnl", "roe").get_attribute("title") or "")  # exact on hover
    assert cell(page, "pnl", "breakeven_price").inner_text().strip().endswith("USDT")
    # the JSON key is on hover, the label is plain words
    label = page.locator("#panel-pnl tr[data-key='roe'] td.label")
    assert label.inner_text().strip() == "ROE" and label.get_attribute("title") == "JSON key: roe"
    assert page.locator("#panel-pnl .field[data-field='close_fee_rate'] > label").get_attribute(
        "title") == "JSON key: close_fee_rate"

    # examples.md Y19-style inverse: 1,000 contracts of 1 USD, 5,000 -> 5,500: 1000·(1/5000 − 1/5500) BTC.
    open_page(page, server_url, "?tab=pnl&contract=inverse&exchange=bybit-inverse&symbol=BTC/USD:BTC"
                                "&side=long&entry=5000&exit=5500&contracts=1000&contract_size=1&leverage=10")
    coin = float(1000 * (F(1, 5000) - F(1, 5500)))
    wait_for(lambda: cell(page, "pnl", "pnl").inner_text().strip() == f"{coin:.8f} BTC", "8 decimals in BTC")
    shot(page, "trader-units-inverse")


def test_input_as_traders_type_it(page: Any, server_url: str) -> None:
    # size: risk 1 % of 10,000 = 100 USDT over a 1,000 stop distance: 0.1 BTC (fees 0).
    open_page(page, server_url, "?tab=size&contract=linear&side=long&balance=10000&risk_rate=0.01"
                                "&entry=50000&stop=49000&open_fee_rate=0&close_fee_rate=0")
    wait_for(lambda: cell(page, "size", "quantity").get_attribute("data-value") == "0.1", "the plain figures")
    type_into(page, "#size-risk_rate", "2%")  # 200 USDT at risk: 0.2 BTC
    wait_for(lambda: cell(page, "size", "risk_amount").get_attribute("data-value") == "200", "2 % read as 0.02")
    type_into(page, "#size-balance", "5,000")
    type_into(page, "#size-entry", "50,000")
    wait_for(lambda: cell(page, "size", "risk_amount").get_attribute("data-value") == "100"
             and "stale" not in (page.locator("#panel-size .results-box").get_attribute("class") or ""),
             "the typed figures")
    assert cell(page, "size", "quantity").get_attribute("data-value") == "0.1"
    assert [t for t in page.locator("#panel-size .error").all_inner_texts() if t] == []


def test_every_missing_field_is_reported_at_once(page: Any, server_url: str) -> None:
    open_page(page, server_url, PLAN)
    for name in ("entry", "stop", "target"):
        page.locator(f"#plan-{name}").fill("")
    for name in ("entry", "stop", "target"):
        wait_for(lambda name=name: page.locator(f"#plan-{name}-error").inner_text() == f"'{name}' is required",
                 f"{name}'s error")


def test_roe_beyond_minus_100_is_refused_and_a_huge_one_warned(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=target&contract=linear&side=long&entry=7000&leverage=10&roe=0.5")
    wait_for(lambda: cell(page, "target", "target_price").get_attribute("data-value") == "7350", "7,350")
    type_into(page, "#target-roe", "-100%")
    wait_for(lambda: page.locator("#target-roe-error").inner_text().startswith("'roe' must be > -1"), "the floor")
    type_into(page, "#target-roe", "50")
    note = page.locator("#panel-target .note")
    wait_for(lambda: "5,000 %" in note.inner_text(), "the percentage warning")
    assert "type 50%" in note.inner_text()
    type_into(page, "#target-roe", "50%")
    wait_for(lambda: cell(page, "target", "target_price").get_attribute("data-value") == "7350", "50 % read as 0.5")
    assert note.inner_text() == ""


# ---------------------------------------------------------------------------
# Less to read


def test_fields_that_do_not_apply_are_hidden_and_options_fold_under_advanced(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "binance-usdm", tiers="binance-usdm-BTCUSDT-2024-10")
    fee = page.locator("#panel-liquidation .field[data-field='taker_fee_rate']")
    hyper = page.locator("#panel-liquidation .field[data-field='max_leverage']")
    assert not fee.is_visible() and not hyper.is_visible()  # Binance counts no fee to close
    market(page, "linear", "okx-linear")
    advanced = page.locator("#panel-liquidation details.advanced")
    assert advanced.is_visible() and advanced.get_attribute("open") is None
    assert not fee.is_visible()  # folded
    advanced.locator("summary").click()
    assert fee.is_visible()  # OKX counts the fee to close
    assert not hyper.is_visible()
    choose(page, "liquidation", "margin_mode", "cross")
    assert not page.locator("#panel-liquidation .field[data-field='leverage']").is_visible()
    # an error inside the folded section opens it
    open_page(page, server_url, "?tab=pnl&contract=linear&side=long&entry=7000&exit=7500&quantity=0.2")
    pnl_fold = page.locator("#panel-pnl details.advanced")
    assert pnl_fold.get_attribute("open") is None
    page.evaluate("""() => { const i = document.getElementById('pnl-funding_rate'); i.value = 'abc';
        i.dispatchEvent(new Event('input')); }""")
    wait_for(lambda: pnl_fold.get_attribute("open") is not None, "the fold to open on its error")
    assert page.locator("#pnl-funding_rate-error").is_visible()


def test_on_a_phone_the_result_comes_first(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url, PLAN)
    wait_for(lambda: cell(page, "plan", "leverage").inner_text().strip() == "4×", "the plan")
    results = page.locator("#plan-plan-results").bounding_box()
    inputs = page.locator("#plan-plan-inputs").bounding_box()
    assert results["y"] + results["height"] <= inputs["y"]
    shot(page, "trader-phone-result-first")


def test_dark_mode_follows_the_system_and_the_toggle(page: Any, server_url: str) -> None:
    page.emulate_media(color_scheme="dark")
    open_page(page, server_url, PLAN)
    background = rgb(style(page, "html", "backgroundColor"))
    assert sum(background) < 3 * 60, background
    card = rgb(style(page, "#plan-plan-results", "backgroundColor"))
    ink = rgb(style(page, "#plan-plan-results h2", "color"))
    assert sum(card) < 3 * 80 and sum(ink) > 3 * 180
    shot(page, "trader-dark")
    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert sum(rgb(style(page, "html", "backgroundColor"))) > 3 * 200
    assert toggle.get_attribute("aria-pressed") == "false"
    # the choice is kept in this browser
    open_page(page, server_url, PLAN)
    assert sum(rgb(style(page, "html", "backgroundColor"))) > 3 * 200
    page.evaluate("localStorage.removeItem('contractcalc.theme')")
    page.emulate_media(color_scheme="light")


def test_named_positions_are_saved_in_the_browser(page: Any, server_url: str) -> None:
    open_page(page, server_url, PLAN)
    page.evaluate("localStorage.removeItem('contractcalc.saved')")
    type_into(page, "#plan-leverage", "3")
    wait_for(lambda: "leverage=3" in page.url, "the URL")
    page.locator("#save-name").fill("BTC swing")
    page.locator("#save-button").click()
    saved = json.loads(page.evaluate("localStorage.getItem('contractcalc.saved')"))
    assert "leverage=3" in saved["BTC swing"]
    # another visit, elsewhere: the saved position opens with its inputs
    open_page(page, server_url, "?tab=pnl")
    assert "BTC swing" in page.locator("#saved option").all_inner_texts()
    page.select_option("#saved", "BTC swing")
    page.wait_for_url(re.compile(r".*tab=plan.*leverage=3.*"))
    page.wait_for_selector("body[data-ready=true]")
    wait_for(lambda: page.locator("#plan-leverage").input_value() == "3", "the saved inputs")
    page.locator("#delete-saved").click()
    assert json.loads(page.evaluate("localStorage.getItem('contractcalc.saved')")) == {}


def test_no_inline_scripts_or_handlers() -> None:
    html = (STATIC / "index.html").read_text("utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert "javascript:" not in html


def test_an_old_tier_table_says_its_age_and_how_to_refresh_it(page: Any, server_url: str) -> None:
    from datetime import date

    open_page(page, server_url, PLAN)
    market(page, "linear", "binance-usdm", tiers="binance-usdm-BTCUSDT-2024-10")
    hint = page.locator("#tiers-hint")
    age = (date.today() - date(2024, 10, 31)).days  # October 2024, counted from its last day
    assert hint.inner_text() == f"{age} days old: refresh it"
    assert "contractcalc tiers refresh --exchange binance-usdm --symbol BTC/USDT:USDT" in (
        hint.get_attribute("title") or "")
    assert rgb(style(page, "#tiers-hint", "color")) == (243, 196, 107)
