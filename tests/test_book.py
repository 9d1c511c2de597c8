"""The columnar Book and Accounts, and the book readers (CSV, Parquet, JSON lines)."""

from __future__ import annotations

import json
import os
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from contractcalc.book import Accounts, Book
from contractcalc.errors import InputError
from contractcalc.io.books import read_accounts, read_book, read_table, write_table

ROWS: dict[str, list[Any]] = {
    "account": ["alice", "bob", "alice", "alice"],
    "symbol": ["BTC/USDT:USDT", "BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USDT:USDT"],
    "side": ["long", "short", "short", "short"],
    "quantity": [1.0, 0.5, 10.0, 0.2],
    "entry": [60000.0, 61000.0, 3000.0, 62000.0],
    "mark": [60500.0, 60500.0, 3100.0, 60500.0],
    "leverage": [np.nan, 10.0, np.nan, np.nan],
    "margin_mode": ["cross", "isolated", "cross", "cross"],
    "wallet_balance": [np.nan, 3050.0, np.nan, np.nan],
    "maintenance_margin_rate": [0.004, 0.004, 0.005, 0.004],
}


def _error(**changes: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        Book.from_columns({**ROWS, **changes})
    return caught.value


def test_columns_and_codes() -> None:
    book = Book.from_columns(ROWS)
    assert len(book) == 4
    assert book.side.tolist() == [1, -1, -1, -1]
    assert book.isolated.tolist() == [False, True, False, False]
    assert book.accounts.tolist() == ["alice", "bob"] and book.account_code.tolist() == [0, 1, 0, 0]
    assert book.symbols.tolist() == ["BTC/USDT:USDT", "ETH/USDT:USDT"] and book.symbol_code.tolist() == [0, 0, 1, 0]
    # alice's two BTC legs are one group; bob's BTC is another; alice's ETH a third
    groups = book.leg_group.tolist()
    assert groups[0] == groups[3] and len({groups[0], groups[1], groups[2]}) == 3 and book.leg_groups == 3
    assert book.contract_size.tolist() == [1, 1, 1, 1]  # quantity: one base unit per "contract"
    assert np.isnan(book.maintenance_amount).all()
    assert book.margin_mode.tolist() == ["cross", "isolated", "cross", "cross"]


def test_dataframe_and_arrow_give_the_same_book() -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    plain = Book.from_columns(ROWS)
    for data in (pd.DataFrame(ROWS), pa.table(ROWS)):
        other = Book.from_columns(data)
        for name, values in plain.to_dict().items():
            np.testing.assert_array_equal(values, other.to_dict()[name], err_msg=name)


def test_text_numbers_as_a_csv_gives_them() -> None:
    book = Book.from_columns({**ROWS, "quantity": ["1", " 0.5", "1e1", "0.2"], "leverage": ["", "10", " ", ""]})
    assert book.contracts.tolist() == [1.0, 0.5, 10.0, 0.2]
    assert np.isnan(book.leverage[[0, 2, 3]]).all() and book.leverage[1] == 10


@pytest.mark.parametrize(
    ("changes", "field", "index", "message"),
    [
        ({"side": ["long", "short", "buy", "long"]}, "side", 2,
         "'side' must be 'long' or 'short' (got 'buy' at index 2)"),
        ({"margin_mode": ["cross", "portfolio", "cross", "cross"]}, "margin_mode", 1,
         "'margin_mode' must be 'isolated' or 'cross' (got 'portfolio' at index 1)"),
        ({"quantity": [1, 0, 1, 1]}, "quantity", 1, "'quantity' must be > 0 (got 0 at index 1)"),
        ({"quantity": [1, 1, 1, -2]}, "quantity", 3, "'quantity' must be > 0 (got -2 at index 3)"),
        ({"entry": [1, 1, np.nan, 1]}, "entry", 2, "'entry' is required (missing value) (got nan at index 2)"),
        ({"mark": [1, 1, 1, -5]}, "mark", 3, "'mark' must be > 0 (got -5 at index 3)"),
        ({"mark": [1, np.inf, 1, 1]}, "mark", 1, "'mark' must be finite (got inf at index 1)"),
        ({"entry": [1, 1, "abc", 1]}, "entry", 2, "'entry' must be a number (got 'abc' at index 2)"),
        ({"maintenance_margin_rate": [0.004, 1, 0.004, 0.004]}, "maintenance_margin_rate", 1,
         "'maintenance_margin_rate' must be < 1 (got 1 at index 1)"),
        ({"account": ["a", "", "a", "a"]}, "account", 1, "'account' must be a non-empty text value"),
        ({"wallet_balance": [np.nan, np.nan, np.nan, np.nan], "leverage": [np.nan] * 4}, "wallet_balance", 1,
         "'wallet_balance' is required for an isolated position"),
    ],
)
def test_bad_values_name_the_column_and_row(changes: dict[str, Any], field: str, index: int, message: str) -> None:
    error = _error(**changes)
    assert error.field == field and error.index == index
    assert str(error).startswith(message)


def test_missing_and_misshapen_columns() -> None:
    rows = {k: v for k, v in ROWS.items() if k != "entry"}
    with pytest.raises(InputError, match="'entry' is a required column"):
        Book.from_columns(rows)
    with pytest.raises(InputError, match="'quantity' or 'contracts' is a required column"):
        Book.from_columns({**ROWS, "contracts": [1, 1, 1, 1]})
    assert "must have as many rows as 'account' (4)" in str(_error(mark=[1, 2]))
    with pytest.raises(InputError, match="'account' must hold at least one position"):
        Book.from_columns({name: [] for name in ROWS})
    with pytest.raises(InputError, match="'book' must be a dict of arrays"):
        Book.from_columns([1, 2])


def test_contracts_with_and_without_a_size() -> None:
    rows = {k: v for k, v in ROWS.items() if k != "quantity"}
    book = Book.from_columns({**rows, "contracts": [10, 5, 1, 2], "contract_size": [0.001, np.nan, 0.1, 0.001]})
    assert book.contracts.tolist() == [10, 5, 1, 2] and np.isnan(book.contract_size[1])
    assert np.isnan(Book.from_columns({**rows, "contracts": [1, 1, 1, 1]}).contract_size).all()


def test_exact_book_keeps_decimals() -> None:
    rows = {**ROWS, "quantity": np.array([D("0.1"), D("0.5"), D(10), D("0.2")], dtype=object)}
    book = Book.from_columns(rows)
    assert book.exact and book.contracts[0] == D("0.1") and book.entry[0] == D(60000)
    assert book.leverage[0].is_nan()


def test_with_mark_is_validated() -> None:
    book = Book.from_columns(ROWS)
    assert book.with_mark(50000).mark.tolist() == [50000.0] * 4
    with pytest.raises(InputError, match=r"'mark' must be > 0 \(got 0 at index 0\)"):
        book.with_mark([0, 1, 1, 1])


def test_accounts() -> None:
    accounts = Accounts.from_columns({"account": ["bob", "alice"], "wallet_balance": ["100", 5.5]})
    wallet, found = accounts.wallets_for(np.array(["alice", "carol", "bob"]))
    assert wallet.tolist() == [5.5, 0.0, 100.0] and found.tolist() == [True, False, True]
    with pytest.raises(InputError, match=r"'wallet_balance' must be >= 0 \(got -1 at index 0\)"):
        Accounts.from_columns({"account": ["a"], "wallet_balance": [-1]})
    with pytest.raises(InputError, match="'accounts' must have the column 'wallet_balance'"):
        Accounts.from_columns({"account": ["a"]})


# --- files ---------------------------------------------------------------------------


def _write_csv(path: Path, rows: dict[str, list[Any]]) -> None:
    names = list(rows)
    lines = [",".join(names)]
    for values in zip(*rows.values(), strict=True):
        lines.append(",".join("" if isinstance(v, float) and np.isnan(v) else str(v) for v in values))
    path.write_text("\n".join(lines) + "\n")


def test_csv_jsonl_and_parquet_books_agree(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    _write_csv(tmp_path / "book.csv", ROWS)
    with open(tmp_path / "book.jsonl", "w") as handle:
        for values in zip(*ROWS.values(), strict=True):
            row = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in zip(ROWS, values, strict=True)}
            handle.write(json.dumps(row) + "\n")
    pq.write_table(pa.table(ROWS), tmp_path / "book.parquet")
    plain = Book.from_columns(ROWS)
    for name in ("book.csv", "book.jsonl", "book.parquet"):
        book = read_book(tmp_path / name)
        for column, values in plain.to_dict().items():
            np.testing.assert_array_equal(values, book.to_dict()[column], err_msg=f"{name}: {column}")


def test_accounts_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account,wallet_balance\nalice,10000\nbob,250.5\n")
    accounts = read_accounts(path)
    assert accounts.account.tolist() == ["alice", "bob"] and accounts.wallet_balance.tolist() == [10000, 250.5]


def test_bad_files(tmp_path: Path) -> None:
    def message(path: Path | str, field: str = "book") -> str:
        with pytest.raises(InputError) as caught:
            read_table(path, field=field)
        assert caught.value.field == field
        return str(caught.value)

    assert "must be a .csv, .parquet" in message(tmp_path / "book.xlsx")
    (tmp_path / "dir.csv").mkdir()
    assert "must be a regular file (it is a directory)" in message(tmp_path / "dir.csv")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.csv")
        assert "must be a regular file (it is a FIFO)" in message(tmp_path / "fifo.csv")
    (tmp_path / "empty.csv").write_text("")
    assert "must have a header row" in message(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("account,symbol\n")
    assert "must hold at least one row" in message(tmp_path / "header.csv")
    (tmp_path / "ragged.csv").write_text("account,symbol\na,b\nc\n")
    assert "must have 2 cells in every row (line 3 has 1)" in message(tmp_path / "ragged.csv")
    (tmp_path / "twice.csv").write_text("account,account\na,b\n")
    assert "'account' appears twice" in message(tmp_path / "twice.csv")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00")
    assert "must be a UTF-8 text file" in message(tmp_path / "binary.csv")
    (tmp_path / "bad.jsonl").write_text('{"account": "a"}\n[1]\n')
    assert "row 2 is not one" in message(tmp_path / "bad.jsonl")
    (tmp_path / "broken.jsonl").write_text('{"account": "a"\n')
    assert "must be valid JSON" in message(tmp_path / "broken.jsonl")
    (tmp_path / "deep.jsonl").write_text("[" * 100_000)
    assert "nested less deeply" in message(tmp_path / "deep.jsonl")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    if _has_pyarrow():
        assert "must be a valid Parquet file" in message(tmp_path / "bad.parquet")
    with pytest.raises(InputError, match="must be a file of at most 10 bytes"):
        read_table(tmp_path / "ragged.csv", field="book", max_bytes=10)


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def test_write_table_round_trip(tmp_path: Path) -> None:
    columns = {"symbol": np.array(["BTC", "ETH"]), "liquidation_price": np.array([50000.5, np.nan])}
    write_table(tmp_path / "out.csv", columns)
    assert (tmp_path / "out.csv").read_text().splitlines() == ["symbol,liquidation_price", "BTC,50000.5", "ETH,"]
    if _has_pyarrow():
        import pyarrow.parquet as pq

        write_table(tmp_path / "out.parquet", columns)
        table = pq.read_table(tmp_path / "out.parquet")
        assert table.column("symbol").to_pylist() == ["BTC", "ETH"]
    with pytest.raises(InputError, match=r"'output' must be a \.csv or \.parquet file"):
        write_table(tmp_path / "out.jsonl", columns)
