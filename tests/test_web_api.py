"""The JSON API: every endpoint answers what the CLI prints, and bad input in the CLI's words.

Expected figures are the seed's examples (shared/reference/examples.md S1-S8), hand
calculations written beside them, and, for every case, the CLI's own ``--json`` output
for the same inputs (the API must match it key for key).
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.interfaces.web import api, create_app
from contractcalc.interfaces.web.app import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=True)


def body_from_cli(args: list[str]) -> tuple[str, dict[str, Any]]:
    """``["seed", "profit", "--side", "long", ...]`` → ``("/api/seed/profit", {"side": "long", ...})``.

    Values stay the text the user typed (the API reads numbers from text too);
    a repeated flag becomes a list.
    """
    words = [arg for arg in args if not arg.startswith("--")][: 2 if args[0] == "seed" else 1]
    path = "/api/" + "/".join(words)
    body: dict[str, Any] = {}
    rest = args[len(words):]
    for flag, value in zip(rest[::2], rest[1::2], strict=True):
        key = flag[2:].replace("-", "_")
        if key in body:
            body[key] = [*body[key], value] if isinstance(body[key], list) else [body[key], value]
        else:
            body[key] = value
    return path, body


def as_numbers(body: dict[str, Any]) -> dict[str, Any]:
    """The same body with numeric text as JSON numbers (as a program would send it)."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        try:
            out[key] = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            out[key] = value
    return out


# ---------------------------------------------------------------------------
# Answers: the seed's examples, by the API and by the CLI

SEED_CASES = [
    # S1: 1200 / 1000 − 1
    (["seed", "target-change", "--open", "1000", "--target", "1200"], {"target_change": 0.2}),
    # S2: 800 / 1000 − 1
    (["seed", "target-change", "--open", "1000", "--target", "800"], {"target_change": -0.2}),
    # S3: 1 / 20
    (["seed", "liquidation-change", "--leverage", "20"], {"liquidation_change": 0.05}),
    # S4: 1 / 0.1
    (["seed", "leverage", "--stop-change", "0.1"], {"leverage": 10}),
    # S5: 1 / (1 − 15000 / 20000)
    (["seed", "leverage", "--open", "20000", "--stop", "15000"], {"leverage": 4}),
    # S6: 1000 × 50 × 0.1 × 1.1
    (["seed", "profit", "--contract", "inverse", "--side", "long", "--principal", "1000", "--leverage", "50",
      "--change", "0.1"], {"profit": 5500}),
    # S7: −1 × 1000 × 50 × (−0.1) × 0.9
    (["seed", "profit", "--contract", "coin", "--side", "short", "--principal", "1000", "--leverage", "50",
      "--change", "-0.1"], {"profit": 4500}),
    # S8: 1000 × 50 × 0.02
    (["seed", "profit", "--contract", "linear", "--side", "long", "--principal", "1000", "--leverage", "50",
      "--change", "0.02"], {"profit": 1000}),
    # The seed's plan (S5 then S3-style): 4x, 25 % move; +20 % at 24000: 1000 × 4 × 0.2 = 800,
    # coin-based 800 × 1.2 = 960.
    (["plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal", "1000"],
     {"target_change": 0.2, "stop_change": -0.25, "leverage": 4, "liquidation_change": 0.25,
      "linear_profit": 800, "inverse_profit": 960, "stop_before_liquidation": True}),
    # With 5x the liquidation move is 1/5 = 20 % < the 25 % stop: liquidated first.
    (["plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal", "1000",
      "--leverage", "5"],
     {"target_change": 0.2, "stop_change": -0.25, "leverage": 5, "liquidation_change": 0.2,
      "linear_profit": 1000, "inverse_profit": 1200, "stop_before_liquidation": False}),
]


