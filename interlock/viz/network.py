"""The interlock network: firms as nodes (colour = drawdown of the firm's market value so far),
deals and cascade hops as edges, on a fixed layered layout (AI labs → clouds → chip vendors →
other suppliers), so frames of an animation can be compared by eye.

Edges are sized and coloured by what went through them: with interlock cascade events in the
run, the cumulative $bn lost through each source → target hop (colour = channel); without them,
the contracted $bn per year of each deal (colour = deal type). `network_animation` writes a GIF
(and an MP4 where ffmpeg is present) with a clock; `NetworkView` draws one frame and is shared
with the app.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.patches import FancyArrowPatch

from ..inputs.firms import load_firms
from ..model.interlock.deals import build_graph, load_deals
from .cascade import interlock_events
from .common import DEAL_COLORS, Drawn, channel_color, mark_shocks, new_figure, save, start_date

DRAWDOWN_CMAP = "YlOrRd"
UNLISTED_COLOR = "#d9d9d9"
# Columns of the layered layout, left to right: who pays whom along the supply chain.
LAYERS = {"ai_lab": 0.0, "hyperscaler": 1.0, "neocloud": 1.6, "chip_vendor": 2.3, "other_suppliers": 3.0}
MAX_FRAMES = 60
FPS = 6


@lru_cache(maxsize=1)
def interlock_graph() -> nx.MultiDiGraph:
    """The interlock graph as the model builds it from the shipped data files
    (`model.interlock.deals`). Shared: do not modify."""
    firms = load_firms()
    return build_graph(firms, load_deals(firms=firms))


def model_graph(model) -> nx.MultiDiGraph:
    """The graph a live model runs on (its interlock block's), else `interlock_graph()`."""
    block = model.block("interlock") if hasattr(model, "block") else None
    graph = getattr(block, "graph", None)
    return graph if isinstance(graph, nx.MultiDiGraph) else interlock_graph()


def layered_layout(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """x by kind of firm (LAYERS), y spread evenly within a column, larger firms first."""
    pos = {}
    by_layer: dict[float, list[str]] = {}
    for n, d in g.nodes(data=True):
        by_layer.setdefault(LAYERS.get(d.get("kind"), max(LAYERS.values())), []).append(n)
    for x, names in by_layer.items():
        names.sort(key=lambda n: -np.nan_to_num(g.nodes[n].get("value_bn", 0.0)))
        ys = np.linspace(1.0, -1.0, len(names) + 2)[1:-1] if len(names) > 1 else [0.0]
        for i, (n, y) in enumerate(zip(names, ys)):
            pos[n] = (x + (0.12 if i % 2 else -0.12) * (len(names) > 3), float(y))
    return pos


def drawdowns(ts: pd.DataFrame, g: nx.MultiDiGraph) -> pd.DataFrame:
    """Drawdown from the running peak (0..1) of each listed firm's market value, by day; firms
    without a price series are absent."""
    out = {}
    for n, d in g.nodes(data=True):
        t = d.get("ticker") or ""
        if t and t in ts:
            p = ts[t].to_numpy(dtype=float)
            out[n] = 1.0 - p / np.maximum.accumulate(p)
    return pd.DataFrame(out, index=pd.Index(ts["day"], name="day"))


def graph_events(g: nx.MultiDiGraph, events: pd.DataFrame) -> pd.DataFrame:
    """The cascade hops between firms of the graph (hops from outside parties are not drawn)."""
    ev = interlock_events(events)
    return ev[ev["source"].isin(list(g.nodes)) & ev["target"].isin(list(g.nodes))]


def edge_keys(g: nx.MultiDiGraph, events: pd.DataFrame, hops: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    """Edges as drawn: one per (source, target, channel) over deals and cascade hops (`hops`:
    `graph_events(g, events)` if the caller has it)."""
    keys = {(u, v, d["type"]) for u, v, d in g.edges(data=True)}
    ev = graph_events(g, events) if hops is None else hops
    keys |= set(zip(ev["source"], ev["target"], ev["channel"]))
    return sorted(keys)


def edge_values(g: nx.MultiDiGraph, events: pd.DataFrame, days) -> tuple[pd.DataFrame, str]:
    """What each edge carries by day, and what that is: the cumulative $bn lost through each
    hop if the run has interlock cascade events, else the contracted $bn/year of its deals."""
    ev = graph_events(g, events)
    keys = edge_keys(g, events, hops=ev)
    idx = pd.Index(days, name="day")
    if len(ev):
        ev = ev.assign(key=list(zip(ev["source"], ev["target"], ev["channel"])), usd=ev["usd_bn"].abs().fillna(0.0))
        # the sums pivot_table makes (the same groupby), without its overhead: the app makes
        # this table at every paused step (issue #15)
        daily = ev.groupby(["day", "key"])["usd"].sum().unstack(fill_value=0.0)
        daily = daily.reindex(idx, fill_value=0.0).reindex(columns=keys, fill_value=0.0)
        cum = daily.cumsum()
        cum.columns = pd.MultiIndex.from_tuples(keys, names=["source", "target", "channel"])
        return cum, "\\$bn lost through the hop so far"
    annual: dict[tuple, float] = {}
    for u, v, d in g.edges(data=True):
        annual[(u, v, d["type"])] = annual.get((u, v, d["type"]), 0.0) + d["annual_bn"]
    vals = pd.DataFrame([[annual.get(k, 0.0) for k in keys]] * len(idx), index=idx,
                        columns=pd.MultiIndex.from_tuples(keys, names=["source", "target", "channel"]))
    return vals, "contracted \\$bn per year (no cascade events in this run)"


QUIET_EDGE_ALPHA = 0.25      # an edge carrying nothing that day (drawn faint)


def edge_width(value: float, scale: float) -> float:
    """Line width (pt) of an edge carrying `value` when `scale` is drawn widest (area-like: √)."""
    return 0.3 + 7.0 * np.sqrt(max(value, 0.0) / scale) if scale > 0 else 0.3


def width_key(scale: float) -> list:
    """Legend entries for the edge widths: three round values up to `scale` ($bn)."""
    from matplotlib.lines import Line2D
    if not scale > 0:
        return []
    top = float(f"{scale:.1g}")
    vals = sorted({v for v in (top / 10, top / 2, top) if v > 0})
    return [Line2D([0], [0], color="0.45", lw=edge_width(v, scale), label=f"\\${v:,.3g}bn") for v in vals]


@dataclass
class NetworkView:
    """One drawing of the network on `ax`, updated in place frame by frame."""

    ax: object
    graph: nx.MultiDiGraph
    keys: list[tuple[str, str, str]]
    edge_scale: float           # edge value drawn at the widest width
    dd_max: float               # drawdown at the darkest colour
    pos: dict | None = None

    def __post_init__(self):
        ax, g = self.ax, self.graph
        self.pos = self.pos or layered_layout(g)
        names = list(g.nodes)
        self.names = names
        xy = np.array([self.pos[n] for n in names])
        size = np.array([g.nodes[n].get("value_bn", np.nan) for n in names], dtype=float)
        area = np.where(np.isfinite(size), 250 + 1500 * np.sqrt(np.nan_to_num(size) / np.nanmax(size)), 300)
        self.norm = Normalize(0.0, max(self.dd_max, 1e-9))
        self.cmap = colormaps[DRAWDOWN_CMAP]
        self.listed = np.array([bool(g.nodes[n].get("ticker")) for n in names])
        self.nodes = ax.scatter(xy[:, 0], xy[:, 1], s=area, c=[UNLISTED_COLOR] * len(names), edgecolors="k",
                                linewidths=0.8, zorder=3)
        # names under their node (a name inside a small node would spill over its edge)
        radius_pt = np.sqrt(area / np.pi)
        for n, (x, y), r in zip(names, xy, radius_pt):
            ax.annotate(n, (x, y), xytext=(0, -r - 1), textcoords="offset points", ha="center", va="top",
                        fontsize=7, zorder=4, fontweight="bold")
        bends = {"supply": 0.08, "equity": -0.18, "financing": 0.28}
        self.arrows = []
        for u, v, ch in self.keys:
            a = FancyArrowPatch(self.pos[u], self.pos[v], arrowstyle="-|>", mutation_scale=8,
                                connectionstyle=f"arc3,rad={bends.get(ch, 0.0)}", color=channel_color(ch),
                                lw=0.5, alpha=0.7, zorder=2, shrinkA=12, shrinkB=12)
            ax.add_patch(a)
            self.arrows.append(a)
        for kind, x in LAYERS.items():
            ax.text(x, 1.12, kind.replace("_", " "), ha="center", fontsize=8, color="0.35")
        ax.set_xlim(-0.45, 3.45)
        ax.set_ylim(-1.1, 1.2)
        ax.axis("off")
        self.clock = ax.text(1.0, 0.0, "", transform=ax.transAxes, fontsize=13, fontweight="bold", va="bottom",
                             ha="right", bbox=dict(facecolor="white", edgecolor="0.5", boxstyle="round"))

    def update(self, node_dd: dict[str, float], edge_vals: dict[tuple, float], clock: str = "") -> None:
        colors = [self.cmap(self.norm(node_dd[n])) if n in node_dd and np.isfinite(node_dd[n]) else UNLISTED_COLOR
                  for n in self.names]
        self.nodes.set_facecolor(colors)
        for a, k in zip(self.arrows, self.keys):
            v = max(edge_vals.get(k, 0.0), 0.0)
            a.set_linewidth(edge_width(v, self.edge_scale))
            a.set_alpha(QUIET_EDGE_ALPHA if v <= 0 else 0.75)
        self.clock.set_text(clock)

    def legends(self, fig, edge_label: str) -> None:
        from matplotlib.cm import ScalarMappable
        from matplotlib.lines import Line2D
        sm = ScalarMappable(norm=Normalize(0, 100 * self.norm.vmax), cmap=self.cmap)
        cb = fig.colorbar(sm, ax=self.ax, fraction=0.025, pad=0.01)
        cb.set_label("drawdown of market value from its peak so far (%) — grey: not listed")
        handles = [Line2D([0], [0], color=c, lw=3, label=k) for k, c in DEAL_COLORS.items()]
        handles += width_key(self.edge_scale)
        self.ax.legend(handles=handles, title=f"edges: {edge_label}", loc="lower left", fontsize=7,
                       title_fontsize=8, frameon=False, ncol=2)


def network_frames(result, max_frames: int = MAX_FRAMES, window: tuple[int, int] | None = None) -> list[int]:
    """The days drawn: every day of the run (or window), or `max_frames` evenly spaced ones."""
    days = result.timeseries["day"].to_numpy()
    if window is not None:
        days = days[(days >= window[0]) & (days <= window[1])]
    if len(days) <= max_frames:
        return [int(d) for d in days]
    return sorted({int(d) for d in np.linspace(days[0], days[-1], max_frames).round()})


def network_data(result, frames: list[int], graph: nx.MultiDiGraph | None = None) -> dict:
    """The numbers the network frames draw: graph, frames, drawdown (day × firm), edges (day × edge), edge_label."""
    g = graph if graph is not None else interlock_graph()
    ts = result.timeseries
    dd = drawdowns(ts, g)
    vals, label = edge_values(g, result.events, ts["day"])
    return {"graph": g, "frames": pd.DataFrame({"day": frames}), "drawdown": dd.loc[frames],
            "edges": vals.loc[frames], "edge_label": label}


def network_view(ax, result, data: dict) -> NetworkView:
    """A view whose colour and width scales span the whole run, so frames compare."""
    vals = data["edges"]
    full = drawdowns(result.timeseries, data["graph"])
    dd_max = float(np.nanmax(full.to_numpy())) if full.size else 0.0
    view = NetworkView(ax, data["graph"], list(vals.columns),
                       edge_scale=float(vals.to_numpy().max()) if vals.size else 0.0, dd_max=max(dd_max, 0.05))
    view.legends(ax.figure, data["edge_label"])
    return view


def network_state(data: dict, day: int) -> tuple[dict, dict]:
    """(drawdown by firm, value by edge) on `day`."""
    vals = data["edges"]
    return data["drawdown"].loc[day].to_dict(), dict(zip(vals.columns, vals.loc[day].to_numpy()))


def _tables(data: dict) -> dict[str, pd.DataFrame]:
    return {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}


def _clock(result, day: int) -> str:
    ts = result.timeseries
    row = ts.loc[ts["day"] == day]
    date = str(pd.Timestamp(row["date"].iat[0]).date()) if "date" in ts and len(row) else ""
    return f"day {day}" + (f" · {date}" if date else "")


def network_animation(result, path: str | Path, max_frames: int = MAX_FRAMES, fps: int = FPS,
                      window: tuple[int, int] | None = None, mp4: bool | None = None, dpi: int = 80) -> Drawn:
    """Write the network animation as a GIF at `path` (and an MP4 beside it when ffmpeg is
    present and `mp4` is not False). One frame per day, or `max_frames` evenly spaced days."""
    from matplotlib.animation import FFMpegWriter, PillowWriter

    frames = network_frames(result, max_frames, window)
    data = network_data(result, frames)
    fig = new_figure(12, 8)
    gs = fig.add_gridspec(2, 1, height_ratios=[6, 1])
    ax = fig.add_subplot(gs[0])
    view = network_view(ax, result, data)
    # the clock strip: the S&P 500 over the run with a cursor on the frame's day
    tax = fig.add_subplot(gs[1])
    ts = result.timeseries
    tax.plot(ts["day"], 100 * ts["SPX"] / ts["SPX"].iloc[0], color="k", lw=1)
    tax.set_ylabel("S&P 500\n(day 0 = 100)", fontsize=8)
    tax.set_xlabel("trading day" + (f" (day 0 = {start_date(result)})" if start_date(result) else ""))
    mark_shocks([tax], result.summary, label_axes=[tax])
    cursor = tax.axvline(frames[0], color="#d62728", lw=2)
    fig.suptitle(f"The AI capital interlock — {result.scenario}, seed {result.seed}", fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writers = [(PillowWriter(fps=fps), path)]
    want_mp4 = (mp4 is None or mp4) and shutil.which("ffmpeg") is not None and FFMpegWriter.isAvailable()
    if want_mp4:
        writers.append((FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"]),
                        path.with_suffix(".mp4")))
    for w, p in writers:
        w.setup(fig, str(p), dpi=dpi)
    try:
        for d in frames:
            view.update(*network_state(data, d), _clock(result, d))
            cursor.set_xdata([d, d])
            for w, _ in writers:
                w.grab_frame()
    finally:
        for w, _ in writers:
            w.finish()
    return Drawn(path, _tables(data), extra=[p for _, p in writers[1:]])


def network_snapshot(result, path: str | Path, day: int | None = None, dpi: int = 100) -> Drawn:
    """One frame of the network (default: the last day) as a PNG."""
    d = int(result.timeseries["day"].iloc[-1]) if day is None else int(day)
    data = network_data(result, [d])
    fig = new_figure(12, 7)
    view = network_view(fig.add_subplot(1, 1, 1), result, data)
    view.update(*network_state(data, d), _clock(result, d))
    fig.suptitle(f"The AI capital interlock — {result.scenario}, seed {result.seed}", fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return Drawn(save(fig, path, dpi=dpi), _tables(data))
