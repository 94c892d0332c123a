"""`interlock app`: the interactive app (Mesa SolaraViz) in the browser, on localhost by default."""

from __future__ import annotations

import os
import socket

import click

from ..errors import InputError

APP_MODULE = "interlock.viz.app"


def _check_free(host: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise InputError(f"--port must be 1..65535, got {port}", key="--port")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise InputError(f"cannot resolve host {host!r}: {e}", key="--host") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            raise InputError(f"cannot listen on {host}:{port} ({e.strerror})", key="--port",
                             allowed="a free port") from None


def allowed_origins(host: str, port: int) -> set[str]:
    """The page's own origins: a websocket from any other site is refused (issue #17)."""
    names = {host} | ({"127.0.0.1", "localhost", "[::1]"} if host in ("127.0.0.1", "localhost", "::1") else set())
    return {f"{scheme}://{n}:{port}" for n in names for scheme in ("http", "https")}


def origin_guard(app, allowed: set[str]):
    """ASGI middleware: refuse a websocket handshake whose Origin header is not one of `allowed`
    (a page on another site must not drive this server through the visitor's browser). Clients
    that send no Origin (not browsers) are let through."""
    async def guarded(scope, receive, send):
        if scope["type"] == "websocket":
            origin = dict(scope.get("headers") or []).get(b"origin")
            if origin is not None and origin.decode("latin-1") not in allowed:
                await receive()                               # the websocket.connect message
                await send({"type": "websocket.close", "code": 1008})   # → HTTP 403 before accept
                return
        await app(scope, receive, send)
    return guarded


def serve(host: str = "127.0.0.1", port: int = 8765, scenarios: str | None = None) -> None:
    """Serve the app with Solara's server until interrupted."""
    import warnings

    _check_free(host, port)
    if scenarios is not None:
        folder = os.path.abspath(scenarios)
        if not os.path.isdir(folder):
            raise InputError("no such folder", file=scenarios, key="--scenarios", allowed="a folder of scenario files")
        os.environ["INTERLOCK_APP_SCENARIOS"] = folder
    # Solara reads these when its server modules are imported: set them first. No telemetry.
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import uvicorn

    # Solara warns on every page load over plain http at an address other than "localhost" that it
    # falls back to samesite=lax cookies: that is what we want on 127.0.0.1; say nothing
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.server.starlette import app as solara_app

    click.echo(f"interlock app: http://{host}:{port}/  (Ctrl-C to stop)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"note: listening on {host}, reachable from other machines", err=True)
    app = origin_guard(solara_app, allowed_origins(host, port))
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).run()


@click.command("app")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (localhost only by default).")
@click.option("--port", type=int, default=8765, show_default=True, help="Port to listen on.")
@click.option("--scenarios", type=click.Path(file_okay=False), default=None,
              help="A folder of scenario files the app offers instead of the shipped ones.")
def command(host, port, scenarios):
    """The interactive app: pick a scenario, set sliders, step / play / reset, live charts and the
    interlock network (Mesa SolaraViz in the browser)."""
    serve(host, port, scenarios)
