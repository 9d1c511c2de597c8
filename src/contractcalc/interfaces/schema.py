"""One schema of every field: the CLI's options and the web API's request models are built from it.

A :class:`Field` is one input: its keyword (the library's keyword, the API's
body field; the CLI flag is the keyword with dashes, ``wallet_balance`` ->
``--wallet-balance``), its help text, its kind (number, text, bool, list,
integer), choices, unit and, where the CLI's help names a flag or a file, the
API's wording.  A :class:`Command` lists its fields in the CLI's order and its
results (key, what it means, unit).  A :class:`Result` names one ``--json`` key.

This module is pure data: it imports no engine, no CLI and no web code, so both
interfaces can read it and the CLI starts fast.  A help text that needs the
shipped tier tables is a callable (:attr:`Command.help`), evaluated only when
help is shown.

Adding a command: add its :class:`Command` to :data:`COMMANDS` (and its result
keys), then a CLI module (``interfaces/cli/<name>_command.py``) and, for the
API, an ``Endpoint`` in ``interfaces/web/api.py``; see docs/design.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from contractcalc.venues.exchange_names import EXCHANGE_NAMES

__all__ = [
    "COMMANDS",
    "FIELDS",
    "GROUPS",
    "INTRABAR_POLICIES",
    "LABELS",
    "MARKET_AS_OF",
    "MARKET_PRICES",
    "PAGE_DEFAULTS",
    "PERCENT_SUFFIXES",
    "Command",
    "Field",
    "Kind",
    "Result",
    "command",
    "label",
    "result_unit",
]

#: How a value is written: a number (read exactly, as ``Decimal``), free text, a
#: yes/no flag, a list (a repeated flag or a file in the CLI, a JSON list in the
#: API) or an integer (the CLI's ``--port``).
Kind = Literal["number", "text", "bool", "list", "integer"]

# ---------------------------------------------------------------------------
# The page's starting inputs: one dated table ("defaults of today's market")

#: The day :data:`MARKET_PRICES` were set.  Review them (and this date) when the market has moved far
#: from them: they are the page's starting figures, not data any formula reads.
MARKET_AS_OF = "2026-12-01"
#: Round reference prices (USDT) the page starts from, as of :data:`MARKET_AS_OF`: BTC at 90,000, near the
#: latest published price at hand that day (87,000-91,000 at the end of November 2025, exchange and news
#: pages; no later figure was), so a trader opens the page on a plausible trade, not 2019's 7,000.
MARKET_PRICES: dict[str, int] = {"BTC": 90000}

_BTC = MARKET_PRICES["BTC"]

#: Per calculator (the web API's endpoint names), the inputs the page starts with where they differ from
#: the endpoint's example body (the published examples the API documents and its tests use).  Prices are
#: today's BTC; the proportions are the examples' (the plan keeps the seed's −25 % stop and +20 % target,
#: so it opens at 4x).  The Replay, Risk and Book tabs keep their samples (their candles and books).
PAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "plan": {"entry": _BTC, "stop": _BTC * 3 // 4, "target": _BTC * 6 // 5, "principal": 1000},
    "pnl": {"entry": _BTC, "exit": _BTC * 21 // 20, "quantity": 0.1, "leverage": 10},
    "target": {"entry": _BTC, "leverage": 10, "roe": 0.5},
    "average-entry": {"fill": [{"size": 0.5, "price": _BTC - 2000}, {"size": 0.3, "price": _BTC + 2000}]},
    "cost": {"entry": _BTC, "leverage": 20, "quantity": 0.1},
    "size": {"entry": _BTC, "stop": _BTC * 49 // 50, "target": _BTC * 53 // 50},
    "max-open": {"entry": _BTC},
    "liquidation": {"entry": _BTC, "quantity": 1, "leverage": 20},
}

#: Result keys shown as a percentage beside the fraction (the CLI's table and the page).
PERCENT_SUFFIXES = ("_change", "_rate", "roe", "roi", "distance_to_liquidation", "margin_ratio", "_probability")


@dataclass(frozen=True)
class Field:
    """One input of a command, the same in the CLI (``--flag``) and in the API (body field).

    ``cli``: how the CLI takes a list: ``"repeat"`` (the flag repeated, e.g.
    ``--fill``) or ``"file"`` (a JSON file's path, e.g. ``--positions``).
    ``web_help``: the API's help where the CLI's names a flag or a file.
    ``unit``: ``price``, ``amount`` (quote for linear, coin for inverse),
    ``size``, ``fraction``, ``leverage``, ``count`` or ``""``.
    """

    name: str
    help: str
    kind: Kind = "number"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    web_help: str | None = None
    cli: Literal["value", "repeat", "file"] = "value"
    min: int | None = None
    max: int | None = None
    show_default: bool = False
    metavar: str | None = None

    @property
    def flag(self) -> str:
        """The CLI flag: ``wallet_balance`` -> ``--wallet-balance``."""
        return "--" + self.name.replace("_", "-")

    @property
    def label(self) -> str:
        """A readable name for the page (``Wallet balance``)."""
        return label(self.name)

    def but(self, **changes: Any) -> Field:
        """This field with some attributes changed (a command-specific help text, required, ...)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Result:
    """One ``--json`` key of a command: what it means (the CLI table's third column) and its unit."""

    key: str
    meaning: str = ""
    unit: str = ""

    @property
    def label(self) -> str:
        return label(self.key)


@dataclass(frozen=True)
class Command:
    """One CLI command (``"seed profit"`` for a subcommand) and, unless ``api`` is false, one API endpoint.

    ``help`` is the command's help text, or a callable giving it (for texts
    that list the shipped tier tables: evaluated only when help is shown);
    ``summary`` is its line in ``contractcalc --help`` (default: the help's
    first sentence).
    """

    name: str
    help: str | Callable[[], str]
    fields: tuple[Field, ...]
    results: tuple[Result, ...] = ()
    summary: str | None = None
    api: bool = True

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def meanings(self) -> dict[str, str]:
        """``{result key: meaning}`` for the CLI table's third column."""
        return {result.key: result.meaning for result in self.results}

    def help_text(self) -> str:
        return self.help() if callable(self.help) else self.help


# ---------------------------------------------------------------------------
# Readable names (the page's labels; anything else: the key with spaces)

LABELS: dict[str, str] = {
    "target_change": "Target change", "stop_change": "Stop change", "leverage": "Leverage",
    "liquidation_change": "Liquidation move", "linear_profit": "Linear profit", "inverse_profit": "Inverse profit",
    "stop_before_liquidation": "Stop before liquidation", "profit": "Profit", "change": "Change",
    "open": "Open price", "entry": "Entry price", "stop": "Stop price", "target": "Target price",
    "exit": "Exit price", "principal": "Principal (margin)", "side": "Side", "wallet_balance": "Wallet balance",
    "mark": "Mark price", "roe": "ROE", "roi": "ROI (Bybit)", "pnl": "PnL", "net_pnl": "Net PnL",
    "unrealized_pnl": "Unrealized PnL", "breakeven_price": "Break-even price", "size": "Size",
    "contracts": "Contracts", "quantity": "Quantity", "initial_margin": "Initial margin",
    "maintenance_margin": "Maintenance margin", "break_even": "Break-even price",
    "break_even_price": "Break-even price", "liquidation_price": "Liquidation price",
    "bankruptcy_price": "Bankruptcy price", "average_entry": "Average entry", "notional": "Notional",
    "contract_size": "Contract size", "fee_rate": "Fee rate", "open_fee_rate": "Open fee rate",
    "close_fee_rate": "Close fee rate", "risk_rate": "Risk rate", "balance": "Balance", "fill": "Fills",
    "positions": "Positions", "contractSize": "Contract size", "entryPrice": "Entry price",
    "markPrice": "Mark price", "maintenanceMarginRate": "MMR", "maintenanceAmount": "MM amount", "fills": "Fills",
    "price": "Price", "mode": "Margin mode", "symbol": "Symbol",
    "stop_before_liquidation_exact": "Stop before liquidation (exchange)",
    "max_leverage_for_stop": "Highest leverage for the stop", "leverage_needed": "Leverage needed",
    "reward_risk_ratio": "Reward : risk", "risk_amount": "Amount at risk",
    "inverse_profit_exact_coin": "Inverse profit, exact (coin)",
    "inverse_profit_exact_value": "Inverse profit, exact (value)",
    "inverse_profit_at_entry": "Inverse profit at entry price",
    "inverse_bankruptcy_change": "Inverse bankruptcy move", "distance_to_liquidation": "Distance to liquidation",
    "margin_ratio": "Margin ratio", "margin_balance": "Margin balance", "target_price": "Target price",
    "max_quantity": "Largest quantity", "max_notional": "Largest notional", "open_loss": "Loss on opening",
    "open_fee": "Fee to open", "close_fee": "Fee to close", "total_size": "Total size", "funding": "Funding paid",
    "fees": "Fees", "cost": "Cost to open", "realized_pnl": "Realised PnL", "tier": "Tier",
    "maintenance_margin_rate": "Maintenance margin rate", "maintenance_amount": "Maintenance amount",
    "taker_fee_rate": "Fee rate to close", "max_leverage": "Max leverage", "extra_margin": "Margin added",
    "fee_to_close": "Fee to close at bankruptcy",
    "funding_rate": "Funding rate", "funding_intervals": "Funding intervals", "funding_mark": "Funding mark price",
    "margin_mode": "Margin mode", "stop_change_rate": "Stop move", "volatility": "Volatility (annual)",
    "horizon": "Horizon", "drift": "Drift (annual)", "stop_first_probability": "Chance the stop is hit first",
    "target_first_probability": "Chance the target is hit first",
    "liquidation_first_probability": "Chance of liquidation first",
    "liquidation_probability": "Chance of liquidation", "stop_probability": "Chance the stop is hit (first)",
    "target_probability": "Chance the target is hit (first)", "neither_probability": "Chance of neither",
    "horizon_years": "Horizon (years)", "standard_error": "Standard error (MC)",
    "round": "Round to tick and lot", "price_tick": "Price tick", "lot_size": "Lot size",
}


def label(key: str) -> str:
    """The readable name of ``key``: :data:`LABELS`, else the key with spaces, capitalised.

    >>> label("net_pnl"), label("open_interest")
    ('Net PnL', 'Open interest')
    """
    if key in LABELS:
        return LABELS[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------
# Fields shared by the commands (a command may change the help: ``FIELDS[...].but(help=...)``)

_EXCHANGE_HELP = ("Preset for contract kind, contract size and fee rates (flags override): "
                  + ", ".join(EXCHANGE_NAMES) + ".")
_TIERS_WEB_HELP = "With an exchange preset: tier table (a shipped preset name)."

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("side", "long or short.", kind="text", choices=("long", "short")),
        Field("contract", "linear or inverse; default: the exchange preset's kind.", kind="text",
              choices=("linear", "inverse")),
        Field("exchange", _EXCHANGE_HELP, kind="text", web_help=_EXCHANGE_HELP.replace("flags override",
                                                                                         "fields override")),
        Field("symbol", "Market, e.g. BTC/USDT:USDT or BTCUSD (picks contract size and tiers).", kind="text"),
        Field("quantity", "Linear size in base units (e.g. BTC).", unit="size"),
        Field("contracts", "Number of contracts.", unit="count"),
        Field("contract_size", "Per contract: base units (linear) or USD (inverse); default: the preset's.",
              unit="size"),
        Field("entry", "Entry price.", unit="price"),
        Field("exit", "Exit (or mark) price.", unit="price"),
        Field("stop", "Stop-loss price.", unit="price"),
        Field("target", "Target price.", unit="price"),
        Field("open", "Opening price.", unit="price"),
        Field("mark", "Mark price.", unit="price"),
        Field("leverage", "Leverage.", unit="leverage"),
        Field("principal", "Margin put up.", unit="amount"),
        Field("balance", "Account balance (quote for linear, coin for inverse).", unit="amount"),
        Field("max_leverage", "With --exchange hyperliquid: the asset's max leverage.", unit="leverage",
              web_help="With the hyperliquid preset: the asset's max leverage."),
        Field("maintenance_margin_rate", "With --exchange: maintenance margin rate.", unit="fraction",
              web_help="With an exchange preset: maintenance margin rate."),
        Field("maintenance_amount", "With --exchange: maintenance amount (cum).", unit="amount",
              web_help="With an exchange preset: maintenance amount (cum)."),
        Field("tiers", "With --exchange: tier table file or preset.", kind="text", web_help=_TIERS_WEB_HELP),
        Field("taker_fee_rate", "With --exchange okx-*: fee to close.", unit="fraction",
              web_help="With an okx-* preset: fee to close."),
        Field("open_fee_rate", "Fee rate to open; preset: taker; else 0.", unit="fraction"),
        Field("close_fee_rate", "Fee rate to close; preset: taker.", unit="fraction"),
        # which of stop, target and liquidation price is touched first (plan and size)
        Field("volatility", "With --horizon: annual volatility (0.8 = 80 %): which of stop, target and "
                            "liquidation price is touched first.", unit="fraction",
              web_help="With a horizon: annual volatility (0.8 = 80 %): which of stop, target and "
                       "liquidation price is touched first."),
        Field("horizon", "With --volatility: horizon, e.g. 24h, 7d.", kind="text",
              web_help="With a volatility: horizon, e.g. 24h, 7d."),
        Field("drift", "With --volatility: annual drift of the price (default 0).", unit="fraction",
              web_help="With a volatility: annual drift of the price (default 0)."),
        # the market's tick and lot: venues/data/markets.json (ccxt's recorded static markets)
        Field("round", "With --exchange and --symbol: round to the market's price tick and lot (sizes down to "
                       "the lot, liquidation prices toward the entry) and show them.", kind="bool", default=False,
              web_help="With an exchange preset and a symbol: round to the market's price tick and lot (sizes "
                       "down to the lot, liquidation prices toward the entry) and show them."),
    )
}


