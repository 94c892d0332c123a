"""The report of a narrative stress test: `report.md` beside its figures (`drivers.png`,
`fan_<claim>.png`, `prim_<claim>.png`), rendered from what `experiments.stress.engine` measured.

`stress(narrative, out)` runs the test (`engine.run_stress`) and writes the report: what
`interlock stress` does. `write_report(result, out)` renders an analysed `StressResult`;
`render_report(result)` is the Markdown text alone."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..config import param_specs
from ..experiments.stress.discovery import PrimResult
from ..experiments.stress.engine import (ALL_ON, PERSISTENT_CAPPING, SHOCK_OFF, SIGNIFICANCE, ClaimResult,
                                         StressResult, run_stress, runs_to_settle, verdict, verdict_reason)
from ..experiments.stress.narratives import Narrative
from ..experiments.stress.engine import claim_column
from ..viz.compare import group_fan_spec, interval_spec
from ..viz.stress_figures import HOLDS_COLOR, FAILS_COLOR, drivers_chart, fan_chart, prim_chart
from .html import write_page


def stress(narrative: Narrative | str | Path, out: str | Path, **options) -> StressResult:
    """Run a narrative's stress test into `out` and write its report there (see
    `engine.run_stress` for the options); returns the analysis."""
    res = run_stress(narrative, out, **options)
    write_report(res, out)
    return res


def write_report(res: StressResult, out: str | Path) -> Path:
    """Draw the figures and write report.md into `out`; returns the report's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    drivers_chart(res, out / "drivers.png")
    for cr in res.claims:
        fan_chart(res, cr, out / f"fan_{cr.name}.png")
        if cr.prim is not None and cr.prim.boxes:
            prim_chart(cr, out / f"prim_{cr.name}.png")
    path = out / "report.md"
    path.write_text(render_report(res), encoding="utf-8")
    write_html(res, out / "report.html")
    return path


def _series_view(res: StressResult, col: str) -> tuple[pd.Series, str]:
    """A fan series in its one unit: prices rebased to 100 at day 0, vol in vol points."""
    s = res.series[["run", "day", col]].copy()
    if col in set(res.narrative.schema.assets):
        first = s.sort_values("day").groupby("run")[col].transform("first")
        return s.assign(v=100.0 * s[col] / first), f"{col} (start = 100)"
    if col.startswith("VOL_"):
        return s.assign(v=100.0 * s[col]), f"{col} (vol points)"
    return s.assign(v=s[col]), col


def write_html(res: StressResult, path: str | Path) -> Path:
    """report.html: the verdicts with their reasons, each claim's probability with every class on,
    each class off and the shocks off (95% intervals), and fans of the key series over the runs where
    the claim holds vs fails — interactive and offline (`reports.html`)."""
    n = res.narrative
    on = res.runs[res.runs["off"] == ALL_ON]
    shocks = [{"type": s.type_name, "at": s.at} for s in n.scenario.shocks]
    blocks: list = [("p", n.what), ("h2", "Verdict"),
                    ("table", pd.DataFrame({
                        "claim": [c.name for c in res.claims], "says": [c.says for c in res.claims],
                        "P(holds) [95% CI]": [str(c.estimate) for c in res.claims],
                        "verdict": [verdict(c.estimate) for c in res.claims],
                        "why": [verdict_reason(c.estimate).replace("*", "") for c in res.claims]}))]
    blocks.append(("h2", "Drivers"))
    blocks.append(("note", "P(claim holds) with every class on, with each class switched off, and with the "
                           "scenario's shocks off (same seeds and parameters); bars are 95% Wilson intervals. "
                           "Hover for the numbers."))
    for cr in res.claims:
        rows = [("all on", cr.estimate, "all on")] + [
            ("shocks off" if c == SHOCK_OFF else f"{c} off", ch.off, c) for c, ch in cr.drivers.items()]
        t = pd.DataFrame({"label": [r[0] for r in rows], "mean": [r[1].p for r in rows],
                          "lo": [r[1].lo for r in rows], "hi": [r[1].hi for r in rows],
                          "n": [r[1].n for r in rows], "switched off": [r[2] for r in rows]})
        blocks.append(("chart", interval_spec(t, f"{cr.name}: P(holds)", "probability", color="switched off")))
        blocks.append(("note", _drivers_text(cr).replace("**", "")))
    blocks.append(("h2", "Key series where the claim holds vs fails"))
    for cr in res.claims:
        groups = {"claim holds": set(on.loc[on[claim_column(cr.name)] == 1.0, "run"]),
                  "claim fails": set(on.loc[on[claim_column(cr.name)] == 0.0, "run"])}
        for col in n.series:
            s, label = _series_view(res, col)
            parts = []
            for g, runs in groups.items():
                sub = s[s["run"].isin(runs)]
                if len(sub):
                    q = sub.groupby("day")["v"].quantile([0.05, 0.5, 0.95]).unstack()
                    parts.append(pd.DataFrame({"day": q.index, "group": g, "q05": q[0.05].to_numpy(),
                                               "q50": q[0.5].to_numpy(), "q95": q[0.95].to_numpy()}))
            if parts:
                blocks.append(("chart", group_fan_spec(pd.concat(parts, ignore_index=True),
                                                       f"{cr.name}: {label}, median and 5–95% of runs", label,
                                                       {"claim holds": HOLDS_COLOR, "claim fails": FAILS_COLOR},
                                                       shocks)))
    blocks.append(("note", "Every number: results.json; every run: runs.parquet; the full text: report.md."))
    return write_page(path, f"Stress test: {n.title}", blocks)


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
            f"(95% interval {_pct(e.lo)}–{_pct(e.hi)}); {verdict_reason(e)}")


