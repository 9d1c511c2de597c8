"""Cross margin: the liquidation price of every position of one account.

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

Inverse (coin-margined) cross margin is per coin: every position of the
account must settle in the coin the wallet balance is counted in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractcalc.core import contracts as cx
from contractcalc.core.numeric import constant_like, number, side_sign
from contractcalc.engines.liquidation import (
    Band,
    _band_index,
    _bands,
    _bands_like,
    _Leg,
    _solve,
    _solve_group,
    _valid_price,
    model_for,
)
from contractcalc.errors import InputError
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.exchanges import ExchangePreset
from contractcalc.venues.tiers import TierTable

__all__ = ["POSITION_FIELDS", "cross_liquidation", "load_positions"]

#: The ccxt position fields read, and whether each is required.
POSITION_FIELDS = {
    "symbol": True,
    "side": True,
    "contracts": True,
    "contractSize": False,
    "entryPrice": True,
    "markPrice": True,
    "maintenanceMarginRate": False,
    "maintenanceAmount": False,
    "leverage": False,
}


def load_positions(source: str | Path | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A list of ccxt-style positions from a JSON file (numbers kept exact) or a list.

    >>> load_positions("no-such-file.json")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'positions' must be a readable JSON file (...) (got 'no-such-file.json')
    """
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            text = path.read_text("utf-8")
        except OSError as error:
            raise InputError("positions", f"must be a readable JSON file ({error.strerror})", str(source)) from None
        except UnicodeDecodeError:
            raise InputError("positions", "must be a UTF-8 JSON file (it is not UTF-8 text)", str(source)) from None
        try:
            data: Any = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            rule = f"must be valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
            raise InputError("positions", rule, str(source)) from None
    else:
        data = source
    if isinstance(data, Mapping | str | bytes) or not isinstance(data, Sequence):
        raise InputError("positions", "must be a JSON list of positions (ccxt fetch_positions shape)",
                         type(data).__name__)
    if not data:
        raise InputError("positions", "must hold at least one position", "[]")
    for k, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise InputError("positions", f"item {k} must be a position object", type(item).__name__)
    return list(data)


def _item_error(k: int, key: str, rule: str, value: Any = None) -> InputError:
    return InputError("positions", f"item {k}: '{key}' {rule}", value)


