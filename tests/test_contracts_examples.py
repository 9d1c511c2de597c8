"""The exact primitives and calculators against the published worked examples.

Every test cites its row of ``shared/reference/examples.md``.  The pages print
rounded figures; :func:`assert_page` compares within half a unit of the page's
last digit (or, where a page rounds up, one unit, said so at the row).
Computations run in ``Decimal`` so the comparison itself adds no binary noise.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from contractcalc import average_entry, contracts, cost, pnl, seed, target
from contractcalc.engines.plan import plan
from contractcalc.venues.tiers import Y23_TIERS, load_tiers

D = Decimal


def assert_page(value: object, page: str, units: str = "0.5") -> None:
    """``value`` equals the page's ``page`` within ``units`` of its last printed digit."""
    assert isinstance(value, Decimal), f"expected a Decimal, got {value!r}"
    printed = D(page.replace(",", ""))
    unit = D(1).scaleb(printed.as_tuple().exponent)  # type: ignore[arg-type]
    assert abs(value - printed) <= D(units) * unit, f"{value} is not {page} (± {D(units) * unit})"


# --- Binance ------------------------------------------------------------------


def test_b1_cost_to_open_a_limit_long() -> None:
    # B1: limit long 1 BTC @ 9,253.30, 20x, mark 9,259.84 → IM 462.66; open loss 0
    result = cost(contract="linear", side="long", entry=D("9253.30"), leverage=D(20), quantity=D(1),
                  mark=D("9259.84"), fee_rate=D(0))
    assert_page(result["initial_margin"], "462.66")
    assert result["open_loss"] == 0
    # Binance's cost is IM + open loss
    assert result["cost"] == result["initial_margin"]


def test_b2_cost_to_open_the_same_order_as_a_short() -> None:
    # B2: the same order as a short → open loss 6.54 (= 9,259.84 − 9,253.30 per BTC)
    result = cost(contract="linear", side="short", entry=D("9253.30"), leverage=D(20), quantity=D(1),
                  mark=D("9259.84"), fee_rate=D(0))
    assert_page(result["open_loss"], "6.54")
    assert_page(result["cost"], "469.20", units="1")  # 462.665 + 6.54; the page does not print it


def test_b3_fee_on_an_inverse_order() -> None:
    # B3: buy 10 BTCUSD contracts (CS 100 USD) @ 10,104, taker 0.05 % → notional 0.09897 BTC; fee 0.000049485 BTC
    face = contracts.position_size("inverse", contracts=D(10), contract_size=D(100))
    assert_page(contracts.position_value("inverse", D(10104), face), "0.09897")
    assert_page(contracts.fee("inverse", D(10104), face, D("0.0005")), "0.000049485")


def test_b4_fees_on_a_linear_round_trip() -> None:
    # B4: buy 1 BTC @ 10,104, taker 0.05 % → 5.052 USDT; sell @ 11,104, maker 0.02 % → 2.2208 USDT
    assert_page(contracts.fee("linear", D(10104), D(1), D("0.0005")), "5.052")
    assert_page(contracts.fee("linear", D(11104), D(1), D("0.0002")), "2.2208")
    # the same through the pnl calculator: fees = both together
    result = pnl(contract="linear", side="long", entry=D(10104), exit=D(11104), quantity=D(1),
                 open_fee_rate=D("0.0005"), close_fee_rate=D("0.0002"))
    assert_page(result["fees"], "7.2728")
    assert result["pnl"] == 1000


def test_b9_coin_m_position_value_behind_the_maintenance_margin() -> None:
    # B9: 100 BTCUSD contracts (100 USD), mark 25,000, MMR 0.4 % → MM 0.0016 BTC = value 0.4 BTC × 0.4 %
    face = contracts.position_size("inverse", contracts=D(100), contract_size=D(100))
    assert_page(contracts.position_value("inverse", D(25000), face) * D("0.004"), "0.0016")


def test_b6_b7_tiers_of_the_2021_binance_table() -> None:
    # B6: a 264,000 USDT notional is in the 1 % tier; B7: its cum is 250,000 × (1 % − 0.5 %) + 50 = 1,300
    table = load_tiers("binance-usdm-BTCUSDT-2021-03-18")
    tier = table.tier_for_notional(D(264000))
    assert tier.maintenance_margin_rate == D("0.01")
    assert tier.maintenance_amount == 1300


