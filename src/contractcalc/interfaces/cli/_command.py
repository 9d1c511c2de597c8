"""Building a click command from its schema (:mod:`contractcalc.interfaces.schema`).

:func:`command` turns a :class:`~contractcalc.interfaces.schema.Command` into a
click command on the ``contractcalc`` group: one option per field (numbers are
read as text, shown as ``FLOAT``, and parsed exactly to ``Decimal`` in the
fields' order; text as ``TEXT``; a repeated list flag; a file path; a flag),
plus ``--json``.  The decorated function receives the parsed values by keyword
(the library's keywords) and ``as_json``; it imports the library it calls inside
its body, so ``contractcalc --help`` and every other command start without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from contractcalc.interfaces.schema import Command, Field

# The schema and the number parser are imported where used, so ``contractcalc --version``
# (which builds the group only) starts with click alone.

__all__ = [
    "HELP_OPTION_TEXT", "Handler", "NumberText", "OrderedGroup", "PlainHelp", "command", "group", "option", "root",
]

#: What a command module writes: ``handler(values, as_json)``; ``values`` maps each
#: field's keyword to what the user gave (``None`` when not given).
Handler = Callable[[dict[str, Any], bool], int | None]


class NumberText(click.ParamType):  # type: ignore[type-arg]
    """A number, kept as the text typed (parsed exactly by :func:`parse_number`); shown as ``FLOAT``."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value


NUMBER = NumberText()


#: The ``--help`` option's text, in click's words.
HELP_OPTION_TEXT = "Show this message and exit."


