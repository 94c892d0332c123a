"""Sankey (alluvial) view of flows from agent classes to assets over a window (sankey.png): one
diagram of what each class bought, one of what it sold ($bn, all clearing rounds, summed over the
window's orders), and the net by asset. Both diagrams share one scale (the larger side spans the
height) and every node is drawn at its true size — no minimum height."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .alluvial import Link, Node, draw_alluvial
from .cascade import asset_flows
from .common import Drawn, check_days, class_color, new_figure, no_data, save, title_of
from .style import ASSET_COLOR, NET_BUY_COLOR, NET_SELL_COLOR


def sankey_data(result, window: tuple[int, int] | None = None, asset: str | None = None) -> dict[str, pd.DataFrame]:
    """$bn bought and sold (as positive amounts) by agent class (rows) and asset (columns) over
    `window` (inclusive days; default the whole run), and the net; with `asset`, only that asset."""
    ts = result.timeseries
    lo, hi = window if window is not None else (int(ts["day"].iloc[0]), int(ts["day"].iloc[-1]))
    check_days(result, lo, hi, "--window")
    flows = asset_flows(result, asset)
    f = flows[(flows["day"] >= lo) & (flows["day"] <= hi)]

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


def _draw(ax, tab: pd.DataFrame, title: str, total: float) -> None:
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
    draw_alluvial(ax, [classes, assets], links, titles=["agent class", "asset"], node_width=0.03, gap=0.015,
                  total=total)
    ax.set_title(title)


def sankey(result, path: str | Path, window: tuple[int, int] | None = None, dpi: int = 100,
           asset: str | None = None) -> Drawn:
    """Write the class → asset Sankey for `window` (default: the whole run), of the flows into
    `asset` (default: every asset)."""
    data = sankey_data(result, window, asset)
    lo, hi = int(data["span"]["lo"].iat[0]), int(data["span"]["hi"].iat[0])
    fig = new_figure(16, 9)
    # fixed margins (no tight_layout: an extra full draw; labels are placed for the final axis size)
    gs = fig.add_gridspec(1, 3, width_ratios=[1, 1, 0.55], left=0.02, right=0.97, bottom=0.07, top=0.9,
                          wspace=0.12)
    total = max(float(data["bought"].to_numpy().sum()), float(data["sold"].to_numpy().sum()), 1e-12)
    _draw(fig.add_subplot(gs[0, 0]), data["bought"], "Bought: \\$bn by agent class → asset", total)
    _draw(fig.add_subplot(gs[0, 1]), data["sold"], "Sold: \\$bn by agent class → asset (same scale)", total)
    ax = fig.add_subplot(gs[0, 2])
    net = data["net"].sum(axis=0).sort_values()
    # net sold / net bought: greys, kept off the class palette
    ax.barh(net.index, net.to_numpy(), color=[NET_SELL_COLOR if v < 0 else NET_BUY_COLOR for v in net])
    ax.axvline(0, color="k", lw=0.6)
    ax.set_title("Net by asset (all classes)")
    ax.set_xlabel("$bn over the window")
    ax.tick_params(axis="y", labelsize=8)
    into = f" into {asset}" if asset is not None else ""
    fig.suptitle(f"Flows{into} from agent classes to assets, days {lo}–{hi} (all clearing rounds)\n{title_of(result)}",
                 fontsize=12)
    return Drawn(save(fig, path, dpi=dpi), data)
