"""``contractcalc liquidation`` from the command line (in-process, and a few through the console script).

Figures: examples.md Y1-Y3 (Bybit), B6/B7 (Binance tiers), and the hand
calculations of tests/test_liquidation.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contractcalc import liquidation_price

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "positions-cross.json")
Y1 = ["liquidation", "--exchange", "bybit-linear", "--side", "long", "--entry", "10000", "--quantity", "1",
      "--leverage", "50", "--maintenance-margin-rate", "0.005"]


def test_y1_json(cli: Any) -> None:
    result = cli(*Y1, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["liquidation_price"] == 9850  # Y1
    assert data["bankruptcy_price"] == 9800  # Y5
    assert set(data) == set(liquidation_price("bybit-linear", "long", 10000, quantity=1, leverage=50,
                                              maintenance_margin_rate=0.005))


def test_y2_y3_json(cli: Any) -> None:
    y2 = cli("liquidation", "--exchange", "bybit-linear", "--side", "short", "--entry", "8000", "--quantity", "1",
             "--leverage", "40", "--maintenance-margin-rate", "0.005", "--json").json()
    assert y2["liquidation_price"] == 8160
    y3 = cli("liquidation", "--exchange", "bybit-linear", "--side", "long", "--entry", "20000", "--quantity", "1",
             "--leverage", "50", "--maintenance-margin-rate", "0.005", "--json").json()
    assert (y3["initial_margin"], y3["maintenance_margin"], y3["liquidation_price"]) == (400, 100, 19700)


def test_readable_output_shows_the_inputs_of_the_formula(cli: Any) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "60000",
                 "--quantity", "4.4", "--leverage", "10", "--tiers", "binance-usdm-BTCUSDT-2021-03-18",
                 "--mark", "59000")
    assert result.code == 0, result.err
    out = result.out
    for text in ("liquidation_price", "54259.936", "maintenance_margin_rate", "0.5 %", "tier_at_entry",
                 "distance_to_liquidation", "margin_ratio", "binance formula", "not the tier at entry"):
        assert text in out, text


def test_no_liquidation_says_why(cli: Any) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "100",
                 "--quantity", "1", "--leverage", "1", "--maintenance-margin-rate", "0.004")
    assert result.code == 0
    assert "no liquidation by price" in result.out and "—" in result.out
    data = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "100",
               "--quantity", "1", "--leverage", "1", "--maintenance-margin-rate", "0.004", "--json").json()
    assert data["liquidation_price"] is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # every exchange from the CLI (hand calculations in tests/test_liquidation.py)
        (["--exchange", "binance-usdm", "--side", "short", "--entry", "10000", "--quantity", "1", "--leverage",
          "20", "--maintenance-margin-rate", "0.004"], 10500 / 1.004),
        (["--exchange", "binance-coinm", "--side", "long", "--entry", "25000", "--contracts", "100", "--symbol",
          "BTC/USD:BTC", "--leverage", "20", "--maintenance-margin-rate", "0.004"], 10040 / 0.42),
        (["--exchange", "okx-linear", "--side", "long", "--entry", "50000", "--quantity", "1", "--leverage", "10",
          "--maintenance-margin-rate", "0.004", "--taker-fee-rate", "0.0005"], 45000 / 0.9955),
        (["--exchange", "okx-inverse", "--side", "short", "--entry", "50000", "--contracts", "100",
          "--contract-size", "100", "--leverage", "10", "--maintenance-margin-rate", "0.005",
          "--taker-fee-rate", "0.0005"], 55250),
        (["--exchange", "bybit-inverse", "--side", "long", "--entry", "50000", "--contracts", "60000",
          "--leverage", "10", "--maintenance-margin-rate", "0.005"], 60000 / 1.314),
        (["--exchange", "hyperliquid", "--side", "long", "--entry", "3000", "--quantity", "1", "--leverage", "10",
          "--max-leverage", "50"], 2700 / 0.99),
        (["--exchange", "binance-usdm", "--side", "long", "--entry", "10000", "--quantity", "1",
          "--margin-mode", "cross", "--wallet-balance", "2000", "--maintenance-margin-rate", "0.004"], 8000 / 0.996),
        (["--exchange", "bybit-linear", "--side", "long", "--entry", "10000", "--quantity", "1", "--leverage", "50",
          "--maintenance-margin-rate", "0.005", "--extra-margin", "100"], 9750),
    ],
)
def test_every_exchange(cli: Any, args: list[str], expected: float) -> None:
    result = cli("liquidation", *args, "--json")
    assert result.code == 0, result.err
    assert result.json()["liquidation_price"] == pytest.approx(expected, rel=1e-12)


def test_cross_positions_file(cli: Any) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", "--margin-mode", "cross", "--wallet-balance", "5000",
                 "--positions", EXAMPLE, "--tiers", "binance-usdm-BTCUSDT-2024-10", "--json")
    assert result.code == 0, result.err
    data = result.json()
    rows = data["positions"]
    assert [row["symbol"] for row in rows] == ["BTC/USDT:USDT", "BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"]
    assert rows[0]["liquidation_price"] == rows[1]["liquidation_price"] == pytest.approx(15064 / 0.2972)
    assert data["margin_balance"] == 4400
    table = cli("liquidation", "--exchange", "binance-usdm", "--wallet-balance", "5000", "--positions", EXAMPLE,
                "--tiers", "binance-usdm-BTCUSDT-2024-10")
    assert table.code == 0 and "SOL/USDT:USDT" in table.out and "share one liquidation price" in table.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--leverage", "0"], "error: '--leverage' must be > 0 (got 0)"),
        (["--entry", "nan"], "error: '--entry' must be finite (got NaN)"),
        (["--entry", "-5"], "error: '--entry' must be > 0 (got -5)"),
        (["--quantity", "0"], "error: '--quantity' must be > 0 (got 0)"),
        (["--quantity", "abc"], "error: '--quantity' must be a number (got 'abc')"),
        (["--exchange", "ftx"], "error: '--exchange' must be one of"),
        (["--taker-fee-rate", "0.001"], "error: '--taker-fee-rate' is not part of bybit-linear's liquidation formula"),
    ],
)
def test_bad_input(cli: Any, args: list[str], expected: str) -> None:
    argv = list(Y1)
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    result = cli(*argv)
    assert result.code == 2
    assert result.err.startswith(expected), result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_tier_errors(cli: Any, tmp_path: Path) -> None:
    base = ["liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "60000", "--quantity", "4.4",
            "--tiers", "binance-usdm-BTCUSDT-2021-03-18"]
    cap = cli(*base, "--leverage", "75")
    assert cap.code == 2
    assert cap.err == (
        "error: '--leverage' must be <= 50, the cap of tier 3 (notional 250000–1000000, max 50x) (got 75)\n"
    )
    missing = cli(*base, "--leverage", "10", "--symbol", "ETH/USDT:USDT")
    assert missing.code == 2 and missing.err.startswith("error: '--symbol' is not in the tier file")


def test_positions_errors(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{]")
    result = cli("liquidation", "--exchange", "binance-usdm", "--wallet-balance", "1000", "--positions", str(bad))
    assert result.code == 2 and result.err.startswith("error: '--positions' must be valid JSON")
    missing = cli("liquidation", "--exchange", "binance-usdm", "--wallet-balance", "1000", "--positions",
                  str(tmp_path / "none.json"))
    assert missing.code == 2 and missing.err.startswith("error: '--positions' must be a readable JSON file")
    no_wallet = cli("liquidation", "--exchange", "binance-usdm", "--positions", EXAMPLE)
    assert no_wallet.code == 2 and no_wallet.err.startswith("error: '--wallet-balance' is required")


def test_console_script(console_script: Any) -> None:
    ok = console_script(*Y1, "--json")
    assert ok.code == 0 and ok.json()["liquidation_price"] == 9850
    bad = console_script(*Y1[:-1], "2")
    assert bad.code == 2
    assert bad.err == "error: '--maintenance-margin-rate' must be < 1 (got 2)\n"
    cross = console_script("liquidation", "--exchange", "binance-usdm", "--wallet-balance", "5000", "--positions",
                           EXAMPLE, "--tiers", "binance-usdm-BTCUSDT-2024-10", "--json")
    assert cross.code == 0 and len(cross.json()["positions"]) == 4


def test_the_readme_shows_real_runs(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools
    import json
    import shlex

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)  # the README's paths are relative to the checkout
    lines = (root / "README.md").read_text("utf-8").splitlines()
    runs = [(shlex.split(line)[2:], printed) for line, printed in itertools.pairwise(lines)
            if line.startswith("$ contractcalc liquidation ")]
    assert len(runs) >= 4
    for args, printed in runs:
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        if args[-1] == "--json":
            assert result.json() == json.loads(printed), args
        else:  # the cross table: every row of the README's copy is in the real output
            start = lines.index("$ contractcalc " + shlex.join(args))
            shown = list(itertools.takewhile(lambda line: line != "```", lines[start + 1:]))
            for row in shown[4:8]:
                assert row in result.out, row


def test_labels_follow_the_mark_given(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per row: the labels are not wrapped
    # long 1 @ 55,000, margin 5,200: LP 50,000; at a mark of 40,000 the balance is 5,200 − 15,000 < 0,
    # so there is no margin ratio, but the mark was given (the labels said "give --mark", "ref: entry")
    args = ["liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "55000", "--quantity", "1",
            "--wallet-balance", "5200", "--tiers", "binance-usdm-BTCUSDT-2021-03-18"]
    with_mark = cli(*args, "--mark", "40000")
    assert with_mark.code == 0, with_mark.err
    assert "give --mark" not in with_mark.out and "(ref: mark)" in with_mark.out
    assert "margin balance <= 0 at mark" in with_mark.out
    assert "liquidated at this mark" in with_mark.out
    without = cli(*args)
    assert "give --mark" in without.out and "(ref: entry)" in without.out


def test_tier_row_names_the_table_found_by_symbol(cli: Any) -> None:
    """A table found by --symbol is not "a rate given directly"; a rate given directly still says so."""
    found = cli("liquidation", "--exchange", "bybit-linear", "--symbol", "ETHUSDT", "--side", "long",
                "--entry", "3000", "--quantity", "10", "--leverage", "20")
    assert found.code == 0, found.err
    words = " ".join(found.out.split())  # the notes wrap at the terminal's width
    assert "rate given directly" not in words and "found by --symbol ETHUSDT" in words
    given = cli(*Y1)
    assert given.code == 0, given.err
    assert "rate given directly" in given.out
