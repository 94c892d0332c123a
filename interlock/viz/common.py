"""What every figure shares: agent-class colours, the `Drawn` result (the file written and the
numbers drawn, so a test can compare a figure with the run), shock annotations, the "no data in
this run" panel, and day/window selection.

Figures are drawn on `matplotlib.figure.Figure` objects, never through pyplot's global state, so
the same drawing code serves files, the CLI and the app's server threads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import InputError
from .style import (CHANNEL_COLORS, CLASS_COLORS, DEAL_COLORS, channel_color,  # noqa: F401 (shared names)
                    class_color)

NO_DATA = "no data in this run"
# Assets drawn on price panels, in this order when present: the index, the interlock's
# bellwethers and BTC (all eleven stocks on one panel would be unreadable).
PRICE_ASSETS = ["SPX", "NVDA", "MSFT", "ORCL", "AVGO", "CRWV", "BTC"]
NON_EQUITY = {"BTC", "UST10"}


@dataclass
class Drawn:
    """A figure written to disk: `path` (also usable wherever a path is, via os.fspath), any
    further files (`extra`, e.g. an MP4 beside a GIF) and `data`: the numbers drawn, by panel."""

    path: Path
    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    extra: list[Path] = field(default_factory=list)

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    @property
    def paths(self) -> list[Path]:
        return [self.path, *self.extra]


def new_figure(width: float, height: float) -> Figure:
    """A figure with its own Agg canvas (thread-safe: no pyplot state)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


# zlib level of the PNGs written: 1 instead of PIL's 6 encodes a figure several times faster (≈ 0.1 s
# of `interlock run`'s dashboard, issue #15) for files ≈ 5% larger
PNG_COMPRESS_LEVEL = 1


def save(fig: Figure, path: str | Path, dpi: int = 100) -> Path:
    """Write `fig` to `path` (creating its folder) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    png = path.suffix.lower() == ".png"
    fig.savefig(path, dpi=dpi, **({"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if png else {}))
    return path


def no_data(ax, title: str, what: str = "") -> None:
    """Mark a panel whose inputs this run did not produce (e.g. the crypto block was off)."""
    ax.set_title(title)
    ax.text(0.5, 0.5, NO_DATA + (f"\n({what})" if what else ""), transform=ax.transAxes, ha="center",
            va="center", fontsize=10, color="0.4")
    ax.set_yticks([])                         # x may be shared with other panels: leave it


def shocks(summary: dict) -> list[dict]:
    """A run summary's shocks (type, at, fields)."""
    return list(summary.get("shocks", []) or [])


def mark_shocks(axes, summary: dict, label_axes=(), x_of_day=None) -> None:
    """Dotted vertical lines on the shock days on every axis (those within its x range),
    labelled on `label_axes` (shocks on one day share one label)."""
    by_day: dict[int, list[str]] = {}
    for s in shocks(summary):
        by_day.setdefault(int(s["at"]), []).append(s["type"])
    for at, types in by_day.items():
        x = at if x_of_day is None else x_of_day(at)
        for ax in axes:
            lo, hi = sorted(ax.get_xlim())
            if lo <= x <= hi:
                ax.axvline(x, color="k", ls=":", lw=0.9, zorder=5)
        for ax in label_axes:
            lo, hi = sorted(ax.get_xlim())
            if not lo <= x <= hi:
                continue
            ax.annotate(f"{' + '.join(dict.fromkeys(types))} (day {at})", (x, 1.0),
                        xycoords=("data", "axes fraction"), xytext=(2, -2), textcoords="offset points",
                        fontsize=7, rotation=90, va="top", ha="left", color="0.2")


# Classes drawn apart from the stacked flows: the discretionary desks' residual flow is an order of
# magnitude larger than the documented classes' and would flatten them to a line.
APART = ("discretionary",)


