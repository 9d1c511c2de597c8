"""The seed's plan as a library call, for every number type."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from contractcalc import InputError, plan


def test_plan_in_decimal_is_exact() -> None:
    result = plan("long", Decimal(20000), Decimal(15000), Decimal(24000), Decimal(1000))
    assert result["target_change"] == Decimal("0.2")
    assert result["leverage"] == 4
    assert result["liquidation_change"] == Decimal("0.25")
    assert result["linear_profit"] == 800  # 1000 × 4 × 0.2
    assert result["inverse_profit"] == 960  # 800 × (1 + 0.2)


def test_plan_over_arrays_of_trades() -> None:
    result = plan(
        np.array(["long", "short"]),
        np.array([20000.0, 1000.0]),
        np.array([15000.0, 1100.0]),
        np.array([24000.0, 800.0]),
        1000.0,
        leverage=np.array([5.0, 5.0]),
    )
    # long: |−0.25| × 5 > 1 → stop beyond liquidation; short: 0.1 × 5 = 0.5 ≤ 1
    np.testing.assert_array_equal(result["stop_before_liquidation"], [False, True])
    np.testing.assert_allclose(result["linear_profit"], [1000 * 5 * 0.2, -1 * 1000 * 5 * -0.2])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stop": 21000}, "'stop' must be on the loss side of 'entry'"),
        ({"target": 19000}, "'target' must be on the profit side of 'entry'"),
        ({"leverage": 0}, "'leverage' must be > 0 (got 0)"),
        ({"entry": -1}, "'entry' must be > 0 (got -1)"),
    ],
)
def test_plan_rejects_bad_trades(kwargs: dict, message: str) -> None:
    args = {"side": "long", "entry": 20000, "stop": 15000, "target": 24000, "principal": 1000, **kwargs}
    with pytest.raises(InputError) as caught:
        plan(**args)
    assert str(caught.value).startswith(message)
