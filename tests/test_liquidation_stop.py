"""The stop against the exchange's liquidation price: ``stop_check``, ``plan --exchange`` and ``size --exchange``.

``max_leverage_for_stop`` is the leverage at which the liquidation price *is* the stop:
checked by putting it back into the engine, for every exchange and side, with a fixed
position (``size``) and with a fixed margin (``plan``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import contractcalc
from contractcalc import InputError, liquidation_price
from contractcalc.engines.liquidation import stop_check
from contractcalc.venues.exchanges import EXCHANGES

D = Decimal
CASES = [(exchange, side) for exchange in EXCHANGES for side in ("long", "short")]


def _rates(exchange: str) -> dict[str, Any]:
    if EXCHANGES[exchange].liquidation_model == "hyperliquid":
        return {"max_leverage": D(200)}
    return {"maintenance_margin_rate": D("0.005"), "maintenance_amount": D(0)}


def _stop(side: str) -> Decimal:
    return D(47500) if side == "long" else D(52500)  # 5 % away from 50,000


@pytest.mark.parametrize(("exchange", "side"), CASES)
def test_fixed_size_leverage_puts_the_liquidation_at_the_stop(exchange: str, side: str) -> None:
    kind = EXCHANGES[exchange].contract
    size = D("0.3") if kind == "linear" else D(15000)
    check = stop_check(exchange, side, D(50000), _stop(side), size=size, **_rates(exchange))
    top = check["max_leverage_for_stop"]
    position: dict[str, Any] = {"quantity": size} if kind == "linear" else {"contracts": size, "contract_size": D(1)}
    rates = _rates(exchange)
    at = liquidation_price(exchange, side, D(50000), leverage=top, **position, **rates)
    assert abs(at["liquidation_price"] - _stop(side)) < D("1e-18")
    for factor, first in ((D("0.99"), True), (D("1.01"), False)):
        leverage = top * factor
        if "max_leverage" in rates and leverage > rates["max_leverage"]:
            continue
        again = stop_check(exchange, side, D(50000), _stop(side), size=size, leverage=leverage, **rates)
        assert again["stop_before_liquidation_exact"] is first


@pytest.mark.parametrize(("exchange", "side"), CASES)
def test_fixed_margin_leverage_puts_the_liquidation_at_the_stop(exchange: str, side: str) -> None:
    kind = EXCHANGES[exchange].contract
    principal = D(1000)
    check = stop_check(exchange, side, D(50000), _stop(side), principal=principal, **_rates(exchange))
    top = check["max_leverage_for_stop"]
    # the plan's position: margin = principal (coin at entry for inverse), notional = principal × L
    if kind == "linear":
        position: dict[str, Any] = {"quantity": principal * top / 50000, "wallet_balance": principal}
    else:
        position = {"contracts": principal * top, "contract_size": D(1), "wallet_balance": principal / 50000}
    at = liquidation_price(exchange, side, D(50000), **position, **_rates(exchange))
    assert abs(at["liquidation_price"] - _stop(side)) < D("1e-18")


def test_the_tier_cap_bounds_the_leverage() -> None:
    # 5 BTC @ 60,000 = 300,000 in tier 3 of the 2021 table (max 50x); a stop 0.1 % away would allow ~ 200x
    check = stop_check("binance-usdm", "long", D(60000), D(59940), size=D(5), tiers="binance-usdm-BTCUSDT-2021-03-18")
    assert check["max_leverage_for_stop"] == 50
    # with a fixed margin of 10,000: the cap is the highest L with L <= cap of the tier of 10,000 × L:
    # 100x reaches 1,000,000 (tier 4, max 20x) but 50x gives 500,000 (tier 3, max 50x): 50x
    plan_check = stop_check("binance-usdm", "long", D(60000), D(59940), principal=D(10000),
                            tiers="binance-usdm-BTCUSDT-2021-03-18")
    assert plan_check["max_leverage_for_stop"] == 50


def test_hyperliquid_caps_at_its_max_leverage() -> None:
    check = stop_check("hyperliquid", "long", D(50000), D(49900), size=D(1), max_leverage=D(40))
    assert check["max_leverage_for_stop"] == 40


def test_shipped_table_by_symbol() -> None:
    # BTC/USDT:USDT on binance-usdm picks the October 2024 table: 0.4 % up to 50,000
    check = stop_check("binance-usdm", "long", D(10000), D(9000), size=D(1), symbol="BTC/USDT:USDT")
    assert check["max_leverage_for_stop"] == D(10000) / D(1036)


def test_plan_with_an_exchange() -> None:
    # the seed's 4x puts the bankruptcy price at the stop, so Binance liquidates first;
    # with 1,000 of margin, the position may be at most 1,000 / (5,000 + 15,000 × 0.004) BTC = 3.95x
    result = contractcalc.plan("long", D(20000), D(15000), D(24000), D(1000), exchange="binance-usdm",
                               maintenance_margin_rate=D("0.004"))
    assert result["stop_before_liquidation"] is True  # the seed's check
    assert result["stop_before_liquidation_exact"] is False
    assert result["max_leverage_for_stop"] == D(1000) / D(5060) * 20000 / 1000
    assert result["liquidation_price"] > 15000
    plain = contractcalc.plan("long", D(20000), D(15000), D(24000), D(1000))
    assert "max_leverage_for_stop" not in plain  # unchanged without an exchange


def test_plan_needs_a_rate_with_an_exchange() -> None:
    with pytest.raises(InputError) as caught:
        contractcalc.plan("long", 20000, 15000, 24000, 1000, exchange="binance-usdm")
    assert str(caught.value).startswith("'maintenance_margin_rate' is required")


def test_size_with_an_exchange() -> None:
    # 0.1 BTC long @ 50,000, stop 49,000 (no fees): margin needed at the stop 100 + 0.1 × 49,000 × 0.4 % = 119.6;
    # the notional 5,000 allows 5,000 / 119.6 = 41.8x
    result = contractcalc.size(exchange="binance-usdm", side="long", balance=D(10000), risk_rate=D("0.01"),
                               entry=D(50000), stop=D(49000), open_fee_rate=D(0), close_fee_rate=D(0),
                               maintenance_margin_rate=D("0.004"), leverage=D(50))
    assert result["quantity"] == D("0.1")
    assert result["max_leverage_for_stop"] == D(5000) / D("119.6")
    assert result["stop_before_liquidation_exact"] is False
    assert list(result)[:5] == ["quantity", "notional", "risk_amount", "leverage_needed", "reward_risk_ratio"]


def test_size_without_an_exchange_is_unchanged_and_refuses_liquidation_keywords() -> None:
    base = {"contract": "linear", "side": "long", "balance": 1000, "risk_rate": 0.01, "entry": 100, "stop": 90}
    assert "max_leverage_for_stop" not in contractcalc.size(**base)
    with pytest.raises(InputError) as caught:
        contractcalc.size(**base, leverage=10)
    assert str(caught.value) == "'leverage' needs 'exchange' (it is for the exchange's liquidation check) (got 10)"


def test_cli_plan_and_size(cli: Any) -> None:
    plan = cli("plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000",
               "--principal", "1000", "--exchange", "binance-usdm", "--maintenance-margin-rate", "0.004")
    assert plan.code == 0 and "liquidated before the stop" in plan.out and "max_leverage_for_stop" in plan.out
    data = cli("size", "--exchange", "binance-usdm", "--symbol", "BTC/USDT:USDT", "--side", "long", "--balance",
               "10000", "--risk-rate", "0.01", "--entry", "50000", "--stop", "49000", "--leverage", "20",
               "--json").json()
    assert data["stop_before_liquidation_exact"] is True and data["max_leverage_for_stop"] > 20


def test_stop_check_needs_one_sizing() -> None:
    with pytest.raises(InputError) as caught:
        stop_check("binance-usdm", "long", 100, 90, maintenance_margin_rate=0.004)
    assert str(caught.value).startswith("'size' is required (a fixed position), or 'principal'")
