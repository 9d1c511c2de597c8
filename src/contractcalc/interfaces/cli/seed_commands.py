"""``contractcalc seed ...`` and ``contractcalc plan``: the seed lesson's formulas."""

from __future__ import annotations

from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.cli._output import emit, stop_warning
from contractcalc.interfaces.schema import PLAN, SEED_LEVERAGE, SEED_LIQUIDATION_CHANGE, SEED_PROFIT, SEED_TARGET_CHANGE


@command(SEED_TARGET_CHANGE)
def target_change(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.core import seed

    emit({"target_change": seed.target_change(**values)}, as_json=as_json, title="Target change (seed)")


@command(SEED_LIQUIDATION_CHANGE)
def liquidation_change(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.core import seed

    emit({"liquidation_change": seed.liquidation_change(**values)}, as_json=as_json, title="Liquidation move (seed)")


@command(SEED_LEVERAGE)
def leverage(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.core import seed

    emit({"leverage": seed.leverage(**values)}, as_json=as_json, title="Leverage for the stop (seed)")


@command(SEED_PROFIT)
def profit(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.core import seed

    value = seed.profit(**values)
    kind = seed.contract_kind(values["contract"]).capitalize()
    emit({"profit": value}, as_json=as_json, title=f"{kind} profit (seed)")


@command(PLAN)
def plan(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines.plan import EXACT_NOTES
    from contractcalc.engines.plan import plan as plan_calculation

    result = plan_calculation(**values)
    notes = []
    if not result["stop_before_liquidation"]:
        notes.append(
            "WARNING: the stop lies beyond the liquidation move: the position would be "
            "liquidated before the stop is reached."
        )
    warning = stop_warning(result, values["exchange"])
    if warning is not None:
        notes.append(warning)
    notes.extend(EXACT_NOTES.values())
    if values["round"]:
        notes.insert(0, _rounding_note(values, result))
    emit(result, as_json=as_json, title="Plan (seed formulas, exact figures beside)", notes=notes,
         labels=PLAN.meanings)


def _rounding_note(values: dict[str, Any], result: Any) -> str:
    from contractcalc.venues.exchanges import exchange_preset
    from contractcalc.venues.markets import rounding_note

    return rounding_note(exchange_preset(values["exchange"]).name, values["symbol"], result)
