"""``contractcalc reconcile``: the exchange's liquidation prices beside contractcalc's, for a ccxt positions dump."""

from __future__ import annotations

import json as json_module
import sys
from typing import Annotated, Any

from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import Exchange, JsonFlag, option
from contractcalc.interfaces.cli._output import parse_number, to_jsonable


@app.command("reconcile")
def reconcile(
    positions: Annotated[str, option("--positions", "JSON file of ccxt fetch_positions() (a list of positions).")],
    exchange: Exchange = None,
    wallet_balance: Annotated[
        str | None, option("--wallet-balance", "The cross account's wallet balance (cross positions only).")
    ] = None,
    tiers: Annotated[
        str | None, option("--tiers", "Tier table file or preset (default: the newest shipped for each symbol).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Each position's reported liquidationPrice beside contractcalc's, the difference and the likely reason.

    Reasons tried when they differ: another tier, a fee to close counted by the exchange,
    an estimate at entry (the margin at opening). Figures within 0.05 % agree.
    """
    from contractcalc.engines.reconcile import reconcile as run_reconcile
    from contractcalc.errors import InputError
    from contractcalc.io.files import read_json

    if exchange is None:
        raise InputError("exchange", "is required")
    data: Any = read_json(positions, field="positions")
    result = run_reconcile(exchange=exchange, positions=data,
                           wallet_balance=parse_number("wallet_balance", wallet_balance), tiers=tiers)
    if json:
        sys.stdout.write(json_module.dumps(to_jsonable(result), allow_nan=False) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    from contractcalc.interfaces.cli._output import format_readable

    table = Table(title=f"Liquidation prices: {exchange} beside contractcalc", header_style="bold")
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
    console.print(f"{result['agree']} agree, {result['differ']} differ (agree: within 0.05 % of the price).")
