"""Sankey (alluvial) view of flows from agent classes to assets over a window (sankey.png): one
diagram of what each class bought, one of what it sold ($bn, all clearing rounds, summed over the
window's orders), and the net by asset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .alluvial import Link, Node, draw_alluvial
from .common import Drawn, check_days, class_color, new_figure, no_data, save, title_of

ASSET_COLOR = "#4d4d4d"


def sankey_data(result, window: tuple[int, int] | None = None) -> dict[str, pd.DataFrame]:
    """$bn bought and sold (as positive amounts) by agent class (rows) and asset (columns) over
    `window` (inclusive days; default the whole run), and the net."""
    ts = result.timeseries
    lo, hi = window if window is not None else (int(ts["day"].iloc[0]), int(ts["day"].iloc[-1]))
    check_days(result, lo, hi, "--window")
    f = result.flows[(result.flows["day"] >= lo) & (result.flows["day"] <= hi)]

    def table(part: pd.DataFrame) -> pd.DataFrame:
        t = part.pivot_table(index="agent_class", columns="asset", values="usd_bn", aggfunc="sum", fill_value=0.0,
                             observed=True)
        t.index, t.columns = [str(i) for i in t.index], [str(c) for c in t.columns]
        return t.astype(float)

    bought = table(f[f["usd_bn"] > 0])
    sold = -table(f[f["usd_bn"] < 0])
    net = bought.sub(sold, fill_value=0.0)
    return {"span": pd.DataFrame({"lo": [lo], "hi": [hi]}), "bought": bought, "sold": sold, "net": net}


def _amount(v: float) -> str:
    return f"${v:,.0f}bn" if v >= 10 else f"${v:.2g}bn"


def _draw(ax, tab: pd.DataFrame, title: str) -> None:
    if tab.empty or tab.to_numpy().sum() <= 0:
        no_data(ax, title, "no such trades in the window")
        ax.axis("off")
        return
    by_class = tab.sum(axis=1).sort_values(ascending=False)
    by_asset = tab.sum(axis=0).sort_values(ascending=False)
    classes = [Node(c, f"{c}  {_amount(v)}", v, class_color(c)) for c, v in by_class.items() if v > 0]
    assets = [Node(a, f"{a}  {_amount(v)}", v, ASSET_COLOR) for a, v in by_asset.items() if v > 0]
    links = [Link(0, c, a, float(tab.at[c, a]), class_color(c))
             for c in by_class.index for a in by_asset.index if tab.at[c, a] > 0]
    draw_alluvial(ax, [classes, assets], links, titles=["agent class", "asset"], node_width=0.03, gap=0.015)
    ax.set_title(title)


def sankey(result, path: str | Path, window: tuple[int, int] | None = None, dpi: int = 100) -> Drawn:
    """Write the class → asset Sankey for `window` (default: the whole run)."""
    data = sankey_data(result, window)
    lo, hi = int(data["span"]["lo"].iat[0]), int(data["span"]["hi"].iat[0])
    fig = new_figure(16, 9)
    gs = fig.add_gridspec(1, 3, width_ratios=[1, 1, 0.55])
    _draw(fig.add_subplot(gs[0, 0]), data["bought"], "Bought: \\$bn by agent class → asset")
    _draw(fig.add_subplot(gs[0, 1]), data["sold"], "Sold: \\$bn by agent class → asset")
    ax = fig.add_subplot(gs[0, 2])
    net = data["net"].sum(axis=0).sort_values()
    ax.barh(net.index, net.to_numpy(), color=["#d62728" if v < 0 else "#2ca02c" for v in net])
    ax.axvline(0, color="k", lw=0.6)
    ax.set_title("Net by asset (all classes)")
    ax.set_xlabel("$bn over the window")
    ax.tick_params(axis="y", labelsize=8)
    fig.suptitle(f"Flows from agent classes to assets, days {lo}–{hi} (all clearing rounds) — {title_of(result)}",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return Drawn(save(fig, path, dpi=dpi), data)
