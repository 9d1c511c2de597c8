"""Exchange-exact position math for linear and inverse contracts.

The primitives every calculator (and the liquidation engine) is built from,
following ``shared/reference/formulas.md``.  Notation: ``s`` is +1 long, −1
short; ``E``, ``X`` entry and exit (or mark) price; ``L`` leverage.

The *size* of a position depends on the contract kind (see :func:`position_size`):

- ``linear`` (USDT-margined): ``Q``, the quantity in base units (e.g. BTC);
  every amount (PnL, margin, fees) is in the quote currency.
- ``inverse`` (coin-margined): ``F = N × CS``, the face value in quote units
  (USD), ``N`` contracts of ``CS`` USD each; every amount is in the base coin.

Every function takes floats, ``Decimal`` or NumPy arrays (broadcasting) and
returns the same kind; ``side`` is ``'long'``/``'short'`` (or +1/−1) and
``contract`` is ``'linear'``/``'inverse'`` (or the seed's ``usdt``/``coin``).
Sizes are unsigned: the direction is in ``side``.

Where no positive price solves an equation (the bankruptcy price of a linear
long whose margin covers the whole notional, of an inverse short whose margin
covers the whole value), the result is ``None`` for a scalar and NaN in an
array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contractcalc.core.numeric import Num, check, is_array, number, positive, require, side_sign, where
from contractcalc.core.seed import contract_kind
from contractcalc.errors import InputError

__all__ = [
    "average_entry",
    "bankruptcy_price",
    "bankruptcy_price_for_leverage",
    "breakeven_price",
    "fee",
    "funding_payment",
    "initial_margin",
    "inverse_pnl",
    "linear_pnl",
    "open_loss",
    "position_size",
    "position_value",
    "roe",
    "target_price",
    "unrealized_pnl",
]


def _rate(name: str, x: Any) -> Num:
    """A fee rate: finite, ``-1 < rate < 1`` (negative: a maker rebate, paid to the trader).

    How negative a rate may be is the exchange's rule (``ExchangePreset.min_fee_rate``),
    checked by the public calculators; here only what keeps the formulas meaningful.
    """
    x = check(name, x, ">", -1)
    return check(name, x, "<", 1)


def _no_price(result: Num, ok: Any) -> Num:
    """``result`` where ``ok``, else ``None`` (scalar) or NaN (array)."""
    if is_array(ok) or is_array(result):
        import numpy as np

        ok = np.broadcast_to(ok, np.shape(result))
        if result.dtype.kind == "O":
            from decimal import Decimal

            return np.where(ok, result, np.array(Decimal("NaN"), dtype=object))
        return np.where(ok, result, np.nan)
    return result if ok else None


def position_size(
    contract: str,
    quantity: Num | None = None,
    contracts: Num | None = None,
    contract_size: Num | None = None,
) -> Num:
    """The size a formula takes: linear quantity ``Q`` or inverse face value ``F``.

    - linear: ``quantity`` in base units, or ``contracts × contract_size``
      (base units per contract);
    - inverse: ``F = contracts × contract_size`` (quote units, USD, per contract).

    Parameters
    ----------
    contract : {'linear', 'inverse'}
    quantity : number, optional
        Linear size in base units (not for inverse contracts).
    contracts, contract_size : number, optional
        Number of contracts and the size of one.

    Examples
    --------
    examples.md B3: 10 BTCUSD contracts of 100 USD are a face value of 1000 USD;
    X2 (BitMEX): 1,000,000 contracts of 1 unit each.

    >>> position_size("inverse", contracts=10, contract_size=100)
    1000
    >>> position_size("linear", contracts=1_000_000, contract_size=1)
    1000000
    >>> position_size("linear", quantity=0.2)
    0.2
    """
    kind = contract_kind(contract)
    if quantity is not None:
        if kind == "inverse":
            raise InputError(
                "quantity", "is for linear contracts; give 'contracts' and 'contract_size' for inverse", quantity
            )
        if contracts is not None:
            raise InputError("quantity", "cannot be combined with 'contracts'", quantity)
        return positive("quantity", quantity)
    if contracts is None:
        rule = "is required (or 'quantity')" if kind == "linear" else "is required for inverse contracts"
        raise InputError("contracts", rule)
    contracts = positive("contracts", contracts)
    if contract_size is None:
        raise InputError("contract_size", "is required with 'contracts'")
    contract_size = positive("contract_size", contract_size)
    return contracts * contract_size


def _size(size: Num) -> Num:
    return positive("size", size)


def _price(name: str, x: Num) -> Num:
    return positive(name, x)


def linear_pnl(side: Any, entry: Num, exit: Num, quantity: Num) -> Num:
    """Linear PnL in the quote currency: ``s × Q × (X − E)``.

    examples.md Y16: long 0.2 @ 7,000, price 7,500: 100 USDT; short 0.4 @
    6,000, price 5,000: 400 USDT.  X2 (BitMEX): 1,000,000 @ 0.000010 →
    0.000015 XBT: 5.0 XBT.

    >>> linear_pnl("long", 7000, 7500, 0.2), linear_pnl("short", 6000, 5000, 0.4)
    (100.0, 400.0)
    >>> round(linear_pnl("long", 0.000010, 0.000015, 1_000_000), 12)
    5.0
    """
    s = side_sign(side)
    entry, exit = _price("entry", entry), _price("exit", exit)
    quantity = positive("quantity", quantity)
    return s * quantity * (exit - entry)


def inverse_pnl(side: Any, entry: Num, exit: Num, face_value: Num) -> Num:
    """Inverse PnL in the base coin: ``s × F × (1/E − 1/X)``.

    examples.md Y19: long 1,000 BTCUSD (1 USD each) @ 5,000, price 5,500:
    0.01819 BTC (the page rounds up; exactly 0.0181818…).

    >>> inverse_pnl("long", 5000, 5500, 1000)
    0.0181818
    """
    s = side_sign(side)
    entry, exit = _price("entry", entry), _price("exit", exit)
    face_value = positive("face_value", face_value)
    return s * face_value * (1 / entry - 1 / exit)


def unrealized_pnl(contract: str, side: Any, entry: Num, exit: Num, size: Num) -> Num:
    """PnL at ``exit`` (or at the mark price): :func:`linear_pnl` or :func:`inverse_pnl`.

    ``size`` is the linear quantity ``Q`` or the inverse face value ``F``
    (:func:`position_size`).

    examples.md Y16 (linear) and Y19 (inverse):

    >>> unrealized_pnl("linear", "short", 6000, 5000, 0.4)
    400.0
    >>> unrealized_pnl("inverse", "long", 5000, 5500, 1000)
    0.0181818
    """
    if contract_kind(contract) == "linear":
        return linear_pnl(side, entry, exit, size)
    return inverse_pnl(side, entry, exit, size)


def position_value(contract: str, price: Num, size: Num) -> Num:
    """The notional at ``price``: linear ``Q × P`` (quote); inverse ``F / P`` (coin).

    examples.md B3: 10 BTCUSD contracts (100 USD each) @ 10,104 are worth
    0.09897 BTC.

    >>> position_value("inverse", 10104, 1000)
    0.0989707
    >>> position_value("linear", 9253.30, 1)
    9253.3
    """
    price, size = _price("price", price), _size(size)
    if contract_kind(contract) == "linear":
        return size * price
    return size / price


def initial_margin(contract: str, entry: Num, size: Num, leverage: Num) -> Num:
    """Initial margin: the value at entry over the leverage.

    Linear ``Q × E / L`` (quote); inverse ``F / (E × L)`` (coin).

    examples.md B1: 1 BTC @ 9,253.30, 20x: 462.66 USDT (page rounding);
    Y11: 12,000 BTCUSD @ 8,000, 50x: 0.03 BTC; X2: 1,000,000 @ 0.000010 XBT,
    20x: 0.5 XBT.

    >>> initial_margin("linear", 9253.30, 1, 20)
    462.665
    >>> initial_margin("inverse", 8000, 12000, 50)
    0.03
    >>> initial_margin("linear", 0.000010, 1_000_000, 20)
    0.5
    """
    leverage = positive("leverage", leverage)
    return position_value(contract, entry, size) / leverage


def bankruptcy_price(contract: str, side: Any, entry: Num, size: Num, wallet_balance: Num) -> Num:
    """The price at which the loss equals ``wallet_balance`` (margin fully lost).

    - linear: ``X = E − s × WB / Q``; with ``WB = IM``: ``E × (1 − s/L)``;
    - inverse: ``1/X = 1/E + s × WB / F``; with ``WB = IM``: ``E × L / (L + s)``.

    ``None`` (NaN in arrays) where no positive price exists: a linear long
    with ``WB >= Q × E`` or an inverse short with ``WB >= F / E`` cannot lose
    its whole margin.

    examples.md Y5: long 1 BTC @ 10,000, 50x (WB = IM = 200): 9,800;
    Y6: long 1 BTC @ 8,000, 50x: 7,840; Y8: inverse long 10,000 USD @ 6,400,
    25x (IM 0.0625 BTC): 6,153.85.

    >>> bankruptcy_price("linear", "long", 10000, 1, 200)
    9800.0
    >>> bankruptcy_price("linear", "long", 8000, 1, 160)
    7840.0
    >>> bankruptcy_price("inverse", "long", 6400, 10000, 0.0625)
    6153.85
    >>> bankruptcy_price("linear", "long", 100, 1, 100) is None   # 1x long
    True
    """
    s = side_sign(side)
    entry, size = _price("entry", entry), _size(size)
    wallet_balance = check("wallet_balance", wallet_balance, ">=", 0)
    if contract_kind(contract) == "linear":
        result = entry - s * wallet_balance / size
        return _no_price(result, result > 0)
    inverse_price = 1 / entry + s * wallet_balance / size
    ok = inverse_price > 0
    safe = where(ok, inverse_price, 1 / entry)  # avoid dividing by zero where no price exists
    return _no_price(1 / safe, ok)


def bankruptcy_price_for_leverage(contract: str, side: Any, entry: Num, leverage: Num) -> Num:
    """The price at which the *initial* margin is lost: :func:`bankruptcy_price` with ``WB = IM``.

    Linear ``E × (1 − s/L)``; inverse ``E × L / (L + s)``.  Written without the
    size so a 1x long (linear) or 1x short (inverse) gives exactly ``None``
    (NaN in arrays) instead of a rounding residue.

    examples.md Y5/Y6 (linear long, 50x): 9,800 from 10,000, 7,840 from 8,000;
    Y8 (inverse long, 25x): 6,153.85 from 6,400.

    >>> bankruptcy_price_for_leverage("linear", "long", 10000, 50)
    9800.0
    >>> bankruptcy_price_for_leverage("inverse", "long", 6400, 25)
    6153.85
    >>> bankruptcy_price_for_leverage("inverse", "short", 6400, 1) is None
    True
    """
    s = side_sign(side)
    entry = _price("entry", entry)
    leverage = positive("leverage", leverage)
    if contract_kind(contract) == "linear":
        result = entry * (1 - s / leverage)
        return _no_price(result, result > 0)
    room = leverage + s
    ok = room > 0
    return _no_price(entry * leverage / where(ok, room, leverage), ok)


def roe(contract: str, side: Any, entry: Num, exit: Num, leverage: Num) -> Num:
    """Return on equity, PnL / initial margin, as a fraction.

    Linear ``s × L × (X/E − 1)``; inverse ``s × L × (1 − E/X)``.

    examples.md Y16 with 10x: long 0.2 @ 7,000 → 7,500 makes 100 on a margin
    of 140, ROE 71.43 %; Y19 with 10x: 0.0181818 BTC on 0.02 BTC, 90.9 %.

    >>> roe("linear", "long", 7000, 7500, 10)
    0.7142857
    >>> roe("inverse", "long", 5000, 5500, 10)
    0.9090909
    """
    s = side_sign(side)
    entry, exit = _price("entry", entry), _price("exit", exit)
    leverage = positive("leverage", leverage)
    if contract_kind(contract) == "linear":
        return s * leverage * (exit / entry - 1)
    return s * leverage * (1 - entry / exit)


def target_price(contract: str, side: Any, entry: Num, leverage: Num, roe: Num) -> Num:
    """The exit price that yields ``roe`` (a fraction) at ``leverage``.

    Linear ``E × (1 + s × ROE / L)``; inverse ``E / (1 − s × ROE / L)``.
    A linear short cannot make ``ROE >= L`` (the price would reach 0), nor an
    inverse long (the price would be infinite).

    examples.md Y16 backwards: a long from 7,000 at 10x needs 7,500 for
    ROE 5/7; Y19: an inverse long from 5,000 at 10x needs 5,500 for ROE 10/11.

    >>> target_price("linear", "long", 7000, 10, 5 / 7)
    7500.0
    >>> target_price("inverse", "long", 5000, 10, 10 / 11)
    5500.0
    >>> target_price("linear", "short", 100, 2, 2)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'roe' must be < leverage for a linear short (the price would reach 0) (got 2)
    >>> target_price("linear", "long", 100, 2, -2)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'roe' must be > -leverage for a linear long (the price would reach 0) (got -2)
    """
    s = side_sign(side)
    entry = _price("entry", entry)
    leverage = positive("leverage", leverage)
    roe = number("roe", roe)
    move = s * roe / leverage
    if contract_kind(contract) == "linear":
        require("roe", roe, 1 + move > 0, _roe_rule(s, "linear", -1, "the price would reach 0"))
        return entry * (1 + move)
    require("roe", roe, 1 - move > 0, _roe_rule(s, "inverse", 1, "the price would be infinite"))
    return entry / (1 - move)


def _roe_rule(s: Any, kind: str, capped: int, why: str) -> str:
    """The rule an unreachable ROE breaks: ``< leverage`` for the ``capped`` side, ``> −leverage`` for the other."""
    article = "an" if kind == "inverse" else "a"
    upper = f"must be < leverage for {article} {kind} {'long' if capped == 1 else 'short'}"
    lower = f"must be > -leverage for {article} {kind} {'short' if capped == 1 else 'long'}"
    if is_array(s):
        return f"{upper}, {lower.removeprefix('must be ')} ({why})"
    return f"{upper if s == capped else lower} ({why})"


def breakeven_price(contract: str, side: Any, entry: Num, open_fee_rate: Num = 0, close_fee_rate: Num = 0) -> Num:
    """The exit price at which PnL pays exactly the fees to open and to close.

    Linear ``E × (1 + s × f_o) / (1 − s × f_c)``; inverse
    ``E × (1 + s × f_c) / (1 − s × f_o)`` (the fees are charged on the value
    at the price where they occur: at entry to open, at the exit to close).

    Hand check (linear long 1 BTC @ 10,000, taker 0.05 % both ways): at
    10,010.005 the gain 10.005 pays 5 to open and 5.005 to close.

    >>> breakeven_price("linear", "long", 10000, 0.0005, 0.0005)
    10010.005
    """
    s = side_sign(side)
    entry = _price("entry", entry)
    f_o = _rate("open_fee_rate", open_fee_rate)
    f_c = _rate("close_fee_rate", close_fee_rate)
    if contract_kind(contract) == "linear":
        return entry * (1 + s * f_o) / (1 - s * f_c)
    return entry * (1 + s * f_c) / (1 - s * f_o)


def fee(contract: str, price: Num, size: Num, fee_rate: Num) -> Num:
    """The fee on a trade at ``price``: the value there times the rate.

    Linear ``Q × P × f`` (quote); inverse ``F / P × f`` (coin).

    examples.md B3: 10 BTCUSD contracts (100 USD) @ 10,104, taker 0.05 %:
    0.000049485 BTC; B4: 1 BTC @ 10,104, taker 0.05 %: 5.052 USDT; sold
    @ 11,104, maker 0.02 %: 2.2208 USDT.

    >>> fee("inverse", 10104, 1000, 0.0005)
    4.94854e-05
    >>> fee("linear", 10104, 1, 0.0005), fee("linear", 11104, 1, 0.0002)
    (5.052, 2.2208)

    A maker rebate is a negative rate (nautilus_trader's BitMEX XBTUSD case: 100,000 contracts
    of 1 USD at 11,450.50, maker −0.025 %: −0.00218331 BTC, paid to the maker):

    >>> round(fee("inverse", 11450.50, 100000, -0.00025), 8)
    -0.00218331
    """
    return position_value(contract, price, size) * _rate("fee_rate", fee_rate)


def funding_payment(
    contract: str, side: Any, mark: Num, size: Num, funding_rate: Num, funding_intervals: Num = 1
) -> Num:
    """Funding *paid* by the position over ``funding_intervals`` (negative: received).

    ``s × value(M) × r × K``: linear ``s × Q × M × r``, inverse ``s × F / M × r``
    per interval.  A positive rate is paid by longs and received by shorts.

    Hand check: a long of 1 BTC at a mark of 10,000 pays 10,000 × 0.01 % = 1
    USDT per interval; a short receives it.

    >>> funding_payment("linear", "long", 10000, 1, 0.0001, 3)
    3.0
    >>> funding_payment("linear", "short", 10000, 1, 0.0001)
    -1.0
    """
    s = side_sign(side)
    funding_rate = number("funding_rate", funding_rate)
    funding_intervals = check("funding_intervals", funding_intervals, ">=", 0)
    return s * position_value(contract, _price("mark", mark), size) * funding_rate * funding_intervals


def open_loss(contract: str, side: Any, order_price: Num, mark: Num, size: Num) -> Num:
    """Binance's open loss: the loss the order would show at once, marked at ``mark``.

    ``max(0, −PnL from the order price to the mark)``; linear
    ``Q × |min(0, s × (M − P))|``.

    examples.md B1, B2: 1 BTC @ 9,253.30, mark 9,259.84: long 0, short 6.54.

    >>> open_loss("linear", "long", 9253.30, 9259.84, 1)
    0.0
    >>> open_loss("linear", "short", 9253.30, 9259.84, 1)
    6.54
    """
    pnl = unrealized_pnl(contract, side, order_price, mark, size)
    none = abs(0 * pnl)  # a zero of the inputs' type (never -0)
    return where(pnl < 0, -pnl, none) if is_array(pnl) else (-pnl if pnl < 0 else none)


def _fill_values(name: str, values: Any) -> list[Num]:
    if is_array(values) and values.ndim > 0:
        values = list(values)
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InputError(name, "must be a list with one value per fill", values)
    items = [positive(name, value) for value in values]
    if not items:
        raise InputError(name, "must hold at least one fill")
    return items


def average_entry(contract: str, sizes: Sequence[Num], prices: Sequence[Num]) -> Num:
    """The average entry price of fills of ``sizes[i]`` at ``prices[i]``.

    Linear (sizes in base units): ``ΣQi × Pi / ΣQi``; inverse (sizes in
    contracts or USD): the harmonic mean ``ΣFi / Σ(Fi / Pi)``.  The contract
    size cancels.  Each fill may itself be an array (broadcasting).

    examples.md Y13: 0.5 @ 5,000 + 0.3 @ 6,000 (linear): 5,375; Y15:
    50 @ 10,000 + 50 @ 15,000 (inverse): 12,000.

    >>> average_entry("linear", [0.5, 0.3], [5000, 6000])
    5375.0
    >>> average_entry("inverse", [50, 50], [10000, 15000])
    12000.0
    """
    kind = contract_kind(contract)
    sizes, prices = _fill_values("sizes", sizes), _fill_values("prices", prices)
    if len(sizes) != len(prices):
        raise InputError("prices", f"must hold one price per size ({len(sizes)})", len(prices))
    total = sum(sizes[1:], sizes[0])
    if kind == "linear":
        paid = [q * p for q, p in zip(sizes, prices, strict=True)]
        return sum(paid[1:], paid[0]) / total
    coins = [f / p for f, p in zip(sizes, prices, strict=True)]
    return total / sum(coins[1:], coins[0])
