"""The cascade view of one day or a window (cascade.png).

1. The trigger chain: each clearing round's net flows by agent class and reason (round 0 = the
   agents' voluntary orders; rounds 1, 2, … = forced: stop-outs, risk exits, gamma hedges,
   liquidations), with bands from the flows of round r to the forced flows they triggered in
   round r + 1. Per market (equities, BTC, Treasuries), a forced round's price move comes from
   its net flow alone, so round r + 1's forced $ are put down to the round-r flows in that market
   that pushed prices the way that net went, in proportion to their $. Round 0 also carries news,
   value reversion and other traders' noise: the agents' round-0 flows are credited with the part
   of the market's round-0 move their net flow explains (multiplier × flow / market value), and a
   "news & noise" node with the rest.
2. Forced flows per day by class around the window, with the S&P 500, to place it in the run.
3. The interlock cascade (events of kind "cascade"): a timeline of source → target hops, marker
   size = $bn, colour = channel (supply, equity, financing), lines joining a hop to the next
   hop from its target.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .alluvial import Link, Node, draw_alluvial
from .common import (NON_EQUITY, Drawn, assets_of, channel_color, check_days, class_color, mark_shocks, new_figure,
                     no_data, save, shocks, stacked_flows, title_of)
from .style import NEWS_COLOR, asset_color

CONTEXT_DAYS = 15          # days shown either side of the window in the daily panel
MAX_HOP_ROWS = 16         # rows of the interlock timeline (the largest source → target pairs)
CHAIN_GAP_DAYS = 5         # an interlock hop continues an earlier one ending at its source within this


def worst_cascade_day(flows: pd.DataFrame) -> int | None:
    """The day with the most forced $ (gross), or None if nothing was ever forced."""
    forced = flows[flows["forced"]]
    if forced.empty:
        return None
    return int(forced["usd_bn"].abs().groupby(forced["day"]).sum().idxmax())


def first_forced_day(flows: pd.DataFrame, start: int) -> int | None:
    """The first day ≥ `start` on which a forced round fired, or None."""
    days = flows.loc[flows["forced"] & (flows["day"] >= start), "day"]
    return int(days.min()) if len(days) else None


def default_day(result, flows: pd.DataFrame | None = None) -> int:
    """The cascade view's default day: the first shock's day if something was forced on it, else
    the first day a forced round fired after it; without shocks (or nothing forced after them) the
    day with the most forced $; the largest absolute S&P move if nothing was ever forced."""
    flows = result.flows if flows is None else flows
    last = int(result.timeseries["day"].iloc[-1])
    for s in sorted(shocks(result.summary), key=lambda s: s["at"]):
        if s["at"] > last:
            continue
        d = first_forced_day(flows, int(s["at"]))
        return d if d is not None else int(s["at"])
    d = worst_cascade_day(flows)
    if d is None:
        r = np.log(result.timeseries["SPX"]).diff().abs()
        d = int(result.timeseries["day"].iloc[int(r.fillna(0).to_numpy().argmax())])
    return d


def asset_flows(result, asset: str | None) -> pd.DataFrame:
    """The run's flows, only those into `asset` (None: all). An unknown asset is an InputError."""
    if asset is None:
        return result.flows
    names = assets_of(result)
    if asset not in names:
        raise InputError(f"no asset {asset!r} in this run", key="--asset", allowed=", ".join(names))
    return result.flows[result.flows["asset"] == asset]


def select_days(result, day: int | None = None, window: tuple[int, int] | None = None,
                flows: pd.DataFrame | None = None) -> tuple[int, int]:
    """The span a cascade view covers: `day`, `window` (inclusive), or by default
    `default_day` (the shock day, or the first forced round after it)."""
    if day is not None and window is not None:
        raise InputError("give --day or --window, not both", key="--day/--window")
    if window is not None:
        lo, hi = window
        check_days(result, lo, hi, "--window")
        return lo, hi
    if day is not None:
        check_days(result, day, day, "--day")
        return day, day
    d = default_day(result, flows)
    return d, d


def _node(cls: str, reason: str) -> str:
    return f"{cls} · {reason}"


