"""Book stress: move every mark, see which margin pools are liquidated and what it costs.

A book is many accounts, each with cross positions (one pool: the account's
cross wallet plus their PnL) and isolated positions (each its own pool: its
margin plus its PnL).  A shock ``k`` moves every mark ``M`` to ``M·(1 + k)``.
A pool is liquidated when its margin balance at the shocked marks is at or
below its maintenance requirement there, computed the exchange's way
(:mod:`contractcalc.engines.liquidation`: the tier holding the notional at the
shocked mark, Bybit's at entry, OKX's fee to close):

    g(k) = WB + Σ s·PnL_i(k) − Σ req_i(k)  <=  0

**Why it is fast.**  Write ``z = 1 + k`` (linear) or ``z = 1 / (1 + k)``
(inverse).  Every position's PnL, notional and requirement in a fixed tier are
``a + b·z`` (``docs/liquidation.md``), so a pool's ``g`` is ``A + B·z`` with
``A, B`` sums over its positions (``bincount``) that change only where a
position's notional crosses a tier floor.  Those crossings are events on the
grid, accumulated per pool and summed along the grid (``cumsum``): the work is
``positions + events + pools × shocks``, not ``positions × shocks``, and it is
done in chunks of whole accounts so memory is bounded by the chunk.

**First liquidation, exactly.**  Between two of a pool's tier crossings ``g``
is linear in ``z``; walking the pieces from ``z = 1`` outwards, the first
piece where ``g`` reaches 0 holds the root in closed form.  An account's move
down (up) is the nearest of its pools'.

Every figure is in the book's settlement currency (quote for linear, the
coin for inverse: an inverse book settles in one coin).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from numpy.typing import NDArray

from contractcalc.book import Accounts, Book
from contractcalc.core import kernels
from contractcalc.engines.liquidation import LiquidationModel, bands_for, model_for
from contractcalc.engines.models import _fee_rate
from contractcalc.errors import InputError
from contractcalc.io.tiers import load_tiers
from contractcalc.venues.exchanges import ExchangePreset, exchange_preset
from contractcalc.venues.tiers import PRESET_TABLES, TierTable

__all__ = [
    "LADDER_KEYS",
    "MAX_SHOCKS",
    "AccountMoves",
    "Scenario",
    "StressBook",
    "StressResult",
    "account_moves",
    "as_float_shocks",
    "cascade",
    "close_fee_rates",
    "parse_shocks",
    "prepare_book",
    "span_scenarios",
    "stress",
    "stress_ladder",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

#: The keys of one ladder row (``--json``), in order.
LADDER_KEYS = ("shock", "accounts_liquidated", "positions_liquidated", "notional_liquidated", "shortfall")
#: Most shocks one run takes (a grid or a scenario file).
MAX_SHOCKS = 100_001
#: Positions per chunk: bounds the per-chunk arrays (pools × shocks) whatever the book's size.
CHUNK_POSITIONS = 32_768

ProgressCallback = Callable[[int, int], None]


# ---------------------------------------------------------------------------
# The shock grid


def parse_shocks(text: str) -> list[Decimal]:
    """The grid ``FROM:TO:STEP`` (both ends included) as exact decimals.

    >>> [str(k) for k in parse_shocks("-0.1:0.1:0.05")]
    ['-0.1', '-0.05', '0.00', '0.05', '0.1']
    >>> parse_shocks("0.1:-0.1:0.05")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'shocks' must go up: FROM <= TO (got '0.1:-0.1:0.05')
    """
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 3:
        raise InputError("shocks", "must be FROM:TO:STEP, e.g. -0.5:0.5:0.01", text)
    try:
        low, high, step = (Decimal(p.strip()) for p in parts)
    except InvalidOperation:
        raise InputError("shocks", "must be three numbers FROM:TO:STEP", text) from None
    if not all(x.is_finite() for x in (low, high, step)):
        raise InputError("shocks", "must be finite numbers", text)
    if low > high:
        raise InputError("shocks", "must go up: FROM <= TO", text)
    if step <= 0:
        raise InputError("shocks", "must have STEP > 0", text)
    if low <= -1:
        raise InputError("shocks", "must be > -1 (a move at or below -100 % leaves no price)", text)
    count = int((high - low) / step) + 1
    if count > MAX_SHOCKS:
        raise InputError("shocks", f"must hold at most {MAX_SHOCKS} shocks", text)
    return [low + step * i for i in range(count)]


@dataclass(frozen=True)
class Scenario:
    """One scenario: a name, a default move of every mark, per-symbol moves, and its weight."""

    name: str
    shock: Decimal
    by_symbol: Mapping[str, Decimal] = field(default_factory=dict)
    weight: Decimal = Decimal(1)

    @property
    def uniform(self) -> bool:
        return not self.by_symbol


def span_scenarios(scan_range: Decimal) -> list[Scenario]:
    """CME SPAN's 16 price scenarios for a futures book with a price-scan range.

    Scenarios 1–14 are the moves 0, ±1/3, ±2/3 and ±1 of the range, each twice
    (volatility up and down, the same for futures); 15–16 are the extreme
    moves ±2 ranges whose loss counts at 35 % (``weight``).

    >>> [str(s.shock) for s in span_scenarios(Decimal("0.09"))][:4]
    ['0', '0', '0.03', '0.03']
    >>> [(str(s.shock), str(s.weight)) for s in span_scenarios(Decimal("0.09"))[-2:]]
    [('0.18', '0.35'), ('-0.18', '0.35')]
    """
    if not scan_range.is_finite() or scan_range <= 0 or scan_range >= Decimal("0.5"):
        raise InputError("scenarios", "span's price-scan range must be > 0 and < 0.5", str(scan_range))
    out = []
    number = 1
    for thirds in (0, 1, -1, 2, -2, 3, -3):
        for vol in ("up", "down"):
            move = scan_range * thirds / 3
            out.append(Scenario(f"{number}: {_thirds(thirds)}, vol {vol}", move.normalize() + 0))
            number += 1
    for sign in (1, -1):
        out.append(Scenario(f"{number}: {'+' if sign > 0 else '-'}2 (35 %)", sign * 2 * scan_range,
                            weight=Decimal("0.35")))
        number += 1
    return out


def _thirds(n: int) -> str:
    if n == 0:
        return "0"
    whole = {3: "1", -3: "-1"}.get(n)
    return ("+" if n > 0 else "") + (whole if whole else f"{n}/3")


# ---------------------------------------------------------------------------
# The validated book


@dataclass(frozen=True)
class StressBook:
    """A validated book as columns, sorted by account (cross positions first), one pool per run.

    ``pool`` numbers the margin pools 0..P−1 in order; ``pool_start[p]`` is the
    first position of pool ``p``, ``account_start[a]`` the first pool of
    account ``a``.  ``table[i]`` is the index into ``tables`` of the position's
    tier table, or −1 where ``rate``/``amount`` hold its maintenance rate.
    """

    kind: str
    model: LiquidationModel
    fee: float
    account_names: NDArray[Any]
    symbol_names: tuple[str, ...]
    symbol: Ints
    s: Floats
    size: Floats
    entry: Floats
    mark: Floats
    rate: Floats
    amount: Floats
    table: Ints
    tables: tuple[tuple[Floats, Floats, Floats], ...]  # (floors from the 2nd tier, rates, amounts)
    pool: Ints
    pool_start: Ints
    pool_wallet: Floats
    pool_account: Ints
    account_start: Ints
    #: Bybit cross with a taker rate: each position's fee to close at its bankruptcy price (a fixed amount in
    #: its requirement; 0 on isolated rows); ``None`` where no position has one
    close_fee: Floats | None = None

    @property
    def positions(self) -> int:
        return int(self.s.size)

    @property
    def accounts(self) -> int:
        return int(self.account_names.size)

    @property
    def pools(self) -> int:
        return int(self.pool_wallet.size)

    def chunks(self, max_positions: int = CHUNK_POSITIONS) -> Iterator[tuple[int, int]]:
        """``(first account, end account)`` ranges of whole accounts holding about ``max_positions``."""
        starts = self.pool_start[self.account_start]  # first position of each account
        first = 0
        n_accounts = self.accounts
        while first < n_accounts:
            target = starts[first] + max_positions
            end = int(np.searchsorted(starts, target, side="right"))
            end = max(end, first + 1)
            yield first, min(end, n_accounts)
            first = end


def _row_error(name: str, rule: str, values: NDArray[Any], bad: Bools) -> None:
    """An :class:`InputError` on the column ``name`` at the first row where ``bad`` holds."""
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = values[row]
        shown = value.item() if isinstance(value, np.generic) else value
        raise InputError(name, rule, shown, where=f" at index {row}")


def _table_for(tiers: Any, symbol: str, cache: dict[str, TierTable | None]) -> TierTable | None:
    if symbol not in cache:
        if isinstance(tiers, TierTable):
            cache[symbol] = tiers if tiers.symbol == symbol else None
        else:
            try:
                cache[symbol] = load_tiers(tiers, symbol)
            except InputError as error:
                if error.field != "symbol":
                    raise
                cache[symbol] = None
    return cache[symbol]


def _table_arrays(table: TierTable) -> tuple[Floats, Floats, Floats]:
    """``(floors from the 2nd tier, rates, amounts)`` of the table's kernel bands."""
    bands = bands_for(table)
    return bands.array("lows")[1:], bands.array("rates"), bands.array("amounts")


