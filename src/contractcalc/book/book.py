"""The columnar :class:`Book` of positions and the :class:`Accounts` that fund it.

A book is one array per field, aligned row by row:

==========================  ========================================================  ==========
column                      meaning                                                   required
==========================  ========================================================  ==========
``account``                 the account the position belongs to (text)                yes
``symbol``                  the market, e.g. ``BTC/USDT:USDT`` (text)                 yes
``side``                    ``long`` or ``short`` (or +1 / −1)                        yes
``quantity``                linear size in base units, or ``contracts``               one of
``contracts``               number of contracts (with ``contract_size``)              one of
``contract_size``           base units (linear) or USD (inverse) per contract         no [1]_
``entry``                   entry (average open) price                                yes
``mark``                    current mark price                                        no (entry)
``leverage``                leverage (an isolated position's margin without one)      no
``margin_mode``             ``isolated`` or ``cross``                                 no (cross)
``wallet_balance``          an isolated position's margin                             no [2]_
``maintenance_margin_rate`` the tier's rate, unless a tier table holds the symbol     no
``maintenance_amount``      the tier's amount (Binance ``cum``), default 0            no
==========================  ========================================================  ==========

.. [1] with ``quantity``, 1; with ``contracts``, NaN means "the exchange's
   size for the symbol", filled in by the engine that knows the exchange.
.. [2] an isolated position needs ``wallet_balance`` or ``leverage`` (its
   initial margin ``value(entry) / leverage``); a cross position's wallet is
   its account's (:class:`Accounts`).

Missing optional values are NaN.  The constructor validates every column once
and raises :class:`~contractcalc.errors.InputError` naming the column and, for
a bad value, the row (``error.index``); engines then compute on the arrays
without checks.  Accounts and symbols are factorised once into integer codes
(``account_code``, ``symbol_code``, ``leg_group``) so engines sum by group
with :func:`numpy.bincount`.

Numbers are float64, or ``Decimal`` in object arrays when the columns hold
``Decimal`` (the exact path of the single-account calculator).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import numpy as np

from contractcalc.errors import InputError

__all__ = ["ACCOUNT_COLUMNS", "BOOK_COLUMNS", "Accounts", "Book"]

#: Every column a :class:`Book` reads, in its order.
BOOK_COLUMNS = (
    "account", "symbol", "side", "quantity", "contracts", "contract_size", "entry", "mark", "leverage",
    "margin_mode", "wallet_balance", "maintenance_margin_rate", "maintenance_amount",
)
#: Every column :class:`Accounts` reads.
ACCOUNT_COLUMNS = ("account", "wallet_balance")

Array = Any  # numpy.ndarray; Any keeps mypy quiet about dtype parameters


def _error(column: str, rule: str, value: Any = None, index: int | None = None) -> InputError:
    """An :class:`InputError` on ``column``, naming the row ``index`` where one applies."""
    if index is None:
        return InputError(column, rule) if value is None else InputError(column, rule, value)
    shown = value.item() if isinstance(value, np.generic) else value
    return InputError(column, rule, shown, index)


def _columns_of(data: Any) -> dict[str, Any]:
    """The columns of a dict of arrays, a pandas DataFrame or a pyarrow Table, by name."""
    if isinstance(data, Mapping):
        return dict(data)
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "columns"):
        return {str(name): data[name].to_numpy() for name in data.columns}
    if module == "pyarrow" and hasattr(data, "column_names"):
        return {str(name): data.column(name).to_numpy(zero_copy_only=False) for name in data.column_names}
    raise InputError("book", "must be a dict of arrays, a pandas DataFrame or a pyarrow Table", type(data).__name__)


def _as_array(column: str, values: Any) -> Array:
    if isinstance(values, str | bytes) or np.ndim(values) == 0:
        raise _error(column, "must be a column (a list or array of values)", values)
    array = np.asarray(values)
    if array.ndim != 1:
        raise _error(column, "must be a one-dimensional column", f"shape {array.shape}")
    return array


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, str) and not value.strip()


def _factorize(items: list[Any]) -> tuple[list[Any], Array] | None:
    """The distinct text values in order of first appearance and each row's index into them.

    One dict pass, so a million rows with a few thousand distinct values are
    checked (and lower-cased, stripped) once per distinct value, not per row.
    ``None`` when a value is not ``str`` (the row-by-row path then names it).
    """
    try:
        uniques = list(dict.fromkeys(items))
    except TypeError:  # an unhashable value
        return None
    if not all(type(item) is str for item in uniques):
        return None
    index = {item: code for code, item in enumerate(uniques)}
    return uniques, np.fromiter(map(index.__getitem__, items), dtype=np.int64, count=len(items))


def _first(codes: Array, code: int) -> int:
    return int(np.argmax(codes == code))


def _text(column: str, values: Any) -> Array:
    """A text column (accounts, symbols) as a str array; a missing value is an error at its row."""
    array = _as_array(column, values)
    if array.dtype.kind in "OU" and (found := _factorize(array.tolist())) is not None:
        uniques, codes = found
        stripped = [item.strip() for item in uniques]
        for code, item in enumerate(stripped):
            if not item:
                index = _first(codes, code)
                raise _error(column, "must be a non-empty text value", uniques[code] if array.dtype.kind == "O"
                             else "", index)
        return np.array(stripped)[codes]
    if array.dtype.kind in "OUS" or array.dtype.kind == "f":
        items = array.tolist()
        for index, item in enumerate(items):
            if _is_missing(item) or isinstance(item, bool) or not isinstance(item, str | int | float | Decimal):
                raise _error(column, "must be a non-empty text value", item, index)
        if array.dtype.kind != "U":
            array = np.array([str(item).strip() for item in items])
        else:
            array = np.char.strip(array)
            empty = np.flatnonzero(np.char.str_len(array) == 0)
            if empty.size:
                raise _error(column, "must be a non-empty text value", "", int(empty[0]))
        return array
    if array.dtype.kind in "iub":
        return array.astype(str)
    raise _error(column, "must be text", f"array of {array.dtype}")


def _numbers(column: str, values: Any, exact: bool) -> Array:
    """A numeric column: float64 (missing = NaN), or Decimal objects when ``exact``."""
    array = _as_array(column, values)
    kind = array.dtype.kind
    if exact:
        items = array.tolist()
        out = np.empty(len(items), dtype=object)
        for index, item in enumerate(items):
            out[index] = _exact_number(column, item, index)
        return out
    if kind in "iuf":
        return array.astype(np.float64, copy=False)
    if kind == "b":
        raise _error(column, "must be numeric", "array of bool")
    if kind in "US":
        text = np.char.strip(array.astype(str))
        text = np.where(np.char.str_len(text) == 0, "nan", text)
        try:
            return text.astype(np.float64)
        except ValueError:
            pass
    out = np.empty(len(array), dtype=np.float64)
    for index, item in enumerate(array.tolist()):
        out[index] = _float_number(column, item, index)
    return out


def _float_number(column: str, item: Any, index: int) -> float:
    if _is_missing(item):
        return math.nan
    if isinstance(item, bool):
        raise _error(column, "must be a number", item, index)
    if isinstance(item, str):
        try:
            return float(item.strip())
        except ValueError:
            raise _error(column, "must be a number", item, index) from None
    if isinstance(item, int | float | Decimal | np.number):
        try:
            return float(item)
        except OverflowError:
            raise _error(column, "must be finite (too large for a float)", item, index) from None
    raise _error(column, "must be a number", item, index)


def _exact_number(column: str, item: Any, index: int) -> Decimal:
    if _is_missing(item):
        return Decimal("NaN")
    if isinstance(item, bool) or not isinstance(item, int | float | Decimal | str | np.number):
        raise _error(column, "must be a number", item, index)
    try:
        return item if isinstance(item, Decimal) else Decimal(str(item).strip())
    except ArithmeticError:
        raise _error(column, "must be a number", item, index) from None


def _has_decimal(columns: Mapping[str, Any]) -> bool:
    for values in columns.values():
        array = np.asarray(values) if not isinstance(values, str | bytes) else None
        if array is not None and array.dtype.kind == "O" and array.ndim == 1 and any(
            isinstance(item, Decimal) for item in array.tolist()
        ):
            return True
    return False


def _finite(array: Array) -> Array:
    if array.dtype.kind == "O":
        return np.array([item.is_finite() for item in array.tolist()], dtype=bool)
    return np.isfinite(array)


def _given(array: Array) -> Array:
    """Where a value is present (not NaN)."""
    if array.dtype.kind == "O":
        return np.array([not item.is_nan() for item in array.tolist()], dtype=bool)
    return ~np.isnan(array)


def _filled(array: Array, given: Array) -> Array:
    """``array`` with its missing values replaced by 0 (Decimal NaN cannot be compared)."""
    return np.where(given, array, 0)


def _require(column: str, array: Array, ok: Array, rule: str) -> None:
    if not ok.all():
        index = int(np.argmin(ok))
        raise _error(column, rule, array[index], index)


def _positive(column: str, array: Array, *, optional: bool = False) -> None:
    given = _given(array)
    if not optional:
        _require(column, array, given, "is required (missing value)")
    _require(column, array, ~given | _finite(array), "must be finite")
    _require(column, array, ~given | (_filled(array, given) > 0), "must be > 0")


def _nonnegative(column: str, array: Array) -> None:
    given = _given(array)
    _require(column, array, ~given | _finite(array), "must be finite")
    _require(column, array, ~given | (_filled(array, given) >= 0), "must be >= 0")


def _sides(values: Any) -> Array:
    array = _as_array("side", values)
    if array.dtype.kind in "iuf":
        ok = (array == 1) | (array == -1)
        _require("side", array, ok, "must be 'long' or 'short' (or +1 / -1)")
        return array.astype(np.int8)
    signs = _choices("side", array, {"long": 1, "short": -1}, "must be 'long' or 'short'")
    if signs is not None:
        return signs.astype(np.int8)
    text = np.char.lower(np.char.strip(array.astype(str))) if array.dtype.kind in "US" else None
    if text is None:
        items = array.tolist()
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise _error("side", "must be 'long' or 'short'", item, index)
        text = np.char.lower(np.char.strip(np.array(items, dtype=str)))
    long, short = text == "long", text == "short"
    _require("side", array, long | short, "must be 'long' or 'short'")
    return np.where(long, 1, -1).astype(np.int8)


def _choices(column: str, array: Array, allowed: dict[str, Any], rule: str) -> Array | None:
    """Each row's value in ``allowed`` (text compared stripped and lower-cased, once per distinct value)."""
    if array.dtype.kind not in "OU" or (found := _factorize(array.tolist())) is None:
        return None
    uniques, codes = found
    mapped = []
    for code, item in enumerate(uniques):
        key = item.strip().lower()
        if key not in allowed:
            index = _first(codes, code)
            raise _error(column, rule, item, index)
        mapped.append(allowed[key])
    return np.array(mapped)[codes]


