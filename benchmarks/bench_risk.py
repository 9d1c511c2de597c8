"""Benchmark: liquidation probabilities for a book, and Monte Carlo memory.

1. ``risk`` in closed form on 1,000,000 isolated positions (one call, arrays),
   against computing their liquidation prices with ``liquidation_price`` (the
   floor it is compared with: the target is at most 2x).  Also the two-barrier
   case (stop and target) on the same book.  Thread CPU time
   (``time.thread_time``), runs alternated, medians.
2. Monte Carlo: 1,000,000 paths x 1,000 steps of one position (liquidation
   price, stop and target), its thread CPU time and the peak of memory traced
   by ``tracemalloc`` (NumPy reports its buffers to it): bounded by the chunk
   of paths, not the number of paths.

Run: ``python benchmarks/bench_risk.py [N] [PATHS] [STEPS]``.  Nothing here is
asserted in the test suite: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import contractcalc
from contractcalc.engines.risk import CHUNK_PATHS, risk
from contractcalc.venues.tiers import load_tiers

TABLE = "binance-usdm-BTCUSDT-2021-03-18"


def book(n: int, seed: int = 7) -> dict[str, Any]:
    """``n`` random isolated positions whose notionals span the table's tiers, leverage within the caps."""
    rng = np.random.default_rng(seed)
    table = load_tiers(TABLE)
    entry = rng.uniform(20_000, 80_000, n)
    notional = np.exp(rng.uniform(np.log(1_000), np.log(2e8), n))
    caps = np.array([float(t.max_leverage) for t in table.tiers])[table.index_for_notional(notional)]
    leverage = np.minimum(rng.uniform(1, 125, n), caps)
    return {
        "side": np.where(rng.random(n) < 0.5, "long", "short"),
        "entry": entry,
        "quantity": notional / entry,
        "leverage": leverage,
    }


def cpu(run: Callable[[], Any]) -> float:
    start = time.thread_time()
    run()
    return time.thread_time() - start


def alternated(repeats: int, **runs: Callable[[], Any]) -> dict[str, float]:
    """Median thread CPU seconds of each run, the runs alternated ``repeats`` times."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(cpu(run))
    return {name: statistics.median(values) for name, values in times.items()}


def closed_form(n: int) -> dict[str, float]:
    inputs = book(n)
    prices = contractcalc.liquidation_price(exchange="binance-usdm", tiers=TABLE, **inputs)["liquidation_price"]
    rng = np.random.default_rng(1)
    vol = rng.uniform(0.3, 1.5, n)
    s = np.where(inputs["side"] == "long", 1.0, -1.0)
    stop = inputs["entry"] * (1 - s * 0.02)
    target = inputs["entry"] * (1 + s * 0.05)

    def liquidation_prices() -> Any:
        return contractcalc.liquidation_price(exchange="binance-usdm", tiers=TABLE, **inputs)

    def probabilities() -> Any:
        return risk(inputs["side"], vol, "24h", price=inputs["entry"], liquidation_price=prices)

    def stop_target() -> Any:
        return risk(inputs["side"], vol, "24h", price=inputs["entry"], stop=stop, target=target)

    medians = alternated(5, liquidation_prices=liquidation_prices, probabilities=probabilities,
                         stop_target=stop_target)
    print(f"{n:,} positions (thread CPU, median of 5 alternated runs):")
    print(f"  liquidation prices (floor)        {medians['liquidation_prices']:.3f} s")
    print(f"  liquidation probabilities (24h)   {medians['probabilities']:.3f} s"
          f"  = {medians['probabilities'] / medians['liquidation_prices']:.2f}x the floor (target <= 2x)")
    print(f"  stop/target first (two barriers)  {medians['stop_target']:.3f} s"
          f"  = {medians['stop_target'] / medians['liquidation_prices']:.2f}x")
    return medians


def monte_carlo(paths: int, steps: int) -> dict[str, float]:
    tracemalloc.start()
    start = time.thread_time()
    result = risk("long", 0.8, "7d", price=60000, liquidation_price=54260, stop=57000, target=66000,
                  method="monte-carlo", paths=paths, steps=steps, seed=1)
    seconds = time.thread_time() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    closed = risk("long", 0.8, "7d", price=60000, liquidation_price=54260, stop=57000, target=66000)
    print(f"Monte Carlo {paths:,} paths x {steps:,} steps (chunks of {CHUNK_PATHS:,} paths): "
          f"{seconds:.1f} s thread CPU, peak traced memory {peak / 2**20:.1f} MiB "
          f"(all paths at once would be {paths * steps * 8 / 2**30:.1f} GiB)")
    for key in ("liquidation_probability", "stop_probability", "target_probability", "neither_probability"):
        se = result.standard_errors[key] if result.standard_errors else float("nan")
        print(f"  {key:24s} MC {getattr(result, key):.5f} ± {se:.5f}   closed form {getattr(closed, key):.5f}")
    return {"seconds": seconds, "peak_mib": peak / 2**20}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    paths = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000
    closed_form(n)
    monte_carlo(paths, steps)


if __name__ == "__main__":
    main()
