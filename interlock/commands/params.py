"""`interlock params`: every parameter with its value, unit, range and source."""

from __future__ import annotations

import difflib

import click

from ..config import Params, param_specs
from ..errors import InputError


@click.command("params")
@click.argument("prefix", required=False, default="")
@click.option("--uncertain", is_flag=True, help="Only parameters the sources do not pin down.")
def command(prefix, uncertain):
    """List parameters (optionally those under PREFIX, e.g. `vol_target`)."""
    specs = param_specs()
    if prefix and not any(path.startswith(prefix) for path in specs):
        sections = sorted({path.split(".")[0] for path in specs})
        close = difflib.get_close_matches(prefix, sections + list(specs), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"no parameter starts with {prefix!r}{hint}", key="PREFIX",
                         allowed="a section (" + ", ".join(sections) + ") or a key path")
    from ..inputs import snapshots            # lazy: reads the default start date's snapshot
    p = Params.defaults()
    snap = snapshots.for_params(p)
    from_snapshot = snap.overrides(list(snap.listed))
    for path, s in sorted(specs.items()):
        if prefix and not path.startswith(prefix):
            continue
        if uncertain and not s.uncertain:
            continue
        rng = f" range {list(s.range)}" if s.range else ""
        flag = " [uncertain]" if s.uncertain else ""
        click.echo(f"{path} = {s.default!r} {s.unit}{rng}{flag}\n    {s.source} ({s.date})")
        if path in from_snapshot and from_snapshot[path] != s.default:
            click.echo(f"    a run uses the start date's snapshot value instead: {from_snapshot[path]!r} on "
                       f"{snap.date:%Y-%m-%d} (the default start; another start date takes its own snapshot's)")
        if path == "run.days":
            click.echo("    set a run's length with --days or a scenario's [run] days (--set run.days is refused)")