def _sorted_codes(array: Array) -> tuple[Array, Array]:
    """``numpy.unique(array, return_inverse=True)`` for text, by one dict pass and a sort of the distinct values."""
    if array.dtype.kind == "U" and (found := _factorize(array.tolist())) is not None:
        uniques, codes = found
        names = np.array(uniques, dtype=array.dtype)
        order = np.argsort(names, kind="stable")
        rank = np.empty(len(uniques), dtype=np.int64)
        rank[order] = np.arange(len(uniques))
        return names[order], rank[codes]
    return np.unique(array, return_inverse=True)


def _modes(values: Any, n: int) -> Array:
    if values is None:
        return np.zeros(n, dtype=bool)
    array = _as_array("margin_mode", values)
    if array.dtype.kind not in "USO":
        raise _error("margin_mode", "must be 'isolated' or 'cross'", array[0], 0)
    flags = _choices("margin_mode", array, {"isolated": True, "cross": False}, "must be 'isolated' or 'cross'")
    if flags is not None:
        return flags.astype(bool)
    items = array.tolist() if array.dtype.kind == "O" else None
    if items is not None:
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise _error("margin_mode", "must be 'isolated' or 'cross'", item, index)
    text = np.char.lower(np.char.strip(array.astype(str)))
    isolated, cross = text == "isolated", text == "cross"
    _require("margin_mode", array, isolated | cross, "must be 'isolated' or 'cross'")
    return isolated


