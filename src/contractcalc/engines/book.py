"""Liquidation prices of a whole book: isolated and cross positions over many accounts, in one pass.

Every position is liquidated where its margin balance meets its requirement
(``docs/liquidation.md``).  Written per position ``i`` with
``g_i(P) = a_i + b_i·x`` (``x = P`` linear, ``1/P`` inverse; the coefficients
of :mod:`contractcalc.engines.liquidation` for the position's tier):

- an **isolated** position draws on its own margin ``WB_i`` (the book's
  ``wallet_balance``, or the initial margin ``value(E) / leverage``):
  ``WB_i + g_i(P) = 0``;
- a **cross** position draws on its account's wallet ``WB_A`` and holds the
  account's other cross positions at their marks, their PnL and their
  requirement at the mark:
  ``WB_A + Σ_{j∈A, j∉G} (PnL_j(M_j) − req_j(M_j)) + Σ_{k∈G} g_k(P) = 0``,
  where ``G`` is the position's own symbol in the account: the legs of a
  hedged symbol (at most one long and one short) move with one mark and share
  one price.

The sums over ``A`` are grouped sums (:func:`numpy.bincount` by account code)
and the one over ``G`` a grouped sum by (account, symbol) code, so the "others"
of every position are ``Σ_A − Σ_G`` with no loop over accounts or positions.
Tiers: the price is solved in every tier of the position's table and the
self-consistent solution kept (a loop over the tiers, vectorised over the
rows), as for one position; a hedged pair is solved piecewise between the
prices where either leg changes tier, and its price is the point of the
liquidation set nearest the mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from contractcalc.book import Accounts, Book
from contractcalc.engines.models import (
    LiquidationModel,
    _coefficients,
    _fee_rate,
    _maximum,
    _minimum,
    _root,
    _valid_price,
    model_for,
)
from contractcalc.errors import InputError, TierCapExceeded
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.exchanges import exchange_preset
from contractcalc.venues.tiers import TierTable

__all__ = ["AccountSummary", "BookLiquidation", "PositionLiquidation", "book_liquidation"]

Array = Any

#: Per-position notes (``None`` where the price is an ordinary one).
NOTE_NO_PRICE_CROSS = "no liquidation by price: the account's margin covers any move of this symbol"
NOTE_NOW_CROSS = "the account is below its requirement at the mark already: liquidated at once"
NOTE_NO_PRICE_ISOLATED = "no liquidation by price: the position's margin covers any move"
NOTE_NOW_ISOLATED = "the mark is at or beyond the liquidation price: the position is liquidated at this mark"


def _jsonable(values: Array) -> list[Any]:
    """A column as JSON values: NaN → None, NumPy scalars → Python ones, Decimal kept."""
    out: list[Any] = []
    for value in values.tolist():
        if (isinstance(value, float) and value != value) or (isinstance(value, Decimal) and value.is_nan()):
            out.append(None)
        else:
            out.append(value)
    return out


@dataclass(frozen=True, eq=False)
class PositionLiquidation:
    """Per position, aligned with the book's rows (NaN where there is no value)."""

    account: Array
    symbol: Array
    side: Array
    margin_mode: Array
    contracts: Array
    contract_size: Array
    entry_price: Array
    mark_price: Array
    #: where the margin balance meets the requirement (NaN: no price liquidates)
    liquidation_price: Array
    #: where the margin balance is zero
    bankruptcy_price: Array
    #: the requirement at the liquidation price (Bybit: at entry), its rate, amount and tier (0: no table)
    maintenance_margin: Array
    maintenance_margin_rate: Array
    maintenance_amount: Array
    tier: Array
    unrealized_pnl: Array
    maintenance_margin_at_mark: Array
    #: ``|LP − mark| / mark``
    distance_to_liquidation: Array
    #: a leg of a hedged symbol (a long and a short in one cross account)
    hedged: Array
    #: the margin the position's equation starts from: its own (isolated) or the account's less the others'
    margin: Array
    #: why there is no price, or that the position is liquidated at its mark already (None otherwise)
    note: Array

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as JSON-ready lists (NaN → None)."""
        return {f.name: _jsonable(np.asarray(getattr(self, f.name))) for f in fields(self)}


@dataclass(frozen=True, eq=False)
class AccountSummary:
    """Per account (the book's accounts, sorted): the cross wallet at the marks."""

    account: Array
    wallet_balance: Array
    unrealized_pnl: Array
    margin_balance: Array
    maintenance_margin: Array
    #: maintenance margin / margin balance (liquidation at 1; NaN where the balance is <= 0)
    margin_ratio: Array

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as JSON-ready lists (NaN → None)."""
        return {f.name: _jsonable(np.asarray(getattr(self, f.name))) for f in fields(self)}


@dataclass(frozen=True, eq=False)
class BookLiquidation:
    """The result of :func:`book_liquidation`: ``positions`` aligned with the book, ``accounts`` summed."""

    positions: PositionLiquidation
    accounts: AccountSummary

    def to_dict(self) -> dict[str, Any]:
        """``{"positions": [row, ...], "accounts": [row, ...]}`` with the keys of ``--book --json``."""
        return {"positions": _rows(self.positions.to_dict()), "accounts": _rows(self.accounts.to_dict())}


def _rows(columns: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


# ---------------------------------------------------------------------------
# Inputs


def _error(column: str, rule: str, value: Any, index: int, kind: type[InputError] = InputError) -> InputError:
    shown = value.item() if isinstance(value, np.generic) else value
    return kind(column, rule, shown, index)


class _Numbers:
    """The number type of one call: float64 arrays, or Decimal objects (the exact path)."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.dtype: Any = object if exact else np.float64
        self.inf: Any = Decimal("Infinity") if exact else np.inf
        self.nan: Any = Decimal("NaN") if exact else np.nan
        self.zero: Any = Decimal(0) if exact else 0.0

    def of(self, value: Any) -> Any:
        if self.exact:
            return value if isinstance(value, Decimal) else Decimal(str(value))
        return float(value)

    def full(self, n: int, value: Any) -> Array:
        out = np.empty(n, dtype=self.dtype)
        out[:] = self.of(value)
        return out

    def group_sum(self, codes: Array, values: Array, n: int) -> Array:
        if not self.exact:
            return np.bincount(codes, weights=values, minlength=n)
        out = self.full(n, 0)
        np.add.at(out, codes, values)
        return out

    def given(self, values: Array) -> Array:
        if self.exact:
            return np.array([not v.is_nan() for v in values.tolist()], dtype=bool)
        return ~np.isnan(values)


@dataclass(frozen=True)
class _Bands:
    """The tiers of every row as ``K`` bands, gathered per band from the distinct tables."""

    low: Array  # tables × K (notional); padding: +inf
    high: Array
    rate: Array
    amount: Array
    tier: Array  # int tables × K
    cap: Array  # float tables × K (leverage cap; inf without one)
    count: Array  # bands per table
    table: Array  # per row: its table, −1 for a rate given in the row
    row_rate: Array
    row_amount: Array
    #: Bybit: each row's tier fixed at its entry value (the bands collapsed to it)
    fixed_tier: Array | None = None

    @property
    def width(self) -> int:
        return int(self.low.shape[1])

    def band(self, k: int) -> tuple[Array, Array, Array, Array, Array]:
        """``(low, high, rate, amount, present)`` of band ``k`` for every row."""
        direct = self.table < 0
        code = np.where(direct, 0, self.table)
        present = np.where(direct, k == 0, k < self.count[code])
        low, high = self.low[code, k], self.high[code, k]
        rate, amount = self.rate[code, k], self.amount[code, k]
        if k == 0:
            zero: Any = rate.dtype.type(0) if rate.dtype != object else Decimal(0)
            low = np.where(direct, zero, low)
            high = np.where(direct, _infinite_like(high), high)
            rate = np.where(direct, self.row_rate, rate)
            amount = np.where(direct, self.row_amount, amount)
        return low, high, rate, amount, present

    def index_at(self, notional: Array) -> Array:
        """Per row, the index of the band holding ``notional`` (rows with a given rate: 0)."""
        index = np.zeros(len(self.table), dtype=np.int64)
        for k in range(1, self.width):
            low, _, _, _, present = self.band(k)
            index += present & (notional >= low)
        return index

    def at(self, index: Array) -> tuple[Array, Array, Array]:
        """``(rate, amount, tier)`` per row at band ``index``."""
        direct = self.table < 0
        code = np.where(direct, 0, self.table)
        rate = np.where(direct, self.row_rate, self.rate[code, index])
        amount = np.where(direct, self.row_amount, self.amount[code, index])
        tier = np.where(direct, 0, self.tier[code, index])
        return rate, amount, tier


def _infinite_like(values: Array) -> Any:
    return Decimal("Infinity") if values.dtype == object else np.inf


def _tables_for(book: Book, tiers: Any) -> tuple[list[TierTable], Array]:
    """The distinct tier tables of the book's symbols and each symbol's table code (−1: none)."""
    codes = np.full(len(book.symbols), -1, dtype=np.int64)
    if tiers is None:
        return [], codes
    source: Any = tiers
    tables: list[TierTable] = []
    for code, symbol in enumerate(book.symbols.tolist()):
        table: TierTable | None
        if isinstance(source, TierTable):
            table = source if source.symbol == symbol else None
        elif isinstance(source, Mapping) and source and all(isinstance(t, TierTable) for t in source.values()):
            table = source.get(symbol)
        else:
            try:
                table = load_tiers(source, symbol)
            except InputError as error:
                if error.field != "symbol":
                    raise
                table = None
        if table is not None:
            if table not in tables:
                tables.append(table)
            codes[code] = tables.index(table)
    return tables, codes


def _bands(book: Book, tables: list[TierTable], symbol_table: Array, numbers: _Numbers,
           mm_at_entry: bool, entry_value: Array) -> _Bands:
    width = max([len(t.tiers) for t in tables], default=1)
    count = np.array([len(t.tiers) for t in tables] or [1], dtype=np.int64)
    shape = (max(len(tables), 1), width)
    low, high = np.full(shape, numbers.inf, dtype=numbers.dtype), np.full(shape, numbers.inf, dtype=numbers.dtype)
    rate, amount = np.full(shape, numbers.zero, dtype=numbers.dtype), np.full(shape, numbers.zero, dtype=numbers.dtype)
    tier, cap = np.zeros(shape, dtype=np.int64), np.full(shape, np.inf)
    for t, table in enumerate(tables):
        last = len(table.tiers) - 1
        for k, row in enumerate(table.tiers):
            low[t, k] = numbers.of(0 if k == 0 else row.min_notional)
            high[t, k] = numbers.inf if k == last else numbers.of(row.max_notional)
            rate[t, k] = numbers.of(row.maintenance_margin_rate)
            amount[t, k] = numbers.of(row.maintenance_amount)
            tier[t, k] = row.tier
            cap[t, k] = float(row.max_leverage)
    table = symbol_table[book.symbol_code]
    has_rate = numbers.given(book.maintenance_margin_rate)
    missing = (table < 0) & ~has_rate
    if missing.any():
        index = int(np.argmax(missing))
        rule = ("is required: the tier table does not hold this symbol" if tables
                else "is required (or give 'tiers' holding the symbol)")
        raise _error("maintenance_margin_rate", rule, book.symbol[index], index)
    given_amount = numbers.given(book.maintenance_amount)
    row_amount = np.where(given_amount, book.maintenance_amount, numbers.zero)
    bands = _Bands(low, high, rate, amount, tier, cap, count, table, book.maintenance_margin_rate, row_amount)
    with_table = table >= 0
    if with_table.any():
        top = np.array([numbers.of(t.max_notional) for t in tables] or [numbers.zero], dtype=numbers.dtype)
        over = with_table & (entry_value > top[np.where(with_table, table, 0)])
        if over.any():
            index = int(np.argmax(over))
            holder = tables[int(table[index])]
            raise _error("contracts", f"must give a notional at entry within the tier table of {holder.symbol} "
                         f"(0 to {holder.max_notional.normalize():f})", book.contracts[index], index, TierCapExceeded)
    if mm_at_entry and with_table.any():  # Bybit: the tier of the entry value, whatever the price
        rate_at, amount_at, _ = bands.at(bands.index_at(entry_value))
        tier_at = bands.tier[np.where(with_table, table, 0), bands.index_at(entry_value)]
        return _Bands(low, high, rate, amount, tier, cap, count, np.full(len(table), -1),
                      np.where(with_table, rate_at, book.maintenance_margin_rate),
                      np.where(with_table, amount_at, row_amount), np.where(with_table, tier_at, 0))
    return bands


# ---------------------------------------------------------------------------
# The vectorised solvers


def _value(kind: str, price: Array, size: Array) -> Array:
    return size * price if kind == "linear" else size / price


def _price_band(kind: str, low: Array, high: Array, size: Array, inf: Any) -> tuple[Array, Array]:
    """The mark prices at which a notional lies in ``[low, high)`` (elementwise)."""
    if kind == "linear":
        return low / size, high / size
    safe_low = np.where(low == 0, 1, low)
    return size / high, np.where(low == 0, inf, size / safe_low)


def _solve_single(kind: str, model: LiquidationModel, s: Array, entry: Array, size: Array, balance: Array,
                  bands: _Bands, fee: Any, numbers: _Numbers) -> Array:
    """The raw liquidation price of one position per row (``_solve`` with per-row tiers)."""
    inf = numbers.inf
    rising = s > 0
    zero_fee = 0 * fee
    a0, b0 = _coefficients(kind, model, s, size, entry, zero_fee, zero_fee, fee)
    a0 = balance + a0
    rate_in_a = _value(kind, entry, size) if model.mm_at_entry else None
    best_long = numbers.full(len(s), -inf)
    best_short = numbers.full(len(s), inf)
    for k in range(bands.width if not model.mm_at_entry else 1):
        low, high, rate, amount, present = bands.band(k)
        if rate_in_a is not None:
            big_a, big_b = a0 + amount - rate_in_a * rate, b0
        else:
            big_a, big_b = a0 + amount, b0 - size * rate
        root = _root(kind, big_a, big_b, rising, inf)
        low_p, high_p = _price_band(kind, low, high, size, inf)
        cand_long = _minimum(root, high_p)
        better_long = present & (root >= low_p) & (root > 0) & (cand_long >= best_long)
        best_long = np.where(better_long, cand_long, best_long)
        cand_short = _maximum(root, low_p)
        better_short = present & (root < high_p) & (cand_short < best_short)
        best_short = np.where(better_short, cand_short, best_short)
    return np.where(rising, best_long, best_short)


def _below_zero(kind: str, big_a: Array, big_b: Array, low: Array, high: Array, numbers: _Numbers
                ) -> tuple[Array, Array, Array]:
    """Elementwise ``(exists, from, to)``: the prices in ``[low, high]`` where ``A + B·x <= 0``."""
    if kind == "linear":
        flat = big_b == 0
        root = -big_a / np.where(flat, 1, big_b)
        upper = big_b > 0
        everywhere = flat & (big_a <= 0)
        nowhere = flat & (big_a > 0)
    else:
        flat = big_a == 0
        root = -big_b / np.where(flat, 1, big_a)
        upper = big_a > 0
        everywhere = (flat & (big_b <= 0)) | (~flat & ~upper & (root <= 0))
        nowhere = flat & (big_b > 0)
    up_ok = (root >= low) & (root > 0)
    down_ok = root <= high
    exists = np.where(everywhere, True, np.where(nowhere, False, np.where(upper, up_ok, down_ok)))
    start = np.where(everywhere | upper, low, _maximum(root, low))
    end = np.where(everywhere | ~upper, high, _minimum(root, high))
    return exists.astype(bool), start, end


def _solve_pairs(kind: str, model: LiquidationModel, first: Array, second: Array, s: Array, entry: Array,
                 size: Array, mark: Array, balance: Array, bands: _Bands, fee: Any, numbers: _Numbers,
                 bare: bool = False) -> tuple[Array, Array, Array]:
    """Hedged pairs (rows ``first`` and ``second`` share a price): ``(raw price, band first, band second)``.

    Between the prices where either leg changes tier, ``g = A + B·x``; the
    liquidation set there is an interval in closed form (``_solve_group``).
    The price is the end of the set nearest the mark: the nearest piece below
    or above it, or, with the mark inside the set, the nearer end of the part
    of the set holding it.  NaN where no positive price.
    """
    inf, zero = numbers.inf, numbers.zero
    pairs = len(first)
    legs = (first, second)
    points = []
    if not model.mm_at_entry and not bare:
        for leg in legs:
            for k in range(1, bands.width):
                low, _, _, _, present = bands.band(k)
                low, present = low[leg], present[leg]
                price = low / size[leg] if kind == "linear" else size[leg] / np.where(present, low, 1)
                points.append(np.where(present, price, inf))
    edges = [numbers.full(pairs, zero), *points, numbers.full(pairs, inf)]
    grid = np.sort(np.stack(edges, axis=1), axis=1)
    segments = grid.shape[1] - 1
    exists_all, start_all, end_all = [], [], []
    index_all: list[tuple[Array, Array]] = []
    for j in range(segments):
        lo, hi = grid[:, j], grid[:, j + 1]
        inside = np.where(lo == 0, hi / 2, np.where(hi == inf, lo * 2, (lo + hi) / 2))
        big_a, big_b = balance.copy(), numbers.full(pairs, zero)
        indices = []
        for leg in legs:
            if bare:
                rate, amount, leg_fee = numbers.full(pairs, zero), numbers.full(pairs, zero), 0 * fee
                band_index = np.zeros(pairs, dtype=np.int64)
            else:
                valued = _value(kind, entry[leg] if model.mm_at_entry else inside, size[leg])
                band_index = _index_for(bands, leg, valued)
                rate, amount, _ = _at(bands, leg, band_index)
                leg_fee = fee
            a, b = _coefficients(kind, model, s[leg], size[leg], entry[leg], rate, amount, leg_fee)
            big_a, big_b = big_a + a, big_b + b
            indices.append(band_index)
        exists, start, end = _below_zero(kind, big_a, big_b, lo, hi, numbers)
        exists_all.append(exists & (lo < hi))
        start_all.append(start)
        end_all.append(end)
        index_all.append((indices[0], indices[1]))
    exists = np.stack(exists_all, axis=1)
    start, end = np.stack(start_all, axis=1), np.stack(end_all, axis=1)
    rows = np.arange(pairs)
    m = mark[:, None]
    # connected parts of the set: a piece continues the previous one when they touch
    # (the end of the last piece before each segment: empty segments between do not separate)
    last_end = np.maximum.accumulate(np.where(exists, end, -inf), axis=1)
    before = np.concatenate([numbers.full(pairs, -inf)[:, None], last_end[:, :-1]], axis=1)
    label = np.cumsum(exists & ~(before >= start), axis=1)
    holds = exists & (start <= m) & (m <= end)
    inside_now = holds.any(axis=1)
    part = label[rows, np.argmax(holds, axis=1)]
    in_part = exists & (label == part[:, None]) & inside_now[:, None]
    below = exists & (end < m) & ~inside_now[:, None]
    above = exists & (start > m) & ~inside_now[:, None]
    # the lower candidate: the part's first start, or the end of the last piece below the mark
    lower_from_part = np.argmax(in_part, axis=1)
    lower_from_below = segments - 1 - np.argmax(below[:, ::-1], axis=1)
    lower_seg = np.where(inside_now, lower_from_part, lower_from_below)
    lower = np.where(inside_now, start[rows, lower_seg], end[rows, lower_seg])
    lower_ok = np.where(inside_now, True, below.any(axis=1)) & _valid_price(lower)
    upper_from_part = segments - 1 - np.argmax(in_part[:, ::-1], axis=1)
    upper_from_above = np.argmax(above, axis=1)
    upper_seg = np.where(inside_now, upper_from_part, upper_from_above)
    upper = np.where(inside_now, end[rows, upper_seg], start[rows, upper_seg])
    upper_ok = np.where(inside_now, True, above.any(axis=1)) & _valid_price(upper)
    far = numbers.full(pairs, inf)
    lower_distance = np.where(lower_ok, abs(np.where(lower_ok, lower, mark) - mark), far)
    upper_distance = np.where(upper_ok, abs(np.where(upper_ok, upper, mark) - mark), far)
    take_lower = lower_ok & (lower_distance <= upper_distance)
    take_upper = upper_ok & ~take_lower
    price = np.where(take_lower, lower, np.where(take_upper, upper, numbers.nan))
    segment = np.where(take_lower, lower_seg, upper_seg)
    first_index = np.stack([ix[0] for ix in index_all], axis=1)[rows, segment]
    second_index = np.stack([ix[1] for ix in index_all], axis=1)[rows, segment]
    found = take_lower | take_upper
    if not bare:  # no price: the tiers at the mark
        at_mark = [_index_for(bands, leg, _value(kind, entry[leg] if model.mm_at_entry else mark, size[leg]))
                   for leg in legs]
        first_index = np.where(found, first_index, at_mark[0])
        second_index = np.where(found, second_index, at_mark[1])
    return price, first_index, second_index


def _index_for(bands: _Bands, rows: Array, notional: Array) -> Array:
    index = np.zeros(len(rows), dtype=np.int64)
    for k in range(1, bands.width):
        low, _, _, _, present = bands.band(k)
        index += present[rows] & (notional >= low[rows])
    return index


def _at(bands: _Bands, rows: Array, index: Array) -> tuple[Array, Array, Array]:
    direct = bands.table[rows] < 0
    code = np.where(direct, 0, bands.table[rows])
    rate = np.where(direct, bands.row_rate[rows], bands.rate[code, index])
    amount = np.where(direct, bands.row_amount[rows], bands.amount[code, index])
    tier = np.where(direct, 0, bands.tier[code, index])
    return rate, amount, tier


# ---------------------------------------------------------------------------
# The calculator


def book_liquidation(
    positions: Book | Mapping[str, Any] | Any,
    accounts: Accounts | Mapping[str, Any] | Any = None,
    exchange: str = "binance-usdm",
    tiers: str | Path | Mapping[str, Any] | TierTable | None = None,
    taker_fee_rate: Any = None,
) -> BookLiquidation:
    """Every position's liquidation price in a book of isolated and cross positions over many accounts.

    Parameters
    ----------
    positions : Book, or its columns (dict of arrays, pandas DataFrame, pyarrow Table)
        See :class:`contractcalc.book.Book`.
    accounts : Accounts, or its columns (``account``, ``wallet_balance``)
        The cross wallet of every account that holds a cross position.
    exchange : str
        The exchange preset whose liquidation model applies (``binance-usdm``, ...).
    tiers : tier table, optional
        A shipped preset name, a ccxt ``fetch_leverage_tiers()`` file or mapping,
        or a :class:`~contractcalc.venues.tiers.TierTable`: the rows of the
        symbols it holds take their rate from the tier holding the notional at
        the liquidation price; the other rows need ``maintenance_margin_rate``.
    taker_fee_rate : number, optional
        The fee to close that ``okx-*`` counts (default: the preset's).

    Returns
    -------
    BookLiquidation
        ``positions`` (aligned with the book's rows) and ``accounts`` (the
        book's accounts, sorted: wallet, unrealized PnL and maintenance margin
        of the cross positions at their marks, and their ratio).

    Examples
    --------
    Two Binance accounts (hand check, ``docs/liquidation.md``): account ``a``
    holds 1 BTC long @ 60,000 and 10 ETH short @ 3,000 marked at 3,100 on a
    10,000 wallet; the BTC long sees 10,000 − 1,000 (ETH's PnL) − 155 (ETH's
    MM) = 8,845, so LP = (8,845 − 60,000) / (0.004 − 1) = 51,360.44.  Account
    ``b`` holds an isolated 0.5 BTC short @ 60,000 with 3,000 of margin:
    LP = (3,000 + 30,000) / (0.5 × 1.004) = 65,737.05.

    >>> result = book_liquidation(
    ...     {"account": ["a", "a", "b"], "symbol": ["BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USDT:USDT"],
    ...      "side": ["long", "short", "short"], "quantity": [1, 10, 0.5], "entry": [60000, 3000, 60000],
    ...      "mark": [60000, 3100, 60000], "margin_mode": ["cross", "cross", "isolated"],
    ...      "wallet_balance": [None, None, 3000], "maintenance_margin_rate": [0.004, 0.005, 0.004]},
    ...     {"account": ["a"], "wallet_balance": [10000]}, exchange="binance-usdm")
    >>> result.positions.liquidation_price.round(2)
    array([51360.44,  3956.22, 65737.05])
    >>> result.accounts.margin_balance, result.accounts.maintenance_margin
    (array([9000.,    0.]), array([395.,   0.]))
    """
    preset = exchange_preset(exchange)
    model = model_for(preset)
    kind = preset.contract
    book = positions if isinstance(positions, Book) else Book.from_columns(positions)
    numbers = _Numbers(book.exact)
    n = len(book)
    cross = ~book.isolated
    n_accounts = len(book.accounts)

    # the cross wallets
    if accounts is not None and not isinstance(accounts, Accounts):
        accounts = Accounts.from_columns(accounts, exact=book.exact)
    if accounts is not None:
        wallet, found = accounts.wallets_for(book.accounts)
        if book.exact and not accounts.exact:
            wallet = np.array([numbers.of(w) for w in wallet.tolist()], dtype=object)
        elif not book.exact:
            wallet = wallet.astype(np.float64)
    else:
        wallet, found = numbers.full(n_accounts, 0), np.zeros(n_accounts, dtype=bool)
    unfunded = cross & ~found[book.account_code]
    if unfunded.any():
        index = int(np.argmax(unfunded))
        raise _error("account", "must have a wallet in 'accounts' (it holds a cross position)",
                     book.account[index], index)

    # sizes, in the exchange's contract sizes where the book leaves them out
    contract_size = book.contract_size
    missing_size = ~numbers.given(contract_size)
    if missing_size.any():
        contract_size = contract_size.copy()
        for code in np.unique(book.symbol_code[missing_size]).tolist():
            symbol = str(book.symbols[code])
            size = preset.contract_size(symbol)
            rows = missing_size & (book.symbol_code == code)
            if size is None:
                index = int(np.argmax(rows))
                raise _error("contract_size", f"is required ({preset.name} has no default for this symbol)",
                             symbol, index)
            contract_size[rows] = numbers.of(size)
    size = book.contracts * contract_size
    s = book.side.astype(np.int64) if not book.exact else book.side.astype(object).astype(np.int64)
    entry, mark = book.entry, book.mark
    fee = _fee_rate(preset, model, taker_fee_rate, *((Decimal(0),) if book.exact else ()))
    if book.exact and not isinstance(fee, Decimal):
        fee = numbers.of(fee)
    entry_value = _value(kind, entry, size)

    tables, symbol_table = _tables_for(book, tiers)
    bands = _bands(book, tables, symbol_table, numbers, model.mm_at_entry, entry_value)
    fixed_tier = bands.fixed_tier
    for k in range(bands.width if fixed_tier is None else 1):
        _, _, rate, _, present = bands.band(k)
        bad = present & ~(rate + fee < 1)
        if bad.any():
            index = int(np.argmax(bad))
            raise _error("maintenance_margin_rate", "plus the fee rate must be < 1", rate[index], index)
    leverage_given = numbers.given(book.leverage)
    if tables and fixed_tier is None:
        with_table = (bands.table >= 0) & leverage_given
        if with_table.any():
            entry_band = bands.index_at(entry_value)
            cap = bands.cap[np.where(bands.table >= 0, bands.table, 0), entry_band]
            over = with_table & (np.asarray(book.leverage, dtype=float) > cap)
            if over.any():
                index = int(np.argmax(over))
                raise _error("leverage", f"must be <= {cap[index]:g}, the cap of the tier holding the entry notional",
                             book.leverage[index], index, TierCapExceeded)

    # at the marks: PnL and requirement of every position
    pnl = s * size * (mark - entry) if kind == "linear" else s * size * (1 / entry - 1 / mark)
    valued_mark = entry_value if model.mm_at_entry else _value(kind, mark, size)
    rate_mark, amount_mark, _ = bands.at(bands.index_at(valued_mark) if fixed_tier is None
                                         else np.zeros(n, dtype=np.int64))
    mm_mark = valued_mark * rate_mark - amount_mark
    req_mark = mm_mark + _value(kind, mark, size) * fee if model.counts_close_fee else mm_mark

    # the margin each position's equation starts from
    zero = numbers.zero
    cross_net = np.where(cross, pnl - req_mark, zero)
    cross_pnl = np.where(cross, pnl, zero)
    account_net = numbers.group_sum(book.account_code, cross_net, n_accounts)
    account_pnl = numbers.group_sum(book.account_code, cross_pnl, n_accounts)
    group_net = numbers.group_sum(book.leg_group, cross_net, book.leg_groups)
    group_pnl = numbers.group_sum(book.leg_group, cross_pnl, book.leg_groups)
    account_wallet = wallet[book.account_code]
    others_net = account_net[book.account_code] - group_net[book.leg_group]
    others_pnl = account_pnl[book.account_code] - group_pnl[book.leg_group]
    own_margin = np.where(numbers.given(book.wallet_balance), book.wallet_balance,
                          entry_value / np.where(leverage_given, book.leverage, 1))
    balance = np.where(cross, account_wallet + others_net, own_margin)
    equity = np.where(cross, account_wallet + others_pnl, own_margin)

    # hedged symbols: at most one long and one short leg per (account, symbol) among the cross rows
    legs_long = np.bincount(book.leg_group[cross & (s > 0)], minlength=book.leg_groups)
    legs_short = np.bincount(book.leg_group[cross & (s < 0)], minlength=book.leg_groups)
    crowded = cross & (np.where(s > 0, legs_long[book.leg_group], legs_short[book.leg_group]) > 1)
    if crowded.any():
        first_crowded = int(np.argmax(crowded))
        same = crowded & (book.leg_group == book.leg_group[first_crowded]) & (s == s[first_crowded])
        index = int(np.flatnonzero(same)[1])
        raise _error("side", "must leave at most one long and one short leg per symbol in a cross account "
                     "(hedge mode)", book.side_names[index], index)
    hedged = cross & (legs_long[book.leg_group] > 0) & (legs_short[book.leg_group] > 0)

    # single positions (isolated, or alone in their symbol): one vectorised solve
    raw = _solve_single(kind, model, s, entry, size, balance, bands, fee, numbers)
    ok = _valid_price(raw)
    price = np.where(ok, raw, numbers.nan)
    index_at_price = (bands.index_at(_value(kind, np.where(ok, raw, entry), size)) if fixed_tier is None
                      else np.zeros(n, dtype=np.int64))
    equity_ok = equity >= 0
    if kind == "linear":
        bankrupt_raw = entry - s * np.where(equity_ok, equity, 0) / size
    else:
        inverse_price = 1 / entry + s * np.where(equity_ok, equity, 0) / size
        bankrupt_raw = 1 / np.where(inverse_price > 0, inverse_price, 1 / entry)
        bankrupt_raw = np.where(inverse_price > 0, bankrupt_raw, numbers.nan)
    bankrupt_ok = _valid_price(bankrupt_raw) & equity_ok
    if not equity_ok.all():  # a negative equity: solved with no requirement (as the bare hedge legs)
        empty = _Bands(bands.low[:, :1], bands.high[:, :1], bands.rate[:, :1] * 0, bands.amount[:, :1] * 0,
                       bands.tier[:, :1], bands.cap[:, :1], np.ones_like(bands.count), np.full(n, -1),
                       numbers.full(n, 0), numbers.full(n, 0))
        bare_raw = _solve_single(kind, model, s, entry, size, equity, empty, 0 * fee, numbers)
        bankrupt_raw = np.where(equity_ok, bankrupt_raw, bare_raw)
        bankrupt_ok = _valid_price(bankrupt_raw)
    bankrupt = np.where(bankrupt_ok, bankrupt_raw, numbers.nan)

    if hedged.any():
        rows = np.flatnonzero(hedged)
        order = np.argsort(book.leg_group[rows], kind="stable")
        rows = rows[order]
        first, second = rows[0::2], rows[1::2]
        moved = mark[first] != mark[second]
        if moved.any():
            index = int(second[np.argmax(moved)])
            raise _error("mark", f"must equal the mark of row {int(first[np.argmax(moved)])} (the legs of one "
                         "symbol move with one mark)", mark[index], index)
        shared_balance = balance[first]
        pair_price, first_index, second_index = _solve_pairs(kind, model, first, second, s, entry, size, mark[first],
                                                             shared_balance, bands, fee, numbers)
        pair_ok = _valid_price(pair_price)
        bare_price, _, _ = _solve_pairs(kind, model, first, second, s, entry, size, mark[first], equity[first],
                                        bands, fee, numbers, bare=True)
        for leg, leg_index in ((first, first_index), (second, second_index)):
            price[leg] = np.where(pair_ok, pair_price, numbers.nan)
            ok[leg] = pair_ok
            index_at_price[leg] = leg_index
            bankrupt[leg] = np.where(_valid_price(bare_price), bare_price, numbers.nan)

    rate_at, amount_at, tier_at = bands.at(index_at_price)
    if fixed_tier is not None:
        tier_at = fixed_tier
    valued = entry_value if model.mm_at_entry else _value(kind, np.where(ok, price, entry), size)
    keep = ok | model.mm_at_entry
    nan = numbers.nan
    safe_price = np.where(ok, price, mark)
    result = PositionLiquidation(
        account=book.account,
        symbol=book.symbol,
        side=book.side_names,
        margin_mode=book.margin_mode,
        contracts=book.contracts,
        contract_size=contract_size,
        entry_price=entry,
        mark_price=mark,
        liquidation_price=price,
        bankruptcy_price=bankrupt,
        maintenance_margin=np.where(ok, valued * rate_at - amount_at, nan),
        maintenance_margin_rate=np.where(keep, rate_at, nan),
        maintenance_amount=np.where(keep, amount_at, nan),
        tier=np.where(keep, tier_at, 0).astype(np.int64),
        unrealized_pnl=pnl,
        maintenance_margin_at_mark=mm_mark,
        distance_to_liquidation=np.where(ok, abs(safe_price - mark) / mark, nan),
        hedged=hedged,
        margin=balance,
        note=_notes(ok, s, safe_price, mark, hedged, cross),
    )
    margin_balance = wallet + account_pnl
    total_mm = numbers.group_sum(book.account_code, np.where(cross, mm_mark, zero), n_accounts)
    positive = margin_balance > 0
    summary = AccountSummary(
        account=book.accounts,
        wallet_balance=wallet,
        unrealized_pnl=account_pnl,
        margin_balance=margin_balance,
        maintenance_margin=total_mm,
        margin_ratio=np.where(positive, total_mm / np.where(positive, margin_balance, 1), nan),
    )
    return BookLiquidation(result, summary)


def _notes(ok: Array, s: Array, price: Array, mark: Array, hedged: Array, cross: Array) -> Array:
    beyond = ok & ~hedged & (((s > 0) & (price >= mark)) | ((s < 0) & (price <= mark)))
    notes = np.full(len(ok), None, dtype=object)
    notes[~ok & cross] = NOTE_NO_PRICE_CROSS
    notes[~ok & ~cross] = NOTE_NO_PRICE_ISOLATED
    notes[beyond & cross] = NOTE_NOW_CROSS
    notes[beyond & ~cross] = NOTE_NOW_ISOLATED
    return notes
