"""`interlock calibrate`: fit parameters by the method of simulated moments (MSM)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from ..config import Params, load_override_file
from ..errors import InputError
from .run import max_days


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _parse_bounds(items) -> dict[str, tuple[float, float]]:
    out = {}
    for item in items:
        if "=" not in item or ":" not in item.split("=", 1)[1]:
            raise InputError(f"expected key.path=LO:HI, got {item!r}", file="--bounds")
        key, rng = item.split("=", 1)
        lo, hi = rng.split(":", 1)
        key = key.strip()
        try:
            box = (float(lo), float(hi))
        except ValueError:
            raise InputError(f"bounds must be numbers, got {rng!r}", file="--bounds", key=key) from None
        if not all(np.isfinite(box)):
            raise InputError(f"bounds must be finite numbers, got {rng!r}", file="--bounds", key=key)
        if key in out:
            raise InputError("the same key path is given twice", file="--bounds", key=key, allowed="each key once")
        out[key] = box
    return out


@click.command("calibrate")
@click.option("--target", default="sp500", show_default=True,
              help="Data whose moments to match: sp500 (arch.data.sp500, 1999–2018).")
@click.option("--params", "params", default=None, metavar="KEY,KEY,…",
              help="Parameters to fit (default: news.market_sigma_annual, news.market_tail, "
                   "news.market_feedback, news.market_mean_slope).")
@click.option("--bounds", "bounds", multiple=True, metavar="KEY=LO:HI",
              help="Search box of a parameter (default: its plausible range from `interlock params`).")
@click.option("--moments", "moments", default=None, metavar="NAME,NAME,…",
              help="Moments to match (default: annual_vol, excess_kurtosis, hill_abs, ac1, abs_ac1, "
                   "abs_ac10, abs_ac50, leverage_corr_10).")
@click.option("--seeds", default="1,2,3", show_default=True, help="Fixed seeds (common random numbers).")
@click.option("--days", default=5000, show_default=True, type=int, help="Days per seed.")
@click.option("--max-evals", default=120, show_default=True, type=int, help="Objective evaluations (budget).")
@click.option("--workers", default=1, show_default=True, type=int, help="Processes (one seed per task).")
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Start from a TOML file of overrides (e.g. an earlier fit).")
@click.option("--out", "out", type=click.Path(file_okay=False), default="calibration", show_default=True,
              help="Folder for calibration.json, overrides.toml and report.md.")
@click.option("--force", is_flag=True, help="Write into --out even if it is not an earlier calibration's folder "
                                            "(never your home folder, / or the working directory).")
@click.option("--yes", is_flag=True, help="Run even if the estimated CPU time is past the limits "
                                          "(docs/sweeps.md#limits).")
def command(target, params, bounds, moments, seeds, days, max_evals, workers, config, out, force, yes):
    """Fit parameters to the stylized facts of TARGET by the method of simulated moments and write
    the fitted values, the objective before and after, and OUT/overrides.toml, which
    `interlock run SCENARIO --config OUT/overrides.toml` accepts."""
    from ..experiments.validation import calibration as C  # lazy: startup time
    from ..experiments.validation.checks import stylized_facts  # lazy: startup time
    from ..experiments.outputs import check_output, output_folder  # lazy: startup time
    from ..experiments.sweeps.budget import check_budget, estimate  # lazy: startup time
    from ..reports.calibration import write_result  # lazy: startup time

    keys = _split(params) if params else list(C.DEFAULT_PARAMS)
    names = _split(moments) if moments else list(C.MOMENTS)
    known = set(stylized_facts(np.random.default_rng(0).standard_normal(500)))
    bad = [m for m in names if m not in known]
    if bad:
        raise InputError(f"unknown moment(s) {bad}", key="--moments", allowed=", ".join(sorted(known)))
    try:
        seed_list = [int(s) for s in _split(seeds)]
    except ValueError:
        raise InputError(f"expected comma-separated integers, got {seeds!r}", key="--seeds") from None
    if not seed_list or min(seed_list) < 0:
        raise InputError("need at least one seed ≥ 0", key="--seeds")
    if not 200 <= days <= max_days():
        raise InputError(f"--days must be 200..{max_days():,} (lag-100 autocorrelations need 200), got {days}",
                         key="--days")
    if max_evals < 1 or workers < 1:
        raise InputError("--max-evals and --workers must be at least 1", key="--max-evals")
    box = _parse_bounds(bounds)
    stray = [k for k in box if k not in keys]
    if stray:
        raise InputError(f"a search box for a parameter that is not fitted: {stray[0]}", key="--bounds",
                         allowed="boxes of the fitted parameters: " + ", ".join(keys))
    base = load_override_file(config) if config else {}
    if base:
        Params.defaults().with_overrides(base, str(config))
    C.free_params(keys, box)                      # validate names and boxes before any simulation
    tgt = C.target_moments(target, names)
    check_output(out, ("calibration",), force=force)
    check_budget(estimate(max_evals * len(seed_list), days), yes, "--max-evals")
    click.echo(f"calibrating {', '.join(keys)} against {tgt.name}: seeds {seed_list}, {days} days, "
               f"≤ {max_evals} evaluations", err=True)

    def progress(i, j, values):
        vals = ", ".join(f"{k.split('.')[-1]}={v:.4g}" for k, v in values.items())
        click.echo(f"  {i:>4}  J={j:10.3f}  {vals}", err=True)

    start = {k: base[k] for k in keys if k in base}
    with output_folder(out, "calibration", force=force, command="interlock calibrate"):
        res = C.calibrate(keys, target=tgt, moments=names, bounds=box, start=start or None, seeds=seed_list,
                          days=days, max_evals=max_evals, workers=workers,
                          base_overrides={k: v for k, v in base.items() if k not in keys}, progress=progress)
        paths = write_result(res, Path(out))
    click.echo(f"objective {res.objective_start:.3f} → {res.objective_fitted:.3f} "
               f"({res.evaluations} evaluations, {res.seconds:.0f} s)")
    for k in res.params:
        click.echo(f"  {k:<34} {res.start[k]:>10.4g} → {res.fitted[k]:<10.4g}")
    click.echo(f"outputs: {paths['overrides']} (use with `interlock run SCENARIO --config …`), "
               f"{paths['json']}, {paths['report']}")
