"""``POST /api/risk``: the CLI's fields and keys, the same figures, bad input as 422 in the CLI's words."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.engines.risk import RESULT_KEYS
from contractcalc.interfaces.web import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=True)


BODY = {"side": "long", "volatility": 0.8, "horizon": "24h", "price": 10000, "liquidation_price": 9850,
        "stop": 9900, "target": 10300}


def test_same_keys_and_figures_as_the_cli(client: TestClient, cli: Any) -> None:
    answer = client.post("/api/risk", json=BODY)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert tuple(data) == RESULT_KEYS
    printed = cli("risk", "--side", "long", "--volatility", "0.8", "--horizon", "24h", "--price", "10000",
                  "--liquidation-price", "9850", "--stop", "9900", "--target", "10300", "--json").json()
    assert data == printed


def test_liquidation_from_the_exchange_and_candles_as_rows(client: TestClient) -> None:
    rows = [[0, 100, 106, 98, 104], [86_400_000, 104, 108, 100, 101], [172_800_000, 101, 104, 97, 103]]
    answer = client.post("/api/risk", json={
        "side": "long", "horizon": "7d", "exchange": "bybit-linear", "entry": 10000, "quantity": 1, "leverage": 50,
        "maintenance_margin_rate": 0.005, "candles": rows, "volatility_estimator": "parkinson"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["liquidation_price"] == 9850


def test_monte_carlo_is_capped(client: TestClient) -> None:
    answer = client.post("/api/risk", json={**BODY, "method": "monte-carlo", "paths": 1_000_000, "steps": 1000})
    assert answer.status_code == 422
    assert "paths" in answer.text


@pytest.mark.parametrize(("change", "message"), [
    ({"volatility": 0}, "'volatility' must be > 0 (got 0)"),
    ({"horizon": "24"}, "'horizon' must be a duration with a unit (s, m, h, d, w), e.g. 24h (got '24')"),
    ({"stop": 10100}, "'stop' must be below the price for a long (got 10100)"),
    ({"method": "guess"}, "'method' must be closed-form or monte-carlo (got 'guess')"),
])
def test_bad_input_is_422_in_the_clis_words(client: TestClient, change: dict[str, Any], message: str) -> None:
    answer = client.post("/api/risk", json={**BODY, **change})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["message"] == message


def test_plan_takes_volatility_and_horizon(client: TestClient) -> None:
    answer = client.post("/api/plan", json={"side": "long", "entry": 20000, "stop": 15000, "target": 24000,
                                            "principal": 1000, "volatility": 0.8, "horizon": "30d"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["stop_first_probability"] + data["target_first_probability"] <= 1


def test_monte_carlo_cap_counts_the_monitoring_steps(client: TestClient) -> None:
    """A check every minute over 30 days is 30 x 24 x 60 = 43,200 steps a path: 1,000 paths are 43.2M > 20M."""
    answer = client.post("/api/risk", json={**BODY, "method": "monte-carlo", "paths": 1000, "horizon": "30d",
                                            "monitoring": "1m"})
    assert answer.status_code == 422
    assert "'paths' times steps must be at most 20,000,000 over HTTP (got 1000)" in answer.text
