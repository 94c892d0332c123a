"""`interlock run SCENARIO`: run one scenario and write its outputs."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import load_override_file, parse_set_options
from ..errors import InputError


def print_summary(result, out: Path | None) -> None:
    m = result.summary["metrics"]
    click.echo(f"scenario {result.scenario} · seed {result.seed} · {result.days} days")
    click.echo(f"{'asset':<7} {'return':>8} {'max DD':>8} {'peak→trough':>12} {'recovery':>9} {'ampl.':>6}")
    amp = m.get("amplification", {})
    for a in ["SPX", "NVDA", "MSFT", "ORCL", "AVGO", "CRWV", "BTC", "UST10"]:
        s = m["assets"].get(a)
        if s is None:
            continue
        rec = "-" if s["recovery_days"] is None else f"{s['recovery_days']}d"
        ar = amp.get(a)
        click.echo(f"{a:<7} {s['total_return']:>+8.1%} {s['max_drawdown']:>8.1%} "
                   f"{s['days_to_trough']:>11}d {rec:>9} {('-' if ar is None else f'{ar:.2f}'):>6}")
    click.echo(f"peak VOL_1M {m['peak_VOL_1M']:.1%} (day {m['peak_VOL_1M_day']}), "
               f"policy rate at end {m['final_policy_rate']:.2%}, forced flows {m['forced_flow_bn']:.0f}bn")
    for k, v in sorted(m.get("net_flow_by_class_bn", {}).items()):
        click.echo(f"  net flow {k:<14} {v:>+10.1f}bn")
    if "attribution" in result.summary:
        click.echo("attribution (SPX drawdown and peak VOL_1M with the class on minus off):")
        for cls, c in result.summary["attribution"].items():
            click.echo(f"  {cls:<14} ΔDD {c['drawdown_contribution']['SPX']:>+7.2%}  "
                       f"Δpeak VOL {c['peak_VOL_1M_contribution']:>+7.2%}")
    if out is not None:
        click.echo(f"outputs: {out}/ (timeseries.parquet, flows.parquet, events.parquet, summary.json, dashboard.png)")


@click.command("run")
@click.argument("scenario")
@click.option("--days", type=int, default=None, help="Trading days to simulate (default: the scenario's).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the scenario's).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default runs/<scenario>-<seed>/).")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE",
              help="Override a parameter (repeatable); `interlock params` lists them.")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="A TOML file of overrides (e.g. written by `interlock calibrate`).")
@click.option("--attribution", is_flag=True, help="Rerun with each agent class off (same random numbers).")
@click.option("--no-figures", is_flag=True, help="Skip dashboard.png.")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
def command(scenario, days, seed, out, sets, config, attribution, no_figures, quiet):
    """Run SCENARIO (a shipped name or a path to a .toml file) and write its outputs."""
    from ..experiments.runner import run  # lazy: startup time
    from ..experiments.scenarios import load_scenario  # lazy: startup time
    from ..reports.run import write_run  # lazy: startup time

    if days is not None and days < 1:
        raise InputError(f"--days must be at least 1, got {days}", key="--days", allowed="an integer ≥ 1")
    if seed is not None and seed < 0:
        raise InputError(f"--seed must be ≥ 0, got {seed}", key="--seed")
    sc = load_scenario(scenario)
    overrides = load_override_file(config) if config else {}
    overrides.update(parse_set_options(sets))
    sc.params(overrides)                      # validate before running anything
    result = run(sc, days=days, seed=seed, overrides=overrides, attribution=attribution,
                 progress=not quiet)
    out_dir = Path(out) if out else Path("runs") / f"{sc.name}-{result.seed}"
    write_run(result, out_dir, figures=not no_figures)
    if not quiet:
        print_summary(result, out_dir)
