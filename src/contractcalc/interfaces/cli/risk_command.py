"""``contractcalc risk``: the chance of liquidation, or of the stop before the target, within a horizon.

Flags are parsed (numbers to ``Decimal``) and passed to :func:`contractcalc.engines.risk.risk`
under the same names; nothing is computed here.
"""

from __future__ import annotations

from typing import Annotated

from contractcalc.core.volatility import ESTIMATORS
from contractcalc.engines.risk import DEFAULT_PATHS, DEFAULT_STEPS, RETURNS, risk
from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import Contracts, JsonFlag, Quantity, Side, option
from contractcalc.interfaces.cli._output import emit, parse_number
from contractcalc.venues.exchanges import EXCHANGES
from contractcalc.venues.tiers import PRESET_TABLES

HELP = (
    "The chance that the price touches the liquidation price within --horizon, and which of --stop and "
    "--target it touches first (geometric Brownian motion, years of 365 days).\n\n"
    "--volatility and --drift are annual fractions (0.8 = 80 %); --horizon and --monitoring are durations "
    "such as 90m, 24h, 7d, 1w. The liquidation price is --liquidation-price, or computed from the flags of "
    "`contractcalc liquidation` (--exchange, --entry, --quantity/--contracts, --leverage, "
    "--maintenance-margin-rate/--tiers/--symbol, ...). Instead of --volatility: --candles FILE (ccxt JSON "
    "rows or CSV timestamp,open,high,low,close[,volume]) and --volatility-estimator "
    + "|".join(ESTIMATORS) + ".\n\n"
    "--method closed-form (default: reflection principle, Kunitomo-Ikeda / Fourier series, Broadie-Glasserman-"
    "Kou for --monitoring) or monte-carlo (--paths, --steps, --seed, --returns gbm|student-t|bootstrap; "
    "Brownian-bridge crossings, with a standard error).\n\n"
    "Shipped tier tables: " + ", ".join(PRESET_TABLES) + "."
)

LABELS = {
    "liquidation_price": "given, or the exchange's (isolated)",
    "liquidation_probability": "touched within the horizon (no stop/target)",
    "stop_probability": "stop touched first (one barrier without a target)",
    "target_probability": "target touched first (one barrier without a stop)",
    "neither_probability": "neither stop nor target within the horizon",
    "volatility": "annual σ",
    "horizon_years": "T, years of 365 days",
    "standard_error": "Monte Carlo: the largest of the figures'",
}


