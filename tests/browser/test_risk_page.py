"""The Risk tab in a real browser: the probabilities and the chart against the horizon.

The expected chance is the issue's reflection formula written out here with ``math.erfc``.
"""

from __future__ import annotations

import math
from typing import Any

from .conftest_browser import shot
from .test_web_page import number_in, open_page, shown, wait_for


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def test_risk_tab_shows_the_chances_and_their_curve(page: Any, server_url: str) -> None:
    open_page(page, server_url, "?tab=risk")
    # the tab's defaults: long at 10,000, liquidation 9,850, 80 % volatility over 24h, μ = 0 (ν = −σ²/2)
    b, nu, root = math.log(0.985), -0.32, 0.8 * math.sqrt(1 / 365)
    expected = phi((b - nu / 365) / root) + math.exp(2 * nu * b / 0.64) * phi((b + nu / 365) / root)
    text = wait_for(lambda: shown(page, "risk", "liquidation_probability"), "the chance of liquidation")
    assert abs(number_in(text) - 100 * expected) < 0.006
    chart = page.locator("#risk-chart")
    wait_for(lambda: chart.get_attribute("data-points") == "14", "the curve from 1 hour to 30 days")
    assert chart.get_attribute("data-series") == "liquidation,stop,target"
    shot(page, "risk-tab")
    # a bad value shows the API's words under its field
    page.fill("#risk-volatility", "0")
    error = page.locator("#risk-volatility-error")
    wait_for(lambda: "'volatility' must be > 0" in error.inner_text(), "the volatility error")
