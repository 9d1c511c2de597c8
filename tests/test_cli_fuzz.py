"""Bad input to every position command: one line ``error: '--flag' rule (got value)``, exit 2, no traceback.

Runs ``contractcalc.cli.run([...])`` in-process.  Each command starts from a valid call; one
numeric flag at a time is replaced by a bad value, and the message must name that flag.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractcalc.interfaces.cli import run

BASES: dict[str, list[str]] = {
    "pnl": ["pnl", "--contract", "linear", "--side", "long", "--entry", "100", "--exit", "110", "--quantity", "2",
            "--leverage", "10", "--open-fee-rate", "0.0005", "--close-fee-rate", "0.0005", "--funding-rate",
            "0.0001", "--funding-intervals", "3", "--funding-mark", "105"],
    "pnl-inverse": ["pnl", "--contract", "inverse", "--side", "short", "--entry", "100", "--exit", "90",
                    "--contracts", "2", "--contract-size", "10", "--leverage", "10"],
    "target": ["target", "--contract", "inverse", "--side", "long", "--entry", "100", "--leverage", "10",
               "--roe", "0.5"],
    "cost": ["cost", "--contract", "linear", "--side", "long", "--entry", "100", "--leverage", "10",
             "--quantity", "1", "--mark", "101", "--fee-rate", "0.001"],
    "size": ["size", "--contract", "linear", "--side", "long", "--balance", "1000", "--risk-rate", "0.01",
             "--entry", "100", "--stop", "95", "--target", "110", "--open-fee-rate", "0.0005",
             "--close-fee-rate", "0.0005", "--max-leverage", "100"],
    "size-inverse": ["size", "--exchange", "binance-coinm", "--symbol", "BTCUSD", "--side", "short",
                     "--balance", "1", "--risk-rate", "0.01", "--entry", "100", "--stop", "105", "--target", "90"],
    "max-open": ["max-open", "--tiers", "binance-usdm-BTCUSDT-2021-03-18", "--contract", "linear",
                 "--balance", "1000", "--leverage", "20", "--entry", "50000"],
    "plan": ["plan", "--side", "long", "--entry", "100", "--stop", "90", "--target", "120", "--principal", "1000",
             "--leverage", "5"],
}
# Values no numeric flag accepts (every one of them is a price, size, rate > 0 or a count >= 0 ...).
NOT_NUMBERS = ["abc", "nan", "NaN", "snan", "inf", "-inf", "Infinity", "", "  ", "0x10", "1,5", "1@2"]
NOT_POSITIVE = ["0", "-0", "-1"]
NUMERIC_FLAGS = [
    (name, flag)
    for name, base in BASES.items()
    for k, flag in enumerate(base)
    if flag.startswith("--") and k + 1 < len(base) and flag not in ("--contract", "--side", "--exchange",
                                                                     "--symbol", "--tiers")
]
# Flags where 0 or a negative value is meaningful (funding and ROE are signed, counts may be 0).
SIGNED_OR_ZERO = {"--funding-rate", "--funding-intervals", "--roe", "--open-fee-rate", "--close-fee-rate",
                  "--fee-rate"}


def invoke(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(args: list[str], capsys: pytest.CaptureFixture[str], flag: str | None = None) -> str:
    code, out, err = invoke(args, capsys)
    assert code == 2, (args, out, err)
    assert "Traceback" not in err and out == "", (args, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("error: "), err
    if flag is not None:
        assert err.startswith(f"error: '{flag}' "), err
        assert "(got " in err or "is required" in err, err
    return err


def replaced(base: list[str], flag: str, value: str) -> list[str]:
    k = base.index(flag)
    return [*base[: k + 1], value, *base[k + 2:]]


@pytest.mark.parametrize("name", list(BASES))
def test_the_valid_calls_succeed_with_finite_json(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke([*BASES[name], "--json"], capsys)
    assert code == 0, err

    def refuse(constant: str) -> Any:
        raise AssertionError(f"not JSON: {constant}")

    json.loads(out, parse_constant=refuse)


@pytest.mark.parametrize(("name", "flag"), NUMERIC_FLAGS)
@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_text_that_is_not_a_finite_number(name: str, flag: str, value: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(replaced(BASES[name], flag, value), capsys, flag)


@pytest.mark.parametrize(("name", "flag"), [(n, f) for n, f in NUMERIC_FLAGS if f not in SIGNED_OR_ZERO])
@pytest.mark.parametrize("value", NOT_POSITIVE)
def test_zero_negative_zero_and_negative(name: str, flag: str, value: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    args = replaced(BASES[name], flag, value)
    # a zero or negative price may first break the stop/target side check, named on that flag
    err = assert_one_line_error(args, capsys)
    assert err.startswith((f"error: '{flag}' ", "error: '--stop' must be on", "error: '--target' must be on")), err


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["average-entry", "--contract", "linear", "--fill", "@"], "--fill"),
        (["average-entry", "--contract", "linear", "--fill", "0.5@"], "--fill"),
        (["average-entry", "--contract", "linear", "--fill", "a@b"], "--fill"),
        (["average-entry", "--contract", "linear", "--fill", "-1@5"], "--fill"),
        (["average-entry", "--contract", "inverse", "--fill", "1@5", "--fill", "1@0"], "--fill"),
        (["average-entry", "--contract", "inverse", "--fill", "1@5", "--fill", "nan@5"], "--fill"),
        (["average-entry", "--contract", "linear", "--fill", ""], "--fill"),
        (["average-entry", "--contract", "linear", "--fill", "1@5@6"], "--fill"),
        (replaced(BASES["size"], "--stop", "105"), "--stop"),  # a long's stop on the profit side
        (replaced(replaced(BASES["size"], "--side", "short"), "--target", "90"), "--stop"),
        (replaced(BASES["size"], "--target", "90"), "--target"),
        (replaced(BASES["size"], "--risk-rate", "0"), "--risk-rate"),
        (replaced(BASES["size"], "--risk-rate", "1.5"), "--risk-rate"),
        (replaced(BASES["size"], "--max-leverage", "0.1"), "--max-leverage"),
        (replaced(BASES["plan"], "--stop", "110"), "--stop"),
        (replaced(BASES["plan"], "--target", "80"), "--target"),
        (replaced(BASES["target"], "--roe", "10"), "--roe"),
        (replaced(replaced(BASES["target"], "--side", "short"), "--roe", "-10"), "--roe"),
        (replaced(BASES["pnl"], "--side", "buy"), "--side"),
        (replaced(BASES["pnl"], "--contract", "spot"), "--contract"),
        (["pnl", "--exchange", "ftx", "--side", "long", "--entry", "1", "--exit", "2", "--quantity", "1"],
         "--exchange"),
        (["pnl", "--exchange", "binance-coinm", "--side", "long", "--entry", "1", "--exit", "2", "--contracts", "1"],
         "--symbol"),
        (["max-open", "--exchange", "binance-usdm", "--symbol", "PEPEUSDT", "--balance", "1", "--leverage", "2",
          "--entry", "1"], "--tiers"),
        (replaced(BASES["max-open"], "--tiers", "no-such-preset"), "--tiers"),
        (replaced(BASES["max-open"], "--leverage", "150"), "--leverage"),  # above tier 1's 125x
        (["cost", "--exchange", "binance-usdm", "--symbol", "BTCUSDT", "--side", "long", "--entry", "50000",
          "--leverage", "150", "--quantity", "1"], "--leverage"),
        (replaced(BASES["size-inverse"], "--symbol", ""), "--symbol"),
    ],
)
def test_bad_combinations(args: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(args, capsys, flag)


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[1, 2]", b'{"X": [1]}', b'{"X": {"a": 1}}', b"\xff\xfe\x00",
     b'{"X": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.01, "maxLeverage": 5, '
     b'"tier": "one"}]}',
     b'{"X": [{"minNotional": 0, "maxNotional": 100, "maintenanceMarginRate": 0.01}]}'],
)
@pytest.mark.parametrize("command", ["max-open", "cost"])
def test_tier_files_that_are_not_tier_tables(content: bytes, command: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tiers.json"
    path.write_bytes(content)
    if command == "max-open":
        args = replaced(BASES["max-open"], "--tiers", str(path))
    else:
        args = [*BASES["cost"], "--tiers", str(path)]
    assert_one_line_error(args, capsys, "--tiers")


# Decimal has a far wider exponent range than a double, and the CLI parses numbers to Decimal:
# '1e400' is finite, but results beyond a double cannot be JSON numbers, and '1e999999999'
# traps in the Decimal context.  Both end in the one line the HTTP API also answers.
@pytest.mark.parametrize(
    ("name", "flag", "value"),
    [("pnl", "--entry", "1e-999999999"), ("pnl", "--leverage", "1e999999999"), ("size", "--balance", "1e400"),
     ("max-open", "--entry", "1e-400"), ("plan", "--target", "1e999999999")],
)
def test_numbers_beyond_the_double_range(name: str, flag: str, value: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    err = assert_one_line_error([*replaced(BASES[name], flag, value), "--json"], capsys)
    assert err.startswith(("error: the inputs give a result out of range", f"error: '{flag}' ")), err


# No 'e': exponents are covered above (values beyond the double range are a known issue).
PIECES = st.sampled_from(["0", "1", "5", "9", ".", "-", "+", "_", "@", " ", "a", "n", "i", "x"])


@settings(max_examples=150, deadline=None)
@given(name_flag=st.sampled_from(NUMERIC_FLAGS), text=st.lists(PIECES, min_size=0, max_size=8).map("".join))
def test_any_typed_text_gives_a_result_or_one_error_line(name_flag: tuple[str, str], text: str) -> None:
    import contextlib
    import io

    name, flag = name_flag
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run([*replaced(BASES[name], flag, text), "--json"])
    if code == 0:
        json.loads(out.getvalue())
    else:
        assert code == 2, err.getvalue()
        assert err.getvalue().startswith("error: '") and err.getvalue().count("\n") == 1, err.getvalue()
