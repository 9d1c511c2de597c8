"""Cross margin: the liquidation price of every position of one account (a list of ccxt positions).

In cross mode all positions draw on one wallet balance.  Position ``i`` is
liquidated when the account's margin balance falls to the account's
requirement; holding the other positions at their current marks, that is

    WB + Σ_others (PnL_j(M_j) − req_j(M_j)) + s_i·PnL_i(P) − req_i(P) = 0

solved for ``P``: Binance's ``WB − TMM1 + UPNL1`` (formulas.md) with the
others' unrealized PnL each with its own sign and their requirement (their
maintenance margin, plus OKX's fee to close) at their marks.  The legs of one
symbol in hedge mode (a long and a short) move with one mark, so they are
solved together and share one price:

    WB + Σ_others (...) + Σ_legs (s_k·PnL_k(P) − req_k(P)) = 0

(Binance's hedge-mode formula with ``cum_L + cum_S − Q_L·E_L + Q_S·E_S`` and
``Q_L·MMR_L + Q_S·MMR_S − Q_L + Q_S``).  Each leg's tier is the one holding its
own notional at that price.

This module reads and checks the positions (:mod:`contractcalc.io.positions`)
and hands them, as a one-account :class:`~contractcalc.book.Book`, to
:func:`contractcalc.engines.book.book_liquidation`, which does the arithmetic
for any number of accounts at once.

Inverse (coin-margined) cross margin is per coin: every position of the
account must settle in the coin the wallet balance is counted in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from contractcalc.book import Accounts, Book
from contractcalc.core import contracts as cx
from contractcalc.core.numeric import number
from contractcalc.engines.book import book_liquidation, settle_coin
from contractcalc.engines.models import _fee_rate, model_for
from contractcalc.errors import InputError
from contractcalc.io.positions import POSITION_FIELDS, Position, check_legs, load_positions
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.exchanges import ExchangePreset
from contractcalc.venues.tiers import TierTable

__all__ = ["POSITION_FIELDS", "cross_liquidation", "load_positions"]

#: The book's columns under their ccxt names, for errors about one item.
_CCXT_NAMES = {
    "contracts": "contracts", "contract_size": "contractSize", "entry": "entryPrice", "mark": "markPrice",
    "maintenance_margin_rate": "maintenanceMarginRate", "maintenance_amount": "maintenanceAmount",
    "leverage": "leverage", "wallet_balance": "collateral", "side": "side", "symbol": "symbol",
    "margin_mode": "marginMode",
}
_ACCOUNT = "account"


def _item_error(k: int, key: str, rule: str, *value: Any) -> InputError:
    """An error in position ``k``; with no value when none was given (never "(got None)")."""
    return InputError("positions", f"item {k}: '{key}' {rule}", *value)


def cross_liquidation(
    preset: ExchangePreset,
    wallet_balance: Any,
    positions: str | Path | Sequence[Mapping[str, Any]],
    tiers: Any = None,
    taker_fee_rate: Any = None,
) -> dict[str, Any]:
    """Liquidation prices of a cross-margined account; keys as ``contractcalc liquidation --positions``.

    Each position (ccxt ``fetch_positions()`` shape, see :mod:`contractcalc.io.positions`)
    needs ``symbol``, ``side``, ``contracts``, ``contractSize`` (default: the
    exchange's for the symbol), ``entryPrice``, ``markPrice`` and, unless
    ``tiers`` holds its symbol, ``maintenanceMarginRate`` (ccxt:
    ``maintenanceMarginPercentage``) and ``maintenanceAmount`` (default 0).

    Returns ``{"positions": [...], "wallet_balance", "unrealized_pnl",
    "margin_balance", "maintenance_margin", "margin_ratio"}``: per position its
    ``liquidation_price`` (shared by the legs of a hedged symbol),
    ``bankruptcy_price``, the requirement at the liquidation price and the
    tier it comes from; for the account, the balance and the maintenance
    margin at the marks and their ratio (liquidation at 1).

    Hand check (Binance USDⓈ-M): wallet 10,000; long 1 BTC @ 60,000 (mark
    60,000, MMR 0.4 %) beside a short of 10 ETH @ 3,000 marked at 3,100 (MMR
    0.5 %, MM 155, PnL −1,000).  The BTC long sees 10,000 − 155 − 1,000 =
    8,845: LP = (8,845 − 60,000) / (0.004 − 1) = 51,360.44.

    >>> from contractcalc.venues.exchanges import exchange_preset
    >>> book = [
    ...     {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1,
    ...      "entryPrice": 60000, "markPrice": 60000, "maintenanceMarginRate": 0.004},
    ...     {"symbol": "ETH/USDT:USDT", "side": "short", "contracts": 10, "contractSize": 1,
    ...      "entryPrice": 3000, "markPrice": 3100, "maintenanceMarginRate": 0.005},
    ... ]
    >>> result = cross_liquidation(exchange_preset("binance-usdm"), 10000, book)
    >>> round(result["positions"][0]["liquidation_price"], 2)
    51360.44
    """
    model = model_for(preset)
    kind = preset.contract
    items = load_positions(positions)
    wallet = number("wallet_balance", wallet_balance)
    if wallet < 0:
        raise InputError("wallet_balance", "must be >= 0", wallet)
    exact = isinstance(wallet, Decimal) or any(
        isinstance(getattr(item, name), Decimal) for item in items
        for name in ("contracts", "entry_price", "mark_price", "contract_size", "maintenance_margin_rate",
                     "maintenance_amount", "leverage", "collateral", "initial_margin")
    )
    if kind == "inverse":
        coins = sorted({settle_coin(item.symbol) for item in items})
        if len(coins) > 1:
            raise InputError(
                "positions",
                "must settle in one coin: inverse cross margin is per coin (give one file per coin)",
                ", ".join(coins),
            )
    if taker_fee_rate is not None and isinstance(wallet, Decimal) and not isinstance(taker_fee_rate, Decimal):
        taker_fee_rate = Decimal(str(taker_fee_rate))
    fee = _fee_rate(preset, model, taker_fee_rate, wallet, cross=True)
    tables: dict[str, TierTable | None] = {}
    sizes = []
    for k, item in enumerate(items):
        sizes.append(_check_item(k, item, preset, model, tiers, tables, fee))
    check_legs(items)

    def convert(x: Any) -> Any:
        if x is None:
            return Decimal("NaN") if exact else float("nan")
        return (x if isinstance(x, Decimal) else Decimal(str(x))) if exact else float(x)

    margins = [_isolated_margin(kind, item, size) for item, size in zip(items, sizes, strict=True)]
    columns = {
        "account": [_ACCOUNT] * len(items),
        "symbol": [item.symbol for item in items],
        "side": [item.side for item in items],
        "contracts": _column([item.contracts for item in items], convert),
        "contract_size": _column(sizes, convert),
        "entry": _column([item.entry_price for item in items], convert),
        "mark": _column([item.mark_price for item in items], convert),
        "leverage": _column([item.leverage for item in items], convert),
        "margin_mode": [item.margin_mode for item in items],
        "wallet_balance": _column(margins, convert),
        "maintenance_margin_rate": _column(
            [item.maintenance_margin_rate if tables.get(item.symbol) is None else None for item in items], convert),
        "maintenance_amount": _column(
            [item.maintenance_amount if tables.get(item.symbol) is None and item.maintenance_margin_rate is not None
             else None for item in items], convert),
    }
    try:
        book = Book.from_columns(columns, exact=exact)
        accounts = Accounts.from_columns({"account": [_ACCOUNT], "wallet_balance": _column([wallet], convert)},
                                         exact=exact)
        result = book_liquidation(book, accounts, exchange=preset.name, tiers=_tiers_by_symbol(tables),
                                  taker_fee_rate=taker_fee_rate)
    except InputError as error:
        index = getattr(error, "index", None)
        if index is None:
            raise
        name = _CCXT_NAMES.get(error.field, error.field)
        raise _item_error(int(index), name, error.rule, error.value) from None
    return _as_rows(result, exact)


def _column(values: list[Any], convert: Any) -> Any:
    out = np.empty(len(values), dtype=object)
    out[:] = [convert(v) for v in values]
    return out


def _tiers_by_symbol(tables: dict[str, TierTable | None]) -> Any:
    """The found tables as one ccxt-shaped mapping (``None`` when no symbol has one)."""
    found = {symbol: table for symbol, table in tables.items() if table is not None}
    if not found:
        return None
    return next(iter(found.values())) if len(found) == 1 else found


def _isolated_margin(kind: str, item: Position, size: Any) -> Any:
    """An isolated item's margin: ccxt's collateral less the PnL in it, or its initial margin (else None)."""
    if item.margin_mode != "isolated":
        return None
    if item.collateral is not None:
        pnl = cx.unrealized_pnl(kind, item.side, item.entry_price, item.mark_price, item.contracts * size)
        return item.collateral - pnl
    return item.initial_margin


def _check_item(k: int, item: Position, preset: ExchangePreset, model: Any, tiers: Any,
                tables: dict[str, TierTable | None], fee: Any) -> Any:
    """The item's contract size, after the checks that name the item (tier, rate, leverage cap)."""
    size = item.contract_size
    if size is None:
        size = preset.contract_size(item.symbol)
        if size is None:
            raise _item_error(k, "contractSize", f"is required ({preset.name} has no default for this symbol)")
    table = _table(k, item.symbol, tiers, tables, item.maintenance_margin_rate is not None)
    if table is not None:
        entry_value = cx.position_value(preset.contract, item.entry_price, item.contracts * _like(size, item.contracts))
        try:
            table.check_notional(entry_value)
            if item.leverage is not None:
                table.check_leverage(item.leverage, entry_value)
        except InputError as error:
            raise _item_error(k, error.field, error.rule, error.value) from None
        for tier in table.tiers if not model.mm_at_entry else [table.tier_for_notional(entry_value)]:
            if not tier.maintenance_margin_rate + _like(fee, tier.maintenance_margin_rate) < 1:
                raise _item_error(k, "maintenanceMarginRate", "plus the fee rate must be < 1",
                                  tier.maintenance_margin_rate)
    else:
        rate = item.maintenance_margin_rate
        if rate is None:
            raise _item_error(k, "maintenanceMarginRate", "is required (or a tier table holding this symbol)")
        if not rate + _like(fee, rate) < 1:
            raise _item_error(k, "maintenanceMarginRate", "plus the fee rate must be < 1", rate)
    return size


def _like(x: Any, other: Any) -> Any:
    """``x`` in the number type of ``other`` (Decimal and float do not mix)."""
    if isinstance(other, Decimal) and not isinstance(x, Decimal):
        return Decimal(str(x))
    if isinstance(x, Decimal) and not isinstance(other, Decimal):
        return float(x)
    return x


def _table(k: int, symbol: str, tiers: Any, tables: dict[str, TierTable | None], has_rate: bool) -> TierTable | None:
    if tiers is None:
        return None
    if symbol not in tables:
        if isinstance(tiers, TierTable):
            tables[symbol] = tiers if tiers.symbol == symbol else None
        else:
            try:
                tables[symbol] = load_tiers(tiers, symbol)
            except InputError as error:
                if error.field != "symbol":
                    raise
                tables[symbol] = None
    table = tables[symbol]
    if table is None and not has_rate:
        raise _item_error(
            k, "symbol", "is not in the tier file; give the position's maintenanceMarginRate", symbol
        )
    return table


def _as_rows(result: Any, exact: bool) -> dict[str, Any]:
    """The one account's result in the keys of ``liquidation --positions --json``."""
    columns = result.positions.to_dict()
    rows = []
    for k in range(len(columns["symbol"])):
        price = columns["liquidation_price"][k]
        tier = columns["tier"][k]
        rows.append({
            "symbol": columns["symbol"][k],
            "side": columns["side"][k],
            "contracts": columns["contracts"][k],
            "contract_size": columns["contract_size"][k],
            "entry_price": columns["entry_price"][k],
            "mark_price": columns["mark_price"][k],
            "liquidation_price": price,
            "bankruptcy_price": columns["bankruptcy_price"][k],
            "maintenance_margin": columns["maintenance_margin"][k],
            "maintenance_margin_rate": columns["maintenance_margin_rate"][k],
            "maintenance_amount": columns["maintenance_amount"][k],
            "tier": int(tier) if tier else None,
            "unrealized_pnl": columns["unrealized_pnl"][k],
            "maintenance_margin_at_mark": columns["maintenance_margin_at_mark"][k],
            "distance_to_liquidation": columns["distance_to_liquidation"][k],
            "hedged": bool(columns["hedged"][k]),
            "note": columns["note"][k],
            **({"fee_to_close": columns["fee_to_close"][k]} if "fee_to_close" in columns else {}),
        })
    account = result.accounts.to_dict()
    return {
        "positions": rows,
        "wallet_balance": account["wallet_balance"][0],
        "unrealized_pnl": account["unrealized_pnl"][0],
        "margin_balance": account["margin_balance"][0],
        "maintenance_margin": account["maintenance_margin"][0],
        "margin_ratio": account["margin_ratio"][0],
    }
