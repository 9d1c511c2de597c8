"""A new user's walk through the README and the CLI (issues 8 and 12): what they type, what they must see.

Each test here failed before its fix: the README's tables are real runs, every result row says what it
means, one message names every missing flag, and a tier table's name (typed back as ``--tiers NAME``)
is never cut in ``tiers list`` or in ``--help``.
"""

from __future__ import annotations

import itertools
import shlex
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_runs() -> list[tuple[int, list[str], list[str]]]:
    """Each ``$ contractcalc`` line of the README's console blocks, with the lines printed below it."""
    lines = (ROOT / "README.md").read_text("utf-8").splitlines()
    runs, in_console = [], False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            in_console = line.startswith("```console")
        elif in_console and line.startswith("$ contractcalc "):
            printed = list(itertools.takewhile(lambda text: not text.startswith(("$ ", "```")), lines[number + 1:]))
            runs.append((number + 1, shlex.split(line.split("  #")[0])[2:], printed))
    return runs


# serve runs for ever; stress's blocks belong to (and are checked by) tests/test_cli_stress.py
RUNS = [run for run in _readme_runs() if run[1][0] not in ("serve", "stress")]


@pytest.mark.parametrize(("line", "args", "printed"), RUNS, ids=[f"README:{run[0]}" for run in RUNS])
def test_each_readme_command_prints_what_the_readme_shows(
    cli: Any, monkeypatch: pytest.MonkeyPatch, line: int, args: list[str], printed: list[str]
) -> None:
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the checkout
    monkeypatch.setenv("COLUMNS", "100")  # the width the README's tables were copied at
    result = cli(*args)
    shown = [text.rstrip() for text in (result.out + result.err).rstrip("\n").splitlines()]
    assert shown == [text.rstrip() for text in printed], f"README line {line}: {shlex.join(args)}"


def test_the_readme_runs_cover_tables_errors_and_json() -> None:
    assert len(RUNS) >= 40
    assert any(args[0] == "pnl" and "--json" not in args for _, args, _ in RUNS)  # the table with roi