def _settle(ch) -> str:
    """"inconclusive: about N runs would settle it", or why no number can be given."""
    if ch.lost + ch.gained == 0:
        return f"no pair changed its outcome in {ch.on.n} runs"
    if ch.lost == ch.gained:
        return f"{ch.lost} pairs changed each way: no direction to extrapolate"
    n = runs_to_settle(ch.lost, ch.gained, ch.on.n)
    return (f"inconclusive: about {n:,} runs would settle it" if n is not None
            else "inconclusive: the change is too rare for a feasible number of runs to settle it")


def _shocks_off_text(ch) -> str:
    """The sentence on a shocks-off row that is not significant, agreeing with the table's reading
    (`_settle`): "about as often" only when the shares cannot be told apart by any feasible sample
    (no pair changed, the changes cancel, or the difference is too small for 100,000 runs to show);
    otherwise the test is inconclusive: the shares differ but the sample is too small to tell."""
    shares = f"{_pct(ch.off.p)} of runs without its shocks against {_pct(ch.on.p)} with them"
    n = runs_to_settle(ch.lost, ch.gained, ch.on.n)
    if n is None:
        return (f"Without its shocks the scenario gives the claim about as often ({shares}; {_settle(ch)}): "
                "the claim does not show the shock's effect — the classes below make it true or not with "
                "or without the shock.")
    return (f"Without its shocks the scenario gives the claim in {shares}, but the sample is too small to "
            f"tell whether the shocks matter (McNemar {_p_is(ch.p_value)}; about {n:,} runs would settle it).")


