"""The unchecked kernels against the public functions and the plain-Decimal reference; typed results;
structured errors; number types (int64, float16, Dask) and results out of range."""

from __future__ import annotations

import dataclasses
import math
import pickle
from decimal import Decimal as D
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contractcalc
from contractcalc import InputError, liquidation_price, pnl
from contractcalc.core import kernels
from contractcalc.core.results import LiquidationResult, PnlResult, Reason, TargetResult
from contractcalc.engines.liquidation import MODELS, OUTPUTS, _liquidation_general, bands_for
from contractcalc.errors import NoLiquidationPrice, OutOfRange, TierCapExceeded
from contractcalc.reference import contracts as ref
from contractcalc.reference.liquidation import RefPosition, RefTier, reference_liquidation_price
from contractcalc.venues.tiers import load_tiers

TABLE = "binance-usdm-BTCUSDT-2021-03-18"

prices = st.floats(100, 100_000)
sizes = st.floats(0.001, 100)
leverages = st.floats(1, 100)
rates = st.sampled_from([0.004, 0.005, 0.01, 0.025])
sides = st.sampled_from(["long", "short"])


# ---------------------------------------------------------------------------
# Kernels = public functions = reference


@settings(max_examples=60, deadline=None)
@given(side=sides, entry=prices, exit=prices, quantity=sizes, leverage=leverages,
       fee=st.sampled_from([0.0, 0.0002, 0.0005]))
def test_pnl_kernel_public_and_reference_agree(side: str, entry: float, exit: float, quantity: float,
                                               leverage: float, fee: float) -> None:
    s = 1 if side == "long" else -1
    public = pnl(contract="linear", side=side, entry=entry, exit=exit, quantity=quantity, leverage=leverage,
                 open_fee_rate=fee, close_fee_rate=fee)
    assert public.pnl == kernels.linear_pnl(s, entry, exit, quantity)
    assert public.initial_margin == kernels.initial_margin(True, entry, quantity, leverage)
    exact = ref.pnl("linear", side, D(entry), D(exit), D(quantity), D(leverage), D(fee), D(fee))
    for key, value in exact.items():
        assert math.isclose(public[key], float(value), rel_tol=1e-9, abs_tol=1e-9), key
    # the general (Decimal) path gives the same figures
    decimal = pnl(contract="linear", side=side, entry=D(entry), exit=D(exit), quantity=D(quantity),
                  leverage=D(leverage), open_fee_rate=D(fee), close_fee_rate=D(fee))
    for key in public:
        assert math.isclose(public[key], float(decimal[key]), rel_tol=1e-9, abs_tol=1e-9), key


@settings(max_examples=40, deadline=None)
@given(side=sides, entry=prices, face=st.integers(1, 10_000), exit=prices)
def test_inverse_pnl_kernel_matches_reference(side: str, entry: float, face: int, exit: float) -> None:
    s = 1 if side == "long" else -1
    exact = ref.pnl("inverse", side, D(entry), D(exit), D(face) * 100)["pnl"]
    assert exact is not None
    assert math.isclose(kernels.inverse_pnl(s, entry, exit, face * 100.0), float(exact), rel_tol=1e-9,
                        abs_tol=1e-15)


@settings(max_examples=40, deadline=None)
@given(side=sides, entry=prices, quantity=sizes, leverage=leverages, rate=rates,
       exchange=st.sampled_from(["binance-usdm", "bybit-linear", "okx-linear"]))
def test_liquidation_kernel_public_and_reference_agree(side: str, entry: float, quantity: float, leverage: float,
                                                      rate: float, exchange: str) -> None:
    model = MODELS[exchange.split("-")[0]]
    fee = 0.0005 if model.counts_close_fee else 0.0
    s = 1 if side == "long" else -1
    balance = kernels.initial_margin(True, entry, quantity, leverage)
    kernel = kernels.isolated_liquidation_price(True, model.mm_at_entry, s, entry, quantity, balance, rate, 0.0, fee)
    public = liquidation_price(exchange, side, entry, quantity=quantity, leverage=leverage,
                               maintenance_margin_rate=rate, **({"taker_fee_rate": fee} if fee else {}))
    if math.isnan(kernel):
        assert public.liquidation_price is None
        return
    assert public.liquidation_price == kernel
    tier = RefTier(D(0), None, D(rate), D(0))
    position = RefPosition(side, D(entry), D(quantity), [tier], fee_rate=D(fee))
    if not 1e-7 * entry < kernel < 1e7 * entry:
        return  # the reference scans within a factor 10^8 of the entry (a 1.0000000000000002x long: 7e-12)
    exact = reference_liquidation_price(model.name, "linear", D(balance), [position])
    assert exact is not None
    assert math.isclose(kernel, float(exact), rel_tol=1e-9)


