"""contractcalc.io.candles: ccxt JSON rows, CSV, freqtrade folders; every bad row named with its index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractcalc.errors import InputError
from contractcalc.io.candles import (
    MAX_CANDLE_BYTES,
    Candles,
    candles_from_arrays,
    candles_from_rows,
    freqtrade_file_stem,
    funding_from_rows,
    parse_candles,
    parse_funding,
    read_candles,
    read_freqtrade_candles,
    read_funding,
)

ROWS = [
    [1_700_000_000_000, 100.0, 110.0, 95.0, 105.0, 12.5],
    [1_700_000_060_000, 105.0, 106.0, 101.0, 102.0, 3.0],
    [1_700_000_120_000, 102.0, 102.0, 102.0, 102.0, 0.0],
]


def test_json_rows_become_float64_arrays_and_int64_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(ROWS))
    candles = read_candles(path)
    assert isinstance(candles, Candles) and len(candles) == 3
    assert candles.timestamp.dtype == np.int64 and candles.open.dtype == np.float64
    assert candles.timestamp.tolist() == [1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000]
    assert candles.high.tolist() == [110.0, 106.0, 102.0]
    assert candles.volume is not None and candles.volume.tolist() == [12.5, 3.0, 0.0]
    assert candles.to_rows() == ROWS
    with pytest.raises(ValueError):  # read-only: the engines share them without copying
        candles.close[0] = 1.0


def test_csv_with_and_without_volume_and_columns_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("timestamp,open,high,low,close,volume\n" + "".join(
        ",".join(str(v) for v in row) + "\n" for row in ROWS))
    assert read_candles(path).to_rows() == ROWS
    swapped = parse_candles("Close, Timestamp ,open,high,low\n105,0,100,110,95\n\n")
    assert swapped.to_rows() == [[0, 100.0, 110.0, 95.0, 105.0]] and swapped.volume is None


def test_rows_without_volume() -> None:
    candles = candles_from_rows([row[:5] for row in ROWS])
    assert candles.volume is None and candles.close.tolist() == [105.0, 102.0, 102.0]


def test_funding_json_and_csv(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("[[0, 0.0001], [28800000, -0.00025]]")
    funding = read_funding(path)
    assert funding.timestamp.tolist() == [0, 28_800_000] and funding.rate.tolist() == [0.0001, -0.00025]
    csv_funding = parse_funding("timestamp,rate\n0,0.0001\n28800000,-0.00025\n")
    assert csv_funding.rate.tolist() == funding.rate.tolist()
    assert funding_from_rows([(0, 0.0001)]).timestamp.dtype == np.int64


@pytest.mark.parametrize(("rows", "message"), [
    ([], "'candles' must hold at least one candle row (got [])"),
    ({"a": 1}, "'candles' must be a list of candle rows (got 'dict')"),
    ([[0, 1, 2, 0]], "'candles' row 0 is too short: it must be [timestamp_ms, open, high, low, close] "
                     "(got [0, 1, 2, 0])"),
    ([[0, 1, 2, 0, 1, 5], [60_000, 1, 2, 0, 1]],
     "'candles' row 1 is too short: it must be [timestamp_ms, open, high, low, close, volume] "
     "(got [60000, 1, 2, 0, 1])"),
    ([[0, "1", 2, 0, 1]], "'candles' row 0 must hold numbers only (got [0, '1', 2, 0, 1])"),
    ([[0, 1, 2, 0, 1], [60_000, True, 2, 0, 1]], "'candles' row 1 must hold numbers only"),
    ([[0, None, 2, 0, 1]], "'candles' row 0 must hold numbers only"),
    ([5, 6], "'candles' row 0 must be a list"),
    ([[0, 1, 2, 0, 1], [0, 1, 2, 0, 1]], "'candles' row 1 must have a timestamp after the previous row's (0)"),
    ([[60_000, 1, 2, 0, 1], [0, 1, 2, 0, 1]], "'candles' row 1 must have a timestamp after the previous row's"),
    ([[0.5, 1, 2, 0, 1]], "'candles' row 0 must have a timestamp in whole milliseconds (got [0.5, 1, 2, 0, 1])"),
    ([[0, 1, 2, 0, 1], [60_000, 1, 0, 2, 1]], "'candles' row 1 must have low <= open, close <= high "
                                              "(got [60000, 1, 0, 2, 1])"),
    ([[0, 3, 2, 0, 1]], "'candles' row 0 must have low <= open, close <= high"),
    ([[0, 1, 2, 0, 2.5]], "'candles' row 0 must have low <= open, close <= high"),
    ([[0, 1, 2, 0, 1], [60_000, 1, 2, 0, float("nan")]], "'candles' row 1 must hold finite numbers"),
    ([[0, 1, 2, 0, float("inf")]], "'candles' row 0 must hold finite numbers"),
])
def test_bad_candle_rows_name_the_row(rows: object, message: str) -> None:
    with pytest.raises(InputError) as error:
        candles_from_rows(rows)
    assert str(error.value).startswith(message)
    assert error.value.field == "candles"


def test_the_field_is_the_callers() -> None:
    with pytest.raises(InputError, match=r"^'mark_candles' row 0 must have low <= open"):
        candles_from_rows([[0, 1, 2, 1.5, 1.6]], field="mark_candles")


@pytest.mark.parametrize(("text", "message"), [
    ("[[0, 1, 2, 0, NaN]]", "'candles' must be valid JSON without NaN (JSON has no such number)"),
    ("[[0, 1, 2, 0, 1]", "'candles' must be valid JSON"),
    ("", "'candles' must have a CSV header"),
    ("time,open,high,low,close\n0,1,2,0,1\n", "'candles' must have a CSV header with timestamp,open,high,low,"
                                              "close,[volume] (missing timestamp)"),
    ("timestamp,open,high,low,close\n", "'candles' must hold at least one row after the CSV header"),
    ("timestamp,open,high,low,close\n0,1,2,0,1\n60000,1,2,x,1\n", "'candles' row 1 must hold numbers only"),
    ("timestamp,open,high,low,close\n0,1,2,0\n", "'candles' row 0 is too short"),
    ("timestamp,open,high,low,close\n0,1,2,0,nan\n", "'candles' row 0 must hold finite numbers"),
])
def test_bad_candle_text(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_candles(text)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(("text", "message"), [
    ("[[0, 0.0001], [0, 0.0002]]", "'funding' row 1 must have a timestamp after the previous row's (0)"),
    ("[[0]]", "'funding' row 0 is too short: it must be [timestamp_ms, rate] (got [0])"),
    ("[[0, \"x\"]]", "'funding' row 0 must hold numbers only"),
    ("[]", "'funding' must hold at least one funding row"),
    ("timestamp,rate\n0,abc\n", "'funding' row 0 must hold numbers only"),
    ("timestamp,rate\n0,inf\n", "'funding' row 0 must hold finite numbers"),
    ("timestamp,funding\n0,0.1\n", "'funding' must have a CSV header with timestamp,rate (missing rate)"),
])
def test_bad_funding(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_funding(text)
    assert str(error.value).startswith(message)


def test_files_are_read_through_the_bounded_reader(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(ROWS))
    with pytest.raises(InputError, match=r"^'candles' must be a file of at most 10 bytes"):
        read_candles(path, max_bytes=10)
    with pytest.raises(InputError, match=r"^'candles' must be a regular file \(it is a directory\)"):
        read_candles(tmp_path)
    with pytest.raises(InputError, match=r"^'funding' must be a readable file"):
        read_funding(tmp_path / "missing.csv")
    # a year of 1-minute candles in ccxt's JSON is ~40 MB: well under the cap
    assert MAX_CANDLE_BYTES > 525_600 * 100


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(InputError, match="one length"):
        candles_from_arrays([0, 1], [1], [1], [1], [1])


def test_freqtrade_folder_json_and_feather(tmp_path: Path) -> None:
    assert freqtrade_file_stem("BTC/USDT:USDT", "1m") == "BTC_USDT_USDT-1m"
    (tmp_path / "futures").mkdir()
    (tmp_path / "futures" / "BTC_USDT_USDT-1m-futures.json").write_text(json.dumps(ROWS))
    candles = read_freqtrade_candles(tmp_path, "BTC/USDT:USDT", "1m", candle_type="futures")
    assert candles.to_rows() == ROWS
    with pytest.raises(InputError, match=r"must name a freqtrade data folder holding ETH_USDT-5m\.json"):
        read_freqtrade_candles(tmp_path, "ETH/USDT", "5m")

    pa = pytest.importorskip("pyarrow")
    feather = pytest.importorskip("pyarrow.feather")
    dates = np.array([row[0] for row in ROWS], dtype="datetime64[ms]").astype("datetime64[ns]")
    table = pa.table({"date": dates, **{name: [row[i + 1] for row in ROWS]
                                        for i, name in enumerate(["open", "high", "low", "close", "volume"])}})
    feather.write_feather(table, str(tmp_path / "ETH_USDT-5m.feather"))
    assert read_freqtrade_candles(tmp_path, "ETH/USDT", "5m").to_rows() == ROWS
    (tmp_path / "bad.feather").write_bytes(b"not feather")
    with pytest.raises(InputError, match="must be a readable feather file"):
        read_candles(tmp_path / "bad.feather")


prices = st.floats(min_value=0.01, max_value=1e7, allow_nan=False)


@st.composite
def candle_rows(draw: st.DrawFn) -> list[list[float]]:
    count = draw(st.integers(1, 20))
    steps = draw(st.lists(st.integers(1, 10**6), min_size=count, max_size=count))
    rows, stamp = [], draw(st.integers(0, 2 * 10**12))
    for step in steps:
        stamp += step
        points = sorted(draw(st.lists(prices, min_size=4, max_size=4)))
        low, high = points[0], points[3]
        open_, close = draw(st.permutations([points[1], points[2]]))
        rows.append([stamp, open_, high, low, close, draw(st.floats(0, 1e9))])
    return rows


@settings(max_examples=60, deadline=None)
@given(candle_rows())
def test_json_and_csv_give_the_same_candles(rows: list[list[float]]) -> None:
    """Valid candles survive both formats unchanged (repr of a float is exact)."""
    from_json = parse_candles(json.dumps(rows))
    text = "timestamp,open,high,low,close,volume\n" + "".join(
        ",".join(repr(v) for v in row) + "\n" for row in rows)
    from_csv = parse_candles(text)
    assert from_json.to_rows() == rows == from_csv.to_rows()
