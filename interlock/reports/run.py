"""A run folder with its figures: the tables and summary written by the runner, plus the dashboard
(`dashboard.png`) and an interactive, offline `report.html` (issue #15).

The report shows what the scenario's card points at: prices rebased to 100 (the dashboard's and
every asset the card names), implied vol in vol points, the policy rate and 10y yield; the net
flows by agent class into equities, BTC and Treasuries — the documented classes stacked on their
own scale, the discretionary residual apart on a chart of its own; the shocks as dotted rules; the
summary table and the stability line from summary.json. The numbers are the dashboard's
(`viz.dashboard.dashboard_data`, computed once for both)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd

from ..experiments.run_folder import RunResult
from ..experiments.run_folder import write_run as write_tables
from ..experiments.stability import of_summary
from ..viz.common import APART, PRICE_ASSETS, title_of
from ..viz.dashboard import FLOW_GROUP_NAMES, FLOW_GROUPS, dashboard, dashboard_data, flow_groups
from ..viz.run_report import flows_spec, lines_spec, residual_spec
from ..viz.style import asset_color, series_color
from .html import write_page

# The assets of the printed summary and the report's table (then those the scenario's card names).
SUMMARY_ASSETS = ["SPX", "NVDA", "MSFT", "ORCL", "AVGO", "CRWV", "BTC", "UST10"]


def write_run(result: RunResult, out_dir: str | Path, figures: bool = True, force: bool = False,
              card: Sequence[str] | None = None) -> Path:
    """Write `result` to `out_dir` (atomically and only over a run folder or an empty one, see
    `experiments.run_folder.write_run`) with `dashboard.png` and `report.html` unless `figures` is
    false. `card`: the assets the scenario's card names (`experiments.cards.card_assets`; looked up
    from the scenario's name when not given)."""
    if not figures:
        return write_tables(result, out_dir, force=force)

    def draw(folder: Path) -> None:
        data = dashboard_data(result)
        dashboard(result, folder / "dashboard.png", data=data)
        write_report(result, folder / "report.html", card=card, data=data)

    return write_tables(result, out_dir, force=force, also=draw)


def summary_assets(summary: dict, card: Sequence[str] = ()) -> list[str]:
    """The assets of the summary table: the usual ones, then every asset the card names, those the
    run has."""
    have = summary["metrics"]["assets"]
    return [a for a in dict.fromkeys([*SUMMARY_ASSETS, *card]) if a in have]


def summary_table(summary: dict, card: Sequence[str] = ()) -> pd.DataFrame:
    """The printed summary's table: per asset total return and maximum drawdown (%), days from
    the peak to the trough, days to recover (– if not), amplification (move with every class ÷
    with the trading classes off; a column only when the run has it: `interlock run --attribution`)."""
    m = summary["metrics"]
    amp = m.get("amplification")
    rows = []
    for a in summary_assets(summary, card):
        s = m["assets"][a]
        row = {"asset": a, "total return %": 100 * s["total_return"], "max drawdown %": 100 * s["max_drawdown"],
               "peak→trough, days": str(s["days_to_trough"]),
               "recovery, days": "–" if s["recovery_days"] is None else str(s["recovery_days"])}
        if amp is not None:
            row["amplification ×"] = float("nan") if amp.get(a) is None else float(amp[a])
        rows.append(row)
    return pd.DataFrame(rows)


def stability_line(summary: dict) -> str:
    """`stable` and its reasons from summary.json, as one sentence."""
    st = of_summary(summary)
    if not st.known:
        return "Stability: this run's summary does not say (written before stability was recorded)."
    if st.stable:
        return f"Stability: stable — no guard bound ({st.guard_events} guard events)."
    why = "; ".join(st.reasons) if st.reasons else "a guard bound"
    return (f"Stability: UNSTABLE — {why} ({st.guard_events} guard events): prices past a guard are not "
            "market outcomes; read this run with care.")


def _card(result: RunResult) -> list[str]:
    from ..errors import InputError  # lazy: only `interlock plot` of an old folder gets here
    from ..experiments.cards import card_assets  # lazy: startup time
    from ..experiments.scenarios import load_scenario  # lazy: startup time
    try:
        return card_assets(load_scenario(result.scenario), result.assets)
    except InputError:                              # a scenario file that is gone: the usual assets
        return []


