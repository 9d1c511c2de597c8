"""``contractcalc stress`` on the command line, and the Dask backend against the local one.

The hand-built book is the one of tests/test_stress.py (worked out there):
A cross (liquidated below −8.397 %), B isolated (−9.548 %), C hedged legs
(−6.883 %), D a short (liquidated above +3.960 %).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _stress_books import TIERS, random_book

from contractcalc.engines.stress import parse_shocks
from contractcalc.engines.stress_run import run_stress

POSITIONS = """account,symbol,side,quantity,entry,mark,margin_mode,leverage,maintenance_margin_rate
A,BTC/USDT:USDT,long,1,50000,50000,cross,,0.004
A,ETH/USDT:USDT,short,10,3000,3000,cross,,0.005
B,ETH/USDT:USDT,long,2,3000,3000,isolated,10,0.005
C,BTC/USDT:USDT,long,1,50000,50000,cross,,0.004
C,BTC/USDT:USDT,short,0.5,52000,50000,cross,,0.004
D,SOL/USDT:USDT,short,100,100,100,cross,,0.01
"""
ACCOUNTS = "account,wallet_balance\nA,2000\nC,1000\nD,500\n"


@pytest.fixture
def book_files(tmp_path: Path) -> tuple[str, str]:
    positions = tmp_path / "positions.csv"
    accounts = tmp_path / "accounts.csv"
    positions.write_text(POSITIONS)
    accounts.write_text(ACCOUNTS)
    return str(positions), str(accounts)


def test_json_ladder(cli: Any, book_files: tuple[str, str]) -> None:
    positions, accounts = book_files
    result = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
                 "--shocks=-0.1:0.1:0.05", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert list(data) == ["positions", "accounts", "ladder"]
    assert (data["positions"], data["accounts"]) == (6, 4)
    assert [row["shock"] for row in data["ladder"]] == [-0.1, -0.05, 0, 0.05, 0.1]
    assert list(data["ladder"][0]) == ["shock", "accounts_liquidated", "positions_liquidated", "notional_liquidated",
                                       "shortfall"]
    assert [row["accounts_liquidated"] for row in data["ladder"]] == [3, 0, 0, 1, 1]
    assert data["ladder"][0]["notional_liquidated"] == pytest.approx(144_900)
    assert data["ladder"][0]["shortfall"] == pytest.approx(500)
    assert result.err == ""


def test_table_and_output(cli: Any, book_files: tuple[str, str], tmp_path: Path) -> None:
    positions, accounts = book_files
    output = tmp_path / "moves.csv"
    result = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
                 "--shocks=-0.1:0.1:0.1", "--output", str(output))
    assert result.code == 0, result.err
    assert "-10 %" in result.out and "144,900.00" in result.out and "6 positions in 4 accounts" in result.out
    rows = {row["account"]: row for row in csv.DictReader(output.open())}
    assert float(rows["A"]["liquidation_move_down"]) == pytest.approx(-1650 / 19650, rel=1e-12)
    assert rows["A"]["liquidation_move_up"] == ""
    assert float(rows["D"]["liquidation_move_up"]) == pytest.approx(400 / 10100, rel=1e-12)
    assert float(rows["A"]["margin_ratio"]) == pytest.approx(350 / 2000)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".moves")]  # no temporary left behind


def test_parquet_output(cli: Any, book_files: tuple[str, str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    positions, accounts = book_files
    output = tmp_path / "moves.parquet"
    result = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
                 "--shocks=-0.1:0:0.1", "--output", str(output), "--json")
    assert result.code == 0, result.err
    table = pq.read_table(output).to_pydict()
    assert table["account"] == ["A", "B", "C", "D"]
    assert table["liquidation_move_down"][2] == pytest.approx(-1700 / 24700, rel=1e-12)


def test_scenarios(cli: Any, book_files: tuple[str, str], tmp_path: Path) -> None:
    positions, accounts = book_files
    span = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
               "--scenarios", "span:0.15", "--json").json()
    assert len(span["ladder"]) == 16 and span["ladder"][-1]["weight"] == 0.35
    file = tmp_path / "scenarios.json"
    file.write_text(json.dumps([{"name": "ETH -20 %", "shocks": {"ETH/USDT:USDT": -0.2}},
                                {"name": "all -10 %", "shock": -0.1}]))
    data = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
               "--scenarios", str(file), "--json").json()
    assert [row["accounts_liquidated"] for row in data["ladder"]] == [1, 3]
    assert data["ladder"][1]["shortfall"] == pytest.approx(500)
    rows = tmp_path / "scenarios.csv"
    rows.write_text("scenario,symbol,shock\nETH -20 %,ETH/USDT:USDT,-0.2\nall -10 %,*,-0.1\n")
    again = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
                "--scenarios", str(rows), "--json").json()
    assert again["ladder"] == data["ladder"]


@pytest.mark.parametrize(("book", "flags", "message"), [
    ("account,symbol,side,quantity,entry,mark\nA,X,up,1,1,1\n", [], "'--positions' column 'side' must be 'long'"),
    ("account,symbol,side,quantity,entry,mark\nA,X,long,0,1,1\n", [], "column 'quantity' must be > 0"),
    ("account,symbol,side,quantity,entry,mark\nA,X,long,-1,1,1\n", [], "column 'quantity' must be > 0"),
    ("account,symbol,side,quantity,entry,mark\nA,X,long,1,1,nan\n", [], "column 'mark'"),
    ("account,symbol,side,quantity,entry,mark\nA,X,long,1,1,0\n", [], "column 'mark' must be > 0"),
    ("account,side,quantity,entry,mark\nA,long,1,1,1\n", [], "column 'symbol' is a required column"),
    ("account,symbol,side,quantity,entry,mark,margin_mode\nA,X,long,1,1,1,portfolio\n", [],
     "column 'margin_mode' must be 'isolated' or 'cross'"),
    ("account,symbol,side,quantity,entry,mark,maintenance_margin_rate\nZ,X,long,1,1,1,0.01\n", [],
     "'--accounts' must have a wallet row for every account with cross positions (got 'Z')"),
    (POSITIONS, ["--shocks=0.1:-0.1:0.01"], "'--shocks' must go up"),
    (POSITIONS, ["--shocks=0.1:0.2:-0.01"], "'--shocks' must have STEP > 0"),
    (POSITIONS, ["--shocks=-1:0:0.5"], "'--shocks' must be > -1"),
    (POSITIONS, ["--shocks=-2:0:0.5"], "'--shocks' must be > -1"),
    (POSITIONS, ["--backend", "spark"], "'--backend' must be local or dask (got 'spark')"),
    (POSITIONS, ["--scheduler", "tcp://127.0.0.1:1"], "'--scheduler' goes with --backend dask"),
    (POSITIONS, ["--scenarios", "span:0.1"], "exactly one of them"),
    (POSITIONS, ["--output", "out.json"], "'--output' must be a .csv or .parquet file"),
    (POSITIONS, ["--exchange", "ftx"], "'--exchange' must be one of"),
])
def test_bad_input_is_one_line(cli: Any, tmp_path: Path, book: str, flags: list[str], message: str) -> None:
    positions = tmp_path / "book.csv"
    positions.write_text(book)
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS)
    output = tmp_path / "moves.csv"
    args = ["stress", "--positions", str(positions), "--accounts", str(accounts), "--exchange", "binance-usdm"]
    if not any(flag.startswith("--shocks") for flag in flags):
        args.append("--shocks=-0.1:0.1:0.1")
    result = cli(*args, *flags, "--output", str(output)) if "--output" not in flags else cli(*args, *flags)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert message in result.err
    assert not output.exists()


def test_no_wallet_file_names_the_flag(cli: Any, book_files: tuple[str, str]) -> None:
    positions, _ = book_files
    result = cli("stress", "--positions", positions, "--exchange", "binance-usdm", "--shocks=-0.1:0.1:0.1")
    assert result.code == 2 and "(give --accounts)" in result.err


# ---------------------------------------------------------------------------
# Dask


def test_dask_equals_local_on_random_books(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    columns, accounts = random_book(3000, 400, seed=21)
    positions_file, accounts_file = tmp_path / "book.parquet", tmp_path / "accounts.parquet"
    # row groups of 500: several partitions, each account spread over them before the shuffle
    pq.write_table(pa.table(columns), positions_file, row_group_size=500)
    pq.write_table(pa.table(accounts), accounts_file)
    shocks = "-0.5:0.5:0.05"
    local, local_moves = run_stress(str(positions_file), str(accounts_file), exchange="binance-usdm", tiers=TIERS,
                                    shocks=shocks, output=str(tmp_path / "local.parquet"))
    from contractcalc.engines.stress_dask import dask_stress

    remote, remote_moves = dask_stress(str(positions_file), str(accounts_file), exchange="binance-usdm", tiers=TIERS,
                                       shocks=parse_shocks(shocks), with_moves=True, npartitions=3,
                                       cluster_options={"processes": False, "n_workers": 1, "threads_per_worker": 2})
    assert (remote.positions, remote.accounts) == (local.positions, local.accounts) == (3000, 400)
    assert remote.accounts_liquidated.tolist() == local.accounts_liquidated.tolist()
    assert remote.positions_liquidated.tolist() == local.positions_liquidated.tolist()
    np.testing.assert_allclose(remote.notional_liquidated, local.notional_liquidated, rtol=1e-12)
    np.testing.assert_allclose(remote.shortfall, local.shortfall, rtol=1e-12, atol=1e-9)
    assert remote.to_dict()["ladder"][0]["shock"] == local.to_dict()["ladder"][0]["shock"]
    assert local_moves is not None and remote_moves is not None
    assert remote_moves.account.tolist() == local_moves.account.tolist()
    np.testing.assert_allclose(remote_moves.liquidation_move_down, local_moves.liquidation_move_down, rtol=1e-12)
    np.testing.assert_allclose(remote_moves.margin_balance, local_moves.margin_balance, rtol=1e-12)
    assert 0 < local.accounts_liquidated.min() < local.accounts_liquidated.max() < 400


def test_dask_reports_bad_rows_as_input_errors(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from contractcalc.engines.stress_dask import dask_stress
    from contractcalc.errors import InputError

    positions = tmp_path / "book.csv"
    positions.write_text(POSITIONS.replace("D,SOL", "E,SOL"))
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS)
    with pytest.raises(InputError, match="wallet row") as error:
        dask_stress(str(positions), str(accounts), exchange="binance-usdm", shocks=[0.0],
                    cluster_options={"processes": False, "n_workers": 1, "threads_per_worker": 1})
    assert error.value.field == "accounts" and error.value.value == "E"


def test_local_backend_does_not_import_dask(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from contractcalc.engines.stress_run import run_stress; "
            f"run_stress({str(tmp_path / 'b.csv')!r}, {str(tmp_path / 'a.csv')!r}, exchange='binance-usdm', "
            "shocks='-0.1:0.1:0.1'); print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))")
    (tmp_path / "b.csv").write_text(POSITIONS)
    (tmp_path / "a.csv").write_text(ACCOUNTS)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_moves_are_nan_free_where_an_account_is_liquidated_now(tmp_path: Path) -> None:
    positions = tmp_path / "b.csv"
    positions.write_text("account,symbol,side,quantity,entry,mark,maintenance_margin_rate\n"
                         "A,BTC/USDT:USDT,long,1,50000,40000,0.004\n")
    accounts = tmp_path / "a.csv"
    accounts.write_text("account,wallet_balance\nA,5000\n")
    _, moves = run_stress(str(positions), str(accounts), exchange="binance-usdm", shocks=[0.0],
                          output=str(tmp_path / "m.csv"))
    assert moves is not None
    # balance 5,000 − 10,000 < 0 at the mark: liquidated now, both moves 0
    assert moves.liquidation_move_down[0] == 0 and moves.liquidation_move_up[0] == 0
    assert math.isnan(moves.margin_ratio[0])


def test_no_progress_bar_with_json_or_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from contractcalc.interfaces.cli.stress_command import _progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    update, stop = _progress(as_json=True)
    assert update is None
    stop()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert _progress(as_json=False)[0] is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    update, stop = _progress(as_json=False)
    assert update is not None
    update(1, 2)
    update(2, 2)
    stop()


def test_cascade_flag(cli: Any, book_files: tuple[str, str]) -> None:
    positions, accounts = book_files
    data = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
               "--shocks=-0.1:0:0.1", "--cascade", "5000000", "--json").json()
    first = data["ladder"][0]
    # the fixed point of k = −0.1 − sqrt(51,000·(1 + k) / 5,000,000) (tests/test_stress.py works it out)
    assert first["cascade_shock"] == pytest.approx(-0.1 - math.sqrt(51_000 * (1 + first["cascade_shock"]) / 5e6))
    assert data["ladder"][1]["cascade_shock"] == 0
    bad = cli("stress", "--positions", positions, "--accounts", accounts, "--exchange", "binance-usdm",
              "--scenarios", "span:0.1", "--cascade", "5000000")
    assert bad.code == 2 and "'--cascade' goes with --shocks" in bad.err
