"""The ``contractcalc`` command line: a thin layer over the library.

Every command reads numbers as ``Decimal`` from what the user typed, calls the
library, and prints a table or (``--json``) one JSON object.  Bad input never
shows a traceback: one line ``error: ...`` on stderr and exit status 2.
"""

from __future__ import annotations

import sys

import typer

from contractcalc.errors import OUT_OF_RANGE, InputError

app = typer.Typer(
    name="contractcalc",
    help="Crypto futures (contract) position math: the seed lesson's formulas and exact figures.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Command modules attach themselves to ``app`` on import.
    from contractcalc.interfaces.cli import (
        liquidation_commands,  # noqa: F401
        position_commands,  # noqa: F401
        reconcile_command,  # noqa: F401
        replay_command,  # noqa: F401
        seed_commands,  # noqa: F401
        serve_command,  # noqa: F401
        stress_command,  # noqa: F401
        tiers_command,  # noqa: F401
    )


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2


def _every_missing_option(error: Exception, argv: list[str] | None) -> str | None:
    """For a missing required option, every one the command line lacks, in one message (not one per try)."""
    from typer._click.exceptions import MissingParameter

    ctx = getattr(error, "ctx", None)
    if not isinstance(error, MissingParameter) or ctx is None:
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
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    _register()
    try:
        result = app(args=argv, prog_name="contractcalc", standalone_mode=False)
    except InputError as error:
        return _fail(error.message(f"'{error.flag}'"))
    except NoArgsIsHelpError as error:
        error.show()
        return 2
    except ClickException as error:
        return _fail(_every_missing_option(error, argv) or error.format_message())
    except ArithmeticError:  # Decimal overflow/underflow, or a result JSON cannot hold
        return _fail(OUT_OF_RANGE)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("aborted")
    except typer.Exit as error:
        return int(error.exit_code)
    return int(result) if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
