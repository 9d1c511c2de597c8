"""core.barrier against independent figures: QuantLib's analytic engines, the published special cases,
the plain reference series, and invariants (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contractcalc.core import barrier
from contractcalc.errors import InputError
from contractcalc.reference.barrier import reference_exit, reference_exit_no_horizon, reference_touch

ql = pytest.importorskip("QuantLib")


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


# --------------------------------------------------------------------------- QuantLib (zero rates)

TODAY = ql.Date(1, 1, 2026)


def _process(spot: float, sigma: float, mu: float) -> object:
    ql.Settings.instance().evaluationDate = TODAY
    dc = ql.Actual365Fixed()
    rates = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, 0.0, dc))
    # drift r − q = μ with r = 0: no discounting, so a price is a probability
    dividends = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, -mu, dc))
    vol = ql.BlackVolTermStructureHandle(ql.BlackConstantVol(TODAY, ql.NullCalendar(), sigma, dc))
    return ql.BlackScholesMertonProcess(ql.QuoteHandle(ql.SimpleQuote(spot)), dividends, rates, vol)


def _ql_one_touch(spot: float, level: float, sigma: float, mu: float, days: int) -> float:
    kind = ql.Option.Put if level < spot else ql.Option.Call
    option = ql.VanillaOption(ql.CashOrNothingPayoff(kind, level, 1.0),
                              ql.AmericanExercise(TODAY, TODAY + days, True))
    option.setPricingEngine(ql.AnalyticDigitalAmericanEngine(_process(spot, sigma, mu)))
    return float(option.NPV())


def _ql_double(kind: object, spot: float, low: float, up: float, sigma: float, mu: float, days: int) -> float:
    payoff = ql.CashOrNothingPayoff(ql.Option.Call, 0.0, 1.0)
    exercise = (ql.AmericanExercise(TODAY, TODAY + days, True)
                if kind in (ql.DoubleBarrier.KIKO, ql.DoubleBarrier.KOKI) else ql.EuropeanExercise(TODAY + days))
    option = ql.DoubleBarrierOption(kind, low, up, 0.0, payoff, exercise)
    option.setPricingEngine(ql.AnalyticDoubleBarrierBinaryEngine(_process(spot, sigma, mu)))
    return float(option.NPV())


@pytest.mark.parametrize(("spot", "level", "sigma", "mu", "days"), [
    (100, 85, 0.8, 0.1, 30), (100, 120, 0.8, 0.1, 30), (60000, 54260, 0.6, 0.0, 7),
    (60000, 65639, 0.6, -0.3, 2), (3000, 2400, 1.2, 0.5, 90), (1.0, 1.01, 0.3, 0.0, 1),
])
def test_one_touch_matches_quantlib(spot: float, level: float, sigma: float, mu: float, days: int) -> None:
    expected = _ql_one_touch(spot, level, sigma, mu, days)
    assert barrier.touch_probability(spot, level, sigma, days / 365, drift=mu) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("spot", "low", "up", "sigma", "mu", "days"), [
    (100, 85, 120, 0.8, 0.1, 30), (100, 95, 110, 0.5, 0.0, 3), (20000, 15000, 24000, 0.7, -0.2, 60),
    (100, 50, 300, 1.5, 0.8, 365), (100, 99, 101, 0.4, 0.0, 1),
])
def test_two_barriers_match_quantlib(spot: float, low: float, up: float, sigma: float, mu: float, days: int) -> None:
    # KIKO pays when the lower barrier is touched first, KOKI the upper, knock-out when neither is
    lower, upper, neither = barrier.exit_probabilities(spot, low, up, sigma, days / 365, drift=mu)
    assert lower == pytest.approx(_ql_double(ql.DoubleBarrier.KIKO, spot, low, up, sigma, mu, days), abs=1e-9)
    assert upper == pytest.approx(_ql_double(ql.DoubleBarrier.KOKI, spot, low, up, sigma, mu, days), abs=1e-9)
    assert neither == pytest.approx(_ql_double(ql.DoubleBarrier.KnockOut, spot, low, up, sigma, mu, days), abs=1e-9)


# --------------------------------------------------------------------------- published special cases

@pytest.mark.parametrize(("b", "sigma", "t"), [(-0.1, 0.8, 30 / 365), (0.05, 0.5, 1 / 365), (-0.3, 1.0, 1.0)])
def test_zero_drift_is_twice_the_normal_tail(b: float, sigma: float, t: float) -> None:
    # ν = 0 (μ = σ²/2): P = 2 Φ(−|b| / (σ √T))
    got = barrier.touch_probability(100, 100 * math.exp(b), sigma, t, drift=sigma**2 / 2)
    assert got == pytest.approx(2 * phi(-abs(b) / (sigma * math.sqrt(t))), abs=1e-14)


@pytest.mark.parametrize(("low", "up"), [(90, 120), (50, 101), (99, 400)])
def test_no_horizon_without_drift_is_a_over_a_plus_c(low: float, up: float) -> None:
    a, c = math.log(100 / low), math.log(up / 100)
    lower, upper, neither = barrier.exit_probabilities(100, low, up, 0.7, math.inf, drift=0.7**2 / 2)
    assert upper == pytest.approx(a / (a + c), abs=1e-14)
    assert lower == pytest.approx(c / (a + c), abs=1e-14)
    assert neither == pytest.approx(0, abs=1e-15)


@pytest.mark.parametrize(("nu", "sigma"), [(0.3, 0.6), (-0.5, 0.9), (2.0, 0.3), (-2.0, 0.3), (1e-4, 0.5)])
def test_no_horizon_with_drift_is_the_gamblers_ruin(nu: float, sigma: float) -> None:
    a, c = math.log(100 / 90), math.log(130 / 100)
    k = 2 * nu / sigma**2
    expected_upper = math.expm1(k * a) / (math.expm1(k * a) - math.expm1(-k * c))
    lower, upper = barrier.exit_probabilities_no_horizon(100, 90, 130, sigma, drift=nu + sigma**2 / 2)
    assert upper == pytest.approx(expected_upper, abs=1e-9)
    assert lower + upper == pytest.approx(1, abs=1e-15)


def test_long_horizon_reaches_the_no_horizon_limit() -> None:
    for nu in (-0.2, 0.0, 0.4):
        finite = barrier.exit_probabilities(100, 80, 130, 0.8, 200.0, drift=nu + 0.32)
        limit = barrier.exit_probabilities(100, 80, 130, 0.8, math.inf, drift=nu + 0.32)
        assert finite == pytest.approx(limit, abs=1e-12)


def test_one_barrier_no_horizon_with_drift_away() -> None:
    # drift away from the barrier: e^{2 m d / σ²} with m < 0
    sigma, nu = 0.5, 0.1
    d = math.log(100 / 80)
    assert barrier.touch_probability(100, 80, sigma, math.inf, drift=nu + sigma**2 / 2) == pytest.approx(
        math.exp(-2 * nu * d / sigma**2), rel=1e-14)


def test_bgk_shift_moves_the_barrier_away() -> None:
    # a barrier checked hourly is the continuous one at L·e^{−0.5826 σ √Δt}
    dt = 1 / 8760
    shifted = 90 * math.exp(-0.5826 * 0.8 * math.sqrt(dt))
    assert barrier.touch_probability(100, 90, 0.8, 7 / 365, monitoring_years=dt) == pytest.approx(
        barrier.touch_probability(100, shifted, 0.8, 7 / 365), abs=1e-13)
    lower, upper, _ = barrier.exit_probabilities(100, 90, 110, 0.8, 7 / 365, monitoring_years=dt)
    shifted_up = 110 * math.exp(0.5826 * 0.8 * math.sqrt(dt))
    assert (lower, upper) == pytest.approx(barrier.exit_probabilities(100, shifted, shifted_up, 0.8, 7 / 365)[:2],
                                           abs=1e-13)


def test_normal_cdf_matches_math_erfc() -> None:
    x = np.linspace(-37, 8, 20001)
    expected = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    assert np.allclose(barrier.normal_cdf(x), expected, rtol=1e-13, atol=0)


# --------------------------------------------------------------------------- the reference series

@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.005, 1.0), c=st.floats(0.005, 1.0), nu=st.floats(-2, 2), sigma=st.floats(0.1, 2.0),
       t=st.floats(1 / 8760, 2.0))
def test_fast_series_match_the_reference(a: float, c: float, nu: float, sigma: float, t: float) -> None:
    assume(sigma**2 * t / (a + c) ** 2 <= 4)  # where 60 image terms are plenty
    lower, upper, _ = barrier._exit(np.array(a), np.array(c), np.array(nu), np.array(sigma), np.array(t))
    ref_lower, ref_upper = reference_exit(a, c, nu, sigma, t)
    assert float(lower) == pytest.approx(ref_lower, abs=1e-10)
    assert float(upper) == pytest.approx(ref_upper, abs=1e-10)
    assert float(barrier._touch(np.array(a), np.array(nu), np.array(sigma), np.array(t))[0]) == pytest.approx(
        min(1.0, reference_touch(a, nu, sigma, t)), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.01, 1.0), c=st.floats(0.01, 1.0), nu=st.floats(-1, 1), sigma=st.floats(0.2, 2.0),
       t=st.floats(0.001, 3.0))
def test_images_and_fourier_agree(a: float, c: float, nu: float, sigma: float, t: float) -> None:
    # around where the two rates meet (2/π): each series is summed to its own stopping rule
    assume(0.2 <= sigma**2 * t / (a + c) ** 2 <= 5)
    args = (np.array([a]), np.array([c]), np.array([nu]), np.array([sigma]), np.array([t]))
    images = barrier._exit_images(*args)
    fourier = barrier._exit_fourier(*args)
    assert np.allclose(images, fourier, atol=1e-10, rtol=0)


def test_no_horizon_matches_the_reference() -> None:
    for nu in (-0.7, 0.0, 0.3):
        got = barrier._no_horizon(np.array(0.2), np.array(0.4), np.array(nu), np.array(0.9))
        assert (float(got[0]), float(got[1])) == pytest.approx(reference_exit_no_horizon(0.2, 0.4, nu, 0.9),
                                                               abs=1e-14)


# --------------------------------------------------------------------------- properties

@settings(max_examples=80, deadline=None)
@given(low=st.floats(1, 99), up=st.floats(101, 500), sigma=st.floats(0.05, 3), mu=st.floats(-2, 2),
       t=st.floats(1e-4, 5))
def test_probabilities_are_a_distribution(low: float, up: float, sigma: float, mu: float, t: float) -> None:
    p = barrier.exit_probabilities(100, low, up, sigma, t, drift=mu)
    assert all(0 <= x <= 1 for x in p)
    assert sum(p) == pytest.approx(1, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(level=st.floats(50, 99.9), sigma=st.floats(0.05, 3), mu=st.floats(-2, 2), t=st.floats(1e-4, 5),
       more=st.floats(1.01, 3))
def test_monotone_in_horizon_volatility_and_distance(level: float, sigma: float, mu: float, t: float,
                                                     more: float) -> None:
    base = barrier.touch_probability(100, level, sigma, t, drift=mu)
    assert barrier.touch_probability(100, level, sigma, t * more, drift=mu) >= base - 1e-12
    assert barrier.touch_probability(100, level / more, sigma, t, drift=mu) <= base + 1e-12
    # more volatility, more touches: at zero log drift (a strong drift towards the barrier can make
    # a wider spread of outcomes touch it less often)
    still = barrier.touch_probability(100, level, sigma, t, drift=sigma**2 / 2)
    wider = sigma * more
    assert barrier.touch_probability(100, level, wider, t, drift=wider**2 / 2) >= still - 1e-12
    # two barriers: the chance that either is touched grows with the horizon
    _, _, neither = barrier.exit_probabilities(100, level, 200 - level, sigma, t, drift=mu)
    _, _, neither_later = barrier.exit_probabilities(100, level, 200 - level, sigma, t * more, drift=mu)
    assert neither_later <= neither + 1e-12


def test_arrays_broadcast_like_scalars() -> None:
    levels = np.array([80.0, 90.0, 95.0])
    got = barrier.touch_probability(100, levels, 0.8, np.array([[1 / 365], [30 / 365]]))
    assert got.shape == (2, 3)
    for i, t in enumerate((1 / 365, 30 / 365)):
        for j, level in enumerate(levels):
            assert got[i, j] == barrier.touch_probability(100, float(level), 0.8, t)


def test_extreme_drift_does_not_overflow() -> None:
    p = barrier.touch_probability(100, 99, 0.05, 1.0, drift=50.0)
    assert 0 <= p <= 1
    p = barrier.exit_probabilities(100, 99, 101, 0.05, 1.0, drift=-50.0)
    assert sum(p) == pytest.approx(1)
    assert p[0] == pytest.approx(1, abs=1e-9)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: barrier.touch_probability(100, 90, 0, 1), "'volatility' must be > 0 (got 0)"),
    (lambda: barrier.touch_probability(100, 90, 0.5, -1), "'horizon_years' must be >= 0 (got -1)"),
    (lambda: barrier.exit_probabilities(100, 110, 120, 0.5, 1), "'lower' must be below the price (got 110)"),
    (lambda: barrier.exit_probabilities(100, 90, 95, 0.5, 1), "'upper' must be above the price (got 95)"),
    (lambda: barrier.touch_probability(100, float("nan"), 0.5, 1), "'barrier' must be a finite number (got nan)"),
])
def test_bad_input_names_the_field(call: object, message: str) -> None:
    with pytest.raises(InputError) as error:
        call()  # type: ignore[operator]
    assert str(error.value) == message


def test_subnormal_drift_is_driftless() -> None:
    # ν = 5e-324 (found by Hypothesis): k = 2ν/σ² is subnormal, expm1 loses its digits there
    args = [np.array([v]) for v in (1.0, 0.25, 5e-324, 1.0, 1.0)]
    images, fourier = barrier._exit_images(*args), barrier._exit_fourier(*args)
    assert np.allclose(images, fourier, atol=1e-10, rtol=0)
    lower, upper = barrier._no_horizon(np.array(1.0), np.array(0.25), np.array(5e-324), np.array(1.0))
    assert (float(lower), float(upper)) == pytest.approx((0.25 / 1.25, 1.0 / 1.25), abs=1e-15)
