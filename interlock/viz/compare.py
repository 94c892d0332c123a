"""Figures of a comparison (`experiments.compare`): difference fan charts (median and 5–95% band
over seeds of scenario − base, by day) as a PNG and as Vega-Lite specifications for report.html,
the effect table and the per-class attribution as interval charts.

The Vega-Lite specs are plain dicts built by hand (no Altair import on the command's path) for
Vega-Lite 5, the version `reports.html` embeds. Every interactive chart has hover values and
zoom/pan on x (double-click resets); the attribution chart toggles classes from its legend.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..io import atomic_write
from .common import Drawn, class_color, new_figure
from .vega import base, records, shock_layer

DIFF_COLOR = "#1f4e79"          # the median difference
DIFF_BAND = "#9ecae1"           # its 5–95% band
HEIGHT = 200


# ----- PNG ------------------------------------------------------------------------------------
def fan_png(fans: pd.DataFrame, series: list[str], units: Mapping[str, str], path: str | Path,
            title: str, shocks: Iterable[Mapping] = ()) -> Drawn:
    """One panel per series: the median difference and its 5–95% band over seeds, zero dashed,
    shocks dotted."""
    series = [s for s in series if (fans["series"] == s).any()]
    n = max(1, len(series))
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    height = 2.6 * rows + 0.9
    fig = new_figure(6.0 * cols, height)
    data = {}
    for i, s in enumerate(series):
        ax = fig.add_subplot(rows, cols, i + 1)
        f = fans[fans["series"] == s].sort_values("day")
        data[s] = f
        ax.fill_between(f["day"], f["q05"], f["q95"], color=DIFF_BAND, alpha=0.7, lw=0, label="5–95% of seeds")
        ax.plot(f["day"], f["q50"], color=DIFF_COLOR, lw=1.6, label="median")
        ax.axhline(0.0, color="#555555", lw=0.8, ls="--")
        for sh in shocks or []:
            ax.axvline(int(sh["at"]), color="#000000", lw=0.8, ls=":")
        ax.set_title(s, fontsize=10, loc="left")
        ax.set_ylabel(units.get(s, ""), fontsize=9)
        ax.tick_params(labelsize=8)
        if i >= n - cols:
            ax.set_xlabel("trading day", fontsize=9)
        if i == 0:
            ax.legend(fontsize=8, loc="best", frameon=False)
    fig.suptitle(title, fontsize=11, x=0.01, y=1 - 0.12 / height, ha="left", va="top")
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.75 / height, bottom=0.55 / height,
                        hspace=0.55, wspace=0.25)
    path = Path(path)
    atomic_write(path, lambda t: fig.savefig(t, dpi=100, format="png"))
    return Drawn(path, data)


# ----- Vega-Lite --------------------------------------------------------------------------------
def fan_spec(fans: pd.DataFrame, series: str, unit: str, shocks: Iterable[Mapping] = ()) -> dict:
    """One series' difference fan: band, median, zero line, shocks; hover shows the three numbers."""
    f = fans[fans["series"] == series].sort_values("day")[["day", "q05", "q50", "q95"]]
    area = {"mark": {"type": "area", "opacity": 0.6, "color": DIFF_BAND},
            "encoding": {"x": {"field": "day", "type": "quantitative", "title": "trading day"},
                         "y": {"field": "q05", "type": "quantitative", "title": f"{series} − base ({unit})"},
                         "y2": {"field": "q95"}}}
    line = {"mark": {"type": "line", "strokeWidth": 1.8, "color": DIFF_COLOR},
            "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}],
            "encoding": {"x": {"field": "day", "type": "quantitative"},
                         "y": {"field": "q50", "type": "quantitative"}}}
    hover = {"mark": {"type": "point", "filled": True, "size": 28, "color": DIFF_COLOR},
             "params": [{"name": "hover", "select": {"type": "point", "fields": ["day"], "nearest": True,
                                                     "on": "mouseover", "clear": "mouseout"}}],
             "encoding": {"x": {"field": "day", "type": "quantitative"},
                          "y": {"field": "q50", "type": "quantitative"},
                          "opacity": {"condition": {"param": "hover", "empty": False, "value": 1}, "value": 0},
                          "tooltip": [{"field": "day", "type": "quantitative"},
                                      {"field": "q50", "type": "quantitative", "format": ",.4~g", "title": "median"},
                                      {"field": "q05", "type": "quantitative", "format": ",.4~g", "title": "5%"},
                                      {"field": "q95", "type": "quantitative", "format": ",.4~g", "title": "95%"}]}}
    zero = {"data": {"values": [{"y": 0}]}, "mark": {"type": "rule", "color": "#666666", "strokeDash": [4, 3]},
            "encoding": {"y": {"field": "y", "type": "quantitative"}}}
    return {**base(f"{series}: scenario − base, median and 5–95% of seeds ({unit})", HEIGHT),
            "data": {"values": records(f)}, "layer": [area, line, hover, zero, *shock_layer(shocks)]}


