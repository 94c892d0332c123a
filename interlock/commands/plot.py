"""`interlock plot RUN_DIR`: figures from a written run (or fan charts from a sweep)."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from ..errors import InputError

RUN_FIGURES = ("dashboard", "cascade", "network", "sankey", "report")
FIGURE_FOLDERS = ("figures", "run", "sweep", "stress")   # folders interlock wrote that take figures
ENSEMBLE_FIGURES = ("fan",)
ALL_FIGURES = RUN_FIGURES + ENSEMBLE_FIGURES


def _parse_what(text: str | None, ensemble: bool) -> list[str]:
    if not text:
        return list(ENSEMBLE_FIGURES if ensemble else RUN_FIGURES)
    what = [w.strip() for w in text.split(",") if w.strip()]
    bad = [w for w in what if w not in ALL_FIGURES]
    if bad or not what:
        raise InputError(f"unknown figure {', '.join(bad) or repr(text)}", key="--what", allowed=", ".join(ALL_FIGURES))
    if ensemble and set(what) - set(ENSEMBLE_FIGURES):
        raise InputError(f"{', '.join(sorted(set(what) - set(ENSEMBLE_FIGURES)))} need a run folder "
                         "(with summary.json); this is a sweep or a folder of runs", key="--what", allowed="fan")
    if not ensemble and "fan" in what:
        raise InputError("fan charts need a sweep folder or a folder of run folders, not one run", key="--what",
                         allowed=", ".join(RUN_FIGURES))
    return what


def _span_suffix(day, window) -> str:
    if day is not None:
        return f"_day{day}"
    if window is not None:
        return f"_days{window[0]}-{window[1]}"
    return ""


def make_figures(run_dir: str | Path, what: str | None = None, day: int | None = None,
                 window: str | tuple[int, int] | None = None, out: str | Path | None = None,
                 force: bool = False, asset: str | None = None) -> list[Path]:
    """Draw the requested figures of a run folder (or fan charts of a sweep) into `out`
    (default: the folder itself; another folder must be new, empty or one interlock wrote, unless
    `force`); cascades and Sankeys of the flows into `asset` only, if given. Returns the files
    written."""
    from ..experiments.outputs import check_output, output_folder  # lazy: startup time
    from ..viz.common import check_days, parse_window  # lazy: startup time
    from ..viz.fan import fan, is_ensemble  # lazy: startup time

    d = Path(run_dir)
    if not d.is_dir():
        raise InputError("no such folder", file=str(d))
    if day is not None and window is not None:
        raise InputError("give --day or --window, not both", key="--day/--window")
    if isinstance(window, str):
        window = parse_window(window)
    ensemble = not (d / "summary.json").exists()
    if ensemble and not is_ensemble(d):
        raise InputError("not a run folder (no summary.json) nor a sweep or folder of runs", file=str(d))
    figures = _parse_what(what, ensemble)
    out_dir = Path(out) if out else d
    if out is not None:
        check_output(out_dir, FIGURE_FOLDERS, force=force)      # before reading anything
    if ensemble:
        with output_folder(out_dir, "figures", accept=FIGURE_FOLDERS, force=force, command="interlock plot",
                           claim=out is not None):
            return fan(d, out_dir / "fan.png").paths

    from ..experiments.runner import read_run  # lazy: startup time
    result = read_run(d)
    if window is not None:
        check_days(result, window[0], window[1], "--window")
    if day is not None:
        check_days(result, day, day, "--day")
    if asset is not None:
        from ..viz.cascade import asset_flows  # lazy: startup time
        asset_flows(result, asset)                      # an unknown asset: exit 2 before writing
    with output_folder(out_dir, "figures", accept=FIGURE_FOLDERS, force=force, command="interlock plot",
                           claim=out is not None):
        return _draw(result, figures, out_dir, day, window, asset)


def _draw(result, figures: list[str], out_dir: Path, day: int | None, window: tuple[int, int] | None,
          asset: str | None = None) -> list[Path]:
    written: list[Path] = []
    suffix = _span_suffix(day, window)
    flow_suffix = suffix + (f"_{asset}" if asset else "")
    for name in tqdm(figures, desc="drawing", unit="figure", leave=False, disable=len(figures) < 2):
        if name == "dashboard":
            from ..viz.dashboard import dashboard  # lazy: startup time
            written += dashboard(result, out_dir / "dashboard.png").paths
        elif name == "cascade":
            from ..viz.cascade import cascade  # lazy: startup time
            written += cascade(result, out_dir / f"cascade{flow_suffix}.png", day=day, window=window,
                               asset=asset).paths
        elif name == "sankey":
            from ..viz.sankey import sankey  # lazy: startup time
            span = (day, day) if day is not None else window
            written += sankey(result, out_dir / f"sankey{flow_suffix}.png", window=span, asset=asset).paths
        elif name == "network":
            from ..viz.network import network_animation, network_snapshot  # lazy: startup time
            written += network_animation(result, out_dir / f"network{_span_suffix(None, window)}.gif",
                                         window=window).paths
            snap_day = day if day is not None else (window[1] if window is not None else None)
            written += network_snapshot(result, out_dir / f"network{suffix}.png", day=snap_day).paths
        elif name == "report":
            from ..reports.run import write_report  # lazy: startup time
            written.append(write_report(result, out_dir / "report.html"))
    return written


@click.command("plot")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--what", default=None, metavar="LIST",
              help="Comma-separated figures: dashboard, cascade, network, sankey, report (report.html, "
                   "interactive; a run folder; default all five) or fan (a sweep folder or a folder of runs; the default there).")
@click.option("--day", type=int, default=None, help="Trading day for the cascade view, Sankey and network "
                                                     "snapshot (default for the cascade: the first shock's day, or "
                                                     "the first day a forced round fires after it).")
@click.option("--window", default=None, metavar="A:B", help="Days A..B (inclusive) for the cascade view, Sankey "
                                                             "and network animation.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: RUN_DIR; another must be new, empty or one interlock wrote).")
@click.option("--force", is_flag=True, help="Write into --out even if interlock did not make it "
                                            "(never your home folder, / or the working directory).")
@click.option("--asset", default=None, metavar="NAME", help="Cascade and Sankey of the flows into this asset only "
                                                            "(e.g. BTC, NVDA, SPX; file names get _NAME).")
def command(run_dir, what, day, window, out, force, asset):
    """Draw figures of a run folder written by `interlock run` (or fan charts of a sweep)."""
    for p in make_figures(run_dir, what=what, day=day, window=window, out=out, force=force, asset=asset):
        click.echo(str(p))
