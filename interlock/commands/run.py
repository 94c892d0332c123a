"""`interlock run SCENARIO`: run one scenario and write its outputs."""

from __future__ import annotations

import gc
import hashlib
import re
from pathlib import Path

import click

from ..config import load_override_file, param_specs, parse_set_options
from ..errors import InputError
from ..io import dumps_json
from ._startup import lean_imports


def print_summary(result, out: Path | None, card: list[str] | tuple[str, ...] = ()) -> None:
    """The run's table: the usual assets, then every asset the scenario's card names (`card`, from
    `experiments.cards.card_assets`); the attribution for the same assets, drawdowns in
    percentage points and peak VOL_1M in vol points."""
    from ..reports.run import summary_assets  # lazy: startup time
    m = result.summary["metrics"]
    click.echo(f"scenario {result.scenario} · seed {result.seed} · {result.days} days")
    amp = m.get("amplification")             # only with --attribution (a rerun with every class off)
    click.echo(f"{'asset':<7} {'return':>8} {'max DD':>8} {'peak→trough':>12} {'recovery':>9}"
               + (f" {'ampl.':>6}" if amp is not None else ""))
    for a in summary_assets(result.summary, card):
        s = m["assets"][a]
        rec = "-" if s["recovery_days"] is None else f"{s['recovery_days']}d"
        line = f"{a:<7} {s['total_return']:>+8.1%} {s['max_drawdown']:>8.1%} {s['days_to_trough']:>11}d {rec:>9}"
        if amp is not None:
            ar = amp.get(a)
            line += f" {('-' if ar is None else f'{ar:.2f}'):>6}"
        click.echo(line)
    click.echo(f"peak VOL_1M {m['peak_VOL_1M'] * 100:.1f} vol points (day {m['peak_VOL_1M_day']}), "
               f"policy rate at end {m['final_policy_rate']:.2%}, forced flows {m['forced_flow_bn']:.0f}bn")
    for k, v in sorted(m.get("net_flow_by_class_bn", {}).items()):
        click.echo(f"  net flow {k:<14} {v:>+10.1f}bn")
    if "attribution" in result.summary:
        att = result.summary["attribution"]
        cols = [a for a in dict.fromkeys(["SPX", *card]) if all(a in c["drawdown_contribution"] for c in att.values())]
        click.echo("attribution: max drawdown with the class on minus off (percentage points), "
                   "peak VOL_1M on minus off (vol points)")
        click.echo(f"  {'class':<14} " + " ".join(f"{'ΔDD ' + a:>10}" for a in cols) + f" {'Δpeak VOL':>10}")
        for cls, c in att.items():
            dd = " ".join(f"{c['drawdown_contribution'][a] * 100:>+10.2f}" for a in cols)
            click.echo(f"  {cls:<14} {dd} {c['peak_VOL_1M_contribution'] * 100:>+10.2f}")
    if out is not None:
        click.echo(f"outputs: {out}/ ({', '.join(written_files(out))})")


RUN_FILES = ("timeseries.parquet", "flows.parquet", "events.parquet", "summary.json", "dashboard.png", "report.html")


def written_files(out: Path) -> list[str]:
    """The files the run folder holds (what was written: no figures with --no-figures), in the
    usual order."""
    have = sorted(p.name for p in Path(out).iterdir()) if Path(out).is_dir() else []
    return [n for n in RUN_FILES if n in have] + [n for n in have if n not in RUN_FILES]


def max_days() -> int:
    """The most days a run may simulate: the same cap as a scenario file's `[run] days`."""
    from ..experiments.scenarios import RunDefaults  # lazy: startup time
    caps = [m.le for m in RunDefaults.model_fields["days"].metadata if getattr(m, "le", None) is not None]
    if not caps:
        raise RuntimeError("scenario files' [run] days has no upper bound (experiments.scenarios.RunDefaults)")
    return min(caps)


