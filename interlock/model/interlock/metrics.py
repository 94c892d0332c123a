"""Summary metrics of the AI capital interlock (MODEL.md §3.4, §5), added to `summary.json` under
`metrics.interlock` (`InterlockBlock.summary_metrics`):

- `circularity`: per firm, the share of its revenue over the run that traces back, through the
  graph, to its own investments, loans and purchases (`deals.circularity`);
- `cascade`: events, firms hit and $bn by channel (supply, equity, financing);
- revenue and capex at the start and end by firm, utilisation, commitments cut, lab funding.
"""

from __future__ import annotations

import numpy as np

from ...inputs.firms import snake
from .deals import circularity


def realised_flows(block) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Money moved over the run: (all flows, supply flows, money from outside the graph) by
    firm, from the block's ledger (pending days are booked first)."""
    block.flush()
    L = block.ledger
    n = L.n
    s, e = L.supply, L.equity
    supply = np.zeros((n, n))
    np.add.at(supply, (s.src, s.dst), L.paid)
    flows = supply.copy()
    invested = (L.invested_edge - block.invested0) * L.equity_cash
    np.add.at(flows, (e.src, e.dst), invested)
    flows += np.maximum(L.loans - block.loans0, 0.0)
    graph_equity_in = np.bincount(e.dst, invested, minlength=n)
    outside_equity = np.maximum(L.acc["raised_equity"] - graph_equity_in, 0.0)
    exo_in = L.acc["revenue_exo"] + outside_equity
    return flows, supply, exo_in


def interlock_summary(b, ts, flows, events) -> dict:
    """The block's summary metrics (see the module docstring)."""
    L = b.ledger
    fl, sup, exo = realised_flows(b)
    circ = circularity(fl, sup, exo)
    casc = events[events["kind"] == "cascade"] if len(events) else events
    by_channel = {str(k): float(v) for k, v in casc.groupby("channel")["usd_bn"].sum().items()} if len(casc) else {}
    first, last = ts.iloc[0], ts.iloc[-1]
    names = L.names
    rev = {f: (float(first[f"revenue_{snake(f)}_bn"]), float(last[f"revenue_{snake(f)}_bn"])) for f in names}
    capex = {names[i]: (float(first[f"capex_{snake(names[i])}_bn"]), float(last[f"capex_{snake(names[i])}_bn"]))
             for i in np.flatnonzero(L.is_spender)}
    return {"interlock": {
        "circularity": {f: float(c) for f, c in zip(names, circ)},
        "cascade": {"events": int(len(casc)), "firms_hit": sorted(set(casc["target"])) if len(casc) else [],
                    "usd_bn_by_channel": by_channel},
        "revenue_start_end_bn": rev,
        "capex_start_end_bn": capex,
        "utilisation_start_end": (float(first["utilisation"]), float(last["utilisation"])),
        "commitments_cut_bn": float(b.commitments_cut),
        "lab_funding_bn": float(b.lab_funding),
        "ai_credit_spread_end": float(b.spread),
    }}

