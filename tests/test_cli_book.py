"""``contractcalc liquidation --book FILE [--accounts FILE] [--output FILE]``, and a book over HTTP."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

BOOK = """account,symbol,side,quantity,entry,mark,margin_mode,wallet_balance,leverage,maintenance_margin_rate
alice,BTC/USDT:USDT,long,1,60000,60000,cross,,,0.004
alice,ETH/USDT:USDT,short,10,3000,3100,cross,,,0.005
bob,BTC/USDT:USDT,long,1,10000,10000,cross,,,0.004
bob,BTC/USDT:USDT,short,0.4,10500,10000,cross,,,0.004
carol,BTC/USDT:USDT,short,0.5,60000,60000,isolated,3000,,0.004
"""
ACCOUNTS = "account,wallet_balance\nalice,10000\nbob,3000\n"
# by hand (tests/test_book_liquidation.py): 51,155 / 0.996; 39,760 / 10.05; 2,800 / 0.5944 (hedged pair);
# 33,000 / 0.502 (isolated short)
EXPECTED = [51155 / 0.996, 39760 / 10.05, 2800 / 0.5944, 2800 / 0.5944, 33000 / 0.502]


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "book.csv").write_text(BOOK)
    (tmp_path / "accounts.csv").write_text(ACCOUNTS)
    return str(tmp_path / "book.csv"), str(tmp_path / "accounts.csv")


def test_book_json(cli: Any, files: tuple[str, str]) -> None:
    book, accounts = files
    result = cli("liquidation", "--exchange", "binance-usdm", "--book", book, "--accounts", accounts, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [row["liquidation_price"] for row in data["positions"]] == pytest.approx(EXPECTED, rel=1e-12)
    assert [row["account"] for row in data["accounts"]] == ["alice", "bob", "carol"]
    assert data["accounts"][0]["margin_balance"] == 9000 and data["accounts"][2]["margin_ratio"] is None
    assert data["positions"][4]["margin_mode"] == "isolated" and data["positions"][2]["hedged"] is True


def test_book_table_and_output(cli: Any, files: tuple[str, str], tmp_path: Path) -> None:
    book, accounts = files
    output = tmp_path / "prices.csv"
    result = cli("liquidation", "--exchange", "binance-usdm", "--book", book, "--accounts", accounts,
                 "--output", str(output))
    assert result.code == 0, result.err
    assert "Book liquidation (binance-usdm): 5 positions, 3 accounts" in result.out
    assert "51360.442" in result.out and f"Wrote 5 rows to {output}" in result.out
    with open(output) as handle:
        rows = list(csv.DictReader(handle))
    assert [float(row["liquidation_price"]) for row in rows] == pytest.approx(EXPECTED, rel=1e-12)
    assert rows[0]["note"] == "" and rows[4]["margin_mode"] == "isolated"


def test_parquet_and_jsonl_books(cli: Any, files: tuple[str, str], tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import json

    import pyarrow.parquet as pq

    book, accounts = files
    with open(book) as handle:
        rows = list(csv.DictReader(handle))
    with open(tmp_path / "book.jsonl", "w") as handle:
        for row in rows:
            handle.write(json.dumps({k: v for k, v in row.items() if v != ""}) + "\n")
    pq.write_table(pa.table({k: [r[k] or None for r in rows] for k in rows[0]}), tmp_path / "book.parquet")
    for name in ("book.jsonl", "book.parquet"):
        result = cli("liquidation", "--exchange", "binance-usdm", "--book", str(tmp_path / name), "--accounts",
                     accounts, "--json", "--output", str(tmp_path / "out.parquet"))
        assert result.code == 0, (name, result.err)
        assert [row["liquidation_price"] for row in result.json()["positions"]] == pytest.approx(EXPECTED)
        written = pq.read_table(tmp_path / "out.parquet")
        assert written.column("liquidation_price").to_pylist() == pytest.approx(EXPECTED)


@pytest.mark.parametrize(
    ("change", "extra", "expected"),
    [
        (None, ["--accounts", None], "error: '--accounts' is required: the book holds cross positions"),
        ("0.4,10500", ["0,10500"], "error: '--book' column 'quantity' must be > 0 (got 0 at index 3)"),
        ("cross,,,0.005", ["margin,,,0.005"], "error: '--book' column 'margin_mode' must be 'isolated' or 'cross'"),
        (None, ["--entry", "5"], "error: '--entry' does not go with --book"),
        (None, ["--output", "out.jsonl"], "error: '--output' must be a .csv or .parquet file"),
        (None, ["--output", "out.txt"], "error: '--output' must be a .csv, .parquet"),
    ],
)
def test_book_errors(cli: Any, files: tuple[str, str], tmp_path: Path, change: str | None, extra: list[Any],
                     expected: str) -> None:
    book, accounts = files
    args = ["liquidation", "--exchange", "binance-usdm", "--book", book, "--accounts", accounts]
    if change is not None:
        Path(book).write_text(BOOK.replace(change, extra[0], 1))
        extra = []
    elif extra == ["--accounts", None]:
        args = args[:-2]
        extra = []
    result = cli(*args, *extra)
    assert result.code == 2 and result.err.startswith(expected), result.err
    assert result.out == ""


def test_accounts_or_output_need_a_book(cli: Any, files: tuple[str, str]) -> None:
    _, accounts = files
    result = cli("liquidation", "--exchange", "binance-usdm", "--accounts", accounts)
    assert result.code == 2 and result.err.startswith("error: '--book' is required with --accounts")


def test_a_small_book_over_http() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from contractcalc.interfaces.web.app import create_app

    client = TestClient(create_app())
    rows = list(csv.DictReader(BOOK.splitlines()))
    book = [{k: v for k, v in row.items() if v != ""} for row in rows]
    for row in book:
        for key in ("quantity", "entry", "mark", "wallet_balance", "maintenance_margin_rate"):
            if key in row:
                row[key] = float(row[key])
    body = {"exchange": "binance-usdm", "book": book,
            "accounts": [{"account": "alice", "wallet_balance": 10000}, {"account": "bob", "wallet_balance": 3000}]}
    answer = client.post("/api/liquidation", json=body)
    assert answer.status_code == 200, answer.text
    assert [row["liquidation_price"] for row in answer.json()["positions"]] == pytest.approx(EXPECTED)
    refused = client.post("/api/liquidation", json={**body, "output": "x.csv"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "output"


def test_a_list_where_a_number_goes_is_one_error_everywhere(cli: Any, tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    import json

    from fastapi.testclient import TestClient

    from contractcalc.interfaces.web.app import create_app

    good = {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 100,
            "markPrice": 100, "maintenanceMarginRate": 0.004}
    positions = [good, {**good, "markPrice": [60000, 1]}]
    expected = "'positions' item 1: 'markPrice' must be a number (got [60000, 1])"
    answer = TestClient(create_app()).post(
        "/api/liquidation", json={"exchange": "binance-usdm", "wallet_balance": 50, "positions": positions})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["message"] == expected and answer.json()["detail"][0]["index"] == 1
    path = tmp_path / "positions.json"
    path.write_text(json.dumps(positions))
    result = cli("liquidation", "--exchange", "binance-usdm", "--wallet-balance", "50", "--positions", str(path))
    flagged = expected.replace("'positions'", "'--positions'", 1)
    assert result.code == 2 and result.err == f"error: {flagged}\n"
