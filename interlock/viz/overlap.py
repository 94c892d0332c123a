"""Overprinted labels (issue #15): the text of a drawn figure whose boxes overlap.

`overlaps(fig)` draws nothing new: it reads the window extents of every visible, non-empty text
(titles, tick labels, axis labels, annotations, legend entries) and of every legend's frame, and
returns the pairs that overlap by more than `tol` pixels each way. A legend's own entries are not
compared with its frame; tick labels are compared with everything else but not with tick labels of
the same axis and direction (matplotlib already thins those). Used by the figure-collision test
and available to any figure that wants to check itself.
"""

from __future__ import annotations

from matplotlib.legend import Legend
from matplotlib.text import Text


def _boxes(fig):
    renderer = fig.canvas.get_renderer()
    out = []                                   # (label, bbox, group, owner legend)
    legends = [a for a in fig.findobj(Legend) if a.get_visible()]
    in_legend = {}
    for lg in legends:
        for t in lg.get_texts() + [lg.get_title()]:
            in_legend[id(t)] = lg
    ticks = {}                                # id(tick label) → (axes, "x"/"y")
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            for tick in axis.majorTicks + axis.minorTicks:
                for lab in (tick.label1, tick.label2):
                    ticks[id(lab)] = (ax, name)
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or t.get_alpha() == 0:
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        try:
            bb = t.get_window_extent(renderer)
        except (RuntimeError, ValueError):
            continue
        if bb.width <= 0 or bb.height <= 0:
            continue
        group = None
        if id(t) in ticks:
            ax, name = ticks[id(t)]
            if not ax.get_visible() or not (ax.xaxis if name == "x" else ax.yaxis).get_visible():
                continue
            # a tick outside the view limits keeps a label that is never drawn
            ab = ax.get_window_extent(renderer)
            c = (bb.x0 + bb.x1) / 2 if name == "x" else (bb.y0 + bb.y1) / 2
            lo, hi = (ab.x0, ab.x1) if name == "x" else (ab.y0, ab.y1)
            if not lo - 1 <= c <= hi + 1:
                continue
            group = (id(ax), name)
        out.append((t.get_text(), bb, group, in_legend.get(id(t))))
    for lg in legends:
        out.append(("<legend>", lg.get_window_extent(renderer), ("legend", id(lg)), lg))
    return out


def overlaps(fig, tol: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts (or a text and a legend frame) of `fig` whose boxes overlap by more than `tol`
    pixels in both directions. Call after the figure was drawn (saved)."""
    boxes = _boxes(fig)
    bad = []
    for i in range(len(boxes)):
        ti, bi, gi, li = boxes[i]
        for j in range(i + 1, len(boxes)):
            tj, bj, gj, lj = boxes[j]
            if gi is not None and gi == gj:
                continue
            if li is not None and li is lj:          # a legend's entries and its frame
                continue
            w = min(bi.x1, bj.x1) - max(bi.x0, bj.x0)
            h = min(bi.y1, bj.y1) - max(bi.y0, bj.y0)
            if w > tol and h > tol:
                bad.append((ti, tj))
    return bad
