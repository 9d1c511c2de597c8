"""``contractcalc serve``: the web calculator (page, JSON API and ``/docs``) on a local port."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from contractcalc.errors import InputError
from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.schema import SERVE

if TYPE_CHECKING:
    import socket

#: The web calculator's package (``create_app``) and server (``run``), by name: ``serve`` imports them
#: when it runs, so the CLI and the web never import each other (import-linter checks static imports).
WEB_APP = "contractcalc.interfaces.web"
WEB_SERVER = "contractcalc.interfaces.web.server"

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names of this machine's loopback."""
    import ipaddress

    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    """``http://host:port/``, with IPv6 literals in brackets."""
    bare = host.strip("[]")
    shown = f"[{bare}]" if ":" in bare else bare
    return f"http://{shown}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one)."""
    import socket

    bare = host.strip("[]")
    try:
        infos = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise InputError("host", f"is not an address of this machine ({error.strerror})", host) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise InputError("port", f"cannot be used ({error.strerror})", port) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """The ``Host`` names the server answers when bound to ``host``.

    Bound to loopback: the loopback names (127.0.0.1, localhost, [::1], the bound
    address) and ``extra``; a page on another site whose name points at this machine
    (DNS rebinding) is refused.  Bound elsewhere (``--host``): ``extra`` and the bound
    address when given, else any name.

    >>> allowed_hosts("127.0.0.1", [])
    ['127.0.0.1', 'localhost', '[::1]']
    >>> allowed_hosts("0.0.0.0", [])
    ['*']
    """
    bare = host.strip("[]")
    shown = f"[{bare}]" if ":" in bare else bare.lower()
    if is_loopback(host):
        names = ["127.0.0.1", "localhost", "[::1]", shown, *extra]
    elif extra:
        names = [shown, *extra]
    else:
        return ["*"]
    return list(dict.fromkeys(name.lower() for name in names))


@command(SERVE, json=False)
def serve(values: dict[str, Any], as_json: bool) -> None:
    """Run the web calculator: every calculator on one page, the JSON API, and its /docs."""
    import importlib

    # The web package by name (the CLI and the web never import each other; see WEB_APP).
    web = importlib.import_module(WEB_APP)
    server = importlib.import_module(WEB_SERVER)

    host, port, allowed_host = values["host"], values["port"], values["allowed_host"]
    sock = bind(host, port)
    actual_port = sock.getsockname()[1]
    url = url_for(host, actual_port)
    hosts = allowed_hosts(host, allowed_host or [])
    print(f"contractcalc web calculator: {url}  (API docs: {url}docs; Ctrl+C to stop)", flush=True)
    if not is_loopback(host):
        sys.stderr.write(
            f"warning: listening on {host}, not loopback: other machines can reach this calculator"
            + ("" if hosts != ["*"] else " (any Host name is answered: name yours with --allowed-host)")
            + "\n"
        )
    server.run(web.create_app(allowed_hosts=hosts), [sock])
