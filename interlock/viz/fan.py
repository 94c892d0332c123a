"""Fan charts across the runs of a sweep or stress test (fan.png): per day, the median and the
5–95% and 25–75% bands of the key series over runs; one fan per scenario when the runs cover
several.

Accepts a sweep folder (`timeseries/part-*.parquet` or, while it runs, `parts/timeseries-*`,
with `params.parquet` naming each run's scenario) or a folder of run folders (each with
`summary.json` and `timeseries.parquet`, as `interlock run` writes them).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..experiments.scenarios import load_scenario
from .common import Drawn, mark_shocks, new_figure, save
from .style import series_info

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# Fans are groups (scenarios or levels of a swept parameter), not agent classes: greys and dark
# hues kept off the class palette (viz.style), so red still means vol-target funds.
FAN_COLORS = ["#000000", "#08306b", "#e6ab02", "#6a3d9a", "#01665e", "#8c510a"]
# (column, title, unit, how): units and scales from viz.style (one unit per series in every
# figure); "rebased" = 100 at the run's first kept day; "pct" = × 100
_SHOWN = ["SPX", "VOL_1M", "spx_drawdown", "policy_rate", "BTC", "NVDA", "liquidations_bn", "utilisation"]


def _series_row(col: str) -> tuple[str, str, str, str]:
    info = series_info(col, ("SPX", "BTC", "NVDA"))
    how = "rebased" if info.how == "rebased" else ("pct" if info.scale == 100.0 else "level")
    return col, info.label, info.unit, how


SERIES = [_series_row(c) for c in _SHOWN]
MAX_PANELS = 6
MAX_GROUPS = len(FAN_COLORS)          # more fans than this on one panel would not be readable


def is_ensemble(folder: str | Path) -> bool:
    """Whether `folder` looks like a sweep or a folder of run folders."""
    d = Path(folder)
    return ((d / "timeseries").is_dir() or (d / "parts").is_dir() or (d / "params.parquet").exists()
            or any((c / "summary.json").exists() for c in d.iterdir() if c.is_dir()))


def _scenario_shocks(name: str) -> list[dict]:
    """The shocks of a shipped scenario (for annotations), or none if it cannot be loaded."""
    try:
        return [{"type": s.type_name, "at": s.at} for s in load_scenario(name).shocks]
    except InputError:
        return []


def _group_labels(params: pd.DataFrame) -> dict | None:
    """run_id → fan label: by scenario when the sweep covers several, else by the one swept
    parameter when it takes a few values (a grid); None for one fan over all runs."""
    if "scenario" in params and params["scenario"].nunique() > 1:
        return dict(zip(params["run_id"], params["scenario"].astype(str)))
    fixed = {"run_id", "point_id", "seed", "scenario", "days", "disabled", "status", "error"}
    varied = [c for c in params.columns if c not in fixed and params[c].nunique() > 1]
    if len(varied) == 1 and params[varied[0]].nunique() <= MAX_GROUPS:
        key = varied[0]
        return {r: f"{key} = {v:g}" if isinstance(v, float) else f"{key} = {v}"
                for r, v in zip(params["run_id"], params[key])}
    return None


def load_ensemble(folder: str | Path) -> tuple[pd.DataFrame, list[dict]]:
    """The runs' time series in long form (columns run, group, day, series…) and the shocks of
    the first run (for annotations)."""
    d = Path(folder)
    files = sorted((d / "timeseries").glob("part-*.parquet")) or sorted((d / "parts").glob("timeseries-*.parquet"))
    shocks: list[dict] = []
    if files:
        ts = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True).rename(columns={"run_id": "run"})
        group = pd.Series("all runs", index=ts.index)
        if (d / "params.parquet").exists():
            params = pd.read_parquet(d / "params.parquet")
            label = _group_labels(params)
            if label is not None:
                group = ts["run"].map(label)
            if "scenario" in params and params["scenario"].nunique() == 1 and len(params):
                shocks = _scenario_shocks(str(params["scenario"].iat[0]))
        return ts.assign(group=group.to_numpy()), shocks
    runs = []
    for i, sub in enumerate(sorted(c for c in d.iterdir() if (c / "summary.json").exists())):
        summary = json.loads((sub / "summary.json").read_text(encoding="utf-8"))
        t = pd.read_parquet(sub / "timeseries.parquet")
        runs.append(t.assign(run=i, group=summary.get("scenario", "runs")))
        shocks = shocks or summary.get("shocks", [])
    if not runs:
        raise InputError("no runs found: expected a sweep folder (timeseries/part-*.parquet) or a folder "
                         "of run folders (each with summary.json)", file=str(d))
    ts = pd.concat(runs, ignore_index=True)
    if ts["group"].nunique() == 1:
        ts["group"] = "all runs"
    return ts, shocks


def _transform(ts: pd.DataFrame, col: str, how: str) -> pd.Series:
    v = ts[col].astype(float)
    if how == "rebased":
        first = ts.groupby("run")[col].transform("first")
        return 100.0 * v / first
    return 100.0 * v if how == "pct" else v


def fan_data(ts: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per series: the quantiles over runs by day and group (columns group, day, q05…q95, n)."""
    out = {}
    for col, _, _, how in SERIES:
        if col not in ts or ts[col].isna().all():
            continue
        v = ts.assign(value=_transform(ts, col, how))
        g = v.groupby(["group", "day"])["value"]
        q = g.quantile(list(QUANTILES)).unstack()
        q.columns = [f"q{int(round(100 * c)):02d}" for c in q.columns]
        q["n"] = g.count()
        out[col] = q.reset_index()
        if len(out) == MAX_PANELS:
            break
    return out


