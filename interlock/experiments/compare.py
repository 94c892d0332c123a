"""A scenario against its baseline (or another scenario) under common random numbers (issue #15).

`run_compare(scenario, vs, seeds, out)` runs every seed on both sides — same seed, same days, same
`--set` overrides — through the sweep engine (`sweeps.engine.execute`: local processes or Dask,
resumable), and again with each agent class switched off on both sides for the per-class
attribution. Because both sides draw the same random numbers, the paired difference
scenario − base of a run is the scenario's effect on that seed and nothing else: two scenarios
with the same parameters and no shocks differ by exactly zero, and a shocked run equals its base
up to the shock day.

What it measures, by seed and then over seeds:
- `series`: the difference of each key series by day (prices as % of the base's level, vol in vol
  points, yields in basis points), summarised as the median and the 5–95% band over seeds;
- `effects`: per asset, the difference in total return and maximum drawdown (percentage points)
  and, for VOL_1M, its peak (vol points), with the mean's 95% t-interval and the 5–95% range of the
  seeds;
- `attribution`: per agent class and touched asset, how much of the effect goes away when the
  class is off on both sides: Δ(all on) − Δ(class off), with the mean's 95% t-interval.

The key series are what the scenario's card names (tickers in its narrative and shocks) after
the defaults SPX, VOL_1M, UST10_yield and BTC.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..io import PARQUET_OPTS, atomic_write, dumps_json
from ..model.model import agent_classes
from .cards import DEFAULT_SERIES, card_assets, firm_aliases, key_series  # noqa: F401 (re-exported)
from .metrics import flat_metrics
from .runner import build_model
from .scenarios import Scenario, load_scenario, outside_warning
from .stability import STABLE, row_flags
from .sweeps.engine import execute, read_summary, read_timeseries
from .sweeps.jobs import Job

MARKER = "compare.json"          # what makes a folder a compare folder
RUNS_DIR = "runs"
MAX_SEEDS = 1000
ALL_ON = ""


# ----- what to look at -------------------------------------------------------------------------
def touched_assets(card: Sequence[str]) -> list[str]:
    """Assets whose attribution a comparison reports: SPX, then those the card names."""
    return list(dict.fromkeys(["SPX", *card]))


def series_unit(name: str, assets: Iterable[str]) -> tuple[str, str]:
    """(how a difference of `name` is measured, its unit label): prices as % of the base's level,
    vol in vol points, yields and the policy rate in basis points, others in their own unit."""
    if name in set(assets):
        return "pct", "% vs base"
    if name.startswith("VOL_"):
        return "volpts", "vol points"
    if name.endswith("_yield") or name in ("policy_rate", "fair_yield"):
        return "bp", "bp"
    return "raw", "difference"


def difference(scen: np.ndarray, base: np.ndarray, how: str) -> np.ndarray:
    """The paired difference scenario − base in the unit `series_unit` chose."""
    if how == "pct":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base != 0, (scen / base - 1.0) * 100.0, np.nan)
    scale = {"volpts": 100.0, "bp": 1e4}.get(how, 1.0)
    return (scen - base) * scale


def parse_seeds(text: str) -> list[int]:
    """`1..20`, `3`, or `1,2,7` → the seeds (each ≥ 0, at most MAX_SEEDS of them, none twice)."""
    t = str(text).strip()
    try:
        if ".." in t:
            a, b = (int(x) for x in t.split("..", 1))
            seeds = list(range(a, b + 1))
        else:
            seeds = [int(x) for x in t.split(",") if x.strip()]
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 0 or len(seeds) > MAX_SEEDS or len(set(seeds)) != len(seeds):
        raise InputError(f"not a seed list: {text!r}", key="--seeds",
                         allowed=f"A..B (e.g. 1..20), or seeds separated by commas; each ≥ 0, "
                                 f"at most {MAX_SEEDS}, none twice")
    return seeds


def is_compare_folder(folder: str | Path) -> bool:
    """A folder `run_compare` wrote (its compare.json names both sides)."""
    p = Path(folder) / MARKER
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == "compare"


# ----- the runs ---------------------------------------------------------------------------------
@dataclass
class Plan:
    scenario: Scenario
    base: Scenario
    seeds: list[int]
    days: int
    overrides: dict[str, Any]
    classes: list[str]                       # switched off on both sides, one at a time
    series: list[str]
    assets: list[str]                        # every asset a run records (prices), SPX last
    touched: list[str]

    @property
    def warnings(self) -> list[str]:
        """Shocks of either side that start after the last day (they never happen)."""
        sides = [self.scenario] + ([self.base] if self.base.name != self.scenario.name else [])
        return [w for w in (outside_warning(sc, self.days) for sc in sides) if w]

    @property
    def groups(self) -> list[tuple[str, str]]:
        """(side, class off) per group of runs; the group's index × seeds + k is the run id."""
        out = [("scenario", ALL_ON), ("base", ALL_ON)]
        for c in self.classes:
            out += [("scenario", c), ("base", c)]
        return out

    def jobs(self) -> list[Job]:
        ns = len(self.seeds)
        out = []
        for g, (side, off) in enumerate(self.groups):
            sc = self.scenario if side == "scenario" else self.base
            out += [Job(run_id=g * ns + k, point_id=g, scenario=sc, overrides=dict(self.overrides), seed=s,
                        days=self.days, disabled=(off,) if off else ()) for k, s in enumerate(self.seeds)]
        return out