def stacked_flows(ax, table: pd.DataFrame, legend: bool = True, apart=APART, twin=None):
    """Net flows ($bn/day) by agent class as stacked steps: buys above zero, sales below. The
    classes in `apart` are drawn as a line on a right axis of their own (returned, else None), so
    the documented classes stay readable on the left axis. `twin`: that right axis, made earlier
    and emptied by the caller (the app redraws in place: a new twin axis every step makes its
    axes and ticks again); shown only when it draws something."""
    if twin is not None:
        twin.set_visible(False)
    if table.empty or not np.any(table.to_numpy()):
        ax.axhline(0, color="k", lw=0.5)
        return None
    x = table.index.to_numpy()
    pos = np.zeros(len(table))
    neg = np.zeros(len(table))
    own = [c for c in table.columns if c not in apart]
    for c in own:
        v = table[c].to_numpy(dtype=float)
        up, down = np.clip(v, 0, None), np.clip(v, None, 0)
        ax.fill_between(x, pos, pos + up, step="mid", color=class_color(c), lw=0, label=c)
        ax.fill_between(x, neg, neg + down, step="mid", color=class_color(c), lw=0)
        pos += up
        neg += down
    ax.plot(x, table[own].sum(axis=1).to_numpy(), color="k", lw=0.6, drawstyle="steps-mid",
            label="net of these")
    ax.axhline(0, color="k", lw=0.5)
    ax2 = None
    rest = [c for c in table.columns if c in apart and np.any(table[c].to_numpy())]
    if rest:
        ax2 = ax.twinx() if twin is None else twin
        ax2.set_visible(True)
        for c in rest:
            ax2.plot(x, table[c].to_numpy(dtype=float), color=class_color(c), lw=0.7, alpha=0.9,
                     drawstyle="steps-mid", label=f"{c} (right axis)")
        ax2.set_ylabel(f"{', '.join(rest)} $bn per day", color=class_color(rest[0]))
        lim = np.abs(ax2.get_ylim()).max()
        ax2.set_ylim(-lim, lim)
        l1 = np.abs(ax.get_ylim()).max()
        ax.set_ylim(-l1, l1)                         # both axes: zero in the middle
    if legend:
        h1, l1_ = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels() if ax2 is not None else ([], [])
        ax.legend(h1 + h2, l1_ + l2, fontsize=6.5, ncol=6, loc="upper center", bbox_to_anchor=(0.5, -0.02),
                  frameon=False, handlelength=1.2, columnspacing=0.8)
    return ax2


def equity_assets(assets) -> list[str]:
    """The equity assets (SPX and single stocks) among `assets`."""
    return [a for a in assets if a not in NON_EQUITY]


def assets_of(result) -> list[str]:
    """The run's tradable assets (market names plus SPX)."""
    names = result.summary.get("asset_names") or []
    if names:
        return list(names)
    # an older run without asset_names: the market's assets are those with a flow_<asset>_bn column
    ts = result.timeseries
    return [c[len("flow_"):-len("_bn")] for c in matching_columns(ts, "flow_", "_bn")] + ["SPX"]


def parse_window(text: str) -> tuple[int, int]:
    """'A:B' → (A, B) inclusive trading days."""
    try:
        a, b = (int(x) for x in text.split(":"))
    except ValueError:
        raise InputError(f"expected A:B with whole trading days, got {text!r}", key="--window",
                         allowed="e.g. 40:60") from None
    if a > b or a < 0:
        raise InputError(f"window {text!r} must have 0 ≤ A ≤ B", key="--window", allowed="e.g. 40:60")
    return a, b


def check_days(result, lo: int, hi: int, key: str) -> None:
    """InputError (naming `key`) unless days lo..hi are inside the run."""
    last = int(result.timeseries["day"].iloc[-1])
    if lo < 0 or hi > last:
        raise InputError(f"days {lo}..{hi} are outside the run (days 0..{last})", key=key,
                         allowed=f"0..{last}")


def start_date(result) -> str:
    """The calendar date of the run's day 0 ('' if the run has no dates)."""
    ts = result.timeseries
    if "date" in ts and len(ts):
        return str(pd.Timestamp(ts["date"].iloc[0]).date())
    return ""


def title_of(result) -> str:
    """The line naming a run in figure titles: scenario, seed, days, start date."""
    d = start_date(result)
    return f"interlock · {result.scenario} · seed {result.seed} · {result.days} days" + (f" from {d}" if d else "")


def matching_columns(ts: pd.DataFrame, prefix: str, suffix: str) -> list[str]:
    """Columns named prefix*suffix (e.g. capex_*_bn), in table order."""
    return [c for c in ts.columns if c.startswith(prefix) and c.endswith(suffix) and len(c) > len(prefix + suffix)]