def _settle(symbol: str) -> str:
    text = symbol.upper()
    if ":" in text:
        return text.split(":", 1)[1].split("-")[0]
    return text.split("/")[0] if "/" in text else text.split("-")[0].removesuffix("USD")


def prepare_book(
    positions: Book | Mapping[str, Any],
    accounts: Accounts | Mapping[str, Any] | None = None,
    *,
    exchange: str | ExchangePreset,
    tiers: Any = None,
    taker_fee_rate: float | None = None,
) -> StressBook:
    """Check a :class:`~contractcalc.book.Book` against the exchange and lay it out for :func:`stress`.

    ``positions``: a :class:`Book` (or its columns: ``account, symbol, side``,
    ``quantity`` or ``contracts`` [``contract_size``], ``entry, mark``,
    ``margin_mode``, ``wallet_balance`` or ``leverage`` for an isolated
    position, ``maintenance_margin_rate`` [``maintenance_amount``] where
    ``tiers`` does not hold the symbol).  ``accounts``: the cross wallets; every
    account with cross positions needs one.  A rate given in a row wins over
    the tier table (it is what the exchange charges that position).
    ``taker_fee_rate``: the fee to close the exchange's rule counts
    (:func:`close_fee_rates`: OKX at the mark, Bybit cross at the bankruptcy
    price; refused elsewhere).
    """
    preset = exchange if isinstance(exchange, ExchangePreset) else exchange_preset(exchange)
    model = model_for(preset)
    kind = preset.contract
    book = positions if isinstance(positions, Book) else Book.from_columns(positions, exact=False)
    wallets = accounts if isinstance(accounts, Accounts) or accounts is None else Accounts.from_columns(
        accounts, exact=False)
    if book.exact:
        raise InputError("positions", "must be a float book (Book.from_columns(..., exact=False))")
    n = len(book)
    symbol_names = book.symbols
    symbol = book.symbol_code
    s = book.side.astype(np.float64)
    isolated = np.asarray(book.isolated, dtype=bool)
    entry = book.entry
    mark = book.mark

    defaults = np.array([np.nan if (d := preset.contract_size(str(name))) is None else float(d)
                         for name in symbol_names])
    contract_size = np.where(np.isnan(book.contract_size), defaults[symbol], book.contract_size)
    _row_error("contract_size", f"is required ({preset.name} has no default for this symbol)",
               book.symbol, np.isnan(contract_size))
    size = book.contracts * contract_size

    # one mark per symbol: the legs of a hedged symbol and every account see one market
    first_mark = np.full(symbol_names.size, np.nan)
    first_mark[symbol[::-1]] = mark[::-1]
    _row_error("mark", "must equal the mark of the symbol's other rows (one mark per symbol)", mark,
               mark != first_mark[symbol])
    if kind == "inverse":
        coins = sorted({_settle(str(name)) for name in symbol_names})
        if len(coins) > 1:
            raise InputError("positions", "must settle in one coin: an inverse book is per coin (one file per coin)",
                             ", ".join(coins))

    rate, amount, table, tables = _maintenance(book, preset, tiers)
    fee, bankruptcy_fee = close_fee_rates(preset, taker_fee_rate)
    top_rate = rate.copy()
    for t, (_, rates, _) in enumerate(tables):
        top_rate = np.where(table == t, rates.max(), top_rate)
    _row_error("maintenance_margin_rate", "plus the fee rate to close must be < 1", top_rate, top_rate + fee >= 1)

    # isolated margin: the wallet_balance column, or the initial margin from the leverage
    value_entry = size * entry if kind == "linear" else size / entry
    margin = np.where(np.isnan(book.wallet_balance), value_entry / np.where(np.isnan(book.leverage), 1.0,
                                                                            book.leverage), book.wallet_balance)

    # accounts: the cross wallet of every account with cross positions
    account_names = book.accounts
    account = book.account_code
    cross_wallet = np.full(account_names.size, np.nan)
    if wallets is not None:
        balance, found = wallets.wallets_for(account_names)
        cross_wallet = np.where(found, balance.astype(np.float64), np.nan)
    has_cross = np.zeros(account_names.size, dtype=bool)
    has_cross[account[~isolated]] = True
    missing = has_cross & np.isnan(cross_wallet)
    if missing.any():
        name = account_names[np.flatnonzero(missing)[0]]
        rule = "must have a wallet row for every account with cross positions"
        raise InputError("accounts", rule if wallets is not None else rule + " (give --accounts)", str(name))

    order = np.lexsort((isolated, account)) if not _sorted(account, isolated) else np.arange(n)
    account = account[order]
    isolated = isolated[order]
    new_pool = np.ones(n, dtype=bool)
    new_pool[1:] = (account[1:] != account[:-1]) | isolated[1:]
    pool_start = np.flatnonzero(new_pool).astype(np.int64)
    pool = np.cumsum(new_pool, dtype=np.int64) - 1
    pool_account = account[pool_start]
    pool_wallet = np.where(isolated[pool_start], margin[order][pool_start], cross_wallet[pool_account])
    account_start = np.flatnonzero(np.r_[True, pool_account[1:] != pool_account[:-1]]).astype(np.int64)
    close_fee = None
    if bankruptcy_fee > 0 and not isolated.all():
        close_fee = _bybit_close_fees(kind == "linear", ~isolated, pool, symbol[order], s[order], size[order],
                                      entry[order], mark[order], pool_wallet.astype(np.float64), bankruptcy_fee)

    return StressBook(
        kind=kind, model=model, fee=fee, account_names=account_names,
        symbol_names=tuple(str(x) for x in symbol_names), symbol=symbol[order],
        s=s[order], size=size[order], entry=entry[order], mark=mark[order],
        rate=rate[order], amount=amount[order], table=table[order], tables=tables,
        pool=pool, pool_start=pool_start, pool_wallet=pool_wallet.astype(np.float64),
        pool_account=pool_account, account_start=account_start, close_fee=close_fee,
    )


