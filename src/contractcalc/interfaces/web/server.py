"""Serving the web calculator with uvicorn, with bounds on connections and time.

uvicorn closes an idle keep-alive connection only after a first response, so a
client that connects and sends nothing (or trickles its headers a byte at a
time) holds its connection forever; enough of them exhaust the process's file
descriptors and lock everyone out.  :func:`guarded_protocol` adds to uvicorn's
HTTP protocol:

- a deadline for a request's headers (:data:`HEADER_TIMEOUT_SECONDS`), from the
  connection's start or the end of the previous response;
- a cap on header bytes (:data:`MAX_HEADER_BYTES`);
- a cap on open connections (:data:`MAX_CONNECTIONS`): a new connection beyond
  it closes the connection idle the longest, so idle ones never lock out a
  client with a request.

The body's own deadline and size cap are the app's (:class:`.app.BodyLimit`),
and so is the limit on requests computed at once (:class:`.app.InFlightLimit`).
"""

from __future__ import annotations

import asyncio
import resource
import socket
import time
from collections.abc import Sequence
from typing import Any

__all__ = [
    "HEADER_TIMEOUT_SECONDS",
    "KEEP_ALIVE_SECONDS",
    "MAX_CONNECTIONS",
    "MAX_HEADER_BYTES",
    "guarded_protocol",
    "run",
    "server_config",
]

#: Seconds an idle keep-alive connection stays open after a response (uvicorn's own timer).
KEEP_ALIVE_SECONDS = 5
#: Seconds a client has to send a request's headers, from connecting or from the last response.
HEADER_TIMEOUT_SECONDS = 10.0
#: Bytes of request line and headers accepted (browsers send 1-2 KB).
MAX_HEADER_BYTES = 64 * 1024
#: Connections open at once; beyond it the longest-idle one is closed.
MAX_CONNECTIONS = 512


def guarded_protocol(base: type[asyncio.Protocol], *, header_timeout: float = HEADER_TIMEOUT_SECONDS,
                     max_header_bytes: int = MAX_HEADER_BYTES,
                     max_connections: int = MAX_CONNECTIONS) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class ``base`` (h11 or httptools) with the bounds above."""

    class Guarded(base):  # type: ignore[valid-type,misc]
        # uvicorn's protocols keep: transport, connections (the server's set), cycle (the
        # current request, None before the first), loop.
        _deadline: asyncio.TimerHandle | None = None
        _header_bytes = 0
        _idle_since = 0.0

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self._idle_since = time.monotonic()
            self._arm()
            if len(self.connections) > max_connections:
                self._evict()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            waiting = not self._busy()
            if waiting:
                self._header_bytes += len(data)
                if self._header_bytes > max_header_bytes:
                    self._disarm()
                    self.send_400_response("Request headers too large.")
                    return
            super().data_received(data)
            if waiting and self._busy():  # the headers are complete: a request runs
                self._disarm()
                self._header_bytes = 0

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self._busy():
                self._idle_since = time.monotonic()
                self._header_bytes = 0
                self._arm()

        def _busy(self) -> bool:
            cycle = self.cycle
            return cycle is not None and not cycle.response_complete

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if not self._busy() and not self.transport.is_closing():
                self.transport.close()

        def _evict(self) -> None:
            idle = [c for c in self.connections if isinstance(c, Guarded) and c is not self and not c._busy()
                    and not c.transport.is_closing()]
            if idle:
                oldest = min(idle, key=lambda c: c._idle_since)
                oldest._disarm()
                oldest.transport.close()

    Guarded.__name__ = Guarded.__qualname__ = "Guarded" + base.__name__
    return Guarded


def _protocol_base() -> tuple[type[asyncio.Protocol], str]:
    """httptools and uvloop when installed (the ``web`` extra's ``uvicorn[standard]``), else h11/asyncio."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - uvicorn without its standard extra
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol, "asyncio"
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover
        return HttpToolsProtocol, "asyncio"
    return HttpToolsProtocol, "uvloop"


def _raise_file_limit() -> int:
    """Raise the soft limit on open files to the hard one; the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):  # pragma: no cover - not allowed here: keep the soft limit
            pass
    return soft


def server_config(app: Any, *, http: str | None = None, max_connections: int = MAX_CONNECTIONS,
                  header_timeout: float = HEADER_TIMEOUT_SECONDS, keep_alive: int = KEEP_ALIVE_SECONDS) -> Any:
    """The ``uvicorn.Config`` of ``contractcalc serve`` for ``app``.

    ``http``: ``"h11"`` or ``"httptools"`` (default: httptools when installed).
    ``max_connections`` is lowered to fit the open-file limit (with room for the
    process's own files).
    """
    import uvicorn

    base, loop = _protocol_base()
    if http == "h11":
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base, loop = H11Protocol, "asyncio"
    files = _raise_file_limit()
    connections = max(8, min(max_connections, files - 64))
    return uvicorn.Config(
        app,
        http=guarded_protocol(base, max_connections=connections, header_timeout=header_timeout),
        loop=loop,
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=keep_alive,
        # uvicorn's own limit counts connections too; the eviction above keeps them under
        # `connections`, so this only stops runaway tasks.  Requests at once: the app's InFlightLimit.
        limit_concurrency=connections + 64,
        timeout_graceful_shutdown=5,
        server_header=False,
    )


def run(app: Any, sockets: Sequence[socket.socket], *, http: str | None = None) -> None:
    """Serve ``app`` on the listening ``sockets`` until interrupted."""
    import uvicorn

    uvicorn.Server(server_config(app, http=http)).run(sockets=list(sockets))
