"""`interlock stress NARRATIVE --out DIR`: how likely is a narrative's claim, which agent class
makes it true, and under which parameters does it hold (issue #6)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..io import read_toml


def _list() -> None:
    from ..experiments.stress.narratives import list_narratives  # lazy: startup time
    for p in list_narratives():
        raw = read_toml(p, "narrative file")
        click.echo(f"{p.stem:<34} {raw.get('title', '')}  [{raw.get('scenario', '')}]")


@click.command("stress")
@click.argument("narrative", required=False)
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default runs/stress-<narrative>/): report.md, figures, run tables.")
@click.option("--samples", type=int, default=None, help="Parameter samples (default: the narrative's).")
@click.option("--seeds", type=int, default=None, help="Seeds per sample (default: the narrative's).")
@click.option("--days", type=int, default=None, help="Trading days per run (default: the narrative's).")
@click.option("--workers", type=int, default=None,
              help="Local worker processes (default: all cores; 1 = this process).")
@click.option("--dask", default=None, metavar="ADDR", help="Run on a Dask scheduler (tcp://host:port).")
@click.option("--resume", is_flag=True, help="Finish (or re-report) a stress test already in --out.")
@click.option("--list", "list_", is_flag=True, help="List the shipped narratives.")
@click.option("--functions", is_flag=True, help="Print the functions of the claim language.")
@click.option("--check", is_flag=True, help="Validate the narrative and print its plan; run nothing.")
@click.option("--quiet", is_flag=True, help="No progress bars or summary.")
def command(narrative, out, samples, seeds, days, workers, dask, resume, list_, functions, check, quiet):
    """Stress-test NARRATIVE (a shipped name or a .toml path): sample its uncertain parameters,
    run every sample with several seeds and again with each agent class switched off, and write
    DIR/report.md — the probability of each claim (95% Wilson interval), the loops that make it
    true, PRIM parameter boxes, a parameter ranking and fan charts."""
    from ..experiments.stress.claims import function_reference  # lazy: startup time
    from ..experiments.stress.engine import SIGNIFICANCE, plan_jobs, verdict  # lazy: startup time
    from ..experiments.stress.narratives import load_narrative  # lazy: startup time
    from ..reports.stress import stress  # lazy: startup time

    if list_:
        _list()
        return
    if functions:
        click.echo(function_reference())
        return
    if narrative is None:
        raise InputError("missing NARRATIVE", key="NARRATIVE",
                         allowed="a shipped narrative (interlock stress --list) or a path to a .toml file")
    narr = load_narrative(narrative, samples=samples, seeds=seeds, days=days)
    on, off = plan_jobs(narr)
    if check or not quiet:
        click.echo(f"narrative {narr.name}: scenario {narr.scenario.name}, {narr.days} days, "
                   f"{narr.spec.n} samples × {len(narr.spec.seeds)} seeds = {len(on)} runs, "
                   f"+ {len(off)} with one of {len(narr.switch_off)} classes off")
        for c in narr.claims:
            click.echo(f"  claim {c.name}: {c.claim.text}")
    if check:
        return
    out_dir = Path(out) if out else Path("runs") / f"stress-{narr.name}"
    res = stress(narr, out_dir, workers=workers, dask=dask, resume=resume, progress=not quiet)
    if quiet:
        return
    for cr in res.claims:
        drivers = [f"{c} off → {ch.off.p:.0%}" for c, ch in cr.drivers.items() if ch.p_value < SIGNIFICANCE]
        click.echo(f"{cr.name:<24} P = {cr.estimate}  {verdict(cr.estimate)}"
                   + (f"  (drivers: {', '.join(drivers)})" if drivers else ""))
    if res.unstable_runs:
        click.echo(f"{res.unstable_runs} runs went past the leverage-cycle instability (see the report)")
    click.echo(f"report: {out_dir / 'report.md'}")
