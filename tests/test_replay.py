"""Replay: hand-built candle sequences whose outcome is worked out here, one rule each.

The position in most tests is Bybit's published isolated long (shared/reference/examples.md
Y1): 1 BTC at 10,000, 50x, maintenance rate 0.5 %: initial margin 200, liquidation 9,850.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from contractcalc.engines.replay import EXIT_REASONS, ReplayResult, replay
from contractcalc.errors import InputError

H = 3_600_000  # one hour in ms
M = 60_000  # one minute in ms

FIRST = [0, 10000, 10050, 9950, 10000]  # a quiet first candle: no level below 9,950 or above 10,050


def long_y1(rows: list[list[float]], **kwargs: Any) -> ReplayResult:
    """Bybit Y1: long 1 BTC at 10,000, 50x, MMR 0.5 % (liquidation 9,850, margin 200)."""
    options: dict[str, Any] = {"exchange": "bybit-linear", "side": "long", "quantity": 1, "leverage": 50,
                               "maintenance_margin_rate": 0.005, "fee_rate": 0}
    options.update(kwargs)
    return replay(rows, **options)


def test_stop_fills_at_its_level_with_fees_on_both_values() -> None:
    rows = [FIRST, [M, 10000, 10020, 9880, 9900], [2 * M, 9900, 9950, 9700, 9720]]
    r = long_y1(rows, stop=9900, fee_rate=0.0006)
    # stop: 1 × (9,900 − 10,000) = −100; fees 0.0006 × 10,000 + 0.0006 × 9,900 = 6 + 5.94
    assert (r.exit_reason, r.exit_time, r.exit_price, r.bars_held) == ("stop", M, 9900.0, 2)
    assert r.pnl == pytest.approx(-100.0)
    assert r.fees == pytest.approx(11.94)
    assert r.net_pnl == pytest.approx(-111.94)
    assert r.funding == 0.0 and r.liquidation_price == pytest.approx(9850.0)
    assert list(r.to_dict()) == ["exit_reason", "exit_time", "exit_price", "pnl", "fees", "funding", "net_pnl",
                                 "bars_held", "liquidation_price"]


def test_target_fills_at_its_level() -> None:
    rows = [FIRST, [M, 10000, 10060, 9990, 10040], [2 * M, 10040, 10150, 10030, 10120]]
    r = long_y1(rows, stop=9900, target=10100)
    assert (r.exit_reason, r.exit_price, r.bars_held, r.exit_time) == ("target", 10100.0, 3, 2 * M)
    assert r.pnl == pytest.approx(100.0)


def test_a_gap_through_the_stop_fills_at_the_open() -> None:
    # the second candle opens at 9,880, under the 9,900 stop (and above the 9,850 liquidation)
    rows = [FIRST, [M, 9880, 9890, 9860, 9870]]
    r = long_y1(rows, stop=9900)
    assert (r.exit_reason, r.exit_price) == ("stop", 9880.0)
    assert r.pnl == pytest.approx(-120.0)


def test_a_gap_through_the_target_fills_at_the_open_whatever_the_policy() -> None:
    # opens at 10,150 beyond the 10,100 target, then falls through the stop: the open came first
    rows = [FIRST, [M, 10150, 10160, 9800, 9850]]
    for policy in ("pessimistic", "optimistic", "nearest-first"):
        r = long_y1(rows, stop=9900, target=10100, intrabar=policy, wallet_balance=1000)
        assert (r.exit_reason, r.exit_price) == ("target", 10150.0)
        assert r.pnl == pytest.approx(150.0)


@pytest.mark.parametrize(("policy", "open_", "reason", "price"), [
    ("pessimistic", 10000, "stop", 9900.0),
    ("optimistic", 10000, "target", 10100.0),
    # nearest-first: open 10,060 is 40 from the target and 160 from the stop
    ("nearest-first", 10060, "target", 10100.0),
    # open 9,950 is 50 from the stop and 150 from the target
    ("nearest-first", 9950, "stop", 9900.0),
    # open 10,000: 100 from each, a tie is the adverse exit
    ("nearest-first", 10000, "stop", 9900.0),
])
def test_stop_and_target_in_one_candle(policy: str, open_: float, reason: str, price: float) -> None:
    rows = [FIRST, [M, open_, 10150, 9880, 10000]]
    r = long_y1(rows, stop=9900, target=10100, intrabar=policy)
    assert (r.exit_reason, r.exit_price, r.bars_held) == (reason, price, 2)


def test_liquidation_comes_before_a_stop_beyond_it() -> None:
    # stop 9,800 lies beyond the 9,850 liquidation price: the candle to 9,790 liquidates first
    rows = [FIRST, [M, 10000, 10010, 9790, 9800]]
    r = long_y1(rows, stop=9800, fee_rate=0.0006)
    assert (r.exit_reason, r.exit_price) == ("liquidation", pytest.approx(9850.0))
    # the whole 200 margin; the open fee only (0.0006 × 10,000 = 6), no close fee
    assert r.pnl == pytest.approx(-200.0)
    assert r.fees == pytest.approx(6.0)
    assert r.net_pnl == pytest.approx(-206.0)


def test_a_stop_above_the_liquidation_price_fills_first() -> None:
    rows = [FIRST, [M, 10000, 10010, 9790, 9800]]
    r = long_y1(rows, stop=9900)
    assert (r.exit_reason, r.exit_price) == ("stop", 9900.0)


def test_a_gap_through_both_stop_and_liquidation_takes_the_stop_it_passed_first() -> None:
    # opens at 9,700: through the 9,900 stop, then the 9,850 liquidation price; the stop fills at the open
    rows = [FIRST, [M, 9700, 9710, 9650, 9700]]
    r = long_y1(rows, stop=9900)
    assert (r.exit_reason, r.exit_price) == ("stop", 9700.0)
    assert r.pnl == pytest.approx(-300.0)


def test_a_mark_price_wick_liquidates_where_the_last_price_does_not() -> None:
    rows = [FIRST, [M, 10000, 10010, 9870, 9900], [2 * M, 9900, 9950, 9880, 9920]]
    marks = [FIRST, [M, 10000, 10010, 9840, 9900], [2 * M, 9900, 9950, 9880, 9920]]
    assert long_y1(rows).exit_reason == "open"
    r = long_y1(rows, mark_candles=marks, stop=9860)
    # the last price never reached the 9,860 stop; the mark reached 9,850
    assert (r.exit_reason, r.exit_time, r.exit_price) == ("liquidation", M, pytest.approx(9850.0))
    assert r.pnl == pytest.approx(-200.0)


def test_still_open_is_valued_at_the_last_close() -> None:
    rows = [FIRST, [M, 10000, 10020, 9960, 10010], [2 * M, 10010, 10040, 9990, 10030]]
    r = long_y1(rows, stop=9900, target=10100, fee_rate=0.001)
    assert (r.exit_reason, r.exit_time, r.exit_price, r.bars_held) == ("open", 2 * M, 10030.0, 3)
    assert r.pnl == pytest.approx(30.0)
    assert r.fees == pytest.approx(10.0)  # the entry fee only: nothing was closed


def test_entry_defaults_to_the_first_open() -> None:
    rows = [[0, 10010, 10050, 9950, 10000], [M, 10000, 10020, 9960, 10000]]
    assert long_y1(rows).pnl == pytest.approx(-10.0)
    assert long_y1(rows, entry=10000).pnl == pytest.approx(0.0)


def hourly(opens: list[float]) -> list[list[float]]:
    return [[i * H, o, o + 10, o - 10, o] for i, o in enumerate(opens)]


FUNDING = [
    [0, 0.5],  # at the open time: not strictly after it, not paid
    [4 * H, 0.001],  # candle 4 (opens 104)
    [int(8.5 * H), -0.002],  # inside candle 8 (opens 108)
    [9 * H, 0.003],  # the start of candle 9: paid only if candle 9 is the exit candle or later
    [100 * H, 0.1],  # after the last candle
]


@pytest.mark.parametrize(("side", "sign"), [("long", 1), ("short", -1)])
def test_funding_sums(side: str, sign: int) -> None:
    opens = [100.0 + i for i in range(10)]
    r = replay(hourly(opens), exchange="binance-usdm", side=side, quantity=2, leverage=2,
               maintenance_margin_rate=0.004, funding=FUNDING, fee_rate=0)
    assert r.exit_reason == "open" and r.bars_held == 10
    # s × Q × open × rate at 4 h, 8.5 h and 9 h (the exit candle, the last, starts at 9 h)
    expected = sign * 2 * (104 * 0.001 + 108 * -0.002 + 109 * 0.003)
    assert r.funding == pytest.approx(expected)
    assert r.net_pnl == pytest.approx(r.pnl - expected)


def test_funding_stops_at_the_exit_candle_and_uses_mark_opens() -> None:
    opens = [100.0 + i for i in range(10)]
    rows = hourly(opens)
    rows[8] = [8 * H, 108, 118, 80, 90]  # candle 8 reaches the stop at 85
    marks = [[t, o * 2, h * 2, lo * 2, c * 2] for t, o, h, lo, c in hourly(opens)]
    r = replay(rows, exchange="binance-usdm", side="long", quantity=2, leverage=2, maintenance_margin_rate=0.004,
               stop=85, funding=FUNDING, mark_candles=marks, fee_rate=0)
    assert (r.exit_reason, r.exit_time, r.bars_held) == ("stop", 8 * H, 9)
    # the funding at 9 h comes after the exit candle's start (8 h): only 4 h counts; 8.5 h is inside the
    # exit candle, after its start, so it is not paid either; values from the mark opens (twice the price)
    assert r.funding == pytest.approx(2 * 208 * 0.001)


def test_inverse_pnl_and_fees_in_coin() -> None:
    # Bybit inverse long 10,000 USD (10,000 contracts of 1 USD) at 10,000, 10x: target 11,000
    rows = [FIRST, [M, 10000, 11100, 9990, 11050]]
    r = replay(rows, exchange="bybit-inverse", side="long", contracts=10000, contract_size=1, leverage=10,
               maintenance_margin_rate=0.005, target=11000, fee_rate=0.00075)
    # PnL 10,000 × (1/10,000 − 1/11,000) = 1 − 0.90909... = 0.090909 BTC
    assert r.exit_reason == "target"
    assert r.pnl == pytest.approx(10000 * (1 / 10000 - 1 / 11000))
    assert r.fees == pytest.approx(0.00075 * (1 + 10000 / 11000))


def test_inverse_liquidation_loses_the_coin_margin() -> None:
    rows = [FIRST, [M, 10000, 10010, 8000, 8500]]
    r = replay(rows, exchange="bybit-inverse", side="long", contracts=10000, contract_size=1, leverage=10,
               maintenance_margin_rate=0.005, fee_rate=0)
    assert r.exit_reason == "liquidation"
    assert r.pnl == pytest.approx(-0.1)  # initial margin 10,000 / 10,000 / 10 = 0.1 BTC
    # Bybit inverse: LP = F / (F/E + s·(WB − MM)) with MM = F/E × 0.005 = 0.005
    assert r.exit_price == pytest.approx(10000 / (1 + 0.1 - 0.005))


def test_short_mirror_of_the_published_example() -> None:
    # examples.md Y2: Bybit short 1 BTC at 8,000, 40x, MMR 0.5 %: liquidation 8,160
    rows = [[0, 8000, 8050, 7950, 8000], [M, 8000, 8170, 7990, 8100]]
    r = replay(rows, exchange="bybit-linear", side="short", quantity=1, leverage=40, maintenance_margin_rate=0.005,
               fee_rate=0)
    assert (r.exit_reason, r.exit_price, r.pnl) == ("liquidation", pytest.approx(8160.0), pytest.approx(-200.0))


def test_no_liquidation_price_never_liquidates() -> None:
    rows = [[0, 100, 100, 1, 2]]
    r = replay(rows, exchange="binance-usdm", side="long", quantity=1, leverage=1, maintenance_margin_rate=0.004)
    assert r.exit_reason == "open" and r.liquidation_price is None
    assert r.pnl == pytest.approx(-98.0)
    # the preset's taker fee (Binance USDⓈ-M 0.05 %) on the value at entry
    assert r.fees == pytest.approx(0.0005 * 100)


def test_arrays_of_positions() -> None:
    rows = [FIRST, [M, 10000, 10020, 9880, 9900], [2 * M, 9900, 10150, 9700, 10100]]
    r = long_y1(rows, stop=np.array([9900, np.nan, 9800, np.nan]), target=np.array([np.nan, 10100, 10100, np.nan]),
                wallet_balance=np.array([200, 1000, 20000, 200]))
    assert r.exit_reason.tolist() == ["stop", "target", "stop", "liquidation"]
    assert r.bars_held.tolist() == [2, 3, 3, 3]
    assert r.exit_price[:3].tolist() == [9900.0, 10100.0, 9800.0]
    assert isinstance(r.liquidation_price, np.ndarray) and math.isnan(float(r.liquidation_price[2]))


def test_many_series_give_one_result_each() -> None:
    up = [FIRST, [M, 10000, 10200, 9990, 10150]]
    down = [FIRST, [M, 10000, 10010, 9880, 9890]]
    results = long_y1([up, down], stop=9900, target=10100)
    assert [r.exit_reason for r in results] == ["target", "stop"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"stop": 10100}, "'stop' must be below the entry (10000) for a long (got 10100)"),
    ({"target": 9900}, "'target' must be above the entry (10000) for a long (got 9900)"),
    ({"stop": 10000}, "'stop' must be below the entry (10000) for a long"),
    ({"side": "short", "stop": 9900}, "'stop' must be above the entry (10000) for a short (got 9900)"),
    ({"intrabar": "random"}, "'intrabar' must be 'pessimistic', 'optimistic' or 'nearest-first' (got 'random')"),
    ({"fee_rate": -0.1}, "'fee_rate' must be >= 0 (got -0.1)"),
    ({"stop": np.array([9900, 10100])}, "'stop' must be below the entry for a long and above it for a short "
                                        "(not so at position 1) (got 10100"),
    ({"stop": ["x", 9900]}, "'stop' must hold prices (numbers, or NaN for none)"),
    ({"stop": [9900, -5]}, "'stop' must be > 0 (got -5 at index 1)"),
    ({"mark_candles": [FIRST]}, "'mark_candles' must have one candle per candle (2, the candles' count) (got 1)"),
    ({"mark_candles": [FIRST, [2 * M, 1, 1, 1, 1]]}, "'mark_candles' row 1 must have the candles' timestamp (60000)"),
    ({"funding": [[0, 0.1], [0, 0.1]]}, "'funding' row 1 must have a timestamp after the previous row's (0)"),
])
def test_bad_input(kwargs: dict[str, Any], message: str) -> None:
    rows = [FIRST, [M, 10000, 10020, 9960, 10000]]
    with pytest.raises(InputError) as error:
        long_y1(rows, **kwargs)
    assert str(error.value).startswith(message)


def test_exit_reasons_are_the_documented_words() -> None:
    assert EXIT_REASONS == ("stop", "target", "liquidation", "open")


def test_arrays_of_different_lengths_name_the_keyword() -> None:
    rows = [FIRST, [M, 10000, 10020, 9960, 10000]]
    message = r"^'stop' must have the length of the other arrays \(3\) \(got 'an array of 2'\)"
    with pytest.raises(InputError, match=message):
        long_y1(rows, leverage=np.array([10, 20, 50]), stop=np.array([9900, 9800]))


def test_the_liquidation_price_is_the_engines_with_the_fee_okx_counts() -> None:
    """OKX counts the fee to close in its requirement: --fee-rate is that fee too."""
    from contractcalc import liquidation_price

    rows = [FIRST]
    r = replay(rows, exchange="okx-linear", side="long", quantity=1, leverage=20, maintenance_margin_rate=0.004,
               fee_rate=0.001)
    expected = liquidation_price("okx-linear", "long", 10000.0, quantity=1.0, leverage=20.0,
                                 maintenance_margin_rate=0.004, taker_fee_rate=0.001)["liquidation_price"]
    # OKX linear: LP = (E − s·WB/Q) / (1 − s·(MMR + f)) = (10,000 − 500) / (1 − 0.005)
    assert r.liquidation_price == pytest.approx(expected) == pytest.approx(9500 / 0.995)


def test_hyperliquid_maintenance_from_max_leverage() -> None:
    # MMR = 1 / (2 × 40) = 1.25 %; LP = (E − WB/Q) / (1 − MMR) = (10,000 − 1,000) / 0.9875 for a 10x long
    rows = [FIRST, [M, 10000, 10010, 9000, 9100]]
    r = replay(rows, exchange="hyperliquid", side="long", quantity=1, leverage=10, max_leverage=40, fee_rate=0)
    assert r.liquidation_price == pytest.approx(9000 / 0.9875)
    assert (r.exit_reason, r.pnl) == ("liquidation", pytest.approx(-1000.0))


def test_many_series_each_open_at_their_own_first_open() -> None:
    one = [[0, 100, 101, 99, 100.5], [M, 100.5, 103, 100, 102]]
    other = [[0, 200, 202, 199, 201], [M, 201, 201, 195, 196]]
    results = replay([one, other], exchange="binance-usdm", side="long", quantity=2, leverage=2,
                     maintenance_margin_rate=0.004, fee_rate=0)
    # 2 × (102 − 100) and 2 × (196 − 200), both still open
    assert [(r.exit_reason, r.pnl) for r in results] == [("open", 4.0), ("open", -8.0)]
    # liquidation prices from each series' own entry: (WB − Q·E) / (Q·MMR − Q) with WB = Q·E/2 is E / 1.992
    assert [r.liquidation_price for r in results] == [pytest.approx(100 / 1.992), pytest.approx(200 / 1.992)]
    with pytest.raises(InputError, match=r"^'mark_candles' must be a list of 2 series \(one per candle series\)"):
        replay([one, other], exchange="binance-usdm", side="long", quantity=2, leverage=2,
               maintenance_margin_rate=0.004, mark_candles=[one])
    # a stop of 150 is above the first series' entry (100), below the other's (200)
    with pytest.raises(InputError, match=r"^'stop' must be below the entry \(100\) for a long \(got 150\)"):
        replay([one, other], exchange="binance-usdm", side="long", quantity=2, leverage=2,
               maintenance_margin_rate=0.004, stop=150)