def _show_help(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the help page and exit (click's own ``--help`` callback)."""
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


class PlainHelp(click.Command):
    """A command whose ``--help`` option is click's, with its text not looked up in gettext's catalogs.

    click asks ``gettext`` for that text on every command of the line it runs, and
    gettext's first look-up imports ``locale`` and searches the disk for catalogs:
    ~2 ms of every answer, for a text no catalog translates (the CLI is English).
    """

    _plain_help_option: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        if self._plain_help_option is None:  # one object per command: click orders eager options by identity
            self._plain_help_option = click.Option(names, is_flag=True, expose_value=False, is_eager=True,
                                                   help=HELP_OPTION_TEXT, callback=_show_help)
        return self._plain_help_option


class OrderedGroup(PlainHelp, click.Group):
    """A group listing its commands in the schema's order (:data:`COMMANDS`), then its subgroups.

    ``lazy_modules`` maps a command name to the module that defines it, imported
    the first time the command is asked for.
    """

    lazy_modules: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_modules = {}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_modules:
            importlib.import_module(self.lazy_modules[cmd_name])
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help`` from the schema's summaries, without importing a command module."""
        if self is not _ROOT:
            super().format_commands(ctx, formatter)
            return
        from contractcalc.interfaces.schema import COMMANDS, GROUPS

        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit=10_000)))
            elif name in GROUPS:
                rows.append((name, GROUPS[name]))
            elif name in COMMANDS:
                spec = COMMANDS[name]
                rows.append((name, spec.summary or _first_paragraph(spec.help_text())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        from contractcalc.interfaces.schema import COMMANDS, GROUPS

        prefix = "" if self is _ROOT else f"{self.name} "
        order = {name: index for index, name in enumerate(COMMANDS)}
        names = list(dict.fromkeys([*self.commands, *self.lazy_modules]))

        def rank(name: str) -> tuple[bool, int]:
            is_group = name in GROUPS if self is _ROOT else False
            return is_group, order.get(prefix + name, len(order))

        return sorted(names, key=rank)


class SchemaCommand(PlainHelp):
    """A command whose help text may be computed only when shown (:attr:`Command.help` callable)."""

    def __init__(self, spec: Command, **kwargs: Any) -> None:
        self.spec = spec
        help_text = None if callable(spec.help) else spec.help
        super().__init__(help=help_text, short_help=spec.summary or _first_paragraph(help_text or ""), **kwargs)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help is None:
            self.help = self.spec.help_text()
        super().format_help_text(ctx, formatter)


def _first_paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", 1)[0].split())


def root() -> OrderedGroup:
    """The ``contractcalc`` group (commands are added by :func:`command`)."""
    return _ROOT


_ROOT = OrderedGroup(
    name="contractcalc",
    help="Crypto futures (contract) position math: the seed lesson's formulas and exact figures.",
    no_args_is_help=True,
)


def group(name: str) -> OrderedGroup:
    """The subcommand group ``name`` (``seed``), created on first use with its help from the schema."""
    from contractcalc.interfaces.schema import GROUPS

    found = _ROOT.commands.get(name)
    if isinstance(found, OrderedGroup):
        return found
    created = OrderedGroup(name=name, help=GROUPS[name], short_help=GROUPS[name], no_args_is_help=True)
    _ROOT.add_command(created)
    return created


def option(spec: Field) -> click.Option:
    """The click option of ``spec``: ``--flag`` with its help, type name and default."""
    common: dict[str, Any] = {"help": spec.help, "required": spec.required}
    if spec.default is not None:  # (an explicit default=None would count as given in click 8.5)
        common.update(default=spec.default, show_default=spec.show_default)
    if spec.kind == "bool":
        return click.Option([spec.flag], is_flag=True, **common)
    if spec.kind == "integer":
        kind: click.ParamType[Any] = click.IntRange(spec.min, spec.max) if spec.min is not None else click.INT
        return click.Option([spec.flag], type=kind, **common)
    if spec.kind == "list" and spec.cli == "repeat":
        return click.Option([spec.flag], type=click.STRING, multiple=True, **common)
    if spec.kind == "list":
        return click.Option([spec.flag], type=click.STRING, metavar="FILE", **common)
    kind = NUMBER if spec.kind == "number" else click.STRING
    if spec.metavar is not None:
        common["metavar"] = spec.metavar
    return click.Option([spec.flag], type=kind, **common)


JSON_OPTION_HELP = "Print one JSON object instead of a table."


#: The command being run and what was typed for each of its fields, for its error message
#: (:func:`contractcalc.interfaces._words.cli_message`); set by :func:`parse`.
RUNNING: dict[str, Any] = {}


def parse(spec: Command, given: dict[str, Any]) -> dict[str, Any]:
    """The values of ``spec``'s fields from click's: numbers as ``Decimal``, repeated flags as lists."""
    from contractcalc.interfaces.cli._output import parse_number, require_number

    RUNNING.clear()
    RUNNING.update(spec=spec, typed={name: text for name, text in given.items() if isinstance(text, str)})
    values: dict[str, Any] = {}
    for field in spec.fields:
        value = given.get(field.name)
        if field.kind == "number":
            value = require_number(field.name, value) if field.required else parse_number(field.name, value)
        elif field.kind == "list" and field.cli == "repeat":
            value = list(value or ())
        values[field.name] = value
    return values


def command(spec: Command, *, json: bool = True) -> Callable[[Handler], Handler]:
    """Register ``spec`` as a command, run by the decorated handler.

    ``"seed profit"`` goes to the ``seed`` group.  With ``json`` (default) the
    command takes ``--json``.
    """

    def decorate(handler: Handler) -> Handler:
        params: list[click.Parameter] = [option(field) for field in spec.fields]
        if json:
            params.append(click.Option(["--json"], is_flag=True, default=False, help=JSON_OPTION_HELP))

        def callback(**given: Any) -> int | None:
            as_json = bool(given.pop("json", False))
            return handler(parse(spec, given), as_json)

        *parents, name = spec.name.split(" ")
        target = group(parents[0]) if parents else _ROOT
        target.add_command(SchemaCommand(spec, name=name, params=params, callback=callback))
        return handler

    return decorate