def close_fee_rates(exchange: str | ExchangePreset, taker_fee_rate: float | None) -> tuple[float, float]:
    """``(fee to close at the mark, fee to close at the bankruptcy price)``: the taker rates stress counts.

    As :func:`contractcalc.engines.book.book_liquidation`: ``okx-*`` (Gate,
    Bitget) count the given rate, else the preset's, at the shocked mark;
    ``bybit-*`` count the given rate at each cross position's bankruptcy price
    (0 when none is given); the others' rules have no fee to close, so a
    non-zero rate there is refused (it would change nothing).

    >>> close_fee_rates("okx-linear", 0.0005), close_fee_rates("bybit-linear", 0.00055)
    ((0.0005, 0.0), (0.0, 0.00055))
    >>> close_fee_rates("binance-usdm", 0.0005)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'taker_fee_rate' is not part of binance-usdm's liquidation formula (only okx-* \
counts the fee to close) (got 0.0005)
    """
    preset = exchange if isinstance(exchange, ExchangePreset) else exchange_preset(exchange)
    model = model_for(preset)
    rate = float(_fee_rate(preset, model, taker_fee_rate, cross=True))
    if model.close_fee_at_bankruptcy:
        return 0.0, rate
    return (rate, 0.0) if model.counts_close_fee else (0.0, 0.0)


