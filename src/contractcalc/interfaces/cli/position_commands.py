"""``pnl``, ``target``, ``average-entry``, ``cost``, ``size``, ``max-open``: exchange-exact position math.

Each command passes its parsed flags to the calculator of the same name in
:mod:`contractcalc.engines.calculators`; nothing is computed here.
"""

from __future__ import annotations

import sys
from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.cli._output import emit, stop_warning
from contractcalc.interfaces.schema import AVERAGE_ENTRY, COST, MAX_OPEN, PNL, PNL_ROI_MEANING, SIZE, TARGET


def _units(contract: str | None, exchange: str | None) -> str:
    from contractcalc.venues.exchanges import EXCHANGES

    kind = contract
    if kind is None and exchange in EXCHANGES:
        kind = EXCHANGES[exchange].contract
    if kind in ("inverse", "coin"):
        return "Inverse contract: amounts (PnL, margin, fees, notional) in the base coin; sizes in contracts."
    return "Linear contract: amounts (PnL, margin, fees, notional) in the quote currency; sizes in base units."


@command(PNL)
def pnl(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines import calculators

    result = calculators.pnl(**values)
    notes = [_units(values["contract"], values["exchange"])]
    labels = PNL.meanings
    if "roi" in result:
        labels["roi"] = PNL_ROI_MEANING
    emit(result, as_json=as_json, title="PnL (exchange-exact)", labels=labels, notes=notes)


@command(TARGET)
def target(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines import calculators

    calculators.check_typed_roe(values["roe"])
    result = calculators.target(**values)
    wanted = values["roe"]
    if wanted > calculators.ROE_LIKELY_PERCENT:
        # stderr, so --json stays one JSON object on stdout
        percent = f"{(wanted * 100).normalize():f}"
        roe = f"{wanted:f}"
        sys.stderr.write(f"warning: --roe {roe} is {percent} %; ROE is a fraction (0.5 = 50 %): "
                         f"for {roe} % give --roe {roe}%\n")
    emit(result, as_json=as_json, title="Target price (exchange-exact)", labels=TARGET.meanings, notes=[])


@command(AVERAGE_ENTRY)
def average_entry(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines import calculators

    result = calculators.average_entry(**values)
    emit(result, as_json=as_json, title="Average entry (exchange-exact)", labels=AVERAGE_ENTRY.meanings, notes=[])


@command(COST)
def cost(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines import calculators

    result = calculators.cost(**values)
    notes = [
        _units(values["contract"], values["exchange"]),
        "Binance's Cost is margin + open loss (use --fee-rate 0); Bybit's order cost is margin + both fees.",
    ]
    emit(result, as_json=as_json, title="Order cost (exchange-exact)", labels=COST.meanings, notes=notes)


@command(SIZE)
def size(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines import calculators

    result = calculators.size(**values)
    notes = [_units(values["contract"], values["exchange"])]
    notes.append(_rounding_note(values, result) if values["round"] else
                 "Sizes are exact: round down to your exchange's lot size (or give --round).")
    warning = stop_warning(result, values["exchange"])
    if warning is not None:
        notes.insert(0, warning)
    emit(result, as_json=as_json, title="Position size from risk", labels=SIZE.meanings, notes=notes)


@command(MAX_OPEN)
def max_open(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines import calculators

    result = calculators.max_open(**values)
    notes = [_units(values["contract"], values["exchange"])]
    if values["round"]:
        notes.append(_rounding_note(values, result))
    emit(result, as_json=as_json, title="Max open", labels=MAX_OPEN.meanings, notes=notes)


def _rounding_note(values: dict[str, Any], result: Any) -> str:
    from contractcalc.venues.exchanges import exchange_preset
    from contractcalc.venues.markets import rounding_note

    return rounding_note(exchange_preset(values["exchange"]).name, values["symbol"], result)
