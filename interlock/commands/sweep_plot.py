"""`interlock sweep-plot DIR`: response curves and heatmaps of a sweep's metrics."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .sensitivity import file_stem

DEFAULT_METRICS = ("SPX.max_drawdown", "peak_VOL_1M")


@click.command("sweep-plot")
@click.argument("sweep_dir", type=click.Path(file_okay=False))
@click.option("--metric", "metrics", multiple=True,
              help="Metric to draw (repeatable; default SPX.max_drawdown and peak_VOL_1M).")
@click.option("--x", "x", default=None, help="Parameter for the x axis (default: every varied one).")
@click.option("--y", "y", default=None, help="Second parameter: also draw a heatmap over (x, y).")
@click.option("--bins", type=int, default=8, show_default=True,
              help="Quantile bins for parameters with many distinct values.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for the PNGs (default SWEEP_DIR/plots/).")
def command(sweep_dir, metrics, x, y, bins, out):
    """Draw response curves (mean and 10–90% band over seeds) of each metric against the varied
    parameters, and a heatmap over two of them (--x, --y; by default the first two varied)."""
    from ..experiments.sweeps.engine import metric_columns, read_runs, varied_parameters  # lazy: startup time
    from ..experiments.sweeps.sensitivity import check_metric  # lazy: startup time
    from ..viz.sweep_figures import heatmap, response_curves  # lazy: startup time

    if bins < 2:
        raise InputError(f"--bins must be at least 2, got {bins}", key="--bins")
    runs = read_runs(sweep_dir)
    if runs.empty:
        raise InputError("no successful runs to draw", file=str(sweep_dir))
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
    dest = Path(out) if out else Path(sweep_dir) / "plots"
    dest.mkdir(parents=True, exist_ok=True)
    xs = [x] if x else varied
    pair = (x, y) if y else (tuple(varied[:2]) if x is None and len(varied) >= 2 else None)
    written = []
    for m in metrics:
        p = dest / f"{file_stem(m)}-response.png"
        response_curves(runs, xs, m, p, bins=bins)
        written.append(p)
        if pair:
            p = dest / f"{file_stem(m)}-heatmap-{file_stem(pair[0])}-{file_stem(pair[1])}.png"
            heatmap(runs, pair[0], pair[1], m, p, bins=bins)
            written.append(p)
    for p in written:
        click.echo(str(p))
