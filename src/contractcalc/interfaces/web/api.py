"""The JSON API: one ``POST /api/<command>`` per CLI command, over the same calculators.

Each endpoint is one :class:`Endpoint` in :data:`ENDPOINTS`: the CLI command it
mirrors and the library function it calls.  Its request model is built from the
command's fields in :mod:`contractcalc.interfaces.schema` (:func:`request_model`),
the schema the CLI's options are built from too: the body's fields are the
function's keywords, which are the CLI's flags with underscores, and the help
texts are the CLI's (in the API's words where those name a flag or a file).
A request runs ``function(**body)`` with every number as the ``Decimal`` the
client sent (``0.2`` stays ``0.2``) and answers the returned dict, whose keys
are the CLI's ``--json`` keys.

Bad input answers 422 with ``{"detail": [{"field", "rule", "message"}, ...]}``,
``message`` being the CLI's words with the body field as label
(``'leverage' must be > 0 (got 0)``); see :func:`error_items`.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from contractcalc import average_entry, cost, liquidation_price, max_open, plan, pnl, seed, size, target
from contractcalc.core.typed_numbers import typed_number_or_none
from contractcalc.errors import InputError
from contractcalc.interfaces import schema
from contractcalc.interfaces._json import to_jsonable
from contractcalc.interfaces._words import api_words

__all__ = [
    "BODY_LIMITS",
    "ENDPOINTS",
    "MAX_LIST_ITEMS",
    "MAX_REPLAY_BODY_BYTES",
    "MAX_REPLAY_CANDLES",
    "TEXT_FIELDS",
    "WEB_HELP",
    "Endpoint",
    "ErrorItem",
    "ErrorResponse",
    "calculators",
    "describe",
    "error_item",
    "error_items",
    "from_input_error",
    "jsonable_result",
    "presets",
    "request_model",
    "run",
    "validation_error_items",
    "web_help",
]

#: Longest list accepted in a request body (e.g. the positions of a cross account).
MAX_LIST_ITEMS = 100

#: Most candles (and funding rows) ``/api/replay`` takes: a month of 1-minute candles.
MAX_REPLAY_CANDLES = 50_000
#: Largest ``/api/replay`` body: 50,000 ccxt rows of about 70 bytes, with room for mark candles.
MAX_REPLAY_BODY_BYTES = 8 * 1024 * 1024
#: Most positions (and accounts) ``/api/stress`` takes: a small book; larger ones run from the CLI.
MAX_STRESS_POSITIONS = 2_000
#: Most shocks (or scenarios) of one ``/api/stress`` call.
MAX_STRESS_SHOCKS = 401
#: Largest ``/api/stress`` body: 2,000 rows of about 250 bytes, and their accounts.
MAX_STRESS_BODY_BYTES = 1024 * 1024
#: Accounts nearest to liquidation in the ``/api/stress`` answer.
STRESS_NEAREST = 20
#: Bodies larger than the app's default cap, by path.
BODY_LIMITS: dict[str, int] = {"/api/replay": MAX_REPLAY_BODY_BYTES, "/api/stress": MAX_STRESS_BODY_BYTES}

#: Keywords that take text, each with the choices the page offers (empty: free
#: text); every other keyword takes a number (a ``Decimal``), a list, or a
#: boolean.  From the schema.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    field.name: field.choices
    for spec in schema.COMMANDS.values() if spec.api
    for field in spec.fields if field.kind == "text"
}

#: The API's (and the page's) wording where a CLI option's help speaks of flags
#: or files: ``{(command, keyword): text}`` (the schema's ``Field.web_help``).
WEB_HELP: dict[tuple[str, str], str] = {
    (spec.name, field.name): field.web_help
    for spec in schema.COMMANDS.values() if spec.api
    for field in spec.fields if field.web_help is not None
}


def web_help(command: str, name: str, text: str) -> str:
    """The help text of keyword ``name`` of ``command`` over HTTP: the schema's ``web_help``, else ``text``.

    >>> web_help("size", "leverage", "With --exchange: leverage of the isolated position (liquidation).")
    'With an exchange preset: leverage of the isolated position (liquidation).'
    """
    return WEB_HELP.get((command, name), text)


@dataclass(frozen=True)
class Endpoint:
    """One calculator of the API: ``POST /api/<command with / for spaces>``.

    ``result_key`` wraps a function that returns a bare number (the seed's
    formulas) as ``{result_key: value}``, as its CLI command prints it.
    ``fields`` overrides the generated type of some keywords (lists of objects),
    and ``items`` gives the JSON schema of such a list's items (for ``/docs``
    and the page's table: one column per property).  Numbers inside list items
    reach the library as ``Decimal`` too.
    ``example`` is a valid body (shown in ``/docs`` and used as the page's defaults).
    """

    command: str
    function: Callable[..., Any]
    title: str
    example: Mapping[str, Any]
    result_key: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    items: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    #: Keyword that may also be a list (at most ``curve_points`` numbers) at
    #: ``<path>/curve``: the page's chart, one call for a whole curve.
    curve: str | None = None
    curve_points: int = 400

    #: Keywords optional in the function's signature that a mode still needs:
    #: ``{mode keyword: {mode: (keywords, ...)}}``.  The request model keeps them
    #: optional (the library names what is missing, in its words); the page
    #: marks them required while that mode is chosen (``required_when``).
    needs: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    #: Longest list each list keyword takes, where not :data:`MAX_LIST_ITEMS` (replay's candles).
    list_limits: Mapping[str, int] = field(default_factory=dict)
    #: Keywords whose numbers reach the function as the floats the schema checked, not ``Decimal``
    #: (replay's candles: binary64 arrays, tens of thousands of rows).
    float_fields: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return "/api/" + self.command.replace(" ", "/")

    @property
    def name(self) -> str:
        return self.command.replace(" ", "-")


# Numbers as text: what core.typed_numbers reads, in ASCII, published as the schema's pattern and
# enforced before parsing, so the schema and the server agree on every string (Schemathesis checks it).
_DIGITS = r"[0-9](?:_?[0-9])*"
# an exponent of at most 6 digits: Decimal's range (Emax 999999); beyond it "50%" would overflow in / 100
_PLAIN = rf"(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?[0-9]{{1,6}})?"
_GROUPED = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
_NUMBER_TEXT = rf" *[+-]?(?:{_GROUPED}|{_PLAIN}) *%? *"
_LEVERAGE_TEXT = rf" *[+-]?(?:{_GROUPED}|{_PLAIN}) *(?:%|[xX×])? *"
_ITEM_NUMBER_TEXT = rf" *[+-]?{_PLAIN} *"
#: JSON Schema patterns of a number sent as text (``"0.2"``, ``"50%"``, ``"1,000"``; leverage also ``"20x"``;
#: inside list items plain decimals only).
NUMBER_PATTERN = f"^{_NUMBER_TEXT}$"
LEVERAGE_PATTERN = f"^{_LEVERAGE_TEXT}$"
ITEM_NUMBER_PATTERN = f"^{_ITEM_NUMBER_TEXT}$"
_FULL = {NUMBER_PATTERN: re.compile(_NUMBER_TEXT), LEVERAGE_PATTERN: re.compile(_LEVERAGE_TEXT),
         ITEM_NUMBER_PATTERN: re.compile(_ITEM_NUMBER_TEXT)}

_NUMBER: dict[str, Any] = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": ITEM_NUMBER_PATTERN}]}


def _takes_fields(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A pass-through endpoint function (``**fields``) gets its command's schema fields as its signature.

    Such a function converts a few fields (rows to candles, a cap over HTTP) and
    hands every other to the engine by name: the keywords are declared once in
    the schema (which tests hold equal to the engine's signature), not copied
    here.  ``inspect.signature`` reads this one: the body's fields, required
    where the schema says so, with the schema's defaults.
    """

    def give(function: Callable[..., Any]) -> Callable[..., Any]:
        parameters = [
            inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, annotation=Any,
                              default=inspect.Parameter.empty if spec.required else spec.default)
            for spec in schema.command(command).fields
        ]
        function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            parameters, return_annotation=dict[str, Any])
        return function

    return give


