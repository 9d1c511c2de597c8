"""The web calculator in a real browser: Debian's headless Chromium driven by Playwright.

Each test types into the page served by ``contractcalc serve`` and reads the figures
back from the page.  Expected figures are computed here, independently: the seed's
examples (shared/reference/examples.md S1-S8), the exchanges' published examples
(Y1, Y6, Y13, Y16, B7) and hand calculations written out with ``Fraction``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from fractions import Fraction as F
from typing import Any

from contractcalc.interfaces.schema import PAGE_DEFAULTS

from .conftest_browser import binance_btc_price, shot

TIMEOUT_S = 15


# ---------------------------------------------------------------------------
# Reading and writing the page as a person would


def open_page(page: Any, url: str, query: str = "") -> None:
    page.goto(url + query)
    page.wait_for_selector("body[data-ready=true]", timeout=TIMEOUT_S * 1000)


def number_in(text: str) -> float:
    """The first number shown in a cell: '57,236.18 ' → 57236.18, '0.25 25 %' → 0.25."""
    match = re.search(r"-?[\d,]*\.?\d+(?:e[-+]?\d+)?", text)
    assert match, f"no number in {text!r}"
    return float(match.group(0).replace(",", ""))


def shown(page: Any, tab: str, key: str) -> str:
    """A result as the page shows it; never one greyed out while an input is wrong."""
    cell = page.locator(f"#panel-{tab} .results tr[data-key='{key}'] td.value").first
    box = cell.locator("xpath=ancestor::div[contains(@class, 'results-box')]")
    assert "stale" not in (box.get_attribute("class") or ""), "the results wait for a valid input"
    return str(cell.inner_text())


def wait_for(check: Callable[[], Any], what: str) -> Any:
    """Poll ``check`` until it returns a truthy value (the page recomputes as one types)."""
    deadline = time.monotonic() + TIMEOUT_S
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (AssertionError, ValueError) as error:
            last = error
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def display_tolerance(text: str, want: float) -> float:
    """How far a figure shown rounded may be from ``want``: half a unit of its last decimal shown.

    Percentages ('71.43 %') are read back as fractions; a leverage shown as a whole
    ('3×', rounded down or up as advice) may be up to 1 away.
    """
    match = re.search(r"-?[\d,]*\.?(\d*)", text.strip())
    decimals = len(match.group(1)) if match and "." in match.group(0) else 0
    if "×" in text:
        return 1.0
    half = 0.5 * 10.0 ** -decimals
    return (half / 100 if text.strip().endswith("%") else half) + 1e-12 * abs(want)


def expect_value(page: Any, tab: str, key: str, expected: float | F, rel: float = 1e-9) -> None:
    """The figure is ``expected``: exactly (rel) in the cell's full value, and as shown, to its rounding."""
    want = float(expected)

    def close() -> bool:
        text = shown(page, tab, key)
        cell = page.locator(f"#panel-{tab} .results tr[data-key='{key}'] td.value").first
        exact = float(cell.get_attribute("data-value") or "nan")
        seen = number_in(text) / (100 if text.strip().endswith("%") else 1)
        return (abs(exact - want) <= rel * max(1.0, abs(want))
                and abs(seen - want) <= display_tolerance(text, want))

    wait_for(close, f"{tab}/{key} to show {want}")


def expect_text(page: Any, tab: str, key: str, text: str) -> None:
    wait_for(lambda: shown(page, tab, key).strip() == text, f"{tab}/{key} to show {text!r}")


def type_into(page: Any, selector: str, text: str) -> None:
    """Clear a field and type ``text`` key by key (the page recomputes on every key)."""
    field = page.locator(selector)
    field.fill("")
    field.press_sequentially(text, delay=5)


def choose(page: Any, tab: str, field: str, value: str) -> None:
    page.locator(f"#panel-{tab} [data-field='{field}'] button[data-value='{value}']").click()


def market(page: Any, contract: str = "linear", exchange: str = "", tiers: str = "") -> None:
    page.locator(f"[data-global='contract'] button[data-value='{contract}']").click()
    page.select_option("#exchange", exchange)
    if page.locator("#tiers-control").is_visible():
        page.select_option("#tiers", tiers)


def chart_pixels(page: Any, tab: str) -> int:
    """How many pixels of the tab's chart canvas are painted."""
    return int(page.evaluate(
        """(id) => {
            const canvas = document.querySelector(`#${id} canvas`);
            if (!canvas) return 0;
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
            return painted;
        }""",
        f"{tab}-chart",
    ))


def chart_marks(page: Any, tab: str) -> set[str]:
    marks = page.locator(f"#{tab}-chart").get_attribute("data-marks") or ""
    return set(filter(None, marks.split(",")))