def safe_name(name: str) -> str:
    """A scenario or spec name as one folder name inside runs/ (never a path: `../../x` → `x`)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._-") or "run"


def default_out(name: str, seed: int, overrides: dict) -> Path:
    """runs/<scenario>-<seed>/, or runs/<scenario>-<seed>-<digest>/ when parameters were changed
    (--set, --config, --as-of), so a variant never replaces the plain run."""
    folder = f"{safe_name(name)}-{seed}"
    if overrides:
        digest = hashlib.sha256(dumps_json(dict(sorted(overrides.items())), indent=None).encode()).hexdigest()[:8]
        folder += f"-{digest}"
    return Path("runs") / folder


def outside_plausible(overrides: dict) -> list[str]:
    """A note per overridden number outside its parameter's plausible range (`range` in the params
    files): allowed — a what-if — but past what the sources support, so the user is told."""
    specs, out = param_specs(), []
    for key, value in overrides.items():
        spec = specs.get(key)
        if spec is None or not spec.range or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        lo, hi = spec.range
        if not lo <= value <= hi:
            out.append(f"note: {key}={value:g} is outside its plausible range {lo:g}–{hi:g} (`interlock params {key}`): "
                       "a what-if beyond what the sources support")
    return out


@click.command("run")
@click.argument("scenario")
@click.option("--days", type=int, default=None, help="Trading days to simulate (default: the scenario's; at most 20,000).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the scenario's).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Start on this date, from what was known then (sets run.start_date; same as "
                   "--set run.start_date=YYYY-MM-DD).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default runs/<scenario>-<seed>/, with a suffix when --set, --config "
                   "or --as-of change parameters). Replaces only an earlier run's folder.")
@click.option("--force", is_flag=True, help="Replace --out even if it is not an earlier run's folder "
                                            "(never your home folder, / or the working directory).")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE",
              help="Override a parameter (repeatable); `interlock params` lists them.")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="A TOML file of overrides (e.g. written by `interlock calibrate`).")
@click.option("--attribution", is_flag=True,
              help="Rerun with each agent class off, and with every trading class off (the amplification "
                   "ratio), under the same random numbers.")
@click.option("--no-figures", is_flag=True, help="Skip dashboard.png and report.html.")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
def command(scenario, days, seed, as_of, out, force, sets, config, attribution, no_figures, quiet):
    """Run SCENARIO (a shipped name or a path to a .toml file) and write its outputs."""
    # The imports (the model, pandas, scipy, Mesa, matplotlib) make ~10⁶ objects that live as long
    # as the process: no collection while they are made, nor work at import that a command never
    # reads (`_startup.lean_imports`, issue #15). What is alive afterwards is frozen (out of the
    # collector's reach) before the collector is back on, until the command ends: else its next
    # collections walk them all, twice (≈ 0.1 s each), and every later full one again; given back
    # then (a process that runs many commands, e.g. the tests).
    with lean_imports():
        from ..experiments.cards import card_assets  # lazy: startup time
        from ..experiments.outputs import run_output  # lazy: startup time
        from ..experiments.runner import run  # lazy: startup time
        from ..experiments.scenarios import load_scenario  # lazy: startup time
        from ..experiments.stability import warning_line  # lazy: startup time
        from ..reports.run import write_run  # lazy: startup time
        gc.freeze()
    try:
        cap = max_days()
        if days is not None and not 1 <= days <= cap:
            raise InputError(f"--days must be 1..{cap:,}, got {days}", key="--days", allowed=f"an integer 1..{cap}")
        if seed is not None and seed < 0:
            raise InputError(f"--seed must be ≥ 0, got {seed}", key="--seed")
        sc = load_scenario(scenario)
        overrides = load_override_file(config) if config else {}
        if overrides:
            sc.params(overrides, origin=str(config))
        sets = parse_set_options(sets)
        if as_of is not None:
            if "run.start_date" in sets:
                raise InputError("give --as-of or --set run.start_date, not both", key="--as-of")
            sc.params({"run.start_date": as_of}, origin="--as-of")
            sets["run.start_date"] = as_of
        overrides.update(sets)
        sc.params(overrides)                      # validate before running anything
        for line in outside_plausible(overrides):
            click.echo(line, err=True)
        run_seed = sc.run.seed if seed is None else seed
        out_dir = Path(out) if out else default_out(sc.name, run_seed, overrides)
        with run_output(out_dir, force=force, command=f"interlock run {scenario}"):   # refuses before running
            # the counterfactual reruns (each class off; every trading class off, for the amplification
            # ratio) only on request: the all-off rerun was a third of a plain run's simulation (issue #15)
            result = run(sc, days=days, seed=seed, overrides=overrides, attribution=attribution,
                         amplification=attribution, progress=not quiet)
            card = card_assets(sc, result.summary["asset_names"])
            # the run's numbers are made: while its files and figures are written, what is alive now
            # (the model, the result) is frozen too, so the dashboard's many short-lived artists do
            # not make each full collection walk it (≈ 10–20% of the draw, issue #15)
            gc.freeze()
            write_run(result, out_dir, figures=not no_figures, force=force, card=card)
        for line in [*(f"warning: {w}" for w in result.summary["warnings"]), warning_line(result.summary)]:
            if line:
                click.echo(line, err=True)
        if not quiet:
            print_summary(result, out_dir, card)
    finally:
        gc.unfreeze()
