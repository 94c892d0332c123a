"""Narrative stress tests (issue #6): how likely is a narrative's claim, which agent class makes it
true, and under which parameters does it hold.

`run_stress(narrative, out)` samples the narrative's uncertain parameters (a Latin hypercube,
several seeds per point), runs every (point, seed) through the sweep engine
(`interlock.experiments.sweeps.engine`) with all agent classes on and again with each class
switched off in turn (common random numbers: same seed, same parameters), evaluates the claims in
each run (`ClaimMetrics`, the sweep's per-run metrics function), analyses them (`analyse`: the
probability of each claim with a 95% Wilson interval and its calibrated verdict, the drivers by
McNemar's test on the paired runs, PRIM boxes and a parameter ranking) and writes to `out/`:
`runs.parquet` (one row per run: point, seed, class switched off, parameters, claim outcomes,
both sides of every comparison), `series.parquet` (the fan-chart series of the on-runs) and
`results.json` (every number of the report).

The report — `report.md` with `drivers.png`, `fan_<claim>.png` and `prim_<claim>.png` — is
rendered from the returned `StressResult` by `interlock.reports.stress` (`interlock stress` does
both: `reports.stress.stress`).

Unstable runs are not market outcomes: a run whose summary says a guard bound (`stability.stable`
= 0, `experiments.stability`) or, for a run whose summary does not say, one in which the market
capped flows or moves on more than `PERSISTENT_CAPPING` of its days (the leverage-cycle instability).
Their claims count as undefined unless `include_unstable`, and the report counts and locates them
separately (share per class switched off, a PRIM box).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ...io import PARQUET_OPTS, dumps_json
from ..stability import STABLE, row_flags
from ..sweeps.engine import execute, read_params, read_summary, read_timeseries
from ..sweeps.jobs import Job
from .claims import RunView, Schema, compile_claim
from .discovery import Estimate, PairedChange, PrimResult, estimate, feature_ranking, paired_change, prim
from .narratives import Narrative, load_narrative

ALL_ON = ""                 # the `off` value of a run with every class on
SHOCK_OFF = "shocks"        # the `off` value of a run of the scenario without its shocks ("shocks off")
SIGNIFICANCE = 0.05         # a class "matters" when McNemar's p is below this

# Calibrated likelihood language (IPCC AR5 guidance note on uncertainties, Mastrandrea et al.
# 2010). A verdict uses the strongest term the whole 95% interval supports: "very likely" means
# the interval lies above 90%, "unlikely" that it lies below 33%; an interval that reaches across
# the middle is "about as likely as not". A finite number of runs can thus never overclaim.
LIKELY_TERMS = [(0.99, "virtually certain"), (0.90, "very likely"), (0.66, "likely")]
UNLIKELY_TERMS = [(0.01, "exceptionally unlikely"), (0.10, "very unlikely"), (0.33, "unlikely")]
MIDDLE_TERM = "about as likely as not"


def verdict(e: Estimate) -> str:
    """The calibrated term for an estimate, supported by its whole 95% interval."""
    if e.n == 0:
        return "undetermined"
    if e.p >= 0.5:
        return next((term for lo, term in LIKELY_TERMS if e.lo >= lo), MIDDLE_TERM)
    return next((term for hi, term in UNLIKELY_TERMS if e.hi <= hi), MIDDLE_TERM)


def verdict_reason(e: Estimate) -> str:
    """Why the interval gives this verdict, in words (the rule applied to this interval)."""
    if e.n == 0:
        return "no run could evaluate the claim"
    v = verdict(e)
    if e.p >= 0.5:
        if v == MIDDLE_TERM:
            return (f"the 95% interval reaches down to {e.lo:.0%}, below the 66% that *likely* needs, so "
                    f"the whole interval supports only *{MIDDLE_TERM}*")
        lo = next(t for t, term in LIKELY_TERMS if term == v)
        return f"the whole 95% interval lies above {lo:.0%}, the bar for *{v}*"
    if v == MIDDLE_TERM:
        return (f"the 95% interval reaches up to {e.hi:.0%}, above the 33% that *unlikely* needs, so "
                f"the whole interval supports only *{MIDDLE_TERM}*")
    hi = next(t for t, term in UNLIKELY_TERMS if term == v)
    return f"the whole 95% interval lies below {hi:.0%}, the bar for *{v}*"


def runs_to_settle(lost: int, gained: int, pairs: int, alpha: float = SIGNIFICANCE,
                   limit: int = 100_000) -> int | None:
    """About how many paired runs McNemar's test would need to call an on/off difference as large
    as the one seen (the same share of pairs changing outcome, split the same way) significant at
    `alpha`; None when no pair changed or the changes cancel exactly (nothing to extrapolate)."""
    m = lost + gained
    if pairs <= 0 or m == 0 or lost == gained:
        return None
    share, rate = max(lost, gained) / m, m / pairs
    d = m
    while d <= limit * rate:
        k = int(round(share * d))
        if stats.binomtest(d - k, d, 0.5).pvalue < alpha:
            return int(math.ceil(d / rate))
        d = max(d + 1, int(d * 1.1))
    return None


# ----- per run -------------------------------------------------------------------------------
def claim_column(name: str) -> str:
    return f"claim.{name}"


def term_columns(name: str, j: int) -> tuple[str, str]:
    return f"term.{name}.{j}.left", f"term.{name}.{j}.right"


CAPPED_DAYS = "diag.capped_days"    # days on which the market had to cap a flow or a move
# A run is past the instability when the market caps flows or moves on more than this share of its
# days: capping on a crash day or two is a stressed market; capping week after week is the
# leverage-cycle regime of MODEL.md §6.4 (Aymanns & Farmer 2015), whose guarded prices (the index
# at a few points or in the millions) are not market outcomes. Runs split sharply on either side.
PERSISTENT_CAPPING = 0.05


def capped_days(events: pd.DataFrame) -> int:
    """Days on which the market capped a flow larger than it can absorb or a move beyond its
    guard (its warning events)."""
    if events is None or not len(events):
        return 0
    w = events[(events["kind"] == "warning") & (events["source"] == "market")]
    return int(w["day"].nunique())


def evaluate_claims(claims, result) -> dict[str, float]:
    """One run's outcome per claim (1 holds, 0 fails, NaN undefined), the values of both sides
    of every comparison, `diag.capped_days` and the run's stability flags (NaN when its summary
    does not say). `claims`: (name, Claim) pairs."""
    view = RunView.of(result)
    out: dict[str, float] = {CAPPED_DAYS: float(capped_days(result.events)), **row_flags(result.summary)}
    for name, claim in claims:
        v = claim.evaluate(view)
        out[claim_column(name)] = math.nan if v is None else float(v)
        for j, (left, right) in enumerate(claim.terms(view)):
            lc, rc = term_columns(name, j)
            out[lc], out[rc] = left, right
    return out


class ClaimMetrics:
    """The sweep's per-run metrics function for a narrative (`sweep.execute(metrics=…)`).

    It travels to workers by value — the claim texts, the narrative's series aliases and the names
    a run offers — and compiles the claims once per worker process, so a Dask worker needs no
    narrative file. Its name carries a digest of that content: resuming a sweep with changed
    claims is refused by the sweep's plan hash."""

    def __init__(self, narrative: Narrative):
        # workers log as quietly as the caller (the CLI logs errors only unless -v); a run past
        # the instability logs a warning per capped flow, thousands per run
        self.log_level = logging.getLogger("interlock").getEffectiveLevel()
        sch = narrative.schema
        self.state = {
            "claims": [[c.name, c.claim.text] for c in narrative.claims],
            "aliases": dict(narrative.aliases),
            "schema": {"columns": list(sch.columns), "assets": list(sch.assets), "classes": list(sch.classes),
                       "flow_assets": list(sch.flow_assets), "metrics": list(sch.metrics), "days": sch.days},
        }
        self._init()

    def _init(self) -> None:
        digest = hashlib.sha256(json.dumps(self.state, sort_keys=True).encode()).hexdigest()[:12]
        self.__qualname__ = f"ClaimMetrics.{digest}"
        self._compiled = None

    def __getstate__(self) -> dict:
        return {"state": self.state, "log_level": self.log_level}

    def __setstate__(self, d: dict) -> None:
        self.state = d["state"]
        self.log_level = d["log_level"]
        logging.getLogger("interlock").setLevel(self.log_level)
        self._init()

    def compiled(self) -> list:
        if self._compiled is None:
            schema = Schema(**self.state["schema"])
            for name, text in self.state["aliases"].items():
                schema.add_alias(name, text)
            self._compiled = [(name, compile_claim(text, schema, name=name)) for name, text in self.state["claims"]]
        return self._compiled

    def __call__(self, result) -> dict[str, float]:
        return evaluate_claims(self.compiled(), result)


