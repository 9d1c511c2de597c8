"""engines.risk and core.volatility: closed form against hand figures, Monte Carlo within a few standard
errors of the closed form, the estimators by hand on small candle sets, and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from contractcalc.core.volatility import annual_volatility, interval_years
from contractcalc.engines.risk import RESULT_KEYS, duration_years, first_touch_probabilities, risk
from contractcalc.errors import InputError


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def reflection(b: float, nu: float, sigma: float, t: float) -> float:
    """The issue's formula for a barrier below: Φ((b − νT)/σ√T) + e^{2νb/σ²} Φ((b + νT)/σ√T)."""
    root = sigma * math.sqrt(t)
    return phi((b - nu * t) / root) + math.exp(2 * nu * b / sigma**2) * phi((b + nu * t) / root)


# --------------------------------------------------------------------------- closed form

def test_liquidation_probability_by_hand() -> None:
    # Bybit's example long (entry 10,000, 50x, LP 9,850), 80 % volatility, one day, μ = 0
    result = risk("long", 0.8, "24h", price=10000, liquidation_price=9850)
    nu = -0.8**2 / 2
    assert result.liquidation_probability == pytest.approx(reflection(math.log(0.985), nu, 0.8, 1 / 365), abs=1e-14)
    assert result.horizon_years == 1 / 365
    assert result.stop_probability is None and result.standard_error is None


def test_short_mirrors_the_formula() -> None:
    # a barrier above: b = ln(B/S) > 0, the drift towards it is ν (mirror: b → −b, ν → −ν)
    result = risk("short", 0.6, "7d", price=100, liquidation_price=112, drift=0.2)
    nu = 0.2 - 0.18
    assert result.liquidation_probability == pytest.approx(reflection(-math.log(1.12), -nu, 0.6, 7 / 365), abs=1e-14)


def test_liquidation_price_from_the_engine() -> None:
    # the liquidation command's Bybit example: LP 9,850
    result = risk("long", 0.8, "24h", exchange="bybit-linear", entry=10000, quantity=1, leverage=50,
                  maintenance_margin_rate=0.005)
    assert float(result.liquidation_price) == pytest.approx(9850)
    assert result.liquidation_probability == pytest.approx(
        risk("long", 0.8, "24h", price=10000, liquidation_price=9850).liquidation_probability, abs=1e-15)


def test_no_liquidation_by_price_has_zero_chance() -> None:
    result = risk("long", 0.8, "30d", exchange="binance-usdm", entry=100, quantity=1, leverage=1,
                  maintenance_margin_rate=0.004)
    assert result.liquidation_price is None
    assert result.liquidation_probability == 0


def test_stop_and_target_sum_to_one_and_match_the_no_horizon_limit() -> None:
    r = risk("long", 0.5, "1w", price=100, stop=90, target=120, drift=0.125)
    assert r.stop_probability + r.target_probability + r.neither_probability == pytest.approx(1, abs=1e-12)
    forever = risk("long", 0.5, "100000d", price=100, stop=90, target=120, drift=0.125)
    a, c = math.log(100 / 90), math.log(120 / 100)  # ν = 0: the stop first with c/(a + c)
    assert forever.stop_probability == pytest.approx(c / (a + c), abs=1e-12)


def test_short_swaps_the_barriers() -> None:
    long = risk("long", 0.7, "3d", price=100, stop=95, target=110, drift=0.245)  # ν = 0
    short = risk("short", 0.7, "3d", price=100, stop=100 / 0.95, target=100 / 1.1, drift=0.245)
    # ν = 0: the log price is symmetric, so mirrored distances give the same chances
    assert short.stop_probability == pytest.approx(long.stop_probability, abs=1e-12)
    assert short.target_probability == pytest.approx(long.target_probability, abs=1e-12)


def test_only_a_stop_is_one_barrier() -> None:
    r = risk("long", 0.8, "2d", price=100, stop=95)
    assert r.stop_probability == pytest.approx(reflection(math.log(0.95), -0.32, 0.8, 2 / 365), abs=1e-14)
    assert r.target_probability is None and r.neither_probability is None


def test_arrays_of_positions_in_one_call() -> None:
    sides = np.array(["long", "short", "long"])
    prices = np.array([100.0, 100.0, 50.0])
    liqs = np.array([90.0, 115.0, 45.0])
    book = risk(sides, np.array([0.8, 0.6, 1.0]), "1d", price=prices, liquidation_price=liqs)
    for k in range(3):
        one = risk(str(sides[k]), [0.8, 0.6, 1.0][k], "1d", price=float(prices[k]), liquidation_price=float(liqs[k]))
        assert book.liquidation_probability[k] == pytest.approx(one.liquidation_probability, abs=1e-15)


