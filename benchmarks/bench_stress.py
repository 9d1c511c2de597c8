"""Speed of ``contractcalc stress``: the local backend against a minimal NumPy floor, and a Dask run.

A random book (``--positions`` positions in ``--accounts`` accounts; five
symbols, BTC on the shipped Binance tier table, 20 % isolated) is written to
Parquet once.  Then, alternating, with thread CPU time (``time.thread_time``)
and the median of ``--repeat`` runs:

- **floor**: the least a NumPy program can do that reads the same Parquet
  files and counts liquidated accounts per shock: read the columns, codes for
  the accounts (Arrow's dictionary encoding), and per shock one PnL and one
  maintenance-margin ``bincount`` (every position cross, one fixed rate, no
  tiers, no isolated pools, no sums beyond the count);
- **local**: :func:`contractcalc.engines.stress_run.run_stress` from the files,
  everything included (reading, the validated ``Book``, the exchange's tiers,
  isolated pools, the four ladder columns).

Then ``--dask-positions`` positions through ``--backend dask`` on a
``LocalCluster`` of ``--workers`` processes (wall time: the work happens in
the workers' processes), compared with the local backend on the same files.

Run: ``python benchmarks/bench_stress.py`` (defaults: 1,000,000 positions,
200,000 accounts, 101 shocks).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT", "XRP/USDT:USDT", "DOGE/USDT:USDT")
MARKS = (60000.0, 3000.0, 150.0, 0.6, 0.15)
TIERS = "binance-usdm-BTCUSDT-2024-10"


def write_book(folder: Path, positions: int, accounts: int, seed: int = 1, row_group: int = 250_000) -> tuple[
        Path, Path]:
    """A random book and its accounts as Parquet files in ``folder`` (rows by account)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    symbol = rng.integers(0, len(SYMBOLS), positions)
    account = np.sort(rng.integers(0, accounts, positions))
    mark = np.array(MARKS)[symbol]
    notional = rng.lognormal(np.log(5000), 1.2, positions)
    isolated = rng.random(positions) < 0.2
    names = np.char.add("acct", account.astype(str))
    table = pa.table({
        "account": names,
        "symbol": np.array(SYMBOLS)[symbol],
        "side": np.where(rng.random(positions) < 0.55, "long", "short"),
        "quantity": notional / mark,
        "entry": mark * (1 + rng.normal(0, 0.03, positions)),
        "mark": mark,
        "margin_mode": np.where(isolated, "isolated", "cross"),
        "leverage": rng.choice([2.0, 3.0, 5.0, 10.0, 20.0], positions),
        "maintenance_margin_rate": np.where(symbol == 0, np.nan, 0.01),
    })
    book = folder / f"book-{positions}.parquet"
    wallets = folder / f"accounts-{positions}.parquet"
    pq.write_table(table, book, row_group_size=row_group)
    unique = np.unique(names)
    pq.write_table(pa.table({"account": unique, "wallet_balance": rng.lognormal(np.log(3000), 1.0, unique.size)}),
                   wallets)
    return book, wallets