def test_bybit_roi_row_says_what_it_is(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per row
    result = cli("pnl", "--exchange", "bybit-linear", "--side", "long", "--entry", "7000", "--exit", "7500",
                 "--quantity", "0.2", "--leverage", "10")
    assert result.code == 0, result.err
    row = next(text for text in result.out.splitlines() if text.startswith("│ roi "))
    # Bybit's USDT example: 100 / (140 + 0.2 × 6,300 × 0.055 %) = 71.07 %
    assert "71.0767415579 %" in row
    meaning = row.rstrip("│ ").rsplit("│", 1)[1].strip()
    assert meaning == "Bybit: pnl / (initial margin + fee to close at bankruptcy)"


@pytest.mark.parametrize(("given", "message"), [
    (["--side", "long"], "error: missing options '--entry', '--quantity' (or '--contracts'), "
                         "'--leverage' (or '--wallet-balance').\n"),
    ([], "error: missing options '--side', '--entry', '--quantity' (or '--contracts'), "
         "'--leverage' (or '--wallet-balance').\n"),
    (["--margin-mode", "cross", "--side", "short", "--leverage", "5"],
     "error: missing options '--entry', '--quantity' (or '--contracts'), '--wallet-balance'.\n"),
])
def test_liquidation_names_every_missing_flag_at_once(cli: Any, given: list[str], message: str) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", *given)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_one_missing_flag_keeps_the_librarys_words(cli: Any) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "100", "--leverage", "2")
    assert (result.code, result.err) == (2, "error: '--contracts' is required (or '--quantity')\n")


def test_tiers_list_shows_every_name_whole(cli: Any) -> None:
    from contractcalc.venues.tiers import PRESET_TABLES

    result = cli("tiers", "list")
    assert result.code == 0, result.err
    names = {text.split("│")[1].strip() for text in result.out.splitlines() if text.startswith("│ ")}
    assert set(PRESET_TABLES) <= names


@pytest.mark.parametrize("command", ["liquidation", "replay", "risk"])
def test_help_never_breaks_a_table_name(cli: Any, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    from contractcalc.venues.tiers import PRESET_TABLES

    monkeypatch.setenv("COLUMNS", "80")
    result = cli(command, "--help")
    assert result.code == 0, result.err
    words = set(result.out.replace(",", " ").replace(".", " ").split())
    assert set(PRESET_TABLES) <= words


def test_liquidation_help_says_what_symbol_does(cli: Any) -> None:
    text = " ".join(cli("liquidation", "--help").out.split())
    symbol = text.split("--symbol TEXT", 1)[1].split("--taker-fee-rate", 1)[0]
    assert "newest shipped table" in symbol and "--round" in symbol
    assert "--book FILE" in text


@pytest.mark.parametrize(("body", "fields"), [
    ({"exchange": "binance-usdm", "side": "long"}, ["entry", "quantity", "leverage"]),
    ({"exchange": "binance-usdm", "margin_mode": "cross", "leverage": 5}, ["side", "entry", "quantity",
                                                                          "wallet_balance"]),
])
def test_the_api_names_every_missing_liquidation_field_at_once(body: dict[str, Any], fields: list[str]) -> None:
    from fastapi.testclient import TestClient

    from contractcalc.interfaces.web.app import create_app

    answer = TestClient(create_app()).post("/api/liquidation", json=body)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert [item["field"] for item in detail] == fields
    assert next(item for item in detail if item["field"] == "quantity")["message"] == \
        "'quantity' is required (or 'contracts')"


def _documented_keys(after: str) -> set[str]:
    """The backquoted words of the paragraph of docs/trader.md that starts with ``after``."""
    import re

    text = (ROOT / "docs" / "trader.md").read_text("utf-8")
    paragraph = text[text.index(after):].split("\n\n", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", paragraph))


def test_docs_name_every_json_key_of_reconcile_and_tiers_list(cli: Any) -> None:
    reconcile = cli("reconcile", "--exchange", "binance-usdm", "--positions",
                    str(ROOT / "examples" / "positions-binance-ccxt.json"), "--json")
    assert reconcile.code == 0, reconcile.err
    data = reconcile.json()
    documented = _documented_keys("`--json` prints `{\"positions\"")
    assert set(data["positions"][0]) <= documented
    assert {"agree", "differ"} <= set(data)
    tables = cli("tiers", "list", "--json").json()["tables"]
    assert set(tables[0]) <= _documented_keys("Every shipped table names its source and date")


def test_every_liquidation_row_says_what_it_is(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "10000",
                 "--quantity", "1", "--leverage", "10", "--maintenance-margin-rate", "0.004")
    rows = [text for text in result.out.splitlines() if text.startswith("│ ")]
    assert len(rows) == 11  # liquidation_price ... margin_ratio
    for row in rows:
        assert row.rstrip("│ ").rsplit("│", 1)[1].strip(), row


BOOK_HEADER = "account,symbol,side,{size},entry,mark,margin_mode,leverage{rate}\n"


def _book(tmp_path: Path, size: str = "quantity", rate: bool = True) -> str:
    path = tmp_path / "book.csv"
    row = "a,BTC/USDT:USDT,long,1,60000,60000,isolated,10" + (",0.004" if rate else "") + "\n"
    path.write_text(BOOK_HEADER.format(size=size, rate=",maintenance_margin_rate" if rate else "") + row, "utf-8")
    return str(path)


@pytest.mark.parametrize(("size", "rate", "extra", "message"), [
    # a column missing altogether has no value to show (it said "(got 'nothing')")
    ("qty", True, [], "error: '--book' column 'quantity' or 'contracts' is a required column (exactly one of them)\n"),
    # the CLI names flags, never the API's field names (it said "give 'tiers'")
    ("quantity", False, [], "error: '--book' column 'maintenance_margin_rate' is required (or give '--tiers' holding "
                            "the symbol) (got 'BTC/USDT:USDT' at index 0)\n"),
    # --round was silently ignored with --book
    ("quantity", True, ["--round"], "error: '--round' does not go with --book (the book's prices are not rounded)\n"),
])
def test_book_errors_read_as_the_cli(
    cli: Any, tmp_path: Path, size: str, rate: bool, extra: list[str], message: str
) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", "--book", _book(tmp_path, size, rate), *extra)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_output_format_error_offers_only_what_output_writes(cli: Any, tmp_path: Path) -> None:
    for name, rule in [  # .xlsx was told ".jsonl" would do, which --output then refused
        ("out.xlsx", "must be a .csv, .parquet or .pq file"),
        ("out.jsonl", "must be a .csv or .parquet file (JSON lines are read, not written)"),
    ]:
        result = cli("liquidation", "--exchange", "binance-usdm", "--book", _book(tmp_path), "--output",
                     str(tmp_path / name))
        assert (result.code, result.err) == (2, f"error: '--output' {rule} (got '{tmp_path / name}')\n")


def test_a_broken_parquet_book_says_why_in_whole_words(cli: Any, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "book.parquet"
    path.write_bytes(b"\x00\x01 not parquet")
    result = cli("liquidation", "--exchange", "binance-usdm", "--book", str(path))
    assert result.code == 2 and result.err.count("\n") == 1
    reason = result.err.split("must be a valid Parquet file (", 1)[1].rsplit(") (got ", 1)[0]
    assert reason and not reason.endswith((" or", " the", " is")) and "." not in reason.rstrip(".")[-1:]
    assert "magic bytes" in reason


def _touch_probability(nu: float, volatility: float, years: float, b: float) -> float:
    """Reflection principle by hand: P(min X <= b within T) for X a Brownian motion from 0 drifting at ν (b < 0)."""
    import math

    def cdf(z: float) -> float:
        return 0.5 * (1 + math.erf(z / math.sqrt(2)))

    root = volatility * math.sqrt(years)
    return cdf((b - nu * years) / root) + math.exp(2 * nu * b / volatility ** 2) * cdf((b + nu * years) / root)


@pytest.mark.parametrize(("side", "drift", "liquidation"), [("long", "1", "9850"), ("short", "-1", "10150")])
def test_risk_with_a_drift_away_from_the_barrier(cli: Any, side: str, drift: str, liquidation: str) -> None:
    # a 100 % drift over a year carries the price away from the liquidation price: this raised a
    # TypeError (item assignment on a NumPy scalar) and printed a traceback
    result = cli("risk", "--side", side, "--volatility", "0.8", "--drift", drift, "--horizon", "365d",
                 "--price", "10000", "--liquidation-price", liquidation, "--json")
    assert (result.code, result.err) == (0, ""), result.err
    import math

    # ln S drifts at ν = μ − σ²/2: the long's at 1 − 0.32 = 0.68 towards ln 0.985; the short's −ln S at
    # −(−1 − 0.32) = 1.32 towards −ln 1.015
    nu, b = (0.68, math.log(0.985)) if side == "long" else (1.32, -math.log(1.015))
    expected = _touch_probability(nu, 0.8, 1.0, b)
    assert result.json()["liquidation_probability"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("flag", "typed", "message"), [
    ("--volatility", "1e400", "error: '--volatility' is too large to compute with (at most 1.8e308) (got 1e400)\n"),
    ("--drift", "1e400", "error: '--drift' is too large to compute with (at most 1.8e308) (got 1e400)\n"),
    ("--price", "1e400", "error: '--price' is too large to compute with (at most 1.8e308) (got 1e400)\n"),
    ("--volatility", "1e200", "error: '--volatility' gives a result out of range (liquidation_probability is not a "
                              "number): use a value nearer 1 (got 1e+200)\n"),
])
def test_risk_refuses_numbers_too_large_in_one_line(cli: Any, flag: str, typed: str, message: str) -> None:
    # each printed a NaN chance (exit 0) with NumPy warnings, or a traceback (the drift)
    given = {"--volatility": "0.8", "--drift": "0", "--price": "10000", flag: typed}
    result = cli("risk", "--side", "long", "--horizon", "24h", "--liquidation-price", "9850",
                 *itertools.chain.from_iterable(given.items()), "--json")
    assert (result.code, result.out, result.err) == (2, "", message)


def test_risk_with_a_huge_drift_is_certain_and_quiet(cli: Any) -> None:
    # a long drifting up at 1e300 a year never falls to its liquidation price: 0, with no NumPy warnings
    result = cli("risk", "--side", "long", "--volatility", "0.8", "--drift", "1e300", "--horizon", "24h",
                 "--price", "10000", "--liquidation-price", "9850", "--stop", "9900", "--target", "10100", "--json")
    assert (result.code, result.err) == (0, "")
    data = result.json()
    assert (data["liquidation_probability"], data["stop_probability"], data["target_probability"]) == (0, 0, 1)


@pytest.mark.parametrize(("args", "roi"), [
    # a 1x linear long's bankruptcy price is 0, where the position is worth 0: no fee to close, roi = roe
    (["--exchange", "bybit-linear", "--side", "long", "--exit", "7500", "--quantity", "0.2"], 100 / 1400),
    # a 1x inverse short has no bankruptcy price (its coin value there tends to 0): roi = roe
    (["--exchange", "bybit-inverse", "--side", "short", "--exit", "6500", "--contracts", "1000"],
     (1000 / 6500 - 1000 / 7000) / (1000 / 7000)),
    # a 1x linear short goes bankrupt at 2E: fee to close 0.2 × 14,000 × 0.055 % = 1.54
    (["--exchange", "bybit-linear", "--side", "short", "--exit", "7500", "--quantity", "0.2"], -100 / (1400 + 1.54)),
])
def test_bybit_roi_at_1x(cli: Any, args: list[str], roi: float) -> None:
    # each was a TypeError traceback (None / Decimal): the bankruptcy price is None at 1x
    result = cli("pnl", "--entry", "7000", "--leverage", "1", *args, "--json")
    assert (result.code, result.err) == (0, "")
    assert result.json()["roi"] == pytest.approx(roi, rel=1e-12)


def test_bybit_roi_of_an_array_at_1x_and_10x() -> None:
    import numpy as np

    import contractcalc

    result = contractcalc.pnl(exchange="bybit-linear", side="long", entry=7000.0, exit=7500.0, quantity=0.2,
                              leverage=np.array([1.0, 10.0]))
    # Bybit's USDT example at 10x: 100 / (140 + 0.2 × 6,300 × 0.055 %) = 71.07 %
    assert result.roi == pytest.approx([100 / 1400, 100 / (140 + 0.2 * 6300 * 0.00055)], rel=1e-12)


@pytest.mark.parametrize("volatility", ["1e300", "1e-300"])
def test_plan_with_an_extreme_volatility_is_one_line_naming_it(cli: Any, volatility: str) -> None:
    # NumPy's overflow warnings came first on stderr, then an error naming '--target'
    result = cli("plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal",
                 "1000", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--volatility", volatility,
                 "--horizon", "30d", "--json")
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("error: '--volatility' gives a result out of range")


def test_fills_take_numbers_as_typed(cli: Any) -> None:
    # examples.md Y15 (inverse 50 @ 10,000 + 50 @ 15,000: the harmonic mean 12,000), typed with thousands
    # separators as everywhere else a number goes (they were refused: "must be SIZE@PRICE")
    result = cli("average-entry", "--contract", "inverse", "--fill", "50@10,000", "--fill", "50@15,000", "--json")
    assert (result.code, result.err) == (0, "")
    assert result.json() == {"average_entry": 12000, "total_size": 100}
    for typed in ("50%@10000", "1,5@10000"):  # a percentage is no size; a decimal comma is ambiguous
        refused = cli("average-entry", "--contract", "inverse", "--fill", typed, "--json")
        assert (refused.code, refused.err) == (2, f"error: '--fill' must be SIZE@PRICE, e.g. 0.5@5000 (got '{typed}' "
                                                  "at index 0)\n")


def test_a_position_without_a_rate_shows_no_none(cli: Any) -> None:
    # the BTC legs of examples/positions-cross.json take their rates from a tier table (README): without
    # one the message ended "(got None)" and named 'tiers', the API's field, on the command line
    result = cli("liquidation", "--exchange", "binance-usdm", "--positions",
                 str(ROOT / "examples" / "positions-cross.json"), "--wallet-balance", "5000")
    assert (result.code, result.err) == (2, "error: '--positions' item 0: 'maintenanceMarginRate' is required "
                                            "(or a tier table holding this symbol)\n")
