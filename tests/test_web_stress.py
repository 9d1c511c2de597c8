"""``POST /api/stress``: the CLI's ladder for the same book, the nearest accounts, caps, bad input in its words."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.interfaces.web import api, create_app

EXAMPLE = next(endpoint.example for endpoint in api.ENDPOINTS if endpoint.command == "stress")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=True)


def test_the_ladder_is_the_clis(client: TestClient, cli: Any, tmp_path: Path) -> None:
    positions, accounts = tmp_path / "book.csv", tmp_path / "accounts.csv"
    names = ["account", "symbol", "side", "quantity", "entry", "mark", "margin_mode", "leverage",
             "maintenance_margin_rate"]
    with positions.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, names)
        writer.writeheader()
        for row in EXAMPLE["positions"]:
            writer.writerow({name: row.get(name, "cross" if name == "margin_mode" else "") for name in names})
    with accounts.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["account", "wallet_balance"])
        writer.writeheader()
        writer.writerows(EXAMPLE["accounts"])
    answer = client.post("/api/stress", json=EXAMPLE)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    printed = cli("stress", "--positions", str(positions), "--accounts", str(accounts), "--exchange", "binance-usdm",
                  "--shocks=-0.2:0.2:0.05", "--json").json()
    assert {key: data[key] for key in ("positions", "accounts", "ladder")} == printed
    # the hand-worked figures of tests/test_stress.py: −10 % liquidates A, B and C (5 positions, shortfall 500)
    row = next(row for row in data["ladder"] if row["shock"] == -0.1)
    assert (row["accounts_liquidated"], row["positions_liquidated"], row["shortfall"]) == (3, 5, 500)
    nearest = data["nearest_accounts"]
    assert [item["account"] for item in nearest] == ["D", "C", "A", "B"]  # +3.96 %, −6.88 %, −8.40 %, −9.55 %
    assert nearest[0]["liquidation_move_up"] == pytest.approx(400 / 10100)
    assert nearest[0]["liquidation_move_down"] is None


def test_span_scenarios(client: TestClient) -> None:
    body = {**EXAMPLE, "shocks": None, "scenarios": "span:0.15"}
    data = client.post("/api/stress", json=body).json()
    assert len(data["ladder"]) == 16 and data["ladder"][15]["weight"] == 0.35


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"backend": "dask"}, "backend", "must be local over HTTP"),
    ({"output": "moves.csv"}, "output", "is for the command line"),
    ({"scenarios": "scenarios.json", "shocks": None}, "scenarios", "must be span:RANGE over HTTP"),
    ({"tiers": "/etc/passwd"}, "tiers", "files are not read over HTTP"),
    ({"shocks": "-0.5:0.5:0.001"}, "shocks", "must hold at most 401 shocks"),
    ({"shocks": "0.1:-0.1:0.01"}, "shocks", "must go up"),
    ({"positions": [{**EXAMPLE["positions"][0], "side": "up"}]}, "positions", "column 'side' must be 'long'"),
    ({"positions": [{**EXAMPLE["positions"][0], "quantity": -1}]}, "positions", "column 'quantity' must be > 0"),
    ({"positions": ["a row"]}, "positions", "must be a list of row objects"),
    ({"accounts": [{"account": "A", "wallet_balance": 1}]}, "accounts", "must have a wallet row"),
])
def test_bad_input_in_the_clis_words(client: TestClient, change: dict[str, Any], field: str, words: str) -> None:
    answer = client.post("/api/stress", json={**EXAMPLE, **change})
    assert answer.status_code == 422, answer.text
    items = answer.json()["detail"]
    assert items[0]["field"] == field and words in items[0]["message"]


def test_caps(client: TestClient) -> None:
    many = {**EXAMPLE, "positions": EXAMPLE["positions"] * (api.MAX_STRESS_POSITIONS // 6 + 1)}
    answer = client.post("/api/stress", json=many)
    assert answer.status_code == 422 and "at most 2000 items" in answer.text
    assert api.BODY_LIMITS["/api/stress"] == api.MAX_STRESS_BODY_BYTES