def write_report(result: RunResult, path: str | Path, card: Sequence[str] | None = None,
                 data: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the run's report.html to `path` (atomically; self-contained, opens offline)."""
    card = _card(result) if card is None else list(card)
    data = dashboard_data(result) if data is None else data
    ts = result.timeseries
    dates = list(pd.DatetimeIndex(ts["date"]).strftime("%Y-%m-%d")) if "date" in ts else None
    day = pd.Index(ts["day"], name="day")
    shocks = result.summary.get("shocks", []) or []
    summary = result.summary
    m = summary["metrics"]

    price_cols = [a for a in dict.fromkeys([*PRICE_ASSETS, *card]) if a in ts and a != "UST10"]
    prices = pd.DataFrame({a: 100.0 * ts[a].to_numpy() / ts[a].iloc[0] for a in price_cols}, index=day)
    vol = data["vol"]
    rates = pd.DataFrame({c: 100.0 * ts[c].to_numpy() for c in ("policy_rate", "UST10_yield") if c in ts},
                         index=day)

    blocks: list = [("p", summary.get("title") or result.scenario),
                    ("p", stability_line(summary)),
                    ("note", f"Peak VOL_1M {m['peak_VOL_1M'] * 100:.1f} vol points (day {m['peak_VOL_1M_day']}); "
                             f"policy rate at the end {m['final_policy_rate']:.2%}; forced flows "
                             f"{m['forced_flow_bn']:,.0f} $bn. Shocks: "
                             + (", ".join(f"{s['type']} (day {s['at']})" for s in shocks) or "none") + "."),
                    ("note", "Every chart: hover for values, drag to pan and scroll to zoom along the days "
                             "(double-click resets), click a legend entry to show it alone (shift-click adds "
                             "more). Dotted lines: the scenario's shocks.")]
    blocks.append(("h2", "Summary"))
    blocks.append(("table", summary_table(summary, card)))
    net = m.get("net_flow_by_class_bn", {})
    if net:
        blocks.append(("table", pd.DataFrame({"agent class": list(net),
                                              "net flow over the run, $bn": [float(v) for v in net.values()]})))
    blocks.append(("h2", "Prices and volatility"))
    if len(prices.columns):
        blocks.append(("chart", lines_spec(prices,
                                           "Prices, rebased to 100 at day 0 (equities: market value; BTC: USD per coin)",
                                           "index (day 0 = 100)", {a: asset_color(a) for a in prices.columns},
                                           shocks, dashed=["BTC"], dates=dates)))
    if len(vol.columns):
        blocks.append(("chart", lines_spec(vol,
                                           "Implied volatility of the S&P 500", "vol points (% annualised)",
                                           {c: series_color(c) for c in vol.columns}, shocks,
                                           dates=dates)))
    if len(rates.columns):
        blocks.append(("chart", lines_spec(rates, "Policy rate and 10y yield", "%",
                                           {c: series_color(c) for c in rates.columns}, shocks, dates=dates)))
    blocks.append(("h2", "Net flows by agent class"))
    blocks.append(("note", "Net flows in $bn per day (buys above zero, sales below), all clearing rounds of "
                           "a day. The documented classes are stacked on their own scale; "
                           f"{', '.join(APART)} — the residual flow, which can be an order of magnitude "
                           "larger — is drawn apart below each, on a scale of its own."))
    for g in FLOW_GROUPS:
        if g not in flow_groups(result):
            continue
        tab = data.get(f"flows_{g}")
        if tab is None or tab.empty:
            continue
        own = tab[[c for c in tab.columns if c not in APART]]
        rest = tab[[c for c in tab.columns if c in APART and tab[c].any()]]
        if len(own.columns):
            blocks.append(("chart", flows_spec(own, f"Net flows into {FLOW_GROUP_NAMES[g]}: documented classes",
                                               shocks, dates)))
        if len(rest.columns):
            blocks.append(("chart", residual_spec(rest, f"Net flows into {FLOW_GROUP_NAMES[g]}: "
                                                        f"{', '.join(rest.columns)} (its own scale)", shocks, dates)))
    blocks.append(("note", "Files beside this page: timeseries.parquet, flows.parquet, events.parquet, "
                           "summary.json, dashboard.png."))
    return write_page(path, title_of(result), blocks)