# --- Bybit --------------------------------------------------------------------


def test_y3_initial_margin_and_y5_bankruptcy_price() -> None:
    # Y3: long 1 BTC @ 20,000, 50x → IM 400; Y5: long 1 BTC @ 10,000, 50x → bankruptcy 9,800
    assert contracts.initial_margin("linear", D(20000), D(1), D(50)) == 400
    margin = contracts.initial_margin("linear", D(10000), D(1), D(50))
    assert contracts.bankruptcy_price("linear", "long", D(10000), D(1), margin) == 9800


def test_y6_linear_order_cost() -> None:
    # Y6: long 1 BTC @ 8,000, 50x, fee 0.075 % → IM 160 + open 6 + close 5.88 (at BP 7,840) = 171.88
    result = cost(contract="linear", side="long", entry=D(8000), leverage=D(50), quantity=D(1),
                  fee_rate=D("0.00075"))
    assert_page(result["initial_margin"], "160")
    assert_page(result["open_fee"], "6")
    assert_page(result["close_fee"], "5.88")
    assert_page(result["bankruptcy_price"], "7840")
    assert_page(result["cost"], "171.88")


def test_y8_inverse_order_cost() -> None:
    # Y8: buy 10,000 BTCUSD (CS 1 USD) @ 6,400, 25x, fee 0.075 % → IM 0.0625; open fee 0.00117188;
    # BP 6,153.85; close fee 0.00121875; cost ≈ 0.0648906 BTC
    result = cost(contract="inverse", side="long", entry=D(6400), leverage=D(25), contracts=D(10000),
                  contract_size=D(1), fee_rate=D("0.00075"))
    assert_page(result["initial_margin"], "0.0625")
    assert_page(result["open_fee"], "0.00117188")
    assert_page(result["bankruptcy_price"], "6153.85")
    assert_page(result["close_fee"], "0.00121875")
    assert_page(result["cost"], "0.0648906")


def test_y8_through_the_bybit_inverse_preset() -> None:
    # Y8 again with --exchange bybit-inverse: the preset's contract size is 1 USD
    result = cost(exchange="bybit-inverse", side="long", entry=D(6400), leverage=D(25), contracts=D(10000),
                  fee_rate=D("0.00075"))
    assert_page(result["cost"], "0.0648906")


def test_y11_inverse_initial_margin() -> None:
    # Y11: 12,000 BTCUSD @ 8,000, 50x → 0.03 BTC
    assert contracts.initial_margin("inverse", D(8000), D(12000), D(50)) == D("0.03")
    result = pnl(contract="inverse", side="long", entry=D(8000), exit=D(8000), contracts=D(12000),
                 contract_size=D(1), leverage=D(50))
    assert result["initial_margin"] == D("0.03")


def test_y13_linear_average_entry() -> None:
    # Y13: 0.5 @ 5,000 + 0.3 @ 6,000 → 5,375
    result = average_entry(contract="linear", fill=["0.5@5000", "0.3@6000"])
    assert result["average_entry"] == 5375
    assert result["total_size"] == D("0.8")


def test_y15_inverse_average_entry() -> None:
    # Y15: 50 @ 10,000 + 50 @ 15,000 (inverse, harmonic) → 12,000
    result = average_entry(contract="inverse", fill=["50@10000", "50@15000"])
    assert_page(result["average_entry"], "12000")
    assert result["total_size"] == 100


@pytest.mark.parametrize(
    ("side", "entry", "price", "quantity", "page"),
    [("long", "7000", "7500", "0.2", "100"), ("short", "6000", "5000", "0.4", "400")],
)
def test_y16_linear_unrealized_pnl(side: str, entry: str, price: str, quantity: str, page: str) -> None:
    # Y16: long 0.2 @ 7,000, price 7,500 → 100 USDT; short 0.4 @ 6,000, price 5,000 → 400 USDT
    result = pnl(contract="linear", side=side, entry=D(entry), exit=D(price), quantity=D(quantity))
    assert result["pnl"] == D(page)
    assert result["net_pnl"] == D(page)  # no fees, no funding


