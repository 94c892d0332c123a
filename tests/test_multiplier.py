"""The aggregate equity multiplier measured in the model is ≈5 (Gabaix & Koijen: 3–8)."""

from __future__ import annotations

import numpy as np

from interlock.experiments.runner import build_model

FLOW_BN_PER_DAY = 2.0
DAYS = 20


def _inject(seed: int, flow: float):
    m = build_model("baseline", seed=seed)
    m.external_flow = {"SPX": flow} if flow else {}
    cap0 = m.market.cap[m.market.is_equity].sum()
    for _ in range(DAYS):
        m.step()
    mk = m.market
    out = (np.log(mk.spx), float(mk.w_spx @ mk.x), cap0)
    m.release()
    return out


def test_aggregate_equity_multiplier_from_a_steady_injected_flow_is_between_3_and_8():
    perm, total = [], []
    for seed in (1, 2, 3):
        lp0, x0, cap0 = _inject(seed, 0.0)
        lp1, x1, _ = _inject(seed, FLOW_BN_PER_DAY)
        frac = FLOW_BN_PER_DAY * DAYS / cap0
        total.append((lp1 - lp0) / frac)
        perm.append(((lp1 - x1) - (lp0 - x0)) / frac)   # net of the transient (propagator) state
    print(f"multiplier, permanent part: {np.round(perm, 2)}; with transient impact: {np.round(total, 2)}")
    assert all(3.0 <= m <= 8.0 for m in perm)
    # the short-run response to a flow is larger than the permanent one (propagator)
    assert np.mean(total) > np.mean(perm)


def test_injected_flows_are_recorded_in_the_flow_table():
    m = build_model("baseline", seed=1)
    m.external_flow = {"SPX": 1.5}
    for _ in range(3):
        m.step()
    f = m.flows.frame()
    ext = f[f["agent_class"] == "external"]
    assert len(ext) == 3 and np.allclose(ext["usd_bn"], 1.5)
    m.release()
