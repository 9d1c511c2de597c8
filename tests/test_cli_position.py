"""``pnl``, ``target``, ``average-entry``, ``cost``, ``size``, ``max-open`` and the exact ``plan`` figures
from the command line: with and without ``--json``, in-process and through the console script.

Expected figures are examples.md rows (cited) or hand calculations written next to them.
"""

from __future__ import annotations

from typing import Any

import pytest

PNL_LINEAR = ["pnl", "--contract", "linear", "--side", "long", "--entry", "7000", "--exit", "7500",
              "--quantity", "0.2", "--leverage", "10"]
PNL_INVERSE = ["pnl", "--contract", "inverse", "--side", "long", "--entry", "5000", "--exit", "5500",
               "--contracts", "1000", "--contract-size", "1"]


def test_pnl_linear_json(cli: Any) -> None:
    # Y16: 0.2 × (7,500 − 7,000) = 100 USDT; 10x: IM 140, ROE 100/140; fees 0.05 %: 0.7 + 0.75
    result = cli(*PNL_LINEAR, "--open-fee-rate", "0.0005", "--close-fee-rate", "0.0005", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert list(data) == ["pnl", "initial_margin", "roe", "notional", "fees", "funding", "net_pnl",
                          "breakeven_price"]
    assert data["pnl"] == 100 and data["initial_margin"] == 140 and data["notional"] == 1400
    assert data["roe"] == pytest.approx(100 / 140, rel=1e-15)
    assert data["fees"] == 1.45 and data["net_pnl"] == 98.55 and data["funding"] == 0
    assert result.out.count("\n") == 1


def test_pnl_inverse_json(cli: Any) -> None:
    # Y19: 1,000 × (1/5,000 − 1/5,500) BTC; no leverage given: no margin, no ROE
    data = cli(*PNL_INVERSE, "--json").json()
    assert data["pnl"] == pytest.approx(1000 / 5000 - 1000 / 5500, rel=1e-15)
    assert data["initial_margin"] is None and data["roe"] is None
    assert data["notional"] == 0.2  # 1,000 USD / 5,000


def test_pnl_table_shows_roe_as_percent_and_the_units(cli: Any) -> None:
    result = cli(*PNL_LINEAR)
    assert result.code == 0, result.err
    text = result.out.replace("│", " ")
    assert " 100 " in text and " 140 " in text
    assert "71.4285714286 %" in text  # 100 / 140
    assert "quote currency" in result.out
    assert "base coin" in cli(*PNL_INVERSE).out


def test_pnl_with_an_exchange_preset(cli: Any) -> None:
    # binance-coinm BTCUSD: 10 contracts × 100 USD @ 10,104 → 0.0989707 BTC; taker 0.05 % each way (B3)
    data = cli("pnl", "--exchange", "binance-coinm", "--symbol", "BTCUSD_PERP", "--side", "long",
               "--entry", "10104", "--exit", "10104", "--contracts", "10", "--json").json()
    assert data["notional"] == pytest.approx(1000 / 10104, rel=1e-15)
    assert data["fees"] == pytest.approx(2 * 0.000049485, abs=1e-9)


def test_funding_flags(cli: Any) -> None:
    # short 1 BTC @ 10,000, funding +0.01 % × 3 at the entry: receives 3 USDT
    data = cli("pnl", "--contract", "linear", "--side", "short", "--entry", "10000", "--exit", "10000",
               "--quantity", "1", "--funding-rate", "0.0001", "--funding-intervals", "3", "--json").json()
    assert data["funding"] == -3 and data["net_pnl"] == 3


def test_target(cli: Any) -> None:
    # linear long 10,000 at 10x for +50 %: 10,000 × 1.05; inverse: 10,000 / 0.95
    assert cli("target", "--contract", "linear", "--side", "long", "--entry", "10000", "--leverage", "10",
               "--roe", "0.5", "--json").json() == {"target_price": 10500}
    data = cli("target", "--contract", "inverse", "--side", "long", "--entry", "10000", "--leverage", "10",
               "--roe", "0.5", "--json").json()
    assert data["target_price"] == pytest.approx(10000 / 0.95, rel=1e-15)
    assert "10526.3157895" in cli("target", "--contract", "inverse", "--side", "long", "--entry", "10000",
                                  "--leverage", "10", "--roe", "0.5").out


def test_average_entry(cli: Any) -> None:
    # Y13 and Y15
    assert cli("average-entry", "--contract", "linear", "--fill", "0.5@5000", "--fill", "0.3@6000",
               "--json").json() == {"average_entry": 5375, "total_size": 0.8}
    assert cli("average-entry", "--contract", "inverse", "--fill", "50@10000", "--fill", "50@15000",
               "--json").json() == {"average_entry": 12000, "total_size": 100}
    assert " 5375 " in cli("average-entry", "--contract", "linear", "--fill", "0.5@5000", "--fill",
                           "0.3@6000").out.replace("│", " ")


def test_cost(cli: Any) -> None:
    # Y6: 160 + 6 + 5.88 = 171.88 at BP 7,840
    data = cli("cost", "--contract", "linear", "--side", "long", "--entry", "8000", "--leverage", "50",
               "--quantity", "1", "--fee-rate", "0.00075", "--json").json()
    assert data == {"initial_margin": 160, "open_loss": 0, "open_fee": 6, "close_fee": 5.88,
                    "bankruptcy_price": 7840, "cost": 171.88}
    # B2: short 1 BTC @ 9,253.30, mark 9,259.84: open loss 6.54
    data = cli("cost", "--exchange", "binance-usdm", "--side", "short", "--entry", "9253.30", "--leverage", "20",
               "--quantity", "1", "--mark", "9259.84", "--fee-rate", "0", "--json").json()
    assert data["open_loss"] == 6.54 and data["cost"] == 469.205


def test_size(cli: Any) -> None:
    # 10,000 × 1 % = 100 over 1,000 per BTC → 0.1 BTC, notional 5,000, 0.5x; target 53,000: 3 : 1
    args = ["size", "--contract", "linear", "--side", "long", "--balance", "10000", "--risk-rate", "0.01",
            "--entry", "50000", "--stop", "49000", "--target", "53000"]
    assert cli(*args, "--json").json() == {"quantity": 0.1, "notional": 5000, "risk_amount": 100,
                                           "leverage_needed": 0.5, "reward_risk_ratio": 3}
    assert "round down" in cli(*args).out


def test_max_open_and_its_help_shows_the_presets(cli: Any) -> None:
    assert cli("max-open", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--balance", "10000",
               "--leverage", "20", "--entry", "50000", "--json").json() == {"max_quantity": 4, "max_notional": 200000}
    help_text = cli("max-open", "--help").out
    for name in ("binance-usdm-BTCUSDT-2024-10", "binance-usdm-BTCUSDT-2021-03-18", "bybit-linear-BTCUSDT",
                 "binance-coinm-BTCUSD-reconstructed"):
        assert name in help_text
    assert "2021-03-18" in help_text and "leverageBracket" in help_text


def test_max_open_with_a_tier_file(cli: Any, tmp_path: Any) -> None:
    import json

    from contractcalc.venues.tiers import Y23_TIERS

    path = tmp_path / "tiers.json"
    path.write_text(json.dumps(Y23_TIERS))
    # Y23's tiers: 30x is allowed up to tier 3 (33x, up to 3,000): 1,000 × 30 capped at 3,000 → 3 units @ 1,000
    assert cli("max-open", "--contract", "linear", "--tiers", str(path), "--balance", "1000", "--leverage", "30",
               "--entry", "1000", "--json").json() == {"max_quantity": 3, "max_notional": 3000}


def test_plan_shows_the_exact_figures_beside_the_seeds(cli: Any) -> None:
    args = ["plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000",
            "--principal", "1000"]
    data = cli(*args, "--json").json()
    # the seed's keys, unchanged (S5: 4x; 960 coin-based by the seed)
    assert data["leverage"] == 4 and data["inverse_profit"] == 960 and data["liquidation_change"] == 0.25
    # exact: face 4,000 USD × (1/20,000 − 1/24,000) = 1/30 BTC, worth 800 at 24,000; bankruptcy 1/(4+1)
    assert data["inverse_profit_exact_coin"] == pytest.approx(1 / 30, rel=1e-15)
    assert data["inverse_profit_exact_value"] == 800
    assert data["inverse_bankruptcy_change"] == 0.2
    table = cli(*args).out
    assert "Inverse profit: the seed values" in table and "Bankruptcy move: the seed's 1/L" in table


BAD_INPUT = [
    (["average-entry", "--contract", "linear", "--fill", "0.5@5000", "--fill", "0.3x6000"],
     "error: '--fill' must be SIZE@PRICE, e.g. 0.5@5000 (got '0.3x6000' at index 1)"),
    (["size", "--contract", "linear", "--side", "long", "--balance", "1000", "--risk-rate", "1.5", "--entry", "100",
      "--stop", "90"], "error: '--risk-rate' must be in (0, 1] (got 1.5)"),
    (["size", "--contract", "linear", "--side", "long", "--balance", "1000", "--risk-rate", "0", "--entry", "100",
      "--stop", "90"], "error: '--risk-rate' must be in (0, 1] (got 0)"),
    (["size", "--contract", "linear", "--side", "short", "--balance", "1000", "--risk-rate", "0.01", "--entry", "100",
      "--stop", "90"],
     "error: '--stop' must be on the loss side of '--entry' (below for a long, above for a short) (got 90)"),
    (["max-open", "--exchange", "binance-usdm", "--symbol", "ETH/USDT:USDT", "--tiers",
      "binance-usdm-BTCUSDT-2024-10", "--balance", "1", "--leverage", "1", "--entry", "1"],
     "error: '--symbol' is not in the tier file (it holds BTC/USDT:USDT) (got 'ETH/USDT:USDT')"),
    (["max-open", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--balance", "1000", "--leverage",
      "150", "--entry", "1"], "error: '--leverage' must be <= 125, the cap of tier 1 (notional 0–50000, max 125x) "
                              "(got 150)"),
    (["pnl", "--contract", "linear", "--side", "long", "--entry", "abc", "--exit", "1", "--quantity", "1"],
     "error: '--entry' must be a number (got 'abc')"),
    (["pnl", "--contract", "inverse", "--side", "long", "--entry", "1", "--exit", "1", "--contracts", "1"],
     "error: '--contract-size' is required with '--contracts'"),
    (["pnl", "--side", "long", "--entry", "1", "--exit", "1", "--quantity", "1"],
     "error: '--contract' is required: 'linear' or 'inverse' (or give '--exchange')"),
    (["cost", "--exchange", "binance-coinm", "--side", "long", "--entry", "1", "--leverage", "1", "--contracts",
      "1"], "error: '--symbol' is required to pick the contract size on binance-coinm (BTC 100, others 10), or give "
            "'--contract-size'"),
    (["target", "--contract", "inverse", "--side", "long", "--entry", "100", "--leverage", "10", "--roe", "10"],
     "error: '--roe' must be < leverage for an inverse long (the price would be infinite) (got 10)"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_line_and_exit_2(cli: Any, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.err == message + "\n"
    assert result.out == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([*PNL_LINEAR, "--json"], {"pnl": 100, "initial_margin": 140}),
        (["average-entry", "--contract", "linear", "--fill", "0.5@5000", "--fill", "0.3@6000", "--json"],
         {"average_entry": 5375}),
        (["max-open", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--balance", "10000",
          "--leverage", "20", "--entry", "50000", "--json"], {"max_notional": 200000}),
    ],
)
def test_through_the_installed_console_script(console_script: Any, args: list[str], expected: dict) -> None:
    result = console_script(*args)
    assert result.code == 0, result.err
    data = result.json()
    assert {key: data[key] for key in expected} == expected


def test_console_script_bad_input(console_script: Any) -> None:
    result = console_script("size", "--contract", "linear", "--side", "long", "--balance", "1000", "--risk-rate",
                            "2", "--entry", "100", "--stop", "90")
    assert result.code == 2
    assert result.err.strip().splitlines() == ["error: '--risk-rate' must be in (0, 1] (got 2)"]


MY_COMMANDS = ("pnl", "target", "average-entry", "cost", "size", "max-open", "plan", "seed")


def readme_json_examples() -> list[tuple[list[str], str]]:
    """``$ contractcalc <command> ... --json`` lines of the README and the line printed below each."""
    import itertools
    import shlex
    from pathlib import Path

    lines = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8").splitlines()
    found = []
    for line, printed in itertools.pairwise(lines):
        if line.startswith("$ contractcalc ") and line.endswith("--json"):
            args = shlex.split(line)[2:]
            if args[0] in MY_COMMANDS:
                found.append((args, printed))
    return found


def test_the_readme_shows_a_real_run_of_each_command(cli: Any) -> None:
    import json

    examples = readme_json_examples()
    assert {args[0] for args, _ in examples} == set(MY_COMMANDS)
    for args, printed in examples:
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert result.json() == json.loads(printed), args
