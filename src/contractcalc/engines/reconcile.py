"""The exchange's liquidation price beside contractcalc's: ``contractcalc reconcile``.

A bot's check on its exchange: for each position of a ccxt ``fetch_positions()``
dump, the ``liquidationPrice`` the exchange reports, the one contractcalc
computes from the same position (its margin ``collateral``, its tier or the
``maintenanceMarginPercentage`` ccxt reports), the difference, and when they
differ the likely reason, found by recomputing with each explanation:

- **another tier**: the figure is another tier's (rate and maintenance amount);
- **a fee to close**: the exchange counts the taker fee on closing at the
  liquidation price (OKX, Gate, Bitget do; Binance does not);
- **an estimate at entry**: the figure is the one at opening (the initial margin),
  before margin was added or removed.

Figures agree when they differ by at most :data:`AGREE_RATE` of the price (the
exchanges round to their tick).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from contractcalc.engines.liquidation import liquidation_price
from contractcalc.errors import InputError
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.exchanges import exchange_preset
from contractcalc.venues.tiers import TierTable, preset_tables_for

__all__ = ["AGREE_RATE", "reconcile"]

#: Two liquidation prices agree within this fraction of the price (0.05 %: a few ticks).
AGREE_RATE = Decimal("0.0005")


def _number(item: Mapping[str, Any], key: str, k: int) -> Decimal | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError("positions", f"item {k} '{key}' must be a number", value)
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise InputError("positions", f"item {k} '{key}' must be a number", value) from None
    if not number.is_finite():
        raise InputError("positions", f"item {k} '{key}' must be finite", value)
    return number


def _table(exchange: str, symbol: str, tiers: Any) -> TierTable | None:
    if tiers is not None:
        table = load_tiers(tiers, symbol)
        return table if isinstance(table, TierTable) else None
    found = preset_tables_for(exchange, symbol)
    return load_tiers(found[0].name, symbol) if found else None


def _agree(ours: Decimal | float | None, theirs: Decimal) -> bool:
    if ours is None:
        return False
    return abs(Decimal(str(ours)) - theirs) <= AGREE_RATE * abs(theirs)


def _isolated(exchange: str, row: dict[str, Any], table: TierTable | None) -> tuple[Any, str, list[tuple[str, Any]]]:
    """contractcalc's price for an isolated position, how its rate was had, and the explanations to try."""
    base = {"exchange": exchange, "side": row["side"], "entry": row["entryPrice"], "contracts": row["contracts"],
            "contract_size": row["contractSize"], "margin_mode": "isolated"}
    margin = row["collateral"] if row["collateral"] is not None else row["initialMargin"]
    if margin is not None:
        base["wallet_balance"] = margin
    else:
        base["leverage"] = row["leverage"]
    preset = exchange_preset(exchange)
    if table is not None:
        result = liquidation_price(**base, tiers=table, symbol=table.symbol)
        how = f"tier {result['tier']} of {table.symbol}" + (f" (as of {table.as_of})" if table.as_of else "")
        rate, amount = Decimal(str(result["maintenance_margin_rate"])), Decimal(str(result["maintenance_amount"]))
    elif row["maintenanceMarginPercentage"] is not None:
        rate, amount = row["maintenanceMarginPercentage"], Decimal(0)
        result = liquidation_price(**base, maintenance_margin_rate=rate)
        how = "the maintenanceMarginPercentage ccxt reports (no maintenance amount)"
    else:
        raise InputError("positions", f"{row['symbol']}: needs 'maintenanceMarginPercentage' or a tier table "
                         "holding the symbol (--tiers)")
    tries: list[tuple[str, Any]] = []
    if table is not None:
        for tier in table.tiers:
            if tier.maintenance_margin_rate == rate and tier.maintenance_amount == amount:
                continue
            label = (f"another tier: the exchange's figure is tier {tier.tier}'s (MMR "
                     f"{tier.maintenance_margin_rate * 100:f}".rstrip("0").rstrip(".")
                     + f" %, maintenance amount {tier.maintenance_amount:f})")
            tries.append((label, {**base, "maintenance_margin_rate": tier.maintenance_margin_rate,
                                  "maintenance_amount": tier.maintenance_amount}))
    if not preset_counts_close_fee(exchange):
        fee = preset.taker_fee_rate
        tries.append((f"a fee to close: the exchange counts the taker fee ({fee * 100:f}".rstrip("0").rstrip(".")
                      + " %) on closing at the liquidation price",
                      {**base, "maintenance_margin_rate": rate + fee, "maintenance_amount": amount}))
    if row["collateral"] is not None and row["initialMargin"] is not None and row["collateral"] != row["initialMargin"]:
        tries.append((f"an estimate at entry: the exchange's figure is the one at opening (margin "
                      f"{row['initialMargin']:f}), before the margin became {row['collateral']:f}",
                      {**base, "wallet_balance": row["initialMargin"], "maintenance_margin_rate": rate,
                       "maintenance_amount": amount}))
    return result["liquidation_price"], how, tries


def preset_counts_close_fee(exchange: str) -> bool:
    """Whether the preset's own liquidation formula already counts a fee to close (OKX's)."""
    return exchange_preset(exchange).liquidation_model == "okx"