def _bybit_close_fees(linear: bool, cross: Bools, pool: Ints, symbol: Ints, s: Floats, size: Floats, entry: Floats,
                      mark: Floats, pool_wallet: Floats, fee: float) -> Floats:
    """Bybit cross: each cross position's taker fee to close at its bankruptcy price (0 on isolated rows).

    As :func:`contractcalc.engines.book.book_liquidation`: the bankruptcy price
    of a position is where the pool's wallet plus the PnL of its other symbols
    at their marks, plus the symbol's own PnL there, equals the fee to close
    there (:func:`contractcalc.core.kernels.bybit_cross_bankruptcy_price`); the
    fee is a fixed amount, so a pool's ``g`` stays ``A + B·z``.  The legs of one
    symbol in one pool (hedged, or split) share one price: ``equity + Σ s·PnL_i(P)
    = f·Σ value_i(P)`` is linear in ``P`` (in ``1/P`` inverse), solved in closed form.
    """
    pnl = kernels.position_pnl(linear, s, entry, mark, size)
    pool_pnl = np.bincount(pool, pnl)
    _, group = np.unique(pool * (int(symbol.max()) + 1) + symbol, return_inverse=True)
    group = group.ravel()
    groups = int(group.max()) + 1
    equity = pool_wallet[pool] + pool_pnl[pool] - np.bincount(group, pnl, groups)[group]
    fees = np.asarray(kernels.bybit_fee_to_close(linear, s, entry, size, equity, fee), dtype=np.float64)
    legs = np.bincount(group, minlength=groups)
    shared = legs[group] > 1
    if shared.any():
        equity_of_group = np.zeros(groups)
        equity_of_group[group] = equity
        net = np.bincount(group, s * size, groups)
        total = np.bincount(group, size, groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            if linear:  # equity + Σ s·Q·(P − E) = f·Σ Q·P
                price = (np.bincount(group, s * size * entry, groups) - equity_of_group) / (net - fee * total)
            else:  # equity + Σ s·F·(1/E − 1/P) = f·Σ F / P
                price = (net + fee * total) / (equity_of_group + np.bincount(group, s * size / entry, groups))
        ok = np.isfinite(price) & (price > 0)
        at = np.where(ok, price, 1.0)[group]
        leg_fee = np.where(ok[group], (size * at if linear else size / at) * fee, 0.0)
        fees = np.where(shared, leg_fee, fees)
    return np.where(cross, fees, 0.0)


def _sorted(account: Ints, isolated: Bools) -> bool:
    """Whether rows are already by account, cross before isolated (a book written by account)."""
    if account.size < 2:
        return True
    step = np.diff(account)
    same = step == 0
    return bool((step >= 0).all() and not (same & isolated[:-1] & ~isolated[1:]).any())


def _maintenance(
    book: Book, preset: ExchangePreset, tiers: Any
) -> tuple[Floats, Floats, Ints, tuple[tuple[Floats, Floats, Floats], ...]]:
    """Per row its own rate and amount, or the index of its symbol's tier table (−1: own rate)."""
    rate = book.maintenance_margin_rate
    amount = np.where(np.isnan(book.maintenance_amount), 0.0, book.maintenance_amount)
    symbol_names = book.symbols
    symbol_table = np.full(symbol_names.size, -1, dtype=np.int64)
    tables: list[tuple[Floats, Floats, Floats]] = []
    if tiers is not None:
        if preset.liquidation_model == "hyperliquid":
            raise InputError("tiers", "hyperliquid has no tier tables (give maintenance_margin_rate per position)")
        cache: dict[str, TierTable | None] = {}
        seen: dict[int, int] = {}
        for code, name in enumerate(symbol_names):
            found = _table_for(tiers, str(name), cache)
            if found is None:
                continue
            if id(found) not in seen:
                seen[id(found)] = len(tables)
                tables.append(_table_arrays(found))
            symbol_table[code] = seen[id(found)]
    table = np.where(np.isnan(rate), symbol_table[book.symbol_code], -1)
    need = (table < 0) & np.isnan(rate)
    if need.any():
        shipped = ", ".join(p for p in PRESET_TABLES if p.startswith(preset.name)) or "none"
        rule = (f"is required where --tiers does not hold the symbol (shipped tables for {preset.name}: "
                f"{shipped})")
        _row_error("maintenance_margin_rate", rule, book.symbol, need)
    fixed = table < 0
    return np.where(fixed, rate, 0.0), np.where(fixed, amount, 0.0), table.astype(np.int64), tuple(tables)


# ---------------------------------------------------------------------------
# Kernels (clean arrays in, no checks)


@dataclass(frozen=True)
class _Chunk:
    """The positions of whole accounts ``[first, end)``, pools renumbered from 0."""

    sl: slice
    pool: Ints
    pool_count: int
    pool_wallet: Floats
    account_of_pool: Ints  # 0-based within the chunk
    account_count: int


def _chunk(book: StressBook, first: int, end: int) -> _Chunk:
    pool_lo = int(book.account_start[first])
    pool_hi = int(book.account_start[end]) if end < book.accounts else book.pools
    pos_lo = int(book.pool_start[pool_lo])
    pos_hi = int(book.pool_start[pool_hi]) if pool_hi < book.pools else book.positions
    return _Chunk(
        sl=slice(pos_lo, pos_hi),
        pool=book.pool[pos_lo:pos_hi] - pool_lo,
        pool_count=pool_hi - pool_lo,
        pool_wallet=book.pool_wallet[pool_lo:pool_hi],
        account_of_pool=book.pool_account[pool_lo:pool_hi] - first,
        account_count=end - first,
    )


def _weight(book: StressBook, sl: slice) -> Floats:
    """``w``: the notional at ``z = 1`` is ``w·z`` (linear ``Q·M``; inverse ``F/M``)."""
    size, mark = book.size[sl], book.mark[sl]
    return size * mark if book.kind == "linear" else size / mark


def _balance_terms(book: StressBook, sl: slice) -> tuple[Floats, Floats]:
    """Each position's PnL as ``a + b·z``."""
    s, size, entry, mark = book.s[sl], book.size[sl], book.entry[sl], book.mark[sl]
    if book.kind == "linear":  # s·Q·(M·z − E)
        return -s * size * entry, s * size * mark
    return s * size / entry, -s * size / mark  # s·F·(1/E − z/M)


def _requirement_terms(book: StressBook, sl: slice, tier_rate: Floats, tier_amount: Floats) -> tuple[Floats, Floats]:
    """Each position's requirement as ``c + d·z`` in the given rate and amount."""
    w = _weight(book, sl)
    if book.model.mm_at_entry:  # Bybit: valued at entry
        size, entry = book.size[sl], book.entry[sl]
        at_entry = size * entry if book.kind == "linear" else size / entry
        constant = at_entry * tier_rate - tier_amount
        if book.close_fee is not None:  # Bybit cross: the fee to close at the bankruptcy price, a fixed amount
            constant = constant + book.close_fee[sl]
        return constant, np.zeros_like(w)
    return -tier_amount, w * (tier_rate + book.fee)


def _tier_index(floors: Floats, notional: Floats) -> Ints:
    return np.searchsorted(floors, notional, side="right").astype(np.int64)


def _rates_at(book: StressBook, sl: slice, notional: Floats) -> tuple[Floats, Floats]:
    """The maintenance rate and amount of each position at ``notional`` (its tier, or its own rate)."""
    rate = book.rate[sl].copy()
    amount = book.amount[sl].copy()
    table = book.table[sl]
    for t, (floors, rates, amounts) in enumerate(book.tables):
        mask = table == t
        if mask.any():
            index = _tier_index(floors, notional[mask])
            rate[mask] = rates[index]
            amount[mask] = amounts[index]
    return rate, amount


def _entry_notional(book: StressBook, sl: slice) -> Floats:
    size, entry = book.size[sl], book.entry[sl]
    return size * entry if book.kind == "linear" else size / entry


def _z_of(kind: str, shocks: Floats) -> Floats:
    return 1.0 + shocks if kind == "linear" else 1.0 / (1.0 + shocks)


def _ladder_uniform(book: StressBook, chunk: _Chunk, shocks: Floats) -> Floats:
    """``(4, G)``: accounts, positions, notional and shortfall liquidated at each uniform shock."""
    sl, pools = chunk.sl, chunk.pool_count
    pool = chunk.pool
    z = _z_of(book.kind, shocks)
    order = np.argsort(z, kind="stable")
    z_sorted = z[order]
    n_grid = z.size
    w = _weight(book, sl)
    a, b = _balance_terms(book, sl)
    # margin balance per pool: MB = A_mb + B_mb·z
    a_mb = chunk.pool_wallet + np.bincount(pool, a, pools)
    b_mb = np.bincount(pool, b, pools)
    # requirement at the lowest grid z, then tier crossings as events on the sorted grid
    lowest = z_sorted[0]
    if book.model.mm_at_entry:
        rate, amount = _rates_at(book, sl, _entry_notional(book, sl))
    else:
        rate, amount = _rates_at(book, sl, w * lowest)
    c, d = _requirement_terms(book, sl, rate, amount)
    zs = z_sorted[None, :]
    # g = (A_mb − C) + (B_mb − D)·z, built in place (P × G is the one big array)
    gap = np.multiply((b_mb - np.bincount(pool, d, pools))[:, None], zs)
    gap += (a_mb - np.bincount(pool, c, pools))[:, None]
    if book.tables and not book.model.mm_at_entry:
        _tier_events(book, chunk, w, z_sorted, gap)
    liquidated = gap <= 0
    del gap
    # weighted column sums (einsum: one pass, no float copy of the mask, no BLAS threads)
    positions_liq = np.einsum("p,pg->g", np.bincount(pool, minlength=pools).astype(np.float64), liquidated)
    notional_w_liq = np.einsum("p,pg->g", np.bincount(pool, w, pools), liquidated)
    # shortfall: only pools whose margin balance goes below zero somewhere on the grid (its ends: it is linear)
    ends = np.minimum(a_mb + b_mb * z_sorted[0], a_mb + b_mb * z_sorted[-1])
    short = np.flatnonzero(ends < 0)
    shortfall = np.zeros(n_grid)
    if short.size:
        balance = np.multiply(b_mb[short, None], zs)
        balance += a_mb[short, None]
        np.minimum(balance, 0.0, out=balance)
        shortfall = -np.einsum("pg,pg->g", balance, liquidated[short])
    out = np.empty((4, n_grid))
    out[:, order] = np.vstack([_accounts_any(liquidated, chunk), positions_liq, notional_w_liq * z_sorted, shortfall])
    return out


def _accounts_any(liquidated: Bools, chunk: _Chunk) -> Floats:
    """Per grid point, the accounts with at least one liquidated pool (an account's pools are adjacent)."""
    starts = _starts(chunk)
    if starts.size == liquidated.shape[0]:  # one pool per account
        return np.asarray(np.count_nonzero(liquidated, axis=0), dtype=np.float64)
    per_account = np.diff(np.r_[starts, liquidated.shape[0]])
    most = int(per_account.max())
    if most > 64:  # a few very wide accounts: running sums along the pools instead of one pass per rank
        running = np.cumsum(np.ascontiguousarray(liquidated.T), axis=1, dtype=np.int32)  # G × P
        ends = running[:, np.r_[starts[1:], liquidated.shape[0]] - 1]
        ends[:, 1:] -= running[:, starts[1:] - 1]
        return np.asarray(np.count_nonzero(ends, axis=1), dtype=np.float64)
    hit = liquidated[starts]
    for rank in range(1, most):
        wide = np.flatnonzero(per_account > rank)
        hit[wide] |= liquidated[starts[wide] + rank]
    return np.asarray(np.count_nonzero(hit, axis=0), dtype=np.float64)


def _tier_events(book: StressBook, chunk: _Chunk, w: Floats, z_sorted: Floats, gap: Floats) -> None:
    """Subtract from ``gap`` the requirement added where positions' notionals cross tier floors on the grid."""
    pool, n_grid = chunk.pool, z_sorted.size
    table = book.table[chunk.sl]
    keys: list[Ints] = []
    steps_c: list[Floats] = []
    steps_d: list[Floats] = []
    for t, (floors, rates, amounts) in enumerate(book.tables):
        mask = np.flatnonzero(table == t)
        if mask.size == 0 or floors.size == 0:
            continue
        wt = w[mask]
        # grid index where each floor is reached: the first z with w·z >= floor
        crossing = floors[None, :] / wt[:, None]
        at = np.searchsorted(z_sorted, crossing, side="left")
        # a product w·z rounds; settle the index on the exact comparison the direct kernel makes
        at = _settle_index(at, z_sorted, wt, floors)
        rows, cols = np.nonzero((at > 0) & (at < n_grid))
        keys.append(pool[mask[rows]] * n_grid + at[rows, cols])
        steps_c.append(-(amounts[cols + 1] - amounts[cols]))
        steps_d.append(wt[rows] * (rates[cols + 1] - rates[cols]))
    if not keys or not sum(k.size for k in keys):
        return
    key = np.concatenate(keys)
    # only the pools with a crossing get a dense row of changes
    touched, local = np.unique(key // n_grid, return_inverse=True)
    dense_key = local * n_grid + key % n_grid
    size = touched.size * n_grid
    delta_c = np.asarray(np.bincount(dense_key, np.concatenate(steps_c), size), dtype=np.float64).reshape(
        touched.size, n_grid)
    delta_d = np.asarray(np.bincount(dense_key, np.concatenate(steps_d), size), dtype=np.float64).reshape(
        touched.size, n_grid)
    np.cumsum(delta_c, axis=1, out=delta_c)
    np.cumsum(delta_d, axis=1, out=delta_d)
    delta_d *= z_sorted[None, :]
    delta_c += delta_d
    gap[touched] -= delta_c


def _settle_index(at: Ints, z_sorted: Floats, w: Floats, floors: Floats) -> Ints:
    """Move each crossing index so that ``w·z[at] >= floor > w·z[at−1]`` holds in floating point."""
    n_grid = z_sorted.size
    for _ in range(2):
        below = (at < n_grid) & (w[:, None] * z_sorted[np.minimum(at, n_grid - 1)] < floors[None, :])
        at = at + below
        above = (at > 0) & (w[:, None] * z_sorted[np.maximum(at - 1, 0)] >= floors[None, :])
        at = at - above
    return at


def _starts(chunk: _Chunk) -> Ints:
    return np.flatnonzero(np.r_[True, chunk.account_of_pool[1:] != chunk.account_of_pool[:-1]])


def _ladder_direct(book: StressBook, chunk: _Chunk, z_by_symbol: Floats) -> Floats:
    """``(4, S)``: the same figures for scenarios whose move differs per symbol (``z_by_symbol``: S × symbols).

    Each position is valued at its own shocked mark with the position kernels
    (PnL, notional, maintenance margin in the tier holding that notional).
    """
    sl, pools, pool = chunk.sl, chunk.pool_count, chunk.pool
    linear = book.kind == "linear"
    s, size, entry, mark = book.s[sl], book.size[sl], book.entry[sl], book.mark[sl]
    symbol = book.symbol[sl]
    counts = np.bincount(pool, minlength=pools)
    starts = _starts(chunk)
    out = np.zeros((4, z_by_symbol.shape[0]))
    value_entry = kernels.position_value(linear, entry, size)
    entry_rates = _rates_at(book, sl, value_entry) if book.model.mm_at_entry else None
    for k, z_sym in enumerate(z_by_symbol):
        price = mark * z_sym[symbol] if linear else mark / z_sym[symbol]
        notional = kernels.position_value(linear, price, size)
        rate, amount = entry_rates if entry_rates is not None else _rates_at(book, sl, notional)
        valued_at = entry if book.model.mm_at_entry else price  # Bybit values it at entry
        requirement = kernels.maintenance_margin(linear, valued_at, size, rate, amount) + notional * book.fee
        if book.close_fee is not None:
            requirement = requirement + book.close_fee[sl]
        balance = chunk.pool_wallet + np.bincount(pool, kernels.position_pnl(linear, s, entry, price, size), pools)
        liquidated = balance - np.bincount(pool, requirement, pools) <= 0
        out[0, k] = np.maximum.reduceat(liquidated.view(np.uint8), starts).sum()
        out[1, k] = counts[liquidated].sum()
        out[2, k] = np.bincount(pool, notional, pools)[liquidated].sum()
        out[3, k] = np.maximum(-balance[liquidated], 0.0).sum()
    return out


# ---------------------------------------------------------------------------
# First liquidation per pool, solved exactly


def _first_z(book: StressBook, chunk: _Chunk, ascending: bool) -> Floats:
    """Per pool: the ``z`` nearest 1 (above it when ``ascending``, else below) where ``g(z) <= 0``.

    ``inf`` (ascending) or ``-inf`` (descending) where no ``z`` does.  ``g`` is
    ``A + B·z`` between the pool's tier crossings; walking its pieces from
    ``z = 1`` outwards the first piece where ``g`` reaches 0 holds the answer.
    """
    sl, pools, pool = chunk.sl, chunk.pool_count, chunk.pool
    w = _weight(book, sl)
    a, b = _balance_terms(book, sl)
    notional_now = _entry_notional(book, sl) if book.model.mm_at_entry else w
    rate, amount = _rates_at(book, sl, notional_now)
    c, d = _requirement_terms(book, sl, rate, amount)
    big_a = chunk.pool_wallet + np.bincount(pool, a - c, pools)
    big_b = np.bincount(pool, b - d, pools)
    # events: (pool, z at the floor, change of A and B as z passes it in the walking direction)
    ev_pool: list[Ints] = []
    ev_z: list[Floats] = []
    ev_da: list[Floats] = []
    ev_db: list[Floats] = []
    if book.tables and not book.model.mm_at_entry:
        table = book.table[sl]
        for t, (floors, rates, amounts) in enumerate(book.tables):
            mask = np.flatnonzero(table == t)
            if mask.size == 0 or floors.size == 0:
                continue
            wt = w[mask]
            crossing = floors[None, :] / wt[:, None]
            rows, cols = np.nonzero(crossing > 1.0) if ascending else np.nonzero(crossing <= 1.0)
            # passing floor cols upwards: tier cols → cols+1; g = … − (c + d·z) changes by −Δc − Δd·z
            d_amount = amounts[cols + 1] - amounts[cols]
            d_rate = rates[cols + 1] - rates[cols]
            sign = 1.0 if ascending else -1.0
            ev_pool.append(pool[mask[rows]])
            ev_z.append(crossing[rows, cols])
            ev_da.append(sign * d_amount)
            ev_db.append(-sign * wt[rows] * d_rate)
    inf = np.inf if ascending else -np.inf
    if ev_pool and sum(x.size for x in ev_pool):
        e_pool = np.concatenate(ev_pool)
        e_z = np.concatenate(ev_z)
        e_da = np.concatenate(ev_da)
        e_db = np.concatenate(ev_db)
        order = np.lexsort((e_z if ascending else -e_z, e_pool))
        e_pool, e_z, e_da, e_db = e_pool[order], e_z[order], e_da[order], e_db[order]
    else:
        e_pool = np.zeros(0, np.int64)
        e_z = e_da = e_db = np.zeros(0)
    # pieces: each pool's first piece starts at z = 1, then one per event
    p_pool = np.concatenate([np.arange(pools, dtype=np.int64), e_pool])
    p_start = np.concatenate([np.ones(pools), e_z])
    p_da = np.concatenate([big_a, e_da])
    p_db = np.concatenate([big_b, e_db])
    first_piece = np.concatenate([np.ones(pools, dtype=bool), np.zeros(e_pool.size, dtype=bool)])
    # stable: within a pool its first piece, then its events in walking order
    order = np.argsort(p_pool, kind="stable")
    p_pool, p_start, p_da, p_db, first_piece = (p_pool[order], p_start[order], p_da[order], p_db[order],
                                                first_piece[order])
    seg = np.flatnonzero(first_piece)
    piece_a = _segmented_cumsum(p_da, seg)
    piece_b = _segmented_cumsum(p_db, seg)
    p_end = np.empty_like(p_start)
    p_end[:-1] = p_start[1:]
    p_end[-1] = inf
    last = np.r_[first_piece[1:], True]
    p_end[last] = inf if ascending else 0.0
    at_start = piece_a + piece_b * p_start
    # the end of a previous piece and the start of this one are the same z; at a floor the upper tier holds,
    # so walking down the value just below the floor is this piece's (with the lower tier)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = -piece_a / piece_b
    if ascending:
        reach = (piece_b < 0) & (root >= p_start) & (root < p_end)
        candidate = np.where(at_start <= 0, p_start, np.where(reach, root, np.inf))
        result = np.minimum.reduceat(candidate, seg)
    else:
        reach = (piece_b > 0) & (root <= p_start) & (root >= p_end) & (root > 0)
        candidate = np.where(at_start <= 0, p_start, np.where(reach, root, -np.inf))
        result = np.maximum.reduceat(candidate, seg)
    out = np.full(pools, inf)
    out[p_pool[seg]] = result
    return out


def _segmented_cumsum(values: Floats, starts: Ints) -> Floats:
    """Running sums restarting at each of ``starts`` (exact per segment: no global sum to cancel)."""
    out = values.copy()
    if out.size == starts.size:  # one piece per segment
        return out
    lengths = np.diff(np.r_[starts, values.size])
    rank = np.arange(values.size) - np.repeat(starts, lengths)
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(1, int(lengths.max()) + 1))
    for r in range(1, int(lengths.max())):
        at = by_rank[bounds[r - 1]:bounds[r]]
        out[at] += out[at - 1]
    return out


@dataclass(frozen=True)
class AccountMoves:
    """Per account: the first liquidating move down and up, and its margin now."""

    account: NDArray[Any]
    positions: Ints
    liquidation_move_down: Floats  # NaN: no move down liquidates
    liquidation_move_up: Floats
    margin_balance: Floats
    maintenance_margin: Floats
    margin_ratio: Floats  # NaN where the margin balance is <= 0

    KEYS = ("account", "positions", "liquidation_move_down", "liquidation_move_up", "margin_balance",
            "maintenance_margin", "margin_ratio")

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """The columns of ``--output`` (one row per account)."""
        return {key: getattr(self, key) for key in self.KEYS}

    def nearest(self, count: int) -> list[dict[str, Any]]:
        """The ``count`` accounts nearest to liquidation (smallest move either way), as rows."""
        down = np.where(np.isnan(self.liquidation_move_down), np.inf, -self.liquidation_move_down)
        up = np.where(np.isnan(self.liquidation_move_up), np.inf, self.liquidation_move_up)
        distance = np.minimum(down, up)
        order = np.argsort(distance, kind="stable")[:count]
        rows = []
        for k in order:
            row = {}
            for key in self.KEYS:
                value = getattr(self, key)[k]
                value = value.item() if isinstance(value, np.generic) else value
                row[key] = None if isinstance(value, float) and math.isnan(value) else value
            rows.append(row)
        return rows


def account_moves(book: StressBook, progress: ProgressCallback | None = None) -> AccountMoves:
    """Each account's first liquidation move down and up (exact), margin balance, maintenance margin and ratio."""
    down = np.full(book.accounts, np.nan)
    up = np.full(book.accounts, np.nan)
    balance = np.zeros(book.accounts)
    maintenance = np.zeros(book.accounts)
    positions = np.zeros(book.accounts, dtype=np.int64)
    chunks = list(book.chunks())
    for done, (first, end) in enumerate(chunks):
        chunk = _chunk(book, first, end)
        z_up = _first_z(book, chunk, ascending=True)
        z_down = _first_z(book, chunk, ascending=False)
        with np.errstate(divide="ignore"):
            if book.kind == "linear":  # z = 1 + k
                k_up_z, k_down_z = z_up - 1.0, z_down - 1.0   # ascending z: price up
                k_fall = np.where(np.isfinite(k_down_z), k_down_z, np.nan)
                k_rise = np.where(np.isfinite(k_up_z), k_up_z, np.nan)
            else:  # z = 1 / (1 + k): ascending z is a fall in price
                k_fall = np.where(np.isfinite(z_up), 1.0 / z_up - 1.0, np.nan)
                k_rise = np.where(np.isfinite(z_down) & (z_down > 0), 1.0 / z_down - 1.0, np.nan)
        starts = _starts(chunk)
        with np.errstate(invalid="ignore"):
            down[first:end] = np.fmax.reduceat(k_fall, starts)
            up[first:end] = np.fmin.reduceat(k_rise, starts)
        sl = chunk.sl
        a, b = _balance_terms(book, sl)
        acct = chunk.account_of_pool[chunk.pool]
        pnl = a + b
        balance[first:end] = (np.bincount(chunk.account_of_pool, chunk.pool_wallet, chunk.account_count)
                              + np.bincount(acct, pnl, chunk.account_count))
        notional_now = _entry_notional(book, sl) if book.model.mm_at_entry else _weight(book, sl)
        rate, amount = _rates_at(book, sl, notional_now)
        maintenance[first:end] = np.bincount(acct, notional_now * rate - amount, chunk.account_count)
        positions[first:end] = np.bincount(acct, minlength=chunk.account_count)
        if progress is not None:
            progress(done + 1, len(chunks))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(balance > 0, maintenance / balance, np.nan)
    return AccountMoves(book.account_names, positions, down, up, balance, maintenance, ratio)


# ---------------------------------------------------------------------------
# The ladder


@dataclass(frozen=True)
class StressResult:
    """The ladder: one row per shock or scenario; ``to_dict()`` gives the ``--json`` object."""

    positions: int
    accounts: int
    shocks: tuple[Any, ...]  # Decimal per uniform shock, or a Scenario
    accounts_liquidated: Ints
    positions_liquidated: Ints
    notional_liquidated: Floats
    shortfall: Floats
    #: with a cascade: the move each shock ends at once liquidations feed back into the price
    cascade_shock: Floats | None = None

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for k, shock in enumerate(self.shocks):
            row: dict[str, Any] = {}
            if isinstance(shock, Scenario):
                row["scenario"] = shock.name
                row["shock"] = None if shock.by_symbol else shock.shock
            else:
                row["shock"] = shock
            row["accounts_liquidated"] = int(self.accounts_liquidated[k])
            row["positions_liquidated"] = int(self.positions_liquidated[k])
            row["notional_liquidated"] = float(self.notional_liquidated[k])
            row["shortfall"] = float(self.shortfall[k])
            if isinstance(shock, Scenario):
                row["weight"] = shock.weight
            if self.cascade_shock is not None:
                row["cascade_shock"] = float(self.cascade_shock[k])
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"positions": self.positions, "accounts": self.accounts, "ladder": self.rows()}


