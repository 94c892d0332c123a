"""`interlock stress NARRATIVE --out DIR`: how likely is a narrative's claim, which agent class
makes it true, and under which parameters does it hold (issue #6)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..io import read_toml
from .run import max_days, safe_name


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
@click.option("--include-unstable", is_flag=True,
              help="Count unstable runs (a guard bound) in every statistic; by default they are left out and "
                   "counted apart.")
@click.option("--yes", is_flag=True, help="Run even if the estimated CPU time, output or memory is past the "
                                          "limits (docs/sweeps.md#limits).")
@click.option("--force", is_flag=True, help="Write into --out even if it is not an earlier stress test's folder "
                                            "(never your home folder, / or the working directory).")
@click.option("--quiet", is_flag=True, help="No progress bars or summary.")
def command(narrative, out, samples, seeds, days, workers, dask, resume, list_, functions, check,
            include_unstable, yes, force, quiet):
    """Stress-test NARRATIVE (a shipped name or a .toml path): sample its uncertain parameters,
    run every sample with several seeds and again with each agent class switched off, and write
    DIR/report.md — the probability of each claim (95% Wilson interval), the loops that make it
    true, PRIM parameter boxes, a parameter ranking and fan charts."""
    from ..experiments.stress.claims import function_reference  # lazy: startup time
    from ..experiments.outputs import check_output, output_folder  # lazy: startup time
    from ..experiments.scenarios import outside_warning  # lazy: startup time
    from ..experiments.stability import leave_out_note  # lazy: startup time
    from ..experiments.stress.engine import ALL_ON, SIGNIFICANCE, verdict  # lazy: startup time
    from ..experiments.sweeps.budget import check_budget, estimate  # lazy: startup time
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
    if days is not None and days > max_days():
        raise InputError(f"--days must be at most {max_days():,}, got {days}", key="--days")
    narr = load_narrative(narrative, samples=samples, seeds=seeds, days=days)
    n_on = narr.spec.n_points() * len(narr.spec.seeds)
    n_off = n_on * len(narr.switch_off)
    n_shock = n_on if narr.scenario.shocks else 0        # the "shocks off" driver row
    est = estimate(n_on + n_off + n_shock, narr.days, series_every=1, series_columns=len(narr.series), series_runs=n_on)
    out_dir = Path(out) if out else Path("runs") / f"stress-{safe_name(narr.name)}"
    if not check:
        check_output(out_dir, ("stress",), force=force)     # a refused folder: one line, nothing printed before
        check_budget(est, yes, narr.path or narr.name)      # so is a plan past the limits (--check prints it first)
    if check or not quiet:
        click.echo(f"narrative {narr.name}: scenario {narr.scenario.name}, {narr.days} days, "
                   f"{narr.spec.n} samples × {len(narr.spec.seeds)} seeds = {n_on} runs, "
                   f"+ {n_off} with one of {len(narr.switch_off)} classes off, + {n_shock} without the "
                   f"scenario's shocks (estimate: "
                   f"{est.cpu_hours:.2g} CPU hours, {est.disk_gb:.2g} GB)")
        for c in narr.claims:
            click.echo(f"  claim {c.name}: {c.claim.text}")
    # every point shares the seeds (common random numbers): one seed is one news path for every sample
    one_seed = (f"warning: one seed per sample — every sample runs seed {narr.spec.seeds[0]}'s news, so the "
                "probabilities measure the parameters' spread, not the market's randomness (use --seeds 2 or more)"
                if len(narr.spec.seeds) == 1 else None)
    if check:
        check_budget(est, yes, narr.path or narr.name)
        if one_seed:
            click.echo(one_seed)
        return
    with output_folder(out_dir, "stress", force=force, command=f"interlock stress {narr.name}"):
        if one_seed:                   # once the folder is accepted: a refused one stays a one-line error
            click.echo(one_seed, err=True)
        if outside_warning(narr.scenario, narr.days):
            click.echo(f"warning: {outside_warning(narr.scenario, narr.days)}", err=True)
        res = stress(narr, out_dir, workers=workers, dask=dask, resume=resume, progress=not quiet,
                     include_unstable=include_unstable)
    note = leave_out_note(res.unstable_runs, int((res.runs["off"] == ALL_ON).sum()), include_unstable)
    if note:
        click.echo(f"warning: {note} (see the report)", err=True)
    if quiet:
        return
    for cr in res.claims:
        drivers = [f"{c} off → {ch.off.p:.0%}" for c, ch in cr.drivers.items() if ch.p_value < SIGNIFICANCE]
        click.echo(f"{cr.name:<24} P = {cr.estimate}  {verdict(cr.estimate)}"
                   + (f"  (drivers: {', '.join(drivers)})" if drivers else ""))
    click.echo(f"report: {out_dir / 'report.md'}")
