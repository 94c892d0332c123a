"""Figures of a sweep: sensitivity bars (tornado), response curves with seed bands, heatmaps.

Each function draws one PNG and returns the numbers it drew (a DataFrame), so tests and users
can check the figure against the data.

- Response curve of a metric over one parameter: the mean of the runs at each parameter level
  (the design's own levels when it has at most `max_levels` distinct values, else quantile bins),
  with a band from the 10th to the 90th percentile of those runs — over seeds, and over the other
  parameters where they vary too.
- Heatmap over two parameters: the mean per cell, next to the seed spread per cell (the mean over
  the cell's points of the standard deviation across seeds).
"""

from __future__ import annotations

import textwrap

from pathlib import Path

import numpy as np
import pandas as pd

BAND = (0.10, 0.90)


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def levels_of(x: pd.Series, bins: int, max_levels: int = 12) -> tuple[pd.Series, list]:
    """Each run's level of `x`: its exact value if there are few, else a quantile bin's centre."""
    uniq = np.sort(x.dropna().unique())
    if len(uniq) <= max_levels:
        return x, list(uniq)
    cats = pd.qcut(x, q=bins, duplicates="drop")
    centres = cats.map(lambda iv: iv.mid).astype(float)
    return centres, sorted(centres.dropna().unique())


def response_table(runs: pd.DataFrame, x: str, metric: str, bins: int = 8) -> pd.DataFrame:
    """Per level of `x`: runs, mean, band low/high, of `metric` (successful, finite runs only)."""
    d = runs[np.isfinite(runs[metric])]
    lev, _ = levels_of(d[x], bins)
    g = d.groupby(lev.rename("level"))[metric]
    out = pd.DataFrame({"runs": g.size(), "mean": g.mean(), "low": g.quantile(BAND[0]),
                        "high": g.quantile(BAND[1])})
    return out.reset_index()


def response_curves(runs: pd.DataFrame, xs: list[str], metric: str, path: str | Path,
                    bins: int = 8) -> pd.DataFrame:
    """One panel per parameter in `xs`: `metric` against it, mean and 10–90% band."""
    plt = _plt()
    n = len(xs)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.4 * rows), squeeze=False)
    drawn = []
    for ax, x in zip(axes.flat, xs):
        t = response_table(runs, x, metric, bins)
        t.insert(0, "parameter", x)
        drawn.append(t)
        if pd.api.types.is_numeric_dtype(t["level"]):
            ax.fill_between(t["level"], t["low"], t["high"], alpha=0.25, color="C0", lw=0,
                            label=f"{BAND[0]:.0%}–{BAND[1]:.0%} of runs")
            ax.plot(t["level"], t["mean"], "o-", color="C0", ms=3, label="mean")
        else:
            pos = np.arange(len(t))
            ax.errorbar(pos, t["mean"], yerr=[t["mean"] - t["low"], t["high"] - t["mean"]], fmt="o", color="C0")
            ax.set_xticks(pos, [str(v) for v in t["level"]])
        ax.set_xlabel(x)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    # wrapped to the figure's width (a long metric name ran off both sides), the panels below it
    title = f"{metric}: response to each parameter (band: seeds and the other parameters)"
    fig.suptitle(textwrap.fill(title, max(30, int(fig.get_figwidth() * 11))), fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.93 if len(title) > fig.get_figwidth() * 11 else 0.96))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return pd.concat(drawn, ignore_index=True)


def heatmap(runs: pd.DataFrame, x: str, y: str, metric: str, path: str | Path, bins: int = 8) -> pd.DataFrame:
    """`metric` over two parameters: mean per cell, and the seed spread per cell."""
    plt = _plt()
    d = runs[np.isfinite(runs[metric])].copy()
    d["_x"], xl = levels_of(d[x], bins)
    d["_y"], yl = levels_of(d[y], bins)
    mean = d.pivot_table(index="_y", columns="_x", values=metric, aggfunc="mean").reindex(index=yl, columns=xl)
    per_point = d.groupby(["point_id", "_x", "_y"])[metric].std(ddof=1).rename("sd").reset_index()
    spread = per_point.pivot_table(index="_y", columns="_x", values="sd", aggfunc="mean").reindex(index=yl, columns=xl)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    for ax, tab, title, cmap in ((axes[0], mean, f"mean {metric}", "viridis"),
                                 (axes[1], spread, "seed spread (s.d. across seeds)", "magma")):
        im = ax.imshow(tab.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap)
        ax.set_xticks(range(len(xl)), [f"{v:.3g}" if isinstance(v, float) else str(v) for v in xl],
                      rotation=45, fontsize=8)
        ax.set_yticks(range(len(yl)), [f"{v:.3g}" if isinstance(v, float) else str(v) for v in yl], fontsize=8)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    out = mean.stack().rename("mean").to_frame().join(spread.stack().rename("seed_sd"))
    out.index.names = [y, x]
    return out.reset_index()


def sensitivity_chart(s, path: str | Path) -> pd.DataFrame:
    """Tornado-style bars: Sobol' S1 and ST with confidence intervals, or Morris μ* (with its
    confidence interval) and σ; parameters sorted by importance, the largest on top."""
    plt = _plt()
    t = s.table.iloc[::-1].reset_index(drop=True)
    pos = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.45 * len(t)))
    if s.method == "sobol":
        h = 0.38
        ax.barh(pos + h / 2, t["ST"], h, xerr=t["ST_conf"], color="C3", alpha=0.8, label="total (ST)", capsize=3)
        ax.barh(pos - h / 2, t["S1"], h, xerr=t["S1_conf"], color="C0", alpha=0.8, label="first order (S1)",
                capsize=3)
        ax.set_xlabel("Sobol' index (share of variance)")
    else:
        h = 0.38
        ax.barh(pos + h / 2, t["mu_star"], h, xerr=t["mu_star_conf"], color="C2", alpha=0.8, label="μ*", capsize=3)
        ax.barh(pos - h / 2, t["sigma"], h, color="C1", alpha=0.8, label="σ")
        ax.set_xlabel(f"elementary effect on {s.metric} (per level step, unit-cube scale)")
    ax.set_yticks(pos, t["parameter"])
    ax.axvline(0, color="k", lw=0.6)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    seeds = f"{s.points} points × {s.seeds} seeds, mean over seeds"
    ax.set_title(f"Sensitivity of {s.metric} ({seeds})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return s.table