def as_float_shocks(shocks: Sequence[Any]) -> Floats:
    """The shocks as float64, checked: at least one, at most :data:`MAX_SHOCKS`, each > −1."""
    values = np.array([float(k) for k in shocks], dtype=np.float64)
    if values.size == 0:
        raise InputError("shocks", "must hold at least one shock", "[]")
    if values.size > MAX_SHOCKS:
        raise InputError("shocks", f"must hold at most {MAX_SHOCKS} shocks", values.size)
    bad = ~(np.isfinite(values) & (values > -1))
    if bad.any():
        raise InputError("shocks", "must be > -1 (a move at or below -100 % leaves no price)",
                         shocks[int(np.flatnonzero(bad)[0])])
    return values


def stress_ladder(
    book: StressBook, shocks: Sequence[Any], progress: ProgressCallback | None = None
) -> Floats:
    """``(4, G)`` sums over the book: accounts, positions, notional and shortfall liquidated per shock.

    ``shocks`` are uniform moves (numbers) or :class:`Scenario` objects.
    """
    if shocks and all(isinstance(k, Scenario) for k in shocks):
        scenarios: list[Scenario] = list(shocks)
        as_float_shocks([sc.shock for sc in scenarios])
        for sc in scenarios:
            as_float_shocks(list(sc.by_symbol.values()) or [sc.shock])
        if all(sc.uniform for sc in scenarios):
            return stress_ladder(book, [sc.shock for sc in scenarios], progress)
        z = np.empty((len(scenarios), len(book.symbol_names)))
        for k, sc in enumerate(scenarios):
            moves = np.array([float(sc.by_symbol.get(name, sc.shock)) for name in book.symbol_names])
            z[k] = _z_of(book.kind, moves)
        return _run(book, lambda chunk: _ladder_direct(book, chunk, z), len(scenarios), progress)
    grid = as_float_shocks(shocks)
    return _run(book, lambda chunk: _ladder_uniform(book, chunk, grid), grid.size, progress)


