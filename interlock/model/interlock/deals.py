"""The interlock graph as data (MODEL.md §3.4): the deals table (`inputs.deals`: the file and its
validation), how it becomes payment schedules (conversion probabilities, renewals of expiring
contracts, revenue recognition as capacity comes online) and the `networkx.MultiDiGraph` built
from firms and deals.

Money flows source → target:

    supply     buyer → seller      compute, chips or capex becoming the seller's revenue
    equity     investor → investee stake % (or bought at the investee's valuation)
    financing  lender → borrower   vendor financing, loans, bonds, GPU SPVs
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ...inputs.deals import DAYS_PER_CALENDAR_YEAR, read_deals
from ...inputs.firms import DEFAULT_SNAPSHOT, load_firms
from ...io import DATA_DIR

RUN_RATE_BUYERS = ("hyperscaler", "neocloud", "chip_vendor")
MIN_RENEWAL_YEARS = 1.0 / 252.0          # a contract shorter than a trading day is not renewed (guard)


def default_deals_path() -> Path:
    return DATA_DIR / "snapshots" / DEFAULT_SNAPSHOT / "deals.csv"


def load_deals(path: str | Path | None = None, firms: pd.DataFrame | None = None, *,
               ramped: str = "", share_settled: str = "", as_of=None) -> pd.DataFrame:
    """The deals table, validated against `firms` (the firms table; default the shipped one);
    with `as_of`, only the deals announced by then (`inputs.deals.read_deals`)."""
    firms = load_firms() if firms is None else firms
    return read_deals(path or default_deals_path(), tuple(firms["firm"]), ramped=ramped,
                      share_settled=share_settled, as_of=as_of)


def resolve_schedules(deals: pd.DataFrame, firms: pd.DataFrame, run_rate_max_years: float) -> pd.DataFrame:
    """Fill the schedules the file left open: a short supply deal bought by a capex spender or a
    chip vendor is a run-rate (rolled forward with the buyer's capex or cost of sales); every
    other deal pays evenly over its duration."""
    kind = dict(zip(firms["firm"], firms["kind"]))
    out = deals.copy()
    open_ = out["schedule"] == ""
    rr = (open_ & (out["type"] == "supply") & (out["duration_years"] <= run_rate_max_years)
          & out["source_party"].map(kind).isin(RUN_RATE_BUYERS))
    out.loc[rr, "schedule"] = "run_rate"
    out.loc[out["schedule"] == "", "schedule"] = "uniform"
    return out


def book_deals(deals: pd.DataFrame, start_date, conversion: dict[str, float], renewal_rate: float,
               renewal_max_years: float, renewal_horizon_years: float, ramp_years: float) -> pd.DataFrame:
    """The deals as the model books them (after `resolve_schedules`):

    1. **conversion**: each amount (and stated stake) × its conversion probability (`conversion`
       overrides the file's, by deal id); `amount_full_bn` keeps the amount announced;
    2. **renewal**: a scheduled supply contract of at most `renewal_max_years` (a one-off order)
       that ends after the start date is followed by the buyer's next order of the same duration at
       `renewal_rate` × its final annual rate, and so on up to `renewal_horizon_years` from the
       start (rows `<id>~r1`, `~r2`, …, status `renewal`);
    3. **recognition**: a uniform supply contract still in its first `ramp_years` at the start
       date (or starting later) ramps up linearly over `ramp_years` (at most its duration) from its
       own start, then pays flat, with the same amount and end date — a `ramp` row `<id>` and a
       `uniform` row `<id>~flat`."""
    t0 = pd.Timestamp(start_date)
    out = deals.copy()
    p = (out["conversion_probability"].astype(float).copy() if "conversion_probability" in out
         else pd.Series(1.0, out.index))
    for k, v in conversion.items():
        p[out["deal_id"] == k] = v
    out["conversion_probability"] = p
    out["amount_full_bn"] = out["amount_bn"]
    out["amount_bn"] = out["amount_bn"] * p
    out["stake_pct"] = out["stake_pct"] * p
    rows = []
    horizon = t0 + pd.Timedelta(days=renewal_horizon_years * DAYS_PER_CALENDAR_YEAR)
    for _, d in out.iterrows():
        sched = d["schedule"]
        T = float(d["duration_years"])
        scheduled_supply = d["type"] == "supply" and sched != "run_rate"
        ramping = d["start"] + pd.Timedelta(days=ramp_years * DAYS_PER_CALENDAR_YEAR) > t0
        if scheduled_supply and sched == "uniform" and ramping and ramp_years > 0 and T > 0:
            # whole days, so that the ramp ends exactly where the flat part starts (dates → years)
            ramp_end = min(d["start"] + pd.Timedelta(days=round(ramp_years * DAYS_PER_CALENDAR_YEAR)), d["end"])
            tau = (ramp_end - d["start"]).days / DAYS_PER_CALENDAR_YEAR
            T = (d["end"] - d["start"]).days / DAYS_PER_CALENDAR_YEAR
            r_max = d["amount_bn"] / (T - tau / 2.0)
            ramp = d.copy()
            ramp["schedule"], ramp["duration_years"], ramp["amount_bn"] = "ramp", tau, r_max * tau / 2.0
            ramp["end"] = ramp_end
            rows.append(ramp)
            if d["end"] > ramp_end:
                flat = d.copy()
                flat["deal_id"], flat["start"], flat["duration_years"] = f"{d['deal_id']}~flat", ramp_end, T - tau
                flat["amount_bn"] = r_max * (T - tau)
                rows.append(flat)
        else:
            rows.append(d)
        if not (scheduled_supply and renewal_rate > 0 and MIN_RENEWAL_YEARS <= T <= renewal_max_years
                and d["end"] > t0):
            continue
        final_rate = d["amount_bn"] / T * (2.0 if sched == "ramp" else 1.0)
        start, k = d["end"], 1
        while start < horizon:
            r = d.copy()
            r["deal_id"], r["status"], r["schedule"] = f"{d['deal_id']}~r{k}", "renewal", "uniform"
            r["start"], r["amount_bn"] = start, final_rate * renewal_rate ** k * T
            r["end"] = start + pd.Timedelta(days=round(T * DAYS_PER_CALENDAR_YEAR))
            rows.append(r)
            start, k = r["end"], k + 1
    return pd.DataFrame(rows).reset_index(drop=True)


def annual_rate(row) -> float:
    """A deal's average $bn per year over its life (the amount itself for instant deals)."""
    years = row["duration_years"] if row["duration_years"] > 0 else 1.0
    return float(row["amount_bn"]) / years


def build_graph(firms: pd.DataFrame, deals: pd.DataFrame) -> nx.MultiDiGraph:
    """One node per firm (kind, listed, ticker, revenue, value) and one edge per deal, keyed by
    deal id, in the direction money flows (type, amount_bn, annual_bn, start, end, stake_pct,
    schedule, settlement, source)."""
    g = nx.MultiDiGraph()
    for r in firms.itertuples(index=False):
        value = r.market_cap_bn if pd.notna(r.market_cap_bn) else r.valuation_bn
        g.add_node(r.firm, kind=r.kind, listed=bool(r.listed), ticker=r.ticker or "",
                   revenue_bn=float(r.revenue_bn) if pd.notna(r.revenue_bn) else 0.0,
                   value_bn=float(value) if pd.notna(value) else math.nan)
    for _, d in deals.iterrows():
        g.add_edge(d["source_party"], d["target_party"], key=d["deal_id"], type=d["type"],
                   amount_bn=float(d["amount_bn"]), annual_bn=annual_rate(d), start=d["start"],
                   end=d["end"], stake_pct=float(d["stake_pct"]), schedule=d["schedule"],
                   settlement=d["settlement"], source=d["source"])
    return g


def money_flow_graph(g: nx.MultiDiGraph) -> nx.DiGraph:
    """The multigraph collapsed to one edge per ordered pair, with the set of deal types on it."""
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes(data=True))
    for u, v, data in g.edges(data=True):
        if d.has_edge(u, v):
            d[u][v]["types"].add(data["type"])
            d[u][v]["annual_bn"] += data["annual_bn"]
        else:
            d.add_edge(u, v, types={data["type"]}, annual_bn=data["annual_bn"])
    return d


def investment_cycles(g: nx.MultiDiGraph, max_length: int = 6) -> list[list[tuple[str, str, str]]]:
    """Closed money loops that contain an investment (equity or financing) hop — money that
    leaves a firm as an investment and comes back to it as revenue (seeds/000's
    'investment → financing' loop). Each cycle is a list of (source, target, types) hops,
    shortest first; loops longer than `max_length` hops are left out."""
    d = money_flow_graph(g)
    out = []
    for cyc in nx.simple_cycles(d, length_bound=max_length):
        hops = [(cyc[k], cyc[(k + 1) % len(cyc)]) for k in range(len(cyc))]
        kinds = [d[u][v]["types"] for u, v in hops]
        invest = [k for k, t in enumerate(kinds) if t & {"equity", "financing"}]
        if not invest or not any("supply" in t for t in kinds):
            continue
        k0 = invest[0]                            # start the loop at its first investment hop
        hops, kinds = hops[k0:] + hops[:k0], kinds[k0:] + kinds[:k0]
        out.append([(u, v, "/".join(sorted(t))) for (u, v), t in zip(hops, kinds)])
    out.sort(key=lambda c: (len(c), [h[0] for h in c]))
    return out


def circularity(flows: np.ndarray, supply: np.ndarray, exogenous_in: np.ndarray) -> np.ndarray:
    """Circularity index per firm: the share of each firm's revenue that traces back, through the
    graph, to its own outflows (investments, loans and purchases).

    `flows[a, b]` = all money a paid b (supply, equity, financing); `supply[a, b]` = the supply
    part (b's revenue from a); `exogenous_in[b]` = b's money from outside the graph (customers
    not in it, outside investors, its own cash). Money is fungible: a firm's outflows are funded
    by its inflows in proportion. Tracing a dollar of b's inflow backwards, it came from a with
    probability flows[a, b] / T_b and from outside with exogenous_in[b] / T_b. The index of firm
    i is Σ_a supply[a, i] · h_i(a) / revenue_i, with h_i(a) the probability that the backward
    walk from a reaches i before it leaves the graph (h_i(i) = 1)."""
    flows = np.asarray(flows, dtype=float)
    n = flows.shape[0]
    inflow = flows.sum(axis=0)
    outflow = flows.sum(axis=1)
    # a firm that paid out more than it took in drew on its own cash: count that as outside money
    total = np.maximum(inflow + exogenous_in, outflow)
    safe = np.where(total > 0, total, 1.0)
    P = (flows / safe[None, :]).T                 # P[b, a]: share of b's money that came from a
    revenue = supply.sum(axis=0) + np.maximum(exogenous_in, 0.0)
    out = np.zeros(n)
    for i in range(n):
        others = [k for k in range(n) if k != i]
        A = np.eye(n - 1) - P[np.ix_(others, others)]
        b = P[others, i]
        try:
            h_others = np.linalg.solve(A, b)
        except np.linalg.LinAlgError:
            h_others = np.linalg.lstsq(A, b, rcond=None)[0]
        h = np.empty(n)
        h[others] = np.clip(h_others, 0.0, 1.0)
        h[i] = 1.0
        out[i] = float(supply[:, i] @ h / revenue[i]) if revenue[i] > 0 else 0.0
    return out


def static_flows(firms: pd.DataFrame, deals: pd.DataFrame, at: pd.Timestamp | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Annual money flows between firms from the deals alone (the `interlock graph` view): every
    deal at its average annual rate (only those active on `at`, if given; share-settled deals
    move no cash); money from outside the graph = reported revenue the graph does not explain."""
    names = list(firms["firm"])
    idx = {f: i for i, f in enumerate(names)}
    n = len(names)
    flows = np.zeros((n, n))
    supply = np.zeros((n, n))
    for _, d in deals.iterrows():
        active = at is None or d["schedule"] == "run_rate" or d["start"] <= at < d["end"]
        if not active or d["settlement"] == "shares":
            continue
        a, b = idx[d["source_party"]], idx[d["target_party"]]
        rate = annual_rate(d)
        flows[a, b] += rate
        if d["type"] == "supply":
            supply[a, b] += rate
    reported = firms["revenue_bn"].fillna(0.0).to_numpy(float)
    exo = np.maximum(reported - supply.sum(axis=0), 0.0)
    return flows, supply, exo
