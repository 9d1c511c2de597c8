"""``contractcalc replay``: a position replayed through candles the way the exchange would have handled it.

Flags are parsed to ``Decimal`` and passed to :func:`contractcalc.engines.replay.replay`
under the same names; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.cli._output import emit
from contractcalc.interfaces.schema import REPLAY


@command(REPLAY)
def replay_command(values: dict[str, Any], as_json: bool) -> None:
    from datetime import UTC, datetime

    from contractcalc.engines.replay import replay
    from contractcalc.venues.exchanges import exchange_preset

    candles = values.pop("candles")
    result = replay(candles, **values).to_dict()
    if as_json:
        emit(result, as_json=True, title="")
        return
    preset = exchange_preset(values["exchange"])
    when = datetime.fromtimestamp(result["exit_time"] / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    notes = [f"Exit candle opened {when}; intrabar policy: {values['intrabar']}."]
    if result["liquidation_price"] is None:
        notes.append("No liquidation by price: the margin covers a move to zero.")
    if result["exit_reason"] == "open":
        notes.append("Still open at the last candle: PnL unrealised at its close.")
    unit = "the base coin" if preset.contract == "inverse" else "the quote currency"
    notes.append(f"{preset.contract.capitalize()} contract ({preset.name}): amounts in {unit}.")
    emit(result, as_json=False, title=f"Replay ({preset.name}, isolated)", labels=REPLAY.meanings, notes=notes)