def api(url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(url + path.lstrip("/"), data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# ---------------------------------------------------------------------------
# The seed's plan


def test_plan_seed_example_with_chart(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    assert page.locator("#tab-plan").get_attribute("aria-selected") == "true"
    choose(page, "plan", "side", "long")
    entry, stop, target, principal = F(20000), F(15000), F(24000), F(1000)
    type_into(page, "#plan-entry", "20000")
    type_into(page, "#plan-stop", "15000")
    type_into(page, "#plan-target", "24000")
    type_into(page, "#plan-principal", "1000")
    page.locator("#plan-leverage").fill("")

    # The seed (S5, then S3-style): leverage 1/|1 − S/E|, liquidation move 1/L, change T/E − 1.
    leverage = 1 / abs(1 - stop / entry)
    change = target / entry - 1
    expect_value(page, "plan", "leverage", leverage)
    assert leverage == 4
    expect_value(page, "plan", "liquidation_change", 1 / leverage)
    expect_value(page, "plan", "target_change", change)
    expect_value(page, "plan", "stop_change", stop / entry - 1)
    expect_value(page, "plan", "linear_profit", principal * leverage * change)  # 800
    expect_value(page, "plan", "inverse_profit", principal * leverage * change * (1 + change))  # 960
    expect_text(page, "plan", "stop_before_liquidation", "yes")
    # Exact beside the seed: a face value of P·L USD pays P·L·(1/E − 1/T) coin, worth P·L·c at T.
    coin = principal * leverage * (1 / entry - 1 / target)
    expect_value(page, "plan", "inverse_profit_exact_coin", coin)
    expect_value(page, "plan", "inverse_profit_exact_value", coin * target)
    assert "25 %" in shown(page, "plan", "liquidation_change")

    # The chart: painted, with entry, stop, target, break-even and liquidation marked.
    wait_for(lambda: chart_pixels(page, "plan") > 5000, "the plan's chart to paint")
    wait_for(lambda: {"entry", "stop", "target", "break-even", "liquidation"} <= chart_marks(page, "plan"),
             "the chart's marks")
    # At 4x the seed's stop is the bankruptcy price; Binance's maintenance margin liquidates first,
    # and the page says so under the chart.
    note = page.locator("#panel-plan .chart-card .note")
    wait_for(lambda: "before the stop at 15,000" in note.inner_text(), "the note that it is liquidated first")
    # By hand (Binance isolated): Q = P·L/E = 0.2 BTC, WB = P; LP = (WB + cum − Q·E) / (Q·MMR − Q),
    # with the tier of the shipped 2024-10 table that holds its notional.
    from contractcalc.venues.tiers import load_tiers

    quantity = principal * leverage / entry
    tier = load_tiers("binance-usdm-BTCUSDT-2024-10").tier_for_notional(int(quantity * stop))
    mmr, cum = F(str(tier.maintenance_margin_rate)), F(str(tier.maintenance_amount))
    lp = (principal + cum - quantity * entry) / (quantity * mmr - quantity)
    assert f"liquidated at {float(lp):,.3f}" in note.inner_text()
    assert int(page.locator("#plan-chart").get_attribute("data-points") or 0) >= 100
    legend = page.locator("#plan-chart .u-legend").inner_text()
    assert "PnL" in legend and "ROE" in legend
    path = shot(page, "plan")
    assert path.stat().st_size > 10_000


def test_results_recompute_as_one_types_and_the_url_shares_them(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=plan&side=long&entry=20000&stop=15000&target=24000&principal=1000")
    expect_value(page, "plan", "leverage", 4)
    # --leverage 5: the liquidation move 1/5 = 20 % is less than the 25 % stop.
    type_into(page, "#plan-leverage", "5")
    expect_value(page, "plan", "liquidation_change", F(1, 5))
    expect_text(page, "plan", "stop_before_liquidation", "no")
    expect_value(page, "plan", "linear_profit", 1000 * 5 * F(1, 5))
    assert "liquidated before the stop" in page.locator("#panel-plan .note").first.inner_text()
    wait_for(lambda: "leverage=5" in page.url, "the URL to carry the leverage")
    shared = page.url
    assert all(part in shared for part in ("entry=20000", "stop=15000", "target=24000", "principal=1000"))

    # The shared URL opens on the same calculation.
    other = page.context.new_page()
    try:
        open_page(other, shared)
        expect_value(other, "plan", "leverage", 5)
        expect_text(other, "plan", "stop_before_liquidation", "no")
        assert other.locator("#plan-leverage").input_value() == "5"
    finally:
        other.close()


def test_a_bad_value_shows_the_apis_error_next_to_its_field(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=plan&side=long&entry=20000&stop=15000&target=24000&principal=1000")
    expect_value(page, "plan", "leverage", 4)
    error = page.locator("#plan-leverage-error")

    type_into(page, "#plan-leverage", "abc")
    body = {"side": "long", "entry": "20000", "stop": "15000", "target": "24000", "principal": "1000",
            "leverage": "abc"}
    status, answer = api(server_url, "/api/plan", body)
    assert status == 422
    wait_for(lambda: error.inner_text() == answer["detail"][0]["message"], "the leverage error")
    assert error.inner_text() == "'leverage' must be a number (got 'abc')"
    assert "bad" in (page.locator("#panel-plan .field[data-field='leverage']").get_attribute("class") or "")
    assert "stale" in (page.locator("#panel-plan .results-box").first.get_attribute("class") or "")

    type_into(page, "#plan-leverage", "0")
    wait_for(lambda: error.inner_text() == "'leverage' must be > 0 (got 0)", "the > 0 error")
    shot(page, "plan-error")

    # A stop on the wrong side is named at the stop, in the library's words.
    page.locator("#plan-leverage").fill("")
    type_into(page, "#plan-stop", "25000")
    wait_for(lambda: page.locator("#plan-stop-error").inner_text().startswith(
        "'stop' must be on the loss side of 'entry'"), "the stop's error")
    assert error.inner_text() == ""

    # Fixing it clears the errors and brings the figures back.
    type_into(page, "#plan-stop", "15000")
    expect_value(page, "plan", "leverage", 4)
    wait_for(lambda: page.locator("#plan-stop-error").inner_text() == "", "the error to clear")


# ---------------------------------------------------------------------------
# Liquidation


def test_liquidation_isolated_published_example(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    page.locator("#tab-liquidation").click()
    market(page, "linear", "bybit-linear", tiers="")
    choose(page, "liquidation", "margin_mode", "isolated")
    choose(page, "liquidation", "side", "long")
    type_into(page, "#liquidation-entry", "10000")
    type_into(page, "#liquidation-quantity", "1")
    type_into(page, "#liquidation-leverage", "50")
    type_into(page, "#liquidation-maintenance_margin_rate", "0.005")
    # examples.md Y1 / Y5: Bybit linear isolated long, LP = E·(1 − 1/L + MMR), BP = E·(1 − 1/L).
    entry, lev, mmr = F(10000), F(50), F("0.005")
    expect_value(page, "liquidation", "liquidation_price", entry * (1 - 1 / lev + mmr))  # 9,850
    expect_value(page, "liquidation", "bankruptcy_price", entry * (1 - 1 / lev))  # 9,800
    expect_value(page, "liquidation", "initial_margin", entry / lev)  # 200
    wait_for(lambda: chart_pixels(page, "liquidation") > 5000, "the liquidation chart to paint")
    wait_for(lambda: {"entry", "liquidation", "bankruptcy", "break-even"} <= chart_marks(page, "liquidation"),
             "the liquidation chart's marks")
    shot(page, "liquidation-isolated")


def test_liquidation_cross_account_from_the_positions_table(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=liquidation")
    market(page, "linear", "binance-usdm", tiers="")
    choose(page, "liquidation", "margin_mode", "cross")
    assert not page.locator("#liquidation-entry").is_visible()
    type_into(page, "#liquidation-wallet_balance", "10000")
    # cross mode opens with a sample position: this account is typed from an empty table
    remove = page.locator("#panel-liquidation tr[data-row] .remove")
    while remove.count():
        remove.first.click()
    rows = [
        {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": "1", "contractSize": "1", "entryPrice": "60000",
         "markPrice": "60000", "maintenanceMarginRate": "0.004"},
        {"symbol": "ETH/USDT:USDT", "side": "short", "contracts": "10", "contractSize": "1", "entryPrice": "3000",
         "markPrice": "3100", "maintenanceMarginRate": "0.005"},
    ]
    add = page.locator("#panel-liquidation .field[data-field='positions'] .add-row")
    for index, row in enumerate(rows):
        add.click()
        for column, value in row.items():
            cell = page.locator(f"#panel-liquidation [name='positions[{index}].{column}']")
            if column == "side":
                cell.select_option(value)
            else:
                cell.fill(value)

    # Binance cross, by hand: the BTC long sees WB − (ETH's MM at its mark) + (ETH's PnL at its mark):
    # 10,000 − 10·3,100·0.5 % − 10·(3,100 − 3,000) = 8,845; LP = (8,845 − Q·E) / (Q·MMR − Q).
    eth_mm = 10 * F(3100) * F("0.005")
    eth_pnl = -10 * (F(3100) - F(3000))
    btc_lp = (10000 - eth_mm + eth_pnl - 60000) / (F("0.004") - 1)

    def btc_liquidation() -> float:
        assert "stale" not in (page.locator("#panel-liquidation .results-box").get_attribute("class") or "")
        cell = page.locator("#panel-liquidation table[data-key='positions'] tr[data-result-row='positions[0]'] "
                            "td[data-key='liquidation_price']")
        return number_in(cell.inner_text())

    wait_for(lambda: abs(btc_liquidation() - float(btc_lp)) < 1e-6 * float(btc_lp), "the BTC position's LP")
    # the library's doctest figure 51,360.44 as a cross-check, shown to binance-usdm's BTC tick (0.1)
    assert abs(btc_liquidation() - 51360.44) <= 0.05
    expect_value(page, "liquidation", "margin_balance", 10000 + eth_pnl)
    # a bad cell is named with its row, in the API's words
    page.locator("#panel-liquidation [name='positions[1].entryPrice']").fill("abc")
    wait_for(lambda: "'positions' item 1: 'entryPrice' must be a number (got 'abc')"
             in page.locator("#panel-liquidation [data-error-for='positions']").inner_text(), "the row's error")
    assert "bad" in (page.locator("#panel-liquidation tr[data-row='positions[1]']").get_attribute("class") or "")
    page.locator("#panel-liquidation [name='positions[1].entryPrice']").fill("3000")
    wait_for(lambda: page.locator("#panel-liquidation [data-error-for='positions']").inner_text() == "",
             "the row's error to clear")
    wait_for(lambda: abs(btc_liquidation() - float(btc_lp)) < 1e-6 * float(btc_lp), "the LP again")
    shot(page, "liquidation-cross")


# ---------------------------------------------------------------------------
# Every other calculator


def test_every_calculator_tab_computes_published_examples(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    market(page, "linear", "")  # no preset: no fees unless given, as in the published examples

    # examples.md Y16: long 0.2 @ 7,000 closed at 7,500, 10x: PnL 100 on a 140 margin.
    page.locator("#tab-pnl").click()
    choose(page, "pnl", "side", "long")
    for field, value in {"entry": "7000", "exit": "7500", "quantity": "0.2", "leverage": "10"}.items():
        type_into(page, f"#pnl-{field}", value)
    expect_value(page, "pnl", "pnl", F("0.2") * (7500 - 7000))
    expect_value(page, "pnl", "initial_margin", F("0.2") * 7000 / 10)
    expect_value(page, "pnl", "roe", F(100) / 140)
    wait_for(lambda: chart_pixels(page, "pnl") > 5000, "the PnL chart")
    wait_for(lambda: {"entry", "exit", "break-even", "bankruptcy"} <= chart_marks(page, "pnl"), "the PnL marks")

    # Target: X = E·(1 + ROE/L) for a long.
    page.locator("#tab-target").click()
    choose(page, "target", "side", "long")
    for field, value in {"entry": "7000", "leverage": "10", "roe": "0.5"}.items():
        type_into(page, f"#target-{field}", value)
    expect_value(page, "target", "target_price", 7000 * (1 + F("0.5") / 10))

    # examples.md Y13: 0.5 @ 5,000 + 0.3 @ 6,000 → 5,375.
    page.locator("#tab-average-entry").click()
    fills = page.locator("#panel-average-entry [name^='fill[']")
    wait_for(lambda: fills.count() >= 4, "the fills table")
    for name, value in {"fill[0].size": "0.5", "fill[0].price": "5000", "fill[1].size": "0.3",
                        "fill[1].price": "6000"}.items():
        page.locator(f"#panel-average-entry [name='{name}']").fill(value)
    expect_value(page, "average-entry", "average_entry", (F("0.5") * 5000 + F("0.3") * 6000) / F("0.8"))
    expect_value(page, "average-entry", "total_size", F("0.8"))

    # examples.md Y6: long 1 BTC @ 8,000, 50x, fee 0.075 %: 160 + 6 + 5.88 = 171.88.
    page.locator("#tab-cost").click()
    choose(page, "cost", "side", "long")
    for field, value in {"entry": "8000", "leverage": "50", "quantity": "1", "fee_rate": "0.00075"}.items():
        type_into(page, f"#cost-{field}", value)
    fee = F("0.00075")
    bankruptcy = 8000 * (1 - F(1, 50))
    expect_value(page, "cost", "cost", F(8000) / 50 + 8000 * fee + bankruptcy * fee)
    expect_value(page, "cost", "bankruptcy_price", bankruptcy)

    # Size from risk, by hand: 10,000 × 1 % / (50,000 − 49,000) = 0.1 BTC; target 53,000: 3:1.
    page.locator("#tab-size").click()
    choose(page, "size", "side", "long")
    for field, value in {"balance": "10000", "risk_rate": "0.01", "entry": "50000", "stop": "49000",
                         "target": "53000"}.items():
        type_into(page, f"#size-{field}", value)
    expect_value(page, "size", "quantity", F(100) / 1000)
    expect_value(page, "size", "reward_risk_ratio", F(3))

    # examples.md B7 (2021 table): 10,000 at 50x opens min(500,000, tier cap 1,000,000): 10 BTC @ 50,000.
    page.locator("#tab-max-open").click()
    market(page, "linear", "binance-usdm", tiers="binance-usdm-BTCUSDT-2021-03-18")
    for field, value in {"balance": "10000", "leverage": "50", "entry": "50000"}.items():
        type_into(page, f"#max-open-{field}", value)
    expect_value(page, "max-open", "max_notional", 10000 * 50)
    expect_value(page, "max-open", "max_quantity", F(10000 * 50) / 50000)

    # The seed's formulas (S1, S3, S5, S6).
    page.locator("#tab-seed").click()
    market(page, "inverse", "")
    expect_value(page, "seed", "target_change", F(1200) / 1000 - 1)
    expect_value(page, "seed", "liquidation_change", F(1, 20))
    expect_value(page, "seed", "leverage", 1 / (1 - F(15000) / 20000))
    expect_value(page, "seed", "profit", 1000 * 50 * F("0.1") * (1 + F("0.1")))  # S6: coin-based 5,500
    shot(page, "seed")


def test_inverse_market_and_presets(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=pnl")
    page.locator("[data-global='contract'] button[data-value='inverse']").click()
    options = page.locator("#exchange option").all_inner_texts()
    assert "binance-coinm" in options and "binance-usdm" not in options
    page.select_option("#exchange", "bybit-inverse")
    # examples.md Y19: inverse long 1,000 USD @ 5,000 → 5,500: 1,000 × (1/5,000 − 1/5,500) BTC.
    choose(page, "pnl", "side", "long")
    for field, value in {"entry": "5000", "exit": "5500", "contracts": "1000", "contract_size": "1",
                         "quantity": ""}.items():
        page.locator(f"#pnl-{field}").fill(value)
    expect_value(page, "pnl", "pnl", 1000 * (F(1, 5000) - F(1, 5500)))
    assert "exchange=bybit-inverse" in page.url and "contract=inverse" in page.url


def test_the_page_loads_nothing_from_elsewhere(page: Any, server_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, server_url)
    expect_value(page, "plan", "leverage", 4)
    assert requested
    outside = [url for url in requested if not url.startswith(server_url) and not url.startswith("data:")]
    assert outside == []
    assert page.evaluate("typeof uPlot") == "function"


# ---------------------------------------------------------------------------
# What the page says beside the numbers


def optional_tag(page: Any, tab: str, field: str) -> bool:
    """Whether the field's label says "optional" (visibly)."""
    return bool(page.locator(f"#panel-{tab} .field[data-field='{field}'] > label .opt").is_visible())


def test_liquidation_marks_what_each_margin_mode_needs(page: Any, server_url: str) -> None:
    # liquidation_price(side=None, entry=None): optional in Python, needed for one isolated position.
    open_page(page, server_url, "?tab=liquidation")
    for field in ("side", "entry"):
        assert not optional_tag(page, "liquidation", field), field
    assert optional_tag(page, "liquidation", "wallet_balance")
    assert optional_tag(page, "liquidation", "mark")
    assert page.locator("#liquidation-entry").get_attribute("placeholder") == ""
    choose(page, "liquidation", "margin_mode", "cross")
    wait_for(lambda: not optional_tag(page, "liquidation", "wallet_balance"), "the wallet balance to be needed")
    assert page.locator("#liquidation-wallet_balance").get_attribute("placeholder") == ""
    choose(page, "liquidation", "margin_mode", "isolated")
    wait_for(lambda: optional_tag(page, "liquidation", "wallet_balance"), "the wallet balance to be optional again")
    assert not optional_tag(page, "liquidation", "entry")
    # ... and the API's words under the field when it is left out
    page.locator("#liquidation-entry").fill("")
    wait_for(lambda: page.locator("#liquidation-entry-error").inner_text() == "'entry' is required", "entry's error")


def header_error(page: Any, name: str) -> str:
    return str(page.locator(f"#{name}-error").inner_text())


def test_header_errors_are_the_open_tabs_each_once(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=target")
    market(page, "linear", "")  # no preset: the liquidation calculator (another tab) needs one
    target = PAGE_DEFAULTS["target"]  # the page's starting inputs (today's market)
    expect_value(page, "target", "target_price",
                 target["entry"] * (1 + F(str(target["roe"])) / target["leverage"]))
    time.sleep(0.5)  # every tab has recomputed with the new market
    assert header_error(page, "exchange") == "", "an error of a hidden tab's calculator"
    page.locator("#tab-liquidation").click()
    wait_for(lambda: header_error(page, "exchange") == "'exchange' is required", "the liquidation tab's error")
    page.locator("#tab-target").click()
    wait_for(lambda: header_error(page, "exchange") == "", "the error to go with its tab")
    # a symbol the tier table does not hold: one message, though several calculators say it
    page.locator("#tab-liquidation").click()
    page.select_option("#exchange", "binance-usdm")
    wait_for(lambda: header_error(page, "exchange") == "", "the preset to clear the error")
    page.locator("#symbol").fill("FOO/USDT:USDT")
    wanted = "'symbol' is not in the tier file (it holds BTC/USDT:USDT) (got 'FOO/USDT:USDT')"
    wait_for(lambda: header_error(page, "symbol") == wanted, "the symbol's error, once")
    time.sleep(0.5)
    assert header_error(page, "symbol") == wanted
    page.locator("#symbol").fill("BTC/USDT:USDT")
    wait_for(lambda: header_error(page, "symbol") == "", "the symbol's error to clear")
    isolated = PAGE_DEFAULTS["liquidation"]  # margin = value at entry / leverage, in the table's tier at LP
    margin = F(str(isolated["quantity"])) * isolated["entry"] / isolated["leverage"]
    expect_value(page, "liquidation", "liquidation_price",
                 binance_btc_price(margin, isolated["quantity"], isolated["entry"])[0])


def chart_labels(page: Any, tab: str) -> list[dict[str, Any]]:
    text = page.locator(f"#{tab}-chart").get_attribute("data-labels") or "[]"
    return list(json.loads(text))


def check_labels(labels: list[dict[str, Any]], keys: set[str], width: float) -> None:
    assert {label["key"] for label in labels} >= keys
    for label in labels:
        assert label["baseline"] < label["plotTop"], f"{label['key']}'s label is inside the plot"
        assert label["baseline"] > 10, f"{label['key']}'s label is cut off at the top"
        assert label["left"] >= 0 and label["right"] <= width, f"{label['key']}'s label leaves the chart"
    for a in labels:
        for b in labels:
            if a is not b and a["row"] == b["row"]:
                assert a["right"] <= b["left"] or b["right"] <= a["left"], f"{a['key']} and {b['key']} overlap"


def test_chart_labels_sit_above_the_plot_without_overlapping(page: Any, server_url: str) -> None:
    # The seed's plan on binance-usdm: stop 15,000 = bankruptcy, liquidation at 15,060, entry 20,000 and
    # break-even 20,020: five labels in two clusters, on a desktop and on a phone.
    marks = {"entry", "stop", "target", "liquidation", "bankruptcy", "break-even"}
    for width in (1360, 390):
        page.set_viewport_size({"width": width, "height": 900})
        open_page(page, server_url, "?tab=plan&side=long&entry=20000&stop=15000&target=24000&principal=1000")
        wait_for(lambda: marks <= {label["key"] for label in chart_labels(page, "plan")}, "the plan's marks")
        canvas = page.locator("#plan-chart canvas").first.bounding_box()
        labels = wait_for(lambda: chart_labels(page, "plan") if max(
            label["row"] for label in chart_labels(page, "plan")) >= 1 else None, "labels in rows")
        check_labels(labels, marks, canvas["width"])
        shot(page, f"plan-chart-{width}")


def test_phone_layout_keeps_every_card_inside_the_screen(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    for tab in ("plan", "liquidation", "pnl", "seed"):
        page.locator(f"#tab-{tab}").click()
        rows = page.locator(f"#panel-{tab} .results tr[data-key]")
        wait_for(lambda rows=rows: rows.count() > 0, f"{tab}'s results")
        time.sleep(0.3)
        outside = page.evaluate(
            """(tab) => {
                const panel = document.getElementById(`panel-${tab}`);
                const bad = [];
                for (const card of panel.querySelectorAll(".card")) {
                    const box = card.getBoundingClientRect();
                    for (const node of card.querySelectorAll(".results td, .chart canvas, h2")) {
                        const r = node.getBoundingClientRect();
                        if (r.width && (r.right > box.right + 0.5 || r.left < box.left - 0.5)) {
                            bad.push(`${node.tagName} ${node.textContent.slice(0, 30)}`);
                        }
                    }
                }
                return bad;
            }""",
            tab,
        )
        assert outside == [], (tab, outside)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, tab
    shot(page, "phone-plan")


# ---------------------------------------------------------------------------
# Defaults that follow the market


def panel_errors(page: Any, tab: str) -> list[str]:
    """Every error message shown in the tab's panel and in the header."""
    return [text for text in page.locator(f"#panel-{tab} .error, .global .error").all_inner_texts() if text.strip()]


def sizes(page: Any, tab: str) -> tuple[str, str, str]:
    quantity, contracts, contract_size = (page.locator(f"#{tab}-{name}").input_value()
                                          for name in ("quantity", "contracts", "contract_size"))
    return quantity, contracts, contract_size


def contract(page: Any, kind: str) -> None:
    page.locator(f"[data-global='contract'] button[data-value='{kind}']").click()


def test_switching_to_inverse_gives_inverse_defaults_not_an_error(page: Any, server_url: str) -> None:
    # The linear defaults' size (schema.PAGE_DEFAULTS: pnl, cost and liquidation, at today's price) as the
    # same face value in contracts of the preset's size: binance-coinm BTCUSD 100 USD, bybit-inverse 1 USD.
    faces = {tab: int(F(str(PAGE_DEFAULTS[tab]["quantity"])) * PAGE_DEFAULTS[tab]["entry"])
             for tab in ("pnl", "cost", "liquidation")}
    pnl_entry, pnl_exit = PAGE_DEFAULTS["pnl"]["entry"], PAGE_DEFAULTS["pnl"]["exit"]
    for tab, face in faces.items():
        open_page(page, server_url, f"?tab={tab}")
        assert sizes(page, tab)[0] != ""
        contract(page, "inverse")
        assert page.locator("#exchange").input_value() == "binance-coinm"
        wait_for(lambda tab=tab, face=face: sizes(page, tab) == ("", str(face // 100), "100"), f"{tab}'s inverse size")
        wait_for(lambda tab=tab: page.locator(f"#panel-{tab} .results tr[data-key]").count() > 0
                 and "stale" not in (page.locator(f"#panel-{tab} .results-box").first.get_attribute("class") or ""),
                 f"{tab}'s inverse results")
        assert panel_errors(page, tab) == [], (tab, panel_errors(page, tab))
        if tab == "pnl":  # by hand: a face value F pays F·(1/E − 1/X) coin
            expect_value(page, "pnl", "pnl", face * (F(1, pnl_entry) - F(1, pnl_exit)))
        shot(page, f"{tab}-inverse")
        page.select_option("#exchange", "bybit-inverse")
        wait_for(lambda tab=tab, face=face: sizes(page, tab) == ("", str(face), "1"), f"{tab}'s bybit-inverse size")
        contract(page, "linear")
        wait_for(lambda tab=tab: sizes(page, tab)[1:] == ("", "") and sizes(page, tab)[0] != "", f"{tab}'s linear size")
        wait_for(lambda tab=tab: panel_errors(page, tab) == [], f"{tab} without errors again")
    isolated = PAGE_DEFAULTS["liquidation"]
    margin = F(str(isolated["quantity"])) * isolated["entry"] / isolated["leverage"]
    expect_value(page, "liquidation", "liquidation_price",
                 binance_btc_price(margin, isolated["quantity"], isolated["entry"])[0])

    # A size the user typed is theirs: switching says what is wrong with it, and it comes back whole.
    open_page(page, server_url, "?tab=pnl")
    type_into(page, "#pnl-quantity", "0.5")
    contract(page, "inverse")
    error = "'quantity' is for linear contracts; give 'contracts' and 'contract_size' for inverse"
    wait_for(lambda: error in page.locator("#pnl-quantity-error").inner_text(), "the error about the typed quantity")
    assert sizes(page, "pnl") == ("0.5", "", "")
    contract(page, "linear")
    expect_value(page, "pnl", "pnl", F("0.5") * (pnl_exit - pnl_entry))
    assert sizes(page, "pnl") == ("0.5", "", "")

    # Defaults stay defaults in a shared URL: its inverse size gives way to the linear one.
    open_page(page, server_url, "?tab=cost")
    contract(page, "inverse")
    cost_contracts = str(faces["cost"] // 100)
    wait_for(lambda: f"contracts={cost_contracts}" in page.url, "the URL to carry the inverse size")
    open_page(page, page.url)
    assert sizes(page, "cost") == ("", cost_contracts, "100")
    contract(page, "linear")
    wait_for(lambda: sizes(page, "cost") == (str(PAGE_DEFAULTS["cost"]["quantity"]), "", ""),
             "the linear default size")


def test_cross_mode_opens_with_a_sample_account_of_the_headers_market(page: Any, server_url: str) -> None:
    from contractcalc.venues.tiers import load_tiers

    open_page(page, server_url, "?tab=liquidation")
    choose(page, "liquidation", "margin_mode", "cross")
    assert page.locator("#liquidation-wallet_balance").input_value() == "10000"
    rows = page.locator("#panel-liquidation tr[data-row]")
    wait_for(lambda: rows.count() == 1, "one sample position")
    symbol = page.locator("#panel-liquidation [name='positions[0].symbol']")
    assert symbol.input_value() == page.locator("#symbol").input_value() == "BTC/USDT:USDT"
    # By hand (Binance cross, one position): LP = (WB + cum − Q·E) / (Q·MMR − Q), with the tier of the
    # shipped table that holds the notional at the liquidation price.
    table = load_tiers("binance-usdm-BTCUSDT-2024-10")
    quantity, entry = F(str(PAGE_DEFAULTS["liquidation"]["quantity"])), PAGE_DEFAULTS["liquidation"]["entry"]
    for tier in table.tiers:
        mmr, cum = F(str(tier.maintenance_margin_rate)), F(str(tier.maintenance_amount))
        lp = (10000 + cum - quantity * entry) / (quantity * mmr - quantity)
        if table.tier_for_notional(int(lp * quantity)) == tier:
            break
    cell = page.locator("#panel-liquidation tr[data-result-row='positions[0]'] td[data-key='liquidation_price']")
    wait_for(lambda: abs(number_in(cell.inner_text()) - float(lp)) < 1e-6 * float(lp), "the sample's LP")
    assert panel_errors(page, "liquidation") == []
    shot(page, "liquidation-cross-sample")

    # The sample follows the market (a coin-margined account), but a typed wallet balance stays.
    contract(page, "inverse")
    wait_for(lambda: symbol.input_value() == "BTC/USD:BTC", "the inverse sample")
    assert page.locator("#panel-liquidation [name='positions[0].contractSize']").input_value() == "100"
    assert page.locator("#liquidation-wallet_balance").input_value() == "0.5"
    wait_for(lambda: cell.count() and panel_errors(page, "liquidation") == [], "the inverse sample's figures")
    type_into(page, "#liquidation-wallet_balance", "0.8")
    contract(page, "linear")
    wait_for(lambda: symbol.input_value() == "BTC/USDT:USDT", "the linear sample again")
    assert page.locator("#liquidation-wallet_balance").input_value() == "0.8"
    # back to isolated: one position, the wallet balance as typed
    choose(page, "liquidation", "margin_mode", "isolated")
    assert page.locator("#liquidation-entry").is_visible()


def label_tag(page: Any, tab: str, field: str) -> str:
    tag = page.locator(f"#panel-{tab} .field[data-field='{field}'] > label .opt")
    return str(tag.inner_text()).strip() if tag.is_visible() else ""


def test_quantity_and_contracts_are_one_of_not_optional(page: Any, server_url: str) -> None:
    for tab in ("pnl", "cost", "liquidation"):
        open_page(page, server_url, f"?tab={tab}")
        assert label_tag(page, tab, "quantity") == label_tag(page, tab, "contracts") == "one of"
        assert label_tag(page, tab, "contract_size") == "optional"
        hint = page.locator(f"#panel-{tab} .field[data-field='quantity'] .hint.one-of").inner_text()
        assert "Give quantity or contracts" in hint
    contract(page, "inverse")  # on the liquidation tab
    wait_for(lambda: label_tag(page, "liquidation", "quantity") == "linear only", "quantity: linear only")
    assert label_tag(page, "liquidation", "contracts") == ""
    assert page.locator("#liquidation-quantity").get_attribute("placeholder") == "linear only"
    # the other calculators keep their plain "optional"
    assert label_tag(page, "liquidation", "leverage") == "optional"


def test_hints_speak_of_the_page_not_the_command_line(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    hints = page.locator(".hint").all_text_contents()
    assert len(hints) > 30
    bad = [text for text in hints if "--" in text or re.search(r"\b(file|flags?)\b", text, re.I)]
    assert bad == []
    assert "With an exchange preset: maintenance margin rate." in hints
    assert "Cross account: every position, as ccxt's fetch_positions() gives them." in hints


def test_phone_tabs_are_one_row_that_scrolls(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    tops = page.evaluate("[...document.querySelectorAll('#tabs button')].map((b) => b.offsetTop)")
    assert len(tops) >= 9 and len(set(tops)) == 1, tops  # the calculators and the tabs with their own script
    row = page.evaluate("(() => { const t = document.getElementById('tabs'); "
                        "return [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().height]; })()")
    assert row[0] > row[1] and row[2] < 60, row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-tabs")
    # a tab beyond the edge is scrolled into view when chosen (also when a shared URL opens on it)
    open_page(page, server_url, "?tab=seed")
    box = page.locator("#tab-seed").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    expect_value(page, "seed", "leverage", 4)
