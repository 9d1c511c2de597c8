"""``contractcalc seed ...`` and ``contractcalc plan``: the seed lesson's formulas."""

from __future__ import annotations

from typing import Annotated

import typer

from contractcalc.core import seed
from contractcalc.engines.plan import EXACT_NOTES
from contractcalc.engines.plan import plan as plan_calculation
from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import (
    Contract,
    JsonFlag,
    LeverageMultiple,
    Principal,
    Side,
    Stop,
    StopCheckMaintenanceAmount,
    StopCheckMaintenanceMarginRate,
    StopCheckTiers,
    TouchDrift,
    TouchHorizon,
    TouchVolatility,
    option,
)
from contractcalc.interfaces.cli._output import emit, parse_number, require_number, stop_warning

seed_app = typer.Typer(
    help="The seed lesson's formulas, exactly as the document states them.",
    no_args_is_help=True,
)
app.add_typer(seed_app, name="seed")


@seed_app.command("target-change")
def target_change(
    open: Annotated[str, option("--open", "Opening price.")],
    target: Annotated[str, option("--target", "Target price.")],
    json: JsonFlag = False,
) -> None:
    """Signed move from open to target: target / open − 1."""
    value = seed.target_change(open=require_number("open", open), target=require_number("target", target))
    emit({"target_change": value}, as_json=json, title="Target change (seed)")


@seed_app.command("liquidation-change")
def liquidation_change(
    leverage: LeverageMultiple,
    json: JsonFlag = False,
) -> None:
    """Adverse move that liquidates, by the seed: 1 / leverage."""
    value = seed.liquidation_change(require_number("leverage", leverage))
    emit({"liquidation_change": value}, as_json=json, title="Liquidation move (seed)")


@seed_app.command("leverage")
def leverage(
    stop_change: Annotated[str | None, option("--stop-change", "Stop as a fraction, e.g. 0.1.")] = None,
    open: Annotated[str | None, option("--open", "Opening price.")] = None,
    stop: Annotated[str | None, option("--stop", "Stop price.")] = None,
    json: JsonFlag = False,
) -> None:
    """Leverage whose liquidation move is the stop: 1 / |stop change| or 1 / |1 − stop / open|."""
    value = seed.leverage(
        stop_change=parse_number("stop_change", stop_change),
        open=parse_number("open", open),
        stop=parse_number("stop", stop),
    )
    emit({"leverage": value}, as_json=json, title="Leverage for the stop (seed)")


@seed_app.command("profit")
def profit(
    contract: Contract,
    side: Side,
    principal: Principal,
    leverage: LeverageMultiple,
    change: Annotated[str, option("--change", "Signed price change, exit / entry − 1.")],
    json: JsonFlag = False,
) -> None:
    """Profit by the seed: linear (U-based) or inverse (coin-based)."""
    value = seed.profit(
        contract=contract,
        side=side,
        principal=require_number("principal", principal),
        leverage=require_number("leverage", leverage),
        change=require_number("change", change),
    )
    emit({"profit": value}, as_json=json, title=f"{seed.contract_kind(contract).capitalize()} profit (seed)")


@app.command("plan")
def plan(
    side: Side,
    entry: Annotated[str, option("--entry", "Entry (opening) price.")],
    stop: Stop,
    target: Annotated[str, option("--target", "Target (take-profit) price.")],
    principal: Principal,
    leverage: Annotated[
        str | None, option("--leverage", "Leverage; default: the one the stop implies.")
    ] = None,
    exchange: Annotated[
        str | None,
        option("--exchange", "Check the stop against this exchange's liquidation price "
               "(isolated, margin = principal)."),
    ] = None,
    maintenance_margin_rate: StopCheckMaintenanceMarginRate = None,
    maintenance_amount: StopCheckMaintenanceAmount = None,
    tiers: StopCheckTiers = None,
    symbol: Annotated[str | None, option("--symbol", "With --exchange: symbol (picks a shipped tier table).")] = None,
    taker_fee_rate: Annotated[
        str | None, option("--taker-fee-rate", "With --exchange okx-*: fee to close.")
    ] = None,
    max_leverage: Annotated[
        str | None, option("--max-leverage", "With --exchange hyperliquid: the asset's max leverage.")
    ] = None,
    volatility: TouchVolatility = None,
    horizon: TouchHorizon = None,
    drift: TouchDrift = None,
    json: JsonFlag = False,
) -> None:
    """The seed's method: leverage from the stop, liquidation move, profit at the target.

    Beside the seed's numbers: the exact inverse profit (in coin, and its value at the target and at
    entry) and the exact inverse bankruptcy move, 1/(L+1) long, 1/(L−1) short.
    """
    result = plan_calculation(
        side=side,
        entry=require_number("entry", entry),
        stop=require_number("stop", stop),
        target=require_number("target", target),
        principal=require_number("principal", principal),
        leverage=parse_number("leverage", leverage),
        exchange=exchange,
        maintenance_margin_rate=parse_number("maintenance_margin_rate", maintenance_margin_rate),
        maintenance_amount=parse_number("maintenance_amount", maintenance_amount),
        tiers=tiers,
        symbol=symbol,
        taker_fee_rate=parse_number("taker_fee_rate", taker_fee_rate),
        max_leverage=parse_number("max_leverage", max_leverage),
        volatility=parse_number("volatility", volatility),
        horizon=horizon,
        drift=parse_number("drift", drift),
    )
    notes = []
    if not result["stop_before_liquidation"]:
        notes.append(
            "WARNING: the stop lies beyond the liquidation move: the position would be "
            "liquidated before the stop is reached."
        )
    warning = stop_warning(result, exchange)
    if warning is not None:
        notes.append(warning)
    notes.extend(EXACT_NOTES.values())
    emit(result, as_json=json, title="Plan (seed formulas, exact figures beside)", notes=notes, labels=PLAN_LABELS)


PLAN_LABELS = {
    "target_change": "target / entry − 1",
    "stop_change": "stop / entry − 1",
    "leverage": "1 / |stop change| unless --leverage",
    "liquidation_change": "seed: 1 / leverage",
    "linear_profit": "U-based: principal × L × change",
    "inverse_profit": "coin-based (seed): principal × L × change × (1 + change)",
    "stop_before_liquidation": "|stop change| ≤ liquidation move",
    "inverse_profit_exact_coin": "exact inverse: s·(P/E)·L·c/(1 + c) coin",
    "inverse_profit_exact_value": "that coin at the target price: P·L·c",
    "inverse_profit_at_entry": "that coin at the entry price",
    "inverse_bankruptcy_change": "exact inverse: 1/(L+1) long, 1/(L−1) short",
    "liquidation_price": "exchange's, isolated, margin = principal",
    "stop_before_liquidation_exact": "liquidation price at or beyond the stop",
    "max_leverage_for_stop": "highest leverage keeping it beyond the stop",
}
