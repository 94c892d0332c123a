"""`interlock compare SCENARIO [--vs baseline|OTHER]`: a scenario against its baseline over seeds,
paired under common random numbers (issue #15)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import click

from ..config import load_override_file, parse_set_options
from ..errors import InputError
from ..io import dumps_json
from .run import max_days, safe_name


def default_out(scenario: str, vs: str, overrides: dict) -> Path:
    """runs/compare-<scenario>-vs-<base>/, with a digest of the overrides when --set or --config
    changed parameters (a variant never replaces the plain comparison)."""
    folder = f"compare-{safe_name(scenario)}-vs-{safe_name(vs)}"
    if overrides:
        folder += "-" + hashlib.sha256(dumps_json(dict(sorted(overrides.items())), indent=None)
                                       .encode()).hexdigest()[:8]
    return Path("runs") / folder


@click.command("compare")
@click.argument("scenario")
@click.option("--vs", "vs", default="baseline", show_default=True,
              help="The scenario to compare with (a shipped name or a .toml path).")
@click.option("--seeds", "seeds", default="1..20", show_default=True, metavar="A..B|S,S,…",
              help="Seeds; each runs on both sides with the same random numbers.")
@click.option("--days", type=int, default=None, help="Trading days per run (default: SCENARIO's).")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE",
              help="Override a parameter on both sides (repeatable); `interlock params` lists them.")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="A TOML file of overrides applied on both sides.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default runs/compare-SCENARIO-vs-BASE/, with a suffix when --set or "
                   "--config change parameters). Replaces only an earlier comparison.")
@click.option("--force", is_flag=True, help="Write into --out even if it is not an earlier comparison's "
                                            "folder (never your home folder, / or the working directory).")
@click.option("--attribution/--no-attribution", default=True, show_default=True,
              help="Also run every pair with each agent class off (per-class attribution; "
                   "(2 + 2 × classes) runs per seed instead of 2).")
@click.option("--workers", type=int, default=None,
              help="Local worker processes (default: all cores; 1 = this process).")
@click.option("--dask", default=None, metavar="ADDR", help="Run on a Dask scheduler (tcp://host:port).")
@click.option("--resume", is_flag=True, help="Finish a comparison already in --out.")
@click.option("--include-unstable", is_flag=True,
              help="Count runs whose guard bound (unstable) in every statistic; by default they are left out "
                   "with their pair and counted apart.")
@click.option("--yes", is_flag=True, help="Run even if the estimated CPU time, output or memory is past the "
                                          "limits (docs/sweeps.md#limits).")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
def command(scenario, vs, seeds, days, sets, config, out, force, attribution, workers, dask, resume,
            include_unstable, yes, quiet):
    """Compare SCENARIO with --vs (default baseline) over seeds under common random numbers, and
    write DIR/report.html (interactive, offline): difference fan charts of its key series, an
    effect table per asset with intervals and the per-class attribution of every asset it touches."""
    from ..experiments.compare import RUNS_DIR, is_compare_folder, parse_seeds, plan  # lazy: startup time
    from ..experiments.outputs import check_output, output_folder  # lazy: startup time
    from ..experiments.sweeps.budget import check_budget, estimate  # lazy: startup time
    from ..reports.compare import compare  # lazy: startup time

    cap = max_days()
    if days is not None and not 1 <= days <= cap:
        raise InputError(f"--days must be 1..{cap:,}, got {days}", key="--days", allowed=f"an integer 1..{cap}")
    seed_list = parse_seeds(seeds)
    overrides = load_override_file(config) if config else {}
    overrides.update(parse_set_options(sets))
    p = plan(scenario, vs, seeds=seed_list, days=days, overrides=overrides, attribution=attribution)
    out_dir = Path(out) if out else default_out(p.scenario.name, p.base.name, overrides)
    ours = is_compare_folder(out_dir)
    check_output(out_dir, ("compare",), force=force or ours)   # a refused folder: one line, nothing printed before
    n = len(p.groups) * len(p.seeds)
    est = estimate(n, p.days, series_every=1, series_columns=len(p.series))
    check_budget(est, yes, f"interlock compare {p.scenario.name}")   # a refused plan: one line, nothing before
    if not quiet:
        click.echo(f"{p.scenario.name} vs {p.base.name}: {len(p.seeds)} seeds × {p.days} days, {n} runs"
                   + (f" ({len(p.classes)} classes switched off in turn)" if p.classes else "")
                   + f" (estimate: {est.cpu_hours:.2g} CPU hours)")
    with output_folder(out_dir, "compare", force=force or ours,
                       command=f"interlock compare {scenario}") as folder:
        if ours and not resume:
            shutil.rmtree(folder / RUNS_DIR, ignore_errors=True)        # an earlier comparison's runs
        for w in p.warnings:           # once the folder is accepted: a refused one stays a one-line error
            click.echo(f"warning: {w} (see compare.json)", err=True)
        res = compare(p, folder, workers=workers, dask=dask, resume=resume, progress=not quiet,
                      include_unstable=include_unstable)
    if res.failed_runs or res.unstable_runs:
        left = "counted (--include-unstable)" if include_unstable else "left out with their pairs"
        click.echo(f"warning: {res.failed_runs} runs failed (left out), {res.unstable_runs} had a guard bind "
                   f"({left}; see compare.json)", err=True)
    if quiet:
        return
    print_summary(res)
    click.echo(f"report: {out_dir / 'report.html'}")


def print_summary(res) -> None:
    """The effects on the key assets, and the classes that carry the most of SPX's."""
    p = res.plan
    e = res.effects
    keys = [a for a in dict.fromkeys([*p.touched, *p.series]) if a in set(e["asset"])]
    click.echo(f"{'asset':<7} {'measure':<13} {'mean':>8} {'95% CI':>19} {'5–95% of seeds':>20}  unit")
    for a in keys:
        for _, r in e[e["asset"] == a].iterrows():
            ci = "-" if r["lo"] != r["lo"] else f"[{r['lo']:+.2f}, {r['hi']:+.2f}]"
            click.echo(f"{a:<7} {r['measure']:<13} {r['mean']:>+8.2f} {ci:>19} "
                       f"{r['q05']:>+9.2f} … {r['q95']:>+7.2f}  {r['unit']}")
    at = res.attribution
    if len(at):
        spx = at[(at["asset"] == "SPX") & (at["measure"] == "max drawdown")].copy()
        spx = spx.reindex(spx["mean"].abs().sort_values(ascending=False).index).head(5)
        click.echo("classes carrying SPX's drawdown effect (pp; Δ with all on − Δ with the class off):")
        for _, r in spx.iterrows():
            ci = "" if r["lo"] != r["lo"] else f" [{r['lo']:+.2f}, {r['hi']:+.2f}]"
            click.echo(f"  {r['class']:<16} {r['mean']:>+7.2f}{ci}")
