"""Summary metrics of a run (MODEL.md §5): per asset max drawdown, days to trough, recovery,
peak VOL, and the amplification ratio — and their names.

`summary.json` keeps the metrics nested (`metrics.assets.SPX.max_drawdown`, `metrics.amplification.SPX`,
`metrics.interlock.circularity.NVDA`). Everywhere a metric is named by one string — a sweep's
summary.parquet column, a claim in a narrative, `interlock sensitivity --metric`, a report — it is
named by `flat_metrics`: the path joined with dots, without the `assets` level for per-asset
metrics:

    SPX.max_drawdown   NVDA.recovery_days   peak_VOL_1M   amplification.SPX
    net_flow_by_class_bn.cta   crypto_liquidations.liquidated_bn   interlock.circularity.NVDA
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..io import flatten

ASSETS = "assets"          # the summary's level of per-asset metrics, dropped from their names


def flat_metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """A run summary's nested `metrics` → one level, each metric under its one name (see the module
    docstring): `{"assets": {"SPX": {"max_drawdown": 0.1}}, "amplification": {"SPX": 2.0}}` →
    `{"SPX.max_drawdown": 0.1, "amplification.SPX": 2.0}`. Values are kept as they are."""
    rest = dict(metrics)
    assets = rest.pop(ASSETS, {})
    return {**flatten(assets), **flatten(rest)}


def numeric_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """`flat_metrics` restricted to numbers (None → NaN; text and booleans are left out): what a
    claim can compare."""
    out: dict[str, float] = {}
    for k, v in flat_metrics(metrics).items():
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            out[k] = float(v)
        elif v is None:
            out[k] = math.nan
    return out


def drawdown_stats(prices: np.ndarray) -> dict[str, float | int | None]:
    """Max drawdown (share of the running peak), the peak and trough days, days from peak to
    trough, and days from the trough back to the old peak (None if not recovered)."""
    p = np.asarray(prices, dtype=float)
    peak = np.maximum.accumulate(p)
    dd = 1.0 - p / peak
    trough = int(np.argmax(dd))
    mdd = float(dd[trough])
    peak_day = int(np.argmax(p[: trough + 1])) if trough > 0 else 0
    recovery = None
    if mdd > 0:
        after = np.flatnonzero(p[trough:] >= peak[trough])
        recovery = int(after[0]) if after.size else None
    return {"max_drawdown": mdd, "peak_day": peak_day, "trough_day": trough,
            "days_to_trough": trough - peak_day, "recovery_days": recovery}


def asset_metrics(ts: pd.DataFrame, assets: list[str], trading_days: float) -> dict[str, dict]:
    """Per asset: `drawdown_stats`, the total return and the annualised volatility of daily log
    returns (`trading_days` per year: the run's `run.trading_days_per_year`)."""
    out = {}
    for a in assets:
        p = ts[a].to_numpy()
        st = drawdown_stats(p)
        r = np.diff(np.log(p))
        st["total_return"] = float(p[-1] / p[0] - 1.0)
        st["annual_vol"] = float(r.std(ddof=1) * math.sqrt(trading_days)) if r.size > 1 else 0.0
        out[a] = st
    return out


def summarize(ts: pd.DataFrame, flows: pd.DataFrame, assets: list[str], trading_days: float) -> dict:
    """Metrics of one run (without amplification, which needs a second run)."""
    m = {ASSETS: asset_metrics(ts, assets, trading_days)}
    m["peak_VOL_1M"] = float(ts["VOL_1M"].max())
    m["peak_VOL_1M_day"] = int(ts["VOL_1M"].idxmax())
    m["max_VOL_inversion"] = float((ts["VOL_1M"] - ts["VOL_3M"]).max())
    m["final_policy_rate"] = float(ts["policy_rate"].iloc[-1])
    if len(flows):
        by_class = flows.groupby("agent_class", observed=True)["usd_bn"]
        m["net_flow_by_class_bn"] = {k: float(v) for k, v in by_class.sum().items()}
        forced = flows[flows["forced"]]
        m["forced_flow_bn"] = float(forced["usd_bn"].abs().sum())
        m["max_rounds_in_a_day"] = int(flows["round"].max())
    else:
        m["net_flow_by_class_bn"] = {}
        m["forced_flow_bn"] = 0.0
        m["max_rounds_in_a_day"] = 0
    return m


def stability_metrics(stability: Mapping[str, Any]) -> dict[str, float]:
    """A run's stability as numbers (flat names `stability.stable`, 1.0 or 0.0, and
    `stability.guard_events`), so sweeps and stress reports can count and filter unstable runs."""
    return {"stable": 1.0 if stability["stable"] else 0.0, "guard_events": float(stability["guard_events"])}


def amplification(ts_all: pd.DataFrame, ts_exog: pd.DataFrame, assets: list[str]) -> dict[str, float | None]:
    """Move with all agents / move with endogenous agents off, same random numbers: the ratio of
    max drawdowns (None when the exogenous run has no drawdown)."""
    out = {}
    for a in assets:
        d_all = drawdown_stats(ts_all[a].to_numpy())["max_drawdown"]
        d_ex = drawdown_stats(ts_exog[a].to_numpy())["max_drawdown"]
        out[a] = float(d_all / d_ex) if d_ex > 1e-9 else None
    return out
