"""The page's starting inputs: one dated table (``schema.PAGE_DEFAULTS``), today's market, every one computing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from contractcalc.interfaces.schema import MARKET_AS_OF, MARKET_PRICES, PAGE_DEFAULTS
from contractcalc.interfaces.web.api import ENDPOINTS
from contractcalc.interfaces.web.app import create_app

PRICE_KEYS = ("entry", "exit", "stop", "target")


def test_the_table_is_dated_and_names_real_calculators() -> None:
    assert date.fromisoformat(MARKET_AS_OF) == date(2026, 12, 1)
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert set(PAGE_DEFAULTS) <= names
    for name, values in PAGE_DEFAULTS.items():
        endpoint = next(e for e in ENDPOINTS if e.name == name)
        assert set(values) <= set(endpoint.example) | {"fill"}, name  # only inputs the example has


def _prices(values: dict[str, Any]) -> list[float]:
    found = [float(values[key]) for key in PRICE_KEYS if key in values]
    return found + [float(row["price"]) for row in values.get("fill", [])]


def test_starting_prices_are_todays_not_an_old_example() -> None:
    btc = MARKET_PRICES["BTC"]
    for name, values in PAGE_DEFAULTS.items():
        prices = _prices(values)
        assert prices, name
        # within the plan's 25 % stop of today's price: no 7,000 or 20,000 BTC left
        assert all(0.75 * btc <= p <= 1.25 * btc for p in prices), (name, prices)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_calculator_computes_from_the_pages_defaults() -> None:
    client = TestClient(create_app())
    calculators = {c["name"]: c for c in client.get("/api/calculators").json()["calculators"]}
    for endpoint in ENDPOINTS:
        defaults = calculators[endpoint.name]["defaults"]
        assert defaults == {**endpoint.example, **PAGE_DEFAULTS.get(endpoint.name, {})}
        response = client.post(endpoint.path, json=defaults)
        assert response.status_code == 200, (endpoint.name, response.text)
    # the plan opens at the seed's proportions: a 25 % stop is 4x, the target +20 %
    plan = client.post("/api/plan", json=calculators["plan"]["defaults"]).json()
    assert plan["leverage"] == 4 and plan["target_change"] == pytest.approx(0.2)