def _run(book: StressBook, kernel: Callable[[_Chunk], Floats], width: int,
         progress: ProgressCallback | None) -> Floats:
    total = np.zeros((4, width))
    # positions per chunk so that the chunk's pools × shocks arrays stay the size they are at 101 shocks
    chunks = list(book.chunks(max(16, CHUNK_POSITIONS * 101 // max(width, 1))))
    for done, (first, end) in enumerate(chunks):
        total += kernel(_chunk(book, first, end))
        if progress is not None:
            progress(done + 1, len(chunks))
    return total


def _flow(book: StressBook, shock: float) -> tuple[Floats, float]:
    """At one uniform shock: the ladder's four sums and the liquidated pools' net notional sold (longs − shorts)."""
    z = _z_of(book.kind, np.array([shock]))[0]
    sums = np.zeros(4)
    sold = 0.0
    for first, end in book.chunks():
        chunk = _chunk(book, first, end)
        sl, pools, pool = chunk.sl, chunk.pool_count, chunk.pool
        w = _weight(book, sl)
        a, b = _balance_terms(book, sl)
        notional_now = _entry_notional(book, sl) if book.model.mm_at_entry else w * z
        c, d = _requirement_terms(book, sl, *_rates_at(book, sl, notional_now))
        balance = chunk.pool_wallet + np.bincount(pool, a + b * z, pools)
        liquidated = balance - np.bincount(pool, c + d * z, pools) <= 0
        hit = liquidated[pool]
        sums[0] += np.count_nonzero(np.maximum.reduceat(liquidated.view(np.uint8), _starts(chunk)))
        sums[1] += np.count_nonzero(hit)
        sums[2] += (w[hit] * z).sum()
        sums[3] += np.maximum(-balance[liquidated], 0.0).sum()
        sold += (book.s[sl][hit] * w[hit] * z).sum()
    return sums, float(sold)


def cascade(book: StressBook, shock: float, depth: float, max_rounds: int = 100) -> tuple[float, Floats, int]:
    """The move a shock ends at when liquidations feed back into the price, with the ladder's sums there.

    Closing the liquidated pools sells their longs and buys back their shorts at the shocked
    marks; the net notional sold ``N`` moves every mark by the square-root impact
    ``−sign(N)·sqrt(|N| / depth)`` (``depth``: the notional that would move the price by
    100 %, so ``depth × 0.01²`` moves it by 1 %).  From ``k_0 = shock``:
    ``k_(n+1) = shock − sign(N(k_n))·sqrt(|N(k_n)| / depth)`` until the move stops changing
    (a fixed point) or ``max_rounds``.  For an inverse book ``N`` and ``depth`` are in coin
    and a sale raises ``1/P``, so the same sign convention holds in the price.
    Returns ``(final move, sums at it, rounds)``; a move reaching −100 % stops at −99.99 %.
    """
    if not (depth > 0 and math.isfinite(depth)):
        raise InputError("cascade", "must be a depth > 0 (the notional that moves the price by 100 %)", depth)
    move = float(shock)
    sums, sold = _flow(book, move)
    for rounds in range(1, max_rounds + 1):
        after = float(shock) - math.copysign(math.sqrt(abs(sold) / depth), sold)
        after = max(after, -0.9999)
        if after == move:
            return move, sums, rounds
        move = after
        sums, sold = _flow(book, move)
    return move, sums, max_rounds


def stress(
    book: StressBook, shocks: Sequence[Any], progress: ProgressCallback | None = None,
    cascade_depth: float | None = None,
) -> StressResult:
    """The stress ladder of ``book`` over ``shocks`` (uniform moves or scenarios).

    Hand check (Binance USDⓈ-M, one cross account): wallet 1,000, long 1 BTC
    at 10,000 marked 10,000, MMR 0.5 %: ``g(k) = 1,000 + 10,000·k −
    50·(1 + k)`` is ≤ 0 from ``k = −950/9,950 = −0.0955`` down, so −0.1 liquidates
    it (shortfall 0: its balance is still 0 at −0.1) and −0.05 does not.

    >>> book = prepare_book({"account": ["a"], "symbol": ["BTC/USDT:USDT"], "side": ["long"],
    ...                      "quantity": [1], "entry": [10000], "mark": [10000],
    ...                      "maintenance_margin_rate": [0.005]},
    ...                     {"account": ["a"], "wallet_balance": [1000]}, exchange="binance-usdm")
    >>> [row["accounts_liquidated"] for row in stress(book, parse_shocks("-0.1:0:0.05")).rows()]
    [1, 0, 0]
    """
    if cascade_depth is not None:
        return _cascade_ladder(book, shocks, cascade_depth, progress)
    sums = stress_ladder(book, shocks, progress)
    return StressResult(
        positions=book.positions,
        accounts=book.accounts,
        shocks=tuple(shocks),
        accounts_liquidated=np.rint(sums[0]).astype(np.int64),
        positions_liquidated=np.rint(sums[1]).astype(np.int64),
        notional_liquidated=sums[2],
        shortfall=sums[3],
    )


def _cascade_ladder(book: StressBook, shocks: Sequence[Any], depth: float,
                    progress: ProgressCallback | None) -> StressResult:
    """Each uniform shock carried to its cascade's fixed point (:func:`cascade`); the sums there."""
    if any(isinstance(k, Scenario) for k in shocks):
        raise InputError("cascade", "goes with --shocks (uniform moves), not --scenarios")
    grid = as_float_shocks(shocks)
    sums = np.zeros((4, grid.size))
    final = np.zeros(grid.size)
    for k, shock in enumerate(grid):
        final[k], sums[:, k], _ = cascade(book, float(shock), depth)
        if progress is not None:
            progress(k + 1, grid.size)
    return StressResult(
        positions=book.positions, accounts=book.accounts, shocks=tuple(shocks),
        accounts_liquidated=np.rint(sums[0]).astype(np.int64), positions_liquidated=np.rint(sums[1]).astype(np.int64),
        notional_liquidated=sums[2], shortfall=sums[3], cascade_shock=final,
    )