def test_to_dict_has_exactly_the_json_keys() -> None:
    r = risk("long", 0.8, "24h", price=10000, liquidation_price=9850, stop=9900, target=10300)
    assert tuple(r.to_dict()) == RESULT_KEYS
    json.dumps(r.to_dict())


def test_discrete_monitoring_is_less_likely() -> None:
    continuous = risk("long", 0.8, "7d", price=100, stop=95)
    hourly = risk("long", 0.8, "7d", price=100, stop=95, monitoring="1h")
    assert hourly.stop_probability < continuous.stop_probability


def test_durations() -> None:
    assert duration_years("h", "90m") == pytest.approx(1.5 / 8760)
    assert duration_years("h", "1w") == pytest.approx(7 / 365)
    assert duration_years("h", "24h") == duration_years("h", "1d")


def test_first_touch_gives_the_nearer_loss_barrier() -> None:
    # the seed's plan at 4x on Binance: liquidated at 15,060.24 before the 15,000 stop
    p = first_touch_probabilities("long", 20000, 0.8, 30 / 365, stop=15000, target=24000, liquidation_price=15060.24)
    assert p["stop_first_probability"] == 0
    both = risk("long", 0.8, "30d", price=20000, stop=15060.24, target=24000)
    assert p["liquidation_first_probability"] == pytest.approx(both.stop_probability, abs=1e-15)
    assert p["target_first_probability"] == pytest.approx(both.target_probability, abs=1e-15)
    # a stop before the liquidation price takes the loss side's chance
    q = first_touch_probabilities("long", 20000, 0.8, 30 / 365, stop=16000, target=24000, liquidation_price=15060.24)
    assert q["liquidation_first_probability"] == 0 and q["stop_first_probability"] > 0


# --------------------------------------------------------------------------- Monte Carlo

@pytest.mark.parametrize("kwargs", [
    {"liquidation_price": 9850},
    {"stop": 9700, "target": 10400},
    {"target": 10300},
    {"liquidation_price": 9800, "stop": 9900, "target": 10200, "drift": 0.5},
])
def test_monte_carlo_within_four_standard_errors(kwargs: dict[str, float]) -> None:
    closed = risk("long", 0.8, "24h", price=10000, **kwargs)  # type: ignore[arg-type]
    mc = risk("long", 0.8, "24h", price=10000, method="monte-carlo", paths=40_000, steps=50, seed=7,
              **kwargs)  # type: ignore[arg-type]
    assert mc.standard_errors
    for key, se in mc.standard_errors.items():
        assert 0 < se < 0.01
        assert abs(getattr(mc, key) - getattr(closed, key)) < 4 * se, key


def test_monte_carlo_discrete_monitoring_near_bgk() -> None:
    # checked every hour over a week: BGK's shift is accurate to about a percent of the chance
    closed = risk("short", 0.6, "7d", price=100, stop=106, monitoring="1h")
    mc = risk("short", 0.6, "7d", price=100, stop=106, monitoring="1h", method="monte-carlo", paths=40_000, seed=3)
    assert mc.stop_probability == pytest.approx(closed.stop_probability, abs=4 * mc.standard_error + 0.005)


def test_monte_carlo_is_seeded() -> None:
    a = risk("long", 0.8, "1d", price=100, stop=97, method="monte-carlo", paths=2000, seed=11)
    b = risk("long", 0.8, "1d", price=100, stop=97, method="monte-carlo", paths=2000,
             rng=np.random.default_rng(11))
    assert a.stop_probability == b.stop_probability


def test_student_t_and_bootstrap_run_near_the_normal_answer() -> None:
    closed = risk("long", 0.8, "7d", price=100, stop=92, target=110)
    t = risk("long", 0.8, "7d", price=100, stop=92, target=110, method="monte-carlo", paths=20_000, seed=5,
             returns="student-t", degrees_of_freedom=5)
    assert t.stop_probability == pytest.approx(closed.stop_probability, abs=0.05)
    rng = np.random.default_rng(2)
    closes = 100 * np.exp(np.cumsum(rng.standard_normal(500) * 0.01))
    rows = [[i * 3_600_000, c, c * 1.001, c * 0.999, c] for i, c in enumerate(closes)]
    boot = risk("long", 0.8, "7d", price=100, stop=92, target=110, method="monte-carlo", paths=20_000, seed=5,
                returns="bootstrap", candles=rows, volatility_estimator=None)
    assert boot.stop_probability == pytest.approx(closed.stop_probability, abs=0.05)