@settings(max_examples=40, deadline=None)
@given(side=sides, entry=st.floats(20_000, 80_000), notional=st.floats(1_000, 1e8), leverage=st.floats(1, 20))
def test_tiered_kernel_matches_the_band_solver_and_the_reference(side: str, entry: float, notional: float,
                                                                 leverage: float) -> None:
    table = load_tiers(TABLE)
    quantity = notional / entry
    cap = float(table.tiers[int(table.index_for_notional(notional))].max_leverage)
    leverage = min(leverage, cap)
    fast = liquidation_price("binance-usdm", side, entry, quantity=quantity, leverage=leverage, tiers=TABLE)
    general = _liquidation_general("binance-usdm", side, entry, quantity, None, None, leverage, None, None, None,
                                   None, TABLE, None, None, None, None, None, None)
    if general["liquidation_price"] is None:
        assert fast.liquidation_price is None
        return
    assert math.isclose(fast.liquidation_price, general["liquidation_price"], rel_tol=1e-12)
    assert fast.tier == general["tier"]
    last = len(table.tiers) - 1
    ref_tiers = [RefTier(t.min_notional, None if k == last else t.max_notional, t.maintenance_margin_rate,
                         t.maintenance_amount) for k, t in enumerate(table.tiers)]
    balance = kernels.initial_margin(True, entry, quantity, leverage)
    exact = reference_liquidation_price("binance", "linear", D(balance), [RefPosition(side, D(entry), D(quantity),
                                                                                      ref_tiers)])
    assert exact is not None
    assert math.isclose(fast.liquidation_price, float(exact), rel_tol=1e-9)
    # the array kernel: the same price, bit for bit
    price, _ = kernels.tiered_liquidation_price(True, False, np.array([1.0 if side == "long" else -1.0]),
                                                np.array([entry]), np.array([quantity]), np.array([balance]),
                                                bands_for(table), 0.0)
    assert price[0] == fast.liquidation_price


def test_named_exchange_kernels_reproduce_published_examples() -> None:
    # examples.md Y1: Bybit, long 1 BTC @ 10,000, 50x, MMR 0.5 %: 9,850; Y2: short @ 8,000, 40x: 8,160
    assert kernels.bybit_liquidation_price(True, 1, 10_000.0, 1.0, 200.0, 0.005, 0.0) == 9850.0
    assert kernels.bybit_liquidation_price(True, -1, 8_000.0, 1.0, 200.0, 0.005, 0.0) == 8160.0
    # hand check: Binance long 1 BTC @ 10,000, 10x, MMR 0.4 %: (1,000 − 10,000) / (0.004 − 1) = 9,036.14
    assert round(kernels.binance_liquidation_price(True, 1, 10_000.0, 1.0, 1_000.0, 0.004, 0.0), 2) == 9036.14
    # Hyperliquid: MMR = 1 / (2 × 50) = 1 %: long @ 100, 10x: (10 − 100) / (0.01 − 1) = 90.909...
    assert math.isclose(kernels.hyperliquid_liquidation_price(True, 1, 100.0, 1.0, 10.0, 50.0), 90 / 0.99)
    # OKX counts the fee to close: long @ 100, 10x, MMR 0.4 %, taker 0.05 %: 90 / (1 − 0.0045)
    assert math.isclose(kernels.okx_liquidation_price(True, 1, 100.0, 1.0, 10.0, 0.004, 0.0, 0.0005), 90 / 0.9955)


def test_bands_are_built_once_per_table() -> None:
    table = load_tiers(TABLE)
    assert bands_for(table) is bands_for(table)
    bands = bands_for(table)
    assert bands.continuous and bands.tiers[:3] == (1, 2, 3)
    # examples.md B7's table: 60,000 of notional is in tier 2 (50,000–250,000 at 0.5 %, cum 50): MM 250
    assert bands.index(60_000.0) == 1 and bands.maintenance_margin(60_000.0) == 250.0
    notional = np.array([0.0, 49_999.0, 50_000.0, 250_000.0, 1e9])
    assert bands.index(notional).tolist() == [0, 0, 1, 2, 9]