def _nan_column(n: int, exact: bool) -> Array:
    if exact:
        out = np.empty(n, dtype=object)
        out[:] = Decimal("NaN")
        return out
    return np.full(n, np.nan)


@dataclass(frozen=True, eq=False)
class Book:
    """A book of positions, one validated array per column (see the module docstring).

    Build it from a dict of columns, a pandas DataFrame or a pyarrow Table
    with :meth:`from_columns` (or :func:`contractcalc.io.books.read_book`).

    >>> book = Book.from_columns({
    ...     "account": ["a", "a", "b"], "symbol": ["BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USDT:USDT"],
    ...     "side": ["long", "short", "long"], "quantity": [1, 10, 0.5],
    ...     "entry": [60000, 3000, 61000], "mark": [60000, 3100, 60000],
    ...     "margin_mode": ["cross", "cross", "isolated"], "leverage": [None, None, 10]})
    >>> len(book), book.accounts.tolist(), book.account_code.tolist(), book.side.tolist()
    (3, ['a', 'b'], [0, 0, 1], [1, -1, 1])
    >>> Book.from_columns({"account": ["a"], "symbol": ["X"], "side": ["up"], "quantity": [1], "entry": [1]})
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'side' must be 'long' or 'short' (got 'up' at index 0)
    """

    account: Array
    symbol: Array
    #: +1 for a long, −1 for a short (int8)
    side: Array
    #: number of contracts (with ``quantity``: the quantity, and ``contract_size`` 1)
    contracts: Array
    #: NaN: the exchange's contract size for the symbol
    contract_size: Array
    entry: Array
    mark: Array
    leverage: Array
    #: True for an isolated position, False for a cross one
    isolated: Array
    wallet_balance: Array
    maintenance_margin_rate: Array
    maintenance_amount: Array
    #: whether the numbers are Decimal objects (the exact path) rather than float64
    exact: bool = False
    #: the distinct accounts and symbols, sorted; each row's index into them
    accounts: Array = field(init=False, repr=False)
    account_code: Array = field(init=False, repr=False)
    symbols: Array = field(init=False, repr=False)
    symbol_code: Array = field(init=False, repr=False)
    #: each row's (account, symbol) group: the legs of one symbol in one account share a price
    leg_group: Array = field(init=False, repr=False)
    leg_groups: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        accounts, account_code = _sorted_codes(self.account)
        symbols, symbol_code = _sorted_codes(self.symbol)
        pair = account_code.astype(np.int64) * len(symbols) + symbol_code
        pairs, leg_group = np.unique(pair, return_inverse=True)
        object.__setattr__(self, "accounts", accounts)
        object.__setattr__(self, "account_code", account_code.astype(np.int64))
        object.__setattr__(self, "symbols", symbols)
        object.__setattr__(self, "symbol_code", symbol_code.astype(np.int64))
        object.__setattr__(self, "leg_group", leg_group.astype(np.int64))
        object.__setattr__(self, "leg_groups", len(pairs))

    # -- construction --------------------------------------------------------------

    @classmethod
    def from_columns(cls, data: Any, *, exact: bool | None = None) -> Book:
        """Validate the columns of ``data`` (dict of arrays, DataFrame or Arrow Table) into a book.

        ``exact``: keep the numbers as ``Decimal`` (default: when a column holds ``Decimal``).
        Columns not in :data:`BOOK_COLUMNS` are ignored.
        """
        columns = {name: values for name, values in _columns_of(data).items() if values is not None}
        exact = _has_decimal(columns) if exact is None else exact
        for name in ("account", "symbol", "side", "entry"):
            if name not in columns:
                raise _error(name, "is a required column (missing)")
        if ("quantity" in columns) == ("contracts" in columns):
            raise _error("quantity", "or 'contracts' is a required column (exactly one of them)")
        lengths = {name: len(_as_array(name, values)) for name, values in columns.items() if name in BOOK_COLUMNS}
        n = lengths["account"]
        for name, length in lengths.items():
            if length != n:
                raise _error(name, f"must have as many rows as 'account' ({n})", f"{length} rows")
        if n == 0:
            raise _error("account", "must hold at least one position (the book is empty)")

        account = _text("account", columns["account"])
        symbol = _text("symbol", columns["symbol"])
        side = _sides(columns["side"])
        size_column = "quantity" if "quantity" in columns else "contracts"
        contracts = _numbers(size_column, columns[size_column], exact)
        _positive(size_column, contracts)
        if size_column == "quantity":
            if "contract_size" in columns:
                raise _error("contract_size", "goes with 'contracts', not 'quantity'")
            contract_size = np.ones(n, dtype=np.float64) if not exact else np.full(n, Decimal(1), dtype=object)
        elif "contract_size" in columns:
            contract_size = _numbers("contract_size", columns["contract_size"], exact)
            _positive("contract_size", contract_size, optional=True)
        else:
            contract_size = _nan_column(n, exact)
        entry = _numbers("entry", columns["entry"], exact)
        _positive("entry", entry)
        if "mark" in columns:
            mark = _numbers("mark", columns["mark"], exact)
            _positive("mark", mark)
        else:
            mark = entry.copy()
        optional = {}
        for name in ("leverage", "wallet_balance", "maintenance_margin_rate", "maintenance_amount"):
            optional[name] = _numbers(name, columns[name], exact) if name in columns else _nan_column(n, exact)
        _positive("leverage", optional["leverage"], optional=True)
        _nonnegative("wallet_balance", optional["wallet_balance"])
        rate, amount = optional["maintenance_margin_rate"], optional["maintenance_amount"]
        _nonnegative("maintenance_margin_rate", rate)
        _require("maintenance_margin_rate", rate, _filled(rate, _given(rate)) < 1, "must be < 1")
        _nonnegative("maintenance_amount", amount)
        has_rate = _given(rate)
        _require("maintenance_amount", amount, has_rate | ~_given(amount),
                 "needs 'maintenance_margin_rate' in the same row")
        isolated = _modes(columns.get("margin_mode"), n)
        margin = optional["wallet_balance"]
        unfunded = isolated & ~_given(margin) & ~_given(optional["leverage"])
        if unfunded.any():
            raise _error("wallet_balance", "is required for an isolated position (its margin), or 'leverage'",
                         "nothing", int(np.argmax(unfunded)))
        return cls(account, symbol, side, contracts, contract_size, entry, mark, optional["leverage"], isolated,
                   margin, rate, amount, exact)

    # -- views -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entry)

    @functools.cached_property
    def sign(self) -> Array:
        """``side`` as float64 (+1.0 / −1.0), for arithmetic with the float columns (computed once)."""
        return self.side.astype(np.float64)

    @property
    def side_names(self) -> Array:
        """``'long'`` / ``'short'`` per row."""
        return np.where(self.side > 0, "long", "short")

    @property
    def margin_mode(self) -> Array:
        """``'isolated'`` / ``'cross'`` per row."""
        return np.where(self.isolated, "isolated", "cross")

    def with_mark(self, mark: Any) -> Book:
        """The same book at other marks (validated: finite and > 0, one per row or one for all)."""
        array = np.broadcast_to(_numbers("mark", np.atleast_1d(np.asarray(mark)), self.exact), self.entry.shape)
        _positive("mark", np.ascontiguousarray(array))
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        values["mark"] = np.array(array)
        return Book(**values)

    def to_dict(self) -> dict[str, Array]:
        """The columns, by name (``side`` and ``margin_mode`` as text, ``quantity`` as ``contracts``)."""
        return {
            "account": self.account, "symbol": self.symbol, "side": self.side_names, "contracts": self.contracts,
            "contract_size": self.contract_size, "entry": self.entry, "mark": self.mark, "leverage": self.leverage,
            "margin_mode": self.margin_mode, "wallet_balance": self.wallet_balance,
            "maintenance_margin_rate": self.maintenance_margin_rate, "maintenance_amount": self.maintenance_amount,
        }


