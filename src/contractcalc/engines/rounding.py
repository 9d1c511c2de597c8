"""``round``: results on the exchange's price tick and lot (``--round`` on the CLI).

The tick and lot of a market come from :mod:`contractcalc.venues.markets`
(ccxt's recorded static markets).  The rounding is exact (``Decimal``):

- sizes (``size``'s quantity or contracts, ``max-open``'s) are rounded DOWN
  to the lot: the exchange takes no fraction of a lot, and rounding down never
  risks more than asked; what follows from the size (notional, the loss at the
  stop, the leverage needed, the max notional) is scaled with it;
- liquidation and bankruptcy prices are rounded the SAFE way, toward the entry
  (a long's up, a short's down), so a price is never shown farther away than
  it is; the distance to liquidation follows the rounded price;
- the tick used is reported as ``price_tick`` (Hyperliquid's depends on the
  price: the one at the liquidation price), the lot as ``lot_size``.

Checks made on the exact figures (whether the stop comes before the
liquidation price, the leverage that keeps it beyond the stop) are not redone.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from contractcalc.core import kernels
from contractcalc.core.numeric import is_array, side_sign
from contractcalc.core.results.liquidation import LiquidationResult
from contractcalc.core.results.max_open import MaxOpenResult
from contractcalc.core.results.plan import PlanResult
from contractcalc.core.results.size import SizeResult
from contractcalc.core.rounding import round_to_step, safe_liquidation_direction
from contractcalc.errors import InputError
from contractcalc.venues.exchanges import exchange_preset
from contractcalc.venues.markets import MarketRules, market_rules, symbol_base

__all__ = ["round_liquidation", "round_max_open", "round_plan", "round_size_result", "round_sized", "rules_for"]


def rules_for(exchange: str | None, symbol: str | None, *inputs: Any) -> MarketRules:
    """The market's recorded tick and lot; an error naming what is missing (``exchange``, ``symbol``)."""
    if any(is_array(x) for x in inputs):
        raise InputError("round", "works on one position (scalar inputs), not on arrays")
    if exchange is None:
        raise InputError("exchange", "is required with 'round': the tick and lot are the exchange's")
    if symbol is None:
        raise InputError("symbol", f"is required with 'round': the tick and lot of a market on {exchange}")
    return market_rules(exchange_preset(exchange).name, symbol)


def _like(value: Decimal, model: Any) -> Any:
    """``value`` in the number type of ``model`` (a float result gets a float tick)."""
    return float(value) if isinstance(model, float) else value


def _safe_price(price: Any, rules: MarketRules, sign: int) -> tuple[Any, Decimal]:
    tick = rules.tick_at(Decimal(repr(price)) if isinstance(price, float) else Decimal(price))
    return round_to_step(price, tick, safe_liquidation_direction(sign)), tick


def round_liquidation(
    result: LiquidationResult, exchange: str, symbol: str | None, side: Any, entry: Any, mark: Any
) -> LiquidationResult:
    """One position's liquidation result on the market's tick (liquidation and bankruptcy prices safe).

    A long liquidated at 43,210.337 with a 0.1 tick shows 43,210.4; a short, 43,210.3.
    """
    rules = rules_for(exchange, symbol, side, entry, mark)
    sign = int(side_sign(side))
    changes: dict[str, Any] = {}
    tick: Decimal | None = None
    if result.liquidation_price is not None:
        changes["liquidation_price"], tick = _safe_price(result.liquidation_price, rules, sign)
        if result.distance_to_liquidation is not None:
            ref = mark if mark is not None else entry
            changes["distance_to_liquidation"] = abs(changes["liquidation_price"] - ref) / ref
    if result.bankruptcy_price is not None:
        changes["bankruptcy_price"], bankruptcy_tick = _safe_price(result.bankruptcy_price, rules, sign)
        tick = tick if tick is not None else bankruptcy_tick
    if tick is None:
        tick = rules.tick_at(Decimal(str(entry)))
    changes["price_tick"] = _like(tick, entry)
    return dataclasses.replace(result, **changes)


