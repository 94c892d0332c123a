"""Narrative stress tests (issue #6): how likely is a narrative's claim, which agent class makes it
true, and under which parameters does it hold.

`stress(narrative, out)` samples the narrative's uncertain parameters (a Latin hypercube, several
seeds per point), runs every (point, seed) through the sweep engine (`interlock.experiments.
sweep`) with all agent classes on and again with each class switched off in turn (common random
numbers: same seed, same parameters), evaluates the claims in each run (`ClaimMetrics`, the
sweep's per-run metrics function), and writes to `out/`:

- `report.md` — the narrative, its source passage, the verdict per claim (probability with a
  95% Wilson interval, in calibrated likelihood language), the drivers (probability with each
  class off, McNemar's test on the paired runs), PRIM boxes and the parameter ranking, and the
  figures beside it: `drivers.png`, `fan_<claim>.png`, `prim_<claim>.png`.
- `runs.parquet` (one row per run: point, seed, class switched off, parameters, claim outcomes,
  both sides of every comparison), `series.parquet` (the fan-chart series of the on-runs),
  `results.json` (every number in the report).

Runs that went past the model's leverage-cycle instability (the market capping flows or moves on
more than `PERSISTENT_CAPPING` of their days) are not market outcomes: their claims count as
undefined, and the report locates them separately (share per class switched off, a PRIM box).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .claims import RunView
from .discovery import Estimate, PairedChange, PrimResult, estimate, feature_ranking, paired_change, prim
from .narratives import Narrative

ALL_ON = ""                 # the `off` value of a run with every class on
FAN_QUANTILES = (0.05, 0.5, 0.95)   # fan charts: median and the 5–95% band (issue #6)
MIN_GROUP_FOR_FAN = 1       # draw a group's fan when it has at least this many runs
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
    of every comparison, and `diag.capped_days`. `claims`: (name, Claim) pairs."""
    view = RunView.of(result)
    out: dict[str, float] = {CAPPED_DAYS: float(capped_days(result.events))}
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
            from .claims import Schema, compile_claim
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
    fan: dict[str, Any] = field(default_factory=dict)


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
    """Runs past the instability: the market capped flows or moves on more than
    PERSISTENT_CAPPING of their days."""
    if CAPPED_DAYS not in runs:
        return pd.Series(False, index=runs.index)
    return runs[CAPPED_DAYS].fillna(0) > PERSISTENT_CAPPING * days


