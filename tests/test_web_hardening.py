"""The web calculator under hostile input (issue 13): foreign pages, bad bodies, slow and idle clients.

- a foreign page (DNS rebinding: its own name pointing at 127.0.0.1) is refused by ``Host``;
- every answer carries a Content-Security-Policy without inline script and ``nosniff``, and
  the page and ``/docs`` need no inline script;
- bodies that are not UTF-8, compressed, or hold a 4,301-digit integer answer 422 in the
  documented ErrorResponse shape (FastAPI's own answer is 400 ``{"detail": "There was an
  error parsing the body"}``);
- a real uvicorn server (loopback, in a thread) closes connections that send nothing or
  trickle their headers, caps header bytes, and does not let idle connections lock out
  a client with a request; requests beyond the in-flight limit answer 503.

Every server here listens on 127.0.0.1 on a free port and is stopped by the test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.interfaces.cli.serve_command import allowed_hosts
from contractcalc.interfaces.web import api, create_app
from contractcalc.interfaces.web.app import (
    CONTENT_SECURITY_POLICY,
    DOCS_PAGE,
    LOOPBACK_HOSTS,
    BodyLimit,
    InFlightLimit,
    static_dir,
)

PLAN = {"side": "long", "entry": 20000, "stop": 15000, "target": 24000, "principal": 1000}


@pytest.fixture(scope="module")
def loopback_client() -> TestClient:
    return TestClient(create_app(allowed_hosts=LOOPBACK_HOSTS), base_url="http://127.0.0.1:8000")


def assert_error_response(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    body = response.json()
    api.ErrorResponse.model_validate(body)  # the documented shape
    assert set(body) == {"detail"} and body["detail"]
    return body["detail"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------
# Host names: a page on another site cannot read the API through DNS rebinding


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost", "localhost:8000", "LOCALHOST:8000",
                                  "[::1]", "[::1]:8000"])
def test_loopback_host_names_are_answered(loopback_client: TestClient, host: str) -> None:
    response = loopback_client.post("/api/plan", json=PLAN, headers={"Host": host})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example",
                                  "attacker.localhost.example:8000", "[::2]:8000", "", "127.0.0.1:80:80"])
def test_foreign_host_names_are_refused(loopback_client: TestClient, host: str) -> None:
    response = loopback_client.post("/api/plan", json=PLAN, headers={"Host": host})
    assert response.status_code == 400
    assert "calculat" not in response.text  # no answer leaks
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_page_itself_is_refused_under_a_foreign_name(loopback_client: TestClient) -> None:
    assert loopback_client.get("/", headers={"Host": "rebound.example:8000"}).status_code == 400
    assert loopback_client.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_serve_allows_loopback_names_and_what_the_user_adds() -> None:
    assert allowed_hosts("127.0.0.1", []) == ["127.0.0.1", "localhost", "[::1]"]
    assert allowed_hosts("::1", []) == ["127.0.0.1", "localhost", "[::1]"]
    assert allowed_hosts("127.0.0.2", ["calc.lan"]) == ["127.0.0.1", "localhost", "[::1]", "127.0.0.2", "calc.lan"]
    # bound to another address the user asked for it: any name unless named
    assert allowed_hosts("0.0.0.0", []) == ["*"]
    assert allowed_hosts("192.0.2.7", ["calc.lan"]) == ["192.0.2.7", "calc.lan"]


# ---------------------------------------------------------------------------
# Headers: Content-Security-Policy, nosniff


@pytest.mark.parametrize("path", ["/", "/docs", "/openapi.json", "/api/calculators", "/static/app.js",
                                  "/static/style.css", "/static/swagger-init.js", "/nothing"])
def test_every_answer_carries_the_security_headers(loopback_client: TestClient, path: str) -> None:
    response = loopback_client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_no_inline_script_and_no_other_origin() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY


class _Markup(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block, and every URL loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.loaded: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.inline.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            if named.get("src"):
                self.loaded.append(str(named["src"]))
            else:
                self._in_script = True
        if tag == "link" and named.get("href"):
            self.loaded.append(str(named["href"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("<script>" + data.strip()[:40])


@pytest.mark.parametrize("page", ["index.html", "docs"])
def test_the_pages_need_no_inline_script_or_style(page: str) -> None:
    html = DOCS_PAGE if page == "docs" else (Path(static_dir()) / page).read_text("utf-8")
    markup = _Markup()
    markup.feed(html)
    assert markup.inline == []
    assert markup.loaded and all(url.startswith("/static/") for url in markup.loaded), markup.loaded


def test_docs_loads_the_vendored_swagger_ui_and_its_start_script(loopback_client: TestClient) -> None:
    docs = loopback_client.get("/docs").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', docs):
        assert loopback_client.get(url).status_code == 200, url
    assert "SwaggerUIBundle" in loopback_client.get("/static/swagger-init.js").text


# ---------------------------------------------------------------------------
# Bodies FastAPI cannot parse: 422 in the documented shape, not 400 {"detail": "There was an error ..."}


JSON = {"Content-Type": "application/json"}


def test_a_body_that_is_not_utf8_is_422(loopback_client: TestClient) -> None:
    for body in (b'{"leverage": "\xff"}', b"\xff\xfe{}", "{\"leverage\": 5}".encode("utf-16")):
        (item,) = assert_error_response(
            loopback_client.post("/api/seed/liquidation-change", content=body, headers=JSON), 422)
        assert item["field"] is None and "UTF-8" in item["message"], item


def test_a_gzip_body_is_422(loopback_client: TestClient) -> None:
    body = gzip.compress(b'{"leverage": 5}')
    (item,) = assert_error_response(loopback_client.post(
        "/api/seed/liquidation-change", content=body, headers={**JSON, "Content-Encoding": "gzip"}), 422)
    assert item["message"] == ("request body must be plain JSON, not compressed "
                               "(Content-Encoding 'gzip' is not accepted)")
    # without the header the bytes are simply not UTF-8
    (item,) = assert_error_response(loopback_client.post("/api/seed/liquidation-change", content=body,
                                                         headers=JSON), 422)
    assert "UTF-8" in item["message"]


def test_a_4301_digit_integer_is_422(loopback_client: TestClient) -> None:
    body = b'{"leverage": ' + b"9" * 4301 + b"}"
    (item,) = assert_error_response(loopback_client.post("/api/seed/liquidation-change", content=body,
                                                         headers=JSON), 422)
    assert item["message"] == "request body must be valid JSON without integers of more than 4300 digits"


def test_a_4300_digit_integer_converts_and_its_underflowing_result_is_422(loopback_client: TestClient) -> None:
    # 4,300 digits convert; 1 / 9...9 (4,300 nines) underflows a double: out of range, 422, not 0.0
    body = b'{"leverage": ' + b"9" * 4300 + b"}"
    assert_error_response(loopback_client.post("/api/seed/liquidation-change", content=body, headers=JSON), 422)


def test_deeply_nested_json_is_422(loopback_client: TestClient) -> None:
    body = b'{"leverage": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = loopback_client.post("/api/seed/liquidation-change", content=body, headers=JSON)
    assert response.status_code in (413, 422)
    assert_error_response(response, response.status_code)


def test_other_http_errors_keep_their_status(loopback_client: TestClient) -> None:
    assert loopback_client.get("/api/plan").status_code == 405
    assert loopback_client.get("/nothing").status_code == 404


# ---------------------------------------------------------------------------
# The body deadline and the in-flight limit (ASGI, in-process)


async def _asgi(app: Any, body_messages: list[dict[str, Any]], stall: bool = False) -> tuple[int, dict[str, str], Any]:
    sent: list[dict[str, Any]] = []
    queue = list(body_messages)

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        if stall:
            await asyncio.Event().wait()  # never arrives
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/plan", "headers": [(b"content-type", b"application/json")]}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, json.loads(body) if body else None


def _run_isolated(make_coroutine: Any) -> Any:
    """``asyncio.run`` on a thread of its own: the browser tests' Playwright keeps a loop running on this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result(timeout=60)