def _read(k: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise InputError("positions", f"item {k} must be a position object", type(item).__name__)
    symbol = item.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise InputError("positions", f"item {k} 'symbol' is required")
    side = item.get("side")
    if side not in ("long", "short"):
        raise InputError("positions", f"item {k} 'side' must be 'long' or 'short'", side)
    row: dict[str, Any] = {"symbol": symbol, "side": side,
                           "marginMode": str(item.get("marginMode") or "isolated").lower()}
    for key in ("contracts", "contractSize", "entryPrice", "markPrice", "leverage", "collateral", "initialMargin",
                "liquidationPrice", "maintenanceMarginPercentage", "notional"):
        row[key] = _number(item, key, k)
    for key in ("contracts", "entryPrice"):
        if row[key] is None:
            raise InputError("positions", f"item {k} '{key}' is required")
    return row


def reconcile(
    *,
    exchange: str,
    positions: Sequence[Mapping[str, Any]],
    wallet_balance: Any = None,
    tiers: Any = None,
) -> dict[str, Any]:
    """Each position's reported liquidation price beside contractcalc's, the difference and its likely reason.

    Bybit's isolated example (examples.md Y1): a long of 1 BTC at 10,000 with 200 USDT of margin
    (50x), MMR 0.5 %: Bybit reports 9,850, as contractcalc computes.

    >>> r = reconcile(exchange="bybit-linear", positions=[{"symbol": "BTC/USDT:USDT", "side": "long",
    ...     "contracts": 1, "contractSize": 1, "entryPrice": 10000, "collateral": 200, "initialMargin": 200,
    ...     "marginMode": "isolated", "maintenanceMarginPercentage": 0.005, "liquidationPrice": 9850}])
    >>> row = r["positions"][0]
    >>> row["liquidation_price"], row["contractcalc_liquidation_price"], row["difference"], row["agrees"]
    (9850.0, 9850.0, 0.0, True)
    """
    preset = exchange_preset(exchange)
    if isinstance(positions, Mapping | str | bytes) or not isinstance(positions, Sequence) or not positions:
        raise InputError("positions", "must be a non-empty list of ccxt positions (fetch_positions shape)")
    rows = [_read(k, item) for k, item in enumerate(positions)]
    for row in rows:
        if row["contractSize"] is None:
            size = preset.contract_size(row["symbol"])
            row["contractSize"] = size if size is not None else Decimal(1)
    cross = [row for row in rows if row["marginMode"] == "cross"]
    cross_prices: dict[int, Any] = {}
    if cross:
        cross_prices = _cross(preset.name, cross, wallet_balance, tiers)
    out = []
    for row in rows:
        reported = row["liquidationPrice"]
        if row["marginMode"] == "cross":
            tries: list[tuple[str, Any]] = []
            ours, how = cross_prices.get(id(row)), "the cross account's wallet balance"
        else:
            table = _table(preset.name, row["symbol"], tiers)
            ours, how, tries = _isolated(preset.name, row, table)
        difference = None if reported is None or ours is None else float(Decimal(str(ours)) - reported)
        agrees = reported is not None and _agree(ours, reported)
        reason = None
        if reported is not None and ours is not None and not agrees:
            reason = _reason(tries, reported)
        out.append({
            "symbol": row["symbol"], "side": row["side"], "margin_mode": row["marginMode"],
            "liquidation_price": None if reported is None else float(reported),
            "contractcalc_liquidation_price": None if ours is None else float(ours),
            "difference": difference,
            "difference_rate": None if difference is None or not reported else difference / float(reported),
            "agrees": agrees, "reason": reason, "computed_with": how,
        })
    return {"positions": out, "agree": sum(1 for r in out if r["agrees"]),
            "differ": sum(1 for r in out if r["difference"] is not None and not r["agrees"])}


def _reason(tries: Sequence[tuple[str, Any]], reported: Decimal) -> str:
    """The explanation whose recomputed price is the exchange's, or the nearest miss."""
    best: tuple[Decimal, str] | None = None
    for label, arguments in tries:
        try:
            price = liquidation_price(**arguments)["liquidation_price"]
        except (InputError, ArithmeticError):
            continue
        if price is None:
            continue
        gap = abs(Decimal(str(price)) - reported) / abs(reported)
        if gap <= AGREE_RATE:
            return label
        if best is None or gap < best[0]:
            best = (gap, label)
    return ("unexplained: check the margin mode, margin added or removed, and the tier table's date"
            + (f" (nearest: {best[1].split(':')[0]}, {float(best[0]) * 100:.2f} % away)" if best else ""))


def _cross(exchange: str, rows: Sequence[dict[str, Any]], wallet_balance: Any, tiers: Any) -> dict[int, Any]:
    if wallet_balance is None:
        raise InputError("wallet_balance", "is required for cross positions (ccxt's positions do not carry it)")
    legs = []
    for row in rows:
        mark = row["markPrice"] if row["markPrice"] is not None else row["entryPrice"]
        leg = {"symbol": row["symbol"], "side": row["side"], "contracts": row["contracts"],
               "contractSize": row["contractSize"], "entryPrice": row["entryPrice"], "markPrice": mark}
        if (tiers is None and not preset_tables_for(exchange, row["symbol"])
                and row["maintenanceMarginPercentage"] is not None):
            leg["maintenanceMarginRate"] = row["maintenanceMarginPercentage"]
        legs.append(leg)
    table = tiers
    if table is None:
        found = [preset_tables_for(exchange, row["symbol"]) for row in rows]
        names = {f[0].name for f in found if f}
        table = names.pop() if len(names) == 1 else None
    result = liquidation_price(exchange=exchange, wallet_balance=wallet_balance, positions=legs, tiers=table)
    return {id(row): answer["liquidation_price"] for row, answer in zip(rows, result["positions"], strict=True)}