def _y(on: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    defined = on[col].notna().to_numpy()
    return defined, on[col].to_numpy()[defined] > 0.5


def _discover(X: pd.DataFrame, defined: np.ndarray, y: np.ndarray) -> tuple[PrimResult | None, pd.DataFrame]:
    Xd = X[defined].reset_index(drop=True)
    pr = prim(Xd, y) if defined.sum() >= 20 else None
    rank = feature_ranking(Xd, y) if defined.any() and 0 < y.sum() < y.size else pd.DataFrame()
    return pr, rank


def analyse(narrative: Narrative, runs: pd.DataFrame, series: pd.DataFrame) -> StressResult:
    """Probabilities, drivers, PRIM boxes and rankings from the run table. Runs past the
    instability count as undefined for every claim and are analysed on their own."""
    runs = runs.copy()
    runs["unstable"] = unstable(runs, narrative.days)
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
        for cls in narrative.switch_off:
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
    res = StressResult(narrative, runs, series, results)
    if on["unstable"].any():
        flag = on["unstable"].astype(float)
        defined, y = np.ones(len(on), dtype=bool), flag.to_numpy() > 0.5
        pr, rank = _discover(X, defined, y)
        by_class = {cls: estimate(runs.loc[runs["off"] == cls, "unstable"].tolist())
                    for cls in narrative.switch_off if (runs["off"] == cls).any()}
        res.instability = Instability(estimate(flag.astype(bool).tolist()), by_class, pr, rank)
    return res


# ----- figures -------------------------------------------------------------------------------
def _fan(ax, frame: pd.DataFrame, column: str, color: str, label: str, rebase: bool) -> dict:
    wide = frame.pivot(index="day", columns="run", values=column)
    if rebase:                                   # prices of different runs on one scale
        wide = 100.0 * wide / wide.iloc[0]
    q = wide.quantile(list(FAN_QUANTILES), axis=1).T
    x = q.index.to_numpy()
    ax.fill_between(x, q.iloc[:, 0], q.iloc[:, 2], color=color, alpha=0.22, lw=0)
    ax.plot(x, q.iloc[:, 1], color=color, lw=1.5, label=f"{label} (n={wide.shape[1]})")
    return {"day": x.tolist(), "p05": q.iloc[:, 0].tolist(), "median": q.iloc[:, 1].tolist(),
            "p95": q.iloc[:, 2].tolist()}


def fan_chart(res: StressResult, cr: ClaimResult, path: Path) -> Path:
    """Median and 5–95% band of the key series over the runs where the claim holds vs fails."""
    from ...viz.common import mark_shocks, new_figure, save
    cols = res.narrative.series
    on = res.runs[res.runs["off"] == ALL_ON]
    holds = set(on.loc[on[claim_column(cr.name)] == 1.0, "run"])     # runs past the instability
    fails = set(on.loc[on[claim_column(cr.name)] == 0.0, "run"])     # are undefined: left out
    assets = set(res.narrative.schema.assets)
    n = len(cols)
    ncol = 2 if n > 1 else 1
    nrow = math.ceil(n / ncol)
    fig = new_figure(5.2 * ncol, 2.7 * nrow + 0.6)
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    summary = {"shocks": [dict(type=s.type_name, at=s.at) for s in res.narrative.scenario.shocks]}
    for ax, col in zip(axes, cols):
        drawn = {}
        for group, color, label in ((holds, "#1f77b4", "claim holds"), (fails, "#d62728", "claim fails")):
            frame = res.series[res.series["run"].isin(group)]
            if frame["run"].nunique() >= MIN_GROUP_FOR_FAN:
                drawn[label] = _fan(ax, frame, col, color, label, col in assets)
        cr.fan[col] = drawn
        ax.set_title(f"{col} (start = 100)" if col in assets else col, fontsize=10)
        ax.set_xlabel("trading day", fontsize=8)
        ax.tick_params(labelsize=8)
        if drawn:
            ax.legend(fontsize=7, loc="best")
        mark_shocks([ax], summary, label_axes=[ax])
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{cr.name}: median and 5–95% of runs where the claim holds vs fails", fontsize=11)
    fig.tight_layout()
    return save(fig, path)


def drivers_chart(res: StressResult, path: Path) -> Path:
    """Probability of each claim with every class on and with each class switched off."""
    from ...viz.common import class_color, new_figure, save
    claims = res.claims
    fig = new_figure(max(6.0, 1.2 + 1.1 * len(res.narrative.switch_off)), 1.0 + 2.4 * len(claims))
    axes = fig.subplots(len(claims), 1, squeeze=False).ravel()
    for ax, cr in zip(axes, claims):
        labels = ["all on"] + [f"{c} off" for c in cr.drivers]
        ests = [cr.estimate] + [ch.off for ch in cr.drivers.values()]
        colors = ["#333333"] + [class_color(c) for c in cr.drivers]
        x = np.arange(len(labels))
        p = np.array([e.p for e in ests])
        lo = np.array([e.lo for e in ests])
        hi = np.array([e.hi for e in ests])
        ax.bar(x, p, color=colors, alpha=0.85)
        ax.errorbar(x, p, yerr=[np.clip(p - lo, 0, None), np.clip(hi - p, 0, None)], fmt="none",
                    ecolor="k", capsize=3, lw=1)
        ax.axhline(cr.estimate.p, color="k", ls=":", lw=0.8)
        ax.set_ylim(0, 1.05)
        ax.set_xticks(x, labels, fontsize=8, rotation=20)
        ax.set_ylabel("P(claim holds)", fontsize=8)
        ax.set_title(cr.name, fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def prim_chart(cr: ClaimResult, path: Path) -> Path:
    """PRIM's peeling trajectory: density vs coverage of each box, the chosen box marked."""
    from ...viz.common import new_figure, save
    fig = new_figure(5.0, 3.6)
    ax = fig.subplots()
    tr = cr.prim.trajectory
    sc = ax.scatter(tr["coverage"], tr["density"], c=tr["n_restricted"], cmap="viridis", s=14)
    fig.colorbar(sc, ax=ax, label="parameters restricted")
    for i, b in enumerate(cr.prim.boxes):
        ax.scatter([b.coverage], [b.density], marker="*", s=160, color="#d62728", zorder=5)
        ax.annotate(f"box {i + 1}", (b.coverage, b.density), xytext=(5, 5), textcoords="offset points",
                    fontsize=8)
    ax.axhline(cr.prim.base_rate, color="k", ls=":", lw=0.8, label="all runs")
    ax.set_xlabel("coverage (share of runs where it holds that fall in the box)", fontsize=8)
    ax.set_ylabel("density (share of box runs where it holds)", fontsize=8)
    ax.set_title(f"{cr.name}: PRIM peeling trajectory", fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return save(fig, path)


# ----- the report ----------------------------------------------------------------------------
def _pct(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.0%}"


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    a = abs(x)
    if a != 0 and (a < 0.01 or a >= 1e5):
        return f"{x:.3g}"
    return f"{x:,.3f}".rstrip("0").rstrip(".") if a < 10 else f"{x:,.1f}"


def _p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _p_is(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _param_label(key: str) -> str:
    from ...config import param_specs
    spec = param_specs().get(key)
    return f"`{key}`" + (f" ({spec.unit})" if spec is not None and spec.unit else "")


def _range_text(ax) -> str:
    if ax.values is not None:
        return "one of " + ", ".join(repr(v) for v in ax.values)
    if ax.dist == "normal":
        return f"normal(mean {ax.mean:g}, sd {ax.sd:g})"
    text = f"{ax.lo:g} – {ax.hi:g}"
    if ax.dist == "loguniform":
        text += ", log-uniform"
    elif ax.dist == "triangular":
        text += f", triangular (mode {ax.mode:g})"
    elif ax.dist == "truncnormal":
        text += f", truncated normal (mean {ax.mean:g}, sd {ax.sd:g})"
    return text


def _verdict(cr: ClaimResult) -> str:
    e = cr.estimate
    if e.n == 0:
        return "**undetermined** — the claim could not be evaluated in any run"
    return (f"**{verdict(e)}**: holds in {e.k} of {e.n} runs, P = {_pct(e.p)} "
            f"(95% interval {_pct(e.lo)}–{_pct(e.hi)})")


def _drivers_text(cr: ClaimResult) -> str:
    """Significant drivers first, in words; the rest in one line."""
    parts = [f"With every class on the claim holds in {_pct(cr.estimate.p)} of runs."]
    quiet, undefined = [], []
    for cls, ch in sorted(cr.drivers.items(), key=lambda kv: kv[1].p_value):
        if ch.off.n == 0:
            undefined.append(cls)
        elif ch.p_value < SIGNIFICANCE and ch.delta < 0:
            parts.append(f"Switching **{cls}** off lowers it to {_pct(ch.off.p)} (McNemar {_p_is(ch.p_value)}): "
                         "this loop helps make the claim true.")
        elif ch.p_value < SIGNIFICANCE and ch.delta > 0:
            parts.append(f"Switching **{cls}** off raises it to {_pct(ch.off.p)} (McNemar {_p_is(ch.p_value)}): "
                         "this loop works against the claim.")
        else:
            quiet.append(cls)
    if quiet:
        parts.append("No detectable effect of switching off: " + ", ".join(quiet) + ".")
    if undefined:
        parts.append("Not defined with " + ", ".join(undefined) + " off (the claim reads what that "
                     "class does).")
    return " ".join(parts)


def _boxes_md(pr: PrimResult | None, what: str, base_k: int, base_n: int, axes: dict) -> list[str]:
    """PRIM boxes as Markdown; `what` names the outcome ("the claim holds")."""
    L = []
    if pr is None or not pr.boxes:
        why = ("too few defined runs" if pr is None else
               f"{what} in every run or in none" if base_k in (0, base_n)
               else f"no box of parameters concentrates the runs where {what} beyond chance")
        return [f"No box found: {why}.\n"]
    L.append(f"Overall {what} in {_pct(pr.base_rate)} of runs. A box is a set of parameter ranges; "
             f"*density* = share of its runs where {what}, *coverage* = share of all runs where {what} "
             "that fall inside it, *mass* = share of all runs inside it. Restrictions whose quasi-p-value "
             "(binomial test of the box against the box without that restriction) exceeds 0.05 are "
             "dropped.\n")
    for i, b in enumerate(pr.boxes):
        L.append(f"Box {i + 1}: density {_pct(b.density)}, coverage {_pct(b.coverage)}, mass {_pct(b.mass)} "
                 f"({b.hits} of {b.n} runs).\n")
        L.append("| parameter | box range | sampled range | quasi-p |")
        L.append("|---|---|---|---|")
        for k, (lo, hi) in b.limits().items():
            L.append(f"| {_param_label(k)} | {_num(lo)} – {_num(hi)} | {_range_text(axes[k])} | "
                     f"{_p(b.quasi_p.get(k, math.nan))} |")
        L.append("")
    return L


def _ranking_md(ranking: pd.DataFrame, what: str) -> list[str]:
    if not len(ranking):
        return ["No parameter ranking: the outcome is the same in every run.\n"]
    L = [f"**Parameter ranking** (how differently each parameter is distributed in runs where {what} "
         "vs not: Kolmogorov–Smirnov distance, 0 = no influence, 1 = perfect separation):\n",
         f"| rank | parameter | KS distance | p-value | {what} with |", "|---|---|---|---|---|"]
    for i, r in ranking.iterrows():
        fav = {"higher": "higher values", "lower": "lower values"}.get(r["direction"], "—")
        L.append(f"| {i + 1} | {_param_label(r['parameter'])} | {r['ks']:.2f} | {_p(r['p_value'])} | {fav} |")
    L.append("")
    return L


def render_report(res: StressResult) -> str:
    n = res.narrative
    src = n.source
    on = res.runs[res.runs["off"] == ALL_ON]
    axes = {a.key: a for a in n.spec.axes}
    L: list[str] = []
    L.append(f"# Stress test: {n.title}\n")
    L.append(f"*Narrative `{n.name}` · scenario `{n.scenario.name}` · {n.days} trading days · "
             f"{n.spec.n} parameter samples × {len(n.spec.seeds)} seeds = {len(on)} runs, and the same "
             f"runs with each of {len(n.switch_off)} agent classes switched off "
             f"({len(res.runs)} runs in all)*\n")
    L.append("## The narrative\n")
    L.append(n.what + "\n")
    for i, q in enumerate([src, *src.also]):
        L.append(f"**{'Source' if i == 0 else 'Also'}:** seed note `{q.note}`, passage `{q.passage_id}` "
                 "(docs/seed_passages.md):\n")
        L.append("> " + "\n> ".join(q.passage.splitlines()) + f"\n>\n> *{q.translation}*\n")
    L.append(f"**Scenario `{n.scenario.name}`:** {n.scenario.title}.\n")
    L.append("## Verdict\n")
    L.append("| claim | what it says | P(holds) [95% CI] | verdict |")
    L.append("|---|---|---|---|")
    for cr in res.claims:
        L.append(f"| `{cr.name}` | {cr.says} | {cr.estimate} | {verdict(cr.estimate)} |")
    L.append("")
    L.append("Verdicts use the IPCC's calibrated language for the whole 95% (Wilson) interval, so a "
             "finite number of runs never overclaims: *very likely* = the interval lies above 90%, "
             "*likely* above 66%, *unlikely* below 33%, *very unlikely* below 10%, *virtually certain* / "
             "*exceptionally unlikely* above 99% / below 1%; an interval reaching across is *about as "
             "likely as not*. Each run draws the uncertain parameters below and its own random numbers.\n")
    if res.failed_runs:
        L.append(f"⚠ {res.failed_runs} runs failed and are left out (see runs.parquet).\n")
    if res.instability is not None:
        inst = res.instability
        L.append(f"⚠ **{inst.estimate.k} of {inst.estimate.n} runs went past the leverage-cycle "
                 "instability**: the market had to cap flows larger than it can absorb, or moves beyond "
                 f"its guard, on more than {PERSISTENT_CAPPING:.0%} of their days (MODEL.md §6.4). Prices "
                 "in such runs are guarded numbers, not market outcomes, so they are left out of every "
                 "probability, box and chart above and below. Counting them the probabilities would be: "
                 + "; ".join(f"`{cr.name}` {cr.with_unstable}" for cr in res.claims if cr.with_unstable)
                 + ". Where they lie: [Where the model goes unstable](#where-the-model-goes-unstable).\n")
    L.append("### Uncertain parameters\n")
    L.append("| parameter | sampled range |")
    L.append("|---|---|")
    for ax in n.spec.axes:
        L.append(f"| {_param_label(ax.key)} | {_range_text(ax)} |")
    if n.spec.overrides:
        L.append("\nFixed on top of the scenario: " + ", ".join(f"`{k}` = {v}" for k, v in n.spec.overrides.items()))
    L.append("")
    L.append("## Drivers: which loop makes it true\n")
    L.append("Each run is repeated with one agent class switched off, same seed and same parameters "
             "(common random numbers). A class *drives* the claim when switching it off changes the "
             "outcome in one direction far more often than in the other (McNemar's exact test on the "
             "paired runs, p < 0.05). Pairs in which either run is undefined are left out.\n")
    L.append("![probability with each class switched off](drivers.png)\n")
    for cr in res.claims:
        L.append(f"### `{cr.name}`\n")
        L.append(_drivers_text(cr) + "\n")
        L.append("| switched off | P(holds) [95% CI] | change | runs lost / gained | McNemar p |")
        L.append("|---|---|---|---|---|")
        for c, ch in cr.drivers.items():
            change = "n/a" if ch.off.n == 0 else f"{ch.delta:+.0%}"
            L.append(f"| {c} | {ch.off} | {change} | {ch.lost} / {ch.gained} | {_p(ch.p_value)} |")
        L.append("")
    L.append("## Claims in detail\n")
    for cr in res.claims:
        L.append(f"### `{cr.name}` — {_verdict(cr)}\n")
        L.append(f"{cr.says}\n")
        L.append(f"Claim: `{cr.text}`\n")
        if cr.undefined:
            L.append(f"In {cr.undefined} runs the claim could not be evaluated (e.g. an empty window "
                     "or a flat series) and is left out.\n")
        L.append("What the runs measured (5th percentile / median / 95th percentile over the runs "
                 "with every class on):\n")
        L.append("| comparison | left side | right side |")
        L.append("|---|---|---|")
        for t in cr.terms:
            fmt = lambda q: _num(q[0]) if len(set(q)) == 1 else " / ".join(_num(v) for v in q)  # noqa: E731
            L.append(f"| `{t['text']}` | {fmt(t['left'])} | {fmt(t['right'])} |")
        L.append("")
        L.append("**Where in parameter space it holds (PRIM scenario discovery).** ")
        L += _boxes_md(cr.prim, "the claim holds", cr.estimate.k, cr.estimate.n, axes)
        if cr.prim is not None and cr.prim.boxes:
            L.append(f"![PRIM trajectory for {cr.name}](prim_{cr.name}.png)\n")
        L += _ranking_md(cr.ranking, "the claim holds")
        L.append(f"![fan charts for {cr.name}](fan_{cr.name}.png)\n")
        L.append(f"*Fan charts: median (line) and 5–95% band of {', '.join(f'`{s}`' for s in n.series)} "
                 "over the runs where the claim holds (blue) and where it fails (red); dotted lines "
                 "mark the scenario's shocks.*\n")
    if res.instability is not None:
        inst = res.instability
        L.append("## Where the model goes unstable\n")
        L.append(f"{inst.estimate.k} of {inst.estimate.n} runs with every class on "
                 f"({_pct(inst.estimate.p)}) went past the instability. With one class switched off: "
                 + ", ".join(f"{c} off {_pct(e.p)}" for c, e in inst.by_class.items()) + ".\n")
        L += _boxes_md(inst.prim, "the run goes unstable", inst.estimate.k, inst.estimate.n, axes)
        L += _ranking_md(inst.ranking, "the run goes unstable")
    if n.look_at:
        L.append("## What to look at\n")
        L.append(n.look_at + "\n")
    L.append("## How this was computed\n")
    L.append(f"Parameters were sampled by a Latin hypercube ({n.spec.n} points, design seed "
             f"{n.spec.design_seed}), each run with seeds {', '.join(map(str, n.spec.seeds))}. Claims are "
             "evaluated on each run's time series, flow table, event table and summary metrics with "
             "the claim language of `interlock.experiments.claims` (docs/stress.md). Probabilities "
             "use Wilson score intervals; on/off comparisons McNemar's exact test; scenario "
             "discovery PRIM (Friedman & Fisher 1999; peeling 5%, pasting, one-standard-error box "
             "choice); the ranking regional sensitivity analysis (Spear & Hornberger 1980). "
             "All numbers are in `results.json`; every run is a row of `runs.parquet`.\n")
    return "\n".join(L)


def results_json(res: StressResult) -> dict:
    def est(e: Estimate) -> dict:
        return {"k": e.k, "n": e.n, "p": e.p, "lo": e.lo, "hi": e.hi}
    out = {"narrative": res.narrative.name, "scenario": res.narrative.scenario.name,
           "days": res.narrative.days, "samples": res.narrative.spec.n,
           "seeds": list(res.narrative.spec.seeds), "runs": int(len(res.runs)),
           "failed_runs": res.failed_runs, "claims": {}}
    for cr in res.claims:
        out["claims"][cr.name] = {
            "claim": cr.text, "says": cr.says, **est(cr.estimate), "verdict": verdict(cr.estimate),
            "undefined": cr.undefined, "terms": cr.terms,
            "drivers": {c: {"off": est(ch.off), "delta": ch.delta, "lost": ch.lost, "gained": ch.gained,
                            "p_value": ch.p_value} for c, ch in cr.drivers.items()},
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


def write_outputs(res: StressResult, out: str | Path) -> Path:
    """Write the figures, tables, results.json and report.md into `out`."""
    from ..runner import PARQUET_OPTS, dumps_json
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res.out = out
    runs = res.runs.copy()
    for ax in res.narrative.spec.axes:          # listed values may be text: store them as text
        if runs[ax.key].dtype == object:
            runs[ax.key] = runs[ax.key].map(repr)
    runs.to_parquet(out / "runs.parquet", **PARQUET_OPTS)
    res.series.to_parquet(out / "series.parquet", **PARQUET_OPTS)
    drivers_chart(res, out / "drivers.png")
    for cr in res.claims:
        fan_chart(res, cr, out / f"fan_{cr.name}.png")
        if cr.prim is not None and cr.prim.boxes:
            prim_chart(cr, out / f"prim_{cr.name}.png")
    (out / "results.json").write_text(dumps_json(results_json(res)), encoding="utf-8")
    (out / "report.md").write_text(render_report(res), encoding="utf-8")
    return out


# ----- running a stress test on the sweep engine ---------------------------------------------
ON_DIR = Path("runs") / "all_on"
OFF_DIR = Path("runs") / "switched_off"


def plan_jobs(narrative: Narrative) -> tuple[list, list]:
    """The runs of a stress test as sweep jobs: every (point, seed) with every class on, and the
    same (point, seed) with each class of `switch_off` off in turn. point_id and seed pair them."""
    from ..sweeps.engine import Job
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


def _table(folder: Path) -> pd.DataFrame:
    from ..sweeps.engine import read_params, read_summary
    params = read_params(folder)
    summary = read_summary(folder).drop(columns=["point_id", "seed"])
    runs = params.merge(summary, on="run_id", how="left")
    runs.insert(1, "run", runs["run_id"])
    runs["off"] = runs["disabled"].fillna("").astype(str)
    return runs


def stress(narrative, out: str | Path, *, samples: int | None = None, seeds: int | None = None,
           days: int | None = None, workers: int | None = None, dask: str | None = None,
           resume: bool = False, progress: bool = True) -> StressResult:
    """Run a narrative's stress test into `out` (report.md and its figures, the run tables) and
    return the analysis. `narrative` is a shipped name, a path or a loaded Narrative; `samples`,
    `seeds`, `days` override its [run] table; `workers` / `dask` choose the sweep executor;
    `resume` finishes (or re-reports) a stress test already in `out`."""
    from .narratives import load_narrative
    from ..sweeps.engine import execute, read_timeseries
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
    runs = pd.concat(frames, ignore_index=True)
    failed = int((runs["status"] != "ok").sum())
    for c in narr.claims:                   # a failed run has no outcome
        if claim_column(c.name) not in runs:
            runs[claim_column(c.name)] = math.nan
    series = read_timeseries(out / ON_DIR).rename(columns={"run_id": "run"})
    res = analyse(narr, runs, series)
    res.failed_runs = failed
    write_outputs(res, out)
    return res