@pytest.mark.parametrize(("args", "expected"), SEED_CASES)
def test_seed_examples_by_the_api(client: TestClient, args: list[str], expected: dict[str, Any]) -> None:
    path, body = body_from_cli(args)
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    # the seed's keys (the plan also carries exact figures beside them)
    assert {key: response.json().get(key) for key in expected} == expected
    # numbers sent as JSON numbers give the same answer as numbers sent as text
    assert client.post(path, json=as_numbers(body)).json() == response.json()


@pytest.mark.parametrize(("args", "expected"), SEED_CASES)
def test_api_answers_what_the_cli_prints(client: TestClient, cli: Any, args: list[str], expected: Any) -> None:
    path, body = body_from_cli(args)
    printed = cli(*args, "--json")
    assert printed.code == 0, printed.err
    answered = client.post(path, content=json.dumps(as_numbers(body)), headers={"Content-Type": "application/json"})
    assert answered.text.replace(" ", "") == printed.out.strip().replace(" ", "")


def test_decimal_numbers_stay_exact(client: TestClient) -> None:
    # 1200/1000 − 1 in binary floating point is 0.19999999999999996; the API computes in Decimal.
    answer = client.post("/api/seed/target-change", json={"open": 1000.0, "target": 1200.0}).json()
    assert answer == {"target_change": 0.2}
    assert client.post("/api/seed/target-change", content=b'{"open": 3, "target": 1}',
                       headers={"Content-Type": "application/json"}).text == '{"target_change":-0.6666666666666666}'


# ---------------------------------------------------------------------------
# Schema: the CLI's vocabulary


def test_every_endpoint_takes_the_cli_flags_with_underscores(client: TestClient) -> None:
    helps = api.cli_help()
    schema = client.get("/openapi.json").json()
    for endpoint in api.ENDPOINTS:
        assert endpoint.command in helps, f"no CLI command {endpoint.command!r}"
        flags = set(helps[endpoint.command])
        model = api.request_model(endpoint)
        assert set(model.model_fields) == flags, endpoint.command
        operation = schema["paths"][endpoint.path]["post"]
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body_schema = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert set(body_schema["properties"]) == flags
        # the help texts are the CLI's, in the API's words where the CLI's name a flag or a file
        for name, text in helps[endpoint.command].items():
            if text:
                assert body_schema["properties"][name]["description"] == api.web_help(endpoint.command, name, text)
        assert set(operation["responses"]) >= {"200", "422"}


def test_required_fields_are_the_functions_required_keywords(client: TestClient) -> None:
    import inspect

    for endpoint in api.ENDPOINTS:
        required = {
            name for name, p in inspect.signature(endpoint.function).parameters.items()
            if p.default is inspect.Parameter.empty
        }
        response = client.post(endpoint.path, json={})
        assert response.status_code == 422
        named = {item["field"] for item in response.json()["detail"]}
        if required:
            assert named == required, endpoint.command
            for item in response.json()["detail"]:
                assert item["message"] == f"'{item['field']}' is required"


def test_every_example_computes(client: TestClient) -> None:
    for endpoint in api.ENDPOINTS:
        response = client.post(endpoint.path, json=dict(endpoint.example))
        assert response.status_code == 200, (endpoint.command, response.text)


def test_calculators_listing_describes_each_endpoint(client: TestClient) -> None:
    listing = client.get("/api/calculators").json()["calculators"]
    assert [c["path"] for c in listing] == [e.path for e in api.ENDPOINTS]
    plan = next(c for c in listing if c["name"] == "plan")
    fields = {f["name"]: f for f in plan["fields"]}
    assert fields["side"]["type"] == "text" and fields["side"]["choices"] == ["long", "short"]
    assert fields["entry"]["type"] == "number" and fields["entry"]["required"]
    assert not fields["leverage"]["required"]


