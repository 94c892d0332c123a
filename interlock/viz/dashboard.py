"""The run dashboard (dashboard.png): prices, VOL, flows by agent class, fund exposures, buyback
windows and the Fed — what happened, and who traded, at a glance."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

CLASS_COLORS = {"vol_target": "#d62728", "cta": "#1f77b4", "buyback": "#2ca02c", "discretionary": "#7f7f7f",
                "dealer": "#9467bd", "retail_crypto": "#ff7f0e", "crypto_etf": "#8c564b", "external": "#000000"}


def equity_flows_by_class(result) -> pd.DataFrame:
    """Daily net equity flow ($bn) per agent class: SPX plus single stocks (all rounds)."""
    f = result.flows
    eq = set(result.summary.get("asset_names", [])) - {"BTC", "UST10"}
    f = f[f["asset"].isin(eq)]
    tab = f.pivot_table(index="day", columns="agent_class", values="usd_bn", aggfunc="sum", fill_value=0.0)
    return tab.reindex(result.timeseries["day"], fill_value=0.0)


def _shade_blackouts(ax, ts: pd.DataFrame) -> None:
    if "buyback_open_share" not in ts:
        return
    closed = (ts["buyback_open_share"] < 0.5).to_numpy()
    days = ts["day"].to_numpy()
    start = None
    for d, c in zip(days, closed):
        if c and start is None:
            start = d
        if not c and start is not None:
            ax.axvspan(start, d, color="0.85", zorder=0, lw=0)
            start = None
    if start is not None:
        ax.axvspan(start, days[-1], color="0.85", zorder=0, lw=0)


def _mark_shocks(axes, result) -> None:
    for s in result.summary.get("shocks", []):
        for ax in axes:
            ax.axvline(s["at"], color="k", ls=":", lw=0.8)
        axes[0].annotate(s["type"], (s["at"], 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                         rotation=90, va="top", ha="right")


def dashboard(result, path: str | Path) -> Path:
    ts = result.timeseries
    day = ts["day"].to_numpy()
    fig, axes = plt.subplots(3, 2, figsize=(14, 10), sharex=True)
    ax = axes[0, 0]
    for a in ["SPX", "NVDA", "MSFT", "ORCL", "AVGO", "BTC"]:
        if a in ts:
            ax.plot(day, 100 * ts[a] / ts[a].iloc[0], label=a, lw=1.2 if a == "SPX" else 0.8)
    ax.set_title("Prices (rebased to 100)")
    ax.set_ylabel("index")
    ax.legend(fontsize=7, ncol=3)
    ax = axes[0, 1]
    ax.plot(day, 100 * ts["VOL_1M"], label="VOL 1M", color="#d62728")
    ax.plot(day, 100 * ts["VOL_3M"], label="VOL 3M", color="#1f77b4")
    ax.set_title("Implied volatility (curve inverts when 1M > 3M)")
    ax.set_ylabel("vol points (%)")
    ax.legend(fontsize=7)
    ax = axes[1, 0]
    tab = equity_flows_by_class(result)
    pos = np.zeros(len(tab))
    neg = np.zeros(len(tab))
    for c in tab.columns:
        v = tab[c].to_numpy()
        ax.bar(day, np.where(v > 0, v, 0), bottom=pos, width=1.0, color=CLASS_COLORS.get(c), label=c)
        ax.bar(day, np.where(v < 0, v, 0), bottom=neg, width=1.0, color=CLASS_COLORS.get(c))
        pos += np.where(v > 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax.set_title("Net equity flows by agent class (all clearing rounds)")
    ax.set_ylabel("$bn per day")
    ax.legend(fontsize=7, ncol=3)
    ax = axes[1, 1]
    if "vol_target_exposure" in ts:
        ax.plot(day, ts["vol_target_exposure"], color="#d62728", label="vol-target equity exposure (x NAV)")
    ax.set_ylabel("x NAV")
    ax2 = ax.twinx()
    if "cta_position_spx_bn" in ts:
        ax2.plot(day, ts["cta_position_spx_bn"], color="#1f77b4", label="CTA S&P position ($bn)")
    ax2.set_ylabel("$bn")
    ax.set_title("Systematic positioning")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7)
    ax = axes[2, 0]
    _shade_blackouts(ax, ts)
    if "buyback_spend_bn" in ts:
        ax.plot(day, ts["buyback_spend_bn"], color="#2ca02c")
    ax.set_title("Buyback spending (grey = most desks in blackout)")
    ax.set_ylabel("$bn per day")
    ax.set_xlabel("trading day")
    ax = axes[2, 1]
    ax.plot(day, 100 * ts["policy_rate"], color="k", label="policy rate (%)")
    ax.plot(day, 100 * ts["UST10_yield"], color="#8c564b", label="10y yield (%)")
    ax.set_ylabel("%")
    ax2 = ax.twinx()
    ax2.plot(day, ts["cut_prob"], color="#ff7f0e", lw=0.8, label="cut probability")
    ax2.set_ylim(0, 1)
    ax.set_title("The Fed: policy rate, 10y yield, cut probability at next FOMC")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7)
    ax.set_xlabel("trading day")
    _mark_shocks(axes.ravel(), result)
    fig.suptitle(f"interlock · {result.scenario} · seed {result.seed} · {result.days} days", fontsize=12)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
