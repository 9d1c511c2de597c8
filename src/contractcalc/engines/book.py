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

import contextlib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import numpy as np

from contractcalc.book import Accounts, Book
from contractcalc.core import kernels
from contractcalc.engines.models import (
    MODELS,
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


#: ``reason`` codes: the note each stands for (0: an ordinary price)
NOTES = (None, NOTE_NO_PRICE_CROSS, NOTE_NOW_CROSS, NOTE_NO_PRICE_ISOLATED, NOTE_NOW_ISOLATED)


@dataclass(frozen=True)
class _Context:
    """What the secondary outputs of a :class:`PositionLiquidation` are computed from, on first use."""

    kind: str
    model: LiquidationModel
    s: Array
    entry: Array
    size: Array
    mark: Array
    equity_of: Any  # () -> the margin balance each position's bankruptcy starts from
    ok: Array
    price: Array
    bands: _Bands
    numbers: _Numbers
    entry_value: Array
    hedged_rows: Array
    #: the band index at the price of each hedged row (its pair's solve found it)
    hedged_index: Array
    hedged_bankruptcy: Array
    #: Bybit cross with a taker rate: the bankruptcy prices with the fee to close (the cross rows')
    fee_bankruptcy: Array | None = None


#: The keys of a position's row in ``to_dict()`` (and ``liquidation --book --json``), in order.
POSITION_KEYS = (
    "account", "symbol", "side", "margin_mode", "contracts", "contract_size", "entry_price", "mark_price",
    "liquidation_price", "bankruptcy_price", "maintenance_margin", "maintenance_margin_rate", "maintenance_amount",
    "tier", "unrealized_pnl", "maintenance_margin_at_mark", "distance_to_liquidation", "hedged", "margin", "note",
)


@dataclass(frozen=True, eq=False)
class PositionLiquidation:
    """Per position, aligned with the book's rows (NaN where there is no value).

    The liquidation price, PnL and requirement at the mark are computed by
    :func:`book_liquidation`; the other columns (bankruptcy price, the
    requirement at the liquidation price and its tier, the distance, the
    notes and the text of ``side`` and ``margin_mode``) on first use, so a
    caller that reads only the prices does not pay for them.
    """

    account: Array
    symbol: Array
    #: +1 long, −1 short
    side_sign: Array
    #: True for an isolated position
    isolated: Array
    contracts: Array
    contract_size: Array
    entry_price: Array
    mark_price: Array
    #: where the margin balance meets the requirement (NaN: no price liquidates)
    liquidation_price: Array
    unrealized_pnl: Array
    maintenance_margin_at_mark: Array
    #: a leg of a hedged symbol (a long and a short in one cross account)
    hedged: Array
    #: the margin the position's equation starts from: its own (isolated) or the account's less the others'
    margin: Array
    _context: _Context = field(repr=False)
    #: Bybit cross with a taker rate only: the fee to close at the bankruptcy price, part of each cross
    #: position's requirement (0 for isolated rows); ``None`` otherwise
    fee_to_close: Array | None = None

    @functools.cached_property
    def side(self) -> Array:
        """``'long'`` / ``'short'`` per position."""
        return np.where(self.side_sign > 0, "long", "short")

    @functools.cached_property
    def margin_mode(self) -> Array:
        """``'isolated'`` / ``'cross'`` per position."""
        return np.where(self.isolated, "isolated", "cross")

    @functools.cached_property
    def bankruptcy_price(self) -> Array:
        """Where the margin balance is zero (NaN: no positive price)."""
        c = self._context
        price = _bankruptcy(c.kind, c.model, c.s, c.entry, c.size, c.equity_of(), c.numbers)
        if len(c.hedged_rows):
            price[c.hedged_rows] = c.hedged_bankruptcy
        if c.fee_bankruptcy is not None:
            price = np.where(self.isolated, price, c.fee_bankruptcy)
        return price

    @functools.cached_property
    def _safe_price(self) -> Array:
        """The liquidation price, the mark where there is none."""
        return np.where(self._context.ok, self._context.price, self._context.mark)

    @functools.cached_property
    def _at_price(self) -> tuple[Array, Array, Array]:
        """``(rate, amount, tier)`` of the band holding the notional at the liquidation price (the mark: none)."""
        c = self._context
        if c.bands.width > 1:
            index = c.bands.index_at(_value(c.kind, self._safe_price, c.size))
        else:
            index = np.zeros(len(c.s), dtype=np.int64)
        if len(c.hedged_rows):
            index[c.hedged_rows] = c.hedged_index
        return c.bands.at(index)

    @functools.cached_property
    def maintenance_margin(self) -> Array:
        """The requirement at the liquidation price (Bybit: valued at entry); NaN without a price."""
        c = self._context
        rate, amount, _ = self._at_price
        valued = c.entry_value if c.model.mm_at_entry else _value(c.kind, self._safe_price, c.size)
        return np.where(c.ok, valued * rate - amount, c.numbers.nan)

    @functools.cached_property
    def maintenance_margin_rate(self) -> Array:
        """The rate of the tier holding the notional at the liquidation price (Bybit: at entry)."""
        rate = np.broadcast_to(self._at_price[0], self.liquidation_price.shape)
        return rate if self._context.model.mm_at_entry else np.where(self._context.ok, rate, self._context.numbers.nan)

    @functools.cached_property
    def maintenance_amount(self) -> Array:
        """The amount (Binance ``cum``) of that tier."""
        amount = np.broadcast_to(self._at_price[1], self.liquidation_price.shape)
        return amount if self._context.model.mm_at_entry else np.where(self._context.ok, amount,
                                                                       self._context.numbers.nan)

    @functools.cached_property
    def tier(self) -> Array:
        """The exchange's number of that tier (0: the rate came from the book, or no price)."""
        tier = np.broadcast_to(np.asarray(self._at_price[2], dtype=np.int64), self.liquidation_price.shape)
        return tier if self._context.model.mm_at_entry else np.where(self._context.ok, tier, 0)

    @functools.cached_property
    def distance_to_liquidation(self) -> Array:
        """``|LP − mark| / mark`` (NaN without a price)."""
        c = self._context
        return np.where(c.ok, abs(self._safe_price - c.mark) / c.mark, c.numbers.nan)

    @functools.cached_property
    def reason(self) -> Array:
        """Why there is no ordinary price: an index into :data:`NOTES` (0: none)."""
        c = self._context
        return _reasons(c.ok, c.s, self._safe_price, c.mark, self.hedged, self.isolated)

    @property
    def note(self) -> Array:
        """Why there is no price, or that the position is liquidated at its mark already (None otherwise)."""
        return np.array(NOTES, dtype=object)[self.reason]

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as JSON-ready lists (NaN → None), keys as :data:`POSITION_KEYS`."""
        out: dict[str, list[Any]] = {}
        for key in POSITION_KEYS:
            values = getattr(self, key)
            out[key] = values.tolist() if key in ("side", "margin_mode", "note") else _jsonable(np.asarray(values))
        if self.fee_to_close is not None:
            out["fee_to_close"] = _jsonable(np.asarray(self.fee_to_close))
        return out


@dataclass(frozen=True, eq=False)
class AccountSummary:
    """Per account (the book's accounts, sorted): its cross positions at their marks, summed on first use."""

    account: Array
    #: the cross wallet (0 for an account without one)
    wallet_balance: Array
    _codes: Array = field(repr=False)
    _pnl: Array = field(repr=False)  # per row, 0 for isolated rows
    _mm: Array = field(repr=False)
    _numbers: _Numbers = field(repr=False)

    @functools.cached_property
    def unrealized_pnl(self) -> Array:
        """The PnL of the account's cross positions at their marks."""
        return self._numbers.group_sum(self._codes, self._pnl, len(self.account))

    @functools.cached_property
    def margin_balance(self) -> Array:
        """Wallet balance + unrealized PnL."""
        return self.wallet_balance + self.unrealized_pnl

    @functools.cached_property
    def maintenance_margin(self) -> Array:
        """The maintenance margin of the account's cross positions at their marks."""
        return self._numbers.group_sum(self._codes, self._mm, len(self.account))

    @functools.cached_property
    def margin_ratio(self) -> Array:
        """Maintenance margin / margin balance (liquidation at 1; NaN where the balance is <= 0)."""
        balance = self.margin_balance
        positive = balance > 0
        return np.where(positive, self.maintenance_margin / np.where(positive, balance, 1), self._numbers.nan)

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as JSON-ready lists (NaN → None)."""
        return {key: _jsonable(np.asarray(getattr(self, key))) for key in ACCOUNT_KEYS}


#: The keys of an account's row in ``to_dict()``.
ACCOUNT_KEYS = ("account", "wallet_balance", "unrealized_pnl", "margin_balance", "maintenance_margin", "margin_ratio")


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

    def precise(self) -> Any:
        """A context for grouped sums: Decimal sums of the others are taken as ``Σ_A − Σ_G``, so they are
        carried at 60 digits (exact for any inputs of 28) before rounding back."""
        return localcontext(prec=60) if self.exact else contextlib.nullcontext()

    def given(self, values: Array) -> Array:
        if self.exact:
            return np.array([not v.is_nan() for v in values.tolist()], dtype=bool)
        return ~np.isnan(values)


class _Bands:
    """Every row's tiers as bands ``k = 0 … K−1``, read from the distinct tables (``T × K`` arrays).

    A row whose rate is given in the book has one band (the rate everywhere).
    With one table (or none) a band's bounds, rate and amount are scalars, so
    the loops over the bands do no gathering at all.
    """

    def __init__(self, low: Array, high: Array, rate: Array, amount: Array, tier: Array, cap: Array,
                 count: Array, table: Array, row_rate: Array, row_amount: Array, numbers: _Numbers,
                 fixed_tier: Array | None = None, direct: bool | None = None) -> None:
        self.low, self.high, self.rate, self.amount = low, high, rate, amount
        self.tier, self.cap, self.count, self.table = tier, cap, count, table
        self.row_rate, self.row_amount, self.numbers = row_rate, row_amount, numbers
        #: Bybit: each row's tier fixed at its entry value (the bands collapsed to it)
        self.fixed_tier = fixed_tier
        if direct is None:  # per row: a row without a table takes the book's rate
            self.direct = table < 0
            self.all_direct = bool(self.direct.all())
            self.any_direct = bool(self.direct.any())
        else:  # every row alike (known from the symbols): no pass over the rows
            self.direct = np.broadcast_to(direct, table.shape)
            self.all_direct = self.any_direct = direct
        self.tables = int(low.shape[0])
        self.code = np.where(self.direct, 0, table) if self.tables > 1 else None
        self.width = 1 if self.all_direct else int(count.max())

    def _take(self, values: Array, k: Any) -> Array:
        """Column ``k`` (scalar or per-row index) of a ``T × K`` array, for every row (a scalar with one table)."""
        if self.tables == 1:
            return values[0, k]
        if np.ndim(k) == 0:
            return values[:, k][self.code]
        return values[self.code, k]

    def band(self, k: int) -> tuple[Any, Any, Any, Any, Any]:
        """``(low, high, rate, amount, present)`` of band ``k`` for every row (scalars where all rows agree)."""
        numbers = self.numbers
        if self.all_direct:
            return numbers.zero, numbers.inf, self.row_rate, self.row_amount, True
        low, high = self._take(self.low, k), self._take(self.high, k)
        rate, amount = self._take(self.rate, k), self._take(self.amount, k)
        present = k < self._take(self.count[:, None], 0)
        if self.any_direct:
            if k == 0:
                low = np.where(self.direct, numbers.zero, low)
                high = np.where(self.direct, numbers.inf, high)
                rate = np.where(self.direct, self.row_rate, rate)
                amount = np.where(self.direct, self.row_amount, amount)
            present = np.where(self.direct, k == 0, present)
        return low, high, rate, amount, present

    def index_at(self, notional: Array) -> Array:
        """Per row, the index of the band holding ``notional`` (rows with a given rate: 0)."""
        n = len(self.table)
        if self.all_direct or self.fixed_tier is not None:
            return np.zeros(n, dtype=np.int64)
        if self.tables == 1:
            floors = self.low[0, 1:int(self.count[0])]
            if self.numbers.exact:
                index: Array = np.searchsorted(floors, notional, side="right").astype(np.int64)
            else:  # a comparison per floor, counted in uint8: several times faster than a binary search per row
                index = kernels.count_at_or_above(notional, floors)
        else:
            index = np.zeros(n, dtype=np.int64)
            for k in range(1, self.width):
                low, _, _, _, present = self.band(k)
                index += present & (notional >= low)
        return np.where(self.direct, 0, index) if self.any_direct else index

    def rate_and_amount(self, index: Array | int) -> tuple[Array, Array]:
        """``(rate, amount)`` per row at band ``index``."""
        if self.all_direct:
            return self.row_rate, self.row_amount
        rate, amount = self._take(self.rate, index), self._take(self.amount, index)
        if self.any_direct:
            rate = np.where(self.direct, self.row_rate, rate)
            amount = np.where(self.direct, self.row_amount, amount)
        return rate, amount

    def maintenance_at(self, index: Array | int, valued: Array) -> Array:
        """``valued·rate − amount`` per row at band ``index`` (the requirement of a notional in that band)."""
        if np.ndim(index) == 0 or self.tables != 1 or self.any_direct or self.numbers.exact:
            rate, amount = self.rate_and_amount(index)
            return _minus(valued * rate, amount)
        # one table: gather the rate into a fresh array and work in it (each 500k-row array a call does not
        # allocate is time saved: fresh memory costs more than the arithmetic)
        requirement: Array = self.rate[0][index]
        requirement *= valued
        requirement -= self.amount[0][index]
        return requirement

    def at(self, index: Array) -> tuple[Array, Array, Array]:
        """``(rate, amount, tier)`` per row at band ``index``."""
        rate, amount = self.rate_and_amount(index)
        if self.all_direct:
            tier = self.fixed_tier if self.fixed_tier is not None else np.zeros(len(self.table), dtype=np.int64)
            return rate, amount, tier
        tier = self._take(self.tier, index)
        return rate, amount, np.where(self.direct, 0, tier) if self.any_direct else tier

    def rows(self, rows: Array) -> _Bands:
        """The bands of a subset of rows."""
        return _Bands(self.low, self.high, self.rate, self.amount, self.tier, self.cap, self.count,
                      self.table[rows], _pick(self.row_rate, rows), _pick(self.row_amount, rows), self.numbers,
                      None if self.fixed_tier is None else self.fixed_tier[rows])


def _pick(values: Any, rows: Array) -> Any:
    return values[rows] if np.ndim(values) else values


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
    for t, source in enumerate(tables):
        last = len(source.tiers) - 1
        for k, row in enumerate(source.tiers):
            low[t, k] = numbers.of(0 if k == 0 else row.min_notional)
            high[t, k] = numbers.inf if k == last else numbers.of(row.max_notional)
            rate[t, k] = numbers.of(row.maintenance_margin_rate)
            amount[t, k] = numbers.of(row.maintenance_amount)
            tier[t, k] = row.tier
            cap[t, k] = float(row.max_leverage)
    n = len(book)
    uniform: bool | None = None  # every row with a table (True: none): known from the symbols alone
    if not tables:
        table, uniform = np.full(n, -1, dtype=np.int64), True
    elif bool((symbol_table >= 0).all()):
        table = np.zeros(n, dtype=np.int64) if len(tables) == 1 else symbol_table[book.symbol_code]
        uniform = False
    else:
        table = symbol_table[book.symbol_code]
    direct = table < 0 if uniform is None else np.broadcast_to(uniform, (n,))
    if uniform is not False:  # rows without a table: their rate (and amount) come from the book
        missing = direct & ~numbers.given(book.maintenance_margin_rate)
        if missing.any():
            index = int(np.argmax(missing))
            rule = ("is required: the tier table does not hold this symbol" if tables
                    else "is required (or give 'tiers' holding the symbol)")
            raise _error("maintenance_margin_rate", rule, book.symbol[index], index)
        given_amount = numbers.given(book.maintenance_amount)
        row_amount = np.where(given_amount, book.maintenance_amount, numbers.zero) if given_amount.any() \
            else numbers.zero
    else:
        row_amount = numbers.zero
    bands = _Bands(low, high, rate, amount, tier, cap, count, table, book.maintenance_margin_rate, row_amount,
                   numbers, direct=uniform)
    if uniform is not True:
        top = np.array([numbers.of(t.max_notional) for t in tables], dtype=numbers.dtype)
        if uniform is False and len(tables) == 1:
            over = entry_value > top[0]
        else:
            with_table = ~direct
            over = with_table & (entry_value > top[np.where(with_table, table, 0)])
        if over.any():
            index = int(np.argmax(over))
            holder = tables[int(table[index])]
            raise _error("contracts", f"must give a notional at entry within the tier table of {holder.symbol} "
                         f"(0 to {holder.max_notional.normalize():f})", book.contracts[index], index, TierCapExceeded)
    if mm_at_entry and not bands.all_direct:  # Bybit: the tier of the entry value, whatever the price
        at_entry = bands.index_at(entry_value)
        rate_at, amount_at, tier_at = bands.at(at_entry)
        return _Bands(low, high, rate, amount, tier, cap, count, np.full(len(table), -1), rate_at, amount_at,
                      numbers, tier_at, direct=True)
    return bands


# ---------------------------------------------------------------------------
# The vectorised solvers


def settle_coin(symbol: str) -> str:
    """The coin a contract settles in: ccxt's ``BASE/QUOTE:SETTLE`` (futures ``-YYMMDD``), else the base.

    >>> settle_coin("BTC/USD:BTC-250328"), settle_coin("ETHUSD_PERP"), settle_coin("BTC-USD-SWAP")
    ('BTC', 'ETHUSD_PERP', 'BTC')
    """
    text = symbol.upper()
    if ":" in text:
        return text.split(":", 1)[1].split("-")[0]
    return text.split("/")[0] if "/" in text else text.split("-")[0].removesuffix("USD")


def _minus(x: Array, amount: Any) -> Array:
    """``x − amount``, skipping a subtraction of a scalar zero (no amounts in the book)."""
    if np.ndim(amount) == 0 and amount == 0:
        return x
    return x - amount


def _value(kind: str, price: Array, size: Array) -> Array:
    return size * price if kind == "linear" else size / price


def _price_band(kind: str, low: Array, high: Array, size: Array, inf: Any) -> tuple[Array, Array]:
    """The mark prices at which a notional lies in ``[low, high)`` (elementwise)."""
    if kind == "linear":
        return low / size, high / size
    safe_low = np.where(low == 0, 1, low)
    return size / high, np.where(low == 0, inf, size / safe_low)


def _solve_single(kind: str, model: LiquidationModel, s: Array, entry: Array, size: Array, balance: Array,
                  bands: _Bands, fee: Any, numbers: _Numbers, s_size: Array | None = None) -> Array:
    """The raw liquidation price of one position per row (``_solve`` with per-row tiers)."""
    inf = numbers.inf
    if bands.width == 1 and kind == "linear" and not model.mm_at_entry and not numbers.exact:
        # the closed form on floats: LP = (WB + cum − s·Q·E) / (Q·(MMR + f) − s·Q); its denominator is never 0
        # (MMR + f < 1), and a price <= 0 is "no price" to the caller
        _, _, rate, amount, _ = bands.band(0)
        signed = s * size if s_size is None else s_size
        return (_minus(balance, -amount) - signed * entry) / (size * (_minus(rate, -fee) - s))
    rising = s > 0
    zero_fee = 0 * fee
    a0, b0 = _coefficients(kind, model, s, size, entry, zero_fee, zero_fee, fee)
    a0 = balance + a0
    rate_in_a = _value(kind, entry, size) if model.mm_at_entry else None
    if bands.width == 1:  # one band everywhere: the root itself, where it is a price
        _, _, rate, amount, _ = bands.band(0)
        if rate_in_a is not None:
            return _root(kind, a0 + amount - rate_in_a * rate, b0, rising, inf)
        return _root(kind, a0 + amount, b0 - size * rate, rising, inf)
    best_long = numbers.full(len(s), -inf)
    best_short = numbers.full(len(s), inf)
    for k in range(bands.width):
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


def _continuous(bands: _Bands) -> bool:
    """One table whose maintenance margin is continuous (``cum`` by the recurrence), on floats, no book rates."""
    if bands.numbers.exact or bands.tables != 1 or bands.any_direct or bands.width < 2:
        return False
    count = int(bands.count[0])
    low, rate, amount = bands.low[0, :count], bands.rate[0, :count], bands.amount[0, :count]
    jump = low[1:] * (rate[1:] - rate[:-1]) - (amount[1:] - amount[:-1])  # MM(N_k) in tier k minus in tier k-1
    return bool(np.all(np.abs(jump) <= 1e-9 * np.maximum(1.0, low[1:] * rate[1:])))


def _solve_monotone(s: Array, entry: Array, size: Array, balance: Array, bands: _Bands, fee: float,
                    s_size: Array) -> Array:
    """Linear, one continuous table (Binance, OKX, Hyperliquid): the tier of the root found by its sign at the
    tier floors, then the closed form in that tier (no loop over the tiers).

    With ``N_k`` the floors (notional), the balance minus requirement at the price where the notional is
    ``N_k`` is ``base + c_k`` with ``base = WB − s·Q·E`` and ``c_k = N_k·(s − f) − (N_k·r_k − cum_k)``: the
    same ``c_k`` for every row of a side.  A long's margin gap rises with the price, so its root lies above
    every floor where ``base + c_k <= 0``; a short's falls, so its root lies above every floor where
    ``base + c_k > 0``.  Counting those floors (a comparison per floor, in ``uint8``) gives the tier.

    Every array of 500k rows a call allocates costs more than the arithmetic on it (fresh memory is
    faulted in page by page), so the work is done in place where the result is ours.
    """
    count = int(bands.count[0])
    floors, rates, amounts = bands.low[0, 1:count], bands.rate[0, :count], bands.amount[0, :count]
    mm_floor = floors * rates[1:] - amounts[1:]
    long_c = floors * (1 - fee) - mm_floor  # rising in k (slope 1 − r − f > 0)
    short_c = -floors * (1 + fee) - mm_floor  # falling in k
    base = s_size * entry  # s·Q·E (s_size: s·Q)
    np.subtract(balance, base, out=base)
    rising = s > 0
    # #{k: base + c_k <= 0} = #{k: base <= −long_c_k}; #{k: base + c_k > 0} = K − #{k: base <= −short_c_k}:
    # counted by a comparison per floor (kernels.count_at_or_above), each side only where it has rows
    floors_count = len(short_c)
    index: Array
    if rising.all():
        index = kernels.count_at_or_above(base, -long_c, below=True)
        side_index = index
    elif rising.any():
        index = np.where(rising, kernels.count_at_or_above(base, -long_c, below=True),
                         floors_count - kernels.count_at_or_above(base, -short_c, below=True))
        side_index = np.where(rising, index, index + count)
    else:
        index = floors_count - kernels.count_at_or_above(base, -short_c, below=True)
        side_index = index + count
    # (rate_k + f − s) by row: a table of 2K entries (longs' K first), gathered once
    per_side = np.concatenate([(rates + fee) - 1.0, (rates + fee) + 1.0])
    # (base + amount_k) / (Q·(rate_k + f − s)), in place
    price: Array = amounts[index]
    price += base
    del base
    denominator: Array = per_side[side_index]
    denominator *= size
    price /= denominator
    return price


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
                 bare: bool = False, bare_fee: Any = None) -> tuple[Array, Array, Array]:
    """Hedged pairs (rows ``first`` and ``second`` share a price): ``(raw price, band first, band second)``.

    Between the prices where either leg changes tier, ``g = A + B·x``; the
    liquidation set there is an interval in closed form (``_solve_group``).
    The price is the end of the set nearest the mark: the nearest piece below
    or above it, or, with the mark inside the set, the nearer end of the part
    of the set holding it.  NaN where no positive price.  ``bare``: no
    requirement (the bankruptcy price), but ``bare_fee`` as a fee to close
    at the price when given (with a model that counts it).
    """
    inf, zero = numbers.inf, numbers.zero
    pairs = len(first)
    legs = (first, second)
    leg_bands = (bands.rows(first), bands.rows(second))
    points = []
    if not model.mm_at_entry and not bare:
        for leg, own in zip(legs, leg_bands, strict=True):
            for k in range(1, own.width):
                low, _, _, _, present = own.band(k)
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
        for leg, own in zip(legs, leg_bands, strict=True):
            if bare:
                rate, amount = numbers.full(pairs, zero), numbers.full(pairs, zero)
                leg_fee = 0 * fee if bare_fee is None else bare_fee
                band_index = np.zeros(pairs, dtype=np.int64)
            else:
                valued = _value(kind, entry[leg] if model.mm_at_entry else inside, size[leg])
                band_index = own.index_at(valued)
                rate, amount, _ = own.at(band_index)
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
        at_mark = [own.index_at(_value(kind, entry[leg] if model.mm_at_entry else mark, size[leg]))
                   for leg, own in zip(legs, leg_bands, strict=True)]
        first_index = np.where(found, first_index, at_mark[0])
        second_index = np.where(found, second_index, at_mark[1])
    return price, first_index, second_index


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
    isolated = book.isolated
    any_isolated = bool(isolated.any())
    cross = ~isolated
    n_accounts = len(book.accounts)

    # the cross wallets, in the book's account order
    if accounts is not None and not isinstance(accounts, Accounts):
        accounts = Accounts.from_columns(accounts, exact=book.exact)
    if accounts is not None:
        wallet, found = accounts.wallets_for(book.accounts)
        if book.exact and not accounts.exact:
            wallet = np.array([numbers.of(w) for w in wallet.tolist()], dtype=object)
        elif not book.exact:
            wallet = wallet.astype(np.float64, copy=False)
    else:
        wallet, found = numbers.full(n_accounts, 0), np.zeros(n_accounts, dtype=bool)
    if not found.all():
        unfunded = cross & ~found[book.account_code]
        if unfunded.any():
            index = int(np.argmax(unfunded))
            if accounts is None:
                raise _error("accounts", "is required: the book holds cross positions (their wallets)",
                             book.account[index], index)
            raise _error("accounts", "must hold the wallet of every account with a cross position",
                         book.account[index], index)

    if kind == "inverse":  # inverse cross margin is per coin: one settlement coin per account's cross positions
        coins, coin_of_symbol = np.unique([settle_coin(str(name)) for name in book.symbols.tolist()],
                                          return_inverse=True)
        if len(coins) > 1 and cross.any():
            pair = book.account_code[cross] * len(coins) + coin_of_symbol[book.symbol_code[cross]]
            pairs, first_row = np.unique(pair, return_index=True)
            accounts_of_pairs = pairs // len(coins)
            mixed = np.flatnonzero(accounts_of_pairs[1:] == accounts_of_pairs[:-1])
            if mixed.size:
                index = int(np.flatnonzero(cross)[first_row[mixed[0] + 1]])
                raise _error("symbol", "must settle in the coin of the account's other cross positions (inverse "
                             "cross margin is per coin: give each coin its own account)", book.symbol[index], index)

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
    s = book.side.astype(object).astype(np.int64) if book.exact else book.sign
    entry, mark = book.entry, book.mark
    fee = _fee_rate(preset, model, taker_fee_rate, *((Decimal(0),) if book.exact else ()), cross=True)
    fee = numbers.of(fee) if book.exact else float(fee)
    entry_value = _value(kind, entry, size)

    tables, symbol_table = _tables_for(book, tiers)
    bands = _bands(book, tables, symbol_table, numbers, model.mm_at_entry, entry_value)
    for k in range(bands.width):
        _, _, rate, _, present = bands.band(k)
        bad = np.asarray(present & ~(rate + fee < 1))
        if bad.any():
            index = int(np.argmax(np.broadcast_to(bad, (n,))))
            raise _error("maintenance_margin_rate", "plus the fee rate must be < 1",
                         np.broadcast_to(rate, (n,))[index], index)
    leverage_given = numbers.given(book.leverage)
    if tables and bands.fixed_tier is None and leverage_given.any():
        with_table = ~bands.direct & leverage_given
        if with_table.any():
            cap = np.broadcast_to(bands._take(bands.cap, bands.index_at(entry_value)), (n,))
            over = with_table & (np.asarray(book.leverage, dtype=float) > cap)
            if over.any():
                index = int(np.argmax(over))
                raise _error("leverage", f"must be <= {cap[index]:g}, the cap of the tier holding the entry notional",
                             book.leverage[index], index, TierCapExceeded)

    # at the marks: PnL and requirement of every position
    s_size = s * size
    pnl = s_size * (mark - entry) if kind == "linear" else s_size * (1 / entry - 1 / mark)
    value_mark = _value(kind, mark, size)
    valued_mark = entry_value if model.mm_at_entry else value_mark
    mm_mark = bands.maintenance_at(bands.index_at(valued_mark) if bands.width > 1 else 0, valued_mark)
    req_mark = mm_mark + value_mark * fee if model.counts_close_fee else mm_mark
    del value_mark, valued_mark  # done with: the arrays below reuse their memory

    # the margin each position's equation starts from: the account's wallet and the others' net at their marks
    zero = numbers.zero
    net = pnl - req_mark
    cross_net = np.where(cross, net, zero) if any_isolated else net
    cross_pnl = np.where(cross, pnl, zero) if any_isolated else pnl
    alone = book.leg_groups == n  # every (account, symbol) holds one row: no hedged pairs
    code = book.account_code

    def per_symbol(values: Array) -> Array:
        """Each row's (account, symbol) sum of ``values`` (its own value where the symbol holds one row)."""
        return values if alone else numbers.group_sum(book.leg_group, values, book.leg_groups)[book.leg_group]

    if numbers.exact:  # the others' sum carried at 60 digits, then added to the wallet
        with numbers.precise():
            account_net = numbers.group_sum(code, cross_net, n_accounts)
            group_net = per_symbol(cross_net)
            others_net = account_net[code] - group_net
        balance = wallet[code] + others_net
    else:  # one gather: (wallet + the account's net) − the symbol's own net
        group_net = per_symbol(cross_net)
        balance = (wallet + numbers.group_sum(code, cross_net, n_accounts))[code]
        balance -= group_net
    del net, cross_net, group_net
    own_margin = None
    if any_isolated:
        own_margin = np.where(numbers.given(book.wallet_balance), book.wallet_balance,
                              entry_value / np.where(numbers.given(book.leverage), book.leverage, 1))
        balance = np.where(isolated, own_margin, balance)

    def equity_of() -> Array:
        """Wallet + the others' PnL (their requirement left out): where the margin balance is zero."""
        with numbers.precise():
            account_pnl = numbers.group_sum(code, cross_pnl, n_accounts)
            group_pnl = per_symbol(cross_pnl)
            others_pnl = account_pnl[code] - group_pnl
        equity = wallet[code] + others_pnl
        return equity if own_margin is None else np.where(isolated, own_margin, equity)

    # hedged symbols: at most one long and one short leg per (account, symbol) among the cross rows
    if alone:
        hedged = np.zeros(n, dtype=bool)
    else:
        legs_long = np.bincount(book.leg_group[cross & (s > 0)], minlength=book.leg_groups)
        legs_short = np.bincount(book.leg_group[cross & (s < 0)], minlength=book.leg_groups)
        crowded = cross & (np.where(s > 0, legs_long[book.leg_group], legs_short[book.leg_group]) > 1)
        if crowded.any():
            first_crowded = int(np.argmax(crowded))
            same = crowded & (book.leg_group == book.leg_group[first_crowded]) & (s == s[first_crowded])
            index = int(np.flatnonzero(same)[1])
            raise _error("side", "must leave at most one long and one short leg per symbol in a cross account "
                         "(hedge mode)", "long" if s[index] > 0 else "short", index)
        hedged = cross & (legs_long[book.leg_group] > 0) & (legs_short[book.leg_group] > 0)

    # Bybit cross with a taker rate: every cross position's requirement adds its fee to close at its bankruptcy
    # price (a fixed amount), so the account's fees come off each cross position's balance: the others' (their
    # requirement at their marks) and its own symbol's (its requirement at the price)
    solve_balance = balance
    close_fee = fee_bankruptcy = None
    if model.close_fee_at_bankruptcy and taker_fee_rate is not None and cross.any():
        close_fee, fee_bankruptcy = _bybit_close_fees(kind, cross, hedged, s, entry, size, mark, equity_of(), bands,
                                                      fee, numbers, book.leg_group)
        account_fees = numbers.group_sum(code, close_fee, n_accounts)[code]
        group_fees = per_symbol(close_fee)
        solve_balance = np.where(cross, balance - account_fees, balance)
        balance = np.where(cross, balance - (account_fees - group_fees), balance)

    # single positions (isolated, or alone in their symbol): one vectorised solve
    if kind == "linear" and not model.mm_at_entry and _continuous(bands):
        raw = _solve_monotone(s, entry, size, solve_balance, bands, float(fee), s_size)
    else:
        raw = _solve_single(kind, model, s, entry, size, solve_balance, bands, fee, numbers, s_size)
    del s_size
    ok: Array = _valid_price(raw)
    np.copyto(raw, numbers.nan, where=~ok)  # raw is the solvers' own new array
    price: Array = raw
    hedged_rows, hedged_index = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    hedged_bankruptcy = numbers.full(0, 0)

    if hedged.any():
        rows = np.flatnonzero(hedged)
        rows = rows[np.argsort(book.leg_group[rows], kind="stable")]
        first, second = rows[0::2], rows[1::2]
        moved = mark[first] != mark[second]
        if moved.any():
            index = int(second[np.argmax(moved)])
            raise _error("mark", f"must equal the mark of row {int(first[np.argmax(moved)])} (the legs of one "
                         "symbol move with one mark)", mark[index], index)
        pair_price, first_index, second_index = _solve_pairs(kind, model, first, second, s, entry, size, mark[first],
                                                             solve_balance[first], bands, fee, numbers)
        pair_ok = _valid_price(pair_price)
        bare_price, _, _ = _solve_pairs(kind, model, first, second, s, entry, size, mark[first],
                                        equity_of()[first], bands, fee, numbers, bare=True)
        bare = np.where(_valid_price(bare_price), bare_price, numbers.nan)
        for leg in (first, second):
            price[leg] = np.where(pair_ok, pair_price, numbers.nan)
            ok[leg] = pair_ok
        hedged_rows, hedged_bankruptcy = np.concatenate([first, second]), np.concatenate([bare, bare])
        hedged_index = np.concatenate([np.broadcast_to(first_index, first.shape),
                                       np.broadcast_to(second_index, second.shape)])

    context = _Context(kind, model, s, entry, size, mark, equity_of, ok, price, bands, numbers, entry_value,
                       hedged_rows, hedged_index, hedged_bankruptcy, fee_bankruptcy)
    result = PositionLiquidation(
        account=book.account,
        symbol=book.symbol,
        side_sign=book.side,
        isolated=isolated,
        contracts=book.contracts,
        contract_size=contract_size,
        entry_price=entry,
        mark_price=mark,
        liquidation_price=price,
        unrealized_pnl=pnl,
        maintenance_margin_at_mark=mm_mark,
        hedged=hedged,
        margin=balance,
        _context=context,
        fee_to_close=close_fee,
    )
    summary = AccountSummary(book.accounts, wallet, code, cross_pnl,
                             np.where(cross, mm_mark, zero) if any_isolated else mm_mark, numbers)
    return BookLiquidation(result, summary)


def _bybit_close_fees(kind: str, cross: Array, hedged: Array, s: Array, entry: Array, size: Array, mark: Array,
                      equity: Array, bands: _Bands, fee: Any, numbers: _Numbers, leg_group: Array
                      ) -> tuple[Array, Array]:
    """Bybit cross: ``(fee to close, bankruptcy price)`` per row, the price with the fee to close in it.

    ``equity`` (the wallet and the others' PnL) + ``s·PnL(BP)`` = ``f·value(BP)``
    (:func:`contractcalc.core.kernels.bybit_cross_bankruptcy_price`); a hedged
    pair's legs share one price, solved together with each leg's fee.  The fee
    is 0 on isolated rows and where no bankruptcy price exists.
    """
    price = kernels.bybit_cross_bankruptcy_price(kind == "linear", s, entry, size, equity, fee)
    if hedged.any():
        rows = np.flatnonzero(hedged)
        rows = rows[np.argsort(leg_group[rows], kind="stable")]
        first, second = rows[0::2], rows[1::2]
        pair, _, _ = _solve_pairs(kind, MODELS["okx"], first, second, s, entry, size, mark[first], equity[first],
                                  bands, fee, numbers, bare=True, bare_fee=fee)
        price = np.array(price, copy=True)
        price[first] = pair
        price[second] = pair
    valid = cross & _valid_price(price)
    fees = np.where(valid, _value(kind, np.where(valid, price, 1), size) * fee, numbers.zero)
    return fees, np.where(valid, price, numbers.nan)


def _bankruptcy(kind: str, model: LiquidationModel, s: Array, entry: Array, size: Array, equity: Array,
                numbers: _Numbers) -> Array:
    """Where the margin balance is zero: the closed form (a negative equity: solved with no requirement)."""
    equity_ok = equity >= 0
    everywhere = bool(equity_ok.all())
    start = equity if everywhere else np.where(equity_ok, equity, 0)
    if kind == "linear":
        raw = entry - s * start / size
    else:
        inverse_price = 1 / entry + s * start / size
        positive = inverse_price > 0
        raw = np.where(positive, 1 / np.where(positive, inverse_price, 1), numbers.nan)
    if not everywhere:
        zero_fee = 0 * numbers.zero
        a, b = _coefficients(kind, model, s, size, entry, zero_fee, zero_fee, zero_fee)
        bare = _root(kind, equity + a, b, s > 0, numbers.inf)
        raw = np.where(equity_ok, raw, bare)
    return np.where(_valid_price(raw), raw, numbers.nan)


def _reasons(ok: Array, s: Array, price: Array, mark: Array, hedged: Array, isolated: Array) -> Array:
    """The :data:`NOTES` code of every row."""
    beyond = ok & ~hedged & (((s > 0) & (price >= mark)) | ((s < 0) & (price <= mark)))
    reason = np.where(ok, np.where(beyond, 2, 0), 1).astype(np.int8)
    reason += (2 * (isolated & (reason > 0))).astype(np.int8)
    return reason


def _columns(data: Any, field: str) -> Any:
    """A book or accounts as given to ``liquidation_price``: a path is read, a list of rows becomes columns."""
    if isinstance(data, str | Path):
        from contractcalc.io.books import read_accounts, read_book

        return read_book(data) if field == "book" else read_accounts(data)
    if isinstance(data, list | tuple):
        if not data:
            raise InputError(field, "must hold at least one row", "[]")
        names: dict[str, None] = {}
        for k, row in enumerate(data):
            if not isinstance(row, Mapping):
                raise InputError(field, f"item {k} must be a row object", type(row).__name__)
            names.update(dict.fromkeys(map(str, row)))
        return {name: [row.get(name) for row in data] for name in names}
    return data


def liquidation_of_book(exchange: str, book: Any, accounts: Any, output: Any, tiers: Any, taker_fee_rate: Any,
                        single: Mapping[str, Any]) -> dict[str, Any]:
    """``liquidation_price(book=..., accounts=...)``: :func:`book_liquidation` as ``{"positions", "accounts"}``.

    ``book`` and ``accounts`` are objects, columns, lists of row objects (the
    HTTP API) or file paths; the keywords of one position (``single``) do not
    apply, and ``output`` is the command line's (it writes a file).
    """
    if output is not None:
        raise InputError("output", "is for the command line (it writes the table to a file)", output)
    if book is None:
        raise InputError("book", "is required with 'accounts' (the positions of those accounts)")
    for name, given in single.items():
        if given is not None:
            raise InputError(name, "does not go with 'book' (give it per row of the book)", given)
    positions = _columns(book, "book")
    wallets = None if accounts is None else _columns(accounts, "accounts")
    fee = None if taker_fee_rate is None else float(taker_fee_rate)
    return book_liquidation(positions, wallets, exchange=exchange, tiers=tiers, taker_fee_rate=fee).to_dict()
