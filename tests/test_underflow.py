"""A result that is 0 only because a product of non-zero inputs underflowed is an error, not an answer.

Hand calculation: 1e-300 × 1e-300 = 1e-600, below the smallest double (about 4.9e-324), so a value
``quantity × entry`` of such inputs is 0.0 as a float; the smallest normal double is about 2.2e-308,
so 1e-200 × 1e-100 / 1e10 = 1e-310 is a subnormal margin.  A zero rate or a zero maintenance amount
is an input, and its zero results stay answers.
"""

from __future__ import annotations

import sys
import warnings
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from contractcalc import liquidation_price
from contractcalc.engines.calculators import cost, pnl
from contractcalc.errors import OutOfRange

TINY = {"entry": 1e-300, "quantity": 1e-300}


def test_the_products_underflow_as_doubles() -> None:
    assert 1e-300 * 1e-300 == 0.0
    assert 0 < 1e-200 * 1e-100 / 1e10 < sys.float_info.min


@pytest.mark.parametrize("number", [float, Decimal])
def test_liquidation_value_underflowing_is_out_of_range(number: Any) -> None:
    with pytest.raises(OutOfRange, match=r"^'entry' gives a result out of range \(notional underflows to 0\)"):
        liquidation_price("binance-usdm", side="long", entry=number("1e-300"), quantity=number("1e-300"),
                          leverage=number(10), maintenance_margin_rate=number("0.004"))


def test_liquidation_subnormal_margin_is_out_of_range() -> None:
    with pytest.raises(OutOfRange, match=r"initial_margin underflows to 0"):
        liquidation_price("binance-usdm", side="long", entry=1e-200, quantity=1e-100, leverage=1e10,
                          maintenance_margin_rate=0.004)


def test_liquidation_arrays_name_the_item() -> None:
    with pytest.raises(OutOfRange, match=r"notional underflows to 0.*at index 1"):
        liquidation_price("binance-usdm", side="long", entry=np.array([100.0, 1e-300]),
                          quantity=np.array([1.0, 1e-300]), leverage=10.0, maintenance_margin_rate=0.004)


def test_a_zero_rate_and_amount_stay_zero() -> None:
    # 1 BTC at 100, 10x: margin 100 / 10 = 10; no rate, no amount: maintenance margin 0 (an answer)
    result = liquidation_price("binance-usdm", side="long", entry=100.0, quantity=1.0, leverage=10.0,
                               maintenance_margin_rate=0.0, maintenance_amount=0.0)
    assert result.maintenance_margin == 0
    assert result.initial_margin == pytest.approx(10.0)
    exact = liquidation_price("binance-usdm", side="long", entry=Decimal(100), quantity=Decimal(1),
                              leverage=Decimal(10), maintenance_margin_rate=Decimal(0), maintenance_amount=Decimal(0))
    assert exact.maintenance_margin == 0


@pytest.mark.parametrize("number", [float, Decimal])
@pytest.mark.parametrize("leverage", [None, 10])
def test_pnl_value_underflowing_is_out_of_range(number: Any, leverage: Any) -> None:
    with pytest.raises(OutOfRange, match=r"^'entry' gives a result out of range \(notional underflows to 0\)"):
        pnl(contract="linear", side="long", entry=number("1e-300"), exit=number("2e-300"),
            quantity=number("1e-300"), leverage=None if leverage is None else number(leverage))


def test_pnl_of_no_move_stays_zero() -> None:
    # exit = entry: pnl 0 is an answer; 1 × 100 / 10 = 10 margin
    result = pnl(contract="linear", side="long", entry=100.0, exit=100.0, quantity=1.0, leverage=10.0)
    assert result["pnl"] == 0 and result["initial_margin"] == pytest.approx(10.0)


@pytest.mark.parametrize("number", [float, Decimal])
def test_cost_margin_underflowing_is_out_of_range(number: Any) -> None:
    with pytest.raises(OutOfRange, match=r"^'entry' gives a result out of range \(notional underflows to 0\)"):
        cost(contract="linear", side="long", entry=number("1e-300"), quantity=number("1e-300"), leverage=number(10))


def test_cli_says_one_line_and_exits_2(cli: Any) -> None:
    result = cli("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "1e-300",
                 "--quantity", "1e-300", "--leverage", "10", "--maintenance-margin-rate", "0.004", "--json")
    assert result.code == 2 and result.out == ""
    assert result.err == ("error: '--entry' gives a result out of range (notional underflows to 0): "
                          "use a value nearer 1 (got 1e-300)\n")


@pytest.mark.parametrize(("path", "body"), [
    ("/api/liquidation", {"exchange": "binance-usdm", "side": "long", "leverage": "10",
                          "maintenance_margin_rate": "0.004", **TINY}),
    ("/api/pnl", {"contract": "linear", "side": "long", "exit": "2e-300", **TINY}),
    ("/api/cost", {"contract": "linear", "side": "long", "leverage": "10", **TINY}),
])
def test_api_answers_422(path: str, body: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from contractcalc.interfaces.web import create_app

    response = TestClient(create_app()).post(path, json={k: str(v) for k, v in body.items()})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "entry"
    assert "underflows to 0" in response.json()["detail"][0]["message"]
