"""``contractcalc risk`` (and plan/size with --volatility/--horizon) from the command line, in-process."""

from __future__ import annotations

import math
from typing import Any

import pytest

from contractcalc.engines.risk import RESULT_KEYS

BASE = ["risk", "--side", "long", "--volatility", "0.8", "--horizon", "24h", "--price", "10000"]


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def test_liquidation_probability_json(cli: Any) -> None:
    result = cli(*BASE, "--liquidation-price", "9850", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert tuple(data) == RESULT_KEYS
    # the formula with ν = −σ²/2, b = ln(0.985), T = 1/365
    b, nu, root = math.log(0.985), -0.32, 0.8 * math.sqrt(1 / 365)
    expected = phi((b - nu / 365) / root) + math.exp(2 * nu * b / 0.64) * phi((b + nu / 365) / root)
    assert data["liquidation_probability"] == pytest.approx(expected, abs=1e-14)
    assert data["stop_probability"] is None and data["standard_error"] is None
    assert data["horizon_years"] == pytest.approx(1 / 365)


def test_liquidation_flags_compute_the_price(cli: Any) -> None:
    data = cli("risk", "--side", "long", "--volatility", "0.8", "--horizon", "7d", "--exchange", "binance-usdm",
               "--entry", "60000", "--quantity", "4.4", "--leverage", "10", "--tiers",
               "binance-usdm-BTCUSDT-2021-03-18", "--json").json()
    assert data["liquidation_price"] == pytest.approx(54259.93604385564)  # the README's liquidation example


def test_stop_and_target_monte_carlo(cli: Any) -> None:
    closed = cli(*BASE, "--stop", "9700", "--target", "10400", "--json").json()
    mc = cli(*BASE, "--stop", "9700", "--target", "10400", "--method", "monte-carlo", "--paths", "20000",
             "--seed", "4", "--json").json()
    assert closed["stop_probability"] + closed["target_probability"] + closed["neither_probability"] == (
        pytest.approx(1))
    assert mc["standard_error"] > 0
    assert abs(mc["stop_probability"] - closed["stop_probability"]) < 4 * mc["standard_error"]


def test_readable_table(cli: Any) -> None:
    result = cli(*BASE, "--stop", "9700")
    assert result.code == 0, result.err
    assert "stop_probability" in result.out and "Risk (closed-form" in result.out


def test_candles_give_the_volatility(cli: Any, tmp_path: Any) -> None:
    path = tmp_path / "c.json"
    path.write_text("[[0, 100, 106, 98, 104, 1], [86400000, 104, 108, 100, 101, 1], [172800000, 101, 104, 97, 103, 1]]")
    data = cli("risk", "--side", "long", "--horizon", "1d", "--price", "100", "--stop", "95", "--candles",
               str(path), "--volatility-estimator", "parkinson", "--json").json()
    var = sum(math.log(h / lo) ** 2 for h, lo in ((106, 98), (108, 100), (104, 97))) / (4 * math.log(2) * 3)
    assert data["volatility"] == pytest.approx(math.sqrt(var * 365), rel=1e-12)


@pytest.mark.parametrize(("args", "message"), [
    (["--volatility", "0"], "error: '--volatility' must be > 0 (got 0)"),
    (["--horizon", "24"], "error: '--horizon' must be a duration with a unit (s, m, h, d, w), e.g. 24h (got '24')"),
    (["--horizon", "-1h"], "error: '--horizon' must be a duration with a unit (s, m, h, d, w), e.g. 24h (got '-1h')"),
    (["--horizon", "0d"], "error: '--horizon' must be > 0 (got '0d')"),
    (["--stop", "10100"], "error: '--stop' must be below the price for a long (got 10100)"),
    (["--target", "9000"], "error: '--target' must be above the price for a long (got 9000)"),
    (["--liquidation-price", "10500"], "error: '--liquidation-price' must be below the price for a long (got 10500)"),
    (["--method", "magic", "--stop", "9000"], "error: '--method' must be closed-form or monte-carlo (got 'magic')"),
    (["--monitoring", "often", "--stop", "9000"],
     "error: '--monitoring' must be 'continuous' or a duration like 1h (got 'often')"),
    (["--method", "monte-carlo", "--paths", "0", "--stop", "9000"], "error: '--paths' must be > 0 (got 0)"),
    (["--candles", "x.csv", "--volatility-estimator", "guess", "--stop", "9000"],
     "error: '--volatility-estimator' must be one of close-to-close, parkinson, garman-klass, rogers-satchell, "
     "yang-zhang (got 'guess')"),
    ([], "error: '--liquidation-price' or a stop or a target is required: give at least one barrier"),
])
def test_bad_input_is_one_line_and_exit_2(cli: Any, args: list[str], message: str) -> None:
    merged = list(BASE)
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in merged:
            merged[merged.index(flag) + 1] = value
        else:
            merged += [flag, value]
    result = cli(*merged)
    assert result.code == 2
    assert result.err.strip() == message
    assert result.out == ""


def test_plan_with_volatility_and_horizon(cli: Any) -> None:
    data = cli("plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal",
               "1000", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--volatility", "0.8", "--horizon",
               "30d", "--json").json()
    pair = cli("risk", "--side", "long", "--volatility", "0.8", "--horizon", "30d", "--price", "20000", "--stop",
               str(data["liquidation_price"]), "--target", "24000", "--json").json()
    assert data["stop_first_probability"] == 0  # liquidated before the stop (the README's plan example)
    assert data["liquidation_first_probability"] == pytest.approx(pair["stop_probability"], abs=1e-12)
    assert data["target_first_probability"] == pytest.approx(pair["target_probability"], abs=1e-12)


def test_size_with_volatility_and_horizon(cli: Any) -> None:
    data = cli("size", "--contract", "linear", "--side", "long", "--balance", "10000", "--risk-rate", "0.01",
               "--entry", "50000", "--stop", "49000", "--target", "53000", "--volatility", "0.6", "--horizon", "7d",
               "--json").json()
    pair = cli("risk", "--side", "long", "--volatility", "0.6", "--horizon", "7d", "--price", "50000", "--stop",
               "49000", "--target", "53000", "--json").json()
    assert data["stop_first_probability"] == pytest.approx(pair["stop_probability"], abs=1e-15)
    assert data["liquidation_first_probability"] is None


def test_readme_risk_lines(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``$ contractcalc risk`` line of the README and what it printed (JSON, or the one-line error)."""
    import itertools
    import json
    import shlex
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)  # the README's paths are relative to the checkout
    lines = (root / "README.md").read_text("utf-8").splitlines()
    runs = 0
    for line, printed in itertools.pairwise(lines):
        if not line.startswith(("$ contractcalc risk ", "$ contractcalc plan ")) or "--horizon" not in line:
            continue
        result = cli(*shlex.split(line)[2:])
        if line.endswith("--json"):
            assert result.code == 0, result.err
            assert result.json() == pytest.approx(json.loads(printed), abs=1e-12), line
        else:
            assert result.code == 2 and result.err.strip() == printed, line
        runs += 1
    assert runs >= 8
