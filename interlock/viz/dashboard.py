"""The run dashboard (dashboard.png): what happened and who traded, at a glance.

Ten panels: prices rebased to 100; implied vol 1M/3M; net flows by agent class into equities, BTC
and Treasuries; systematic positioning (vol-target exposure, CTA positions); buyback spending with
blackout windows shaded; the Fed (policy rate, 10y yield, cut probability); crypto liquidations and
leverage; AI capex and utilisation. Panels whose block was not in the run say so instead of
failing. Shock days are dotted lines on every panel.

`dashboard_data(result)` returns exactly the numbers drawn, panel by panel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .style import asset_color, series_color
from .common import (PRICE_ASSETS, Drawn, assets_of, class_color, equity_assets, mark_shocks, matching_columns,
                     new_figure, no_data, save, stacked_flows, title_of)

FLOW_GROUPS = ("equities", "BTC", "UST10")
FLOW_GROUP_NAMES = {"equities": "equities (S&P futures + single stocks)", "BTC": "BTC", "UST10": "10y Treasuries"}


def flows_by_class(flows: pd.DataFrame, days, assets=None) -> pd.DataFrame:
    """Net flow ($bn per day) by agent class over `days` (all clearing rounds), optionally only
    into `assets`. Index: day; columns: agent classes that traded (in the class column's
    category order, alphabetical for plain strings — as `pivot_table` orders them)."""
    f = flows if assets is None else flows[flows["asset"].isin(list(assets))]
    index = pd.Index(days, name="day")
    cls = pd.Categorical(f["agent_class"])
    pos = index.get_indexer(f["day"].to_numpy())
    keep = (pos >= 0) & (cls.codes >= 0)
    codes = np.unique(cls.codes[keep])
    # one bincount over (day, class) cells: the app recomputes this every step (a pivot_table
    # costs ≈ 5× more)
    col = np.searchsorted(codes, cls.codes[keep])
    cells = np.bincount(pos[keep] * len(codes) + col, weights=f["usd_bn"].to_numpy(dtype=float)[keep],
                        minlength=len(index) * len(codes))
    return pd.DataFrame(cells.reshape(len(index), len(codes)), index=index,
                        columns=[str(cls.categories[c]) for c in codes])


def flow_groups(result) -> dict[str, list[str]]:
    """Asset groups of the flow panels: equities (SPX + single stocks), BTC, UST10."""
    assets = assets_of(result)
    groups = {"equities": equity_assets(assets)}
    for a in ("BTC", "UST10"):
        if a in assets:
            groups[a] = [a]
    return groups


def liquidations(result) -> pd.DataFrame:
    """Crypto liquidations ($bn per day) from the time series, or else from flows whose reason is
    'liquidation'; with BTC leverage and trust where the crypto block records them."""
    ts = result.timeseries
    out = pd.DataFrame(index=pd.Index(ts["day"], name="day"))
    if "liquidations_bn" in ts:
        out["liquidations_bn"] = ts["liquidations_bn"].to_numpy()
    elif (result.flows["reason"] == "liquidation").any():
        f = result.flows[result.flows["reason"] == "liquidation"]
        out["liquidations_bn"] = f.groupby("day")["usd_bn"].sum().abs().reindex(out.index, fill_value=0.0)
    for c in ("btc_leverage", "crypto_trust"):
        if c in ts:
            out[c] = ts[c].to_numpy()
    return out


def dashboard_data(result, panels=None) -> dict[str, pd.DataFrame]:
    """The numbers each dashboard panel draws (index: trading day). An empty frame means the run
    has no such data and the panel says so. `panels`: only these keys (e.g. the app's overview
    asks for prices, vol and flows_equities every step)."""
    ts = result.timeseries
    day = pd.Index(ts["day"], name="day")

    def want(key: str) -> bool:
        return panels is None or key in panels

    def cols(names, scale=1.0) -> pd.DataFrame:
        present = [c for c in names if c in ts]
        return pd.DataFrame({c: ts[c].to_numpy() * scale for c in present}, index=day)

    data = {}
    if want("prices"):
        prices = cols(PRICE_ASSETS)
        data["prices"] = 100.0 * prices / prices.iloc[0]
    if want("vol"):
        data["vol"] = cols(["VOL_1M", "VOL_3M"], 100.0)
    for g, members in flow_groups(result).items():
        if want(f"flows_{g}"):
            data[f"flows_{g}"] = flows_by_class(result.flows, ts["day"], members)
    if want("positioning"):
        data["positioning"] = cols(["vol_target_exposure", "cta_position_spx_bn", "cta_position_ust10_bn",
                                    "cta_position_btc_bn"])
    if want("buybacks"):
        data["buybacks"] = cols(["buyback_spend_bn", "buyback_open_share"])
    if want("fed"):
        fed = cols(["policy_rate", "UST10_yield"], 100.0)
        if "cut_prob" in ts:
            fed["cut_prob"] = ts["cut_prob"].to_numpy()
        data["fed"] = fed
    if want("crypto"):
        data["crypto"] = liquidations(result)
    if want("capex"):
        data["capex"] = cols(matching_columns(ts, "capex_", "_bn")
                             + [c for c in ts.columns if "utilisation" in c or "utilization" in c])
    return data


def _shade_blackouts(ax, buybacks: pd.DataFrame) -> None:
    if "buyback_open_share" not in buybacks:
        return
    closed = (buybacks["buyback_open_share"] < 0.5).to_numpy()
    days = buybacks.index.to_numpy()
    start = None
    for d, c in zip(days, closed):
        if c and start is None:
            start = d
        if not c and start is not None:
            ax.axvspan(start - 0.5, d - 0.5, color="0.88", zorder=0, lw=0)
            start = None
    if start is not None:
        ax.axvspan(start - 0.5, days[-1] + 0.5, color="0.88", zorder=0, lw=0)


def _twin_legend(ax, ax2) -> None:
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    if h1 or h2:
        ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="best")


def draw_prices(ax, prices: pd.DataFrame) -> None:
    """Prices rebased to 100 (S&P 500 bold, BTC dashed)."""
    for a in prices.columns:
        style = dict(lw=1.8) if a == "SPX" else dict(lw=0.9, ls="--" if a == "BTC" else "-")
        ax.plot(prices.index, prices[a], label=a, color=asset_color(a), **style)
    ax.axhline(100, color="0.6", lw=0.5)
    ax.set_title("Prices, rebased to 100 at day 0 (equities: market cap)")
    ax.set_ylabel("index (day 0 = 100)")
    ax.legend(fontsize=7, ncol=4, loc="best")


def draw_vol(ax, vol: pd.DataFrame) -> None:
    """VOL 1M and 3M in vol points, inverted stretches shaded."""
    x = vol.index
    ax.plot(x, vol["VOL_1M"], label="VOL 1M", color=series_color("VOL_1M"))
    ax.plot(x, vol["VOL_3M"], label="VOL 3M", color=series_color("VOL_3M"))
    ax.fill_between(x, vol["VOL_3M"], vol["VOL_1M"], where=vol["VOL_1M"] > vol["VOL_3M"], color="#bd9e39",
                    alpha=0.3, lw=0, label="inverted (1M > 3M)")
    ax.set_title("Implied volatility of the S&P 500")
    ax.set_ylabel("vol points (% annualised)")
    ax.legend(fontsize=7, loc="best")


def _draw_flows(ax, tab: pd.DataFrame, group: str) -> None:
    ax.set_title(f"Net flows into {FLOW_GROUP_NAMES[group]} by agent class")
    stacked_flows(ax, tab)
    ax.set_ylabel("$bn per day (sales < 0)")


def _draw_positioning(ax, pos: pd.DataFrame) -> None:
    ax.set_title("Systematic positioning")
    if "vol_target_exposure" in pos:
        ax.plot(pos.index, pos["vol_target_exposure"], color=class_color("vol_target"),
                label="vol-target equity exposure (x NAV, left)")
    ax.set_ylabel("x NAV")
    ax2 = ax.twinx()
    for c, ls in (("cta_position_spx_bn", "-"), ("cta_position_ust10_bn", "--"), ("cta_position_btc_bn", ":")):
        if c in pos:
            ax2.plot(pos.index, pos[c], color=class_color("cta"), ls=ls,
                     label=f"CTA {c.split('_')[2].upper()} position ($bn, right)")
    ax2.set_ylabel("$bn")
    _twin_legend(ax, ax2)


def _draw_buybacks(ax, bb: pd.DataFrame) -> None:
    title = "Buyback spending (grey = most desks in blackout)"
    if "buyback_spend_bn" not in bb:
        no_data(ax, title, "buybacks switched off")
        return
    _shade_blackouts(ax, bb)
    ax.plot(bb.index, bb["buyback_spend_bn"], color=class_color("buyback"), label="buybacks executed")
    ax.set_title(title)
    ax.set_ylabel("$bn per day")
    ax.legend(fontsize=7, loc="best")


def _draw_fed(ax, fed: pd.DataFrame) -> None:
    ax.plot(fed.index, fed["policy_rate"], color=series_color("policy_rate"), label="policy rate (%)")
    ax.plot(fed.index, fed["UST10_yield"], color=series_color("UST10_yield"), label="10y yield (%)")
    ax.set_ylabel("%")
    ax2 = ax.twinx()
    ax2.plot(fed.index, fed["cut_prob"], color=series_color("cut_prob"), lw=0.8,
             label="cut probability at next FOMC (right)")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("probability")
    ax.set_title("The Fed: policy rate, 10y yield, cut probability")
    _twin_legend(ax, ax2)


def _draw_crypto(ax, cr: pd.DataFrame) -> None:
    title = "Crypto: liquidations and leverage"
    if cr.empty or cr.shape[1] == 0:
        no_data(ax, title, "no crypto block")
        return
    ax.set_title(title)
    if "liquidations_bn" in cr:
        # one bar per day as a single filled step patch (ax.bar makes a patch per day)
        x = cr.index.to_numpy(dtype=float)
        ax.stairs(cr["liquidations_bn"].to_numpy(), np.append(x - 0.5, x[-1] + 0.5), fill=True, baseline=0.0,
                  color=class_color("crypto_leveraged"), label="liquidations ($bn/day)")
    ax.set_ylabel("$bn per day")
    axes = [ax]
    if "btc_leverage" in cr:
        ax2 = ax.twinx()
        ax2.plot(cr.index, cr["btc_leverage"], color=series_color("btc_leverage"), label="BTC leverage (x, right)")
        ax2.set_ylabel("x")
        axes.append(ax2)
    if "crypto_trust" in cr:
        # trust (0..1) on its own scale, against a second right axis set outwards
        ax3 = ax.twinx()
        ax3.spines["right"].set_position(("axes", 1.09))
        ax3.plot(cr.index, cr["crypto_trust"], color=series_color("crypto_trust"), label="crypto trust (0–1, outer right)")
        ax3.set_ylim(0, 1.0)
        axes.append(ax3)
    # headroom above the data for the legend, so it never covers a liquidation spike
    for a in axes:
        lo, hi = a.get_ylim()
        a.set_ylim(lo, lo + (hi - lo) * 1.45)
    handles = [h for a in axes for h in a.get_legend_handles_labels()[0]]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=7, loc="upper left", ncol=3)


def _draw_capex(ax, cx: pd.DataFrame) -> None:
    title = "AI capex and compute utilisation"
    if cx.empty or cx.shape[1] == 0:
        no_data(ax, title, "no AI interlock block")
        return
    ax.set_title(title)
    util = [c for c in cx.columns if "utilisation" in c or "utilization" in c]
    for c in cx.columns:
        if c not in util:
            firm = c[len("capex_"):-len("_bn")]
            ax.plot(cx.index, cx[c], lw=0.9, label=firm,
                    color=asset_color({"coreweave": "CRWV", "nebius": "NBIS"}.get(firm, firm.upper())))
    ax.set_ylabel("capex run-rate, $bn per year")
    ax2 = ax.twinx()
    for c in util:
        ax2.plot(cx.index, 100 * cx[c], color="k", ls="--", label=f"{c.replace('_', ' ')} (%, right)")
    if util:
        ax2.set_ylabel("%")
    _twin_legend(ax, ax2)


# Fixed margins (fractions of the 15 × 19 in figure) in place of `tight_layout`, which draws the
# whole figure once more to measure it (≈ 40% of `interlock run baseline`'s CPU, issue #16): room
# for the y labels on the left, the twin axes on the right of each column (the crypto panel's outer
# trust axis sits at 1.09 of its width) and the suptitle on top.
LAYOUT = dict(left=0.055, right=0.945, bottom=0.035, top=0.955, wspace=0.28, hspace=0.27)
def dashboard(result, path: str | Path, dpi: int = 100, data: dict[str, pd.DataFrame] | None = None) -> Drawn:
    """Write the run dashboard to `path` (PNG). Returns the path and the data drawn. `data`: the
    run's `dashboard_data` if the caller has it already (report.html draws the same numbers)."""
    data = dashboard_data(result) if data is None else data
    fig = new_figure(15, 19)
    axes = fig.subplots(5, 2, sharex=True, gridspec_kw=LAYOUT)
    draw_prices(axes[0, 0], data["prices"])
    draw_vol(axes[0, 1], data["vol"])
    flow_axes = [axes[1, 0], axes[1, 1], axes[2, 0]]
    for ax, g in zip(flow_axes, FLOW_GROUPS):
        if f"flows_{g}" in data:
            _draw_flows(ax, data[f"flows_{g}"], g)
        else:
            no_data(ax, f"Net flows into {g}", f"{g} not in this run")
    _draw_positioning(axes[2, 1], data["positioning"])
    _draw_buybacks(axes[3, 0], data["buybacks"])
    _draw_fed(axes[3, 1], data["fed"])
    _draw_crypto(axes[4, 0], data["crypto"])
    _draw_capex(axes[4, 1], data["capex"])
    for ax in axes[-1]:
        ax.set_xlabel("trading day")
        ax.tick_params(labelbottom=True)
    mark_shocks(axes.ravel(), result.summary, label_axes=axes[0])
    fig.suptitle(title_of(result), fontsize=13, y=0.99)
    # Titles at a fixed height just above each panel (x tick labels are only at the bottom):
    # matplotlib's automatic title placement measures every twin axis for each title at draw time
    for ax in axes.ravel():
        ax.set_title(ax.get_title(), y=1.0)
    # at most 5 y intervals per axis (twins included): matplotlib's default fits ≈ 8 on these panels,
    # and every tick is a set of artists made and drawn (ticks are most of the draw's cost)
    for ax in fig.axes:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    out = save(fig, path, dpi=dpi)                 # the one full draw
    return Drawn(out, data)
