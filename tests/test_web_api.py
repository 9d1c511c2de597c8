"""The JSON API: every endpoint answers what the CLI prints, and bad input in the CLI's words.

Expected figures are the seed's examples (shared/reference/examples.md S1-S8), hand
calculations written beside them, and, for every case, the CLI's own ``--json`` output
for the same inputs (the API must match it key for key).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.web import api, create_app
from contractcalc.web.app import MAX_BODY_BYTES


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
        # the help texts are the CLI's
        for name, text in helps[endpoint.command].items():
            if text:
                assert body_schema["properties"][name]["description"] == text
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


def test_presets_lists_the_exchanges_and_their_tier_tables(client: TestClient) -> None:
    from contractcalc.exchanges import EXCHANGES
    from contractcalc.tiers import PRESET_TABLES

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
    # the CLI names the flag, the API the body field: otherwise the same words
    flag = "--" + item["field"].replace("_", "-")
    assert printed.err.strip() == "error: " + item["message"].replace(f"'{item['field']}'", f"'{flag}'", 1)


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