def evaluate_run(narrative: Narrative, result) -> dict[str, float]:
    """`evaluate_claims` for a loaded narrative."""
    return evaluate_claims([(c.name, c.claim) for c in narrative.claims], result)


# ----- analysis ------------------------------------------------------------------------------
@dataclass
class ClaimResult:
    name: str
    says: str
    text: str
    estimate: Estimate
    undefined: int
    terms: list[dict]                         # per comparison: text, left/right quantiles
    drivers: dict[str, PairedChange]          # class switched off → change
    prim: PrimResult | None
    ranking: pd.DataFrame
    with_unstable: Estimate | None = None     # counting the runs past the instability too


@dataclass
class Instability:
    """Where runs went past the leverage-cycle instability (left out of every claim)."""

    estimate: Estimate                        # share of the all-on runs
    by_class: dict[str, Estimate]             # share with each class switched off
    prim: PrimResult | None
    ranking: pd.DataFrame


@dataclass
class StressResult:
    narrative: Narrative
    runs: pd.DataFrame
    series: pd.DataFrame
    claims: list[ClaimResult]
    out: Path | None = None
    failed_runs: int = 0
    instability: Instability | None = None    # None when no run went past it
    include_unstable: bool = False            # unstable runs counted in every statistic

    @property
    def unstable_runs(self) -> int:
        return 0 if self.instability is None else self.instability.estimate.k


