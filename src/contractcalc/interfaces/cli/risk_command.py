"""``contractcalc risk``: the chance of liquidation, or of the stop before the target, within a horizon.

Flags are parsed (numbers to ``Decimal``) and passed to :func:`contractcalc.engines.risk.risk`
under the same names; nothing is computed here.
"""

from __future__ import annotations

from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.cli._output import emit
from contractcalc.interfaces.schema import RISK


@command(RISK)
def risk_command(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines.risk import risk

    result = risk(**values).to_dict()
    if as_json:
        emit(result, as_json=True, title="")
        return
    monitoring, method, drift = values["monitoring"], values["method"], values["drift"]
    notes = []
    if monitoring != "continuous":
        notes.append(f"Barriers checked every {monitoring} (Broadie-Glasserman-Kou: each moved away by "
                     "exp(0.5826·σ·√Δt)).")
    notes.append("Price: geometric Brownian motion, drift μ " + ("0" if drift is None else str(drift))
                 + "; years of 365 days.")
    if method == "monte-carlo":
        notes.append(f"Monte Carlo ({values['returns']}), Brownian-bridge crossings between steps.")
    emit(result, as_json=False, title=f"Risk ({method}, {values['side']}, {values['horizon']})",
         labels=RISK.meanings, notes=notes)
