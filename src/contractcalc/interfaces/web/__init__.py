"""The local web calculator: a page and a JSON API over the same calculators as the CLI.

``contractcalc serve`` runs :func:`create_app` with uvicorn.  Import this package
only when serving: it loads FastAPI, which the plain CLI does not need.
"""

from __future__ import annotations

from contractcalc.interfaces.web.app import create_app

__all__ = ["create_app"]