def test_count_at_or_above_agrees_with_searchsorted() -> None:
    rng = np.random.default_rng(1)
    floors = np.sort(rng.uniform(0, 100, 9))
    values = np.concatenate([rng.uniform(-10, 110, 1000), floors])
    assert (kernels.count_at_or_above(values, list(floors)) == np.searchsorted(floors, values, "right")).all()
    expected = (values[:, None] <= floors[None, :]).sum(axis=1)
    assert (kernels.count_at_or_above(values, list(floors), below=True) == expected).all()


# ---------------------------------------------------------------------------
# Scalars and arrays alike


@pytest.mark.parametrize("exchange, extra", [
    ("binance-usdm", {"maintenance_margin_rate": 0.004}),
    ("binance-usdm", {"tiers": TABLE}),
    ("bybit-linear", {"maintenance_margin_rate": 0.005}),
    ("okx-inverse", {"maintenance_margin_rate": 0.005}),
])
def test_scalar_and_array_results_match_field_by_field(exchange: str, extra: dict[str, Any]) -> None:
    linear = exchange != "okx-inverse"
    size: dict[str, Any] = {"quantity": 2.0} if linear else {"contracts": 100.0, "contract_size": 100.0}
    cases = [("long", 50_000.0, 20.0, 49_000.0), ("short", 50_000.0, 1.0, 51_000.0), ("long", 50_000.0, 1.0, None),
             ("short", 50_000.0, 10.0, 55_000.0)]
    for side, entry, leverage, mark in cases:
        one = liquidation_price(exchange, side, entry, leverage=leverage, mark=mark, **size, **extra)
        many = liquidation_price(exchange, np.array([side]), np.array([entry]), leverage=leverage, mark=mark,
                                 **size, **extra)
        assert one.keys() == many.keys()
        assert many.reason[0] == one.reason
        assert many.note[0] == one.note
        for key in one:
            if key == "note":
                continue
            scalar, array = one[key], many[key]
            if scalar is None:
                assert array is None or np.isnan(array[0]) or (key == "tier" and array[0] == 0), key
            else:
                assert np.asarray(array, dtype=float).ravel()[0] == pytest.approx(scalar, rel=1e-12), key


def test_no_liquidation_price_gives_nan_and_a_reason_in_arrays_too() -> None:
    result = liquidation_price("binance-usdm", np.array(["long", "long"]), np.array([100.0, 100.0]),
                               quantity=1.0, leverage=np.array([1.0, 10.0]), maintenance_margin_rate=0.004)
    assert np.isnan(result.liquidation_price[0]) and result.liquidation_price[1] > 0
    assert result.reason.tolist() == [Reason.NO_PRICE_FALL, Reason.PRICE]
    assert result.note[0].startswith("no liquidation by price") and result.note[1] is None
    scalar = liquidation_price("binance-usdm", "long", 100.0, quantity=1.0, leverage=1.0,
                               maintenance_margin_rate=0.004)
    assert scalar.liquidation_price is None and scalar.reason is Reason.NO_PRICE_FALL


def test_outputs_skips_fields() -> None:
    book = {"side": np.array(["long", "short"]), "entry": np.array([100.0, 100.0]), "quantity": 1.0,
            "leverage": 10.0}
    only = liquidation_price("binance-usdm", **book, maintenance_margin_rate=0.004, outputs=("liquidation_price",))
    full = liquidation_price("binance-usdm", **book, maintenance_margin_rate=0.004)
    assert (only.liquidation_price == full.liquidation_price).all()
    assert all(only[key] is None for key in OUTPUTS if key not in ("liquidation_price", "maintenance_margin_rate",
                                                                   "maintenance_amount"))
    with pytest.raises(InputError, match="'outputs' must name result fields"):
        liquidation_price("binance-usdm", **book, maintenance_margin_rate=0.004, outputs=("price",))


# ---------------------------------------------------------------------------
# Typed results


