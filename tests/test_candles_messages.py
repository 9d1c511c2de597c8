"""A candles or funding file's error matches its kind: a ``.json`` file that is not JSON says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contractcalc.errors import InputError
from contractcalc.io.candles import parse_candles, parse_funding, read_candles, read_funding

Y1 = ("--exchange", "bybit-linear", "--side", "long", "--quantity", "1", "--leverage", "50",
      "--maintenance-margin-rate", "0.005", "--entry", "1")


def _reason(text: str) -> str:
    """Python's own JSON parser's reason for ``text``, in its words."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    raise AssertionError(f"{text!r} is valid JSON")


@pytest.mark.parametrize("text", ["<html><body>502 Bad Gateway</body></html>", "not json at all\n", "1,2,3\n"])
def test_a_json_file_that_is_not_json_says_so(tmp_path: Path, text: str) -> None:
    path = tmp_path / "BTC_USDT_USDT-1m.json"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_candles(path)
    assert str(error.value) == f"'candles' must be valid JSON ({_reason(text)}) (got {str(path)!r})"
    assert "CSV" not in str(error.value)
    with pytest.raises(InputError) as funding_error:
        read_funding(path)
    assert str(funding_error.value).startswith(f"'funding' must be valid JSON ({_reason(text)})")


def test_the_cli_says_one_line(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("<html>")
    result = cli("replay", "--candles", str(path), *Y1)
    assert result.code == 2 and result.out == ""
    assert result.err == f"error: '--candles' must be valid JSON (Expecting value at line 1 column 1) (got '{path}')\n"


def test_csv_text_still_reads_from_a_json_name(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("timestamp,open,high,low,close\n0,100,101,99,100.5\n")
    assert read_candles(path).high.tolist() == [101.0]


def test_a_csv_file_keeps_the_csv_message(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("<html>")
    with pytest.raises(InputError, match=r"must have a CSV header with timestamp,open,high,low,close,\[volume\] "
                                         r"\(missing timestamp, open, high, low, close\)"):
        read_candles(path)


def test_a_csv_header_with_a_column_wrong_keeps_the_csv_message(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("time,rate\n0,0.0001\n")
    with pytest.raises(InputError, match=r"^'funding' must have a CSV header with timestamp,rate "
                                         r"\(missing timestamp\)"):
        read_funding(path)


@pytest.mark.parametrize(("parse", "columns"), [
    (parse_candles, "timestamp,open,high,low,close,[volume]"),
    (parse_funding, "timestamp,rate"),
])
def test_both_header_messages_have_one_wording(parse: Any, columns: str) -> None:
    with pytest.raises(InputError) as empty:
        parse("")
    with pytest.raises(InputError) as missing:
        parse("when,what\n0,1\n")
    wording = f"must have a CSV header with {columns} ("
    assert empty.value.rule.startswith(wording), empty.value.rule
    assert missing.value.rule.startswith(wording), missing.value.rule