def _outcome(x) -> bool | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else bool(x)


def _numeric_design(narrative: Narrative, on: pd.DataFrame) -> pd.DataFrame:
    """The uncertain parameters of the on-runs as numbers (listed values become their index)."""
    X = pd.DataFrame(index=on.index)
    for ax in narrative.spec.axes:
        col = on[ax.key]
        if ax.values is not None and not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                             for v in ax.values):
            labels = [repr(x) for x in ax.values]
            X[ax.key] = col.map(lambda v: labels.index(repr(v))).astype(float)
        else:
            X[ax.key] = col.astype(float)
    return X


def unstable(runs: pd.DataFrame, days: int) -> pd.Series:
    """Unstable runs: the run's summary says a guard bound (`stability.stable` = 0); for a run
    whose summary does not say, the market capped flows or moves on more than PERSISTENT_CAPPING
    of its days."""
    flag = pd.to_numeric(runs[STABLE], errors="coerce") if STABLE in runs else pd.Series(np.nan, index=runs.index)
    capped = (runs[CAPPED_DAYS].fillna(0) > PERSISTENT_CAPPING * days) if CAPPED_DAYS in runs \
        else pd.Series(False, index=runs.index)
    return ((flag == 0.0) | (flag.isna() & capped)).astype(bool)


