"""``contractcalc replay`` from the command line: the fixed flags and JSON keys, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

H = 3_600_000
ROWS = [
    [0, 10000, 10050, 9950, 10000, 5],
    [H, 10000, 10020, 9880, 9900, 7],
    [2 * H, 9900, 9950, 9800, 9820, 3],
]
KEYS = ["exit_reason", "exit_time", "exit_price", "pnl", "fees", "funding", "net_pnl", "bars_held",
        "liquidation_price"]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def y1(candles: str, *extra: str) -> list[str]:
    """Bybit's examples.md Y1 position: long 1 BTC at 10,000, 50x, MMR 0.5 % (liquidation 9,850)."""
    return ["replay", "--candles", candles, "--exchange", "bybit-linear", "--side", "long", "--quantity", "1",
            "--leverage", "50", "--maintenance-margin-rate", "0.005", *extra]


def test_stop_json(cli: Any, tmp_path: Path) -> None:
    candles = write(tmp_path, "c.json", json.dumps(ROWS))
    result = cli(*y1(candles, "--stop", "9900", "--fee-rate", "0.0006", "--json"))
    assert result.code == 0, result.err
    data = result.json()
    assert list(data) == KEYS
    # −100 on the stop, fees 0.0006 × (10,000 + 9,900) = 11.94
    assert data["exit_reason"] == "stop" and data["exit_time"] == H and data["bars_held"] == 2
    assert data["exit_price"] == 9900 and data["pnl"] == -100 and data["liquidation_price"] == 9850
    assert data["fees"] == pytest.approx(11.94) and data["net_pnl"] == pytest.approx(-111.94)


def test_csv_candles_mark_candles_and_funding(cli: Any, tmp_path: Path) -> None:
    candles = write(tmp_path, "c.csv", "timestamp,open,high,low,close\n" + "".join(
        f"{t},{o},{h},{lo},{c}\n" for t, o, h, lo, c, _ in ROWS))
    # the mark wicks to 9,840 in the second candle; the last price only to 9,880
    marks = write(tmp_path, "m.json", json.dumps([ROWS[0][:5], [H, 10000, 10020, 9840, 9900], ROWS[2][:5]]))
    rates = write(tmp_path, "f.csv", "timestamp,rate\n1800000,0.001\n3600000,0.002\n")
    data = cli(*y1(candles, "--mark-candles", marks, "--funding", rates, "--fee-rate", "0", "--json")).json()
    assert (data["exit_reason"], data["exit_time"], data["exit_price"], data["pnl"]) == ("liquidation", H, 9850,
                                                                                         -200)
    # funding at 0.5 h (value at candle 0's mark open 10,000) and at 1 h, the exit candle's start (10,000)
    assert data["funding"] == pytest.approx(10000 * 0.001 + 10000 * 0.002)
    assert data["net_pnl"] == pytest.approx(-230)


def test_target_short_and_default_entry(cli: Any, tmp_path: Path) -> None:
    candles = write(tmp_path, "c.json", json.dumps(ROWS))
    data = cli("replay", "--candles", candles, "--exchange", "binance-usdm", "--side", "short", "--quantity", "2",
               "--leverage", "5", "--maintenance-margin-rate", "0.004", "--target", "9850", "--stop", "10100",
               "--intrabar", "optimistic", "--json").json()
    # short 2 at the first open 10,000; target 9,850 reached in the third candle: 2 × 150 = 300
    assert (data["exit_reason"], data["exit_price"], data["pnl"], data["bars_held"]) == ("target", 9850, 300, 3)
    # Binance USDⓈ-M taker 0.05 % on 20,000 and on 19,700
    assert data["fees"] == pytest.approx(0.0005 * (20000 + 19700))


def test_readable_table(cli: Any, tmp_path: Path) -> None:
    candles = write(tmp_path, "c.json", json.dumps(ROWS))
    result = cli(*y1(candles))
    assert result.code == 0, result.err
    assert "liquidation" in result.out and "9850" in result.out
    assert "Exit candle opened 1970-01-01 02:00:00 UTC" in result.out