def test_y19_inverse_unrealized_pnl() -> None:
    # Y19: long 1,000 BTCUSD @ 5,000, price 5,500 → 0.01819 BTC.  Exactly 0.0181818…: the page
    # rounds up at its 5th decimal, so compare within one unit.
    result = pnl(contract="inverse", side="long", entry=D(5000), exit=D(5500), contracts=D(1000),
                 contract_size=D(1))
    assert_page(result["pnl"], "0.01819", units="1")
    assert result["pnl"] == D(1000) / D(5000) - D(1000) / D(5500)


def test_y23_tiered_maintenance_margin() -> None:
    # Y23: tiers 0–1k 2 %, …, 3k–4k 3.5 %; position value 3,500 → 3,500 × 3.5 % − 30 = 92.5
    tier = load_tiers(Y23_TIERS, "X").tier_for_notional(D(3500))
    assert tier.maintenance_margin_rate == D("0.035")
    assert tier.maintenance_amount == 30
    assert D(3500) * tier.maintenance_margin_rate - tier.maintenance_amount == D("92.5")


# --- BitMEX -------------------------------------------------------------------


def test_x2_bitmex_linear_contract() -> None:
    # X2: 1,000,000 contracts @ 0.000010 → 0.000015 XBT, 20x → margin 0.5 XBT; profit 5.0 XBT
    result = pnl(contract="linear", side="long", entry=D("0.000010"), exit=D("0.000015"),
                 contracts=D(1_000_000), contract_size=D(1), leverage=D(20))
    assert result["initial_margin"] == D("0.5")
    assert result["pnl"] == D("5.0")
    assert result["roe"] == 10  # 5.0 / 0.5


# --- The seed's figures beside the exact ones (formulas.md) -------------------


def test_s6_coin_based_long_exact_beside_the_seed() -> None:
    # S6: principal 1000, 50x, +10 % → seed 5500; formulas.md: exact coin PnL worth 5000 at exit,
    # 4545.45 at the entry price.  Entry 1000 → target 1100, stop anywhere below.
    result = plan("long", D(1000), D(990), D(1100), D(1000), leverage=D(50))
    assert result["inverse_profit"] == 5500
    assert result["inverse_profit_exact_value"] == 5000
    assert_page(result["inverse_profit_at_entry"], "4545.45")
    # (P/E)·L·c/(1 + c) = 1 × 50 × 0.1 / 1.1 coin
    assert_page(result["inverse_profit_exact_coin"], "4.54545454545")


def test_s7_coin_based_short_exact_beside_the_seed() -> None:
    # S7: principal 1000, 50x, −10 % → seed 4500; exact 5000 at exit (5555.56 at the entry price)
    result = plan("short", D(1000), D(1010), D(900), D(1000), leverage=D(50))
    assert_page(result["inverse_profit"], "4500")
    assert result["inverse_profit_exact_value"] == 5000
    assert_page(result["inverse_profit_at_entry"], "5555.56")


def test_s3_liquidation_move_beside_the_inverse_bankruptcy_move() -> None:
    # S3: at 20x the seed's move is 0.05 (exact for linear); inverse: 1/21 long, 1/19 short
    long = plan("long", D(1000), D(990), D(1100), D(1000), leverage=D(20))
    short = plan("short", D(1000), D(1010), D(900), D(1000), leverage=D(20))
    assert long["liquidation_change"] == D("0.05") == seed.liquidation_change(D(20))
    assert long["inverse_bankruptcy_change"] == 1 / D(21)
    assert short["inverse_bankruptcy_change"] == 1 / D(19)


def test_target_reproduces_y16_and_y19_backwards() -> None:
    # Y16 at 10x: 100 on a 140 margin; Y19 at 10x: 0.0181818 on 0.02 → ROE 10/11
    assert target(contract="linear", side="long", entry=D(7000), leverage=D(10),
                  roe=D(100) / D(140))["target_price"] == pytest.approx(D(7500), abs=D("1e-20"))
    assert target(contract="inverse", side="long", entry=D(5000), leverage=D(10),
                  roe=D(10) / D(11))["target_price"] == pytest.approx(D(5500), abs=D("1e-20"))