def _raw_number(k: int, key: str, value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise _item_error(k, key, "must be a number", value) from None
    try:
        return number(key, value)
    except InputError as error:
        raise _item_error(k, key, error.rule, value) from None
    except OverflowError:  # a JSON integer too large for a float
        digits = f"{len(str(value))}-digit integer"
        raise _item_error(k, key, "must be finite (too large for a float)", digits) from None


def _settle(symbol: str) -> str:
    text = symbol.upper()
    if ":" in text:  # ccxt: BASE/QUOTE:SETTLE, futures with -YYMMDD
        return text.split(":", 1)[1].split("-")[0]
    return text.split("/")[0] if "/" in text else text.split("-")[0].removesuffix("USD")


def cross_liquidation(
    preset: ExchangePreset,
    wallet_balance: Any,
    positions: str | Path | Sequence[Mapping[str, Any]],
    tiers: Any = None,
    taker_fee_rate: Any = None,
) -> dict[str, Any]:
    """Liquidation prices of a cross-margined account; keys as ``contractcalc liquidation --positions``.

    Each position (ccxt ``fetch_positions()`` shape) needs ``symbol``, ``side``,
    ``contracts``, ``contractSize`` (default: the exchange's for the symbol),
    ``entryPrice``, ``markPrice`` and, unless ``tiers`` holds its symbol,
    ``maintenanceMarginRate`` (and ``maintenanceAmount``, default 0).

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

    raw_rows = [_read(k, item, preset, tiers is not None) for k, item in enumerate(items)]
    exact = isinstance(wallet, Decimal) or any(
        isinstance(v, Decimal) for row in raw_rows for v in row.values() if not isinstance(v, str)
    )

    def convert(x: Any) -> Any:
        if x is None or isinstance(x, str):
            return x
        if exact and not isinstance(x, Decimal):
            return Decimal(str(x))
        return x if exact or not isinstance(x, Decimal) else float(x)

    wallet = convert(wallet)
    rows = [{key: convert(value) for key, value in row.items()} for row in raw_rows]
    if kind == "inverse":
        coins = sorted({_settle(row["symbol"]) for row in rows})
        if len(coins) > 1:
            raise InputError(
                "positions",
                "must settle in one coin: inverse cross margin is per coin (give one file per coin)",
                ", ".join(coins),
            )
    fee = _fee(preset, model, taker_fee_rate, wallet)
    tables: dict[str, TierTable | None] = {}
    legs: list[_Leg] = []
    for k, row in enumerate(rows):
        legs.append(_leg(k, row, kind, model, tiers, tables, fee, wallet))

    pnl = [cx.unrealized_pnl(kind, leg.s, leg.entry, leg.mark, leg.size) for leg in legs]
    mm_mark = [_requirement(model, leg, leg.mark, with_fee=False) for leg in legs]
    req_mark = [_requirement(model, leg, leg.mark, with_fee=True) for leg in legs]
    groups: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        members = groups.setdefault(row["symbol"], [])
        if members and row["markPrice"] != rows[members[0]]["markPrice"]:
            raise _item_error(k, "markPrice", f"must equal the mark of item {members[0]} (the legs of one symbol "
                              "move with one mark)", row["markPrice"])
        members.append(k)

    out: list[dict[str, Any]] = [{} for _ in legs]
    for members in groups.values():
        others = [j for j in range(len(legs)) if j not in members]
        balance = wallet + sum((pnl[j] - req_mark[j] for j in others), 0 * wallet)
        equity = wallet + sum((pnl[j] for j in others), 0 * wallet)
        group = [legs[j] for j in members]
        price, chosen = _group_price(kind, model, group, balance)
        if len(group) == 1 and equity >= 0:  # the closed form, as for one isolated position
            leg = group[0]
            bankrupt = cx.bankruptcy_price(kind, leg.s, leg.entry, leg.size, equity)
        else:
            bankrupt, _ = _group_price(kind, model, [_bare(leg) for leg in group], equity)
        for j, index in zip(members, chosen, strict=True):
            out[j] = _position_row(kind, model, rows[j], legs[j], index, price, bankrupt, pnl[j], mm_mark[j],
                                   len(members) > 1)

    margin_balance = wallet + sum(pnl, 0 * wallet)
    total_mm = sum(mm_mark, 0 * wallet)
    return {
        "positions": out,
        "wallet_balance": wallet,
        "unrealized_pnl": sum(pnl, 0 * wallet),
        "margin_balance": margin_balance,
        "maintenance_margin": total_mm,
        "margin_ratio": total_mm / margin_balance if margin_balance > 0 else None,
    }


def _read(k: int, item: Mapping[str, Any], preset: ExchangePreset, has_tiers: bool) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, required in POSITION_FIELDS.items():
        value = item.get(key)
        if value is None:
            if required:
                raise _item_error(k, key, "is required")
            row[key] = None
            continue
        if key == "symbol":
            if not isinstance(value, str) or not value.strip():
                raise _item_error(k, key, "must be a symbol such as 'BTC/USDT:USDT'", value)
            row[key] = value.strip()
        elif key == "side":
            try:
                if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
                    raise InputError(key, "must be 'long' or 'short'", value)  # a list would be a book of sides
                row[key] = "long" if side_sign(value) > 0 else "short"
            except InputError:
                raise _item_error(k, key, "must be 'long' or 'short'", value) from None
        else:
            row[key] = _raw_number(k, key, value)
    for key in ("contracts", "contractSize", "entryPrice", "markPrice", "leverage"):
        if row[key] is not None and not row[key] > 0:
            raise _item_error(k, key, "must be > 0", row[key])
    if row["contractSize"] is None:
        size = preset.contract_size(row["symbol"])
        if size is None:
            raise _item_error(k, "contractSize", f"is required ({preset.name} has no default for this symbol)")
        row["contractSize"] = size
    return row


def _fee(preset: ExchangePreset, model: Any, taker_fee_rate: Any, wallet: Any) -> Any:
    from contractcalc.engines.liquidation import _fee_rate

    if taker_fee_rate is not None and isinstance(wallet, Decimal) and not isinstance(taker_fee_rate, Decimal):
        taker_fee_rate = Decimal(str(taker_fee_rate))
    return _fee_rate(preset, model, taker_fee_rate, wallet)


def _leg(
    k: int,
    row: dict[str, Any],
    kind: str,
    model: Any,
    tiers: Any,
    tables: dict[str, TierTable | None],
    fee: Any,
    wallet: Any,
) -> _Leg:
    symbol = row["symbol"]
    size = cx.position_size(kind, contracts=row["contracts"], contract_size=row["contractSize"])
    entry, mark = row["entryPrice"], row["markPrice"]
    table = _table(k, symbol, tiers, tables, row["maintenanceMarginRate"] is not None)
    like = (wallet, entry, size)
    if table is not None:
        entry_value = cx.position_value(kind, entry, size)
        try:
            table.check_notional(entry_value)
            if row["leverage"] is not None:
                table.check_leverage(row["leverage"], entry_value)
        except InputError as error:
            raise _item_error(k, error.field, error.rule, error.value) from None
        bands = tuple(_bands_like(_bands(table), *like))
        if model.mm_at_entry:  # Bybit: the tier of the entry value, whatever the price
            band = bands[int(_band_index(bands, cx.position_value(kind, entry, size)))]
            bands = (Band(band.tier, 0 * band.low, constant_like("Infinity", *like), band.rate, band.amount),)
    else:
        rate, amount = row["maintenanceMarginRate"], row["maintenanceAmount"]
        if rate is None:
            raise _item_error(k, "maintenanceMarginRate", "is required (or give 'tiers' holding this symbol)")
        if not 0 <= rate < 1:
            raise _item_error(k, "maintenanceMarginRate", "must be >= 0 and < 1", rate)
        amount = 0 * rate if amount is None else amount
        if amount < 0:
            raise _item_error(k, "maintenanceAmount", "must be >= 0", amount)
        bands = tuple(_bands_like([Band(0, Decimal(0), Decimal("Infinity"), rate, amount)], *like))
    for band in bands:
        if not band.rate + fee < 1:
            raise _item_error(k, "maintenanceMarginRate", "plus the fee rate must be < 1", band.rate)
    return _Leg(kind, side_sign(row["side"]), size, entry, mark, bands, fee)


def _table(
    k: int, symbol: str, tiers: Any, tables: dict[str, TierTable | None], has_rate: bool
) -> TierTable | None:
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


def _requirement(model: Any, leg: _Leg, price: Any, *, with_fee: bool) -> Any:
    """The leg's maintenance margin at ``price`` (plus the fee to close when ``with_fee``)."""
    valued = leg.value(leg.entry if model.mm_at_entry else price)
    index = _band_index(leg.bands, valued)
    band = leg.bands[int(index)]
    mm = valued * band.rate - band.amount
    return mm + leg.value(price) * leg.fee if with_fee else mm


def _bare(leg: _Leg) -> _Leg:
    """The leg with no requirement: its liquidation price is its bankruptcy price."""
    zero = 0 * leg.entry
    inf = constant_like("Infinity", leg.entry)
    return _Leg(leg.kind, leg.s, leg.size, leg.entry, leg.mark, (Band(0, zero, inf, zero, zero),), zero)


def _group_price(kind: str, model: Any, group: Sequence[_Leg], balance: Any) -> tuple[Any, list[int]]:
    if len(group) == 1:
        leg = group[0]
        raw, index = _solve(kind, model, leg.s, leg.entry, leg.size, balance, leg.bands, leg.fee)
        return (raw if _valid_price(raw) else None), [int(index)]
    return _solve_group(kind, model, group, balance, group[0].mark)


def _position_row(
    kind: str,
    model: Any,
    row: dict[str, Any],
    leg: _Leg,
    index: int,
    price: Any,
    bankrupt: Any,
    pnl: Any,
    mm_mark: Any,
    hedged: bool,
) -> dict[str, Any]:
    band = leg.bands[index]
    table_tier = band.tier if band.tier else None
    if price is not None:
        valued = leg.value(leg.entry if model.mm_at_entry else price)
        mm: Any = valued * band.rate - band.amount
        distance: Any = abs(price - leg.mark) / leg.mark
        note = None
        if (leg.s > 0 and price >= leg.mark and not hedged) or (leg.s < 0 and price <= leg.mark and not hedged):
            note = "the account is below its requirement at the mark already: liquidated at once"
    else:
        mm = distance = None
        note = "no liquidation by price: the account's margin covers any move of this symbol"
    return {
        "symbol": row["symbol"],
        "side": row["side"],
        "contracts": row["contracts"],
        "contract_size": row["contractSize"],
        "entry_price": leg.entry,
        "mark_price": leg.mark,
        "liquidation_price": price,
        "bankruptcy_price": bankrupt,
        "maintenance_margin": mm,
        "maintenance_margin_rate": band.rate if price is not None or model.mm_at_entry else None,
        "maintenance_amount": band.amount if price is not None or model.mm_at_entry else None,
        "tier": table_tier if price is not None or model.mm_at_entry else None,
        "unrealized_pnl": pnl,
        "maintenance_margin_at_mark": mm_mark,
        "distance_to_liquidation": distance,
        "hedged": hedged,
        "note": note,
    }

