"""A small alluvial (Sankey-style) diagram on a matplotlib axis: columns of nodes stacked
vertically, bands between nodes of neighbouring columns. Used by the Sankey view (agent class →
asset) and the cascade view (clearing round r → round r + 1).

Each band's width at either end is the node's height × the band's share of that node's outgoing
(or incoming) total, so where totals are conserved (a Sankey) bands keep their width, and where
they are not (a cascade that amplifies) a band widens or narrows on its way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath


@dataclass
class Node:
    key: str            # unique within its column
    label: str
    size: float         # ≥ 0, drawn height (in the same units as every other node)
    color: str


@dataclass
class Link:
    col: int            # from column `col` to column `col + 1`
    src: str
    dst: str
    value: float        # > 0
    color: str


def _band(x0, x1, y0a, y0b, y1a, y1b) -> MplPath:
    """A band from [y0a, y0b] at x0 to [y1a, y1b] at x1 with cubic S-shaped edges."""
    xm = (x0 + x1) / 2
    verts = [(x0, y0a), (xm, y0a), (xm, y1a), (x1, y1a), (x1, y1b), (xm, y1b), (xm, y0b), (x0, y0b), (x0, y0a)]
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
             MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    return MplPath(verts, codes)


def spread_labels(ys: list[float], height: float, lo: float, hi: float) -> list[float]:
    """Label centres as near `ys` as possible with at least `height` between neighbours, kept
    within [lo, hi] where they fit (a 1-D repel: pairwise pushes apart, then clamped)."""
    if not ys:
        return []
    order = sorted(range(len(ys)), key=lambda i: -ys[i])         # top to bottom
    y = [ys[i] for i in order]
    for _ in range(50):
        moved = False
        for k in range(len(y) - 1):
            gap = y[k] - y[k + 1]
            if gap < height - 1e-12:
                push = (height - gap) / 2
                y[k] += push
                y[k + 1] -= push
                moved = True
        top_over = y[0] - (hi - height / 2)
        if top_over > 0 and y[-1] - top_over >= lo + height / 2 - 1e-12:
            y = [v - top_over for v in y]
        bottom_under = (lo + height / 2) - y[-1]
        if bottom_under > 0 and y[0] + bottom_under <= hi - height / 2 + 1e-12:
            y = [v + bottom_under for v in y]
        if not moved:
            break
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = y[k]
    return out


def draw_alluvial(ax, columns: list[list[Node]], links: list[Link], titles: list[str] | None = None,
                  node_width: float = 0.025, gap: float = 0.02, total: float | None = None,
                  fontsize: float = 7.0) -> dict:
    """Draw the diagram; returns {(col, key): (x, y_bottom, y_top)} of the nodes drawn.

    Node heights are true to size: `total` (default: the fullest column's) spans the axis height,
    so diagrams drawn with the same `total` share one scale. Nothing is given a minimum height;
    labels that would overprint are moved apart and joined to their node by a thin leader line."""
    ncol = len(columns)
    xs = np.linspace(0.0, 1.0, ncol) if ncol > 1 else np.array([0.5])
    size_total = [sum(n.size for n in col) for col in columns] or [0.0]
    most_nodes = max([len(c) for c in columns] or [1])
    span = 1.0 - gap * max(0, most_nodes - 1)
    unit = span / max(total if total else max(size_total), 1e-12)
    pos: dict[tuple[int, str], tuple[float, float, float]] = {}
    labels = []
    lowest, highest = 0.0, 1.0
    # label height in axis units: lines × font size (pt → px) over the axis height in px
    fig = ax.figure
    ax_px = ax.get_position().height * fig.get_figheight() * fig.dpi
    # the y limits set below span ≈ 1.23 + one label's height (labels are kept in -0.05 .. 1.04 and
    # the limits leave room around them), so a line's height in axis units solves line = k·(1.23 + n·line)
    k = fontsize * 1.25 / 72 * fig.dpi / max(ax_px, 1.0)
    n_lines = max([n.label.count("\n") + 1 for col in columns for n in col] or [1])
    line = k * 1.23 / max(1.0 - k * n_lines, 0.2)
    for ci, col in enumerate(columns):
        heights = [n.size * unit for n in col]
        h = sum(heights) + gap * max(0, len(col) - 1)
        y = 0.5 + h / 2
        mids, tall = [], 0.0
        for n, nh in zip(col, heights):
            top, bottom = y, y - nh
            lowest, highest = min(lowest, bottom), max(highest, top)
            pos[(ci, n.key)] = (xs[ci], bottom, top)
            ax.add_patch(Rectangle((xs[ci] - node_width / 2, bottom), node_width, max(top - bottom, 0.0),
                                   color=n.color, lw=0, zorder=3))
            mids.append((top + bottom) / 2)
            tall = max(tall, line * (n.label.count("\n") + 1))
            y = bottom - gap
        ys = spread_labels(mids, tall * 1.05, -0.05, 1.04)
        for n, m, yl in zip(col, mids, ys):
            x0 = xs[ci] + node_width / 2
            if abs(yl - m) > 1e-9:
                ax.plot([x0, x0 + node_width * 0.6, x0 + node_width], [m, m, yl], color="0.5", lw=0.4, zorder=4)
            labels.append(ax.text(x0 + node_width * 1.1, yl, n.label, fontsize=fontsize, va="center", ha="left",
                                  zorder=4))
            lowest, highest = min(lowest, yl - tall / 2), max(highest, yl + tall / 2)
    ok = [lk for lk in links if (lk.col, lk.src) in pos and (lk.col + 1, lk.dst) in pos and lk.value > 0]

    def stack(end, other) -> dict[int, tuple[float, float]]:
        """(top, width) of each band at one end: bands are stacked down from the node's top in
        the order of their other ends, so they do not cross needlessly."""
        total: dict[tuple[int, str], float] = {}
        for lk in ok:
            total[end(lk)] = total.get(end(lk), 0.0) + lk.value
        used: dict[tuple[int, str], float] = {}
        out = {}
        for lk in sorted(ok, key=lambda k: -pos[other(k)][2]):
            _, b, t = pos[end(lk)]
            w = (t - b) * lk.value / total[end(lk)]
            out[id(lk)] = (t - used.get(end(lk), 0.0), w)
            used[end(lk)] = used.get(end(lk), 0.0) + w
        return out

    src_end = stack(lambda k: (k.col, k.src), lambda k: (k.col + 1, k.dst))
    dst_end = stack(lambda k: (k.col + 1, k.dst), lambda k: (k.col, k.src))
    for lk in ok:
        x0, x1 = pos[(lk.col, lk.src)][0], pos[(lk.col + 1, lk.dst)][0]
        y0, w0 = src_end[id(lk)]
        y1, w1 = dst_end[id(lk)]
        ax.add_patch(PathPatch(_band(x0 + node_width / 2, x1 - node_width / 2, y0, y0 - w0, y1, y1 - w1),
                               facecolor=lk.color, alpha=0.35, lw=0, zorder=2))
    if titles:
        for x, t in zip(xs, titles):
            ax.text(x, highest + 0.03, t, ha="center", va="bottom", fontsize=9, fontweight="bold")
    # room on the right for the last column's labels: measured, so they never run past the axis
    renderer = fig.canvas.get_renderer()
    ax_w = max(ax.get_position().width * fig.get_figwidth() * fig.dpi, 1.0)
    left, right = -0.08, 1.1
    for t in labels:
        w_px = t.get_window_extent(renderer).width
        x_s = t.get_position()[0]
        if w_px < ax_w * 0.9:
            right = max(right, left + (x_s - left) * ax_w / (ax_w - w_px))
    ax.set_xlim(left, right)
    ax.set_ylim(min(-0.05, lowest - 0.02), max(1.15, highest + 0.12))
    ax.axis("off")
    return pos
