"""Books and accounts from CSV, Parquet or JSON lines files, and tables written back.

The format follows the file's extension: ``.csv``; ``.parquet`` / ``.pq``
(needs pyarrow: ``pip install 'contractcalc[book]'``); ``.jsonl`` / ``.ndjson``
(one JSON object per line) or ``.json`` (JSON lines, or one JSON list of row
objects).  Every file is read through :mod:`contractcalc.io.files` (a regular
file, at most :data:`MAX_BOOK_BYTES`), so a FIFO, a device or an endless file
is refused before it is read.  The columns are those of
:class:`~contractcalc.book.Book` and :class:`~contractcalc.book.Accounts`;
other columns are ignored.

>>> read_book("no-such-book.csv")
Traceback (most recent call last):
...
contractcalc.errors.InputError: 'book' must be a readable file (No such file or directory) (got 'no-such-book.csv')
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contractcalc.book import ACCOUNT_COLUMNS, BOOK_COLUMNS, Accounts, Book
from contractcalc.errors import InputError
from contractcalc.io.files import parse_json, read_bytes, read_text

__all__ = [
    "MAX_BOOK_BYTES",
    "MAX_BOOK_ROWS",
    "load_book",
    "read_accounts",
    "read_book",
    "read_table",
    "relabel_column_error",
    "write_table",
]

#: Cap on a book or accounts file's size (a million positions in CSV are ~100 MB).
MAX_BOOK_BYTES = 512 * 1024 * 1024
#: Cap on the number of rows of a book or accounts file.
MAX_BOOK_ROWS = 5_000_000

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".json": "jsonl"}
_INSTALL = "pip install 'contractcalc[book]'"


def file_format(path: str | os.PathLike[str], field: str) -> str:
    """``'csv'``, ``'parquet'`` or ``'jsonl'`` from the file's extension.

    >>> file_format("book.PARQUET", "book")
    'parquet'
    >>> file_format("book.xlsx", "book")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'book' must be a .csv, .parquet (.pq) or .jsonl (.ndjson, .json) file ...
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise InputError(field, "must be a .csv, .parquet (.pq) or .jsonl (.ndjson, .json) file", str(path))
    return _FORMATS[suffix]


def read_table(path: str | os.PathLike[str], *, field: str, max_bytes: int = MAX_BOOK_BYTES) -> dict[str, Any]:
    """The columns of a CSV, Parquet or JSON lines file, by name (text, numbers or None per cell)."""
    kind = file_format(path, field)
    if kind == "parquet":
        columns = _parquet(path, field, max_bytes)
    else:
        text = read_text(path, field=field, max_bytes=max_bytes)
        columns = _csv(text, field, str(path)) if kind == "csv" else _json_lines(text, field, str(path))
    rows = len(next(iter(columns.values()))) if columns else 0
    if rows == 0:
        raise InputError(field, "must hold at least one row (the file has none)", str(path))
    if rows > MAX_BOOK_ROWS:
        raise InputError(field, f"must hold at most {MAX_BOOK_ROWS:,} rows", f"{rows:,} rows")
    return columns


def _csv(text: str, field: str, shown: str) -> dict[str, Any]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(field, "must have a header row naming the columns (the file is empty)", shown)
        names = [name.strip() for name in header]
        rows = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(names):
                raise InputError(field, f"must have {len(names)} cells in every row (line {reader.line_num} has "
                                 f"{len(row)})", shown)
            rows.append(row)
            if len(rows) > MAX_BOOK_ROWS:
                raise InputError(field, f"must hold at most {MAX_BOOK_ROWS:,} rows", shown)
    except csv.Error as error:
        raise InputError(field, f"must be valid CSV ({error} at line {reader.line_num})", shown) from None
    _check_names(names, field, shown)
    cells = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {name: list(column) for name, column in zip(names, cells, strict=True)}