def _fields(*items: Field | str) -> tuple[Field, ...]:
    """Fields in the CLI's order; a shared field may be named by its keyword ("contract": ``FIELDS["contract"]``)."""
    return tuple(FIELDS[item] if isinstance(item, str) else item for item in items)


def _results(*items: tuple[str, str] | tuple[str, str, str]) -> tuple[Result, ...]:
    return tuple(Result(*item) for item in items)


def _required(name: str, help: str | None = None) -> Field:
    base = FIELDS[name]
    return base.but(required=True, help=help or base.help)


# ---------------------------------------------------------------------------
# The seed lesson's formulas

_SEED_CONTRACT = FIELDS["contract"].but(help="linear or inverse (also the seed's usdt, u, coin).", required=True)
_LEVERAGE_MULTIPLE = _required("leverage", "Leverage multiple.")

SEED_TARGET_CHANGE = Command(
    "seed target-change", "Signed move from open to target: target / open − 1.",
    (_required("open"), _required("target")),
    _results(("target_change", "", "fraction")),
)
SEED_LIQUIDATION_CHANGE = Command(
    "seed liquidation-change", "Adverse move that liquidates, by the seed: 1 / leverage.",
    (_LEVERAGE_MULTIPLE,),
    _results(("liquidation_change", "", "fraction")),
)
SEED_LEVERAGE = Command(
    "seed leverage",
    "Leverage whose liquidation move is the stop: 1 / |stop change| or 1 / |1 − stop / open|.",
    (Field("stop_change", "Stop as a fraction, e.g. 0.1.", unit="fraction"), FIELDS["open"],
     FIELDS["stop"].but(help="Stop price.")),
    _results(("leverage", "", "leverage")),
)
SEED_PROFIT = Command(
    "seed profit", "Profit by the seed: linear (U-based) or inverse (coin-based).",
    (_SEED_CONTRACT, _required("side"), _required("principal"), _LEVERAGE_MULTIPLE,
     Field("change", "Signed price change, exit / entry − 1.", required=True, unit="fraction")),
    _results(("profit", "", "amount")),
)

