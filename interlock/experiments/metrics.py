"""Summary metrics of a run (MODEL.md §5): per asset max drawdown, days to trough, recovery,
peak VOL, and the amplification ratio."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


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


def asset_metrics(ts: pd.DataFrame, assets: list[str]) -> dict[str, dict]:
    out = {}
    for a in assets:
        p = ts[a].to_numpy()
        st = drawdown_stats(p)
        r = np.diff(np.log(p))
        st["total_return"] = float(p[-1] / p[0] - 1.0)
        st["annual_vol"] = float(r.std(ddof=1) * math.sqrt(252)) if r.size > 1 else 0.0
        out[a] = st
    return out


def summarize(ts: pd.DataFrame, flows: pd.DataFrame, assets: list[str]) -> dict:
    """Metrics of one run (without amplification, which needs a second run)."""
    m = {"assets": asset_metrics(ts, assets)}
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


def amplification(ts_all: pd.DataFrame, ts_exog: pd.DataFrame, assets: list[str]) -> dict[str, float | None]:
    """Move with all agents / move with endogenous agents off, same random numbers: the ratio of
    max drawdowns (None when the exogenous run has no drawdown)."""
    out = {}
    for a in assets:
        d_all = drawdown_stats(ts_all[a].to_numpy())["max_drawdown"]
        d_ex = drawdown_stats(ts_exog[a].to_numpy())["max_drawdown"]
        out[a] = float(d_all / d_ex) if d_ex > 1e-9 else None
    return out
