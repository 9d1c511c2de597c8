"""Bybit's inverse cross-margin prices in Bybit's own words (account balance, order margin).

A thin validated front of :func:`contractcalc.core.kernels.bybit_cross_bankruptcy_price`,
:func:`~contractcalc.core.kernels.bybit_fee_to_close` and
:func:`~contractcalc.core.kernels.bybit_cross_liquidation_price`, the kernels that
``liquidation_price(exchange="bybit-*", margin_mode="cross", taker_fee_rate=...)`` and the
book engine use (``docs/liquidation.md``, "Bybit's fee to close").

Bybit's help centre ("How to calculate Liquidation Price (Inverse Contract)", cross margin):
the account balance must also pay the taker fee to close the position at the bankruptcy
price, so that fee is part of both prices.  For a long of ``Q`` USD contracts at ``E``
with account balance ``AB``, order margin ``OM`` and taker rate ``f``:

- bankruptcy: ``BP = (1 + f)·Q / (Q/E + (AB − OM))`` (short: ``(1 − f)·Q / (Q/E − (AB − OM))``);
- liquidation: ``Q·(1/E − 1/LP) = −(AB − OM − (Q/E)·MMR − Q·f/BP)`` (short:
  ``Q·(1/LP − 1/E) = −(...)``).

Bybit's example: 0.5 BTC, long 10,000 contracts at 8,000, MMR 0.5 %, fee 0.075 %:
BP = 1.00075 × 10,000 / 1.75 = 5,718.57 and LP 5,739.08, which the page shows rounded up
to BTCUSD's 0.5 tick: 5,739.50 (Bybit rounds a long's prices up and a short's down,
"How to calculate Bankruptcy Price").
"""

from __future__ import annotations

from typing import Any

from contractcalc.core import kernels
from contractcalc.core.numeric import Num, check, positive, side_sign
from contractcalc.errors import InputError

__all__ = ["bybit_inverse_cross"]


def bybit_inverse_cross(
    *,
    side: Any,
    entry: Num,
    contracts: Num,
    account_balance: Num,
    maintenance_margin_rate: Num,
    order_margin: Num = 0,
    taker_fee_rate: Num = 0.00075,
    contract_size: Num = 1,
) -> dict[str, Any]:
    """Bybit inverse cross margin: bankruptcy and liquidation prices with the fee to close at bankruptcy.

    >>> r = bybit_inverse_cross(side="long", entry=8000, contracts=10000, account_balance=0.5,
    ...                         maintenance_margin_rate=0.005)
    >>> round(r["bankruptcy_price"], 2), round(r["liquidation_price"], 2), round(r["fee_to_close"], 8)
    (5718.57, 5739.08, 0.00131152)
    """
    s = side_sign(side)
    entry = positive("entry", entry)
    contracts = positive("contracts", contracts)
    size = positive("contract_size", contract_size)
    balance = check("account_balance", account_balance, ">=", 0)
    margin = check("order_margin", order_margin, ">=", 0)
    rate = check("maintenance_margin_rate", maintenance_margin_rate, ">=", 0)
    fee = check("taker_fee_rate", taker_fee_rate, ">=", 0)
    face = contracts * size
    free = balance - margin
    if not face / entry + s * free > 0:
        raise InputError("account_balance", "covers more than the whole position (no bankruptcy price)", balance)
    bankruptcy = kernels.bybit_cross_bankruptcy_price(False, s, entry, face, free, fee)
    fee_to_close = kernels.bybit_fee_to_close(False, s, entry, face, free, fee)
    price = kernels.bybit_cross_liquidation_price(False, s, entry, face, free, rate, 0 * rate, fee)
    valid = price == price and price > 0  # NaN: no price liquidates
    return {"bankruptcy_price": bankruptcy, "liquidation_price": price if valid else None,
            "fee_to_close": fee_to_close}