BAD_CANDLES = [
    ("[]", "error: '--candles' must hold at least one candle row (got [])"),
    ("[[0, 1, 2, 0]]", "error: '--candles' row 0 is too short"),
    ('[[0, "x", 2, 0, 1]]', "error: '--candles' row 0 must hold numbers only"),
    ("[[0, 1, 2, 0, NaN]]", "error: '--candles' must be valid JSON without NaN"),
    ("timestamp,open,high,low,close\n0,1,2,0,nan\n", "error: '--candles' row 0 must hold finite numbers"),
    ("[[0, 1, 2, 0, 1], [0, 1, 2, 0, 1]]", "error: '--candles' row 1 must have a timestamp after the previous"),
    ("[[0, 1, 2, 3, 1]]", "error: '--candles' row 0 must have low <= open, close <= high"),
    ("[[0, 5, 4, 0, 1]]", "error: '--candles' row 0 must have low <= open, close <= high"),
    ("", "error: '--candles' must have a CSV header"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CANDLES)
def test_bad_candles_are_one_line(cli: Any, tmp_path: Path, text: str, message: str) -> None:
    result = cli(*y1(write(tmp_path, "c.json", text), "--entry", "1"))
    assert result.code == 2
    assert result.err.startswith(message) and result.err.count("\n") == 1 and result.out == ""


@pytest.mark.parametrize(("extra", "message"), [
    (["--stop", "10100"], "error: '--stop' must be below the entry (10000) for a long (got 10100)"),
    (["--target", "9000"], "error: '--target' must be above the entry (10000) for a long (got 9000)"),
    (["--intrabar", "worst"], "error: '--intrabar' must be 'pessimistic', 'optimistic' or 'nearest-first'"),
    (["--fee-rate", "abc"], "error: '--fee-rate' must be a number (got 'abc')"),
    (["--stop", "0"], "error: '--stop' must be > 0 (got 0)"),
])
def test_bad_flags_are_one_line(cli: Any, tmp_path: Path, extra: list[str], message: str) -> None:
    result = cli(*y1(write(tmp_path, "c.json", json.dumps(ROWS)), *extra))
    assert result.code == 2
    assert result.err.startswith(message) and result.err.count("\n") == 1


@pytest.mark.parametrize(("text", "message"), [
    ("[[0, 0.1], [0, 0.1]]", "error: '--funding' row 1 must have a timestamp after the previous row's (0)"),
    ("[[0]]", "error: '--funding' row 0 is too short"),
    ("timestamp,rate\n0,x\n", "error: '--funding' row 0 must hold numbers only"),
])
def test_bad_funding_is_one_line(cli: Any, tmp_path: Path, text: str, message: str) -> None:
    result = cli(*y1(write(tmp_path, "c.json", json.dumps(ROWS)), "--funding", write(tmp_path, "f.json", text)))
    assert result.code == 2
    assert result.err.startswith(message) and result.err.count("\n") == 1


def test_bad_mark_candles_name_the_flag(cli: Any, tmp_path: Path) -> None:
    candles = write(tmp_path, "c.json", json.dumps(ROWS))
    marks = write(tmp_path, "m.json", json.dumps([[0, 1, 2, 0, 1], [1, 1, 0, 2, 1]]))
    result = cli(*y1(candles, "--mark-candles", marks))
    assert result.code == 2 and result.err.startswith("error: '--mark-candles' row 1 must have low <= open")


def test_freqtrade_folder(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "futures").mkdir()
    (tmp_path / "futures" / "BTC_USDT_USDT-1h-futures.json").write_text(json.dumps(ROWS))
    data = cli("replay", "--candles", str(tmp_path), "--symbol", "BTC/USDT:USDT", "--timeframe", "1h",
               "--exchange", "bybit-linear", "--side", "long", "--quantity", "1", "--leverage", "50",
               "--maintenance-margin-rate", "0.005", "--stop", "9900", "--json").json()
    assert data["exit_reason"] == "stop"
    result = cli("replay", "--candles", str(tmp_path), "--exchange", "bybit-linear", "--side", "long",
                 "--quantity", "1", "--leverage", "50", "--maintenance-margin-rate", "0.005")
    assert result.code == 2 and result.err.startswith("error: '--symbol' is required when '--candles' is a freqtrade")


def test_console_script(console_script: Any, tmp_path: Path) -> None:
    result = console_script(*y1(write(tmp_path, "c.json", json.dumps(ROWS)), "--stop", "9900", "--json"))
    assert result.code == 0 and json.loads(result.out)["exit_reason"] == "stop"


def test_the_readme_shows_real_runs(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``$ contractcalc replay`` line of the README and what it printed (JSON, or the one-line error)."""
    import itertools
    import shlex

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)  # the README's paths are relative to the checkout
    lines = (root / "README.md").read_text("utf-8").splitlines()
    runs = 0
    for line, printed in itertools.pairwise(lines):
        if not line.startswith("$ contractcalc replay "):
            continue
        result = cli(*shlex.split(line)[2:])
        if line.endswith("--json"):
            assert result.code == 0, result.err
            assert result.json() == json.loads(printed), line
        else:
            assert result.code == 2 and result.err.strip() == printed, line
        runs += 1
    assert runs >= 4


def test_the_cli_names_the_engines_policies() -> None:
    from contractcalc.engines.replay import INTRABAR_POLICIES
    from contractcalc.interfaces import schema

    assert schema.INTRABAR_POLICIES == INTRABAR_POLICIES
