"""Sensitivity analysis of a finished sweep: Sobol' indices or Morris elementary effects (SALib).

Aggregation over seeds: a design point's value of a metric is the mean over its seeds of the
runs that succeeded with a finite value (common random numbers: every point uses the same seeds,
so seed noise largely cancels between points). Sobol' and Morris then see one value per point,
in design order. The share of the run-level variance that is within-point (seed) variance is
reported as `seed_noise_share`: when it is large, more seeds per point are needed. Unstable runs
(a guard bound: `stability.stable` = 0, see `experiments.stability`) are counted and left out
unless `include_unstable`; a point left with no usable run is an error that says so.

Indices are computed for the unit-cube design as sampled (see sweeps.spec): Sobol' indices do not
depend on the parameters' scales; Morris μ* and σ are in metric units per step of one level
spacing in the parameter's quantile scale (0 → 1 spans its whole range or distribution), which
makes them comparable across parameters.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError
from ..stability import leave_out_note, unstable_mask
from .engine import read_manifest, read_params, read_summary
from .jobs import LEAD
from .spec import SweepSpec, load_spec

SUPPORTED = {"sobol": "Sobol' first-order and total indices", "morris": "Morris μ* and σ"}


@dataclass
class Sensitivity:
    """The analysis of one metric: a table with one row per parameter (sorted by importance)."""

    metric: str
    method: str                       # "sobol" | "morris"
    table: pd.DataFrame
    points: int
    seeds: int
    runs_used: int
    seed_noise_share: float | None
    conf_level: float
    second_order: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    unstable: int = 0                 # successful runs that were unstable
    include_unstable: bool = False    # ... and were used all the same


def sweep_spec(out_dir: str | Path) -> SweepSpec:
    p = Path(out_dir) / "spec.toml"
    if not p.exists():
        raise InputError("no spec.toml: this folder was not written by `interlock sweep`", file=str(out_dir))
    return load_spec(p, for_analysis=True)


def check_metric(summary: pd.DataFrame, metric: str, where: str) -> None:
    names = [c for c in summary.columns if c not in LEAD]
    if metric not in names:
        close = difflib.get_close_matches(metric, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"unknown metric {metric!r}{hint}", file=where, key="--metric",
                         allowed="a column of summary.parquet, e.g. SPX.max_drawdown, peak_VOL_1M")
    if not pd.api.types.is_numeric_dtype(summary[metric]):
        raise InputError(f"metric {metric!r} is not numeric", file=where, key="--metric")


def point_values(out_dir: str | Path, metric: str, n_points: int,
                 include_unstable: bool = False) -> tuple[np.ndarray, pd.DataFrame, int]:
    """Per design point, the mean over seeds of `metric` (successful, stable runs with finite
    values; unstable ones too with `include_unstable`), the runs used and the number of unstable
    successful runs. Refuses when a point has no usable run (the designs need every point)."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    if manifest.get("status") != "complete":
        c = manifest.get("counts", {})
        raise InputError(f"the sweep is not finished ({c.get('done')}/{c.get('runs')} runs, "
                         f"{manifest.get('status')}); finish it with `interlock sweep … --resume`", file=str(out))
    summary = read_summary(out)
    check_metric(summary, metric, str(out))
    good = summary["status"] == "ok"
    shaky = unstable_mask(summary) & good
    ok = summary[good & np.isfinite(summary[metric]) & (include_unstable | ~shaky)]
    means = ok.groupby("point_id")[metric].mean().reindex(range(n_points))
    missing = np.flatnonzero(means.isna().to_numpy())
    if missing.size:
        why = "" if include_unstable or not shaky.any() else \
            f"; {int(shaky.sum())} unstable runs are left out (--include-unstable keeps them)"
        raise InputError(f"{missing.size} of {n_points} design points have no successful run with a finite "
                         f"{metric} (first: point {int(missing[0])}){why}; the analysis needs every point",
                         file=str(out), allowed="see summary.parquet's status, error and stability.stable columns")
    return means.to_numpy(), ok, int(shaky.sum())


def _check_design_matches(spec: SweepSpec, out: Path) -> None:
    """The analysis regenerates the design from spec.toml; it must be the one that ran."""
    params = read_params(out)
    first = params.sort_values("run_id").drop_duplicates("point_id").sort_values("point_id")
    if len(first) != spec.n_points():
        raise InputError(f"params.parquet has {len(first)} points, the design in spec.toml {spec.n_points()}",
                         file=str(out))
    for key, vals in zip(spec.keys, zip(*[list(p.values()) for p in spec.points()])):
        ran = first[key].to_numpy()
        want = np.asarray(vals, dtype=ran.dtype) if ran.dtype.kind in "fi" else np.asarray(vals, dtype=object)
        same = np.allclose(ran, want, rtol=1e-12, atol=0) if ran.dtype.kind in "fi" else \
            all(a == b for a, b in zip(ran, want))
        if not same:
            raise InputError(f"spec.toml's design does not reproduce the values of {key} in params.parquet "
                             "(a different SALib or SciPy version?)", file=str(out))


