"""The interlock graph as data (MODEL.md §3.4): the deals file, its validation, and the
`networkx.MultiDiGraph` built from firms and deals.

One row per deal: `deal_id, source_party, target_party, type, amount_bn, start, duration_years,
stake_pct, description, source, source_date, notes` and, optionally, `schedule` (uniform, ramp,
run_rate) and `settlement` (cash, shares). Money flows source → target:

    supply     buyer → seller      compute, chips or capex becoming the seller's revenue
    equity     investor → investee stake % (or bought at the investee's valuation)
    financing  lender → borrower   vendor financing, loans, bonds, GPU SPVs

Loading checks every row and raises `InputError` naming the file and the row: unknown party,
unknown type, negative or missing amount, a bad date, an end before the start.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ...errors import InputError
from ...io import DATA_DIR
from ...inputs.firms import load_firms

DEAL_TYPES = ("supply", "equity", "financing")
SCHEDULES = ("uniform", "ramp", "run_rate")
SETTLEMENTS = ("cash", "shares")
REQUIRED = ("deal_id", "source_party", "target_party", "type", "amount_bn", "start", "duration_years")
SPENDER_KINDS = ("hyperscaler", "neocloud")             # quarterly capex decisions
RUN_RATE_BUYERS = ("hyperscaler", "neocloud", "chip_vendor")
DAYS_PER_CALENDAR_YEAR = 365.25                         # deal dates → years


def default_deals_path() -> Path:
    return DATA_DIR / "interlock" / "deals.csv"


def _ids(text: str) -> set[str]:
    return {t.strip() for t in str(text or "").split(",") if t.strip()}


def _fail(path: str, line: int, row, message: str, key: str | None = None, allowed: str | None = None):
    deal = row.get("deal_id") if hasattr(row, "get") else None
    where = f"row {line}" + (f" ({deal})" if isinstance(deal, str) and deal else "")
    raise InputError(f"{where}: {message}", file=path, key=key, allowed=allowed)


def load_deals(path: str | Path | None = None, firms: pd.DataFrame | None = None, *,
               ramped: str = "", share_settled: str = "") -> pd.DataFrame:
    """The deals table, validated against `firms` (the firms table; default the shipped one).

    Adds `end` (start + duration), `schedule` and `settlement` (from the file's own columns when
    present, else from the `ramped` / `share_settled` deal-id lists of the parameters)."""
    p = str(path or default_deals_path())
    firms = load_firms() if firms is None else firms
    return _load(p, tuple(firms["firm"]), ramped, share_settled).copy()


@lru_cache(maxsize=16)
def _load(path: str, parties: tuple[str, ...], ramped: str, share_settled: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("deals file not found", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise InputError(f"not a readable CSV file: {e}", file=path) from None
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"missing columns {missing}", file=path, allowed=", ".join(REQUIRED))
    known = set(parties)
    ramp_ids, share_ids = _ids(ramped), _ids(share_settled)
    rows = []
    seen: set[str] = set()
    for i, row in df.iterrows():
        line = i + 2                                       # 1-based, after the header line
        deal_id = row["deal_id"].strip()
        if not deal_id:
            _fail(path, line, row, "every deal needs a deal_id", key="deal_id")
        if deal_id in seen:
            _fail(path, line, row, f"duplicate deal_id {deal_id!r}", key="deal_id")
        seen.add(deal_id)
        for col in ("source_party", "target_party"):
            if row[col].strip() not in known:
                _fail(path, line, row, f"unknown party {row[col]!r}", key=col, allowed=", ".join(parties))
        if row["source_party"].strip() == row["target_party"].strip():
            _fail(path, line, row, "a deal needs two different parties", key="target_party")
        kind = row["type"].strip()
        if kind not in DEAL_TYPES:
            _fail(path, line, row, f"unknown type {kind!r}", key="type", allowed=", ".join(DEAL_TYPES))
        amount = _number(path, line, row, "amount_bn")
        if amount < 0:
            _fail(path, line, row, f"negative amount {amount:g}", key="amount_bn", allowed="USD bn ≥ 0")
        duration = _number(path, line, row, "duration_years")
        try:
            start = pd.Timestamp(row["start"].strip())
        except (ValueError, TypeError):
            start = pd.NaT
        if pd.isna(start):
            _fail(path, line, row, f"bad start date {row['start']!r}", key="start", allowed="YYYY-MM-DD")
        if duration < 0:
            _fail(path, line, row, f"end before start (duration {duration:g} years)", key="duration_years",
                  allowed="years ≥ 0")
        if "end" in df.columns and row["end"].strip():
            try:
                end_given = pd.Timestamp(row["end"].strip())
            except ValueError:
                _fail(path, line, row, f"bad end date {row['end']!r}", key="end", allowed="YYYY-MM-DD")
            if end_given < start:
                _fail(path, line, row, f"end {end_given.date()} before start {start.date()}", key="end")
            duration = (end_given - start).days / DAYS_PER_CALENDAR_YEAR
        stake = math.nan
        if "stake_pct" in df.columns and row["stake_pct"].strip():
            stake = _number(path, line, row, "stake_pct")
            if not 0.0 <= stake <= 100.0:
                _fail(path, line, row, f"stake {stake:g}% is out of range", key="stake_pct", allowed="0–100")
        schedule = row["schedule"].strip() if "schedule" in df.columns else ""
        if schedule and schedule not in SCHEDULES:
            _fail(path, line, row, f"unknown schedule {schedule!r}", key="schedule", allowed=", ".join(SCHEDULES))
        if not schedule:
            schedule = "ramp" if deal_id in ramp_ids else ""
        settlement = row["settlement"].strip() if "settlement" in df.columns else ""
        if settlement and settlement not in SETTLEMENTS:
            _fail(path, line, row, f"unknown settlement {settlement!r}", key="settlement",
                  allowed=", ".join(SETTLEMENTS))
        if not settlement:
            settlement = "shares" if deal_id in share_ids else "cash"
        rows.append({
            "deal_id": deal_id, "source_party": row["source_party"].strip(),
            "target_party": row["target_party"].strip(), "type": kind, "amount_bn": amount,
            "start": start, "duration_years": duration,
            "end": start + pd.Timedelta(days=round(duration * DAYS_PER_CALENDAR_YEAR)),
            "stake_pct": stake, "schedule": schedule, "settlement": settlement,
            "description": row.get("description", ""), "source": row.get("source", ""),
            "source_date": row.get("source_date", ""),
        })
    if not rows:
        raise InputError("no deals in the file", file=path)
    return pd.DataFrame(rows)


def _number(path: str, line: int, row, col: str) -> float:
    text = str(row[col]).strip()
    if not text:
        _fail(path, line, row, f"missing {col}", key=col, allowed="a number")
    try:
        v = float(text)
    except ValueError:
        _fail(path, line, row, f"{col} {text!r} is not a number", key=col, allowed="a number")
    if not math.isfinite(v):
        _fail(path, line, row, f"{col} {text!r} is not finite", key=col, allowed="a finite number")
    return v


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
