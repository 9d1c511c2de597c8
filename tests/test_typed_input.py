"""Numbers as traders type them (``50%``, ``0.05 %``, ``1,000``, ``20x``), the same in the CLI and the API.

One parser (``contractcalc.core.typed_numbers``) reads them for both; the answers stay
fractions.  Also: ``target`` refuses an ROE at or below -100 % and warns above 1000 %,
and the CLI names every missing option at once.
"""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contractcalc.core.typed_numbers import parse_typed_number, typed_number_or_none
from contractcalc.errors import InputError
from contractcalc.interfaces.cli import run


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def client() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from contractcalc.interfaces.web.app import create_app

    return TestClient(create_app())


@pytest.mark.parametrize(("text", "value"), [
    ("50%", Decimal("0.5")), ("0.05%", Decimal("0.0005")), ("0.05 %", Decimal("0.0005")), (" 1% ", Decimal("0.01")),
    ("-100%", Decimal(-1)), ("1,000", Decimal(1000)), ("12,345,678.25", Decimal("12345678.25")),
    ("1_000", Decimal(1000)), ("+7", Decimal(7)), ("1e3", Decimal(1000)), ("1,000%", Decimal(10)),
])
def test_what_is_read(text: str, value: Decimal) -> None:
    assert parse_typed_number("x", text) == value


@pytest.mark.parametrize("text", ["abc", "", "%", "1,5", "1,50", "10,00,000", "1,000,0", "50%%", "1@2", "0x10",
                                  "20x"])
def test_what_is_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_typed_number("entry", text)
    assert str(caught.value) == f"'entry' must be a number (got {text!r})"


def test_nan_and_infinity_go_on_to_the_librarys_finite_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_typed_number("entry", "nan").is_nan()
    assert parse_typed_number("entry", "-inf") == Decimal("-Infinity")
    code, _, err = cli(["pnl", "--contract", "linear", "--side", "long", "--entry", "nan", "--exit", "2",
                        "--quantity", "1"], capsys)
    assert code == 2 and err == "error: '--entry' must be finite (got NaN)\n"


def test_a_leverage_may_end_in_x() -> None:
    assert parse_typed_number("leverage", "20x") == 20
    assert parse_typed_number("max_leverage", "12.5×") == Decimal("12.5")
    assert typed_number_or_none("20x") is None


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**9, max_value=10**9))
def test_a_percentage_is_the_fraction_it_names(value: Decimal) -> None:
    assert parse_typed_number("rate", f"{value}%") == value / 100


@given(st.integers(min_value=-10**15, max_value=10**15), st.integers(min_value=0, max_value=99))
def test_thousands_separators_read_back(whole: int, cents: int) -> None:
    text = f"{whole:,}.{cents:02d}"
    sign = -1 if whole < 0 else 1
    assert parse_typed_number("x", text) == whole + sign * Decimal(cents) / 100


# The same input through the CLI and the API: one answer, a fraction (examples.md Y16's 0.2 BTC long).
SAME = [
    ("size", {"contract": "linear", "side": "long", "balance": "10,000", "risk_rate": "1%", "entry": "50,000",
              "stop": "49,000", "open_fee_rate": "0.05%", "close_fee_rate": "0.05 %"},
     {"contract": "linear", "side": "long", "balance": 10000, "risk_rate": 0.01, "entry": 50000, "stop": 49000,
      "open_fee_rate": 0.0005, "close_fee_rate": 0.0005}),
    ("pnl", {"contract": "linear", "side": "long", "entry": "7,000", "exit": "7,500", "quantity": "0.2",
             "leverage": "10x"},
     {"contract": "linear", "side": "long", "entry": 7000, "exit": 7500, "quantity": 0.2, "leverage": 10}),
    ("target", {"contract": "linear", "side": "long", "entry": "7,000", "leverage": "10", "roe": "50%"},
     {"contract": "linear", "side": "long", "entry": 7000, "leverage": 10, "roe": 0.5}),
]