def test_a_body_that_does_not_arrive_in_time_is_408() -> None:
    async def never_called(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover - must not run
        raise AssertionError("the app ran without a body")

    limit = BodyLimit(never_called, timeout=0.05)
    first_half = [{"type": "http.request", "body": b'{"side": ', "more_body": True}]
    status, headers, body = _run_isolated(lambda: _asgi(limit, first_half, stall=True))
    assert status == 408 and headers["connection"] == "close"
    api.ErrorResponse.model_validate(body)
    assert body["detail"][0]["message"] == "request body must arrive within 0.05 seconds of the headers"


def test_requests_beyond_the_in_flight_limit_are_told_to_come_back() -> None:
    release = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def scenario() -> list[tuple[int, dict[str, str], Any]]:
        limited = InFlightLimit(slow, limit=2)
        running = [asyncio.create_task(_asgi(limited, [])) for _ in range(2)]
        await asyncio.sleep(0)
        refused = await _asgi(limited, [])
        release.set()
        return [refused, *await asyncio.gather(*running), await _asgi(limited, [])]

    refused, first, second, later = _run_isolated(scenario)
    assert refused[0] == 503 and refused[1]["retry-after"] == "1"
    api.ErrorResponse.model_validate(refused[2])
    assert first[0] == second[0] == later[0] == 200  # the limit frees its places


# ---------------------------------------------------------------------------
# A real server: idle, trickling and many connections (uvicorn on 127.0.0.1, in a thread)


class Served:
    def __init__(self, **options: Any) -> None:
        import uvicorn

        from contractcalc.interfaces.web.server import server_config

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        app = create_app(allowed_hosts=LOOPBACK_HOSTS)
        self.server = uvicorn.Server(server_config(app, **options))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        assert self.server.started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: Any, timeout: float = 30) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), headers=JSON)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@pytest.fixture(params=["httptools", "h11"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    server = Served(http=request.param, header_timeout=0.5, keep_alive=1, max_connections=40)
    try:
        yield server
    finally:
        server.stop()


def closed_by_server(sock: socket.socket) -> bool:
    """Wait (at most the socket's timeout) for the server to close ``sock``."""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_a_connection_that_sends_nothing_is_closed(served: Served) -> None:
    with served.connect() as sock:
        assert closed_by_server(sock)


def test_a_client_that_trickles_its_headers_is_closed(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"POST /api/plan HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = False
        for _ in range(200):  # a header byte every 50 ms would take minutes; the deadline is 0.5 s
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        assert closed or closed_by_server(sock)


def test_headers_beyond_the_cap_are_refused(served: Served) -> None:
    with served.connect() as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (70 * 1024) + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            return
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4")


def test_an_idle_keep_alive_connection_is_closed_after_its_response(served: Served) -> None:
    with served.connect() as sock:
        body = json.dumps(PLAN).encode()
        sock.sendall(b"POST /api/plan HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        assert closed_by_server(sock)


def test_idle_connections_do_not_lock_out_a_client_with_a_request(served: Served) -> None:
    idle = [served.connect() for _ in range(100)]  # 2.5 x the cap of 40
    try:
        status, result = served.post("/api/plan", PLAN)
        assert status == 200 and result["leverage"] == 4
        still_open = 0
        for sock in idle:
            sock.setblocking(False)
            try:
                still_open += sock.recv(1) != b""
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass
        assert still_open <= 40
    finally:
        for sock in idle:
            sock.close()


def test_a_foreign_host_is_refused_by_the_real_server(served: Served) -> None:
    request = urllib.request.Request(served.url + "/api/calculators", headers={"Host": "rebound.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400


# ---------------------------------------------------------------------------
# Cost: the request-level cap on positions, and concurrent large accounts


def _account(legs: int) -> dict[str, Any]:
    positions = [
        {"symbol": f"C{k}/USDT:USDT", "side": "long" if k % 2 else "short", "contracts": 1 + k % 3, "contractSize": 1,
         "entryPrice": 100 + k, "markPrice": 101 + k, "maintenanceMarginRate": 0.005}
        for k in range(legs)
    ]
    return {"exchange": "binance-usdm", "margin_mode": "cross", "wallet_balance": 5000, "positions": positions}


def test_more_positions_than_the_cap_are_refused_by_name(loopback_client: TestClient) -> None:
    (item,) = assert_error_response(
        loopback_client.post("/api/liquidation", json=_account(api.MAX_LIST_ITEMS + 1)), 422)
    assert item["field"] == "positions"
    assert item["message"] == f"'positions' must have at most {api.MAX_LIST_ITEMS} items (got 101 items)"


def test_eight_concurrent_accounts_at_the_cap_all_finish() -> None:
    server = Served(max_connections=64)
    try:
        results: list[tuple[int, Any]] = []
        threads = [threading.Thread(target=lambda: results.append(server.post("/api/liquidation",
                                                                               _account(api.MAX_LIST_ITEMS))))
                   for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)  # a hang guard, not a speed assertion
        assert len(results) == 8
        assert all(status == 200 for status, _ in results), results[:1]
        assert all(len(body["positions"]) == api.MAX_LIST_ITEMS for _, body in results)
    finally:
        server.stop()
