"""The ``contractcalc`` command line: a thin layer over the library, built with click from the schema.

Every command reads numbers as ``Decimal`` from what the user typed, calls the
library, and prints a table or (``--json``) one JSON object.  Bad input never
shows a traceback: one line ``error: ...`` on stderr and exit status 2.

Start-up is kept light: this package imports click and the schema only; each
command imports the library (and NumPy, Rich, the web stack) inside its body,
when it runs.  A command is one module listed in :data:`COMMAND_MODULES`
(see docs/design.md, "Adding a command").
"""

from __future__ import annotations

import importlib
import sys

import click

from contractcalc.errors import OUT_OF_RANGE, InputError
from contractcalc.interfaces.cli._command import root

__all__ = ["COMMAND_MODULES", "app", "main", "run"]

#: The modules that define the commands (``interfaces/cli/<module>.py``), in the
#: order ``contractcalc --help`` lists their commands.  Add a new command's module here.
COMMAND_MODULES: tuple[str, ...] = (
    "liquidation_commands",
    "position_commands",
    "reconcile_command",
    "replay_command",
    "risk_command",
    "seed_commands",
    "serve_command",
    "stress_command",
    "tiers_command",
)

#: The ``contractcalc`` click group.
app = root()


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from contractcalc import __version__

        click.echo(f"contractcalc {__version__}")
        ctx.exit(0)


app.params.append(
    click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True, callback=_version,
                 help="Show the version and exit.")
)


def _register() -> None:
    """Import every command module (each adds its commands to :data:`app`)."""
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}")


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2


def _every_missing_option(error: Exception, argv: list[str] | None) -> str | None:
    """For a missing required option, every one the command line lacks, in one message (not one per try)."""
    ctx = getattr(error, "ctx", None)
    if not isinstance(error, click.MissingParameter) or ctx is None:
        return None
    given = {arg.split("=", 1)[0] for arg in (sys.argv[1:] if argv is None else argv)}
    missing = [
        param.opts[0] for param in ctx.command.params
        if getattr(param, "required", False) and param.opts and not given.intersection(param.opts)
    ]
    if len(missing) < 2:
        return None
    return "missing options " + ", ".join(f"'{flag}'" for flag in missing) + "."


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit status (no ``SystemExit``)."""
    _register()
    try:
        result = app.main(args=argv, prog_name="contractcalc", standalone_mode=False)
    except InputError as error:
        return _fail(error.message(f"'{error.flag}'"))
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()
        return 2
    except click.ClickException as error:
        return _fail(_every_missing_option(error, argv) or error.format_message())
    except ArithmeticError:  # Decimal overflow/underflow, or a result JSON cannot hold
        return _fail(OUT_OF_RANGE)
    except (click.Abort, KeyboardInterrupt):
        return _fail("aborted")
    except click.exceptions.Exit as error:
        return int(error.exit_code)
    return int(result) if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
