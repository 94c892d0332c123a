"""The figures of a narrative stress test (`interlock stress`, rendered by `reports.stress`):
fan charts of the runs where a claim holds vs fails, each claim's probability with every class on
and with each class off, and PRIM's peeling trajectory."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments.stress.engine import ALL_ON, ClaimResult, StressResult, claim_column
from .common import Drawn, class_color, mark_shocks, new_figure, save
from .style import FAILS_COLOR, HOLDS_COLOR, display, series_info

FAN_QUANTILES = (0.05, 0.5, 0.95)   # fan charts: median and the 5–95% band (issue #6)
MIN_GROUP_FOR_FAN = 1               # draw a group's fan when it has at least this many runs


def _fan(ax, frame: pd.DataFrame, column: str, color: str, label: str, assets) -> pd.DataFrame:
    """Median and 5–95% band over runs, in the series' display unit (viz.style: prices rebased to
    100, VOL in vol points, rates in %)."""
    wide = frame.pivot(index="day", columns="run", values=column)
    wide = wide.apply(lambda c: pd.Series(display(column, c.to_numpy(), assets), index=c.index))
    q = wide.quantile(list(FAN_QUANTILES), axis=1).T
    x = q.index.to_numpy()
    ax.fill_between(x, q.iloc[:, 0], q.iloc[:, 2], color=color, alpha=0.22, lw=0)
    ax.plot(x, q.iloc[:, 1], color=color, lw=1.5, label=f"{label} (n={wide.shape[1]})")
    return pd.DataFrame({"day": x, "p05": q.iloc[:, 0].to_numpy(), "median": q.iloc[:, 1].to_numpy(),
                         "p95": q.iloc[:, 2].to_numpy()})


def fan_chart(res: StressResult, cr: ClaimResult, path: str | Path) -> Drawn:
    """Median and 5–95% band of the key series over the runs where the claim holds vs fails;
    `data[column]` holds the bands drawn (day, group, p05, median, p95)."""
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
    data: dict[str, pd.DataFrame] = {}
    for ax, col in zip(axes, cols):
        drawn = []
        for group, color, label in ((holds, HOLDS_COLOR, "claim holds"), (fails, FAILS_COLOR, "claim fails")):
            frame = res.series[res.series["run"].isin(group)]
            if frame["run"].nunique() >= MIN_GROUP_FOR_FAN:
                drawn.append(_fan(ax, frame, col, color, label, assets).assign(group=label))
        data[col] = pd.concat(drawn, ignore_index=True) if drawn else pd.DataFrame()
        info = series_info(col, assets)
        ax.set_title(info.label, fontsize=10)
        ax.set_ylabel(info.unit, fontsize=8)
        ax.set_xlabel("trading day", fontsize=8)
        ax.tick_params(labelsize=8)
        if drawn:
            ax.legend(fontsize=7, loc="best")
        mark_shocks([ax], summary, label_axes=[ax])
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{cr.name}: median and 5–95% of runs where the claim holds vs fails", fontsize=11)
    fig.tight_layout()
    return Drawn(save(fig, path), data)


def drivers_chart(res: StressResult, path: str | Path) -> Path:
    """Probability of each claim with every class on and with each class switched off."""
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


def prim_chart(cr: ClaimResult, path: str | Path) -> Path:
    """PRIM's peeling trajectory: density vs coverage of each box, the chosen box marked."""
    fig = new_figure(5.0, 3.6)
    ax = fig.subplots()
    tr = cr.prim.trajectory
    sc = ax.scatter(tr["coverage"], tr["density"], c=tr["n_restricted"], cmap="viridis", s=14)
    fig.colorbar(sc, ax=ax, label="parameters restricted")
    for i, b in enumerate(cr.prim.boxes):
        ax.scatter([b.coverage], [b.density], marker="*", s=160, color=FAILS_COLOR, zorder=5)
        ax.annotate(f"box {i + 1}", (b.coverage, b.density), xytext=(5, 5), textcoords="offset points",
                    fontsize=8)
    ax.axhline(cr.prim.base_rate, color="k", ls=":", lw=0.8, label="all runs")
    ax.set_xlabel("coverage (share of runs where it holds that fall in the box)", fontsize=8)
    ax.set_ylabel("density (share of box runs where it holds)", fontsize=8)
    ax.set_title(f"{cr.name}: PRIM peeling trajectory", fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return save(fig, path)