@_takes_fields("replay")
def replay(**fields: Any) -> dict[str, Any]:
    """Replay an isolated position through candles: how it ended (stop, target, liquidation or still open).

    :func:`contractcalc.engines.replay.replay` with the candles as rows; its result's ``to_dict()``.
    """
    from contractcalc.engines.replay import replay as replay_positions
    from contractcalc.io.candles import candles_from_rows, funding_from_rows

    if fields.get("timeframe") is not None:
        raise InputError("timeframe", "is for a freqtrade data folder, which is not read over HTTP "
                         "(send the candles as rows)", fields["timeframe"])
    # the body's schema has made every value a float: the rows need no per-value check
    candles = candles_from_rows(fields.pop("candles"), field="candles", numbers_only=True)
    if fields.get("mark_candles") is not None:
        fields["mark_candles"] = candles_from_rows(fields["mark_candles"], field="mark_candles", numbers_only=True)
    if fields.get("funding") is not None:
        fields["funding"] = funding_from_rows(fields["funding"], field="funding", numbers_only=True)
    return replay_positions(candles, **fields).to_dict()  # type: ignore[no-any-return]


def _columns(field_name: str, rows: Any) -> dict[str, list[Any]] | None:
    """Row objects (``[{"account": "a", ...}, ...]``) as columns, ``None`` where a row lacks a key."""
    if rows is None:
        return None
    names: dict[str, None] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError(field_name, "must be a list of row objects", type(row).__name__,
                             where=f" at index {index}")
        names.update(dict.fromkeys(str(key) for key in row))
    columns = {name: [row.get(name) for row in rows] for name in names}
    if "margin_mode" in columns:  # a row without one is cross, as a book without the column
        columns["margin_mode"] = ["cross" if mode is None else mode for mode in columns["margin_mode"]]
    return columns


def stress(
    positions: Any,
    exchange: str,
    accounts: Any = None,
    tiers: Any = None,
    shocks: str | None = None,
    scenarios: str | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    output: str | None = None,
    taker_fee_rate: Any = None,
    cascade: Any = None,
) -> dict[str, Any]:
    """Stress a small book: the ``--json`` ladder, plus ``nearest_accounts`` (the page's table).

    :func:`contractcalc.engines.stress_run.run_stress` on the rows; at most
    :data:`MAX_STRESS_POSITIONS` positions and :data:`MAX_STRESS_SHOCKS` shocks,
    the local backend, ``span:RANGE`` scenarios (no files over HTTP).
    """
    from contractcalc.engines.stress_run import run_stress

    if backend != "local":
        raise InputError("backend", "must be local over HTTP (the CLI runs --backend dask)", backend)
    for name, value in (("scheduler", scheduler), ("output", output)):
        if value is not None:
            raise InputError(name, "is for the command line, not HTTP", value)
    if scenarios is not None and not scenarios.strip().lower().startswith("span:"):
        raise InputError("scenarios", "must be span:RANGE over HTTP (scenario files are not read)", scenarios)
    result, moves = run_stress(
        _columns("positions", positions), _columns("accounts", accounts), exchange=exchange, tiers=tiers,
        shocks=shocks, scenarios=scenarios, taker_fee_rate=None if taker_fee_rate is None else float(taker_fee_rate),
        with_moves=True, max_shocks=MAX_STRESS_SHOCKS, cascade=None if cascade is None else float(cascade))
    assert moves is not None
    return {**result.to_dict(), "nearest_accounts": moves.nearest(STRESS_NEAREST)}


