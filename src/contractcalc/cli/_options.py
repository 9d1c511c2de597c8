"""Option types shared by the commands, so a flag means one thing everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

#: ``--json``: print exactly one JSON object whose keys are the library's names.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]


def number_option(flag: str, help: str) -> object:
    """A numeric option read as text, so the CLI can parse it exactly (``Decimal``)."""
    return typer.Option(flag, help=help, show_default=False)


Side = Annotated[str, typer.Option("--side", help="long or short.", show_default=False)]
Contract = Annotated[
    str,
    typer.Option("--contract", help="linear or inverse (also the seed's usdt, u, coin).", show_default=False),
]