def test_calculators_listing_says_which_optional_fields_a_mode_needs(client: TestClient) -> None:
    """liquidation_price's side and entry default to None, but one isolated position needs them."""
    listing = client.get("/api/calculators").json()["calculators"]
    liquidation = {f["name"]: f for f in next(c for c in listing if c["name"] == "liquidation")["fields"]}
    assert not liquidation["side"]["required"] and not liquidation["entry"]["required"]
    assert liquidation["side"]["required_when"] == {"margin_mode": ["isolated"]}
    assert liquidation["entry"]["required_when"] == {"margin_mode": ["isolated"]}
    assert liquidation["wallet_balance"]["required_when"] == {"margin_mode": ["cross"]}
    assert liquidation["mark"]["required_when"] == {}
    # every mode named is a choice of its field, every keyword named is a field
    for endpoint in api.ENDPOINTS:
        names = set(api.request_model(endpoint).model_fields)
        for mode_field, by_mode in endpoint.needs.items():
            assert set(by_mode) <= set(api.TEXT_FIELDS[mode_field]), endpoint.command
            for needed in by_mode.values():
                assert set(needed) <= names, endpoint.command
    # the library agrees: without them it names them, in the CLI's words
    base = {"exchange": "binance-usdm", "quantity": 1, "leverage": 20, "maintenance_margin_rate": 0.005}
    missing_side = client.post("/api/liquidation", json={**base, "entry": 60000}).json()["detail"][0]
    assert missing_side["field"] == "side" and missing_side["message"].startswith("'side' is required")
    missing_entry = client.post("/api/liquidation", json={**base, "side": "long"}).json()["detail"][0]
    assert missing_entry == {"field": "entry", "rule": "is required", "message": "'entry' is required"}
    cross = client.post("/api/liquidation", json={**base, "side": "long", "entry": 60000, "margin_mode": "cross"})
    assert cross.json()["detail"][0]["field"] == "wallet_balance"


def test_presets_lists_the_exchanges_and_their_tier_tables(client: TestClient) -> None:
    from contractcalc.venues.exchanges import EXCHANGES
    from contractcalc.venues.tiers import PRESET_TABLES

    exchanges = client.get("/api/presets").json()["exchanges"]
    assert [e["name"] for e in exchanges] == list(EXCHANGES)
    tables = [t["name"] for e in exchanges for t in e["tier_tables"]]
    assert sorted(tables) == sorted(PRESET_TABLES)
    binance = next(e for e in exchanges if e["name"] == "binance-usdm")
    assert binance["contract"] == "linear" and binance["taker_fee_rate"] == 0.0005


# ---------------------------------------------------------------------------
# Bad input: 422 in the CLI's words


BAD = [
    # (path, body, field, message)
    ("/api/seed/liquidation-change", {"leverage": 0}, "leverage", "'leverage' must be > 0 (got 0)"),
    ("/api/seed/liquidation-change", {"leverage": "abc"}, "leverage", "'leverage' must be a number (got 'abc')"),
    ("/api/seed/liquidation-change", {}, "leverage", "'leverage' is required"),
    ("/api/seed/liquidation-change", {"leverage": None}, "leverage", "'leverage' is required"),
    ("/api/seed/liquidation-change", {"leverage": "nan"}, "leverage", "'leverage' must be finite (got 'nan')"),
    ("/api/seed/liquidation-change", {"leverage": True}, "leverage", "'leverage' must be a number (got True)"),
    ("/api/seed/liquidation-change", {"leverage": [1, 2]}, "leverage", "'leverage' must be a number (got [1, 2])"),
    ("/api/seed/liquidation-change", {"leverage": 5, "lev": 2}, "lev", "'lev' is not a field of this calculator"),
    ("/api/seed/profit", {"contract": "spot", "side": "long", "principal": 1, "leverage": 1, "change": 0.1},
     "contract", "'contract' must be 'linear' or 'inverse' (or usdt, u, coin) (got 'spot')"),
    ("/api/seed/profit", {"contract": "linear", "side": 1.5, "principal": 1, "leverage": 1, "change": 0.1},
     "side", "'side' must be text (got 1.5)"),
    ("/api/seed/profit", {"contract": "linear", "side": "buy", "principal": 1, "leverage": 1, "change": 0.1},
     "side", "'side' must be 'long' or 'short' (got 'buy')"),
    ("/api/plan", {"side": "long", "entry": 20000, "stop": 25000, "target": 24000, "principal": 1000},
     "stop", "'stop' must be on the loss side of 'entry' (below for a long, above for a short) (got 25000)"),
    ("/api/seed/leverage", {"stop_change": 0.1, "open": 1, "stop": 2},
     "stop_change", "'stop_change' cannot be combined with 'open' and 'stop'"),
]


