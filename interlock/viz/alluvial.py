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


def draw_alluvial(ax, columns: list[list[Node]], links: list[Link], titles: list[str] | None = None,
                  node_width: float = 0.025, gap: float = 0.02, min_height: float = 0.022) -> dict:
    """Draw the diagram; returns {(col, key): (x, y_bottom, y_top)} of the nodes drawn. Nodes are
    at least `min_height` tall (axis units) so that small ones keep a readable label."""
    ncol = len(columns)
    xs = np.linspace(0.0, 1.0, ncol) if ncol > 1 else np.array([0.5])
    # sizes are normalised so the fullest column spans the height; gaps are in axis units
    size_total = [sum(n.size for n in col) for col in columns] or [0.0]
    most_nodes = max([len(c) for c in columns] or [1])
    unit = (1.0 - gap * max(0, most_nodes - 1)) / max(max(size_total), 1e-12)
    pos: dict[tuple[int, str], tuple[float, float, float]] = {}
    lowest, highest = 0.0, 1.0
    for ci, col in enumerate(columns):
        heights = [max(n.size * unit, min_height) for n in col]
        h = sum(heights) + gap * max(0, len(col) - 1)
        y = 0.5 + h / 2
        for n, nh in zip(col, heights):
            top, bottom = y, y - nh
            lowest, highest = min(lowest, bottom), max(highest, top)
            pos[(ci, n.key)] = (xs[ci], bottom, top)
            ax.add_patch(Rectangle((xs[ci] - node_width / 2, bottom), node_width, top - bottom, color=n.color,
                                   lw=0, zorder=3))
            ax.text(xs[ci] + node_width, (top + bottom) / 2, n.label, fontsize=7, va="center", ha="left",
                    zorder=4)
            y = bottom - gap
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
    ax.set_xlim(-0.08, 1.22)
    ax.set_ylim(lowest - 0.02, highest + 0.12)
    ax.axis("off")
    return pos
