"""The FastAPI application: the JSON API (:mod:`.api`), the page at ``/`` and ``/docs``.

Everything the page needs is served from the package (no CDN), so the
calculator works offline.  Nothing here computes: every figure comes from a
calculator of :mod:`contractcalc`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError

from contractcalc import __version__
from contractcalc.errors import OUT_OF_RANGE, InputError
from contractcalc.interfaces.web import api

__all__ = ["MAX_BODY_BYTES", "create_app"]

#: Largest request body accepted, in bytes (a cross account of 100 positions is ~12 KB).
MAX_BODY_BYTES = 64 * 1024

_log = logging.getLogger("contractcalc.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _json(status: int, items: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": items}, status_code=status)


class BodyLimit:
    """ASGI middleware: answer 413 when a request body exceeds ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send, int(declared))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send, None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, size: int | None) -> None:
        rule = f"must be at most {self.limit} bytes"
        item = api.error_item(None, rule) if size is None else api.error_item(None, rule, size, " bytes")
        await _json(413, [item])(scope, receive, send)


def _handler(endpoint: api.Endpoint, model: type[BaseModel]) -> Callable[..., JSONResponse]:
    def handler(body: BaseModel) -> JSONResponse:
        try:
            return JSONResponse(api.run(endpoint, body))
        except InputError as error:
            return _json(422, [api.from_input_error(error)])
        except ValidationError as error:  # a nested model the library re-validated
            return _json(422, api.validation_error_items(error))
        except ArithmeticError as error:
            _log.info("%s: %r", endpoint.path, error)
            return _json(422, [api.error_item(None, OUT_OF_RANGE)])
        except Exception:  # pragma: no cover - a bug; still answer in words, never 500
            _log.exception("%s failed", endpoint.path)
            return _json(422, [api.error_item(None, "could not be computed (an internal error, logged)")])

    handler.__name__ = endpoint.name.replace("-", "_") + ("_curve" if "Curve" in model.__name__ else "")
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model)],
        return_annotation=JSONResponse,
    )
    return handler


def _description(endpoint: api.Endpoint) -> str:
    doc = inspect.getdoc(endpoint.function) or ""
    first = doc.split("\n\n")[0]
    cli = f"Same as `contractcalc {endpoint.command} --json`: the body's fields are its flags with underscores."
    return f"{first}\n\n{cli}"


def static_dir() -> str:
    """The folder of the page's files inside the installed package."""
    return str(resources.files("contractcalc.interfaces.web").joinpath("static"))


def create_app() -> FastAPI:
    """The web calculator: ``/`` (the page), ``/api/...`` (JSON), ``/docs`` (OpenAPI)."""
    # The library imports NumPy lazily, on the first array.  Requests run in worker
    # threads, and a thread that sees NumPy half-imported by another one fails
    # (``sys.modules`` holds it before it is ready): import it once, here.
    import numpy  # noqa: F401
    app = FastAPI(
        title="contractcalc",
        version=__version__,
        description=(
            "Crypto futures position math over HTTP: one endpoint per `contractcalc` command. "
            "Bodies use the CLI's flags with underscores (`wallet_balance`); answers use its "
            "`--json` keys. Bad input answers 422 with each bad field and the CLI's words."
        ),
        docs_url=None,  # served below from the package's own Swagger UI: no CDN
        redoc_url=None,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return _json(422, api.error_items([dict(item) for item in error.errors()]))

    for endpoint in api.ENDPOINTS:
        if endpoint.curve is not None:
            app.add_api_route(
                endpoint.path + "/curve",
                _handler(endpoint, api.curve_model(endpoint)),
                methods=["POST"],
                summary=f"{endpoint.title} along a list of {endpoint.curve} values (the page's chart)",
                description=(
                    f"As `{endpoint.path}`, with `{endpoint.curve}` a list of at most {endpoint.curve_points} "
                    "numbers; every result that depends on it is a list in the same order."
                ),
                tags=["page"],
                response_model=None,
                responses={422: {"model": api.ErrorResponse, "description": "Bad input: each bad field and why."}},
            )
        model = api.request_model(endpoint)
        app.add_api_route(
            endpoint.path,
            _handler(endpoint, model),
            methods=["POST"],
            summary=endpoint.title,
            description=_description(endpoint),
            tags=["seed" if endpoint.command.startswith("seed ") else "calculators"],
            response_model=None,
            responses={
                200: {"description": "The command's `--json` object."},
                413: {"model": api.ErrorResponse, "description": "Request body too large."},
                422: {"model": api.ErrorResponse, "description": "Bad input: each bad field and why."},
            },
        )

    @app.get("/api/calculators", tags=["page"], summary="The calculators and their fields")
    def calculators() -> dict[str, Any]:
        return {"calculators": [api.describe(endpoint) for endpoint in api.ENDPOINTS]}

    @app.get("/api/presets", tags=["page"], summary="Exchange presets and their tier tables")
    def presets() -> dict[str, Any]:
        return api.jsonable_result(api.presets())  # type: ignore[no-any-return]

    folder = static_dir()

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="contractcalc API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(f"{folder}/index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=folder), name="static")
    app.add_middleware(BodyLimit)
    return app
