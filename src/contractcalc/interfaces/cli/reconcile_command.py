"""``contractcalc reconcile``: the exchange's liquidation prices beside contractcalc's, for a ccxt positions dump."""

from __future__ import annotations

import json
import sys
from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.schema import RECONCILE


@command(RECONCILE)
def reconcile_command(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines.reconcile import AGREE_RATE, reconcile
    from contractcalc.interfaces.cli._output import format_readable, to_jsonable
    from contractcalc.io.files import read_json

    data: Any = read_json(values["positions"], field="positions")
    result = reconcile(exchange=values["exchange"], positions=data, wallet_balance=values["wallet_balance"],
                       tiers=values["tiers"])
    if as_json:
        sys.stdout.write(json.dumps(to_jsonable(result), allow_nan=False) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Liquidation prices: {values['exchange']} beside contractcalc", header_style="bold")
    for heading in ("symbol", "side", "exchange", "contractcalc", "difference", "reason"):
        table.add_column(heading, justify="left" if heading in ("symbol", "side", "reason") else "right")
    for row in result["positions"]:
        difference = "—" if row["difference"] is None else (
            f"{row['difference']:,.2f} ({row['difference_rate'] * 100:+.3f} %)")
        table.add_row(row["symbol"], row["side"], format_readable("", row["liquidation_price"]),
                      format_readable("", row["contractcalc_liquidation_price"]), difference,
                      "agrees" if row["agrees"] else (row["reason"] or "—"))
    console = Console(width=120)
    console.print(table)
    console.print(f"{result['agree']} agree, {result['differ']} differ "
                  f"(agree: within {AGREE_RATE * 100:f} % of the price).".replace("0.0500", "0.05"))
