"""`interlock sensitivity DIR --metric NAME`: Sobol' or Morris sensitivity of a finished sweep."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import InputError


def file_stem(metric: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", metric)


@click.command("sensitivity")
@click.argument("sweep_dir", type=click.Path(file_okay=False))
@click.option("--metric", required=True, help="A column of summary.parquet, e.g. SPX.max_drawdown.")
@click.option("--conf", "conf_level", type=float, default=0.95, show_default=True,
              help="Confidence level of the intervals (bootstrap).")
@click.option("--resamples", type=int, default=1000, show_default=True, help="Bootstrap resamples (10..100,000).")
@click.option("--include-unstable", is_flag=True,
              help="Use unstable runs too (a guard bound); by default they are counted and left out.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for the table and chart (default SWEEP_DIR/sensitivity/).")
@click.option("--force", is_flag=True, help="Write into --out even if interlock did not make it "
                                            "(never your home folder, / or the working directory).")
def command(sweep_dir, metric, conf_level, resamples, include_unstable, out, force):
    """Sobol' S1/ST (a sobol design) or Morris μ*/σ (a morris design) of METRIC, aggregated as the
    mean over seeds per design point; writes a table (CSV) and a bar chart (PNG)."""
    from ..experiments.outputs import check_output, output_folder  # lazy: startup time
    from ..experiments.sweeps.sensitivity import analyze, format_table  # lazy: startup time
    from ..viz.sweep_figures import sensitivity_chart  # lazy: startup time

    if not 10 <= resamples <= 100_000:
        raise InputError(f"--resamples must be 10..100,000, got {resamples}", key="--resamples")
    dest = Path(out) if out else Path(sweep_dir) / "sensitivity"
    check_output(dest, ("figures",), force=force)          # before the analysis
    s = analyze(sweep_dir, metric, conf_level=conf_level, num_resamples=resamples,
                include_unstable=include_unstable)
    stem = file_stem(metric)
    with output_folder(dest, "figures", force=force, command="interlock sensitivity"):
        s.table.to_csv(dest / f"{stem}.csv", index=False)
        if s.second_order is not None:
            s.second_order.to_csv(dest / f"{stem}-S2.csv")
        sensitivity_chart(s, dest / f"{stem}.png")
    click.echo(format_table(s))
    click.echo(f"outputs: {dest}/{stem}.csv, {dest}/{stem}.png")