#: Monte Carlo over HTTP: at most this many paths x steps (about a second of work).
MAX_RISK_PATH_STEPS = 20_000_000


@_takes_fields("risk")
def risk(**fields: Any) -> dict[str, Any]:
    """The chance of liquidation, or of the stop before the target, within the horizon (``contractcalc risk``).

    :func:`contractcalc.engines.risk.risk` with the candles as rows; its result's ``to_dict()``.
    Monte Carlo is capped at :data:`MAX_RISK_PATH_STEPS` paths x steps.
    """
    from contractcalc.engines.risk import risk as risk_of
    from contractcalc.engines.risk import simulation_work

    if fields.get("method") == "monte-carlo" and fields.get("horizon") is not None:
        paths = fields.get("paths")
        # the steps simulated: `steps`, or one per monitoring time (a 1m check over a year is 525,600)
        work = simulation_work(fields["horizon"], fields.get("monitoring"), paths,
                               fields.get("steps"))
        if work > MAX_RISK_PATH_STEPS:
            raise InputError("paths", f"times steps must be at most {MAX_RISK_PATH_STEPS:,} over HTTP", paths)
    if fields.get("candles") is not None:
        from contractcalc.io.candles import candles_from_rows

        fields["candles"] = candles_from_rows(fields["candles"], field="candles", numbers_only=True)
    return risk_of(**fields).to_dict()


