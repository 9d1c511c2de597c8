"""Benchmark: ``contractcalc.engines.replay.replay`` over a year of 1-minute candles.

Figures (thread CPU time, ``time.thread_time``; runs alternated, medians):

1. ``array``: 10,000 positions (random sides, entries, stops, targets and
   leverage, Binance tiers off: one maintenance rate) with mark candles and
   8-hourly funding, in one call of the public function (validation, the
   liquidation prices, the vectorised kernel);
2. ``kernel``: :func:`replay_many_kernel` alone on the same positions;
3. ``floor``: one minimal NumPy pass over the same candles (the running minimum
   of the lows and maximum of the highs, which any first-crossing search needs);
4. ``scalar``: the scalar path (a Python loop over the candles) for one position
   that stays open the whole year, the worst case of ``contractcalc replay``.

Run ``python benchmarks/bench_replay.py [POSITIONS] [CANDLES] [REPEATS]``.
Nothing here is asserted in the test suite: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from contractcalc.engines.replay import replay, replay_many_kernel
from contractcalc.io.candles import Candles, candles_from_arrays, funding_from_rows

MINUTE = 60_000


def year_of_candles(count: int, seed: int = 11) -> tuple[Candles, Candles]:
    """A geometric random walk (0.08 % per minute) with wicks; mark candles a little off it."""
    rng = np.random.default_rng(seed)
    stamps = 1_700_000_000_000 + np.arange(count, dtype=np.int64) * MINUTE
    close = 30_000 * np.exp(np.cumsum(rng.normal(0, 0.0008, count)))
    open_ = np.concatenate(([30_000.0], close[:-1]))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.0005, count)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.0005, count)))
    candles = candles_from_arrays(stamps, open_, high, low, close, rng.uniform(0, 100, count))
    basis = 1 + rng.normal(0, 0.0002, count)
    mark_open, mark_close = open_ * basis, close * basis
    mark = candles_from_arrays(stamps, mark_open, np.maximum(high * basis, np.maximum(mark_open, mark_close)),
                               np.minimum(low * basis, np.minimum(mark_open, mark_close)), mark_close,
                               field="mark_candles")
    return candles, mark


def positions(n: int, first_open: float, seed: int = 5) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    sign = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    entry = first_open * (1 + rng.normal(0, 0.001, n))
    stop_distance = rng.uniform(0.005, 0.3, n)
    target_distance = rng.uniform(0.005, 0.5, n)
    stop = np.where(rng.random(n) < 0.8, entry * (1 - sign * stop_distance), np.nan)
    target = np.where(rng.random(n) < 0.8, entry * (1 + sign * target_distance), np.nan)
    return {"side": np.where(sign > 0, "long", "short"), "entry": entry, "stop": stop, "target": target,
            "quantity": rng.uniform(0.01, 5, n), "leverage": rng.uniform(1, 50, n)}


def median_thread_time(runs: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Alternate the runs ``repeats`` times; the median thread CPU seconds of each."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.thread_time()
            run()
            times[name].append(time.thread_time() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main(n: int = 10_000, count: int = 525_600, repeats: int = 5) -> dict[str, float]:
    candles, mark = year_of_candles(count)
    funding_rows = [[int(t), 0.0001] for t in range(int(candles.timestamp[0]) + 8 * 3_600_000,
                                                   int(candles.timestamp[-1]), 8 * 3_600_000)]
    funding = funding_from_rows(funding_rows)
    inputs = positions(n, float(candles.open[0]))
    keywords = {"exchange": "binance-usdm", "maintenance_margin_rate": 0.004, "fee_rate": 0.0005,
                "mark_candles": mark, "funding": funding}

    result = replay(candles, **keywords, **inputs)
    sign = np.where(inputs["side"] == "long", 1, -1).astype(np.int64)
    lp, margin = result.liquidation_price, inputs["quantity"] * inputs["entry"] / inputs["leverage"]

    def array_path() -> Any:
        return replay(candles, **keywords, **inputs)

    def kernel() -> Any:
        return replay_many_kernel(
            candles.timestamp, candles.open, candles.high, candles.low, candles.close, mark.open, mark.high,
            mark.low, funding.timestamp, funding.rate, sign=sign, inverse=False, entry=inputs["entry"],
            size=inputs["quantity"], stop=inputs["stop"], target=inputs["target"], liquidation=lp, margin=margin,
            fee_rate=np.full(n, 0.0005), policy=0)

    def floor() -> Any:
        return np.minimum.accumulate(candles.low), np.maximum.accumulate(candles.high)

    def scalar_open_all_year() -> Any:
        return replay(candles, exchange="binance-usdm", side="long", quantity=1, leverage=1,
                      maintenance_margin_rate=0.004, mark_candles=mark, funding=funding)

    assert scalar_open_all_year().exit_reason == "open"
    medians = median_thread_time({"array": array_path, "kernel": kernel, "floor": floor,
                                  "scalar": scalar_open_all_year}, repeats)
    reasons = {reason: int((result.exit_reason == reason).sum()) for reason in ("stop", "target", "liquidation",
                                                                                 "open")}
    print(f"{n:,} positions over {count:,} one-minute candles (mark candles, {len(funding):,} funding times)")
    print(f"  exits: {reasons}")
    print(f"  array path (public replay): {medians['array'] * 1e3:9.1f} ms thread CPU (median of {repeats})")
    print(f"  kernel alone:               {medians['kernel'] * 1e3:9.1f} ms")
    print(f"  floor (running min/max):    {medians['floor'] * 1e3:9.1f} ms"
          f"   array / floor = {medians['array'] / medians['floor']:.1f}")
    print(f"  scalar path, 1 position open all year: {medians['scalar'] * 1e3:9.1f} ms")
    return medians


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:4]]
    main(*arguments)
