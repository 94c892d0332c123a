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


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the app with Solara's server until interrupted."""
    _check_free(host, port)
    # Solara reads these when its server modules are imported: set them first. No telemetry.
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import uvicorn

    click.echo(f"interlock app: http://{host}:{port}/  (Ctrl-C to stop)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"note: listening on {host}, reachable from other machines", err=True)
    uvicorn.Server(uvicorn.Config("solara.server.starlette:app", host=host, port=port, log_level="warning")).run()


@click.command("app")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (localhost only by default).")
@click.option("--port", type=int, default=8765, show_default=True, help="Port to listen on.")
def command(host, port):
    """The interactive app: pick a scenario, set sliders, step / play / reset, live charts and the
    interlock network (Mesa SolaraViz in the browser)."""
    serve(host, port)