def test_results_are_frozen_mappings_with_the_json_keys(cli: Any) -> None:
    result = pnl(contract="linear", side="long", entry=7000, exit=7500, quantity=0.2, leverage=10)
    assert isinstance(result, PnlResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.pnl = 1  # type: ignore[misc]
    # examples.md Y16: 100 USDT on a 140 USDT margin
    assert result.pnl == result["pnl"] == 100.0 and result.initial_margin == 140.0
    data = cli("pnl", "--contract", "linear", "--side", "long", "--entry", "7000", "--exit", "7500",
               "--quantity", "0.2", "--leverage", "10", "--json").json()
    assert list(result.to_dict()) == list(data) == list(result.keys())
    assert TargetResult(7500.0) == {"target_price": 7500.0}
    assert dict(result.items()) == result.to_dict() and len(result) == 8 and "roe" in result
    assert pickle.loads(pickle.dumps(result)) == result


def test_liquidation_result_keys_match_the_cli(cli: Any) -> None:
    result = liquidation_price("binance-usdm", "long", 10_000.0, quantity=1.0, leverage=10.0,
                               maintenance_margin_rate=0.004)
    assert isinstance(result, LiquidationResult)
    data = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "10000", "--quantity", "1",
               "--leverage", "10", "--maintenance-margin-rate", "0.004", "--json").json()
    assert list(result) == list(data)
    assert "reason" not in result and result.reason is Reason.PRICE
    assert round(result.liquidation_price, 2) == 9036.14  # the hand check above


def test_size_and_max_open_results_hold_only_their_keys() -> None:
    sized = contractcalc.size(contract="linear", side="long", balance=10_000, risk_rate=0.01, entry=50_000,
                              stop=49_000)
    assert list(sized) == ["quantity", "notional", "risk_amount", "leverage_needed", "reward_risk_ratio"]
    with pytest.raises(KeyError):
        sized["contracts"]
    opened = contractcalc.max_open(tiers=TABLE, contract="linear", balance=10_000, leverage=50, entry=50_000)
    assert opened == {"max_quantity": 10.0, "max_notional": 500_000}  # examples.md B7


# ---------------------------------------------------------------------------
# Errors with structure


def test_input_error_carries_field_rule_value_and_index() -> None:
    with pytest.raises(InputError) as caught:
        pnl(contract="linear", side="long", entry=np.array([100.0, -1.0, 3.0]), exit=110.0, quantity=1.0)
    error = caught.value
    assert (error.field, error.rule, error.value, error.index) == ("entry", "must be > 0", -1.0, 1)
    assert str(error) == "'entry' must be > 0 (got -1 at index 1)"
    again = pickle.loads(pickle.dumps(error))
    assert (again.field, again.index, str(again)) == ("entry", 1, str(error))
    scalar = InputError("leverage", "must be > 0", 0)
    assert scalar.index is None and str(scalar) == "'leverage' must be > 0 (got 0)"


def test_fill_errors_carry_the_index() -> None:
    with pytest.raises(InputError) as caught:
        contractcalc.average_entry(contract="linear", fill=["0.5@5000", "0.3 at 6000"])
    assert caught.value.index == 1 and caught.value.field == "fill"


def test_tier_cap_is_a_catchable_subclass() -> None:
    with pytest.raises(TierCapExceeded) as caught:
        liquidation_price("binance-usdm", "long", 50_000.0, quantity=10.0, leverage=125.0, tiers=TABLE)
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)
    assert caught.value.field == "leverage"
    with pytest.raises(TierCapExceeded) as many:
        liquidation_price("binance-usdm", np.array(["long", "long"]), 50_000.0, quantity=10.0,
                          leverage=np.array([10.0, 125.0]), tiers=TABLE)
    assert many.value.index == 1
    assert issubclass(NoLiquidationPrice, InputError) and issubclass(OutOfRange, InputError)


# ---------------------------------------------------------------------------
# Number types and results out of range


def test_int64_arrays_do_not_wrap_around() -> None:
    quantity = np.array([3 * 10**18, 3 * 10**18], dtype=np.int64)
    result = pnl(contract="linear", side="long", entry=np.array([100, 100], dtype=np.int64),
                 exit=np.array([110, 90], dtype=np.int64), quantity=quantity)
    # 3e18 × 10 = 3e19 is beyond int64 (9.2e18): as float64 it is right
    assert result.pnl.dtype == np.float64
    assert result.pnl.tolist() == [3e19, -3e19]