def floor(book: Path, wallets: Path, grid: np.ndarray) -> np.ndarray:
    """Liquidated accounts per shock, the minimal way (see the module docstring)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(book, columns=["account", "side", "quantity", "entry", "mark", "maintenance_margin_rate"])
    accounts = pq.read_table(wallets)
    encoded = pc.dictionary_encode(table["account"]).combine_chunks()
    codes = encoded.indices.to_numpy()
    n = len(encoded.dictionary)
    wallet = np.zeros(n)
    where = pc.index_in(accounts["account"], value_set=encoded.dictionary).to_numpy(zero_copy_only=False)
    found = ~np.isnan(where.astype(float))
    wallet[where[found].astype(np.int64)] = accounts["wallet_balance"].to_numpy()[found]
    s = np.where(pc.equal(table["side"], "long").to_numpy(zero_copy_only=False), 1.0, -1.0)
    q, e, m = (table[c].to_numpy() for c in ("quantity", "entry", "mark"))
    r = np.nan_to_num(table["maintenance_margin_rate"].to_numpy(), nan=0.004)
    out = np.empty(grid.size)
    for k, shock in enumerate(grid):
        price = m * (1 + shock)
        balance = wallet + np.bincount(codes, s * q * (price - e), n)
        maintenance = np.bincount(codes, q * price * r, n)
        out[k] = np.count_nonzero(balance <= maintenance)
    return out


def local(book: Path, wallets: Path, shocks: str) -> Any:
    from contractcalc.engines.stress_run import run_stress

    return run_stress(str(book), str(wallets), exchange="binance-usdm", tiers=TIERS, shocks=shocks)[0]


def stages(book: Path, wallets: Path, shocks: str) -> dict[str, float]:
    """Thread CPU seconds of each stage of the local backend (one run)."""
    from contractcalc.engines.stress import account_moves, parse_shocks, prepare_book, stress
    from contractcalc.engines.stress_run import load_book

    clock = time.thread_time
    out: dict[str, float] = {}
    start = clock()
    positions, accounts = load_book(str(book), str(wallets))
    out["read + Book"] = clock() - start
    start = clock()
    prepared = prepare_book(positions, accounts, exchange="binance-usdm", tiers=TIERS)
    out["prepare"] = clock() - start
    start = clock()
    stress(prepared, parse_shocks(shocks))
    out["ladder"] = clock() - start
    start = clock()
    account_moves(prepared)
    out["--output moves (exact)"] = clock() - start
    return out


def run_dask(book: Path, wallets: Path, shocks: str, workers: int) -> tuple[float, Any]:
    from contractcalc.engines.stress import parse_shocks
    from contractcalc.engines.stress_dask import dask_stress

    start = time.perf_counter()
    result, _ = dask_stress(str(book), str(wallets), exchange="binance-usdm", tiers=TIERS,
                            shocks=parse_shocks(shocks),
                            cluster_options={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                             "memory_limit": "6GiB"})
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--shocks", default="-0.5:0.5:0.01")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dask-positions", type=int, default=0, help="0: the same book as the local run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    from contractcalc.engines.stress import parse_shocks

    grid = np.array([float(k) for k in parse_shocks(args.shocks)])
    with tempfile.TemporaryDirectory() as folder:
        book, wallets = write_book(Path(folder), args.positions, args.accounts)
        print(f"book: {args.positions:,} positions in {args.accounts:,} accounts, {grid.size} shocks "
              f"({book.stat().st_size / 1e6:.1f} MB Parquet)")
        times: dict[str, list[float]] = {"floor": [], "local": []}
        expected = floor(book, wallets, grid)  # warm the page cache and imports
        result = local(book, wallets, args.shocks)
        for _ in range(args.repeat):
            for name in ("floor", "local"):
                start = time.thread_time()
                if name == "floor":
                    floor(book, wallets, grid)
                else:
                    local(book, wallets, args.shocks)
                times[name].append(time.thread_time() - start)
        f, loc = statistics.median(times["floor"]), statistics.median(times["local"])
        print(f"floor (read + per-shock bincount, cross only, one rate): {f:.3f} s  (median of {args.repeat})")
        print(f"local backend (read, Book, tiers, isolated pools, 4 columns): {loc:.3f} s  -> {loc / f:.2f}x floor")
        print(f"  liquidated accounts at -50 %/0/+50 %: local {result.accounts_liquidated[[0, grid.size // 2, -1]]}"
              f", floor (no tiers, all cross) {expected[[0, grid.size // 2, -1]].astype(int)}")
        for stage, seconds in stages(book, wallets, args.shocks).items():
            print(f"  {stage}: {seconds:.3f} s")
        if args.no_dask:
            return
        if args.dask_positions and args.dask_positions != args.positions:
            book, wallets = write_book(Path(folder), args.dask_positions, max(1, args.dask_positions // 5))
        size = args.dask_positions or args.positions
        start = time.perf_counter()
        here = local(book, wallets, args.shocks)
        local_wall = time.perf_counter() - start
        wall, remote = run_dask(book, wallets, args.shocks, args.workers)
        same = (remote.accounts_liquidated.tolist() == here.accounts_liquidated.tolist()
                and remote.positions_liquidated.tolist() == here.positions_liquidated.tolist())
        print(f"dask ({args.workers} worker processes, LocalCluster started in the run): {size:,} positions "
              f"{wall:.2f} s wall; local {local_wall:.2f} s wall; counts equal: {same}")


if __name__ == "__main__":
    main()