def _y(on: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    defined = on[col].notna().to_numpy()
    return defined, on[col].to_numpy()[defined] > 0.5


def _discover(X: pd.DataFrame, defined: np.ndarray, y: np.ndarray) -> tuple[PrimResult | None, pd.DataFrame]:
    Xd = X[defined].reset_index(drop=True)
    pr = prim(Xd, y) if defined.sum() >= 20 else None
    rank = feature_ranking(Xd, y) if defined.any() and 0 < y.sum() < y.size else pd.DataFrame()
    return pr, rank


def analyse(narrative: Narrative, runs: pd.DataFrame, series: pd.DataFrame,
            include_unstable: bool = False) -> StressResult:
    """Probabilities, drivers, PRIM boxes and rankings from the run table. Unstable runs count as
    undefined for every claim (unless `include_unstable`) and are analysed on their own."""
    runs = runs.copy()
    runs["unstable_run"] = unstable(runs, narrative.days)                 # what the run was
    runs["unstable"] = runs["unstable_run"] & (not include_unstable)      # what is left out
    on = runs[runs["off"] == ALL_ON].sort_values(["point_id", "seed"]).reset_index(drop=True)
    X = _numeric_design(narrative, on)
    results = []
    for c in narrative.claims:
        col = claim_column(c.name)
        raw = on[col].copy()
        with_unstable = estimate([_outcome(v) for v in raw]) if on["unstable"].any() else None
        runs.loc[runs["unstable"], col] = math.nan
        on.loc[on["unstable"], col] = math.nan
        est = estimate([_outcome(v) for v in on[col]])
        terms = []
        for j, t in enumerate(c.claim.comparisons):
            lc, rc = term_columns(c.name, j)
            q = lambda s: [float(v) for v in s.quantile([0.05, 0.5, 0.95])] if s.notna().any() else [math.nan] * 3  # noqa: E731
            keep = ~on["unstable"]
            terms.append({"text": t.text, "left": q(on.loc[keep, lc]), "right": q(on.loc[keep, rc])})
        drivers = {}
        key = on.set_index(["point_id", "seed"])[col]
        for cls in [*narrative.switch_off, *([SHOCK_OFF] if (runs["off"] == SHOCK_OFF).any() else [])]:
            off = runs[runs["off"] == cls].set_index(["point_id", "seed"])[col]
            both = key.index.intersection(off.index)
            if len(both):
                drivers[cls] = paired_change([_outcome(v) for v in key.loc[both]],
                                             [_outcome(v) for v in off.loc[both]])
        defined, y = _y(on, col)
        pr, rank = _discover(X, defined, y)
        undefined = int((raw.isna() & ~on["unstable"]).sum())
        results.append(ClaimResult(c.name, c.says, c.claim.text, est, undefined, terms, drivers, pr,
                                   rank, with_unstable))
    res = StressResult(narrative, runs, series, results, include_unstable=include_unstable)
    if on["unstable_run"].any():
        flag = on["unstable_run"].astype(float)
        defined, y = np.ones(len(on), dtype=bool), flag.to_numpy() > 0.5
        pr, rank = _discover(X, defined, y)
        by_class = {cls: estimate(runs.loc[runs["off"] == cls, "unstable_run"].tolist())
                    for cls in [*narrative.switch_off, SHOCK_OFF] if (runs["off"] == cls).any()}
        res.instability = Instability(estimate(flag.astype(bool).tolist()), by_class, pr, rank)
    return res


# ----- outputs -------------------------------------------------------------------------------
def results_json(res: StressResult) -> dict:
    def est(e: Estimate) -> dict:
        return {"k": e.k, "n": e.n, "p": e.p, "lo": e.lo, "hi": e.hi}
    out = {"narrative": res.narrative.name, "scenario": res.narrative.scenario.name,
           "days": res.narrative.days, "samples": res.narrative.spec.n,
           "seeds": list(res.narrative.spec.seeds), "runs": int(len(res.runs)),
           "failed_runs": res.failed_runs, "include_unstable": res.include_unstable, "claims": {}}
    for cr in res.claims:
        out["claims"][cr.name] = {
            "claim": cr.text, "says": cr.says, **est(cr.estimate), "verdict": verdict(cr.estimate),
            "verdict_reason": verdict_reason(cr.estimate),
            "undefined": cr.undefined, "terms": cr.terms,
            "drivers": {c: {"off": est(ch.off), "delta": ch.delta, "lost": ch.lost, "gained": ch.gained,
                            "p_value": ch.p_value,
                            "runs_to_settle": None if ch.p_value < SIGNIFICANCE else
                            runs_to_settle(ch.lost, ch.gained, ch.on.n)} for c, ch in cr.drivers.items()},
            "boxes": [] if cr.prim is None else [
                {"limits": {k: list(v) for k, v in b.limits().items()}, "density": b.density,
                 "coverage": b.coverage, "mass": b.mass, "n": b.n, "hits": b.hits, "quasi_p": b.quasi_p}
                for b in cr.prim.boxes],
            "ranking": cr.ranking.to_dict(orient="records"),
            "with_unstable_runs": None if cr.with_unstable is None else est(cr.with_unstable),
        }
    if res.instability is not None:
        inst = res.instability
        out["instability"] = {
            **est(inst.estimate), "capped_days_share_threshold": PERSISTENT_CAPPING,
            "by_class": {c: est(e) for c, e in inst.by_class.items()},
            "boxes": [] if inst.prim is None else [
                {"limits": {k: list(v) for k, v in b.limits().items()}, "density": b.density,
                 "coverage": b.coverage, "mass": b.mass} for b in inst.prim.boxes]}
    return out


def write_tables(res: StressResult, out: str | Path) -> Path:
    """Write runs.parquet, series.parquet and results.json into `out` (the report is rendered by
    `interlock.reports.stress.write_report`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res.out = out
    runs = res.runs.copy()
    for ax in res.narrative.spec.axes:          # listed values may be text: store them as text
        if runs[ax.key].dtype == object:
            runs[ax.key] = runs[ax.key].map(repr)
    runs.to_parquet(out / "runs.parquet", **PARQUET_OPTS)
    res.series.to_parquet(out / "series.parquet", **PARQUET_OPTS)
    (out / "results.json").write_text(dumps_json(results_json(res)), encoding="utf-8")
    return out


# ----- running a stress test on the sweep engine ---------------------------------------------
ON_DIR = Path("runs") / "all_on"
OFF_DIR = Path("runs") / "switched_off"
SHOCK_OFF_DIR = Path("runs") / "shock_off"
SHOCK_RUN_ID_BASE = 10**9          # shock-off runs' ids in runs.parquet (their own sweep counts from 0)


def plan_jobs(narrative: Narrative) -> tuple[list, list]:
    """The runs of a stress test as sweep jobs: every (point, seed) with every class on, and the
    same (point, seed) with each class of `switch_off` off in turn. point_id and seed pair them."""
    spec = narrative.spec
    points = spec.points()
    ns, npts = len(spec.seeds), len(points)

    def jobs(group: int, disabled: tuple[str, ...]) -> list:
        return [Job(run_id=(group * npts + p) * ns + k, point_id=p, scenario=spec.scenario,
                    overrides={**spec.overrides, **pt}, seed=s, days=spec.days, disabled=disabled)
                for p, pt in enumerate(points) for k, s in enumerate(spec.seeds)]

    on = jobs(0, ())
    off = [j for g, cls in enumerate(narrative.switch_off, start=1) for j in jobs(g, (cls,))]
    return on, off


def plan_shock_off(narrative: Narrative) -> list:
    """The all-on runs again with the scenario's shocks removed (same points, seeds, parameters):
    the "shock off" row of the drivers, so a driver is never circular. Empty when the scenario
    has no shocks."""
    spec = narrative.spec
    sc = spec.scenario
    if sc is None or not getattr(sc, "shocks", None):
        return []
    bare = sc.model_copy(update={"shocks": []})
    points = spec.points()
    ns = len(spec.seeds)
    return [Job(run_id=p * ns + k, point_id=p, scenario=bare, overrides={**spec.overrides, **pt}, seed=s,
                days=spec.days) for p, pt in enumerate(points) for k, s in enumerate(spec.seeds)]


def _table(folder: Path) -> pd.DataFrame:
    params = read_params(folder)
    summary = read_summary(folder).drop(columns=["point_id", "seed"])
    runs = params.merge(summary, on="run_id", how="left")
    runs.insert(1, "run", runs["run_id"])
    runs["off"] = runs["disabled"].fillna("").astype(str)
    return runs


def run_stress(narrative: Narrative | str | Path, out: str | Path, *, samples: int | None = None,
               seeds: int | None = None, days: int | None = None, workers: int | None = None,
               dask: str | None = None, resume: bool = False, progress: bool = True,
               include_unstable: bool = False) -> StressResult:
    """Run a narrative's stress test into `out` (the run tables and results.json) and return the
    analysis. `narrative` is a shipped name, a path or a loaded Narrative; `samples`, `seeds`,
    `days` override its [run] table; `workers` / `dask` choose the sweep executor; `resume`
    finishes (or re-analyses) a stress test already in `out`; `include_unstable` counts unstable
    runs in every statistic (by default they are left out and counted apart). The report:
    `interlock.reports.stress.write_report(result, out)`."""
    narr = narrative if isinstance(narrative, Narrative) else \
        load_narrative(narrative, samples=samples, seeds=seeds, days=days)
    out = Path(out)
    on_jobs, off_jobs = plan_jobs(narr)
    metrics = ClaimMetrics(narr)
    meta = {"narrative": narr.name, "path": narr.path, "claims": {c.name: c.claim.text for c in narr.claims},
            "parameters": narr.keys, "samples": narr.spec.n, "seeds": list(narr.spec.seeds)}
    common = dict(metrics=metrics, workers=workers, dask=dask, resume=resume, progress=progress)
    execute(on_jobs, out / ON_DIR, timeseries_every=1, timeseries_columns=narr.series,
            meta={**meta, "group": "all classes on"}, desc=f"{narr.name} (all on)", **common)
    frames = [_table(out / ON_DIR)]
    if off_jobs:
        execute(off_jobs, out / OFF_DIR, meta={**meta, "group": "one class off",
                                               "switched_off": narr.switch_off},
                desc=f"{narr.name} (classes off)", **common)
        frames.append(_table(out / OFF_DIR))
    shock_jobs = plan_shock_off(narr)
    if shock_jobs:
        execute(shock_jobs, out / SHOCK_OFF_DIR, meta={**meta, "group": "scenario without its shocks"},
                desc=f"{narr.name} (shock off)", **common)
        t = _table(out / SHOCK_OFF_DIR)
        t["off"] = SHOCK_OFF
        t["run_id"] = t["run_id"] + SHOCK_RUN_ID_BASE
        t["run"] = t["run_id"]
        frames.append(t)
    runs = pd.concat(frames, ignore_index=True)
    failed = int((runs["status"] != "ok").sum())
    for c in narr.claims:                   # a failed run has no outcome
        if claim_column(c.name) not in runs:
            runs[claim_column(c.name)] = math.nan
    series = read_timeseries(out / ON_DIR).rename(columns={"run_id": "run"})
    res = analyse(narr, runs, series, include_unstable=include_unstable)
    res.failed_runs = failed
    write_tables(res, out)
    return res
