"""Benchmark: ``contractcalc.liquidation_price`` on 1,000,000 isolated positions with a 10-tier table.

Three figures:

1. the array path: one call on the whole book (NumPy arrays for side, entry,
   quantity and leverage);
2. a Python loop of scalar calls, timed on a sample and scaled to the book;
3. copying the same input arrays once: the memory-bandwidth floor no
   array computation over these inputs can beat.

Times are medians of thread CPU time (``time.thread_time``).  Run with ``make bench``
(or ``python benchmarks/bench_liquidation.py [N] [SAMPLE]``); ``benchmarks/bench_core.py``
compares the same path to a minimal NumPy expression.
The table is Binance's 10-tier BTCUSDT table of 2021-03-18, shipped as a preset.
Nothing here is asserted in the test suite: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import contractcalc
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


def best_of(repeats: int, run: Callable[[], Any]) -> float:
    """The median thread CPU time of ``repeats`` runs, in seconds (other jobs on the machine do not count)."""
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        run()
        times.append(time.thread_time() - start)
    return statistics.median(times)


def main(n: int = 1_000_000, sample: int = 2_000) -> dict[str, float]:
    inputs = book(n)
    keywords = {"exchange": "binance-usdm", "tiers": TABLE}

    def array_path() -> Any:
        return contractcalc.liquidation_price(**keywords, **inputs)

    def copy_floor() -> Any:
        return [np.array(value, copy=True) for value in inputs.values()]

    picks = np.linspace(0, n - 1, sample).astype(int)
    scalars = [
        {"side": str(inputs["side"][k]), "entry": float(inputs["entry"][k]),
         "quantity": float(inputs["quantity"][k]), "leverage": float(inputs["leverage"][k])}
        for k in picks
    ]

    def loop() -> list[Any]:
        return [contractcalc.liquidation_price(**keywords, **one)["liquidation_price"] for one in scalars]

    result = array_path()
    looped = loop()
    expected = result["liquidation_price"][picks]
    got = np.array([np.nan if v is None else v for v in looped])
    assert np.allclose(got, expected, rtol=1e-12, equal_nan=True), "the loop and the array path disagree"

    t_array = best_of(5, array_path)
    t_copy = best_of(5, copy_floor)
    t_sample = best_of(3, loop)
    t_loop = t_sample * n / sample
    figures = {"array_s": t_array, "loop_s": t_loop, "copy_s": t_copy}
    print(f"liquidation_price, {n:,} isolated positions, {len(load_tiers(TABLE).tiers)}-tier table ({TABLE})")
    print(f"  array path (one call)      : {t_array * 1e3:10.1f} ms")
    print(f"  Python loop of scalar calls: {t_loop:10.1f} s   (sample of {sample:,}, scaled; "
          f"{t_sample / sample * 1e6:.1f} µs per call)")
    print(f"  copying the inputs once    : {t_copy * 1e3:10.1f} ms   (memory-bandwidth floor)")
    print(f"  array path vs loop         : {t_loop / t_array:10.0f}x faster")
    print(f"  array path vs copy floor   : {t_array / t_copy:10.1f}x slower")
    return figures


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