@pytest.mark.parametrize(("path", "body", "field", "message"), BAD)
def test_bad_input_answers_422_naming_the_field(client: TestClient, path: str, body: Any, field: str,
                                                message: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {"field": field, "message": message} in [{"field": d["field"], "message": d["message"]} for d in detail]


def test_every_bad_field_is_named_at_once(client: TestClient) -> None:
    body = {"side": "long", "entry": "x", "stop": "y", "target": 24000}
    detail = client.post("/api/plan", json=body).json()["detail"]
    assert [d["message"] for d in detail] == [
        "'entry' must be a number (got 'x')",
        "'stop' must be a number (got 'y')",
        "'principal' is required",
    ]


CLI_BAD = [
    ["seed", "liquidation-change", "--leverage", "0"],
    ["seed", "liquidation-change", "--leverage", "abc"],
    ["seed", "leverage", "--open", "100", "--stop", "100"],
    ["seed", "profit", "--contract", "coin", "--side", "long", "--principal", "-5", "--leverage", "5", "--change", "1"],
    ["seed", "profit", "--contract", "linear", "--side", "flat", "--principal", "5", "--leverage", "5",
     "--change", "0.1"],
    ["plan", "--side", "short", "--entry", "100", "--stop", "90", "--target", "80", "--principal", "10"],
    ["plan", "--side", "long", "--entry", "100", "--stop", "90", "--target", "120", "--principal", "10",
     "--leverage", "-1"],
]


@pytest.mark.parametrize("args", CLI_BAD)
def test_bad_input_in_the_same_words_as_the_cli(client: TestClient, cli: Any, args: list[str]) -> None:
    printed = cli(*args)
    assert printed.code == 2
    path, body = body_from_cli(args)
    response = client.post(path, json=body)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    # the CLI names every input as a flag, the API as a body field: otherwise the same words
    def as_flag(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"'--{name.replace('_', '-')}'" if name == item["field"] or name in body else match.group(0)

    assert printed.err.strip() == "error: " + re.sub(r"'([a-z_]+)'", as_flag, item["message"])


def test_body_that_is_not_a_json_object(client: TestClient) -> None:
    not_json = client.post("/api/plan", content=b"{side: long", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422
    assert not_json.json()["detail"][0]["message"].startswith("request body must be valid JSON")
    a_list = client.post("/api/plan", json=[1, 2])
    assert a_list.json()["detail"] == [
        {"field": None, "rule": "must be a JSON object", "message": "request body must be a JSON object (got a list)"}
    ]
    no_type = client.post("/api/plan", content=b'{"side": "long"}', headers={"Content-Type": "text/plain"})
    assert no_type.status_code == 422
    assert "application/json" in no_type.json()["detail"][0]["message"]
    nothing = client.post("/api/plan")
    assert nothing.json()["detail"][0]["message"] == "request body is required"


def test_body_size_is_capped_and_the_error_says_so(client: TestClient) -> None:
    body = json.dumps({"leverage": 5, "padding": "x" * MAX_BODY_BYTES}).encode()
    response = client.post("/api/seed/liquidation-change", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == [{
        "field": None,
        "rule": f"must be at most {MAX_BODY_BYTES} bytes",
        "message": f"request body must be at most {MAX_BODY_BYTES} bytes (got {len(body)} bytes)",
    }]


def test_body_size_cap_holds_without_a_content_length(client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b" " * 1000

    response = client.post("/api/seed/liquidation-change", content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"][0]["message"] == f"request body must be at most {MAX_BODY_BYTES} bytes"


def test_results_out_of_range_are_422_not_500(client: TestClient) -> None:
    # 1 / 1e-999999 overflows Decimal's exponent range
    response = client.post("/api/seed/liquidation-change", json={"leverage": "1e-999999"})
    assert response.status_code == 422
    assert "out of range" in response.json()["detail"][0]["message"]
    # 1 / 1e-400 is a Decimal, but no JSON number (a double) holds it
    response = client.post("/api/seed/liquidation-change", json={"leverage": "1e-400"})
    assert response.status_code == 422


def test_unknown_paths_and_methods_are_not_500(client: TestClient) -> None:
    assert client.get("/api/plan").status_code == 405
    assert client.post("/api/nothing", json={}).status_code == 404


# ---------------------------------------------------------------------------
# The exchange-exact calculators: published examples, by the API and by the CLI

POSITION_CASES = [
    # examples.md Y16: long 0.2 @ 7,000 → 7,500: 0.2 × 500 = 100 on a margin of 0.2 × 7,000 / 10 = 140
    (["pnl", "--contract", "linear", "--side", "long", "--entry", "7000", "--exit", "7500", "--quantity", "0.2",
      "--leverage", "10"], {"pnl": 100, "initial_margin": 140}),
    # examples.md Y19: inverse long 1,000 USD @ 5,000 → 5,500: 1,000 × (1/5,000 − 1/5,500) = 0.0181818 BTC
    (["pnl", "--contract", "inverse", "--side", "long", "--entry", "5000", "--exit", "5500", "--contracts", "1000",
      "--contract-size", "1"], {"pnl": 1000 * (1 / 5000 - 1 / 5500)}),
    # target for a long: E·(1 + ROE/L) = 7,000 × 1.05
    (["target", "--contract", "linear", "--side", "long", "--entry", "7000", "--leverage", "10", "--roe", "0.5"],
     {"target_price": 7350}),
    # examples.md Y13 and Y15
    (["average-entry", "--contract", "linear", "--fill", "0.5@5000", "--fill", "0.3@6000"],
     {"average_entry": 5375, "total_size": 0.8}),
    (["average-entry", "--contract", "inverse", "--fill", "50@10000", "--fill", "50@15000"],
     {"average_entry": 12000}),
    # examples.md Y6: 160 + 6 + 5.88
    (["cost", "--contract", "linear", "--side", "long", "--entry", "8000", "--leverage", "50", "--quantity", "1",
      "--fee-rate", "0.00075"], {"initial_margin": 160, "open_fee": 6, "close_fee": 5.88, "cost": 171.88}),
    # by hand: 10,000 × 1 % / (50,000 − 49,000) = 0.1; (53,000 − 50,000) × 0.1 / 100 = 3
    (["size", "--contract", "linear", "--side", "long", "--balance", "10000", "--risk-rate", "0.01", "--entry",
      "50000", "--stop", "49000", "--target", "53000"], {"quantity": 0.1, "reward_risk_ratio": 3}),
    # examples.md B7: min(10,000 × 50, 1,000,000) / 50,000
    (["max-open", "--tiers", "binance-usdm-BTCUSDT-2021-03-18", "--contract", "linear", "--balance", "10000",
      "--leverage", "50", "--entry", "50000"], {"max_notional": 500000, "max_quantity": 10}),
    # examples.md Y1, Y5: 10,000 × (1 − 1/50 + 0.005) = 9,850; bankruptcy 9,800
    (["liquidation", "--exchange", "bybit-linear", "--side", "long", "--entry", "10000", "--quantity", "1",
      "--leverage", "50", "--maintenance-margin-rate", "0.005"], {"liquidation_price": 9850, "bankruptcy_price": 9800}),
    # examples.md Y2: 8,000 × (1 + 1/40 − 0.005) = 8,160
    (["liquidation", "--exchange", "bybit-linear", "--side", "short", "--entry", "8000", "--quantity", "1",
      "--leverage", "40", "--maintenance-margin-rate", "0.005"], {"liquidation_price": 8160}),
]


def _listify(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A flag given once that the API takes as a list (``--fill``) becomes a one-item list."""
    endpoint = next(e for e in api.ENDPOINTS if e.path == path)
    lists = {name for name, kind in endpoint.fields.items() if getattr(kind, "__origin__", None) is list}
    return {key: [value] if key in lists and not isinstance(value, list) else value for key, value in body.items()}


def close_to(got: Any, want: Any) -> bool:
    if isinstance(want, float | int) and not isinstance(want, bool):
        return isinstance(got, float | int) and abs(got - want) <= 1e-9 * max(1, abs(want))
    return bool(got == want)


@pytest.mark.parametrize(("args", "expected"), POSITION_CASES)
def test_position_calculators_by_the_api_and_the_cli(client: TestClient, cli: Any, args: list[str],
                                                     expected: dict[str, Any]) -> None:
    path, body = body_from_cli(args)
    body = _listify(path, body)
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    for key, want in expected.items():
        assert close_to(answer[key], want), (key, answer[key], want)
    printed = cli(*args, "--json")
    assert printed.code == 0, printed.err
    assert list(answer.items()) == list(printed.json().items())
    # JSON numbers give the same answer as numbers typed as text
    assert client.post(path, json=as_numbers(body)).json() == answer


BOOK = [
    {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 60000,
     "markPrice": 60000, "maintenanceMarginRate": 0.004},
    {"symbol": "ETH/USDT:USDT", "side": "short", "contracts": 10, "contractSize": 1, "entryPrice": 3000,
     "markPrice": 3100, "maintenanceMarginRate": 0.005},
]


def test_cross_liquidation_from_a_positions_list(client: TestClient, cli: Any, tmp_path: Any) -> None:
    body = {"exchange": "binance-usdm", "wallet_balance": 10000, "positions": BOOK}
    response = client.post("/api/liquidation", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    # by hand (Binance cross): the BTC long sees 10,000 − 10 × 3,100 × 0.5 % − 10 × 100 = 8,845 of margin;
    # LP = (8,845 − 60,000) / (0.004 − 1)
    btc = answer["positions"][0]
    assert close_to(btc["liquidation_price"], (10000 - 155 - 1000 - 60000) / (0.004 - 1))
    assert close_to(answer["margin_balance"], 9000)
    file = tmp_path / "positions.json"
    file.write_text(json.dumps(BOOK))
    printed = cli("liquidation", "--exchange", "binance-usdm", "--wallet-balance", "10000", "--positions", str(file),
                  "--json")
    assert printed.code == 0, printed.err
    assert printed.json() == answer


def test_a_bad_position_is_named_with_its_index(client: TestClient) -> None:
    book = [dict(BOOK[0]), {**BOOK[1], "entryPrice": "abc"}]
    response = client.post("/api/liquidation", json={"exchange": "binance-usdm", "wallet_balance": 10000,
                                                     "positions": book})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["field"] == "positions" and item["index"] == 1
    assert item["message"] == "'positions' item 1: 'entryPrice' must be a number (got 'abc')"


def test_lists_are_capped_and_the_error_says_so(client: TestClient) -> None:
    many = [BOOK[0]] * (api.MAX_LIST_ITEMS + 1)
    body = {"exchange": "binance-usdm", "wallet_balance": 1, "positions": many}
    response = client.post("/api/liquidation", json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == [{
        "field": "positions",
        "rule": f"must have at most {api.MAX_LIST_ITEMS} items",
        "message": f"'positions' must have at most {api.MAX_LIST_ITEMS} items (got {api.MAX_LIST_ITEMS + 1} items)",
    }]
    fills = client.post("/api/average-entry", json={"contract": "linear", "fill": ["1@1"] * 101})
    assert fills.status_code == 422
    assert fills.json()["detail"][0]["message"].startswith("'fill' must have at most 100 items")


def test_tier_tables_over_http_are_the_shipped_ones(client: TestClient, tmp_path: Any) -> None:
    secret = tmp_path / "tiers.json"
    secret.write_text("{}")
    body = {"contract": "linear", "tiers": str(secret), "balance": 1, "leverage": 1, "entry": 1}
    response = client.post("/api/max-open", json=body)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["field"] == "tiers" and "files are not read over HTTP" in item["message"]
    path_positions = client.post("/api/liquidation", json={"exchange": "binance-usdm", "wallet_balance": 1,
                                                            "positions": str(secret)})
    assert path_positions.json()["detail"][0]["message"] == f"'positions' must be a list (got '{secret}')"


def test_pnl_curve_is_pnl_at_every_exit(client: TestClient) -> None:
    body = {"contract": "inverse", "side": "short", "entry": 5000, "contracts": 1000, "contract_size": 1,
            "leverage": 20, "exchange": "bybit-inverse"}
    exits = [4000, 4999.5, 5000, 6123.25]
    curve = client.post("/api/pnl/curve", json={**body, "exit": exits})
    assert curve.status_code == 200, curve.text
    data = curve.json()
    for index, exit_price in enumerate(exits):
        single = client.post("/api/pnl", json={**body, "exit": exit_price}).json()
        for key, value in single.items():
            got = data[key][index] if isinstance(data[key], list) else data[key]
            assert close_to(got, value), (key, exit_price)
    too_many = client.post("/api/pnl/curve", json={**body, "exit": [5000] * 401})
    assert too_many.status_code == 422
    bad = client.post("/api/pnl/curve", json={**body, "exit": [5000, 0]})
    assert bad.json()["detail"][0] == {"field": "exit", "rule": "must be > 0",
                                       "message": "'exit' must be > 0 (got 0 at index 1)", "index": 1}


# ---------------------------------------------------------------------------
# Nothing answers 500: any JSON body gets 200 or 422 (or 413)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "abc", "0", "-1", "1e-400", "1e400", "NaN", "long", "short", "linear", "inverse",
                      "cross", "isolated", "binance-usdm", "bybit-inverse", "0.5@5000", "BTC/USDT:USDT"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize("endpoint", api.ENDPOINTS, ids=lambda e: e.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_body_gets_a_500(client: TestClient, endpoint: api.Endpoint, data: st.DataObject) -> None:
    names = list(api.request_model(endpoint).model_fields)
    example = dict(endpoint.example)
    # start from the valid example, change a few fields to anything
    changed = data.draw(st.dictionaries(st.sampled_from([*names, "unknown"]), json_values, max_size=3))
    body = {**example, **changed}
    for name in data.draw(st.lists(st.sampled_from(names), max_size=2)):
        body.pop(name, None)
    response = client.post(endpoint.path, json=body)
    assert response.status_code in (200, 422), (body, response.text)
    answer = response.json()
    if response.status_code == 422:
        for item in answer["detail"]:
            assert item["message"] and "internal error" not in item["message"], (body, item)


def test_help_texts_speak_of_fields_not_flags_or_files(client: TestClient) -> None:
    # The page shows these under its inputs: no CLI flags, no files (a tier table is a preset over HTTP).
    for calculator in client.get("/api/calculators").json()["calculators"]:
        for field in calculator["fields"]:
            words = field["description"]
            assert words, (calculator["name"], field["name"])
            assert "--" not in words and not re.search(r"\b(file|flags?)\b", words, re.I), (calculator["name"], words)
    # ... while the CLI's own help is unchanged
    helps = api.cli_help()
    assert helps["plan"]["maintenance_margin_rate"].startswith("With --exchange:")
    assert "JSON file" in helps["liquidation"]["positions"]
    assert api.web_help("liquidation", "positions", helps["liquidation"]["positions"]) == api.WEB_HELP[
        ("liquidation", "positions")]
    for (command, name) in api.WEB_HELP:
        assert command == "*" or name in helps[command], (command, name)