# --------------------------------------------------------------------------- volatility from candles

# three daily candles (open, high, low, close)
OPEN = [100.0, 104.0, 101.0]
HIGH = [106.0, 108.0, 104.0]
LOW = [98.0, 100.0, 97.0]
CLOSE = [104.0, 101.0, 103.0]
DAY = 1 / 365


def test_close_to_close_by_hand() -> None:
    r1, r2 = math.log(101 / 104), math.log(103 / 101)
    mean = (r1 + r2) / 2
    var = ((r1 - mean) ** 2 + (r2 - mean) ** 2) / 1
    assert annual_volatility(OPEN, HIGH, LOW, CLOSE, DAY,
                              "close-to-close") == pytest.approx(math.sqrt(var * 365), rel=1e-14)


def test_parkinson_by_hand() -> None:
    var = sum(math.log(h / lo) ** 2 for h, lo in zip(HIGH, LOW, strict=True)) / (4 * math.log(2) * 3)
    assert annual_volatility(OPEN, HIGH, LOW, CLOSE, DAY,
                              "parkinson") == pytest.approx(math.sqrt(var * 365), rel=1e-14)


def test_garman_klass_by_hand() -> None:
    var = sum(0.5 * math.log(h / lo) ** 2 - (2 * math.log(2) - 1) * math.log(c / o) ** 2
              for o, h, lo, c in zip(OPEN, HIGH, LOW, CLOSE, strict=True)) / 3
    assert annual_volatility(OPEN, HIGH, LOW, CLOSE, DAY,
                              "garman-klass") == pytest.approx(math.sqrt(var * 365), rel=1e-14)


def _rs(o: float, h: float, lo: float, c: float) -> float:
    return math.log(h / c) * math.log(h / o) + math.log(lo / c) * math.log(lo / o)


def test_rogers_satchell_by_hand() -> None:
    var = sum(_rs(*row) for row in zip(OPEN, HIGH, LOW, CLOSE, strict=True)) / 3
    assert annual_volatility(OPEN, HIGH, LOW, CLOSE, DAY,
                              "rogers-satchell") == pytest.approx(math.sqrt(var * 365), rel=1e-14)


def test_yang_zhang_by_hand() -> None:
    gaps = [math.log(OPEN[1] / CLOSE[0]), math.log(OPEN[2] / CLOSE[1])]
    bodies = [math.log(CLOSE[1] / OPEN[1]), math.log(CLOSE[2] / OPEN[2])]

    def svar(xs: list[float]) -> float:
        m = sum(xs) / len(xs)
        return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    n = 2
    k = 0.34 / (1.34 + (n + 1) / (n - 1))
    rs = (_rs(OPEN[1], HIGH[1], LOW[1], CLOSE[1]) + _rs(OPEN[2], HIGH[2], LOW[2], CLOSE[2])) / 2
    var = svar(gaps) + k * svar(bodies) + (1 - k) * rs
    assert annual_volatility(OPEN, HIGH, LOW, CLOSE, DAY,
                              "yang-zhang") == pytest.approx(math.sqrt(var * 365), rel=1e-14)


def test_interval_from_timestamps() -> None:
    assert interval_years([0, 60_000, 120_000, 240_000]) == pytest.approx(1 / (365 * 24 * 60))


