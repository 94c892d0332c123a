"""The charts of a run's report.html (issue #15): Vega-Lite 5 specs built as plain dicts (no Altair,
no matplotlib: `interlock run` writes the report on every run, so it must cost little).

- `lines_spec`: several series on one chart (prices rebased to 100, VOL in vol points, rates in
  %), one colour per series from `viz.style`, toggled from the legend;
- `flows_spec`: net flows by agent class, stacked by day (buys above zero, sales below), one
  colour per class from `viz.style`, classes toggled from the legend;
- `residual_spec`: the classes drawn apart (`viz.common.APART`: the discretionary desks' residual
  flow, an order of magnitude larger) as lines on a chart and scale of their own, so the documented
  classes stay readable.

Every chart: hover for values (day, date, value), drag to pan and wheel to zoom on x, double-click
to reset; the scenario's shocks as dotted rules named on hover.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import pandas as pd

from .style import class_color
from .vega import base, shock_layer, wide_records

HEIGHT = 220


def _x(title: str | None = "trading day") -> dict:
    return {"field": "day", "type": "quantitative", "title": title}


def _zoom() -> dict:
    return {"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}


def _tooltip(name: str, has_date: bool, unit: str) -> list[dict]:
    tip = [{"field": name, "type": "nominal"}, {"field": "day", "type": "quantitative"}]
    if has_date:
        tip.append({"field": "date", "type": "nominal"})
    return tip + [{"field": "value", "type": "quantitative", "format": ",.4~g", "title": unit}]


def lines_spec(wide: pd.DataFrame, title: str, y_title: str, colors: Mapping[str, str],
               shocks: Iterable[Mapping] = (), dashed: Sequence[str] = (), dates=None) -> dict:
    """Lines of `wide` (index: day; one column per series), one per series in `colors` (their
    colours, the legend's order); click the legend to toggle a series, hover for values, zoom on x.
    `dates`: the calendar date of each row, shown on hover."""
    names = [n for n in colors if n in wide.columns]
    color = {"field": "series", "type": "nominal", "title": None,
             "scale": {"domain": names, "range": [colors[n] for n in names]}}
    dash = {}
    if dashed:
        dash = {"strokeDash": {"condition": {"test": {"field": "series", "oneOf": list(dashed)}, "value": [5, 3]},
                               "value": [1, 0]}}
    line = {"mark": {"type": "line", "strokeWidth": 1.4},
            "params": [{"name": "toggle", "select": {"type": "point", "fields": ["series"]}, "bind": "legend"},
                       _zoom()],
            "encoding": {"x": _x(), "y": {"field": "value", "type": "quantitative", "title": y_title,
                                          "scale": {"zero": False}},
                         "color": color, **dash,
                         "opacity": {"condition": {"param": "toggle", "value": 1}, "value": 0.08}}}
    points = {"mark": {"type": "point", "filled": True, "size": 24},
              "params": [{"name": "hover", "select": {"type": "point", "fields": ["day"], "nearest": True,
                                                      "on": "mouseover", "clear": "mouseout"}}],
              "encoding": {"x": _x(), "y": {"field": "value", "type": "quantitative"}, "color": color,
                           "opacity": {"condition": {"param": "hover", "empty": False, "value": 1}, "value": 0},
                           "tooltip": _tooltip("series", dates is not None, y_title)}}
    return {**base(title, HEIGHT), "data": {"values": wide_records(wide[names], dates)},
            "transform": [{"fold": names, "as": ["series", "value"]}],
            "layer": [line, points, *shock_layer(shocks)]}


def flows_spec(wide: pd.DataFrame, title: str, shocks: Iterable[Mapping] = (), dates=None) -> dict:
    """Net flows of `wide` (index: day; one column per agent class, $bn per day) as bars stacked by
    class (buys above zero, sales below), coloured by class; legend toggles a class, hover gives
    its value."""
    names = [str(c) for c in wide.columns]
    color = {"field": "class", "type": "nominal", "title": None,
             "scale": {"domain": names, "range": [class_color(n) for n in names]}}
    bars = {"mark": {"type": "bar", "width": {"band": 1}, "binSpacing": 0},
            "params": [{"name": "toggle", "select": {"type": "point", "fields": ["class"]}, "bind": "legend"},
                       _zoom()],
            "encoding": {"x": _x(), "y": {"field": "value", "type": "quantitative", "stack": "zero",
                                          "title": "$bn per day (sales < 0)"},
                         "color": color, "order": {"field": "class"},
                         "opacity": {"condition": {"param": "toggle", "value": 1}, "value": 0.08},
                         "tooltip": _tooltip("class", dates is not None, "$bn per day")}}
    return {**base(title, HEIGHT), "data": {"values": wide_records(wide, dates)},
            "transform": [{"fold": names, "as": ["class", "value"]},
                          {"filter": "datum.value != 0"}],      # a zero bar draws nothing
            "layer": [bars, *shock_layer(shocks)]}


def residual_spec(wide: pd.DataFrame, title: str, shocks: Iterable[Mapping] = (), dates=None) -> dict:
    """The classes drawn apart (index: day; one column per class) as lines on a scale of their own."""
    return lines_spec(wide, title, "$bn per day", {str(c): class_color(str(c)) for c in wide.columns}, shocks,
                      dates=dates)