def test_float16_and_float32_inputs_compute_in_float64() -> None:
    result = pnl(contract="linear", side="long", entry=np.float16(100), exit=np.float32(110.5),
                 quantity=np.array([1, 2], dtype=np.float16))
    assert result.pnl.dtype == np.float64 and result.pnl.tolist() == [10.5, 21.0]


def test_arrays_following_numpys_protocols_are_numbers() -> None:
    dask_array = pytest.importorskip("dask.array")
    entry = dask_array.from_array(np.array([100.0, 200.0]), chunks=1)
    result = pnl(contract="linear", side="long", entry=entry, exit=110.0, quantity=1.0)
    assert np.asarray(result.pnl).tolist() == [10.0, -90.0]
    price = liquidation_price("binance-usdm", "long", entry, quantity=1.0, leverage=10.0,
                              maintenance_margin_rate=0.004)
    # (WB − Q·E) / (Q·MMR − Q) with WB = E/10: E·0.9/0.996
    assert np.allclose(np.asarray(price.liquidation_price), [90 / 0.996, 180 / 0.996])


def test_a_shape_that_does_not_broadcast_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        pnl(contract="linear", side="long", entry=np.ones(3), exit=np.full(2, 2.0), quantity=1.0)
    assert caught.value.field == "exit"
    with pytest.raises(InputError) as caught:
        liquidation_price("binance-usdm", "long", np.ones(3) * 100, quantity=np.ones(2), leverage=10.0,
                          maintenance_margin_rate=0.004)
    assert caught.value.field == "quantity"


def test_results_out_of_range_are_errors_naming_the_input(cli: Any) -> None:
    with pytest.raises(OutOfRange) as caught:
        pnl(contract="linear", side="long", entry=100.0, exit=110.0, quantity=1e308)
    assert caught.value.field == "quantity"
    with pytest.raises(OutOfRange) as caught:
        contractcalc.target(contract="linear", side="long", entry=D("1e-400"), leverage=D(10), roe=D("0.5"))
    assert caught.value.field == "entry"
    with pytest.raises(OutOfRange) as caught:
        contractcalc.seed.leverage(open=D(100), stop=D("1e400"))
    assert caught.value.field == "stop"
    answer = cli("target", "--contract", "linear", "--side", "long", "--entry", "1e-400", "--leverage", "10",
                 "--roe", "0.5", "--json")
    assert answer.code == 2 and answer.err.startswith("error: '--entry' gives a result out of range")


def test_an_overflowing_item_of_an_array_is_named_with_its_index() -> None:
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(OutOfRange) as caught:
        pnl(contract="linear", side="long", entry=100.0, exit=np.array([110.0, 120.0]),
            quantity=np.array([1.0, 1e308]))
    assert (caught.value.field, caught.value.index, caught.value.value) == ("quantity", 1, 1e308)
    for quantity in (1e308, np.array([1.0, 1e308])):
        with np.errstate(over="ignore", invalid="ignore"), pytest.raises(OutOfRange) as caught:
            liquidation_price("binance-usdm", "long", 50_000.0, quantity=quantity, leverage=10.0,
                              maintenance_margin_rate=0.004)
        assert caught.value.field == "quantity"


def test_a_two_tier_table_finds_a_shorts_tier_in_arrays_as_in_scalars() -> None:
    # one boundary (1,000 of notional): the direction of the margin gap comes from the side, not from the table.
    # Short 10 @ 100 at 1x: c = 1,000 + 1,000 = 2,000; tier 2 (7.81 %, cum 15.6): N = 2,015.6 / 1.0781 = 1,869.5
    bands = kernels.Bands.from_tiers([0, 1000], [0.0625, 0.0781], [0, 15.6])
    price, k = kernels.tiered_liquidation_price(True, False, np.array([1.0, -1.0]), np.array([100.0, 100.0]),
                                                np.array([10.0, 10.0]), np.array([1000.0, 1000.0]), bands, 0.0)
    scalar, k_scalar = kernels.tiered_liquidation_price(True, False, -1, 100.0, 10.0, 1000.0, bands, 0.0)
    assert k[1] == k_scalar == 1 and price[1] == scalar
    assert math.isclose(scalar, 2015.6 / 1.0781 / 10, rel_tol=1e-12)
    assert np.isnan(price[0])  # the 1x long: no liquidation by price
