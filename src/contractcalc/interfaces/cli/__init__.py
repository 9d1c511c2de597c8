"""The ``contractcalc`` command line: a thin layer over the library, built with click from the schema.

Every command reads numbers as ``Decimal`` from what the user typed, calls the
library, and prints a table or (``--json``) one JSON object.  Bad input never
shows a traceback: one line ``error: ...`` on stderr and exit status 2.

Start-up is kept light: importing this package imports nothing else (click is
imported when the CLI runs, so :func:`main` can first turn the garbage collector
off); each command imports the library (and NumPy, Rich, the web stack) inside
its body, when it runs, and a command's module is imported only when that command
is asked for (:data:`COMMAND_MODULES`; see docs/design.md, "Adding a command"
and "CLI start-up").
"""

from __future__ import annotations

import importlib
import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing before main() (see contractcalc/__init__)
if TYPE_CHECKING:
    from typing import Any, NoReturn

    import click

    from contractcalc.errors import InputError
    from contractcalc.interfaces.cli._command import OrderedGroup

    #: The ``contractcalc`` click group (built on first use: :func:`_app`).
    app: OrderedGroup

__all__ = ["COMMAND_MODULES", "ONE_SHOT_COMMANDS", "app", "main", "run"]

#: The module defining each top-level command (``interfaces/cli/<module>.py``).  A command's
#: module is imported only when that command runs (or ``--help`` lists them all), so an answer
#: loads its own command alone.  Add a new command here: ``"risk": "risk_command"``.
COMMAND_MODULES: dict[str, str] = {
    "liquidation": "liquidation_commands",
    "pnl": "position_commands",
    "target": "position_commands",
    "average-entry": "position_commands",
    "cost": "position_commands",
    "size": "position_commands",
    "max-open": "position_commands",
    "reconcile": "reconcile_command",
    "replay": "replay_command",
    "risk": "risk_command",
    "stress": "stress_command",
    "plan": "seed_commands",
    "seed": "seed_commands",
    "serve": "serve_command",
    "tiers": "tiers_command",
}


def _app() -> OrderedGroup:
    """The ``contractcalc`` click group: on first use, click is imported and ``--version`` added."""
    import click

    from contractcalc.interfaces.cli._command import root

    group = root()
    if not group.lazy_modules:
        group.lazy_modules = {name: f"{__name__}.{module}" for name, module in COMMAND_MODULES.items()}
        group.params.append(
            click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True, callback=_version,
                         help="Show the version and exit.")
        )
    return group


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        import click

        from contractcalc import __version__

        click.echo(f"contractcalc {__version__}")
        ctx.exit(0)


def _register() -> None:
    """Import every command module (each adds its commands to :data:`app`); a command runs without it."""
    _app()
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(f"{__name__}.{module}")


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2


def _message(error: InputError) -> str:
    """``error`` in the CLI's words: every input it names as a flag, the value as typed."""
    from contractcalc.interfaces._words import cli_message
    from contractcalc.interfaces.cli._command import RUNNING

    spec = RUNNING.get("spec")
    if spec is None:
        return cli_message(error)
    items = [field.name for field in spec.fields if field.kind == "list" or field.name in ("tiers", "scenarios")]
    return cli_message(error, [field.name for field in spec.fields], RUNNING.get("typed"), items)


def _every_missing_option(error: Exception, argv: list[str] | None) -> str | None:
    """For a missing required option, every one the command line lacks, in one message (not one per try)."""
    import click

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
    import click

    from contractcalc.errors import OUT_OF_RANGE, InputError
    from contractcalc.interfaces.cli._command import RUNNING

    app = _app()
    RUNNING.clear()
    try:
        result = app.main(args=argv, prog_name="contractcalc", standalone_mode=False)
    except InputError as error:
        return _fail(_message(error))
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


#: Commands that compute one answer from their flags and end: the console script runs them with
#: the garbage collector off (:func:`main`).  Not ``serve`` (a server runs for hours) nor the
#: simulations (``risk``, ``replay``, ``stress``, ``reconcile``), which keep Python's defaults.
ONE_SHOT_COMMANDS = frozenset({
    "liquidation", "pnl", "target", "average-entry", "cost", "size", "max-open", "plan", "seed",
    "--help", "--version",
})


def main() -> None:
    """Console-script entry point: run the command, then end the process (:func:`_finish`).

    A one-shot answer (:data:`ONE_SHOT_COMMANDS`) runs with the cyclic garbage collector
    off: its imports (click, the command, the library, Rich; none of them imported before
    this point) create tens of thousands of objects and no garbage worth collecting, and the
    collections they trigger cost 5-8 ms of CPU.
    """
    if sys.argv[1:2] and sys.argv[1] in ONE_SHOT_COMMANDS:
        import gc

        gc.disable()
    _finish(run())


def _finish(status: int) -> NoReturn:
    """End the process with ``status``, skipping the interpreter's teardown when nothing needs it.

    A normal exit frees every loaded module and object one by one (click, Rich, the
    library): 10-20 ms of CPU, up to a fifth of a whole answer (``make bench-cli``).
    An answer has finished by now: its output is flushed here, and ``os._exit`` ends
    the process at once.  The normal exit (``sys.exit``) is kept whenever exit work
    is pending: an ``atexit`` handler (logging, multiprocessing, a Dask client,
    ``weakref.finalize``), a thread still running, or output that cannot be flushed
    (a closed pipe: Python then reports it as usual).
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(status)
    if _nothing_left_to_clean_up():
        os._exit(status)
    sys.exit(status)


def _nothing_left_to_clean_up() -> bool:
    """No ``atexit`` handler registered and no thread but this one (CPython's count; elsewhere: unknown)."""
    import atexit

    handlers = getattr(atexit, "_ncallbacks", None)
    if handlers is None or handlers() != 0:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1