_ROWS = list[list[float]]
_CANDLE_ROW: dict[str, Any] = {
    "type": "array", "minItems": 5, "maxItems": 6, "items": {"type": "number"},
    "description": "[timestamp_ms, open, high, low, close, volume (optional)]",
}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "plan",
        plan,
        "Plan (seed's method)",
        {"side": "long", "entry": 20000, "stop": 15000, "target": 24000, "principal": 1000},
    ),
    Endpoint(
        "pnl",
        pnl,
        "PnL",
        # examples.md Y16: long 0.2 BTC @ 7,000 closed at 7,500 (10x)
        {"contract": "linear", "side": "long", "entry": 7000, "exit": 7500, "quantity": 0.2, "leverage": 10},
        curve="exit",
    ),
    Endpoint(
        "target",
        target,
        "Target price",
        {"contract": "linear", "side": "long", "entry": 7000, "leverage": 10, "roe": 0.5},
    ),
    Endpoint(
        "average-entry",
        average_entry,
        "Average entry",
        # examples.md Y13: 0.5 @ 5,000 + 0.3 @ 6,000
        {"contract": "linear", "fill": [{"size": 0.5, "price": 5000}, {"size": 0.3, "price": 6000}]},
        fields={"fill": list[Any]},
        items={"fill": {
            "anyOf": [
                {"type": "object", "properties": {"size": _NUMBER, "price": _NUMBER}, "required": ["size", "price"]},
                {"type": "string", "description": "SIZE@PRICE, as on the command line", "examples": ["0.5@5000"],
                 "pattern": f"^{_ITEM_NUMBER_TEXT}@{_ITEM_NUMBER_TEXT}$"},
            ],
        }},
    ),
    Endpoint(
        "cost",
        cost,
        "Cost to open",
        # examples.md Y6: long 1 BTC @ 8,000, 50x, fee 0.075 %
        {"contract": "linear", "side": "long", "entry": 8000, "leverage": 50, "quantity": 1, "fee_rate": 0.00075},
    ),
    Endpoint(
        "size",
        size,
        "Position size",
        {"contract": "linear", "side": "long", "balance": 10000, "risk_rate": 0.01, "entry": 50000, "stop": 49000,
         "target": 53000},
    ),
    Endpoint(
        "max-open",
        max_open,
        "Max open",
        # examples.md B7 (2021 table)
        {"contract": "linear", "tiers": "binance-usdm-BTCUSDT-2021-03-18", "balance": 10000, "leverage": 50,
         "entry": 50000},
    ),
    Endpoint(
        "liquidation",
        liquidation_price,
        "Liquidation price",
        {"exchange": "binance-usdm", "symbol": "BTC/USDT:USDT", "tiers": "binance-usdm-BTCUSDT-2024-10",
         "margin_mode": "isolated", "side": "long", "entry": 60000, "quantity": 1, "leverage": 20},
        fields={"positions": list[Any]},
        items={"positions": {
            "type": "object",
            "description": "A position as ccxt's fetch_positions() gives it.",
            "properties": {
                "symbol": {"type": "string", "description": "e.g. BTC/USDT:USDT"},
                "side": {"type": "string", "enum": ["long", "short"]},
                "contracts": {**_NUMBER, "description": "Size in contracts."},
                "contractSize": {**_NUMBER, "description": "Default: the exchange's for the symbol."},
                "entryPrice": _NUMBER,
                "markPrice": _NUMBER,
                "maintenanceMarginRate": {**_NUMBER, "description": "Unless the tier table holds the symbol."},
                "maintenanceAmount": {**_NUMBER, "description": "Default 0."},
                "leverage": _NUMBER,
            },
            "required": ["symbol", "side", "contracts", "entryPrice", "markPrice"],
        }},
        # Defaults of None in the signature, but one position needs a side and an entry,
        # and a cross account its wallet balance (margin_mode's default is isolated).
        needs={"margin_mode": {"isolated": ("side", "entry"), "cross": ("wallet_balance",)}},
    ),
    Endpoint(
        "replay",
        replay,
        "Replay",
        # examples.md Y1 (Bybit: long 1 BTC @ 10,000, 50x, MMR 0.5 %: liquidation 9,850) through hourly candles
        {"exchange": "bybit-linear", "side": "long", "quantity": 1, "leverage": 50, "maintenance_margin_rate": 0.005,
         "stop": 9900, "target": 10300, "candles": [
             [1709251200000, 10000, 10060, 9970, 10040], [1709254800000, 10040, 10120, 10010, 10100],
             [1709258400000, 10100, 10150, 10030, 10060], [1709262000000, 10060, 10080, 9950, 9980],
             [1709265600000, 9980, 10010, 9920, 9940], [1709269200000, 9940, 9990, 9880, 9960],
             [1709272800000, 9960, 10020, 9930, 10000]]},
        fields={"candles": _ROWS, "mark_candles": _ROWS, "funding": _ROWS},
        items={"candles": _CANDLE_ROW, "mark_candles": _CANDLE_ROW,
               "funding": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"},
                           "description": "[timestamp_ms, rate]"}},
        list_limits={"candles": MAX_REPLAY_CANDLES, "mark_candles": MAX_REPLAY_CANDLES,
                     "funding": MAX_REPLAY_CANDLES},
        float_fields=("candles", "mark_candles", "funding"),
    ),
    Endpoint(
        "stress",
        stress,
        "Book stress",
        # tests/test_stress.py's hand-built book: A cross, B isolated, C hedged, D a short
        {"exchange": "binance-usdm", "shocks": "-0.2:0.2:0.05", "positions": [
            {"account": "A", "symbol": "BTC/USDT:USDT", "side": "long", "quantity": 1, "entry": 50000, "mark": 50000,
             "maintenance_margin_rate": 0.004},
            {"account": "A", "symbol": "ETH/USDT:USDT", "side": "short", "quantity": 10, "entry": 3000, "mark": 3000,
             "maintenance_margin_rate": 0.005},
            {"account": "B", "symbol": "ETH/USDT:USDT", "side": "long", "quantity": 2, "entry": 3000, "mark": 3000,
             "margin_mode": "isolated", "leverage": 10, "maintenance_margin_rate": 0.005},
            {"account": "C", "symbol": "BTC/USDT:USDT", "side": "long", "quantity": 1, "entry": 50000, "mark": 50000,
             "maintenance_margin_rate": 0.004},
            {"account": "C", "symbol": "BTC/USDT:USDT", "side": "short", "quantity": 0.5, "entry": 52000,
             "mark": 50000, "maintenance_margin_rate": 0.004},
            {"account": "D", "symbol": "SOL/USDT:USDT", "side": "short", "quantity": 100, "entry": 100, "mark": 100,
             "maintenance_margin_rate": 0.01}],
         "accounts": [{"account": "A", "wallet_balance": 2000}, {"account": "C", "wallet_balance": 1000},
                      {"account": "D", "wallet_balance": 500}]},
        fields={"positions": list[Any], "accounts": list[Any]},
        items={"positions": {
            "type": "object", "description": "A row of the book (the CLI's --positions file columns).",
            "properties": {
                "account": {"type": "string"}, "symbol": {"type": "string", "description": "e.g. BTC/USDT:USDT"},
                "side": {"type": "string", "enum": ["long", "short"]}, "quantity": _NUMBER, "contracts": _NUMBER,
                "contract_size": _NUMBER, "entry": _NUMBER, "mark": _NUMBER,
                "margin_mode": {"type": "string", "enum": ["cross", "isolated"]}, "leverage": _NUMBER,
                "wallet_balance": {**_NUMBER, "description": "An isolated position's margin."},
                "maintenance_margin_rate": _NUMBER, "maintenance_amount": _NUMBER,
            },
            "required": ["account", "symbol", "side", "entry"],
        }, "accounts": {
            "type": "object", "description": "A cross wallet.",
            "properties": {"account": {"type": "string"}, "wallet_balance": _NUMBER},
            "required": ["account", "wallet_balance"],
        }},
        list_limits={"positions": MAX_STRESS_POSITIONS, "accounts": MAX_STRESS_POSITIONS},
        float_fields=("positions", "accounts"),
    ),
    Endpoint(
        "risk",
        risk,
        "Risk",
        # the liquidation tab's Bybit example (LP 9,850) at 80 % volatility over a day, stop 9,900, target 10,300
        {"side": "long", "volatility": 0.8, "horizon": "24h", "price": 10000, "liquidation_price": 9850,
         "stop": 9900, "target": 10300},
        fields={"candles": _ROWS},
        items={"candles": _CANDLE_ROW},
        list_limits={"candles": MAX_REPLAY_CANDLES},
        float_fields=("candles",),
    ),
    Endpoint(
        "seed target-change",
        seed.target_change,
        "Target change (seed)",
        {"open": 1000, "target": 1200},
        result_key="target_change",
    ),
    Endpoint(
        "seed liquidation-change",
        seed.liquidation_change,
        "Liquidation move (seed)",
        {"leverage": 20},
        result_key="liquidation_change",
    ),
    Endpoint(
        "seed leverage",
        seed.leverage,
        "Leverage for the stop (seed)",
        {"open": 20000, "stop": 15000},
        result_key="leverage",
    ),
    Endpoint(
        "seed profit",
        seed.profit,
        "Profit (seed)",
        {"contract": "inverse", "side": "long", "principal": 1000, "leverage": 50, "change": 0.1},
        result_key="profit",
    ),
)