def interval_spec(table: pd.DataFrame, title: str, x_title: str, *, category: str = "label",
                  color: str | None = None) -> dict:
    """Points at each row's mean with its 95% interval as a rule, one row per `category`;
    coloured by `color` (agent classes in their colours, toggled from the legend)."""
    cols = [c for c in dict.fromkeys([category, "mean", "lo", "hi", "q05", "q95", "n", color])
            if c and c in table.columns]
    t = table[cols]
    enc_color = {}
    params = [{"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}]
    if color:
        names = list(dict.fromkeys(t[color].astype(str)))
        enc_color = {"color": {"field": color, "type": "nominal", "title": None,
                               "scale": {"domain": names, "range": [class_color(n) for n in names]}}}
        params.append({"name": "toggle", "select": {"type": "point", "fields": [color]}, "bind": "legend"})
    y = {"field": category, "type": "nominal", "title": None, "sort": None}
    tip = [{"field": category, "type": "nominal"}] + [
        {"field": c, "type": "quantitative", "format": ",.3~f",
         "title": {"mean": "mean", "lo": "95% CI low", "hi": "95% CI high", "q05": "5% of seeds",
                   "q95": "95% of seeds", "n": "seeds"}[c]} for c in ("mean", "lo", "hi", "q05", "q95", "n")
        if c in cols]
    opacity = {"opacity": {"condition": {"param": "toggle", "value": 1}, "value": 0.1}} if color else {}
    rule = {"mark": {"type": "rule", "strokeWidth": 2},
            "encoding": {"y": y, "x": {"field": "lo", "type": "quantitative", "title": x_title},
                         "x2": {"field": "hi"}, **enc_color, **opacity}}
    point = {"mark": {"type": "point", "filled": True, "size": 50}, "params": params,
             "encoding": {"y": y, "x": {"field": "mean", "type": "quantitative"}, **enc_color, **opacity,
                          "tooltip": tip}}
    zero = {"data": {"values": [{"x": 0}]}, "mark": {"type": "rule", "color": "#666666", "strokeDash": [4, 3]},
            "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    n = t[category].nunique()
    return {**base(title, max(80, 16 * n)), "data": {"values": records(t)}, "layer": [rule, point, zero]}


def group_fan_spec(q: pd.DataFrame, title: str, y_title: str, colors: Mapping[str, str],
                   shocks: Iterable[Mapping] = ()) -> dict:
    """Fans of several groups on one chart: `q` has day, group, q05, q50, q95; a band and a median
    line per group in `colors`, groups toggled from the legend, hover values, zoom on x."""
    names = list(colors)
    color = {"field": "group", "type": "nominal", "title": None,
             "scale": {"domain": names, "range": [colors[n] for n in names]}}
    opacity = {"condition": {"param": "toggle", "value": 0.3}, "value": 0.03}
    area = {"mark": {"type": "area"},
            "encoding": {"x": {"field": "day", "type": "quantitative", "title": "trading day"},
                         "y": {"field": "q05", "type": "quantitative", "title": y_title},
                         "y2": {"field": "q95"}, "color": color, "opacity": opacity}}
    line = {"mark": {"type": "line", "strokeWidth": 1.6},
            "params": [{"name": "toggle", "select": {"type": "point", "fields": ["group"]}, "bind": "legend"},
                       {"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}],
            "encoding": {"x": {"field": "day", "type": "quantitative"},
                         "y": {"field": "q50", "type": "quantitative"}, "color": color,
                         "opacity": {"condition": {"param": "toggle", "value": 1}, "value": 0.1},
                         "tooltip": [{"field": "group", "type": "nominal"}, {"field": "day", "type": "quantitative"},
                                     {"field": "q50", "type": "quantitative", "format": ",.4~g", "title": "median"},
                                     {"field": "q05", "type": "quantitative", "format": ",.4~g", "title": "5%"},
                                     {"field": "q95", "type": "quantitative", "format": ",.4~g", "title": "95%"}]}}
    return {**base(title, HEIGHT), "data": {"values": records(q[["day", "group", "q05", "q50", "q95"]])},
            "layer": [area, line, *shock_layer(shocks)]}


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.replace([np.inf, -np.inf], np.nan)