PLAN = Command(
    "plan",
    "The seed's method: leverage from the stop, liquidation move, profit at the target.\n\n"
    "Beside the seed's numbers: the exact inverse profit (in coin, and its value at the target and at\n"
    "entry) and the exact inverse bankruptcy move, 1/(L+1) long, 1/(L−1) short.",
    _fields(
        _required("side"),
        _required("entry", "Entry (opening) price."),
        _required("stop"),
        _required("target", "Target (take-profit) price."),
        _required("principal"),
        FIELDS["leverage"].but(help="Leverage; default: the one the stop implies."),
        FIELDS["exchange"].but(
            help="Check the stop against this exchange's liquidation price (isolated, margin = principal).",
            web_help=None),
        "maintenance_margin_rate", "maintenance_amount", "tiers",
        FIELDS["symbol"].but(help="With --exchange: symbol (picks a shipped tier table).",
                             web_help="With an exchange preset: symbol (picks a shipped tier table)."),
        "taker_fee_rate", "max_leverage", "volatility", "horizon", "drift", "round",
    ),
    _results(
        ("target_change", "target / entry − 1", "fraction"),
        ("stop_change", "stop / entry − 1", "fraction"),
        ("leverage", "1 / |stop change| unless --leverage", "leverage"),
        ("liquidation_change", "seed: 1 / leverage", "fraction"),
        ("linear_profit", "U-based: principal × L × change", "amount"),
        ("inverse_profit", "coin-based (seed): principal × L × change × (1 + change)", "amount"),
        ("stop_before_liquidation", "|stop change| ≤ liquidation move", "bool"),
        ("inverse_profit_exact_coin", "exact inverse: s·(P/E)·L·c/(1 + c) coin", "coin"),
        ("inverse_profit_exact_value", "that coin at the target price: P·L·c", "amount"),
        ("inverse_profit_at_entry", "that coin at the entry price", "amount"),
        ("inverse_bankruptcy_change", "exact inverse: 1/(L+1) long, 1/(L−1) short", "fraction"),
        ("liquidation_price", "exchange's, isolated, margin = principal", "price"),
        ("stop_before_liquidation_exact", "liquidation price at or beyond the stop", "bool"),
        ("max_leverage_for_stop", "highest leverage keeping it beyond the stop", "leverage"),
        ("price_tick", "with --round: the tick prices were rounded to", "price"),
    ),
)

# ---------------------------------------------------------------------------
# Exchange-exact position math

PNL = Command(
    "pnl", "PnL, margin, ROE, fees, funding, net PnL and break-even of a closed position.",
    _fields(
        _required("side"),
        _required("entry", "Entry (average open) price."),
        _required("exit"),
        "contract", "quantity", "contracts", "contract_size",
        FIELDS["leverage"].but(help="Leverage, for margin and ROE."),
        FIELDS["open_fee_rate"].but(help="Fee rate to open (0.0005 = 0.05 %); preset: taker."),
        "close_fee_rate",
        Field("funding_rate", "Funding rate per interval; positive: longs pay.", unit="fraction"),
        Field("funding_intervals", "Funding intervals held (default 1).", unit="count"),
        Field("funding_mark", "Mark price for funding (default: entry).", unit="price"),
        "exchange", "symbol",
    ),
    _results(
        ("pnl", "linear s·Q·(X − E); inverse s·F·(1/E − 1/X)", "amount"),
        ("initial_margin", "value at entry / leverage", "amount"),
        ("roe", "pnl / initial margin", "fraction"),
        ("notional", "value at entry: Q·E or F/E", "amount"),
        ("fees", "open fee (value at entry) + close fee (value at exit)", "amount"),
        ("funding", "paid (negative: received): s·value·rate·intervals", "amount"),
        ("net_pnl", "pnl − fees − funding", "amount"),
        ("breakeven_price", "exit where pnl pays both fees", "price"),
    ),
)

