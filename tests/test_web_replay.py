"""``POST /api/replay``: the CLI's answer for the same candles, bad input in its words, the larger body cap."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.interfaces.web import api, create_app
from contractcalc.interfaces.web.app import MAX_BODY_BYTES

H = 3_600_000
ROWS = [[0, 10000, 10050, 9950, 10000], [H, 10000, 10020, 9880, 9900], [2 * H, 9900, 9950, 9800, 9820]]
Y1 = {"exchange": "bybit-linear", "side": "long", "quantity": 1, "leverage": 50, "maintenance_margin_rate": 0.005}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=True)


def test_the_answer_is_the_clis(client: TestClient, cli: Any, tmp_path: Path) -> None:
    marks = [ROWS[0], [H, 10000, 10020, 9840, 9900], ROWS[2]]
    funding = [[1_800_000, 0.001], [H, 0.002]]
    body = {**Y1, "candles": ROWS, "mark_candles": marks, "funding": funding, "stop": 9860, "fee_rate": 0.0006}
    answer = client.post("/api/replay", json=body)
    assert answer.status_code == 200, answer.text
    for name, rows in (("c.json", ROWS), ("m.json", marks), ("f.json", funding)):
        (tmp_path / name).write_text(json.dumps(rows))
    printed = cli("replay", "--candles", str(tmp_path / "c.json"), "--mark-candles", str(tmp_path / "m.json"),
                  "--funding", str(tmp_path / "f.json"), "--exchange", "bybit-linear", "--side", "long",
                  "--quantity", "1", "--leverage", "50", "--maintenance-margin-rate", "0.005", "--stop", "9860",
                  "--fee-rate", "0.0006", "--json")
    assert printed.code == 0, printed.err
    assert answer.json() == printed.json()
    # the mark's wick to 9,840 liquidates at 9,850: the 200 margin, the 6 open fee, funding 10 + 20
    assert answer.json()["exit_reason"] == "liquidation"
    assert answer.json()["net_pnl"] == pytest.approx(-200 - 6 - 30)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"candles": []}, "candles", "'candles' must hold at least one candle row (got [])"),
    ({"candles": [[0, 1, 2]]}, "candles", "'candles' row 0 is too short: it must be [timestamp_ms, open, high, low, "
                                          "close] (got [0, 1, 2])"),
    ({"candles": [[0, 1, 0, 2, 1]]}, "candles", "'candles' row 0 must have low <= open, close <= high "
                                                "(got [0, 1, 0, 2, 1])"),
    ({"candles": [[0, "x", 2, 0, 1]]}, "candles[0][1]", "'candles[0][1]' must be a number (got 'x')"),
    ({"candles": "candles.json"}, "candles", "'candles' must be a list (got 'candles.json')"),
    ({"stop": 10100}, "stop", "'stop' must be below the entry (10000) for a long (got 10100)"),
    ({"intrabar": "coin-flip"}, "intrabar", "'intrabar' must be 'pessimistic', 'optimistic' or 'nearest-first' "
                                            "(got 'coin-flip')"),
    ({"funding": [[0, 0.1], [0, 0.1]]}, "funding", "'funding' row 1 must have a timestamp after the previous "
                                                   "row's (0) (got [0, 0.1])"),
    ({"timeframe": "1m"}, "timeframe", "'timeframe' is for a freqtrade data folder, which is not read over HTTP "
                                       "(send the candles as rows) (got '1m')"),
    ({"tiers": "/etc/passwd"}, "tiers", "'tiers' must be one of the shipped tier tables"),
])
def test_bad_input_in_the_clis_words(client: TestClient, change: dict[str, Any], field: str, message: str) -> None:
    answer = client.post("/api/replay", json={**Y1, "candles": ROWS, **change})
    assert answer.status_code == 422
    item = answer.json()["detail"][0]
    assert item["field"] == field and item["message"].startswith(message)


def test_candles_are_capped_by_count(client: TestClient) -> None:
    rows = [[i * 60_000, 1, 1, 1, 1] for i in range(api.MAX_REPLAY_CANDLES + 1)]
    answer = client.post("/api/replay", json={**Y1, "candles": rows})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["message"] == (
        f"'candles' must have at most {api.MAX_REPLAY_CANDLES} items (got {api.MAX_REPLAY_CANDLES + 1} items)")


def test_replay_takes_a_larger_body_than_the_other_calculators(client: TestClient) -> None:
    rows = [[i * 60_000, 10000.5, 10001.5, 9999.5, 10000.5, 123.456] for i in range(3000)]
    body = json.dumps({**Y1, "candles": rows})
    assert MAX_BODY_BYTES < len(body) < api.MAX_REPLAY_BODY_BYTES
    answer = client.post("/api/replay", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["exit_reason"] == "open" and answer.json()["bars_held"] == 3000
    other = client.post("/api/pnl", content=body, headers={"Content-Type": "application/json"})
    assert other.status_code == 413
    too_long = str(api.MAX_REPLAY_BODY_BYTES + 1)
    declared = client.post("/api/replay", content=b"{}",
                           headers={"Content-Type": "application/json", "Content-Length": too_long})
    assert declared.status_code == 413
    assert declared.json()["detail"][0]["message"].startswith(
        f"request body must be at most {api.MAX_REPLAY_BODY_BYTES} bytes")


def test_the_listing_describes_the_candle_rows(client: TestClient) -> None:
    listing = client.get("/api/calculators").json()["calculators"]
    replay = next(c for c in listing if c["name"] == "replay")
    fields = {f["name"]: f for f in replay["fields"]}
    assert fields["candles"]["required"] and fields["candles"]["type"] == "list"
    assert fields["intrabar"]["choices"] == ["pessimistic", "optimistic", "nearest-first"]
    assert {"side", "exchange", "stop", "target", "fee_rate", "mark_candles", "funding"} <= set(fields)