def round_plan(result: PlanResult, exchange: str | None, symbol: str | None, side: Any) -> PlanResult:
    """The plan's exchange liquidation price on the tick (safe way) and the tick used."""
    rules = rules_for(exchange, symbol, side, result.leverage)
    changes: dict[str, Any] = {}
    price = result.liquidation_price if "liquidation_price" in result else None
    if price is not None:
        changes["liquidation_price"], tick = _safe_price(price, rules, int(side_sign(side)))
        changes["price_tick"] = _like(tick, price)
    elif rules.price_tick is not None:
        changes["price_tick"] = _like(rules.price_tick, result.leverage)
    return dataclasses.replace(result, **changes)


def round_sized(sized: Any, rules: MarketRules, risk_rate: Any) -> Any:
    """A sized position (``calculators.SizedPosition``) with its size rounded down to the lot; what
    scales with the size, scaled.

    The notional, the loss at the stop (fees included) and the leverage needed are all linear
    in the size; the reward : risk ratio is a ratio of two such and does not change.
    """
    linear = sized.contract == "linear"
    if not linear and Decimal(str(sized.contract_size)) != rules.contract_size:
        raise InputError("contract_size", f"must be the market's {rules.contract_size} USD per contract to round "
                                          f"to its lot of {rules.amount_step} contract", sized.contract_size)
    lot = rules.base_lot(linear)
    count = sized.size if linear else sized.size / sized.contract_size
    rounded = round_to_step(count, lot, "down")
    smallest = rules.base_min(linear) or lot
    if rounded < _like(smallest, rounded):
        unit = symbol_base(rules.symbol) if linear else "contracts"
        raise InputError("risk_rate", f"gives {_text(count)} {unit}, below the smallest order of {smallest} {unit} "
                                      f"on {rules.exchange} {rules.symbol} (lot {lot}): raise it or the balance",
                         risk_rate)
    new_size = rounded if linear else rounded * sized.contract_size
    notional = kernels.position_value(linear, sized.entry, new_size)
    return dataclasses.replace(sized, size=new_size, notional=notional,
                               risk_amount=sized.risk_amount * (rounded / count),
                               leverage_needed=notional / sized.balance)


def _text(value: Any) -> str:
    return format(float(value), ".6g")


def round_size_result(result: SizeResult, rules: MarketRules, side: Any) -> SizeResult:
    """``size``'s liquidation price on the tick (safe way), with the tick and the lot used."""
    linear = "quantity" in result
    model = result.quantity if linear else result.contracts
    changes: dict[str, Any] = {"lot_size": _like(rules.base_lot(linear), model)}
    price = result.liquidation_price if "liquidation_price" in result else None
    if price is not None:
        changes["liquidation_price"], tick = _safe_price(price, rules, int(side_sign(side)))
        changes["price_tick"] = _like(tick, price)
    elif rules.price_tick is not None:
        changes["price_tick"] = _like(rules.price_tick, model)
    return dataclasses.replace(result, **changes)


def round_max_open(
    result: MaxOpenResult, rules: MarketRules, linear: bool, entry: Any, contract_size: Any
) -> MaxOpenResult:
    """``max-open``'s size rounded down to the lot, the max notional that size's."""
    if not linear and Decimal(str(contract_size)) != rules.contract_size:
        raise InputError("contract_size", f"must be the market's {rules.contract_size} USD per contract to round "
                                          f"to its lot of {rules.amount_step} contract", contract_size)
    lot = rules.base_lot(linear)
    key = "max_quantity" if linear else "max_contracts"
    count = result[key]
    rounded = round_to_step(count, lot, "down")
    size = rounded if linear else rounded * contract_size
    notional = kernels.position_value(linear, entry, size)
    return dataclasses.replace(result, **{key: rounded, "max_notional": notional, "lot_size": _like(lot, count)})