def analyze(out_dir: str | Path, metric: str, *, conf_level: float = 0.95, num_resamples: int = 1000,
            seed: int = 0, include_unstable: bool = False) -> Sensitivity:
    """Sobol' (design "sobol") or Morris (design "morris") sensitivity of `metric` in a sweep."""
    out = Path(out_dir)
    spec = sweep_spec(out)
    if spec.design not in SUPPORTED:
        raise InputError(f"a {spec.design} design does not support a variance-based or screening analysis",
                         file=str(out / "spec.toml"), key="design.kind",
                         allowed="sobol (Saltelli's sample → Sobol' S1/ST) or morris (trajectories → μ*, σ); "
                         "`interlock sweep-plot` draws any design")
    if not 0 < conf_level < 1:
        raise InputError(f"confidence level must be in (0, 1), got {conf_level}", key="--conf")
    _check_design_matches(spec, out)
    y, used, n_unstable = point_values(out, metric, spec.n_points(), include_unstable)
    if np.ptp(y) == 0:
        raise InputError(f"{metric} is the same at every design point; there is nothing to attribute",
                         file=str(out), key="--metric")
    share = None
    if len(spec.seeds) > 1:
        within = used.groupby("point_id")[metric].var(ddof=1).mean()
        total = used[metric].var(ddof=1)
        share = float(within / total) if total > 0 and np.isfinite(within) else None
    problem = spec.problem()
    notes = []
    s2 = None
    if spec.design == "sobol":
        from SALib.analyze import sobol
        res = sobol.analyze(problem, y, calc_second_order=spec.second_order, num_resamples=num_resamples,
                            conf_level=conf_level, seed=seed)
        table = pd.DataFrame({"parameter": spec.keys, "S1": res["S1"], "S1_conf": res["S1_conf"],
                              "ST": res["ST"], "ST_conf": res["ST_conf"]})
        table = table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
        if spec.second_order:
            s2 = pd.DataFrame(res["S2"], index=spec.keys, columns=spec.keys)
        if float(table["S1"].sum()) > 1.0 + float(table["S1_conf"].max()):
            notes.append("S1 sums above 1 beyond its confidence: N is too small for this metric")
    else:
        from SALib.analyze import morris
        res = morris.analyze(problem, spec.unit_design(), y, num_resamples=num_resamples, conf_level=conf_level,
                             num_levels=spec.levels, seed=seed)
        table = pd.DataFrame({"parameter": spec.keys, "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                              "mu": res["mu"], "sigma": res["sigma"]})
        table = table.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)
    if share is not None and share > 0.5:
        notes.append(f"{share:.0%} of the run-to-run variance is seed noise: add seeds per point")
    note = leave_out_note(n_unstable, len(used) + (0 if include_unstable else n_unstable), include_unstable)
    if note:
        notes.append(note)
    return Sensitivity(metric, spec.design, table, spec.n_points(), len(spec.seeds), len(used), share,
                       conf_level, s2, notes, n_unstable, include_unstable)


def format_table(s: Sensitivity) -> str:
    """The table as text, for the terminal."""
    lines = []
    pct = f"{s.conf_level:.0%}"
    if s.method == "sobol":
        lines.append(f"Sobol' indices of {s.metric} ({s.points} points × {s.seeds} seeds, "
                     f"mean over seeds per point; ± = {pct} confidence half-width)")
        lines.append(f"{'parameter':<36} {'S1':>7} {'±':>6} {'ST':>7} {'±':>6}")
        for r in s.table.itertuples():
            lines.append(f"{r.parameter:<36} {r.S1:>7.3f} {r.S1_conf:>6.3f} {r.ST:>7.3f} {r.ST_conf:>6.3f}")
    else:
        lines.append(f"Morris elementary effects of {s.metric} ({s.points} points × {s.seeds} seeds, "
                     f"mean over seeds per point; ± = {pct} confidence half-width)")
        lines.append(f"{'parameter':<36} {'mu*':>10} {'±':>9} {'mu':>10} {'sigma':>10}")
        for r in s.table.itertuples():
            lines.append(f"{r.parameter:<36} {r.mu_star:>10.4g} {r.mu_star_conf:>9.3g} {r.mu:>10.4g} {r.sigma:>10.4g}")
    if s.seed_noise_share is not None:
        lines.append(f"seed noise: {s.seed_noise_share:.1%} of the run-to-run variance is within points")
    lines += [f"note: {n}" for n in s.notes]
    return "\n".join(lines)