def fan(folder: str | Path, path: str | Path, dpi: int = 100) -> Drawn:
    """Write fan charts of the runs in `folder` (sweep or folder of runs) to `path`."""
    ts, shocks = load_ensemble(folder)
    data = fan_data(ts)
    if not data:
        raise InputError("the runs kept none of the series a fan chart shows "
                         f"({', '.join(c for c, *_ in SERIES)})", file=str(folder))
    n = len(data)
    ncol = 2 if n > 1 else 1
    nrow = int(np.ceil(n / ncol))
    fig = new_figure(7.5 * ncol, 3.6 * nrow + 0.8)
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    meta = {c: (t, u) for c, t, u, _ in SERIES}
    groups = list(dict.fromkeys(ts["group"]))
    for ax, (col, q) in zip(axes, data.items()):
        for i, grp in enumerate(groups):
            part = q[q["group"] == grp]
            if part.empty:
                continue
            color = FAN_COLORS[i % len(FAN_COLORS)]
            x = part["day"].to_numpy()
            ax.fill_between(x, part["q05"], part["q95"], color=color, alpha=0.15, lw=0,
                            label="5–95%" if i == 0 else None)
            ax.fill_between(x, part["q25"], part["q75"], color=color, alpha=0.3, lw=0,
                            label="25–75%" if i == 0 else None)
            ax.plot(x, part["q50"], color=color, lw=1.6, label=f"median, {grp} (n={int(part['n'].max())})")
        title, unit = meta[col]
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.set_xlabel("trading day")
        ax.legend(fontsize=7, loc="best")
    for ax in axes[n:]:
        ax.set_visible(False)
    # shock days: dotted lines on every panel, named once in the title (a label on each panel
    # would run into the legends)
    mark_shocks(axes[:n], {"shocks": shocks})
    named = {}
    for sh in shocks:
        named.setdefault(int(sh["at"]), []).append(sh["type"])
    shock_text = "; ".join(f"{' + '.join(dict.fromkeys(t))} on day {d}" for d, t in sorted(named.items()))
    runs = ts["run"].nunique()
    fig.suptitle(f"Fan charts over {runs} runs of {Path(folder).name}: median, 25–75% and 5–95% bands"
                 + (f"\ndotted: {shock_text}" if shock_text else ""), fontsize=12)
    fig.subplots_adjust(left=0.08 / ncol * 1.4, right=0.98, bottom=0.8 / (3.6 * nrow + 0.8),
                        top=1 - 0.7 / (3.6 * nrow + 0.8), wspace=0.22, hspace=0.45)
    return Drawn(save(fig, path, dpi=dpi), data)
