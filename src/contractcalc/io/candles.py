"""Candles and funding rates read from files or rows, validated once.

Two layouts each, the ones ccxt and freqtrade write:

- candles: JSON rows ``[timestamp_ms, open, high, low, close, volume]`` (ccxt's
  ``fetch_ohlcv``; the volume may be left out), or CSV with a header
  ``timestamp,open,high,low,close[,volume]`` (columns in any order, others ignored);
- funding: JSON rows ``[timestamp_ms, rate]``, or CSV with a header ``timestamp,rate``.

Everything becomes a frozen :class:`Candles` (or :class:`Funding`) of float64
NumPy arrays (the timestamps int64 milliseconds), checked once here so the
engines below can take them as they are:

- at least one row; every row long enough and made of finite numbers;
- timestamps whole milliseconds, strictly increasing;
- ``low <= open, close <= high`` (so ``low <= high``).

A bad row is an :class:`~contractcalc.errors.InputError` on the field the caller
names (``candles``, ``mark_candles``, ``funding``) with the row's index, counted
from 0 (a CSV header is not a row):

>>> candles_from_rows([[0, 100, 110, 90, 105], [60_000, 105, 99, 100, 100]])
Traceback (most recent call last):
...
contractcalc.errors.InputError: 'candles' row 1 must have low <= open, close <= high (got [60000, 105, 99, 100, 100])

Files are read through :mod:`contractcalc.io.files` (regular files only, at most
:data:`MAX_CANDLE_BYTES`). A freqtrade data folder (``<pair>-<timeframe>.json``,
``.feather`` with pyarrow installed) is read by :func:`read_freqtrade_candles`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from contractcalc.errors import InputError
from contractcalc.io.files import read_bytes, read_text

__all__ = [
    "MAX_CANDLE_BYTES",
    "Candles",
    "Funding",
    "candles_from_arrays",
    "candles_from_rows",
    "funding_from_rows",
    "parse_candles",
    "parse_funding",
    "read_candles",
    "read_freqtrade_candles",
    "read_funding",
]

#: Cap on a candle or funding file: a year of 1-minute candles (525,600 rows of
#: about 70 bytes in ccxt's JSON or CSV) is some 40 MB; the cap leaves room for
#: long decimals without letting a file exhaust memory.
MAX_CANDLE_BYTES = 128 * 1024 * 1024

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_FAST_NUMBERS = frozenset({int, float})
_CANDLE_COLUMNS = ("timestamp", "open", "high", "low", "close")
_FUNDING_COLUMNS = ("timestamp", "rate")


@dataclass(frozen=True, eq=False)
class Candles:
    """OHLC(V) candles as float64 arrays, validated (build with :func:`candles_from_arrays` or a reader).

    Attributes
    ----------
    timestamp : int64 array
        Each candle's open time in milliseconds since the epoch, strictly increasing.
    open, high, low, close : float64 arrays
        Prices, ``low <= open, close <= high``.
    volume : float64 array or None
        Traded volume, when the source has it.
    """

    timestamp: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])

    def to_rows(self) -> list[list[float]]:
        """ccxt-style rows ``[timestamp_ms, open, high, low, close(, volume)]``."""
        columns: list[Any] = [self.timestamp.tolist(), self.open.tolist(), self.high.tolist(),
                              self.low.tolist(), self.close.tolist()]
        if self.volume is not None:
            columns.append(self.volume.tolist())
        return [list(row) for row in zip(*columns, strict=True)]


@dataclass(frozen=True, eq=False)
class Funding:
    """Funding rates: ``rate[i]`` is charged at ``timestamp[i]`` (ms, strictly increasing)."""

    timestamp: IntArray
    rate: FloatArray

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])


# --------------------------------------------------------------------------- validation

def _row_of(columns: list[npt.NDArray[Any]], index: int) -> list[Any]:
    row: list[Any] = []
    for column in columns:
        value = column[index].item()
        row.append(int(value) if isinstance(value, float) and value.is_integer() and math.isfinite(value) else value)
    return row


def _first(mask: npt.NDArray[np.bool_]) -> int | None:
    if mask.any():
        return int(np.argmax(mask))
    return None


def _timestamps(values: FloatArray, field: str, columns: list[npt.NDArray[Any]]) -> IntArray:
    bad = _first(~np.isfinite(values) | (values != np.floor(values)) | (np.abs(values) >= 2.0**62))
    if bad is not None:
        raise InputError(field, f"row {bad} must have a timestamp in whole milliseconds", _row_of(columns, bad))
    stamps = values.astype(np.int64)
    if stamps.shape[0] > 1:
        bad = _first(np.diff(stamps) <= 0)
        if bad is not None:
            raise InputError(field, f"row {bad + 1} must have a timestamp after the previous row's "
                             f"({int(stamps[bad])})", _row_of(columns, bad + 1))
    return stamps


def candles_from_arrays(timestamp: Any, open: Any, high: Any, low: Any, close: Any,
                        volume: Any = None, *, field: str = "candles") -> Candles:
    """Validated :class:`Candles` from equal-length sequences (see the module's rules).

    >>> c = candles_from_arrays([0, 60_000], [100, 101], [102, 103], [99, 100], [101, 102])
    >>> len(c), c.close.tolist(), c.timestamp.dtype.name
    (2, [101.0, 102.0], 'int64')
    """
    try:
        arrays = [np.array(x, dtype=np.float64, copy=True).reshape(-1) for x in (timestamp, open, high, low, close)]
        vol = None if volume is None else np.array(volume, dtype=np.float64, copy=True).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(field, "must hold numbers only") from None
    lengths = {a.shape[0] for a in arrays} | (set() if vol is None else {vol.shape[0]})
    if len(lengths) != 1:
        raise InputError(field, "must have columns of one length", sorted(lengths))
    if arrays[0].shape[0] == 0:
        raise InputError(field, "must hold at least one candle", [])
    columns = [*arrays] + ([] if vol is None else [vol])
    bad = _first(~np.asarray(np.isfinite(np.column_stack(columns)).all(axis=1), dtype=np.bool_))
    if bad is not None:
        raise InputError(field, f"row {bad} must hold finite numbers (no NaN or infinity)", _row_of(columns, bad))
    stamps = _timestamps(arrays[0], field, columns)
    o, h, lo, c = arrays[1:]
    bad = _first((h < lo) | (o < lo) | (o > h) | (c < lo) | (c > h))
    if bad is not None:
        raise InputError(field, f"row {bad} must have low <= open, close <= high",
                         _row_of(columns, bad))
    for array in (stamps, *arrays[1:]) + (() if vol is None else (vol,)):
        array.setflags(write=False)
    return Candles(stamps, o, h, lo, c, vol)


def _funding_from_arrays(timestamp: FloatArray, rate: FloatArray, field: str) -> Funding:
    columns: list[npt.NDArray[Any]] = [timestamp, rate]
    bad = _first(~np.isfinite(timestamp) | ~np.isfinite(rate))
    if bad is not None:
        raise InputError(field, f"row {bad} must hold finite numbers (no NaN or infinity)", _row_of(columns, bad))
    stamps = _timestamps(timestamp, field, columns)
    stamps.setflags(write=False)
    rate.setflags(write=False)
    return Funding(stamps, rate)


def _shown(row: Any) -> Any:
    """A rejected row for a message: Decimals as the numbers they are."""
    if not isinstance(row, list | tuple):
        return row
    def plain(v: Any) -> Any:
        if isinstance(v, Decimal) and v.is_finite():
            return int(v) if v == v.to_integral_value() else float(v)
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    return [plain(v) for v in row]


def _numbers(rows: Any, width: int, optional: int, field: str, what: str, *,
             without_bools: bool = False) -> npt.NDArray[np.float64]:
    """``rows`` (a list of lists of JSON numbers) as a float64 matrix of ``width`` (+ ``optional``) columns."""
    if not isinstance(rows, list | tuple):
        raise InputError(field, f"must be a list of {what} rows", type(rows).__name__)
    if not rows:
        raise InputError(field, f"must hold at least one {what} row", [])
    first = rows[0]
    columns = width + optional if isinstance(first, list | tuple) and len(first) >= width + optional else width
    if without_bools:
        # Fast path for parsed JSON known to hold no true/false: NumPy makes a
        # float matrix only when every row is a list of numbers of one length.
        try:
            matrix = np.array(rows)
        except (ValueError, OverflowError):
            matrix = None
        if matrix is not None and matrix.dtype.kind in "fi" and matrix.ndim == 2 and matrix.shape[1] >= columns:
            return np.ascontiguousarray(matrix[:, :columns], dtype=np.float64)
    for index, row in enumerate(rows):
        if not isinstance(row, list | tuple):
            raise InputError(field, f"row {index} must be a list [{_names(what)}]", _shown(row))
        if len(row) < columns:
            raise InputError(field, f"row {index} is too short: it must be [{_names(what, columns)}]", _shown(row))
        for value in row[:columns]:
            # bool is an int subclass, and a JSON true is not a price
            if type(value) not in _FAST_NUMBERS and (isinstance(value, bool) or not isinstance(value, Real | Decimal)):
                raise InputError(field, f"row {index} must hold numbers only", _shown(row))
    try:
        return np.array([row[:columns] for row in rows], dtype=np.float64)
    except OverflowError:
        for index, row in enumerate(rows):
            try:
                [float(v) for v in row[:columns]]
            except OverflowError:
                raise InputError(field, f"row {index} must hold finite numbers", _shown(row)) from None
        raise  # pragma: no cover - every overflow is found above


def _names(what: str, columns: int | None = None) -> str:
    names = ("timestamp_ms", "open", "high", "low", "close", "volume") if what == "candle" else ("timestamp_ms", "rate")
    return ", ".join(names[: columns or (5 if what == "candle" else 2)])


def candles_from_rows(rows: Any, *, field: str = "candles", numbers_only: bool = False) -> Candles:
    """Validated :class:`Candles` from ccxt rows ``[timestamp_ms, open, high, low, close(, volume)]``.

    The volume is read when the first row has it (every row must then have it).
    ``numbers_only``: the caller knows every value is an ``int`` or ``float``
    (parsed JSON without ``true``/``false``, a schema-checked body): the
    per-value type check is skipped.

    >>> candles_from_rows([[1_700_000_000_000, 100, 110, 95, 105, 12.5]]).volume.tolist()
    [12.5]
    """
    matrix = _numbers(rows, 5, 1, field, "candle", without_bools=numbers_only)
    volume = matrix[:, 5] if matrix.shape[1] > 5 else None
    return candles_from_arrays(matrix[:, 0], matrix[:, 1], matrix[:, 2], matrix[:, 3], matrix[:, 4],
                               volume=volume, field=field)


def funding_from_rows(rows: Any, *, field: str = "funding", numbers_only: bool = False) -> Funding:
    """Validated :class:`Funding` from rows ``[timestamp_ms, rate]``.

    >>> funding_from_rows([[0, 0.0001], [28_800_000, -0.0002]]).rate.tolist()
    [0.0001, -0.0002]
    """
    matrix = _numbers(rows, 2, 0, field, "funding", without_bools=numbers_only)
    return _funding_from_arrays(matrix[:, 0].copy(), matrix[:, 1].copy(), field)


# --------------------------------------------------------------------------- text formats

def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} (JSON has no such number)")


def _json_rows(text: str, field: str, shown: str) -> Any:
    # Floats, not Decimal: candles are binary64 arrays, and Decimal parsing of
    # millions of prices would take seconds.
    try:
        # parse_int left as int (a hook would be called per timestamp): Python
        # itself refuses integers past its digit limit with a ValueError.
        return json.loads(text, parse_float=float, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise InputError(field, f"must be valid JSON ({error.msg} at line {error.lineno} column {error.colno})",
                         shown) from None
    except ValueError as error:
        if "limit" in str(error):
            raise InputError(field, "must be valid JSON without integers that long",
                             shown) from None
        raise InputError(field, f"must be valid JSON without {error}", shown) from None
    except RecursionError:
        raise InputError(field, "must be JSON nested less deeply", shown) from None


def _csv_matrix(text: str, required: tuple[str, ...], optional: tuple[str, ...], field: str,
                shown: str) -> tuple[list[str], FloatArray]:
    try:
        return _csv_rows(text, required, optional, field, shown)
    except csv.Error as error:  # e.g. a field over the csv module's 128 KiB limit (a binary or zero-filled file)
        raise InputError(field, f"must be valid CSV ({error})", shown) from None


def _csv_rows(text: str, required: tuple[str, ...], optional: tuple[str, ...], field: str,
              shown: str) -> tuple[list[str], FloatArray]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    # one wording for both header errors: the columns, the optional ones in brackets
    must = f"must have a CSV header with {','.join(required)}{''.join(',[' + o + ']' for o in optional)}"
    if header is None:
        raise InputError(field, f"{must} (the file is empty)", shown)
    names = [name.strip().lower() for name in header]
    missing = [name for name in required if name not in names]
    if missing:
        raise InputError(field, f"{must} (missing {', '.join(missing)})", header)
    wanted = [name for name in required + optional if name in names]
    positions = [names.index(name) for name in wanted]
    width = max(positions) + 1
    values: list[list[float]] = []
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank lines (a trailing newline) are not rows
        if len(row) < width:
            raise InputError(field, f"row {len(values)} is too short: it must have {','.join(wanted)}", row)
        try:
            values.append([float(row[p]) for p in positions])
        except ValueError:
            raise InputError(field, f"row {len(values)} must hold numbers only", row) from None
    if not values:
        raise InputError(field, "must hold at least one row after the CSV header", shown)
    return wanted, np.array(values, dtype=np.float64)


def _no_bools(text: str) -> bool:
    return "true" not in text and "false" not in text


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("[", "{")


def _named_json(shown: str) -> bool:
    return shown.lower().endswith(".json")


def _csv_or_json_error(text: str, required: tuple[str, ...], optional: tuple[str, ...], field: str,
                       shown: str) -> tuple[list[str], FloatArray]:
    """CSV ``text``; in a file named ``*.json`` that is not CSV either, the error says why it is not JSON.

    CSV text in a ``.json`` file is read (the first character tells the
    kinds apart), but a ``.json`` file that is neither (no CSV header naming
    any of the columns) is meant to be JSON: a message about a CSV header
    would not match the file's kind.  An empty file has no kind to tell, so
    it keeps the CSV header's message.
    """
    try:
        return _csv_matrix(text, required, optional, field, shown)
    except InputError as error:
        # a header naming some of the columns is CSV with a column wrong: the CSV message helps there
        header = [str(name).strip().lower() for name in error.value] if isinstance(error.value, list) else []
        not_csv = error.rule.startswith(("must have a CSV header", "must be valid CSV")) and not any(
            name in header for name in required)
        if not_csv and _named_json(shown) and text.strip():
            _json_rows(text, field, shown)  # raises the parser's reason (text not starting with [ or {)
        raise


def parse_candles(text: str, *, field: str = "candles", shown: str = "<text>") -> Candles:
    """Candles from JSON rows or CSV text (told apart by the first character: ``[`` is JSON).

    >>> parse_candles("timestamp,open,high,low,close\\n0,100,101,99,100.5\\n").high.tolist()
    [101.0]
    >>> parse_candles("<html>", shown="BTC_USDT-1m.json")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'candles' must be valid JSON (Expecting value at line 1 column 1) (got \
'BTC_USDT-1m.json')
    """
    if _looks_like_json(text):
        return candles_from_rows(_json_rows(text, field, shown), field=field, numbers_only=_no_bools(text))
    names, matrix = _csv_or_json_error(text, _CANDLE_COLUMNS, ("volume",), field, shown)
    volume = matrix[:, 5] if "volume" in names else None
    return candles_from_arrays(matrix[:, 0], matrix[:, 1], matrix[:, 2], matrix[:, 3], matrix[:, 4],
                               volume=volume, field=field)


def parse_funding(text: str, *, field: str = "funding", shown: str = "<text>") -> Funding:
    """Funding rates from JSON rows ``[timestamp_ms, rate]`` or CSV ``timestamp,rate``."""
    if _looks_like_json(text):
        return funding_from_rows(_json_rows(text, field, shown), field=field, numbers_only=_no_bools(text))
    _, matrix = _csv_or_json_error(text, _FUNDING_COLUMNS, (), field, shown)
    return _funding_from_arrays(matrix[:, 0].copy(), matrix[:, 1].copy(), field)


def read_candles(path: str | os.PathLike[str], *, field: str = "candles",
                 max_bytes: int = MAX_CANDLE_BYTES) -> Candles:
    """Candles from a JSON or CSV file (see :func:`parse_candles`); a ``.feather`` file needs pyarrow."""
    if str(path).lower().endswith(".feather"):
        return _read_feather(path, field, max_bytes)
    text = read_text(path, field=field, max_bytes=max_bytes)
    return parse_candles(text, field=field, shown=str(path))


def read_funding(path: str | os.PathLike[str], *, field: str = "funding",
                 max_bytes: int = MAX_CANDLE_BYTES) -> Funding:
    """Funding rates from a JSON or CSV file (see :func:`parse_funding`)."""
    text = read_text(path, field=field, max_bytes=max_bytes)
    return parse_funding(text, field=field, shown=str(path))


# --------------------------------------------------------------------------- freqtrade data folders

_PAIR_SAFE = re.compile(r"[^A-Za-z0-9_\-]")


def freqtrade_file_stem(pair: str, timeframe: str, candle_type: str = "") -> str:
    """freqtrade's file name for a pair: ``BTC/USDT:USDT`` and ``1m`` give ``BTC_USDT_USDT-1m``.

    >>> freqtrade_file_stem("BTC/USDT:USDT", "1h", "futures")
    'BTC_USDT_USDT-1h-futures'
    """
    stem = f"{_PAIR_SAFE.sub('_', pair)}-{timeframe}"
    return f"{stem}-{candle_type}" if candle_type else stem


def read_freqtrade_candles(folder: str | os.PathLike[str], pair: str, timeframe: str, *,
                           candle_type: str = "", field: str = "candles",
                           max_bytes: int = MAX_CANDLE_BYTES) -> Candles:
    """Candles of ``pair`` from a freqtrade data folder (``<pair>-<timeframe>[-<type>].json`` or ``.feather``).

    freqtrade's ``.json`` files hold ccxt rows; its ``.feather`` files (read with
    pyarrow, when installed) have columns ``date, open, high, low, close, volume``.
    Futures folders keep their files under ``futures/`` with a ``-futures`` or
    ``-mark`` suffix (``candle_type``; without one, ``-futures`` is tried after
    the bare name).
    """
    base = Path(folder)
    stem = freqtrade_file_stem(pair, timeframe, candle_type)
    # a spot or futures folder; futures candles carry a '-futures' suffix when no type is asked for
    stems = [stem] if candle_type else [stem, freqtrade_file_stem(pair, timeframe, "futures")]
    for directory in (base, base / "futures"):
        for name in stems:
            for suffix in (".feather", ".json"):
                candidate = directory / (name + suffix)
                if candidate.is_file():
                    return read_candles(candidate, field=field, max_bytes=max_bytes)
    raise InputError(field, f"must name a freqtrade data folder holding {stem}.json or {stem}.feather", str(base))


def _read_feather(path: str | os.PathLike[str], field: str, max_bytes: int) -> Candles:
    data = read_bytes(path, field=field, max_bytes=max_bytes)
    try:
        import pyarrow as pa
        import pyarrow.feather as feather
    except ImportError:
        raise InputError(field, "is a .feather file: reading it needs pyarrow (pip install pyarrow)",
                         str(path)) from None
    try:
        table = feather.read_table(pa.BufferReader(data))
    except Exception as error:  # pyarrow raises many kinds for a corrupt file
        raise InputError(field, f"must be a readable feather file ({type(error).__name__})", str(path)) from None
    names = [name.lower() for name in table.column_names]
    time_name = "date" if "date" in names else "timestamp"
    missing = [n for n in (time_name, "open", "high", "low", "close") if n not in names]
    if missing:
        raise InputError(field, f"must have columns date, open, high, low, close (missing {', '.join(missing)})",
                         str(path))

    def column(name: str) -> npt.NDArray[Any]:
        return np.asarray(table.column(table.column_names[names.index(name)]).to_numpy())

    times = column(time_name)
    if np.issubdtype(times.dtype, np.datetime64):
        times = times.astype("datetime64[ms]").astype(np.int64)
    volume = column("volume") if "volume" in names else None
    return candles_from_arrays(times, column("open"), column("high"), column("low"), column("close"),
                               volume=volume, field=field)