def _drivers_text(cr: ClaimResult) -> str:
    """Significant drivers first, in words; then the rest, each with what would settle it."""
    parts = [f"With every class on the claim holds in {_pct(cr.estimate.p)} of runs."]
    quiet, undefined = [], []
    for cls, ch in sorted(cr.drivers.items(), key=lambda kv: kv[1].p_value):
        off = "Without **the scenario's shocks**" if cls == SHOCK_OFF else f"Switching **{cls}** off"
        if ch.off.n == 0:
            undefined.append(cls)
        elif ch.p_value < SIGNIFICANCE and ch.delta < 0:
            what = ("the shocks make the claim true" if cls == SHOCK_OFF else
                    "this loop helps make the claim true")
            parts.append(f"{off} it falls to {_pct(ch.off.p)} (McNemar {_p_is(ch.p_value)}): {what}.")
        elif ch.p_value < SIGNIFICANCE and ch.delta > 0:
            what = ("the shocks work against the claim" if cls == SHOCK_OFF else
                    "this loop works against the claim")
            parts.append(f"{off} it rises to {_pct(ch.off.p)} (McNemar {_p_is(ch.p_value)}): {what}.")
        else:
            quiet.append((cls, ch))
    if SHOCK_OFF in cr.drivers and cr.drivers[SHOCK_OFF].off.n and cr.drivers[SHOCK_OFF].p_value >= SIGNIFICANCE:
        parts.append(_shocks_off_text(cr.drivers[SHOCK_OFF]))
    if quiet:
        parts.append("No significant change (McNemar p ≥ 0.05) with " + "; ".join(
            f"{'the shocks' if c == SHOCK_OFF else c} off ({_pct(ch.off.p)}, {_settle(ch)})" for c, ch in quiet) + ".")
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
         "vs not: Kolmogorov–Smirnov distance, 0 = no influence, 1 = perfect separation):\n"]
    sig = ranking["p_value"] < SIGNIFICANCE
    if not sig.any():
        L.append(f"*Not significant:* no parameter separates the runs where {what} from the others "
                 f"(smallest p = {_p(float(ranking['p_value'].min()))} ≥ {SIGNIFICANCE}), so the order below "
                 "and any ties in it are chance, not a ranking of influence.\n")
    elif not sig.all():
        L.append(f"Only the parameters marked significant (p < {SIGNIFICANCE}) separate the runs; the order "
                 "of the others is chance.\n")
    L += [f"| rank | parameter | KS distance | p-value | {what} with |", "|---|---|---|---|---|"]
    for i, r in ranking.iterrows():
        fav = {"higher": "higher values", "lower": "lower values"}.get(r["direction"], "—")
        mark = " (significant)" if r["p_value"] < SIGNIFICANCE else " (not significant)"
        L.append(f"| {i + 1} | {_param_label(r['parameter'])} | {r['ks']:.2f} | {_p(r['p_value'])}{mark} | {fav} |")
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
             f"runs with each of {len(n.switch_off)} agent classes switched off"
             + (" and without the scenario's shocks" if (res.runs["off"] == SHOCK_OFF).any() else "")
             + f" ({len(res.runs)} runs in all)*\n")
    L.append("## The narrative\n")
    L.append(n.what + "\n")
    for i, q in enumerate([src, *src.also]):
        L.append(f"**{'Source' if i == 0 else 'Also'}:** seed note `{q.note}`, passage `{q.passage_id}` "
                 "(docs/seed_passages.md):\n")
        L.append("> " + "\n> ".join(q.passage.splitlines()) + f"\n>\n> *{q.translation}*\n")
    L.append(f"**Scenario `{n.scenario.name}`:** {n.scenario.title}.\n")
    L.append("## Verdict\n")
    L.append("| claim | what it says | P(holds) [95% CI] | verdict | why |")
    L.append("|---|---|---|---|---|")
    for cr in res.claims:
        L.append(f"| `{cr.name}` | {cr.says} | {cr.estimate} | {verdict(cr.estimate)} | "
                 f"{verdict_reason(cr.estimate)} |")
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
        what = (f"⚠ **{inst.estimate.k} of {inst.estimate.n} runs went past the leverage-cycle instability or "
                "had a guard bind** (unstable runs): the model reported a guard binding (summary.json's "
                "`stability`), or, for runs that do not report it, the market had to cap flows larger than it "
                f"can absorb, or moves beyond its guard, on more than {PERSISTENT_CAPPING:.0%} of their days "
                "(MODEL.md §6.4). Prices in such runs are guarded numbers, not market outcomes")
        if res.include_unstable:
            L.append(what + ", yet they are **counted** in every probability, box and chart of this report "
                     "(`--include-unstable`). Where they lie: "
                     "[Where the model goes unstable](#where-the-model-goes-unstable).\n")
        else:
            L.append(what + ", so they are left out of every probability, box and chart above and below "
                     "(`--include-unstable` counts them). Counting them the probabilities would be: "
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
             "(common random numbers), and once more without the scenario's shocks (the *shocks* row: "
             "what the claim gives with no shock at all, so a driver is never circular). A class "
             "*drives* the claim when switching it off changes the outcome in one direction far more "
             "often than in the other (McNemar's exact test on the paired runs, p < 0.05); a change "
             "that is not significant is *inconclusive*, with about how many runs, at the observed "
             "rate of changed outcomes, would settle it. Pairs in which either run is undefined are "
             "left out.\n")
    L.append("![probability with each class switched off](drivers.png)\n")
    for cr in res.claims:
        L.append(f"### `{cr.name}`\n")
        L.append(_drivers_text(cr) + "\n")
        L.append("| switched off | P(holds) [95% CI] | change | runs lost / gained | McNemar p | reading |")
        L.append("|---|---|---|---|---|---|")
        for c, ch in cr.drivers.items():
            change = "n/a" if ch.off.n == 0 else f"{ch.delta:+.0%}"
            name = "shocks (the scenario without its shocks)" if c == SHOCK_OFF else c
            reading = "n/a" if ch.off.n == 0 else ("significant" if ch.p_value < SIGNIFICANCE else _settle(ch))
            L.append(f"| {name} | {ch.off} | {change} | {ch.lost} / {ch.gained} | {_p(ch.p_value)} | {reading} |")
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
                 f"({_pct(inst.estimate.p)}) were unstable. With one class switched off: "
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
             "the claim language of `interlock.experiments.stress.claims` (docs/stress.md). Probabilities "
             "use Wilson score intervals; on/off comparisons McNemar's exact test; scenario "
             "discovery PRIM (Friedman & Fisher 1999; peeling 5%, pasting, one-standard-error box "
             "choice); the ranking regional sensitivity analysis (Spear & Hornberger 1980). "
             "All numbers are in `results.json`; every run is a row of `runs.parquet`.\n")
    return "\n".join(L)
