"""The FastAPI application: the JSON API (:mod:`.api`), the page at ``/`` and ``/docs``.

Everything the page needs is served from the package (no CDN), so the
calculator works offline.  Nothing here computes: every figure comes from a
calculator of :mod:`contractcalc`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from contractcalc import __version__
from contractcalc.errors import OUT_OF_RANGE, InputError
from contractcalc.interfaces.web import api

__all__ = [
    "BODY_TIMEOUT_SECONDS",
    "CONTENT_SECURITY_POLICY",
    "LOOPBACK_HOSTS",
    "MAX_BODY_BYTES",
    "MAX_IN_FLIGHT",
    "SECURITY_HEADERS",
    "create_app",
]

#: Largest request body accepted, in bytes (a cross account of 100 positions is ~12 KB).
MAX_BODY_BYTES = 64 * 1024

#: Seconds a client has to send the whole body once its headers are in (then 408).
BODY_TIMEOUT_SECONDS = 10.0

#: Requests computed at once; more answer 503 at once (with ``Retry-After``) instead of queueing.
MAX_IN_FLIGHT = 32

#: ``Host`` names a server bound to loopback answers to (with or without a port).  A page on
#: another site that points its own name at 127.0.0.1 (DNS rebinding) sends its name, and is refused.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

#: Everything the page and ``/docs`` load is served from the package: no inline script or style,
#: no other origin.  ``data:`` images are Swagger UI's icons (in its CSS).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

#: Headers on every answer.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)

_log = logging.getLogger("contractcalc.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _json(status: int, items: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": items}, status_code=status)


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every answer (a header the app set is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in SECURITY_HEADERS if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class InFlightLimit:
    """ASGI middleware: at most ``limit`` requests at once; beyond it 503 with ``Retry-After``.

    The calculators run in worker threads; a burst beyond the limit is told to come back
    rather than queued without bound (memory) behind requests that may take a while.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_IN_FLIGHT) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            rule = f"must wait: {self.limit} requests are being computed (try again in a second)"
            response = _json(503, [api.error_item(None, rule)])
            response.headers["Retry-After"] = "1"
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class BodyLimit:
    """ASGI middleware: read the whole body first, within bounds, then hand it on.

    413 when the body exceeds ``limit`` bytes, 408 when it has not arrived ``timeout``
    seconds after the headers (a client that trickles its body holds no worker),
    422 for a compressed body (``Content-Encoding``): the API takes plain UTF-8 JSON.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, timeout: float = BODY_TIMEOUT_SECONDS) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        limit = api.BODY_LIMITS.get(scope.get("path", ""), self.limit)  # replay's candles: a larger cap
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, int(declared), limit)
            return
        try:
            async with asyncio.timeout(self.timeout):
                body = await self._read(receive, limit)
        except TimeoutError:
            rule = f"must arrive within {self.timeout:g} seconds of the headers"
            response = _json(408, [api.error_item(None, rule)])
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        if body is None:
            return  # the client went away
        if body is _TOO_LARGE:
            await self._too_large(scope, receive, send, None, limit)
            return
        encoding = headers.get(b"content-encoding", b"identity").decode("latin-1").strip().lower()
        if body and encoding not in ("", "identity"):
            rule = f"must be plain JSON, not compressed (Content-Encoding {encoding!r} is not accepted)"
            await _json(422, [api.error_item(None, rule)])(scope, receive, send)
            return
        if body and not _is_utf8(body):
            # json.loads would guess UTF-16 or UTF-32 from the first bytes; JSON on the wire is UTF-8 (RFC 8259).
            await _json(422, [api.error_item(None, NOT_UTF8)])(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _TOO_LARGE
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, size: int | None, limit: int) -> None:
        rule = f"must be at most {limit} bytes"
        item = api.error_item(None, rule) if size is None else api.error_item(None, rule, size, " bytes")
        await _json(413, [item])(scope, receive, send)


NOT_UTF8 = "must be JSON in UTF-8 text (it is not UTF-8)"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_TOO_LARGE = b"\0too large"  # a sentinel (compared by identity): never a body that was read


def _body_error(error: StarletteHTTPException) -> dict[str, Any] | None:
    """FastAPI's 400 "There was an error parsing the body" as an error item in the API's words.

    FastAPI raises it (chained to the cause) for a body ``json.loads`` refuses other than by
    :class:`json.JSONDecodeError`: bytes that are not UTF-8 text, an integer of more than
    4,300 digits (Python's limit on converting text to int).
    """
    if error.status_code != 400 or error.detail != "There was an error parsing the body":
        return None
    cause = error.__cause__
    if isinstance(cause, UnicodeError):
        return api.error_item(None, NOT_UTF8)
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return api.error_item(None, "must be valid JSON without integers of more than 4300 digits")
    return api.error_item(None, "must be valid JSON")


def _handler(endpoint: api.Endpoint, model: type[BaseModel]) -> Callable[..., JSONResponse]:
    def handler(body: BaseModel) -> JSONResponse:
        try:
            return JSONResponse(api.run(endpoint, body))
        except api.MissingInputs as error:
            return _json(422, error.items)
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


def create_app(*, allowed_hosts: Sequence[str] | None = None, max_in_flight: int = MAX_IN_FLIGHT) -> FastAPI:
    """The web calculator: ``/`` (the page), ``/api/...`` (JSON), ``/docs`` (OpenAPI).

    ``allowed_hosts``: the ``Host`` names answered (``"*"`` any); others get 400.  ``None``
    answers any host, for an app embedded or tested in-process; ``contractcalc serve``
    bound to loopback passes :data:`LOOPBACK_HOSTS`.  ``max_in_flight``: requests
    computed at once (:class:`InFlightLimit`).
    """
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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        item = _body_error(error)
        if item is not None:
            return _json(422, [item])
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)

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
                responses=ERROR_RESPONSES,
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
            responses={200: {"description": "The command's `--json` object."}, **ERROR_RESPONSES},
        )

    @app.get("/api/calculators", tags=["page"], summary="The calculators and their fields")
    def calculators() -> dict[str, Any]:
        return api.calculators()

    @app.get("/api/presets", tags=["page"], summary="Exchange presets and their tier tables")
    def presets() -> dict[str, Any]:
        return api.jsonable_result(api.presets())  # type: ignore[no-any-return]

    folder = static_dir()

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE, headers={"Cache-Control": "no-cache"})

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(f"{folder}/index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=folder), name="static")
    # Added last is outermost: the headers (on every answer, the host check's 400 too), the
    # host check, the in-flight limit, and the body read within bounds.
    app.add_middleware(BodyLimit)
    app.add_middleware(InFlightLimit, limit=max_in_flight)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False)
    app.add_middleware(SecurityHeaders)
    return app


#: The statuses every calculator may answer besides 200, all with an :class:`api.ErrorResponse` body.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    408: {"model": api.ErrorResponse, "description": "The body did not arrive in time."},
    413: {"model": api.ErrorResponse, "description": "Request body too large."},
    422: {"model": api.ErrorResponse, "description": "Bad input: each bad field and why."},
    503: {"model": api.ErrorResponse, "description": "Busy: too many requests at once (see Retry-After)."},
}

#: ``/docs``: the package's own Swagger UI, started by a script file (the CSP allows no inline script).
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>contractcalc API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""
