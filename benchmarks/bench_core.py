"""Benchmark: the core's cost against the bare formula, measured in the same run.

Figures (thread CPU time, ``time.thread_time``; runs of the measured code and
of its floor alternate, and the medians are compared):

1. one scalar ``liquidation_price`` (Binance, fixed rate) and one ``pnl`` on
   floats, against a Python function holding only the formula (the floor);
2. 1,000,000 isolated positions in NumPy arrays, fixed rate and the 10-tier
   Binance table of 2021-03-18, against a minimal NumPy expression of the same
   formula from the same inputs (sides as 'long'/'short' text), with every
   output and with ``outputs=("liquidation_price",)``;
3. peak memory of the array call (``tracemalloc``) over the inputs' bytes.

Run with ``make bench`` or ``python benchmarks/bench_core.py [N]``.  Nothing
is asserted: timings depend on the machine.  Targets (issue 8): scalar <= 50x
the bare formula (aim 20x); arrays <= 1.5x the minimal expression; peak
memory <= 3x the inputs.
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
from contractcalc.venues.tiers import load_tiers

TABLE = "binance-usdm-BTCUSDT-2021-03-18"


def alternate(measured: Callable[[], Any], floor: Callable[[], Any], runs: int, inner: int = 1) -> tuple[float, float]:
    """Median thread CPU seconds per call of ``measured`` and of ``floor``, runs alternating."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for func, out in ((measured, a), (floor, b)):
            start = time.thread_time()
            for _ in range(inner):
                func()
            out.append((time.thread_time() - start) / inner)
    return statistics.median(a), statistics.median(b)


# ---------------------------------------------------------------------------
# 1. scalars


def bare_liquidation(side: str, entry: float, quantity: float, leverage: float,
                     maintenance_margin_rate: float) -> float:
    """Binance's isolated linear LP with one rate: ``(WB − s·Q·E) / (Q·MMR − s·Q)``, ``WB = Q·E/L``."""
    s = 1 if side == "long" else -1
    balance = quantity * entry / leverage
    return (balance - s * quantity * entry) / (quantity * maintenance_margin_rate - s * quantity)


def bare_pnl(side: str, entry: float, exit: float, quantity: float) -> float:
    """Linear PnL ``s·Q·(X − E)``."""
    s = 1 if side == "long" else -1
    return s * quantity * (exit - entry)


def scalars(runs: int = 31, inner: int = 2000) -> dict[str, float]:
    liq = {"side": "long", "entry": 50_000.0, "quantity": 0.5, "leverage": 20.0, "maintenance_margin_rate": 0.004}
    assert abs(contractcalc.liquidation_price("binance-usdm", **liq)["liquidation_price"]
               - bare_liquidation(**liq)) < 1e-6
    t_liq, t_liq_floor = alternate(lambda: contractcalc.liquidation_price("binance-usdm", **liq),
                                   lambda: bare_liquidation(**liq), runs, inner)
    tiered = {"side": "long", "entry": 50_000.0, "quantity": 5.0, "leverage": 20.0}
    t_tier, _ = alternate(lambda: contractcalc.liquidation_price("binance-usdm", tiers=TABLE, **tiered),
                          lambda: None, runs, inner)
    p = {"side": "long", "entry": 50_000.0, "exit": 51_000.0, "quantity": 0.5}
    assert contractcalc.pnl(contract="linear", **p)["pnl"] == bare_pnl(**p)
    t_pnl, t_pnl_floor = alternate(lambda: contractcalc.pnl(contract="linear", **p), lambda: bare_pnl(**p),
                                   runs, inner)
    print("scalar calls (floats), median thread CPU per call")
    print(f"  liquidation_price, fixed rate : {t_liq * 1e6:7.2f} µs   bare formula {t_liq_floor * 1e6:5.3f} µs"
          f"   ratio {t_liq / t_liq_floor:5.1f}x")
    print(f"  liquidation_price, 10 tiers   : {t_tier * 1e6:7.2f} µs   ratio {t_tier / t_liq_floor:5.1f}x "
          "(to the fixed-rate bare formula)")
    print(f"  pnl                           : {t_pnl * 1e6:7.2f} µs   bare formula {t_pnl_floor * 1e6:5.3f} µs"
          f"   ratio {t_pnl / t_pnl_floor:5.1f}x")
    return {"liquidation_ratio": t_liq / t_liq_floor, "pnl_ratio": t_pnl / t_pnl_floor,
            "liquidation_us": t_liq * 1e6, "pnl_us": t_pnl * 1e6, "tiered_us": t_tier * 1e6}


# ---------------------------------------------------------------------------
# 2. arrays


