"""Vega-Lite building blocks shared by the HTML reports (`viz.compare`, `viz.run_report`): plain
dicts for Vega-Lite 5 (the version `reports.html` embeds), built without Altair and without
matplotlib, so a report costs little on a command's path.

- `records(frame)`: a frame as JSON-ready rows (numbers to SIG_DIGITS significant digits);
  `wide_records(frame, dates)`: a day-indexed frame as rows a chart folds (`fold` transform).
- `base(title, height)`: the top of a chart spec (schema, title, full width).
- `shock_layer(shocks)`: dotted rules on the shock days, the shock named on hover.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.2.0.json"
SIG_DIGITS = 6


def _num(v) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return float(f"{x:.{SIG_DIGITS}g}") if math.isfinite(x) else None


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON-ready rows (numbers to SIG_DIGITS significant digits, NaN → null)."""
    cols = list(frame.columns)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in cols]
    return [{c: (_num(v) if n else (None if v is None else str(v))) for c, v, n in zip(cols, row, numeric)}
            for row in frame.itertuples(index=False, name=None)]


def _rounded(values: np.ndarray) -> list:
    """A column's floats to SIG_DIGITS significant digits of its largest magnitude (one rounding per
    column: cheap), NaN and infinities as None."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    if not ok.any():
        return [None] * len(v)
    top = float(np.abs(v[ok]).max())
    decimals = SIG_DIGITS - 1 - (int(np.floor(np.log10(top))) if top > 0 else 0)
    out = np.round(np.where(ok, v, 0.0), max(decimals, 0)).tolist()
    return out if ok.all() else [x if k else None for x, k in zip(out, ok.tolist())]


def wide_records(frame: pd.DataFrame, dates=None) -> list[dict]:
    """A frame indexed by day, one numeric column per series, as JSON-ready rows {day, [date],
    column: value, …} (`dates`: one label per row, e.g. "2025-11-21") (a chart folds the columns with a `fold` transform). Fast for a run's
    hundreds of days: one rounding per column, not per value."""
    keys = ["day"] + (["date"] if dates is not None else []) + [str(c) for c in frame.columns]
    cols = [np.asarray(frame.index, dtype=int).tolist()]
    if dates is not None:
        cols.append([str(d) for d in dates])
    cols += [_rounded(frame[c].to_numpy()) for c in frame.columns]
    return [dict(zip(keys, row)) for row in zip(*cols)]


def base(title: str, height: int) -> dict:
    """A chart's common top: schema, a left-anchored title, the page's full width, `height` px."""
    return {"$schema": SCHEMA, "title": {"text": title, "anchor": "start", "fontSize": 13},
            "width": "container", "height": height, "autosize": {"type": "fit-x", "contains": "padding"}}


def shock_layer(shocks: Iterable[Mapping]) -> list[dict]:
    """A layer of dotted black rules on the shock days (`type`, `at`), named on hover; [] if none."""
    rows = [{"day": int(s["at"]), "shock": f"{s['type']} (day {s['at']})"} for s in shocks or []]
    if not rows:
        return []
    return [{"data": {"values": rows}, "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#000000"},
             "encoding": {"x": {"field": "day", "type": "quantitative"},
                          "tooltip": [{"field": "shock", "type": "nominal"}]}}]