@pytest.mark.parametrize(("command", "typed", "plain"), SAME, ids=[c for c, _, _ in SAME])
def test_cli_and_api_read_typed_numbers_alike(command: str, typed: dict[str, str], plain: dict[str, Any],
                                              client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    args = [command]
    for key, value in typed.items():
        args += [f"--{key.replace('_', '-')}", value]
    code, out, err = cli([*args, "--json"], capsys)
    assert code == 0, err
    from_cli = json.loads(out)
    from_api = client.post(f"/api/{command}", json=typed)
    assert from_api.status_code == 200, from_api.text
    plain_api = client.post(f"/api/{command}", json=plain).json()
    assert from_cli == from_api.json() == plain_api


def test_target_reads_50_percent_as_half() -> None:
    from contractcalc import target

    # examples.md Y16 backwards: 7,000 · (1 + 0.5/10) = 7,350
    assert target(contract="linear", side="long", entry=7000, leverage=10, roe=parse_typed_number("roe", "50%")) == {
        "target_price": Decimal("7350")}


def test_a_bad_typed_number_is_named_alike(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["target", "--contract", "linear", "--side", "long", "--entry", "7000", "--leverage", "10",
                        "--roe", "5%%"], capsys)
    assert code == 2 and err == "error: '--roe' must be a number (got '5%%')\n"
    answer = client.post("/api/target", json={"side": "long", "entry": 7000, "leverage": 10, "roe": "5%%"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["message"] == "'roe' must be a number (got '5%%')"


@pytest.mark.parametrize("roe", ["-1", "-100%", "-1.5"])
def test_an_roe_at_or_below_minus_100_percent_is_refused(roe: str, client: Any,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    # -100 % of the margin is lost at the bankruptcy price, which lies beyond the liquidation price.
    code, out, err = cli(["target", "--contract", "linear", "--side", "long", "--entry", "7000", "--leverage", "10",
                          "--roe", roe], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: '--roe' must be > -1 (-100 % is the bankruptcy price")
    answer = client.post("/api/target", json={"side": "long", "entry": 7000, "leverage": 10, "roe": roe})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["message"].startswith("'roe' must be > -1")


def test_an_roe_just_above_minus_100_percent_is_the_price_before_bankruptcy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["target", "--contract", "linear", "--side", "long", "--entry", "7000", "--leverage", "10",
                        "--roe", "-99%", "--json"], capsys)
    # 7,000 · (1 − 0.99/10) = 6,307
    assert code == 0 and json.loads(out) == {"target_price": 6307}


def test_an_roe_above_1000_percent_is_warned_as_a_likely_percentage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["target", "--contract", "linear", "--side", "long", "--entry", "7000", "--leverage", "10",
                          "--roe", "50", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == {"target_price": 42000}  # 7,000 · (1 + 50/10): computed as given, and warned
    assert err == "warning: --roe 50 is 5000 %; ROE is a fraction (0.5 = 50 %): for 50 % give --roe 50%\n"
    code, out, err = cli(["target", "--contract", "linear", "--side", "long", "--entry", "7000", "--leverage", "10",
                          "--roe", "10", "--json"], capsys)
    assert code == 0 and err == ""


def test_every_missing_option_is_named_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["plan", "--side", "long"], capsys)
    assert code == 2 and out == ""
    assert err == "error: missing options '--entry', '--stop', '--target', '--principal'.\n"
    code, out, err = cli(["plan", "--side", "long", "--entry", "1", "--stop", "2", "--target", "3"], capsys)
    assert err == "error: Missing option '--principal'.\n"


def test_the_api_names_every_missing_field_at_once(client: Any) -> None:
    answer = client.post("/api/plan", json={"side": "long"})
    assert answer.status_code == 422
    assert [item["message"] for item in answer.json()["detail"]] == [
        "'entry' is required", "'stop' is required", "'target' is required", "'principal' is required"]
