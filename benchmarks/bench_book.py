"""Benchmark: ``contractcalc.book_liquidation`` on many cross accounts, and on one large account.

Figures (thread CPU time, ``time.thread_time``; runs alternated, medians):

1. 100,000 cross accounts × 5 positions (Binance, a fixed rate per position,
   every account its own wallet): ``book_liquidation`` on a prebuilt
   :class:`~contractcalc.book.Book` against the floor, a minimal
   :func:`numpy.bincount` expression of Binance's cross formula on the same
   arrays (goal: <= 3x);
2. the same book with the 10-tier Binance BTCUSDT table for every position,
   against the same floor and against a tiered floor: the least NumPy does
   for Binance's tiered cross formula (:func:`tiered_floor`: the tier at the
   mark by ``searchsorted``, one ``bincount``, the tier of the root by
   ``searchsorted`` of the balance among the tier floors' values, the closed
   form in that tier);
3. one cross account of 1,000 and of 3,000 positions through the
   single-account calculator ``liquidation_price(positions=...)`` (a list of
   ccxt position dicts; the old per-position loop was quadratic: 371 ms and 1.6 s).

Run with ``python benchmarks/bench_book.py [ACCOUNTS] [REPEATS]``.  Nothing here
is asserted in the test suite: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import contractcalc
from contractcalc.book import Accounts, Book
from contractcalc.io.tiers import load_tiers

TABLE = "binance-usdm-BTCUSDT-2021-03-18"
PER_ACCOUNT = 5


def make_book(accounts: int, seed: int = 11) -> dict[str, Any]:
    """``accounts`` × 5 cross positions on 5 symbols, marks within ±5 % of entries, wallets 5–50 % of notional."""
    rng = np.random.default_rng(seed)
    n = accounts * PER_ACCOUNT
    entry = rng.uniform(1_000, 60_000, n)
    notional = rng.uniform(1_000, 200_000, n)
    wallet = np.bincount(np.repeat(np.arange(accounts), PER_ACCOUNT), notional, accounts) * rng.uniform(0.05, 0.5,
                                                                                                         accounts)
    return {
        "account": np.repeat(np.array([f"acct{k:06d}" for k in range(accounts)]), PER_ACCOUNT),
        "symbol": np.tile(np.array([f"S{k}/USDT:USDT" for k in range(PER_ACCOUNT)]), accounts),
        "side": np.where(rng.random(n) < 0.5, "long", "short"),
        "quantity": notional / entry,
        "entry": entry,
        "mark": entry * rng.uniform(0.95, 1.05, n),
        "maintenance_margin_rate": rng.choice([0.004, 0.005, 0.01], n),
        "wallets": wallet,
        "names": np.array([f"acct{k:06d}" for k in range(accounts)]),
    }


def floor(code: Any, s: Any, q: Any, entry: Any, mark: Any, rate: Any, wallet: Any) -> Any:
    """Binance cross, one leg per symbol: LP_i = (WB + Σ_others (PnL − MM) − s·Q·E) / (Q·MMR − s·Q)."""
    net = s * q * (mark - entry) - q * mark * rate
    balance = wallet[code] + np.bincount(code, net, len(wallet))[code] - net
    return (balance - s * q * entry) / (q * rate - s * q)


def tiered_floor(code: Any, s: Any, q: Any, entry: Any, mark: Any, wallet: Any, floors: Any, rates: Any,
                 amounts: Any) -> Any:
    """Binance cross with one continuous tier table (``floors``: the tiers' lower bounds but the first).

    The others' requirement in the tier of their notional at the mark; then, with
    ``base = WB + Σ_others (PnL − MM) − s·Q·E``, the root's tier is where ``base``
    falls among ``c_k = N_k·(s − 0) − MM(N_k)`` at the floors ``N_k`` (a long's gap
    rises with the price, a short's falls), and LP = (base + cum_k) / (Q·(MMR_k − s)).
    """
    value = q * mark
    at_mark = np.searchsorted(floors, value, side="right")
    net = s * q * (mark - entry) - (value * rates[at_mark] - amounts[at_mark])
    base = wallet[code] + np.bincount(code, net, len(wallet))[code] - net - s * q * entry
    mm_floor = floors * rates[1:] - amounts[1:]
    tier = np.where(s > 0, np.searchsorted(floors - mm_floor, -base, side="right"),
                    np.searchsorted(floors + mm_floor, base, side="left"))
    return (base + amounts[tier]) / (q * (rates[tier] - s))


def timed(run: Callable[[], Any]) -> float:
    start = time.thread_time()
    run()
    return time.thread_time() - start


def alternate(runs: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median thread CPU seconds of each run, the runs alternated so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(timed(run))
    return {name: statistics.median(values) for name, values in times.items()}


def single_account(n: int, seed: int = 3) -> list[dict[str, Any]]:
    """One account of ``n`` positions on ``n`` symbols (ccxt dicts), fixed rates."""
    rng = np.random.default_rng(seed)
    entry = rng.uniform(1_000, 60_000, n)
    return [
        {"symbol": f"S{k}/USDT:USDT", "side": "long" if rng.random() < 0.5 else "short",
         "contracts": float(1_000 / entry[k]), "contractSize": 1, "entryPrice": float(entry[k]),
         "markPrice": float(entry[k] * rng.uniform(0.97, 1.03)), "maintenanceMarginRate": 0.005}
        for k in range(n)
    ]


def main(accounts: int = 100_000, repeats: int = 7) -> dict[str, float]:
    data = make_book(accounts)
    columns = {k: v for k, v in data.items() if k not in ("wallets", "names")}
    book = Book.from_columns(columns)
    wallets = Accounts.from_columns({"account": data["names"], "wallet_balance": data["wallets"]})
    tiered = Book.from_columns({k: v for k, v in columns.items() if k != "maintenance_margin_rate"})
    table = load_tiers(TABLE)  # Binance's 10-tier BTCUSDT table, for every symbol of the book
    tables = {symbol: table for symbol in tiered.symbols.tolist()}
    code = book.account_code
    s, q, entry, mark = book.side.astype(float), book.contracts, book.entry, book.mark
    rate = book.maintenance_margin_rate
    wallet = wallets.wallet_balance  # accounts in the book's (sorted) order: the floor needs no lookup

    engine = contractcalc.book_liquidation(book, wallets, exchange="binance-usdm")
    expected = floor(code, s, q, entry, mark, rate, wallet)
    ok = np.isfinite(expected) & (expected > 0)
    assert np.allclose(engine.positions.liquidation_price[ok], expected[ok], rtol=1e-9)
    floors = np.array([float(t.min_notional) for t in table.tiers[1:]])
    rates = np.array([float(t.maintenance_margin_rate) for t in table.tiers])
    amounts = np.array([float(t.maintenance_amount) for t in table.tiers])
    engine = contractcalc.book_liquidation(tiered, wallets, exchange="binance-usdm", tiers=tables)
    expected = tiered_floor(code, s, q, entry, mark, wallet, floors, rates, amounts)
    ok = np.isfinite(expected) & (expected > 0)
    assert np.allclose(engine.positions.liquidation_price[ok], expected[ok], rtol=1e-9)

    medians = alternate({
        "floor": lambda: floor(code, s, q, entry, mark, rate, wallet),
        "tiered_floor": lambda: tiered_floor(code, s, q, entry, mark, wallet, floors, rates, amounts),
        "book": lambda: contractcalc.book_liquidation(book, wallets, exchange="binance-usdm"),
        "book_tiers": lambda: contractcalc.book_liquidation(tiered, wallets, exchange="binance-usdm", tiers=tables),
    }, repeats)
    n = accounts * PER_ACCOUNT
    print(f"{accounts:,} cross accounts × {PER_ACCOUNT} positions ({n:,} rows), thread CPU medians of {repeats}:")
    print(f"  floor (bincount expression)     {medians['floor'] * 1e3:9.1f} ms")
    print(f"  book_liquidation, fixed rates   {medians['book'] * 1e3:9.1f} ms   "
          f"{medians['book'] / medians['floor']:.2f}x the floor")
    print(f"  tiered floor (searchsorted)     {medians['tiered_floor'] * 1e3:9.1f} ms")
    print(f"  book_liquidation, 10 tiers      {medians['book_tiers'] * 1e3:9.1f} ms   "
          f"{medians['book_tiers'] / medians['floor']:.2f}x the floor, "
          f"{medians['book_tiers'] / medians['tiered_floor']:.2f}x the tiered floor")
    start = time.thread_time()
    Book.from_columns(columns)
    print(f"  (building the Book, once: {(time.thread_time() - start) * 1e3:.1f} ms)")
    fresh = Accounts.from_columns({"account": data["names"], "wallet_balance": data["wallets"]})
    first = timed(lambda: contractcalc.book_liquidation(book, fresh, exchange="binance-usdm"))
    print(f"  (a first call with new Accounts, aligning 100,000 names: {first * 1e3:.1f} ms)")

    out = dict(medians)
    for size in (1_000, 3_000):
        positions = single_account(size)
        wallet_balance = 200.0 * size
        single = alternate({"one": lambda p=positions, w=wallet_balance: contractcalc.liquidation_price(
            "binance-usdm", wallet_balance=w, positions=p)}, max(3, repeats // 2))["one"]
        print(f"one cross account of {size:,} positions (liquidation_price(positions=...)): {single * 1e3:.1f} ms")
        out[f"single_{size}"] = single
    return out


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:]))