@app.command("risk", help=HELP)
def risk_command(
    side: Side,
    horizon: Annotated[str, option("--horizon", "Horizon: a duration such as 90m, 24h, 7d, 1w.")],
    volatility: Annotated[str | None, option("--volatility", "Annual volatility (0.8 = 80 %).")] = None,
    price: Annotated[str | None, option("--price", "Current price (default: the mark, else the entry price).")] = None,
    liquidation_price: Annotated[
        str | None, option("--liquidation-price", "Liquidation price (else the exchange's, from the position).")
    ] = None,
    stop: Annotated[str | None, option("--stop", "Stop-loss price.")] = None,
    target: Annotated[str | None, option("--target", "Take-profit price.")] = None,
    drift: Annotated[str | None, option("--drift", "Annual drift of the price μ (default 0).")] = None,
    monitoring: Annotated[
        str, option("--monitoring", "continuous (default) or the interval the barriers are checked at, e.g. 1h.")
    ] = "continuous",
    method: Annotated[str, option("--method", "closed-form (default) or monte-carlo.")] = "closed-form",
    paths: Annotated[str | None, option("--paths", f"Monte Carlo paths (default {DEFAULT_PATHS:,}).")] = None,
    steps: Annotated[str | None, option("--steps", f"Monte Carlo steps (default {DEFAULT_STEPS}).")] = None,
    seed: Annotated[str | None, option("--seed", "Monte Carlo random seed.")] = None,
    returns: Annotated[
        str, option("--returns", "Monte Carlo returns: " + ", ".join(RETURNS) + " (bootstrap needs candles).")
    ] = "gbm",
    degrees_of_freedom: Annotated[
        str | None, option("--degrees-of-freedom", "Student-t degrees of freedom (default 4).")
    ] = None,
    candles: Annotated[
        str | None, option("--candles", "Candles file (ccxt JSON rows or CSV): volatility estimator, bootstrap.")
    ] = None,
    volatility_estimator: Annotated[
        str | None, option("--volatility-estimator", "With candles: " + ", ".join(ESTIMATORS) + ".")
    ] = None,
    exchange: Annotated[
        str | None, option("--exchange", "Liquidation price from: " + ", ".join(EXCHANGES) + ".")
    ] = None,
    entry: Annotated[str | None, option("--entry", "Entry price.")] = None,
    quantity: Quantity = None,
    contracts: Contracts = None,
    contract_size: Annotated[
        str | None, option("--contract-size", "Per contract: base units (linear) or USD (inverse).")
    ] = None,
    leverage: Annotated[str | None, option("--leverage", "Leverage (isolated margin = value / leverage).")] = None,
    wallet_balance: Annotated[
        str | None, option("--wallet-balance", "Isolated margin (default: the initial margin).")
    ] = None,
    maintenance_margin_rate: Annotated[
        str | None, option("--maintenance-margin-rate", "Maintenance margin rate (0.005 = 0.5 %).")
    ] = None,
    maintenance_amount: Annotated[
        str | None, option("--maintenance-amount", "Maintenance amount (Binance cum, Bybit MM deduction).")
    ] = None,
    tiers: Annotated[
        str | None, option("--tiers", "Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.")
    ] = None,
    symbol: Annotated[str | None, option("--symbol", "Symbol, e.g. BTC/USDT:USDT (tiers, contract size).")] = None,
    taker_fee_rate: Annotated[
        str | None, option("--taker-fee-rate", "Fee to close counted by okx-* (default: preset taker).")
    ] = None,
    max_leverage: Annotated[str | None, option("--max-leverage", "Hyperliquid: the asset's max leverage.")] = None,
    extra_margin: Annotated[str | None, option("--extra-margin", "Margin added to an isolated position.")] = None,
    mark: Annotated[str | None, option("--mark", "Current mark price.")] = None,
    json: JsonFlag = False,
) -> None:
    result = risk(
        side,
        parse_number("volatility", volatility),
        horizon,
        price=parse_number("price", price),
        liquidation_price=parse_number("liquidation_price", liquidation_price),
        exchange=exchange,
        entry=parse_number("entry", entry),
        quantity=parse_number("quantity", quantity),
        contracts=parse_number("contracts", contracts),
        contract_size=parse_number("contract_size", contract_size),
        leverage=parse_number("leverage", leverage),
        wallet_balance=parse_number("wallet_balance", wallet_balance),
        maintenance_margin_rate=parse_number("maintenance_margin_rate", maintenance_margin_rate),
        maintenance_amount=parse_number("maintenance_amount", maintenance_amount),
        tiers=tiers,
        symbol=symbol,
        taker_fee_rate=parse_number("taker_fee_rate", taker_fee_rate),
        max_leverage=parse_number("max_leverage", max_leverage),
        extra_margin=parse_number("extra_margin", extra_margin),
        mark=parse_number("mark", mark),
        stop=parse_number("stop", stop),
        target=parse_number("target", target),
        drift=parse_number("drift", drift),
        monitoring=monitoring,
        method=method,
        paths=parse_number("paths", paths),
        steps=parse_number("steps", steps),
        seed=parse_number("seed", seed),
        candles=candles,
        volatility_estimator=volatility_estimator,
        returns=returns,
        degrees_of_freedom=parse_number("degrees_of_freedom", degrees_of_freedom),
    ).to_dict()
    if json:
        emit(result, as_json=True, title="")
        return
    notes = []
    if monitoring != "continuous":
        notes.append(f"Barriers checked every {monitoring} (Broadie-Glasserman-Kou: each moved away by "
                     "exp(0.5826·σ·√Δt)).")
    notes.append("Price: geometric Brownian motion, drift μ " + (drift or "0") + "; years of 365 days.")
    if method == "monte-carlo":
        notes.append(f"Monte Carlo ({returns}), Brownian-bridge crossings between steps.")
    emit(result, as_json=False, title=f"Risk ({method}, {side}, {horizon})", labels=LABELS, notes=notes)