@dataclass(frozen=True, eq=False)
class Accounts:
    """The cross wallets: one ``wallet_balance`` per ``account``, validated once.

    >>> Accounts.from_columns({"account": ["a", "b"], "wallet_balance": [1000, 250.5]}).wallet_balance
    array([1000. ,  250.5])
    >>> Accounts.from_columns({"account": ["a", "a"], "wallet_balance": [1, 2]})
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'account' must appear once (got 'a' at index 1)
    """

    account: Array
    wallet_balance: Array
    exact: bool = False
    #: the accounts sorted, and their wallets in that order (for lookups by name)
    sorted_account: Array = field(init=False, repr=False)
    sorted_wallet: Array = field(init=False, repr=False)
    #: the last lookup (a book's account names are an immutable array: looked up once per book)
    _aligned: dict[int, tuple[Array, Array, Array]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        order = np.argsort(self.account, kind="stable")
        object.__setattr__(self, "sorted_account", self.account[order])
        object.__setattr__(self, "sorted_wallet", self.wallet_balance[order])

    @classmethod
    def from_columns(cls, data: Any, *, exact: bool | None = None) -> Accounts:
        """Validate the ``account`` and ``wallet_balance`` columns of ``data`` (dict, DataFrame, Arrow Table)."""
        columns = {name: values for name, values in _columns_of(data).items() if values is not None}
        exact = _has_decimal(columns) if exact is None else exact
        for name in ACCOUNT_COLUMNS:
            if name not in columns:
                raise InputError("accounts", f"must have the column '{name}' (missing)")
        account = _text("account", columns["account"])
        wallet = _numbers("wallet_balance", columns["wallet_balance"], exact)
        if len(wallet) != len(account):
            raise _error("wallet_balance", f"must have as many rows as 'account' ({len(account)})",
                         f"{len(wallet)} rows")
        if len(account) == 0:
            raise InputError("accounts", "must hold at least one account (it is empty)")
        _require("wallet_balance", wallet, _given(wallet), "is required (missing value)")
        _nonnegative("wallet_balance", wallet)
        order = np.argsort(account, kind="stable")
        repeated = np.flatnonzero(account[order][1:] == account[order][:-1])
        if repeated.size:
            index = int(order[repeated[0] + 1])
            raise _error("account", "must appear once", account[index], index)
        return cls(account, wallet, exact)

    def __len__(self) -> int:
        return len(self.account)

    def wallets_for(self, names: Array) -> tuple[Array, Array]:
        """``(wallet_balance per name, found)`` for the account ``names`` (a wallet of 0 where not found)."""
        cached = self._aligned.get(id(names))
        if cached is not None and cached[0] is names:  # the same (immutable) names as last time
            return cached[1], cached[2]
        wallet, found = self._lookup(names)
        self._aligned.clear()
        self._aligned[id(names)] = (names, wallet, found)
        return wallet, found

    def _lookup(self, names: Array) -> tuple[Array, Array]:
        sorted_names = self.sorted_account
        if len(names) == len(sorted_names) and np.array_equal(names, sorted_names):  # a book's own accounts
            return self.sorted_wallet, np.ones(len(names), dtype=bool)
        position = np.clip(np.searchsorted(sorted_names, names), 0, len(sorted_names) - 1)
        found = sorted_names[position] == names
        wallet = self.sorted_wallet[position]
        zero: Any = Decimal(0) if self.exact else 0.0
        return np.where(found, wallet, zero), found
