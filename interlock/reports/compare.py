"""The report of a comparison (`experiments.compare`): `differences.png` (difference fan charts),
`effects.csv`, `attribution.csv`, `compare.json` and an interactive, offline `report.html`.

`compare(plan, out)` runs the paired runs and writes everything: what `interlock compare` does."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..experiments.compare import CompareResult, Plan, run_compare, write_tables
from ..viz.compare import fan_png, fan_spec, interval_spec
from .html import write_page


def compare(p: Plan, out: str | Path, **options) -> CompareResult:
    """Run `p` into `out` (see `experiments.compare.run_compare` for the options) and write its
    tables, figures and report.html."""
    res = run_compare(p, out, **options)
    write_report(res, out)
    return res


def _shocks(p: Plan) -> list[dict]:
    return [{"type": s.type_name, "at": s.at} for s in p.scenario.shocks]


def _ci(r) -> str:
    if not math.isfinite(r["mean"]):
        return "n/a"
    if not (math.isfinite(r["lo"]) and math.isfinite(r["hi"])):
        return f"{r['mean']:+.2f} (one seed: no interval)"
    return f"{r['mean']:+.2f} [{r['lo']:+.2f}, {r['hi']:+.2f}]"


def effects_view(res: CompareResult) -> pd.DataFrame:
    """The effect table as printed: asset, measure, unit, mean [95% CI], 5–95% of seeds."""
    e = res.effects
    return pd.DataFrame({"asset": e["asset"], "measure": e["measure"], "unit": e["unit"],
                         "mean [95% CI]": [_ci(r) for _, r in e.iterrows()],
                         "5–95% of seeds": [f"{a:+.2f} … {b:+.2f}" if math.isfinite(a) else "n/a"
                                            for a, b in zip(e["q05"], e["q95"])],
                         "seeds": e["n"]})


def write_report(res: CompareResult, out: str | Path) -> Path:
    out = Path(out)
    p = res.plan
    write_tables(res, out)
    title = f"{p.scenario.name} vs {p.base.name}"
    fan_png(res.fans, p.series, res.units, out / "differences.png",
            f"{title}: scenario − base over {len(p.seeds)} seeds (same seed both sides)", _shocks(p))
    blocks: list = [
        ("p", f"{p.scenario.title or p.scenario.name} — compared with {p.base.name} over seeds "
              f"{p.seeds[0]}…{p.seeds[-1]} ({len(p.seeds)} paired runs of {p.days} days; both sides of a pair "
              "use the same seed, so their difference is the scenario's effect on that seed)."),
    ]
    if p.overrides:
        blocks.append(("note", "Parameters changed on both sides: "
                               + ", ".join(f"{k} = {v}" for k, v in p.overrides.items())))
    if res.failed_runs or res.unstable_runs:
        left = ("counted in every statistic (--include-unstable)" if res.include_unstable
                else "left out with their pairs (--include-unstable counts them)")
        blocks.append(("note", f"⚠ {res.failed_runs} runs failed and are left out with their pairs; "
                               f"{res.unstable_runs} runs had a guard bind (unstable): {left}."))
    blocks.append(("h2", "Differences by day"))
    blocks.append(("note", "Median (line) and 5–95% band over seeds of scenario − base; prices as % of the "
                           "base's level, VOL_1M in vol points, yields in basis points. Dotted lines: "
                           "the scenario's shocks. Drag to zoom, double-click to reset, hover for values."))
    for s in p.series:
        if (res.fans["series"] == s).any():
            blocks.append(("chart", fan_spec(res.fans, s, res.units[s], _shocks(p))))
    blocks.append(("h2", "Effect per asset"))
    blocks.append(("note", "Scenario − base per seed, in percentage points of total return and of maximum "
                           "drawdown (a positive drawdown difference is a deeper fall), and VOL_1M's peak "
                           "in vol points: the mean over seeds with its 95% t-interval, and the 5–95% "
                           "range of the seeds."))
    blocks.append(("table", effects_view(res)))
    t = res.effects.copy()
    t["label"] = t["asset"] + " · " + t["measure"] + " (" + t["unit"] + ")"
    blocks.append(("chart", interval_spec(t, "Effect: mean and 95% interval", "scenario − base")))
    if len(res.attribution):
        blocks.append(("h2", "Which classes carry the effect"))
        blocks.append(("note", "Every pair is run again with one agent class switched off on both sides "
                               "(same seed). A class's share of the effect is the effect with every class "
                               "on minus the effect with it off: positive = the class adds to the "
                               "difference. Mean over seeds and 95% t-interval; click the legend to "
                               "toggle classes. The charts show the effect on returns (and VOL_1M's peak); "
                               "the table below also has the drawdowns."))
        a = res.attribution.copy()
        for asset in dict.fromkeys(a["asset"]):
            one = a[(a["asset"] == asset) & a["measure"].isin(["return", "peak"])]
            unit = "return, pp" if asset != "VOL_1M" else "peak, vol points"
            blocks.append(("chart", interval_spec(one.assign(label=one["class"]),
                                                  f"{asset}: the effect on its {unit.split(',')[0]} carried by each class",
                                                  f"Δ(all on) − Δ(class off), {unit.split(', ')[1]}",
                                                  color="class")))
        view = a[["class", "asset", "measure", "unit"]].copy()
        view["share of the effect [95% CI]"] = [_ci(r) for _, r in a.iterrows()]
        blocks.append(("table", view))
    blocks.append(("note", "Files: effects.csv, attribution.csv, differences.parquet (every seed's "
                           "difference by day), compare.json, differences.png, runs/ (the sweep of "
                           "paired runs)."))
    return write_page(out / "report.html", f"Compare: {title}", blocks)