# ---------------------------------------------------------------------------
# Request models


@cache
def cli_help() -> dict[str, dict[str, str]]:
    """The help text of every CLI option, by command (``"seed profit"``) and keyword (from the schema)."""
    return {spec.name: {field.name: field.help for field in spec.fields} for spec in schema.COMMANDS.values()}


def _typed_text(value: Any, info: ValidationInfo) -> Any:
    """A number sent as text the way traders type it (``50%``, ``1,000``): read as the CLI reads it.

    Text naming no number is passed on, for pydantic's own "must be a number" error.
    """
    if isinstance(value, str):
        parsed = typed_number_or_none(value, leverage="leverage" in (info.field_name or ""))
        if parsed is not None and parsed.is_finite():  # NaN and Infinity: pydantic's own path, as before
            return parsed
    return value


_NOT_FINITE = ("nan", "snan", "inf", "infinity")


def _number_text(pattern: str) -> Callable[[Any, ValidationInfo], Any]:
    def check(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not _FULL[pattern].fullmatch(value):
            if value.strip().lower().lstrip("+-") in _NOT_FINITE:
                return value  # pydantic's own error: must be finite
            raise PydanticCustomError("decimal_parsing", "Input should be a valid decimal")
        try:
            return _typed_text(value, info)
        except ArithmeticError:  # pragma: no cover - the pattern keeps exponents within Decimal's range
            raise PydanticCustomError("decimal_parsing", "Input should be a valid decimal") from None
    return check


def _number_type(pattern: str) -> Any:
    schema_ = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": pattern}]}
    return Annotated[Decimal, BeforeValidator(_number_text(pattern)), WithJsonSchema(schema_)]


#: A number field: JSON numbers, or text as typed (core.typed_numbers, shared with the CLI) matching
#: :data:`NUMBER_PATTERN` (:data:`LEVERAGE_PATTERN` for leverage fields).
TypedDecimal = _number_type(NUMBER_PATTERN)
LeverageDecimal = _number_type(LEVERAGE_PATTERN)


def _enum_rules() -> dict[str, tuple[tuple[str, ...], str]]:
    """Text fields with a fixed set of values: ``{keyword: (values, the library's rule)}``."""
    from contractcalc.core.seed import CONTRACT_ALIASES
    from contractcalc.venues.exchanges import EXCHANGES
    from contractcalc.venues.tiers import PRESET_TABLES

    rules = {
        "side": (("long", "short"), "must be 'long' or 'short'"),
        "contract": (tuple(CONTRACT_ALIASES), "must be 'linear' or 'inverse' (or usdt, u, coin)"),
        "margin_mode": (("isolated", "cross"), "must be 'isolated' or 'cross'"),
        "exchange": (tuple(EXCHANGES), f"must be one of {', '.join(EXCHANGES)}"),
        "tiers": (tuple(PRESET_TABLES),
                  f"must be one of the shipped tier tables ({', '.join(PRESET_TABLES)}); files are not read over HTTP"),
        "intrabar": (("pessimistic", "optimistic", "nearest-first"),
                     "must be 'pessimistic', 'optimistic' or 'nearest-first'"),
        "method": (("closed-form", "monte-carlo"), "must be closed-form or monte-carlo"),
    }
    for spec in schema.COMMANDS.values():  # other text fields with choices: the library says "one of"
        for field_ in spec.fields:
            if field_.kind == "text" and field_.choices and field_.name not in rules:
                rules[field_.name] = (field_.choices, "must be one of " + ", ".join(field_.choices))
    return rules


def _enum_type(name: str, values: tuple[str, ...], rule: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value not in values:
            raise PydanticCustomError("choice", "{rule}", {"rule": rule})
        return value
    return Annotated[str, BeforeValidator(check), WithJsonSchema({"type": "string", "enum": list(values)})]


# a flag is true or false only: 0, 1 and "yes" are refused as the JSON schema's "boolean" says
_TYPES: dict[str, Any] = {"number": TypedDecimal, "text": str, "bool": StrictBool, "list": list[Any],
                          "integer": int}


def _field_type(endpoint: Endpoint, field: schema.Field) -> Any:
    if field.name in endpoint.fields:
        return endpoint.fields[field.name]
    if field.kind == "number" and "leverage" in field.name:
        return LeverageDecimal
    if field.kind == "text":
        enums = _enum_rules()
        if field.name in enums:
            return _enum_type(field.name, *enums[field.name])
    return _TYPES[field.kind]


def curve_model(endpoint: Endpoint) -> type[BaseModel]:
    """The body of ``<path>/curve``: ``endpoint``'s, with its ``curve`` keyword a list of numbers."""
    assert endpoint.curve is not None
    key = endpoint.command + " curve"
    model = _MODELS.get(key)
    if model is None:
        base = request_model(endpoint)
        definitions: dict[str, Any] = {
            name: (info.annotation, info) for name, info in base.model_fields.items() if name != endpoint.curve
        }
        description = f"Prices to compute at (at most {endpoint.curve_points})."
        definitions[endpoint.curve] = (
            list[TypedDecimal],  # type: ignore[valid-type]
            Field(..., min_length=1, max_length=endpoint.curve_points, description=description)
        )
        name = base.__name__.replace("Request", "CurveRequest")
        model = _MODELS[key] = create_model(name, __config__=ConfigDict(extra="forbid"), **definitions)
    return model


def request_model(endpoint: Endpoint) -> type[BaseModel]:
    """The body of ``endpoint``: one field per keyword of its function.

    A keyword without a default is required; the others default to their
    function default (``None``: "not given", as an omitted CLI flag).
    """
    model = _MODELS.get(endpoint.command)
    if model is None or _MODEL_SOURCES[endpoint.command] is not endpoint:
        model = _MODELS[endpoint.command] = _request_model(endpoint)
        _MODEL_SOURCES[endpoint.command] = endpoint
    return model


_MODELS: dict[str, type[BaseModel]] = {}
_MODEL_SOURCES: dict[str, Endpoint] = {}


def _request_model(endpoint: Endpoint) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for spec in schema.command(endpoint.command).fields:
        kind = _field_type(endpoint, spec)
        extra: dict[str, Any] = {}
        if spec.choices:
            extra["examples"] = list(spec.choices)
        if getattr(kind, "__origin__", None) is list:
            extra["max_length"] = endpoint.list_limits.get(spec.name, MAX_LIST_ITEMS)
            if spec.name in endpoint.items:
                extra["json_schema_extra"] = {"items": dict(endpoint.items[spec.name])}
        description = web_help(endpoint.command, spec.name, spec.help) or None
        if spec.required:
            definitions[spec.name] = (kind, Field(..., description=description, **extra))
        else:
            definitions[spec.name] = (kind | None, Field(spec.default, description=description, **extra))
    model_name = "".join(part.capitalize() for part in endpoint.name.split("-")) + "Request"
    config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [dict(endpoint.example)], **_mode_requirements(endpoint)},
    )
    model: type[BaseModel] = create_model(model_name, __config__=config, **definitions)
    return model