def round_table(flows: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Net and gross $bn by clearing round, agent class and reason over days lo..hi."""
    f = flows[(flows["day"] >= lo) & (flows["day"] <= hi)]
    g = f.assign(gross_bn=f["usd_bn"].abs()).groupby(["round", "agent_class", "reason"], observed=True)
    out = g[["usd_bn", "gross_bn"]].sum().reset_index()
    out["node"] = [_node(c, r) for c, r in zip(out["agent_class"], out["reason"])]
    return out.sort_values(["round", "usd_bn"]).reset_index(drop=True)


NEWS_NODE = "market · news & noise"


def _group(asset: str) -> str:
    return asset if asset in NON_EQUITY else "SPX"


def trigger_links(flows: pd.DataFrame, lo: int, hi: int, day_moves: pd.DataFrame | None = None,
                  impact: pd.DataFrame | None = None) -> pd.DataFrame:
    """Attributed triggers: $bn of round r + 1's forced flows (node_to) put down to round r's
    flows (node_from), summed over days lo..hi.

    Per market (equities, BTC, Treasuries): a forced round's price move comes from its net flow
    alone, so round r + 1's forced $ go to the round-r flows in the same market that pushed the
    way that net went, in proportion to their $ (to every market's flows if that market had none).
    Round 0 also carries news, value reversion and other traders' noise. Its move is the day's
    move of the market (`day_moves`: log moves by day, columns SPX, BTC, UST10) less what the
    forced rounds moved (`impact`: log move per $bn by day and market); the agents' round-0 net
    flow explains `impact` × flow of it, and a "news & noise" node takes the rest."""
    f = flows[(flows["day"] >= lo) & (flows["day"] <= hi)]
    f = f.assign(market=f["asset"].map(_group))
    net = f.groupby(["day", "round", "market", "agent_class", "reason"], observed=True)["usd_bn"].sum()
    rows: dict[tuple, float] = {}

    def pushes(src: pd.Series, direction: float) -> tuple[list[str], np.ndarray]:
        by_node = src.groupby(level=["agent_class", "reason"]).sum()
        return [_node(c, why) for c, why in by_node.index], np.clip(by_node.to_numpy() * direction, 0.0, None)

    def round0_sources(d, mkt, src: pd.Series, later: float) -> tuple[list[str], np.ndarray]:
        if day_moves is None or d not in day_moves.index or mkt not in day_moves:
            sources, push = pushes(src, np.sign(src.sum()))
            return (sources, push) if push.sum() > 0 else ([NEWS_NODE], np.ones(1))
        k = impact.at[d, mkt] if impact is not None and mkt in impact and d in impact.index else 0.0
        move0 = day_moves.at[d, mkt] - k * later
        direction = np.sign(move0)
        sources, push = pushes(src, direction)
        if push.sum() <= 0 or move0 == 0:
            return [NEWS_NODE], np.ones(1)
        explained = min(1.0, max(0.0, k * src.sum() * direction / abs(move0))) if impact is not None else 1.0
        return sources + [NEWS_NODE], np.append(push / push.sum() * explained, 1.0 - explained)

    for d, by_day in net.groupby(level="day"):
        rounds = {r: s.droplevel(["day", "round"]) for r, s in by_day.groupby(level="round")}
        for r in sorted(rounds):
            if r + 1 not in rounds:
                continue
            src = rounds[r]
            for mkt, dst in rounds[r + 1].groupby(level="market"):
                same = src[src.index.get_level_values("market") == mkt]
                if r == 0:
                    later = sum(float(v[v.index.get_level_values("market") == mkt].sum())
                                for q, v in rounds.items() if q > 0)
                    sources, push = round0_sources(d, mkt, same, later)
                else:
                    pool = same if len(same) else src
                    sources, push = pushes(pool, np.sign(pool.sum()))
                    if push.sum() <= 0:       # forced flows against every push: nothing to show
                        continue
                share = push / push.sum()
                for (c2, r2), v2 in dst.groupby(level=["agent_class", "reason"]).sum().items():
                    for n1, w in zip(sources, share):
                        if w > 0:
                            key = (r, n1, r + 1, _node(c2, r2))
                            rows[key] = rows.get(key, 0.0) + w * abs(v2)
    cols = ["round_from", "node_from", "round_to", "node_to", "usd_bn"]
    return pd.DataFrame([(*k, v) for k, v in rows.items()], columns=cols)


def market_impact(result) -> pd.DataFrame | None:
    """Approximate log move per $bn of net flow, by day and market (equities as SPX, BTC,
    UST10): the market's multiplier with its short-run transient impact, over the market's value
    at the previous close. None for a run without these parameters."""
    p = result.params
    keys = ("market.equity_multiplier", "market.btc_multiplier", "market.bond_multiplier",
            "market.transient_ratio", "market.btc_cap", "market.bond_cap")
    vals = {k: p.get(k) for k in keys}
    if any(v is None for v in vals.values()):
        return None
    ts = result.timeseries.set_index("day")
    short_run = 1.0 + vals["market.transient_ratio"]
    stocks = [a for a in assets_of(result) if a not in NON_EQUITY and a != "SPX" and a in ts]
    value = {"SPX": ts[stocks].sum(axis=1)}
    mult = {"SPX": vals["market.equity_multiplier"]}
    if "BTC" in ts:
        value["BTC"] = vals["market.btc_cap"] * ts["BTC"] / ts["BTC"].iloc[0]
        mult["BTC"] = vals["market.btc_multiplier"]
    if "UST10" in ts:
        value["UST10"] = vals["market.bond_cap"] * ts["UST10"] / ts["UST10"].iloc[0]
        mult["UST10"] = vals["market.bond_multiplier"]
    return pd.DataFrame({m: mult[m] * short_run / value[m].shift(1).bfill() for m in value})


def daily_forced(result, lo: int, hi: int, flows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Forced net flows ($bn/day) by agent class on days lo..hi."""
    flows = result.flows if flows is None else flows
    f = flows[flows["forced"] & (flows["day"] >= lo) & (flows["day"] <= hi)]
    tab = f.pivot_table(index="day", columns="agent_class", values="usd_bn", aggfunc="sum", fill_value=0.0,
                        observed=True)
    tab = tab.reindex(pd.Index(range(lo, hi + 1), name="day"), fill_value=0.0)
    tab.columns = [str(c) for c in tab.columns]
    return tab


def interlock_events(events: pd.DataFrame) -> pd.DataFrame:
    """The interlock's cascade hops (events of kind 'cascade'), in time order."""
    ev = events[events["kind"] == "cascade"]
    return ev.sort_values(["day"], kind="stable").reset_index(drop=True)


def market_moves(ts: pd.DataFrame) -> pd.DataFrame:
    """Close-to-close log moves by day of the S&P 500, BTC and the 10y Treasury."""
    cols = [c for c in ("SPX", "BTC", "UST10") if c in ts]
    return np.log(ts.set_index("day")[cols]).diff().fillna(0.0)


def liquidated_notional(result, lo: int, hi: int) -> float:
    """$bn of perp notional liquidated on days lo..hi (the crypto block's `liquidations_bn`), 0 without it."""
    ts = result.timeseries
    if "liquidations_bn" not in ts:
        return 0.0
    d = ts["day"]
    return float(ts.loc[(d >= lo) & (d <= hi), "liquidations_bn"].sum())


def cascade_data(result, day: int | None = None, window: tuple[int, int] | None = None,
                 asset: str | None = None) -> dict:
    """The numbers the cascade view draws: span, rounds, links, daily_forced, price (of `asset`,
    default the S&P 500, rebased), interlock, liquidated (perp notional, $bn). With `asset`, only
    the flows into that asset."""
    flows = asset_flows(result, asset)
    lo, hi = select_days(result, day, window, flows)
    last = int(result.timeseries["day"].iloc[-1])
    clo, chi = max(0, lo - CONTEXT_DAYS), min(last, hi + CONTEXT_DAYS)
    ts = result.timeseries
    name = asset if asset is not None and asset in ts else "SPX"
    price = ts.set_index("day")[name].loc[clo:chi]
    return {"span": pd.DataFrame({"lo": [lo], "hi": [hi]}),
            "rounds": round_table(flows, lo, hi),
            "links": trigger_links(flows, lo, hi, market_moves(ts), market_impact(result)),
            "daily_forced": daily_forced(result, clo, chi, flows),
            "price": (100 * price / price.iloc[0]).to_frame(name),
            "interlock": interlock_events(result.events),
            "liquidated": pd.DataFrame({"notional_bn": [liquidated_notional(result, lo, hi)],
                                        "spot_share": [float(result.params.get("retail_crypto.perp_spot_passthrough",
                                                                               np.nan))]})}


def _fmt_bn(v: float) -> str:
    if 0 < abs(v) < 0.1:                    # small: two significant digits, never "-0.0bn"
        return f"{v:+.2g}bn"
    return f"{v:+,.1f}bn" if abs(v) < 100 else f"{v:+,.0f}bn"


def _chain_label(cls: str, why: str, v: float, liquidated: pd.DataFrame | None) -> str:
    label = f"{cls}\n{why} {_fmt_bn(v)}"
    if why == "liquidation" and liquidated is not None and len(liquidated):
        # the flow rows carry the counterparty's spot hedge (perp_spot_passthrough × notional)
        share = float(liquidated["spot_share"].iat[0])
        notional = float(liquidated["notional_bn"].iat[0])
        label = f"{cls}\nliquidation: spot {_fmt_bn(v)}" + (
            f"\n({share:.0%} of ${notional:,.1f}bn perps)" if np.isfinite(share) and notional > 0 else "")
    return label


def draw_chain(ax, rounds: pd.DataFrame, links: pd.DataFrame, span: str,
               liquidated: pd.DataFrame | None = None) -> None:
    """The trigger chain: clearing rounds as columns of (class, reason) nodes, triggers as bands;
    round 0 has a "news & noise" node of its own for the move the agents' orders do not explain."""
    title = f"Trigger chain by clearing round, {span}"
    if rounds.empty:
        no_data(ax, title, "no trades in this span")
        ax.axis("off")
        return
    columns, titles = [], []
    news = links.loc[links["node_from"] == NEWS_NODE, "usd_bn"].sum()
    for r, g in rounds.groupby("round"):
        g = g[g["gross_bn"] > 0]
        columns.append([Node(n, _chain_label(c, why, v, liquidated), abs(v), class_color(c))
                        for n, v, c, why in zip(g["node"], g["usd_bn"], g["agent_class"], g["reason"])])
        if r == 0 and news > 0:
            columns[-1].append(Node(NEWS_NODE, f"news & noise {news:,.1f}bn\n(the move orders do not explain)",
                                    news, NEWS_COLOR))
        titles.append("round 0\n(voluntary)" if r == 0 else f"round {r}\n(forced)")
    col_of = {r: i for i, r in enumerate(sorted(rounds["round"].unique()))}
    node_cls = dict(zip(rounds["node"], rounds["agent_class"])) | {NEWS_NODE: "market"}
    lks = [Link(col_of[rf], nf, nt, v, NEWS_COLOR if nf == NEWS_NODE else class_color(node_cls.get(nf, "")))
           for rf, nf, nt, v in zip(links["round_from"], links["node_from"], links["node_to"], links["usd_bn"])
           if rf in col_of and rf + 1 in col_of and col_of[rf + 1] == col_of[rf] + 1]
    draw_alluvial(ax, columns, lks, titles=titles)
    ax.set_title(title + "\nnode height = |net \\$bn|; bands = forced \\$ that each round's flows triggered next round",
                 fontsize=10)


def draw_daily_forced(ax, tab: pd.DataFrame, price: pd.DataFrame, lo: int, hi: int) -> None:
    """Forced flows per day by class (stacked) with the price (S&P 500 or the chosen asset), the
    span shaded. The legend sits below the panel, off the data."""
    ax.axvspan(lo - 0.5, hi + 0.5, color="#ffe9a8", zorder=0, lw=0, label="selected")
    stacked_flows(ax, tab, legend=False)
    ax.set_ylabel("forced $bn per day (sales < 0)")
    ax.set_xlabel("trading day")
    ax2 = ax.twinx()
    name = price.columns[0]
    what = "S&P 500" if name == "SPX" else name
    ax2.plot(price.index, price[name], color=asset_color(name), lw=1.2, label=f"{what} (rebased, right)")
    ax2.set_ylabel(f"{what} (start of panel = 100)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4,
              frameon=False)
    ax.set_title("Forced flows by agent class around the span")


def draw_interlock_timeline(ax, ev: pd.DataFrame, lo: int, hi: int, last_day: int) -> None:
    """The interlock cascade hops over the run: one row per source → target pair."""
    title = "Interlock cascade: source → target hops (size = $bn, colour = channel)"
    if ev.empty:
        no_data(ax, title, "no interlock cascade events")
        ax.set_xlim(0, last_day)
        return
    name = pd.Series([f"{s} → {t}" for s, t in zip(ev["source"], ev["target"])])
    mag = ev["usd_bn"].abs().fillna(0.0).to_numpy()
    by_pair = pd.Series(mag).groupby(name).sum().sort_values(ascending=False)
    if len(by_pair) > MAX_HOP_ROWS:            # readable rows: the largest pairs, the rest on one row
        keep = set(by_pair.index[:MAX_HOP_ROWS - 1])
        other = f"{len(by_pair) - len(keep)} other pairs"
        name = name.where(name.isin(keep), other)
    pairs = list(dict.fromkeys(name))
    row = {p: i for i, p in enumerate(pairs)}
    y = np.array([row[p] for p in name])
    size = 20 + 400 * np.sqrt(mag / max(mag.max(), 1e-12))
    ax.axvspan(lo - 0.5, hi + 0.5, color="#ffe9a8", zorder=0, lw=0)
    # a hop continues an earlier hop that ended at its source a few days before
    for i in range(len(ev)):
        for j in range(i):
            if (ev["target"].iat[j] == ev["source"].iat[i]
                    and 0 <= ev["day"].iat[i] - ev["day"].iat[j] <= CHAIN_GAP_DAYS):
                ax.plot([ev["day"].iat[j], ev["day"].iat[i]], [y[j], y[i]], color="0.6", lw=0.7, zorder=1)
    for ch in ev["channel"].unique():
        m = (ev["channel"] == ch).to_numpy()
        ax.scatter(ev["day"].to_numpy()[m], y[m], s=size[m], color=channel_color(ch), alpha=0.75,
                   label=ch, zorder=3, edgecolors="k", linewidths=0.3)
    big, placed = [], []
    near = max(3.0, 0.05 * (last_day + 2))      # days: a closer label on the same row would overprint
    for i in np.argsort(-mag):
        if len(big) == 8:
            break
        if all(y[i] != yr or abs(ev["day"].iat[i] - d) >= near for yr, d in placed):
            big.append(i)
            placed.append((y[i], ev["day"].iat[i]))
    for i in big:
        ax.annotate(f"${mag[i]:,.1f}bn", (ev["day"].iat[i], y[i]), xytext=(6, 4), textcoords="offset points",
                    fontsize=7)
    ax.set_yticks(range(len(pairs)), pairs, fontsize=7)
    ax.set_ylim(-0.8, len(pairs) - 0.2)
    ax.set_xlim(-1, last_day + 1)
    ax.set_xlabel("trading day")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left", markerscale=0.5)


def cascade(result, path: str | Path, day: int | None = None, window: tuple[int, int] | None = None,
            dpi: int = 100, asset: str | None = None) -> Drawn:
    """Write the cascade view of `day` or `window` (default: `default_day`), of the flows into
    `asset` (default: every asset)."""
    data = cascade_data(result, day, window, asset)
    lo, hi = int(data["span"]["lo"].iat[0]), int(data["span"]["hi"].iat[0])
    span = f"day {lo}" if lo == hi else f"days {lo}–{hi}"
    if asset is not None:
        span += f", flows into {asset}"
    n_rounds = data["rounds"]["round"].nunique()
    chain_w = max(9.6, 1.9 * n_rounds)                  # room for every round's labels
    fig = new_figure(chain_w + 6.4, 11)
    # fixed margins, not tight_layout (an extra full draw, and the chain's labels are placed for the
    # axis size they are drawn at)
    w = chain_w + 6.4
    gs = fig.add_gridspec(2, 2, width_ratios=[chain_w, 6.4], height_ratios=[1.5, 1], left=1.9 / w,
                          right=1 - 0.8 / w, bottom=0.06, top=0.9, wspace=0.22, hspace=0.32)
    draw_chain(fig.add_subplot(gs[0, 0]), data["rounds"], data["links"], span, data["liquidated"])
    ax = fig.add_subplot(gs[0, 1])
    draw_daily_forced(ax, data["daily_forced"], data["price"], lo, hi)
    mark_shocks([ax], result.summary)             # labelled on the timeline below, not over the bars
    ax = fig.add_subplot(gs[1, :])
    last = int(result.timeseries["day"].iloc[-1])
    draw_interlock_timeline(ax, data["interlock"], lo, hi, last)
    mark_shocks([ax], result.summary, label_axes=[ax])
    fig.suptitle(f"Flow cascade, {span} — {title_of(result)}", fontsize=13)
    return Drawn(save(fig, path, dpi=dpi), data)
