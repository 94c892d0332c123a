"""`interlock sweep-plot DIR`: response curves and heatmaps of a sweep's metrics."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .sensitivity import file_stem

DEFAULT_METRICS = ("SPX.max_drawdown", "peak_VOL_1M")
MAX_BINS = 50                     # a heatmap has bins × bins cells (docs/sweeps.md#limits)


@click.command("sweep-plot")
@click.argument("sweep_dir", type=click.Path(file_okay=False))
@click.option("--metric", "metrics", multiple=True,
              help="Metric to draw (repeatable; default SPX.max_drawdown and peak_VOL_1M).")
@click.option("--x", "x", default=None, help="Parameter for the x axis (default: every varied one).")
@click.option("--y", "y", default=None, help="Second parameter: also draw a heatmap over (x, y).")
@click.option("--bins", type=int, default=8, show_default=True,
              help=f"Quantile bins for parameters with many distinct values (2..{MAX_BINS}).")
@click.option("--include-unstable", is_flag=True,
              help="Draw unstable runs too (a guard bound); by default they are counted and left out.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for the PNGs (default SWEEP_DIR/plots/).")
@click.option("--force", is_flag=True, help="Write into --out even if interlock did not make it "
                                            "(never your home folder, / or the working directory).")
def command(sweep_dir, metrics, x, y, bins, include_unstable, out, force):
    """Draw response curves (mean and 10–90% band over seeds) of each metric against the varied
    parameters, and a heatmap over two of them (--x, --y; by default the first two varied)."""
    from tqdm import tqdm

    from ..experiments.outputs import check_output, output_folder  # lazy: startup time
    from ..experiments.stability import leave_out_note, unstable_mask  # lazy: startup time
    from ..experiments.sweeps.engine import metric_columns, read_runs, varied_parameters  # lazy: startup time
    from ..experiments.sweeps.sensitivity import check_metric  # lazy: startup time
    from ..viz.sweep_figures import heatmap, response_curves  # lazy: startup time

    if not 2 <= bins <= MAX_BINS:
        raise InputError(f"--bins must be 2..{MAX_BINS}, got {bins}", key="--bins", allowed=f"2..{MAX_BINS}")
    dest = Path(out) if out else Path(sweep_dir) / "plots"
    check_output(dest, ("figures",), force=force)          # before reading and drawing
    runs = read_runs(sweep_dir)
    if runs.empty:
        raise InputError("no successful runs to draw", file=str(sweep_dir))
    shaky = unstable_mask(runs)
    note = leave_out_note(int(shaky.sum()), len(runs), include_unstable)
    if not include_unstable and shaky.any():
        runs = runs[~shaky].reset_index(drop=True)
        if runs.empty:
            raise InputError("every successful run was unstable (a guard bound)", file=str(sweep_dir),
                             allowed="--include-unstable to draw them")
    varied = varied_parameters(sweep_dir)
    for key, opt in ((x, "--x"), (y, "--y")):
        if key is not None and key not in varied:
            raise InputError(f"{key!r} is not a varied parameter of this sweep", file=str(sweep_dir), key=opt,
                             allowed=", ".join(varied))
    if y is not None and x is None:
        raise InputError("--y needs --x", key="--y")
    if y is not None and y == x:
        raise InputError("--x and --y must differ", key="--y")
    if not metrics:
        metrics = [m for m in DEFAULT_METRICS if m in runs.columns] or metric_columns(runs)[:1]
    for m in metrics:
        check_metric(runs, m, str(sweep_dir))
    xs = [x] if x else varied
    pair = (x, y) if y else (tuple(varied[:2]) if x is None and len(varied) >= 2 else None)
    written = []
    with output_folder(dest, "figures", force=force, command="interlock sweep-plot"):
        for m in tqdm(metrics, desc="drawing", unit="metric", leave=False, disable=len(metrics) < 2):
            p = dest / f"{file_stem(m)}-response.png"
            response_curves(runs, xs, m, p, bins=bins)
            written.append(p)
            if pair:
                p = dest / f"{file_stem(m)}-heatmap-{file_stem(pair[0])}-{file_stem(pair[1])}.png"
                heatmap(runs, pair[0], pair[1], m, p, bins=bins)
                written.append(p)
    if note:
        click.echo(f"warning: {note}", err=True)
    for p in written:
        click.echo(str(p))