def missing_position_inputs(values: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The inputs one ``liquidation`` position lacks, each as a field and its alternatives.

    Not required field by field (``positions`` and a book bring them in a file), so the CLI and the
    API ask for them here, all at once, rather than one per try.

    >>> missing_position_inputs({"side": "long", "margin_mode": None})
    [('entry',), ('quantity', 'contracts'), ('leverage', 'wallet_balance')]
    >>> missing_position_inputs({"margin_mode": "cross", "leverage": 5})
    [('side',), ('entry',), ('quantity', 'contracts'), ('wallet_balance',)]
    """
    wanted: list[tuple[str, ...]] = [("side",), ("entry",), ("quantity", "contracts"), ("leverage", "wallet_balance")]
    if str(values.get("margin_mode") or "").strip().lower() == "cross":  # the account's wallet, no leverage
        wanted[-1] = ("wallet_balance",)
    return [names for names in wanted if all(values.get(name) is None for name in names)]


#: The meaning of ``roi``, the result ``pnl`` adds under a Bybit preset only (so not in PNL's results).
PNL_ROI_MEANING = "Bybit: pnl / (initial margin + fee to close at bankruptcy)"

TARGET = Command(
    "target", "Exit price for a wanted ROE: linear E·(1 + s·ROE/L), inverse E/(1 − s·ROE/L).",
    _fields(
        _required("side"), _required("entry"), _required("leverage"),
        Field("roe", "Wanted ROE as a fraction (0.5 = 50 %).", required=True, unit="fraction"),
        "contract", "exchange",
    ),
    _results(("target_price", "exit price giving the ROE, before fees", "price")),
)

AVERAGE_ENTRY = Command(
    "average-entry", "Average entry of fills: linear size-weighted, inverse harmonic (ΣF / Σ(F/P)).",
    _fields(
        Field("fill", "A fill SIZE@PRICE (repeat), e.g. --fill 0.5@5000 --fill 0.3@6000; a negative size "
                      "closes part of the position at an unchanged average entry (--fill -0.2@5500).", kind="list",
              required=True, cli="repeat",
              web_help="Each fill's size and price (or 'SIZE@PRICE' text, e.g. '0.5@5000'); a negative size "
                       "closes part of the position."),
        "contract", "exchange",
        FIELDS["side"].but(help="long or short: the sign of the PnL realised by closing fills (default long)."),
    ),
    _results(
        ("average_entry", "linear ΣQ·P/ΣQ; inverse ΣF/Σ(F/P); a close leaves it unchanged", "price"),
        ("total_size", "sum of the fill sizes (what is still open)", "size"),
        ("realized_pnl", "closes: linear s·q·(P − E), inverse s·q·(1/E − 1/P)", "amount"),
    ),
)

COST = Command(
    "cost", "Cost to open: initial margin, open loss, fees to open and close, bankruptcy price.",
    _fields(
        _required("side"), _required("entry", "Order price."), _required("leverage"),
        "contract", "quantity", "contracts", "contract_size",
        FIELDS["mark"].but(help="Mark price, for the open loss."),
        Field("fee_rate", "Fee rate to open and to close; preset: taker; else 0.", unit="fraction"),
        "exchange", "symbol",
        FIELDS["tiers"].but(help="Tier table (ccxt JSON file or preset) to check the leverage cap.",
                            web_help="Tier table (a shipped preset name), to check the leverage cap."),
    ),
    _results(
        ("initial_margin", "value at entry / leverage", "amount"),
        ("open_loss", "loss shown at once at the mark (Binance)", "amount"),
        ("open_fee", "fee on the value at entry", "amount"),
        ("close_fee", "fee on the value at the bankruptcy price (Bybit)", "amount"),
        ("bankruptcy_price", "where the initial margin is lost", "price"),
        ("cost", "margin + open loss + both fees", "amount"),
    ),
)

SIZE = Command(
    "size",
    "Position size that loses balance × risk rate at the stop (fees included).\n\n"
    "With --exchange and a maintenance rate (--maintenance-margin-rate, --tiers, a shipped table for\n"
    "--symbol, or hyperliquid's --max-leverage): the exchange's liquidation price at --leverage, whether\n"
    "the stop comes first, and the highest leverage that keeps the liquidation price beyond the stop.",
    _fields(
        _required("side"), _required("balance"),
        Field("risk_rate", "Share of the balance to risk, in (0, 1].", required=True, unit="fraction"),
        _required("entry"), _required("stop"),
        FIELDS["target"].but(help="Target price, for the reward/risk ratio."),
        "contract", "contract_size", "open_fee_rate",
        FIELDS["close_fee_rate"].but(help="Fee rate to close (at the stop); preset: taker; else 0."),
        FIELDS["max_leverage"].but(help="Refuse a position that needs more leverage.", web_help=None),
        "exchange", "symbol",
        FIELDS["leverage"].but(help="With --exchange: leverage of the isolated position (liquidation).",
                               web_help="With an exchange preset: leverage of the isolated position "
                                        "(liquidation)."),
        "maintenance_margin_rate", "maintenance_amount", "tiers", "volatility", "horizon", "drift", "round",
    ),
    _results(
        ("quantity", "base units losing risk_amount at the stop, fees included", "size"),
        ("contracts", "contracts losing risk_amount at the stop, fees included", "count"),
        ("notional", "value at entry", "amount"),
        ("risk_amount", "balance × risk rate", "amount"),
        ("leverage_needed", "notional / balance", "leverage"),
        ("reward_risk_ratio", "net PnL at target / risk amount", ""),
        ("liquidation_price", "exchange's, isolated at --leverage", "price"),
        ("stop_before_liquidation_exact", "liquidation price at or beyond the stop", "bool"),
        ("max_leverage_for_stop", "highest leverage keeping it beyond the stop", "leverage"),
        ("price_tick", "with --round: the tick prices were rounded to", "price"),
        ("lot_size", "with --round: the lot the size was rounded down to", "size"),
    ),
)


def _shipped_tables() -> Mapping[str, Any]:
    from contractcalc.venues.tiers import PRESET_TABLES

    return PRESET_TABLES


def _shipped_table_names() -> str:
    """The shipped tables' names as a help paragraph click keeps as written (``\\b``): a name is never cut."""
    import textwrap

    names = textwrap.fill("Shipped tier tables: " + ", ".join(_shipped_tables()) + ".", width=78,
                          break_on_hyphens=False, break_long_words=False)
    return "\b\n" + names


def _max_open_help() -> str:
    lines = [
        f"{name}: {p.exchange} {p.symbol}, {p.source}, as of {p.as_of}" + (f" ({p.note})" if p.note else "")
        for name, p in _shipped_tables().items()
    ]
    return (
        "Largest position at a leverage: min(balance × leverage, the upper bound of the highest tier "
        "whose max leverage ≥ the leverage). Fees and open loss are not deducted.\n\n"
        "Shipped tier tables (use --tiers NAME, or --exchange and --symbol for the newest; "
        "tables change, load a fresh one with --tiers FILE):\n\n" + "\n\n".join(lines)
    )


MAX_OPEN = Command(
    "max-open", _max_open_help,
    _fields(
        _required("balance", "Available balance (quote for linear, coin for inverse)."),
        _required("leverage"), _required("entry", "Order price."),
        "exchange", "symbol",
        FIELDS["tiers"].but(help="Tier table: a ccxt fetch_leverage_tiers() JSON file or a shipped preset name.",
                            web_help="Tier table: a shipped preset name."),
        "contract", "contract_size", "round",
    ),
    _results(
        ("max_quantity", "max notional / entry", "size"),
        ("max_contracts", "max notional × entry / contract size", "count"),
        ("max_notional", "min(balance × leverage, tier cap)", "amount"),
        ("lot_size", "with --round: the lot the size was rounded down to", "size"),
    ),
    summary="Largest position at a leverage: min(balance × leverage, the upper bound of the highest tier whose "
            "max leverage ≥ the leverage).",
)

# ---------------------------------------------------------------------------
# Liquidation

_LIQUIDATION_SUMMARY = (
    "Liquidation price, bankruptcy price, maintenance margin and its tier, distance to liquidation."
)


def _liquidation_help() -> str:
    return (
        _LIQUIDATION_SUMMARY + "\n\n"
        "One position: --exchange, --side, --entry and --quantity (or --contracts), with --leverage "
        "(isolated margin defaults to the initial margin) or --wallet-balance, and the maintenance rate: "
        "--maintenance-margin-rate [--maintenance-amount], or --tiers FILE|PRESET --symbol SYMBOL, or "
        "--symbol SYMBOL alone for the newest shipped table (the tier is the one holding the notional at "
        "the liquidation price), or for hyperliquid "
        "--max-leverage (MMR = 1 / (2 × max leverage)).\n\n"
        "A cross account: --exchange, --wallet-balance and --positions FILE.json (a list of ccxt "
        "positions: symbol, side, contracts, contractSize, entryPrice, markPrice, and "
        "maintenanceMarginRate and maintenanceAmount unless --tiers holds the symbol).\n\n"
        "A book of many accounts: --exchange, --book FILE and --accounts FILE (the cross wallets); "
        "--output FILE writes every column.\n\n"
        + _shipped_table_names()
    )


LIQUIDATION = Command(
    "liquidation", _liquidation_help,
    _fields(
        FIELDS["exchange"].but(help="Exchange: " + ", ".join(EXCHANGE_NAMES) + ".", required=True, web_help=None),
        "side",
        FIELDS["entry"].but(help="Entry (average open) price."),
        "quantity", "contracts",
        FIELDS["contract_size"].but(help="Per contract: base units (linear) or USD (inverse)."),
        FIELDS["leverage"].but(help="Leverage (initial margin = value / leverage)."),
        Field("wallet_balance", "Isolated: position margin (default: initial margin). "
                                "Cross: the account's wallet balance.", unit="amount"),
        Field("margin_mode", "isolated (default) or cross (default with --positions).", kind="text",
              choices=("isolated", "cross"),
              web_help="isolated (default): one position; cross: the wallet balance and every position."),
        FIELDS["maintenance_margin_rate"].but(help="Maintenance margin rate (0.005 = 0.5 %).", web_help=None),
        FIELDS["maintenance_amount"].but(help="Maintenance amount (Binance cum, Bybit MM deduction).",
                                         web_help=None),
        FIELDS["tiers"].but(help="Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.",
                            web_help="Tier table: a shipped preset name."),
        FIELDS["symbol"].but(help="Market, e.g. BTC/USDT:USDT or ETHUSDT: its symbol in --tiers, else the newest "
                                  "shipped table for it; with --round, its tick.",
                             web_help="Market, e.g. BTC/USDT:USDT: its symbol in the tier table, else the newest "
                                      "shipped table for it; with round, its tick."),
        FIELDS["taker_fee_rate"].but(help="Fee to close: okx-* at the mark (default: preset taker); bybit-* in "
                                          "cross mode at the bankruptcy price (default: not counted).", web_help=None),
        FIELDS["max_leverage"].but(help="Hyperliquid: the asset's max leverage.", web_help=None),
        Field("extra_margin", "Margin added to an isolated position.", unit="amount"),
        FIELDS["mark"].but(help="Current mark price (distance, margin ratio)."),
        Field("positions", "Cross account: JSON file with a list of ccxt positions.", kind="list", cli="file",
              web_help="Cross account: every position, as ccxt's fetch_positions() gives them."),
        Field("book", "A book of many accounts: CSV, Parquet or JSON lines file of positions (account, symbol, "
                      "side, quantity or contracts, entry, mark, margin_mode, leverage or wallet_balance, "
                      "maintenance_margin_rate unless --tiers holds the symbol).", kind="list", cli="file",
              web_help="A book of many accounts: a list of row objects (account, symbol, side, quantity or "
                       "contracts, entry, mark, margin_mode, leverage or wallet_balance, maintenance_margin_rate)."),
        Field("accounts", "With --book: the cross wallets, a CSV, Parquet or JSON lines file of account, "
                          "wallet_balance.", kind="list", cli="file",
              web_help="With book: the cross wallets, a list of {account, wallet_balance}."),
        Field("output", "With --book: write the per-position table here (.csv or .parquet).", kind="text",
              web_help="Not used over HTTP: the answer holds the table."),
        FIELDS["round"].but(help="With --symbol: round to the market's price tick (liquidation and bankruptcy "
                                 "prices toward the entry) and show it.",
                            web_help="With a symbol: round to the market's price tick (liquidation and bankruptcy "
                                     "prices toward the entry) and show it."),
    ),
    _results(
        ("liquidation_price", "margin balance = requirement", "price"),
        ("bankruptcy_price", "margin balance = 0", "price"),
        ("maintenance_margin", "notional × rate − amount, at LP", "amount"),
        ("maintenance_margin_rate", "rate of the tier", "fraction"),
        ("maintenance_amount", "cum / MM deduction of the tier", "amount"),
        ("tier", "holds the notional at LP", "count"),
        ("tier_at_entry", "holds the entry notional", "count"),
        ("initial_margin", "value at entry / leverage", "amount"),
        ("wallet_balance", "margin used (+ extra margin)", "amount"),
        ("distance_to_liquidation", "|LP − ref| / ref", "fraction"),
        ("margin_ratio", "MM / margin balance at mark", "fraction"),
        ("fee_to_close", "Bybit cross: taker rate × value at the bankruptcy price", "amount"),
        ("price_tick", "with --round: the tick prices were rounded to", "price"),
    ),
    summary=_LIQUIDATION_SUMMARY,
)

# ---------------------------------------------------------------------------
# Replay (through candles)

#: Which level a candle holding both the stop (or liquidation) and the target reaches first.
INTRABAR_POLICIES = ("pessimistic", "optimistic", "nearest-first")


def _replay_help() -> str:
    return (
        "Replay a position through candles: stop, target, liquidation and funding the way the exchange "
        "would have done it.\n\n"
        "--candles FILE: ccxt rows [timestamp_ms, open, high, low, close, volume] in JSON, or CSV with a header "
        "timestamp,open,high,low,close[,volume] (or a freqtrade data folder with --symbol and --timeframe). "
        "--mark-candles FILE: mark-price candles with the same timestamps (liquidation and funding use them). "
        "--funding FILE: [timestamp_ms, rate] rows in JSON or CSV timestamp,rate.\n\n"
        "The position opens at --entry (default: the first open) at the first candle's open time; its "
        "liquidation price comes from the flags of `contractcalc liquidation` (isolated). Within a candle the "
        "level nearer the open is reached first; --intrabar decides when the stop (or liquidation) and the "
        "target both lie inside one candle: pessimistic (default), optimistic, nearest-first. A gap fills at "
        "the open; liquidation loses the whole margin.\n\n"
        + _shipped_table_names()
    )


REPLAY = Command(
    "replay", _replay_help,
    _fields(
        Field("candles", "Candles: ccxt JSON rows or CSV (or a freqtrade data folder).", kind="list", cli="file",
              required=True, web_help="Candles as ccxt rows [timestamp_ms, open, high, low, close(, volume)], "
                                      "timestamps strictly increasing."),
        _required("side"),
        FIELDS["exchange"].but(help="Exchange: " + ", ".join(EXCHANGE_NAMES) + ".", required=True, web_help=None),
        Field("mark_candles", "Mark-price candles (same timestamps): liquidation and funding.", kind="list",
              cli="file", web_help="Mark-price candles, same timestamps: liquidation and the funding value use them."),
        Field("funding", "Funding rates: JSON [timestamp_ms, rate] rows or CSV.", kind="list", cli="file",
              web_help="Funding rates as rows [timestamp_ms, rate]."),
        FIELDS["entry"].but(help="Entry price (default: the first candle's open)."),
        "quantity", "contracts",
        FIELDS["contract_size"].but(help="Per contract: base units (linear) or USD (inverse)."),
        FIELDS["leverage"].but(help="Leverage (isolated margin = value / leverage)."),
        Field("wallet_balance", "Isolated margin (default: the initial margin).", unit="amount"),
        FIELDS["maintenance_margin_rate"].but(help="Maintenance margin rate (0.005 = 0.5 %).", web_help=None),
        FIELDS["maintenance_amount"].but(help="Maintenance amount (Binance cum, Bybit MM deduction).",
                                         web_help=None),
        FIELDS["tiers"].but(help="Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.",
                            web_help="Tier table: a shipped preset name."),
        FIELDS["symbol"].but(help="Symbol, e.g. BTC/USDT:USDT (tiers, contract size, freqtrade files).",
                             web_help="Symbol, e.g. BTC/USDT:USDT (tier table, contract size)."),
        FIELDS["max_leverage"].but(help="Hyperliquid: the asset's max leverage.", web_help=None),
        FIELDS["stop"].but(help="Stop-loss price (triggers on the last-price candles)."),
        FIELDS["target"].but(help="Take-profit price."),
        Field("intrabar", "Stop and target in one candle: " + ", ".join(INTRABAR_POLICIES) + " (default pessimistic).",
              kind="text", default="pessimistic", choices=INTRABAR_POLICIES),
        Field("fee_rate", "Fee rate at entry and at a stop/target exit (default: preset taker).", unit="fraction"),
        Field("timeframe", "With a freqtrade data folder: the timeframe, e.g. 1m.", kind="text",
              web_help="Not used over HTTP (the candles come as rows)."),
    ),
    _results(
        ("exit_reason", "stop, target, liquidation or open", ""),
        ("exit_time", "exit candle's open time (ms)", "time"),
        ("exit_price", "level, gap's open, LP or last close", "price"),
        ("pnl", "price PnL; −margin if liquidated", "amount"),
        ("fees", "rate × value at entry (+ at exit)", "amount"),
        ("funding", "Σ s·value·rate (paid > 0)", "amount"),
        ("net_pnl", "pnl − fees − funding", "amount"),
        ("bars_held", "first to exit candle, both in", "count"),
        ("liquidation_price", "the exchange's (isolated)", "price"),
    ),
    summary="Replay a position through candles: stop, target, liquidation and funding the way the exchange "
            "would have done it.",
)

# ---------------------------------------------------------------------------
# Risk (chance of liquidation, of the stop before the target)

#: Volatility estimators from candles (core.volatility.ESTIMATORS) and Monte Carlo returns
#: (engines.risk.RETURNS); a test checks they match the engines.
VOLATILITY_ESTIMATORS = ("close-to-close", "parkinson", "garman-klass", "rogers-satchell", "yang-zhang")
RISK_RETURNS = ("gbm", "student-t", "bootstrap")
RISK_DEFAULT_PATHS = 100_000
RISK_DEFAULT_STEPS = 100


def _risk_help() -> str:
    return (
        "The chance that the price touches the liquidation price within --horizon, and which of --stop and "
        "--target it touches first (geometric Brownian motion, years of 365 days).\n\n"
        "--volatility and --drift are annual fractions (0.8 = 80 %); --horizon and --monitoring are durations "
        "such as 90m, 24h, 7d, 1w. The liquidation price is --liquidation-price, or computed from the flags of "
        "`contractcalc liquidation` (--exchange, --entry, --quantity/--contracts, --leverage, "
        "--maintenance-margin-rate/--tiers/--symbol, ...). Instead of --volatility: --candles FILE (ccxt JSON "
        "rows or CSV timestamp,open,high,low,close[,volume]) and --volatility-estimator "
        + "|".join(VOLATILITY_ESTIMATORS) + ".\n\n"
        "--method closed-form (default: reflection principle, Kunitomo-Ikeda / Fourier series, Broadie-Glasserman-"
        "Kou for --monitoring) or monte-carlo (--paths, --steps, --seed, --returns gbm|student-t|bootstrap; "
        "Brownian-bridge crossings, with a standard error).\n\n"
        + _shipped_table_names()
    )


RISK = Command(
    "risk", _risk_help,
    _fields(
        _required("side"),
        Field("horizon", "Horizon: a duration such as 90m, 24h, 7d, 1w.", kind="text", required=True),
        Field("volatility", "Annual volatility (0.8 = 80 %).", unit="fraction"),
        Field("price", "Current price (default: --mark, else --entry).", unit="price",
              web_help="Current price (default: the mark, else the entry price)."),
        Field("liquidation_price", "Liquidation price (else computed from the liquidation flags).", unit="price",
              web_help="Liquidation price (else the exchange's, from the position)."),
        FIELDS["stop"].but(help="Stop-loss price."),
        FIELDS["target"].but(help="Take-profit price."),
        Field("drift", "Annual drift of the price μ (default 0).", unit="fraction"),
        Field("monitoring", "continuous (default) or the interval the barriers are checked at, e.g. 1h.",
              kind="text", default="continuous"),
        Field("method", "closed-form (default) or monte-carlo.", kind="text", default="closed-form",
              choices=("closed-form", "monte-carlo")),
        Field("paths", f"Monte Carlo paths (default {RISK_DEFAULT_PATHS:,}).", unit="count", metavar="INTEGER"),
        Field("steps", f"Monte Carlo steps (default {RISK_DEFAULT_STEPS}).", unit="count", metavar="INTEGER"),
        Field("seed", "Monte Carlo random seed.", metavar="INTEGER"),
        Field("returns", "Monte Carlo returns: " + ", ".join(RISK_RETURNS) + " (bootstrap needs --candles).",
              kind="text", default="gbm", choices=RISK_RETURNS,
              web_help="Monte Carlo returns: " + ", ".join(RISK_RETURNS) + " (bootstrap needs candles)."),
        Field("degrees_of_freedom", "Student-t degrees of freedom (default 4)."),
        Field("candles", "Candles (ccxt JSON rows or CSV) for --volatility-estimator / bootstrap.", kind="list",
              cli="file", web_help="Candles as rows [timestamp_ms, open, high, low, close(, volume)]: "
                                   "volatility estimator, bootstrap."),
        Field("volatility_estimator", "With --candles: " + ", ".join(VOLATILITY_ESTIMATORS) + ".", kind="text",
              choices=VOLATILITY_ESTIMATORS,
              web_help="With candles: " + ", ".join(VOLATILITY_ESTIMATORS) + "."),
        FIELDS["exchange"].but(help="Liquidation price from: " + ", ".join(EXCHANGE_NAMES) + ".", web_help=None),
        FIELDS["entry"].but(help="Entry price."),
        "quantity", "contracts",
        FIELDS["contract_size"].but(help="Per contract: base units (linear) or USD (inverse)."),
        FIELDS["leverage"].but(help="Leverage (isolated margin = value / leverage)."),
        Field("wallet_balance", "Isolated margin (default: the initial margin).", unit="amount"),
        FIELDS["maintenance_margin_rate"].but(help="Maintenance margin rate (0.005 = 0.5 %).", web_help=None),
        FIELDS["maintenance_amount"].but(help="Maintenance amount (Binance cum, Bybit MM deduction).",
                                         web_help=None),
        FIELDS["tiers"].but(help="Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.",
                            web_help="Tier table: a shipped preset name."),
        FIELDS["symbol"].but(help="Symbol, e.g. BTC/USDT:USDT (tiers, contract size)."),
        FIELDS["taker_fee_rate"].but(help="Fee to close: okx-* at the mark (default: preset taker); bybit-* in "
                                          "cross mode at the bankruptcy price (default: not counted).", web_help=None),
        FIELDS["max_leverage"].but(help="Hyperliquid: the asset's max leverage.", web_help=None),
        Field("extra_margin", "Margin added to an isolated position.", unit="amount"),
        FIELDS["mark"].but(help="Current mark price."),
    ),
    _results(
        ("liquidation_price", "given, or the exchange's (isolated)", "price"),
        ("liquidation_probability", "touched within the horizon (no stop/target)", "fraction"),
        ("stop_probability", "stop touched first (one barrier without a target)", "fraction"),
        ("target_probability", "target touched first (one barrier without a stop)", "fraction"),
        ("neither_probability", "neither stop nor target within the horizon", "fraction"),
        ("volatility", "annual σ", "fraction"),
        ("horizon_years", "T, years of 365 days", ""),
        ("standard_error", "Monte Carlo: the largest of the figures'", "fraction"),
    ),
    summary="The chance that the price touches the liquidation price within --horizon, and which of --stop and "
            "--target it touches first (geometric Brownian motion, years of 365 days).",
)

# ---------------------------------------------------------------------------
# Book stress

STRESS = Command(
    "stress",
    "Book stress: move every mark by each shock (mark × (1 + k)) and count the margin pools liquidated "
    "(an account's cross positions with its wallet, or one isolated position with its margin), the positions "
    "in them, their notional at the shocked marks and the shortfall (how far their margin balance falls "
    "below zero).\n\n"
    "--positions FILE: CSV, Parquet or JSON lines with account, symbol, side, quantity (or contracts "
    "[contract_size]), entry, mark, margin_mode, leverage or wallet_balance (an isolated position's margin), "
    "maintenance_margin_rate [maintenance_amount] unless --tiers holds the symbol. --accounts FILE: account, "
    "wallet_balance (the cross wallets).\n\n"
    "--shocks FROM:TO:STEP (both ends included, e.g. --shocks=-0.5:0.5:0.01) or --scenarios FILE|span:RANGE "
    "(a JSON/CSV file of per-symbol moves, or CME SPAN's 16 scenarios for a price-scan range). "
    "--output FILE (.csv or .parquet) writes per account the move that first liquidates it on the way down "
    "and up (solved exactly), its margin balance, maintenance margin and margin ratio now. "
    "--backend dask runs on a Dask cluster (--scheduler ADDRESS, else a local one).",
    _fields(
        Field("positions", "Book: CSV, Parquet or JSON lines file of positions.", kind="list", cli="file",
              required=True, web_help="The book: a list of row objects (account, symbol, side, quantity or "
                                      "contracts, entry, mark, margin_mode, leverage or wallet_balance, "
                                      "maintenance_margin_rate)."),
        FIELDS["exchange"].but(help="Exchange preset (its contract kind and liquidation model).", required=True,
                               web_help=None),
        Field("accounts", "Cross wallets: CSV, Parquet or JSON lines file with account, wallet_balance.",
              kind="list", cli="file", web_help="The cross wallets: a list of {account, wallet_balance}."),
        FIELDS["tiers"].but(help="Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.",
                            web_help="Tier table: a shipped preset name."),
        Field("shocks", "FROM:TO:STEP, relative moves of every mark (both ends included).", kind="text"),
        Field("scenarios", "Instead of --shocks: scenario file (JSON or CSV: scenario, symbol, shock) or span:RANGE.",
              kind="text", web_help="Instead of shocks: span:RANGE, CME SPAN's 16 scenarios for a price-scan range."),
        Field("backend", "local (default: in-process, NumPy) or dask.", kind="text", default="local",
              choices=("local", "dask"), web_help="local (the command line also runs dask)."),
        Field("scheduler", "With --backend dask: address of a running Dask scheduler (default: start a local "
                           "cluster).", kind="text", web_help="Not used over HTTP."),
        Field("output", "Write the per-account first-liquidation moves and margins here (.csv or .parquet).",
              kind="text", web_help="Not used over HTTP: the answer's nearest_accounts hold the moves."),
        FIELDS["taker_fee_rate"].but(help="Fee to close: okx-* at the mark (default: the preset's taker rate), "
                                          "bybit-* cross at the bankruptcy price (default: none); refused "
                                          "elsewhere.",
                                     web_help=None),
        Field("cascade", "With --shocks: carry each shock to the fixed point where liquidated notional, sold or "
                         "bought back, moves every mark by sqrt(|net| / DEPTH) (DEPTH: the notional that moves "
                         "the price 100 %).", unit="amount",
              web_help="With shocks: carry each shock to the fixed point where liquidated notional, sold or bought "
                       "back, moves every mark by sqrt(|net| / depth) (depth: the notional that moves the price "
                       "100 %)."),
    ),
    _results(
        ("shock", "relative move of every mark", "fraction"),
        ("accounts_liquidated", "margin pools at or below their requirement", "count"),
        ("positions_liquidated", "positions in them", "count"),
        ("notional_liquidated", "their value at the shocked marks", "amount"),
        ("shortfall", "how far their margin balance falls below zero", "amount"),
    ),
    summary="Book stress: move every mark by each shock (mark × (1 + k)) and count the margin pools liquidated "
            "(an account's cross positions with its wallet, or one isolated position with its margin), the "
            "positions in them, their notional at the shocked marks and the shortfall (how far their margin "
            "balance falls below zero).",
    api=True,
)

# ---------------------------------------------------------------------------
# The web calculator (CLI only)

SERVE = Command(
    "serve", "Run the web calculator: every calculator on one page, the JSON API, and its /docs.",
    _fields(
        Field("host", "Address to listen on (default loopback: this machine only, and only pages it serves). "
                      "Another address (e.g. 0.0.0.0) lets other machines in: then any Host name is answered "
                      "unless --allowed-host names them.", kind="text", default="127.0.0.1", show_default=True),
        Field("port", "TCP port (0: any free port).", kind="integer", default=8000, min=0, max=65535,
              show_default=True),
        Field("allowed_host", "A Host name to answer besides the loopback names (repeatable), e.g. calc.lan; "
                              "others get 400 (the defence against DNS rebinding).", kind="list", cli="repeat"),
    ),
    api=False,
)

# ---------------------------------------------------------------------------
# The exchange's figures beside contractcalc's, and fresh tier tables (CLI only)

RECONCILE = Command(
    "reconcile",
    "Each position's reported liquidationPrice beside contractcalc's, the difference and the likely reason.\n\n"
    "For a ccxt fetch_positions() dump. Reasons tried when they differ: another tier, a fee to close counted "
    "by the exchange, an estimate at entry (the margin at opening). Figures within 0.05 % agree.",
    _fields(
        Field("positions", "JSON file of ccxt fetch_positions() (a list of positions).", kind="list", cli="file",
              required=True),
        FIELDS["exchange"].but(help="Exchange: " + ", ".join(EXCHANGE_NAMES) + ".", required=True),
        Field("wallet_balance", "The cross account's wallet balance (cross positions only).", unit="amount"),
        FIELDS["tiers"].but(help="Tier table file or preset (default: the newest shipped for each symbol)."),
    ),
    api=False,
)

TIERS_LIST = Command(
    "tiers list", "The tier tables contractcalc knows, with their source, date and age (stale after 90 days).",
    (), api=False,
)

TIERS_REFRESH = Command(
    "tiers refresh",
    "Fetch the exchange's leverage tiers through ccxt (pip install 'contractcalc[ccxt]').\n\n"
    "Completes each tier's maintenance amount (cum) by the recurrence where the exchange leaves it out, and "
    "writes a versioned JSON with fetched_at and source: <exchange>-<SYMBOL>-<YYYY-MM-DD>.json. Binance's "
    "tiers need an API key: set CCXT_API_KEY and CCXT_SECRET in the environment.",
    _fields(
        FIELDS["exchange"].but(help="Exchange: " + ", ".join(EXCHANGE_NAMES) + ".", required=True),
        Field("symbol", "Market to fetch, e.g. BTC/USDT:USDT (repeat for more; default: every market).",
              kind="list", cli="repeat"),
        Field("out", "Folder to write to (default: beside the shipped tables, where it becomes a preset).",
              kind="text"),
    ),
    api=False,
)

#: Subcommand groups and their help: ``contractcalc seed ...``.
GROUPS: dict[str, str] = {
    "seed": "The seed lesson's formulas, exactly as the document states them.",
    "tiers": "Maintenance-margin tier tables: list them with their dates, refresh them through ccxt.",
}

#: Every command by name (``"seed profit"`` for a subcommand), in the order ``contractcalc --help`` lists them.
COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        LIQUIDATION, PNL, TARGET, AVERAGE_ENTRY, COST, SIZE, MAX_OPEN, REPLAY, RISK, STRESS, PLAN, RECONCILE, SERVE,
        TIERS_LIST, TIERS_REFRESH,
        SEED_TARGET_CHANGE, SEED_LIQUIDATION_CHANGE, SEED_LEVERAGE, SEED_PROFIT,
    )
}


def command(name: str) -> Command:
    """The command called ``name`` (``"pnl"``, ``"seed profit"``)."""
    return COMMANDS[name]


def result_unit(key: str, commands: Iterable[Command] | None = None) -> str:
    """The unit of result ``key`` (the first command declaring it), ``""`` if none does."""
    for spec in commands if commands is not None else COMMANDS.values():
        for result in spec.results:
            if result.key == key:
                return result.unit
    return ""