def _check_names(names: Sequence[str], field: str, shown: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(field, f"must name each column once ('{name}' appears twice)", shown)
        seen.add(name)


def _json_lines(text: str, field: str, shown: str) -> dict[str, Any]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        data = parse_json(text, field=field, shown=shown)
        items = list(enumerate(data, start=1)) if isinstance(data, list) else []
        if not isinstance(data, list):
            raise InputError(field, "must be JSON lines or a JSON list of row objects", shown)
    else:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                items.append((number, parse_json(line, field=field, shown=f"{shown} line {number}")))
            if len(items) > MAX_BOOK_ROWS:
                raise InputError(field, f"must hold at most {MAX_BOOK_ROWS:,} rows", shown)
    names: dict[str, None] = {}
    for number, item in items:
        if not isinstance(item, Mapping):
            raise InputError(field, f"must hold one JSON object per row (row {number} is not one)", shown)
        for key in item:
            names.setdefault(str(key), None)
    return {name: [item.get(name) for _, item in items] for name in names}


def _parquet(path: str | os.PathLike[str], field: str, max_bytes: int) -> dict[str, Any]:
    data = read_bytes(path, field=field, max_bytes=max_bytes)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(field, f"needs pyarrow to read Parquet ({_INSTALL})", str(path)) from None
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        # pyarrow's first sentence (its next ones guess at causes), never cut mid-word
        reason = str(error).splitlines()[0].split(". ")[0].rstrip(".") if str(error) else type(error).__name__
        raise InputError(field, f"must be a valid Parquet file ({reason})", str(path)) from None
    _check_names(table.column_names, field, str(path))
    return {name: _column_array(table.column(name)) for name in table.column_names}


def _column_array(column: Any) -> Any:
    """A Parquet column as a NumPy array; text through its dictionary (each distinct string made once)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.null_count == 0 and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        encoded = pc.dictionary_encode(column).combine_chunks()
        return encoded.dictionary.to_numpy(zero_copy_only=False)[encoded.indices.to_numpy()]
    return column.to_numpy(zero_copy_only=False)


def read_book(path: str | os.PathLike[str], *, max_bytes: int = MAX_BOOK_BYTES) -> Book:
    """The :class:`~contractcalc.book.Book` in a CSV, Parquet or JSON lines file (numbers as float64)."""
    return Book.from_columns(read_table(path, field="book", max_bytes=max_bytes), exact=False)


def read_accounts(path: str | os.PathLike[str], *, max_bytes: int = MAX_BOOK_BYTES) -> Accounts:
    """The :class:`~contractcalc.book.Accounts` (``account``, ``wallet_balance``) in a CSV, Parquet or JSONL file."""
    return Accounts.from_columns(read_table(path, field="accounts", max_bytes=max_bytes), exact=False)


def relabel_column_error(error: InputError, field_name: str, columns: Sequence[str]) -> InputError:
    """A column's error re-labelled as the file's (``'--positions' column 'side' must be ...``)."""
    if error.field not in columns:
        return error
    return InputError(field_name, f"column '{error.field}' {error.rule}", error.value, where=error.where)


def load_book(positions: Any, accounts: Any = None) -> tuple[Book, Accounts | None]:
    """The float :class:`Book` and :class:`Accounts` from files (CSV, Parquet, JSON lines), columns or themselves.

    A column's error names the input it came in (``'positions' column 'side' ...``),
    as the stress backends (local and Dask) report it.
    """
    try:
        if isinstance(positions, Book):
            book = positions
        else:
            data = read_table(positions, field="positions") if isinstance(positions, str | os.PathLike) else positions
            book = Book.from_columns(data, exact=False)
    except InputError as error:
        raise relabel_column_error(error, "positions", (*BOOK_COLUMNS, "quantity", "book")) from None
    try:
        if accounts is None or isinstance(accounts, Accounts):
            wallets = accounts
        else:
            data = read_table(accounts, field="accounts") if isinstance(accounts, str | os.PathLike) else accounts
            wallets = Accounts.from_columns(data, exact=False)
    except InputError as error:
        raise relabel_column_error(error, "accounts", ACCOUNT_COLUMNS) from None
    return book, wallets


def write_table(path: str | os.PathLike[str], columns: Mapping[str, Any], *, field: str = "output") -> None:
    """Write ``columns`` (equal-length arrays) to ``path`` as CSV or Parquet, by its extension."""
    kind = file_format(path, field)
    if kind == "jsonl":
        raise InputError(field, "must be a .csv or .parquet file", str(path))
    if kind == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(field, f"needs pyarrow to write Parquet ({_INSTALL})", str(path)) from None
        try:
            pq.write_table(pa.table({name: list(values) if _objects(values) else values
                                     for name, values in columns.items()}), str(path))
        except OSError as error:
            raise InputError(field, f"must be a writable file ({error.strerror or error})", str(path)) from None
        return
    names = list(columns)
    rows = zip(*(_cells(columns[name]) for name in names), strict=True)
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows(rows)
    except OSError as error:
        raise InputError(field, f"must be a writable file ({error.strerror})", str(path)) from None


def _objects(values: Any) -> bool:
    return getattr(getattr(values, "dtype", None), "kind", "") == "O"


def _cells(values: Any) -> list[Any]:
    """A column as CSV cells: NaN and None empty, floats in their shortest exact form."""
    out: list[Any] = []
    for value in values.tolist() if hasattr(values, "tolist") else list(values):
        if value is None or (isinstance(value, float) and value != value):
            out.append("")
        else:
            out.append(repr(value) if isinstance(value, float) else value)
    return out