def plan(scenario: str | Path | Scenario, vs: str | Path | Scenario = "baseline", *,
         seeds: Sequence[int] = tuple(range(1, 21)), days: int | None = None,
         overrides: Mapping[str, Any] | None = None, attribution: bool = True) -> Plan:
    """Validate everything a comparison needs (both scenarios, the overrides on each side) and
    return its plan; nothing runs."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    try:
        base = vs if isinstance(vs, Scenario) else load_scenario(vs)
    except InputError as e:
        if e.file != "scenario":              # a file's own error names the file
            raise
        raise InputError(e.detail, key="--vs", allowed=e.allowed) from None   # an unknown name: the option
    overrides = dict(overrides or {})
    sc.params(overrides)
    base.params(overrides)
    days = sc.run.days if days is None else int(days)
    if days < 1:
        raise InputError(f"days must be at least 1, got {days}", key="--days")
    probe = build_model(sc, seed=int(seeds[0]), overrides=overrides)
    try:
        assets = list(probe.market.names) + ["SPX"]
        classes = [c for c in agent_classes() if probe.is_enabled(c)] if attribution else []
        card = card_assets(sc, assets, *firm_aliases(probe))
    finally:
        probe.release()
    other = build_model(base, seed=int(seeds[0]), overrides=overrides)
    try:
        both = set(other.market.names) | {"SPX"}
    finally:
        other.release()
    card = [a for a in card if a in both]          # a series both sides record (a 2018 base has no CRWV)
    return Plan(sc, base, [int(s) for s in seeds], days, overrides, classes, key_series(card), assets,
                touched_assets(card))


@dataclass
class CompareResult:
    plan: Plan
    runs: pd.DataFrame                       # one row per run: side, off, seed, metrics
    diffs: pd.DataFrame                      # seed, day, series, diff (all classes on)
    fans: pd.DataFrame                       # day, series, unit, q05, q50, q95, n
    effects: pd.DataFrame                    # asset, measure, unit, mean, lo, hi, q05, q50, q95, n
    attribution: pd.DataFrame                # class, asset, measure, unit, mean, lo, hi, n
    failed_runs: int = 0
    unstable_runs: int = 0
    include_unstable: bool = False
    out: Path | None = None
    units: dict[str, str] = field(default_factory=dict)


def mean_interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, lo, hi): the mean with its `level` t-interval; the interval is NaN with fewer than 2
    values, and collapses to the mean when every value is the same."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    h = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * se
    return m, m - h, m + h


MEASURES = [("total_return", "return", "pp"), ("max_drawdown", "max drawdown", "pp")]


def _effect_values(runs: pd.DataFrame, off: str, asset: str, measure: str) -> np.ndarray:
    """Per seed: scenario − base of one metric (in pp, or vol points for peak VOL_1M)."""
    col = "peak_VOL_1M" if measure == "peak" else f"{asset}.{measure}"
    if col not in runs:
        return np.array([])
    pick = runs[runs["off"] == off]
    s = pick[pick["side"] == "scenario"].set_index("seed")[col]
    b = pick[pick["side"] == "base"].set_index("seed")[col]
    both = s.index.intersection(b.index)
    return (s.loc[both].astype(float) - b.loc[both].astype(float)).to_numpy() * 100.0


def analyse(p: Plan, runs: pd.DataFrame, ts: pd.DataFrame) -> CompareResult:
    """Differences by day and seed, their fans, the effect table and the attribution."""
    ns = len(p.seeds)
    units = {s: series_unit(s, p.assets) for s in p.series}
    on_s = ts[ts["run_id"] < ns].copy()
    on_b = ts[(ts["run_id"] >= ns) & (ts["run_id"] < 2 * ns)].copy()
    on_b["run_id"] -= ns
    m = on_s.merge(on_b, on=["run_id", "day"], suffixes=("", "__base"))
    rows = []
    for s in p.series:
        if s not in m:
            continue
        d = difference(m[s].to_numpy(float), m[f"{s}__base"].to_numpy(float), units[s][0])
        rows.append(pd.DataFrame({"seed": [p.seeds[i] for i in m["run_id"]], "day": m["day"].to_numpy(),
                                  "series": s, "diff": d}))
    diffs = pd.concat(rows, ignore_index=True) if rows else \
        pd.DataFrame(columns=["seed", "day", "series", "diff"])
    g = diffs.groupby(["series", "day"], sort=False)["diff"]
    fans = pd.DataFrame({"q05": g.quantile(0.05), "q50": g.quantile(0.5), "q95": g.quantile(0.95),
                         "n": g.count()}).reset_index()
    fans["unit"] = fans["series"].map(lambda s: units[s][1])
    eff = []
    for a in p.assets:
        for measure, label, unit in MEASURES:
            v = _effect_values(runs, ALL_ON, a, measure)
            eff.append(_row(asset=a, measure=label, unit=unit, values=v))
    eff.append(_row(asset="VOL_1M", measure="peak", unit="vol points",
                    values=_effect_values(runs, ALL_ON, "", "peak")))
    effects = pd.DataFrame(eff)
    att = []
    for c in p.classes:
        for a in p.touched:
            for measure, label, unit in MEASURES:
                v = _effect_values(runs, ALL_ON, a, measure) - _effect_values(runs, c, a, measure) \
                    if len(_effect_values(runs, c, a, measure)) == len(_effect_values(runs, ALL_ON, a, measure)) \
                    else np.array([])
                att.append({"class": c, **_row(asset=a, measure=label, unit=unit, values=v)})
        v_on, v_off = _effect_values(runs, ALL_ON, "", "peak"), _effect_values(runs, c, "", "peak")
        att.append({"class": c, **_row(asset="VOL_1M", measure="peak", unit="vol points",
                                       values=v_on - v_off if len(v_on) == len(v_off) else np.array([]))})
    attribution = pd.DataFrame(att, columns=["class", "asset", "measure", "unit", "mean", "lo", "hi",
                                             "q05", "q50", "q95", "n"])
    return CompareResult(p, runs, diffs, fans, effects, attribution,
                         units={s: u[1] for s, u in units.items()})


def _row(asset: str, measure: str, unit: str, values: np.ndarray) -> dict:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    mean, lo, hi = mean_interval(v)
    q = np.quantile(v, [0.05, 0.5, 0.95]) if v.size else [math.nan] * 3
    return {"asset": asset, "measure": measure, "unit": unit, "mean": mean, "lo": lo, "hi": hi,
            "q05": float(q[0]), "q50": float(q[1]), "q95": float(q[2]), "n": int(v.size)}


def _metrics(result) -> dict[str, float]:
    """Per run: the flat summary metrics a comparison reads (sweep metrics function)."""
    fm = flat_metrics(result.summary.get("metrics", {}))
    keep = {k: v for k, v in fm.items()
            if k == "peak_VOL_1M" or k.endswith((".total_return", ".max_drawdown"))}
    return {**keep, **row_flags(result.summary)}


def run_compare(p: Plan, out: str | Path, *, workers: int | None = None, dask: str | None = None,
                resume: bool = False, progress: bool = True, include_unstable: bool = False) -> CompareResult:
    """Run a plan's paired runs into `out/runs/` and return the analysis (`write_tables` writes it).
    Failed runs, and unless `include_unstable` runs whose guard bound (`experiments.stability`),
    are left out with their pair."""
    out = Path(out)
    execute(p.jobs(), out / RUNS_DIR, metrics=_metrics, timeseries_every=1, timeseries_columns=p.series,
            workers=workers, dask=dask, resume=resume, progress=progress,
            meta={"compare": p.scenario.name, "vs": p.base.name, "seeds": p.seeds},
            desc=f"{p.scenario.name} vs {p.base.name}")
    summary = read_summary(out / RUNS_DIR)
    groups = p.groups
    ns = len(p.seeds)
    summary["side"] = [groups[int(r) // ns][0] for r in summary["run_id"]]
    summary["off"] = [groups[int(r) // ns][1] for r in summary["run_id"]]
    ok = summary["status"] == "ok"
    unstable = (pd.to_numeric(summary[STABLE], errors="coerce") == 0) if STABLE in summary else ok & False
    keep = ok & (~unstable | include_unstable)
    ts = read_timeseries(out / RUNS_DIR, run_ids=[int(r) for r in summary.loc[keep, "run_id"] if r < 2 * ns])
    res = analyse(p, summary[keep], ts)
    res.runs = summary
    res.failed_runs = int((~ok).sum())
    res.unstable_runs = int(unstable.sum())
    res.include_unstable = include_unstable
    return res


def results_json(res: CompareResult) -> dict:
    p = res.plan
    return {"kind": "compare", "scenario": p.scenario.name, "vs": p.base.name, "seeds": p.seeds,
            "days": p.days, "overrides": p.overrides, "series": p.series, "units": res.units,
            "touched_assets": p.touched, "classes_switched_off": p.classes,
            "runs": int(len(res.runs)), "failed_runs": res.failed_runs, "unstable_runs": res.unstable_runs,
            "include_unstable": res.include_unstable, "warnings": p.warnings,
            "effects": res.effects.to_dict(orient="records"),
            "attribution": res.attribution.to_dict(orient="records")}


def write_tables(res: CompareResult, out: str | Path) -> Path:
    """effects.csv, attribution.csv, differences.parquet and compare.json, each written atomically."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res.out = out
    atomic_write(out / "effects.csv", lambda t: res.effects.to_csv(t, index=False))
    atomic_write(out / "attribution.csv", lambda t: res.attribution.to_csv(t, index=False))
    atomic_write(out / "differences.parquet", lambda t: res.diffs.to_parquet(t, **PARQUET_OPTS))
    atomic_write(out / MARKER, lambda t: t.write_text(dumps_json(results_json(res)), encoding="utf-8"))
    return out
