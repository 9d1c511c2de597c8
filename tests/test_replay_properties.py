"""Replay invariants (Hypothesis) and the array path against the scalar path."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contractcalc.engines.replay import replay

M = 60_000


@st.composite
def candle_rows(draw: st.DrawFn, min_size: int = 1, max_size: int = 25) -> list[list[int]]:
    """Integer prices (mirroring them is exact) on a random walk around 100."""
    count = draw(st.integers(min_size, max_size))
    rows, price = [], draw(st.integers(80, 120))
    for i in range(count):
        open_ = price
        close = max(5, open_ + draw(st.integers(-12, 12)))
        high = max(open_, close) + draw(st.integers(0, 8))
        low = max(1, min(open_, close) - draw(st.integers(0, 8)))
        rows.append([i * M, open_, high, low, close])
        price = max(5, close + draw(st.integers(-3, 3)))  # small gaps between candles
    return rows


@st.composite
def marks_for(draw: st.DrawFn, rows: list[list[int]]) -> list[list[int]]:
    """Mark candles with the same timestamps, a few units off the last price."""
    out = []
    for t, o, h, lo, c in rows:
        shift = draw(st.integers(-3, 3))
        wick = draw(st.integers(0, 4))
        mo, mc = max(2, o + shift), max(2, c + shift)
        out.append([t, mo, max(mo, mc, h + shift), max(1, min(mo, mc, lo + shift - wick)), mc])
    return out


@st.composite
def funding_for(draw: st.DrawFn, rows: list[list[int]]) -> list[list[float]]:
    end = rows[-1][0] + M
    times = sorted(set(draw(st.lists(st.integers(0, end + M), min_size=1, max_size=6))))
    return [[t, draw(st.sampled_from([-0.001, 0.0001, 0.0005, 0.002]))] for t in times]


POSITION = {"exchange": "binance-usdm", "quantity": 1, "maintenance_margin_rate": 0.004, "fee_rate": 0.0005}
#: An inverse market: 1,000 contracts of 1 USD (PnL, fees and funding in the coin).
INVERSE = {"exchange": "bybit-inverse", "contracts": 1000, "contract_size": 1, "maintenance_margin_rate": 0.005,
           "fee_rate": 0.00075}


@st.composite
def position(draw: st.DrawFn, entry: float) -> dict[str, Any]:
    side = draw(st.sampled_from(["long", "short"]))
    s = 1 if side == "long" else -1
    stop = draw(st.none() | st.integers(1, 40).map(lambda d: entry - s * d))
    target = draw(st.none() | st.integers(1, 40).map(lambda d: entry + s * d))
    if stop is not None and stop <= 0:
        stop = None
    if target is not None and target <= 0:
        target = None
    return {"side": side, "entry": entry, "stop": stop, "target": target,
            "leverage": draw(st.sampled_from([2, 5, 10, 20, 50])),
            "intrabar": draw(st.sampled_from(["pessimistic", "optimistic", "nearest-first"]))}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_array_path_equals_scalar_path(data: st.DataObject) -> None:
    rows = data.draw(candle_rows())
    marks = data.draw(st.none() | marks_for(rows))
    funding = data.draw(st.none() | funding_for(rows))
    policy = data.draw(st.sampled_from(["pessimistic", "optimistic", "nearest-first"]))
    count = data.draw(st.integers(1, 8))
    positions = [data.draw(position(float(data.draw(st.integers(60, 140))))) for _ in range(count)]
    market = data.draw(st.sampled_from([POSITION, INVERSE]))
    common = {**market, "mark_candles": marks, "funding": funding, "intrabar": policy}
    scalar = [replay(rows, **common, side=p["side"], entry=p["entry"], stop=p["stop"], target=p["target"],
                     leverage=p["leverage"]) for p in positions]

    def column(key: str) -> np.ndarray:
        return np.array([np.nan if p[key] is None else p[key] for p in positions], dtype=float)

    many = replay(rows, **common, side=np.array([p["side"] for p in positions]), entry=column("entry"),
                  stop=column("stop"), target=column("target"), leverage=column("leverage"))
    for i, one in enumerate(scalar):
        assert many.exit_reason[i] == one.exit_reason
        assert many.exit_time[i] == one.exit_time
        assert many.bars_held[i] == one.bars_held
        for key in ("exit_price", "pnl", "fees", "funding", "net_pnl"):
            assert float(getattr(many, key)[i]) == pytest.approx(getattr(one, key), rel=1e-9, abs=1e-12), key
        lp = float(many.liquidation_price[i])
        assert (math.isnan(lp) and one.liquidation_price is None) or lp == pytest.approx(one.liquidation_price)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_wider_stop_never_exits_earlier(data: st.DataObject) -> None:
    rows = data.draw(candle_rows())
    p = data.draw(position(float(rows[0][1])))
    s = 1 if p["side"] == "long" else -1
    near = data.draw(st.integers(1, 30))
    wider = near + data.draw(st.integers(0, 30))
    assume(p["entry"] - s * wider > 0)
    common = {**POSITION, "side": p["side"], "target": p["target"], "leverage": p["leverage"],
              "intrabar": p["intrabar"]}
    a = replay(rows, **common, stop=p["entry"] - s * near)
    b = replay(rows, **common, stop=p["entry"] - s * wider)
    assert b.bars_held >= a.bars_held


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_without_stop_or_target_the_exit_is_liquidation_or_open(data: st.DataObject) -> None:
    rows = data.draw(candle_rows())
    p = data.draw(position(float(data.draw(st.integers(60, 140)))))
    r = replay(rows, **POSITION, side=p["side"], entry=p["entry"], leverage=p["leverage"])
    assert r.exit_reason in ("liquidation", "open")
    if r.exit_reason == "open":
        assert (r.exit_price, r.bars_held) == (rows[-1][4], len(rows))
    else:
        assert r.exit_price == r.liquidation_price


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_long_and_short_mirror_on_mirrored_candles(data: st.DataObject) -> None:
    """Prices p -> K − p swap highs and lows: a long becomes a short with the same PnL.

    A margin far larger than the position keeps liquidation out (its formula is not
    symmetric), fees are 0 (the value at K − E differs).
    """
    rows = data.draw(candle_rows())
    k = 300
    mirrored = [[t, k - o, k - lo, k - h, k - c] for t, o, h, lo, c in rows]
    p = data.draw(position(float(rows[0][1])))
    s = 1 if p["side"] == "long" else -1
    other = "short" if s > 0 else "long"
    common = {"exchange": "binance-usdm", "quantity": 1, "maintenance_margin_rate": 0.004, "fee_rate": 0,
              "wallet_balance": 1e6, "intrabar": p["intrabar"]}
    a = replay(rows, **common, side=p["side"], entry=p["entry"], stop=p["stop"], target=p["target"])

    def flip(x: float | None) -> float | None:
        return None if x is None else k - x

    b = replay(mirrored, **common, side=other, entry=flip(p["entry"]), stop=flip(p["stop"]),
               target=flip(p["target"]))
    assert (a.exit_reason, a.bars_held, a.exit_time) == (b.exit_reason, b.bars_held, b.exit_time)
    assert b.exit_price == pytest.approx(k - a.exit_price)
    assert b.pnl == pytest.approx(a.pnl)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_many_series_equal_one_series_at_a_time(data: st.DataObject) -> None:
    series = [data.draw(candle_rows()) for _ in range(data.draw(st.integers(1, 4)))]
    stops = np.array([90.0, np.nan, 70.0])
    results = replay(series, **POSITION, side="long", entry=100.0, stop=stops, leverage=10)
    for rows, many in zip(series, results, strict=True):
        alone = replay(rows, **POSITION, side="long", entry=100.0, stop=stops, leverage=10)
        assert many.exit_reason.tolist() == alone.exit_reason.tolist()
        assert many.net_pnl.tolist() == alone.net_pnl.tolist()
