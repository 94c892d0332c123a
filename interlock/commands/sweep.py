"""`interlock sweep SPEC.toml`: run a parameter sweep (local pool, one process, or a Dask cluster)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .run import safe_name


@click.command("sweep")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default runs/sweep-<spec name>/).")
@click.option("--workers", type=int, default=None,
              help="Local worker processes (default: all cores; 1 runs everything in this process).")
@click.option("--dask", "dask", default=None, metavar="tcp://HOST:PORT",
              help="Run on an existing Dask cluster (its scheduler's address) instead of locally.")
@click.option("--resume", is_flag=True, help="Finish an interrupted sweep in --out: only its missing runs.")
@click.option("--runs-per-task", type=int, default=None,
              help="Runs per task (default: adaptive, about a second of work per task).")
@click.option("--flush-seconds", type=float, default=5.0, show_default=True,
              help="How often finished runs are written to disk.")
@click.option("--timeout", type=float, default=600.0, show_default=True,
              help="Abort if no task finishes for this many seconds (finished runs are kept).")
@click.option("--yes", is_flag=True, help="Run even if the estimated CPU time, output or memory is past "
                                          "the limits (docs/sweeps.md#limits).")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
def command(spec, out, workers, dask, resume, runs_per_task, flush_seconds, timeout, yes, quiet):
    """Run the sweep described by SPEC (a TOML file; see docs/sweeps.md): every design point × seed,
    results streamed to --out as they finish. Interrupted? Rerun the same command with --resume."""
    from ..experiments.sweeps.engine import (SweepAborted, check_folder, check_options,  # lazy: startup time
                                             default_workers, read_manifest, run_sweep)
    from ..experiments.sweeps.budget import check_budget, estimate  # lazy: startup time
    from ..experiments.scenarios import outside_warning  # lazy: startup time
    from ..experiments.sweeps.spec import load_spec  # lazy: startup time

    sp = load_spec(spec)                                # refuses a bad spec before anything runs
    out_dir = Path(out) if out else Path("runs") / f"sweep-{safe_name(sp.name)}"
    n = sp.n_points() * len(sp.seeds)
    est = estimate(n, sp.days, amplification=sp.amplification, series_every=sp.timeseries_every,
                   series_columns=len(sp.timeseries_columns) if sp.timeseries_columns else None)
    check_budget(est, yes, spec)                         # bounded work: before anything runs
    check_options(workers=workers, dask=dask, runs_per_task=runs_per_task, flush_seconds=flush_seconds,
                  timeout=timeout)
    check_folder(out_dir)
    outside = outside_warning(sp.scenario, sp.days) if sp.scenario is not None else None
    if outside:
        click.echo(f"warning: {outside} (see manifest.json)", err=True)
    if not quiet:
        where = f"Dask cluster {dask}" if dask else (
            "this process" if workers == 1 else f"{workers or default_workers()} local workers")
        click.echo(f"sweep {sp.name}: {sp.design} design, {sp.n_points()} points × {len(sp.seeds)} seeds "
                   f"= {n} runs of {sp.days} days on {where} → {out_dir}/ (estimate: {est.cpu_hours:.2g} CPU "
                   f"hours, {est.disk_gb:.2g} GB)", err=True)
    try:
        report = run_sweep(sp, out_dir, workers=workers, dask=dask, resume=resume, progress=not quiet,
                           runs_per_task=runs_per_task, flush_seconds=flush_seconds, timeout=timeout)
    except KeyboardInterrupt:
        c = read_manifest(out_dir)["counts"]
        click.echo(f"interrupted: {c['done']} of {c['runs']} runs saved in {out_dir}/; "
                   "rerun with --resume to finish", err=True)
        sys.exit(130)
    except SweepAborted as e:
        click.echo(f"error: {e}; finished runs are saved in {out_dir}/, rerun with --resume", err=True)
        sys.exit(1)
    if not quiet:
        rate = f", {report.runs_per_s:.1f} runs/s" if report.ran_now else " (already complete)"
        click.echo(f"done: {report.runs} runs, {report.ok} ok, {report.failed} failed "
                   f"({report.ran_now} now in {report.elapsed_s:.1f}s{rate})")
        click.echo(f"outputs: {out_dir}/ (params.parquet, summary.parquet, manifest.json, spec.toml"
                   + (", timeseries/" if sp.timeseries_every else "") + ")")
        if report.failed:
            click.echo(f"{report.failed} runs failed: see the status and error columns of summary.parquet")
        if report.quarantined:
            click.echo(f"{len(report.quarantined)} damaged parts were moved to {out_dir}/quarantine/ and "
                       "their runs redone")
    if report.unstable:
        click.echo(f"warning: {report.unstable} of {report.ok} runs were unstable (a guard bound): column "
                   "stability.stable of summary.parquet; sensitivity, sweep-plot and stress leave them out "
                   "unless --include-unstable", err=True)