def book(n: int, seed: int = 7) -> dict[str, Any]:
    """``n`` isolated positions whose notionals span the table's tiers, leverage within the caps."""
    rng = np.random.default_rng(seed)
    table = load_tiers(TABLE)
    entry = rng.uniform(20_000, 80_000, n)
    notional = np.exp(rng.uniform(np.log(1_000), np.log(2e8), n))
    caps = np.array([float(t.max_leverage) for t in table.tiers])[table.index_for_notional(notional)]
    return {
        "side": np.where(rng.random(n) < 0.5, "long", "short"),
        "entry": entry,
        "quantity": notional / entry,
        "leverage": np.minimum(rng.uniform(1, 125, n), caps),
    }


def minimal_fixed(side: Any, entry: Any, quantity: Any, leverage: Any, rate: float) -> Any:
    """The fixed-rate formula as plain NumPy, no checks, NaN where no positive price."""
    s = np.where(side == "long", 1.0, -1.0)
    value = quantity * entry
    price = (value / leverage - s * value) / (quantity * (rate - s))
    return np.where(price > 0, price, np.nan)


def minimal_tiered(side: Any, entry: Any, quantity: Any, leverage: Any, lows: Any, rates: Any,
                   amounts: Any) -> Any:
    """The tiered formula as plain NumPy: the tier at the liquidation price by one search per side.

    With ``c = WB − s·Q·E`` the root's notional ``N`` solves ``c = MM(N) − s·N``;
    ``MM(N) − s·N`` is monotone, so its values at the tier floors locate ``N``.
    """
    s = np.where(side == "long", 1.0, -1.0)
    value = quantity * entry
    c = value / leverage - s * value
    at_low = lows * rates - amounts
    k = np.where(s > 0, np.searchsorted(-(at_low - lows)[1:], -c, side="right"),
                 np.searchsorted((at_low + lows)[1:], c, side="right"))
    price = (c + amounts[k]) / (quantity * (rates[k] - s))
    return np.where(price > 0, price, np.nan)


def arrays(n: int, runs: int = 7) -> dict[str, float]:
    inputs = book(n)
    table = load_tiers(TABLE)
    lows = np.array([0.0] + [float(t.min_notional) for t in table.tiers[1:]])
    rates = np.array([float(t.maintenance_margin_rate) for t in table.tiers])
    amounts = np.array([float(t.maintenance_amount) for t in table.tiers])
    rate = 0.004
    only_price = ("liquidation_price",)
    figures: dict[str, float] = {}

    def fixed(outputs: Any = None) -> Any:
        return contractcalc.liquidation_price("binance-usdm", maintenance_margin_rate=rate, outputs=outputs,
                                              **inputs)

    def tiered(outputs: Any = None) -> Any:
        return contractcalc.liquidation_price("binance-usdm", tiers=TABLE, outputs=outputs, **inputs)

    def floor_fixed() -> Any:
        return minimal_fixed(inputs["side"], inputs["entry"], inputs["quantity"], inputs["leverage"], rate)

    def floor_tiered() -> Any:
        return minimal_tiered(inputs["side"], inputs["entry"], inputs["quantity"], inputs["leverage"], lows,
                              rates, amounts)

    assert np.allclose(fixed(only_price)["liquidation_price"], floor_fixed(), rtol=1e-12, equal_nan=True)
    assert np.allclose(tiered(only_price)["liquidation_price"], floor_tiered(), rtol=1e-9, equal_nan=True)
    input_bytes = sum(np.asarray(v).nbytes for v in inputs.values())
    print(f"{n:,} isolated positions (Binance USDⓈ-M), median thread CPU; inputs {input_bytes / 1e6:.0f} MB")
    for label, run, floor in (("fixed rate", fixed, floor_fixed), (f"10 tiers ({TABLE})", tiered, floor_tiered)):
        for what, outputs in (("price only", only_price), ("every output", None)):
            t_run, t_floor = alternate(lambda run=run, outputs=outputs: run(outputs), floor, runs)
            tracemalloc.start()
            run(outputs)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            key = f"{'tiered' if 'tiers' in label else 'fixed'}_{'price' if outputs else 'all'}"
            figures[key + "_ratio"] = t_run / t_floor
            figures[key + "_memory"] = peak / input_bytes
            print(f"  {label:40s} {what:12s}: {t_run * 1e3:7.1f} ms   minimal NumPy {t_floor * 1e3:6.1f} ms"
                  f"   ratio {t_run / t_floor:4.2f}x   peak memory {peak / input_bytes:4.2f}x the inputs")
    return figures


def main(n: int = 1_000_000) -> dict[str, float]:
    figures = scalars()
    figures.update(arrays(n))
    return figures


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:2]])
