"""``contractcalc serve``: the web calculator (page, JSON API and ``/docs``) on a local port."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from contractcalc.errors import InputError
from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.schema import SERVE

if TYPE_CHECKING:
    import socket

#: The web app, by its import string: uvicorn imports it, so the CLI never imports the web package.
WEB_APP_FACTORY = "contractcalc.interfaces.web:create_app"

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


@command(SERVE, json=False)
def serve(values: dict[str, Any], as_json: bool) -> None:
    import uvicorn

    host, port = values["host"], values["port"]
    sock = bind(host, port)
    actual_port = sock.getsockname()[1]
    url = url_for(host, actual_port)
    print(f"contractcalc web calculator: {url}  (API docs: {url}docs; Ctrl+C to stop)", flush=True)
    if not is_loopback(host):
        sys.stderr.write(
            f"warning: listening on {host}, not loopback: other machines can reach this calculator\n"
        )
    config = uvicorn.Config(WEB_APP_FACTORY, factory=True, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
