"""Price impact (issue #12; `model/impact.py`): a round's net flow F moves the log price by
M·F/C for good (Gabaix & Koijen) plus a concave transient g·R·M/C·[ψ(Q+F) − ψ(Q)] — linear for
small flows, square-root for large ones (Tóth et al. 2011; Bucci et al. 2019) — that decays
overnight through a two-timescale propagator; depth g thins with the news volatility, within
[g_min, g_max]."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.config import Params
from interlock.model.impact import dpsi, psi
from interlock.model.market import Market

P = Params.defaults()


def _market(overrides: dict | None = None) -> Market:
    m = Market(P.with_overrides(overrides or {}, "test"), np.random.default_rng(0))
    m.kappa[:] = 0.0                  # no value anchor: isolate the impact terms
    m.begin_day()
    m.impact.g[:] = 1.0               # normal depth
    return m


def _one_flow(m: Market, name: str, usd: float) -> np.ndarray:
    flow = np.zeros(m.n_instr)
    flow[m.idx[name]] = usd
    return flow


def test_a_small_flow_moves_the_price_by_permanent_plus_transient_impact():
    m = _market()
    i = m.idx["MSFT"]
    C = m.cap[i]
    F = 1e-9 * C                                            # far below the crossover: linear
    d = m.clear(_one_flow(m, "MSFT", F), 1)[i]
    M, R = P["market.equity_multiplier"], P["market.transient_ratio"]
    assert d == pytest.approx((M + R * M) * F / C, rel=1e-5)
    assert m.x[i] == pytest.approx(R * M * F / C, rel=1e-5)


def test_large_flows_meet_a_square_root_impact_and_a_falling_marginal_impact():
    Qc = 100.0
    big = np.array([1e6, 4e6])
    assert psi(big, Qc)[1] / psi(big, Qc)[0] == pytest.approx(2.0, rel=0.02)   # ψ ∝ sqrt(Q)
    assert psi(np.array([1e-6]), Qc)[0] == pytest.approx(1e-6, rel=1e-6)       # ψ'(0) = 1
    m = _market()
    i = m.idx["REST"]
    first = m.clear(_one_flow(m, "REST", 200.0), 1)[i]
    second = m.clear(_one_flow(m, "REST", 200.0), 2)[i]
    assert 0 < second < first                               # the same dollars move it less
    assert np.all(dpsi(np.linspace(-1e3, 1e3, 11), Qc) <= 1.0)


def test_the_transient_part_decays_overnight_and_the_permanent_part_stays():
    m = _market()
    i = m.idx["GOOGL"]
    F = 1e-4 * m.cap[i]
    m.clear(_one_flow(m, "GOOGL", F), 1)
    m.end_day()
    perm = P["market.equity_multiplier"] * F / m.cap0[i]
    x0 = m.x[i]
    days = [5.0, 40.0]
    w = np.array(P["market.propagator_weights"]) / sum(P["market.propagator_weights"])
    for day in range(1, 201):
        m.begin_day()
        m.clear(np.zeros(m.n_instr), 0, np.zeros(m.n))
        m.end_day()
        if day == 10:
            expect = x0 * float(w @ np.exp(-10.0 / np.array(days)))
            assert m.x[i] == pytest.approx(expect, rel=1e-9)
    assert m.x[i] < 0.01 * x0
    assert m.logp[i] == pytest.approx(perm, rel=0.02)        # the price keeps M·F/C


def test_depth_thins_with_the_news_volatility_within_its_bounds():
    m = _market()
    m.news_process.x[:, 0, :] = 0.0
    m.news_process.rel_today()
    m.draw_noise()
    calm = m.depth[m.idx["REST"]]
    m.begin_day()
    m.news_process.x[:, 0, :] = 1.0                          # market log-vol far above its mean
    m.news_process.rel_today()
    m.draw_noise()
    stressed = m.depth[m.idx["REST"]]
    assert stressed > calm
    assert stressed <= P["market.depth_factor_max"] + 1e-12
    assert m.depth.min() >= P["market.depth_factor_min"] - 1e-12