def _given(name: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def _all_given(names: Sequence[str]) -> dict[str, Any]:
    return {"required": list(names), "properties": {name: {"not": {"type": "null"}} for name in names}}


def _mode_requirements(endpoint: Endpoint) -> dict[str, Any]:
    """What a mode needs, in the JSON schema (``allOf`` of ``if``/``then``/``else``; ``oneOf`` for the seed's
    leverage), so that the schema requires what the calculator then asks for.

    ``needs`` lists, per value of a mode keyword, the keywords that mode needs; the first
    mode listed is the default (what a missing or null mode keyword means).
    """
    rules: list[dict[str, Any]] = []
    for mode_field, by_mode in endpoint.needs.items():
        modes = list(by_mode)
        default, others = modes[0], modes[1:]
        for mode in others:
            rules.append({
                "if": {"required": [mode_field], "properties": {mode_field: {"const": mode}}},
                "then": _all_given(by_mode[mode]),
                "else": _all_given(by_mode[default]),
            })
    extra: dict[str, Any] = {"allOf": rules} if rules else {}
    if endpoint.command == "seed leverage":  # stop_change, or both open and stop
        absent = {"properties": {"open": {"type": "null"}, "stop": {"type": "null"}}}
        extra["oneOf"] = [
            {"allOf": [_given("stop_change"), absent]},
            {"allOf": [_all_given(["open", "stop"]), {"properties": {"stop_change": {"type": "null"}}}]},
        ]
    return extra


# ---------------------------------------------------------------------------
# Running a calculator


class MissingInputs(ValueError):
    """Several inputs a calculator needs are missing: one error item each."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(item["message"] for item in items))
        self.items = items


class ResultOutOfRange(ArithmeticError):
    """A result too large (or not finite) to send as a JSON number."""


def _plain(value: Any) -> Any:
    """NumPy arrays and scalars as lists and Python scalars; other values walked."""
    if hasattr(value, "tolist") and not isinstance(value, Decimal | str):
        return value.tolist()
    if hasattr(value, "to_dict") and callable(value.to_dict):  # typed results
        return _plain(value.to_dict())
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _check_finite(value: Any, key: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ResultOutOfRange(key)
    if isinstance(value, Mapping):
        for name, item in value.items():
            _check_finite(item, str(name))
    elif isinstance(value, list):
        for item in value:
            _check_finite(item, key)


def jsonable_result(result: Any) -> Any:
    """``result`` as JSON data, numbers as the CLI's ``--json`` prints them."""
    data = to_jsonable(_plain(result))
    _check_finite(data, "")
    return data


def run(endpoint: Endpoint, body: BaseModel) -> dict[str, Any]:
    """Call the endpoint's function with the body's fields; the result as JSON data."""
    arguments = {name: getattr(body, name) for name in type(body).model_fields}
    arguments = {name: value if name in endpoint.float_fields else _arguments(value)
                 for name, value in arguments.items()}
    _no_files(arguments)
    if endpoint.command == "liquidation" and all(
            arguments.get(name) is None for name in ("positions", "book", "accounts", "output")):
        missing = schema.missing_position_inputs(arguments)
        if len(missing) >= 2:  # every one at once, as for the fields required one by one
            raise MissingInputs([
                error_item(names[0], "is required" + "".join(f" (or '{other}')" for other in names[1:]))
                for names in missing
            ])
    if endpoint.command == "target" and arguments.get("roe") is not None:
        from contractcalc.engines.calculators import check_typed_roe

        check_typed_roe(arguments["roe"])  # typed input: -100 % or below is a mistake (the CLI's rule too)
    result = endpoint.function(**arguments)
    if endpoint.result_key is not None:
        result = {endpoint.result_key: result}
    data: dict[str, Any] = jsonable_result(result)
    return data


def _arguments(value: Any) -> Any:
    """Nested models become plain dicts, and JSON numbers inside them ``Decimal``.

    A JSON number arrives as the shortest float that prints as it was sent, so
    ``Decimal(repr(x))`` is the number the client wrote (as pydantic does for
    the top-level fields).
    """
    if isinstance(value, BaseModel):
        return {name: _arguments(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, Mapping):
        return {key: _arguments(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_arguments(item) for item in value]
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _no_files(arguments: Mapping[str, Any]) -> None:
    """Over HTTP a tier table is a shipped preset: the CLI's file paths are not read."""
    tiers = arguments.get("tiers")
    if isinstance(tiers, str):
        from contractcalc.venues.tiers import PRESET_TABLES

        if tiers not in PRESET_TABLES:
            rule = f"must be one of the shipped tier tables ({', '.join(PRESET_TABLES)}); files are not read over HTTP"
            raise InputError("tiers", rule, tiers)


# ---------------------------------------------------------------------------
# Errors in the CLI's words


class ErrorItem(BaseModel):
    """One bad field (``field`` is null for the body as a whole)."""

    field: str | None = Field(description="The body field, e.g. 'leverage' or 'positions[1].entry'.")
    rule: str = Field(description="What the value must be, e.g. 'must be > 0'.")
    message: str = Field(description="The CLI's message with the field as label.")
    index: int | None = Field(None, description="For a list field: the item at fault, from 0.")


class ErrorResponse(BaseModel):
    """The body of a 422 (or 413) answer: each bad field and why."""

    detail: list[ErrorItem]


_NOTHING: Any = object()


def error_item(field: str | None, rule: str, value: Any = _NOTHING, where: str = "") -> dict[str, Any]:
    """One error item: ``field`` (None: the body as a whole) ``rule`` (got ``value``, if given)."""
    error = InputError(field or "", rule) if value is _NOTHING else InputError(field or "", rule, value, where=where)
    label = f"'{field}'" if field else "request body"
    return {"field": field, "rule": rule, "message": error.message(label)}


def from_input_error(error: InputError) -> dict[str, Any]:
    """A library error as an error item, in the library's (and CLI's) words.

    An error in one item of a list also carries ``index`` (read from :attr:`InputError.index`).
    A CLI flag in the library's words becomes the body field (:func:`~contractcalc.interfaces._words.api_words`).
    """
    item: dict[str, Any] = {"field": error.field, "rule": api_words(error.rule),
                            "message": api_words(error.message(f"'{error.field}'"))}
    index = getattr(error, "index", None)  # structured: InputError(..., index=...)
    if isinstance(index, tuple):
        index = index[0] if index else None
    if isinstance(index, int):
        item["index"] = index
        return item
    # rules that still say which item in their words
    found = re.search(r" at index \(?(\d+)", getattr(error, "where", "") or "") or re.match(r"item (\d+):", error.rule)
    if found:
        item["index"] = int(found.group(1))
    return item


def _location(loc: Sequence[Any]) -> str | None:
    parts = [part for part in loc if part != "body"]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or None


_NUMBER_ERRORS = {
    "decimal_parsing", "decimal_type", "float_parsing", "float_type", "int_parsing", "int_type",
    "int_from_float", "decimal_max_digits", "decimal_max_places", "decimal_whole_digits",
}


def error_items(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's (or FastAPI's) validation errors in the CLI's words.

    >>> error_items([{"type": "decimal_parsing", "loc": ("body", "leverage"), "input": "abc"}])[0]["message"]
    "'leverage' must be a number (got 'abc')"
    >>> error_items([{"type": "missing", "loc": ("body", "entry"), "input": {}}])[0]["message"]
    "'entry' is required"
    """
    items: list[dict[str, Any]] = []
    for error in errors:
        kind = str(error.get("type", ""))
        field = _location(error.get("loc", ()))
        value = error.get("input")
        context = error.get("ctx") or {}
        if kind == "missing" or (value is None and kind in _NUMBER_ERRORS | {"string_type", "bool_type"}):
            item = error_item(field, "is required")
        elif kind in _NUMBER_ERRORS:
            item = error_item(field, "must be a number", value)
        elif kind == "finite_number":
            item = error_item(field, "must be finite", value)
        elif kind == "string_type":
            item = error_item(field, "must be text", value)
        elif kind in ("bool_type", "bool_parsing"):
            item = error_item(field, "must be true or false", value)
        elif kind == "list_type":
            item = error_item(field, "must be a list", _short(value))
        elif kind == "too_long":
            limit = context.get("max_length", MAX_LIST_ITEMS)
            actual = context.get("actual_length")
            if actual is None:
                item = error_item(field, f"must have at most {limit} items")
            else:
                item = error_item(field, f"must have at most {limit} items", actual, " items")
        elif kind == "extra_forbidden":
            item = error_item(field, "is not a field of this calculator")
        elif kind in ("model_type", "model_attributes_type", "dict_type") and isinstance(value, bytes):
            item = error_item(field, "must be JSON, sent as Content-Type: application/json")
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            item = error_item(field, "must be a JSON object", _short(value))
        elif kind == "choice":
            item = error_item(field, str(context.get("rule", "is not one of the choices")), value)
        elif kind == "json_invalid":
            reason = context.get("error")
            item = error_item(None, f"must be valid JSON ({reason})" if reason else "must be valid JSON")
        else:
            item = error_item(field, str(error.get("msg", "is not valid")).rstrip(".").lower(), _short(value))
        if item not in items:
            items.append(item)
    return items


class _Kind:
    """Shown as its text, without quotes, in ``(got ...)``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _short(value: Any) -> Any:
    """A rejected value for a message: containers by their kind, not their contents."""
    if isinstance(value, Mapping):
        return _Kind("an object")
    if isinstance(value, list | tuple):
        return _Kind("a list")
    return value


def validation_error_items(error: ValidationError) -> list[dict[str, Any]]:
    """A :class:`pydantic.ValidationError` in the CLI's words."""
    return error_items([dict(item) for item in error.errors()])


# ---------------------------------------------------------------------------
# What the page needs to build its forms


def _kind(kind: Any) -> str:
    if kind is bool or kind is StrictBool:
        return "bool"
    if kind is str:
        return "text"
    if getattr(kind, "__origin__", None) is list:
        return "list"
    return "number"


def _required_when(needs: Mapping[str, Mapping[str, tuple[str, ...]]], name: str) -> dict[str, list[str]]:
    """The modes in which keyword ``name`` is needed: ``{"margin_mode": ["isolated"]}``."""
    when: dict[str, list[str]] = {}
    for mode_field, by_mode in needs.items():
        modes = [mode for mode, names in by_mode.items() if name in names]
        if modes:
            when[mode_field] = modes
    return when


def _describe_fields(
    model: type[BaseModel],
    choices: Mapping[str, tuple[str, ...]],
    needs: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
    units: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    described = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = [arg for arg in getattr(annotation, "__args__", ()) if arg is not type(None)]
        kind = args[0] if len(args) == 1 and getattr(annotation, "__origin__", None) is not list else annotation
        entry: dict[str, Any] = {
            "name": name,
            "type": _kind(kind),
            "required": info.is_required(),
            "required_when": {} if info.is_required() else _required_when(needs or {}, name),
            "description": info.description or "",
            "choices": list(choices.get(name, ())),
            "label": schema.label(name),
            "unit": (units or {}).get(name, ""),
        }
        if entry["type"] == "list":
            entry["items"] = _describe_items(info.json_schema_extra, choices)
        described.append(entry)
    return described


def _describe_items(extra: Any, choices: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    """The columns of a list field: the properties of its items' object schema."""
    schema = extra.get("items", {}) if isinstance(extra, Mapping) else {}
    objects = [option for option in schema.get("anyOf", [schema]) if option.get("type") == "object"]
    if not objects:
        return []
    required = set(objects[0].get("required", ()))
    columns = []
    for name, prop in objects[0].get("properties", {}).items():
        text = prop.get("type") == "string" or "enum" in prop
        columns.append({
            "name": name,
            "type": "text" if text else "number",
            "required": name in required,
            "description": prop.get("description", ""),
            "choices": list(prop.get("enum", choices.get(name, ()))),
        })
    return columns


def describe(endpoint: Endpoint) -> dict[str, Any]:
    """``endpoint`` for the page: path, title, fields (name, type, required, help, choices, label, unit),
    results (key, label, unit, meaning), example, defaults (the page's starting inputs).

    ``required_when`` lists the modes in which an optional keyword is needed
    (:attr:`Endpoint.needs`), e.g. ``{"margin_mode": ["isolated"]}``.
    """
    spec = schema.command(endpoint.command)
    return {
        "name": endpoint.name,
        "command": endpoint.command,
        "path": endpoint.path,
        "title": endpoint.title,
        "fields": _describe_fields(request_model(endpoint), TEXT_FIELDS, endpoint.needs,
                                   {field.name: field.unit for field in spec.fields}),
        "results": [
            {"key": result.key, "label": result.label, "unit": result.unit, "meaning": result.meaning}
            for result in spec.results
        ],
        "example": dict(endpoint.example),
        # the page's starting inputs: the example with today's market (schema.PAGE_DEFAULTS, dated)
        "defaults": {**endpoint.example, **schema.PAGE_DEFAULTS.get(endpoint.name, {})},
        # one line per result key where the module explains it (the plan's exact figures)
        "notes": dict(getattr(inspect.getmodule(endpoint.function), "EXACT_NOTES", {})),
        "curve": endpoint.path + "/curve" if endpoint.curve else None,
    }


def calculators() -> dict[str, Any]:
    """``GET /api/calculators``: every calculator (:func:`describe`), the readable labels of the
    field and result keys, and the key suffixes shown as percentages (one copy, the schema's)."""
    return {
        "calculators": [describe(endpoint) for endpoint in ENDPOINTS],
        "labels": dict(schema.LABELS),
        "percent_suffixes": list(schema.PERCENT_SUFFIXES),
        # what the page's starting inputs are: the coin they trade and its price, and the day they were set
        "market": {"as_of": schema.MARKET_AS_OF, "prices": dict(schema.MARKET_PRICES)},
    }


def presets() -> dict[str, Any]:
    """The exchange presets (kind, fee rates, contract sizes) and the tier tables of each."""
    from contractcalc.venues.exchanges import EXCHANGES
    from contractcalc.venues.markets import lot_sizes, market_source, price_ticks
    from contractcalc.venues.tiers import preset_tables_for, stale_warning, table_age_days

    return {
        "exchanges": [
            {
                "name": preset.name,
                "contract": preset.contract,
                "description": preset.description,
                "liquidation_model": preset.liquidation_model,
                "maker_fee_rate": preset.maker_fee_rate,
                "taker_fee_rate": preset.taker_fee_rate,
                "contract_sizes": {prefix or "*": size for prefix, size in preset.contract_sizes},
                # the market's tick and lot by base currency (ccxt's recorded markets): the page shows
                # prices to the tick; lots in base units (linear) or contracts (inverse)
                "price_ticks": price_ticks(preset.name),
                "lot_sizes": lot_sizes(preset.name, preset.contract == "linear"),
                "markets_source": market_source(preset.name),
                "tier_tables": [
                    {"name": table.name, "symbol": table.symbol, "as_of": table.as_of,
                     "source": table.source, "note": table.note, "age_days": table_age_days(table.as_of),
                     "warning": stale_warning(table)}
                    for table in preset_tables_for(preset.name)
                ],
            }
            for preset in EXCHANGES.values()
        ]
    }