def test_volatility_from_candle_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "c.csv"
    path.write_text("timestamp,open,high,low,close\n" + "".join(
        f"{i * 86_400_000},{o},{h},{lo},{c}\n"
        for i, (o, h, lo, c) in enumerate(zip(OPEN, HIGH, LOW, CLOSE, strict=True))))
    r = risk("long", None, "1d", price=100, stop=95, candles=str(path), volatility_estimator="parkinson")
    assert r.volatility == pytest.approx(annual_volatility(OPEN, HIGH, LOW, CLOSE, DAY,
                              "parkinson"), rel=1e-14)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"volatility": 0}, "'volatility' must be > 0 (got 0)"),
    ({"volatility": -0.5}, "'volatility' must be > 0 (got -0.5)"),
    ({"horizon": "24"}, "'horizon' must be a duration with a unit (s, m, h, d, w), e.g. 24h (got '24')"),
    ({"horizon": "0h"}, "'horizon' must be > 0 (got '0h')"),
    ({"stop": 10100}, "'stop' must be below the price for a long (got 10100)"),
    ({"target": 9000}, "'target' must be above the price for a long (got 9000)"),
    ({"liquidation_price": 10200}, "'liquidation_price' must be below the price for a long (got 10200)"),
    ({"method": "magic"}, "'method' must be closed-form or monte-carlo (got 'magic')"),
    ({"monitoring": "sometimes"}, "'monitoring' must be 'continuous' or a duration like 1h (got 'sometimes')"),
    ({"method": "monte-carlo", "paths": 0}, "'paths' must be > 0 (got 0)"),
    ({"volatility_estimator": "guess"},
     "'volatility_estimator' must be one of close-to-close, parkinson, garman-klass, rogers-satchell, yang-zhang "
     "(got 'guess')"),
])
def test_bad_input(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"side": "long", "volatility": 0.8, "horizon": "24h", "price": 10000, "stop": 9800}
    base.update(kwargs)
    with pytest.raises(InputError) as error:
        risk(**base)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_no_barrier_at_all() -> None:
    with pytest.raises(InputError, match="at least one barrier"):
        risk("long", 0.8, "24h", price=100)


def test_short_wrong_side() -> None:
    with pytest.raises(InputError) as error:
        risk("short", 0.8, "24h", price=100, stop=95)
    assert str(error.value) == "'stop' must be above the price for a short (got 95)"


# --------------------------------------------------------------------------- plan and size

def test_plan_adds_which_is_touched_first() -> None:
    import contractcalc

    # the seed's plan at 4x on Binance: the exchange liquidates at 15,060.24, before the 15,000 stop,
    # so the liquidation price (not the stop) is the loss side's barrier
    p = contractcalc.plan("long", 20000, 15000, 24000, 1000, exchange="binance-usdm", symbol="BTC/USDT:USDT",
                          volatility=0.8, horizon="30d")
    pair = risk("long", 0.8, "30d", price=20000, stop=float(p["liquidation_price"]), target=24000)
    assert p["stop_first_probability"] == 0
    assert p["liquidation_first_probability"] == pytest.approx(pair.stop_probability, abs=1e-15)
    assert p["target_first_probability"] == pytest.approx(pair.target_probability, abs=1e-15)


def test_size_adds_which_is_touched_first() -> None:
    import contractcalc

    r = contractcalc.size(contract="linear", side="short", balance=10000, risk_rate=0.01, entry=50000, stop=51000,
                          target=47000, volatility=0.6, horizon="7d")
    pair = risk("short", 0.6, "7d", price=50000, stop=51000, target=47000)
    assert r["stop_first_probability"] == pytest.approx(pair.stop_probability, abs=1e-15)
    assert r["target_first_probability"] == pytest.approx(pair.target_probability, abs=1e-15)
    assert r["liquidation_first_probability"] is None  # no exchange: no liquidation price known


def test_plan_needs_both_volatility_and_horizon() -> None:
    import contractcalc

    with pytest.raises(InputError, match="'horizon' is required with 'volatility'"):
        contractcalc.plan("long", 20000, 15000, 24000, 1000, volatility=0.8)


def test_monte_carlo_refuses_work_it_cannot_finish() -> None:
    """1e12 paths x 100 steps would run for hours: refused at once, naming paths (no hang)."""
    from contractcalc.engines.risk import MAX_PATH_STEPS

    with pytest.raises(InputError) as caught:
        risk("long", 0.8, "24h", price=10000, liquidation_price=9850, method="monte-carlo", paths=10**12)
    assert caught.value.field == "paths"
    assert f"must be at most {MAX_PATH_STEPS:,}" in str(caught.value)
    # a check every minute over a year: 365 x 24 x 60 = 525,600 steps a path, so 2,000 paths are over 1e9
    with pytest.raises(InputError, match=r"\(525,600\)"):
        risk("long", 0.8, "365d", price=10000, liquidation_price=9850, method="monte-carlo", paths=2000,
             monitoring="1m")


def test_simulation_work_is_paths_times_the_steps_simulated() -> None:
    from contractcalc.engines.risk import simulation_work

    assert simulation_work("365d", "1m", 10) == 10 * 365 * 24 * 60
    assert simulation_work("24h", paths=7, steps=3) == 21
    assert simulation_work("24h") == 100_000 * 100  # the defaults
