"""`interlock params`: every parameter with its value, unit, range and source."""

from __future__ import annotations

import click

from ..config import param_specs


@click.command("params")
@click.argument("prefix", required=False, default="")
@click.option("--uncertain", is_flag=True, help="Only parameters the sources do not pin down.")
def command(prefix, uncertain):
    """List parameters (optionally those under PREFIX, e.g. `vol_target`)."""
    for path, s in sorted(param_specs().items()):
        if prefix and not path.startswith(prefix):
            continue
        if uncertain and not s.uncertain:
            continue
        rng = f" range {list(s.range)}" if s.range else ""
        flag = " [uncertain]" if s.uncertain else ""
        click.echo(f"{path} = {s.default!r} {s.unit}{rng}{flag}\n    {s.source} ({s.date})")
