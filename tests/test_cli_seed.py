"""``contractcalc seed ...`` and ``contractcalc plan`` from the command line.

Expected figures are the seed document's examples (shared/reference/examples.md, S1-S8)
and hand calculations written next to them.
"""

from __future__ import annotations

from typing import Any

import pytest

SEED_COMMANDS = [
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
    (
        ["seed", "profit", "--contract", "inverse", "--side", "long", "--principal", "1000",
         "--leverage", "50", "--change", "0.1"],
        {"profit": 5500},
    ),
    # S7: −1 × 1000 × 50 × (−0.1) × 0.9
    (
        ["seed", "profit", "--contract", "coin", "--side", "short", "--principal", "1000",
         "--leverage", "50", "--change", "-0.1"],
        {"profit": 4500},
    ),
    # S8: 1000 × 50 × 0.02
    (
        ["seed", "profit", "--contract", "linear", "--side", "long", "--principal", "1000",
         "--leverage", "50", "--change", "0.02"],
        {"profit": 1000},
    ),
    (
        ["seed", "profit", "--contract", "usdt", "--side", "short", "--principal", "1000",
         "--leverage", "50", "--change", "0.02"],
        {"profit": -1000},
    ),
]


@pytest.mark.parametrize(("args", "expected"), SEED_COMMANDS)
def test_seed_commands_print_the_documents_numbers_as_json(cli: Any, args: list[str], expected: dict) -> None:
    result = cli(*args, "--json")
    assert result.code == 0, result.err
    assert result.json() == expected
    # exactly one JSON object, and the typed numbers print without binary noise
    assert result.out.count("\n") == 1
    assert "9999" not in result.out and "0000001" not in result.out


@pytest.mark.parametrize(("args", "expected"), SEED_COMMANDS)
def test_seed_commands_print_a_readable_table(cli: Any, args: list[str], expected: dict) -> None:
    result = cli(*args)
    assert result.code == 0, result.err
    (key, value), = expected.items()
    assert key in result.out
    assert f" {value:g} " in result.out.replace("│", " ")


PLAN = ["plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal", "1000"]


def test_plan_of_the_seed_example(cli: Any) -> None:
    result = cli(*PLAN, "--json")
    assert result.code == 0, result.err
    data = result.json()
    # 24000/20000 − 1 = 0.2; 15000/20000 − 1 = −0.25; 1/0.25 = 4x; 1/4 = 0.25
    assert data["target_change"] == 0.2
    assert data["stop_change"] == -0.25
    assert data["leverage"] == 4
    assert data["liquidation_change"] == 0.25
    # U-based: 1000 × 4 × 0.2 = 800; coin-based (seed): 800 × 1.2 = 960
    assert data["linear_profit"] == 800
    assert data["inverse_profit"] == 960
    assert data["stop_before_liquidation"] is True


def test_plan_warns_when_the_leverage_puts_liquidation_before_the_stop(cli: Any) -> None:
    result = cli(*PLAN, "--leverage", "5", "--json")
    data = result.json()
    # at 5x the seed's liquidation move is 1/5 = 20 %, the stop is 25 % away
    assert data["liquidation_change"] == 0.2
    assert data["stop_before_liquidation"] is False
    table = cli(*PLAN, "--leverage", "5")
    assert "WARNING" in table.out and "liquidated before the stop" in table.out


def test_plan_short_side(cli: Any) -> None:
    result = cli("plan", "--side", "short", "--entry", "1000", "--stop", "1100", "--target", "800",
                 "--principal", "100", "--json")
    data = result.json()
    # stop +10 % → 10x; target −20 %: U-based −1 × 100 × 10 × −0.2 = 200; coin 200 × 0.8 = 160
    assert data["leverage"] == 10
    assert data["linear_profit"] == 200
    assert data["inverse_profit"] == 160


BAD_INPUT = [
    (["seed", "liquidation-change", "--leverage", "0"], "error: '--leverage' must be > 0 (got 0)"),
    (["seed", "liquidation-change", "--leverage", "-3"], "error: '--leverage' must be > 0 (got -3)"),
    (["seed", "liquidation-change", "--leverage", "abc"], "error: '--leverage' must be a number (got 'abc')"),
    (["seed", "liquidation-change", "--leverage", "nan"], "error: '--leverage' must be finite (got NaN)"),
    (["seed", "liquidation-change", "--leverage", "inf"], "error: '--leverage' must be finite (got Infinity)"),
    (["seed", "target-change", "--open", "0", "--target", "1"], "error: '--open' must be > 0 (got 0)"),
    (["seed", "target-change", "--open", "-1000", "--target", "1"], "error: '--open' must be > 0 (got -1000)"),
    (["seed", "leverage", "--open", "100", "--stop", "100"], "error: '--stop' must differ from '--open' (got 100)"),
    (["seed", "leverage", "--stop-change", "-1"], "error: '--stop-change' must be > -1 (got -1)"),
    (
        ["seed", "profit", "--contract", "linear", "--side", "long", "--principal", "0", "--leverage", "5",
         "--change", "0.1"],
        "error: '--principal' must be > 0 (got 0)",
    ),
    (
        ["seed", "profit", "--contract", "linear", "--side", "long", "--principal", "10", "--leverage", "5",
         "--change", "-1"],
        "error: '--change' must be > -1 (got -1)",
    ),
    (
        ["seed", "profit", "--contract", "linear", "--side", "sideways", "--principal", "10", "--leverage", "5",
         "--change", "0.1"],
        "error: '--side' must be 'long' or 'short' (got 'sideways')",
    ),
    (
        ["seed", "profit", "--contract", "options", "--side", "long", "--principal", "10", "--leverage", "5",
         "--change", "0.1"],
        "error: '--contract' must be 'linear' or 'inverse' (or usdt, u, coin) (got 'options')",
    ),
    ([*PLAN[:6], "25000", *PLAN[7:]], "error: '--stop' must be on the loss side of '--entry'"),
    (["seed", "target-change", "--open", "1000"], "error: Missing option '--target'."),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_prints_one_line_and_exits_2(cli: Any, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(message)
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_installed_console_script_runs_the_plan(console_script: Any) -> None:
    result = console_script(*PLAN, "--json")
    assert result.code == 0, result.err
    assert result.json()["leverage"] == 4


def test_installed_console_script_reports_bad_input(console_script: Any) -> None:
    result = console_script("seed", "liquidation-change", "--leverage", "0")
    assert result.code == 2
    assert result.err == "error: '--leverage' must be > 0 (got 0)\n"
    assert result.out == ""


def test_help_works(console_script: Any) -> None:
    result = console_script("--help")
    assert result.code == 0
    assert "plan" in result.out and "seed" in result.out
