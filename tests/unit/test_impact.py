"""Price impact (MODEL.md §2): a flow F moves the log price by M·F/Cap for good (Gabaix & Koijen)
plus R·M·g·F/Cap that decays with the configured half-life (an exponential propagator); the depth
factor g = (σ̂/σ_ref)^γ makes the same flow move prices more when realised vol is high."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.config import Params
from interlock.model.market import Market

P = Params.defaults()


def _market(overrides: dict | None = None) -> Market:
    m = Market(P.with_overrides(overrides or {}, "test"), np.random.default_rng(0))
    m.kappa[:] = 0.0                  # no value reversion: isolate the impact terms
    m.begin_day()
    return m


def _one_flow(m: Market, name: str, frac: float) -> np.ndarray:
    flow = np.zeros(m.n_instr)
    flow[m.idx[name]] = frac * m.cap[m.idx[name]]
    return flow


def test_a_known_flow_moves_the_price_by_permanent_plus_transient_impact():
    m = _market()
    i = m.idx["MSFT"]
    frac = 0.002                                              # 0.2% of MSFT's cap bought
    dlogp = m.clear(_one_flow(m, "MSFT", frac), 1)
    M, R = P["market.equity_multiplier"], P["market.transient_ratio"]
    assert m.depth[i] == pytest.approx(1.0)                   # vol at its reference: normal depth
    assert dlogp[i] == pytest.approx(M * frac + R * M * frac)
    assert m.x[i] == pytest.approx(R * M * frac)              # the part that will fade
    others = np.arange(m.n) != i
    assert np.all(dlogp[others] == 0.0)


def test_the_transient_part_halves_in_the_configured_half_life_and_the_permanent_part_stays():
    half_life = 5
    m = _market({"market.transient_half_life_days": float(half_life)})
    i = m.idx["AMZN"]
    frac = 0.001
    m.clear(_one_flow(m, "AMZN", frac), 1)
    M, R = P["market.equity_multiplier"], P["market.transient_ratio"]
    perm, trans = M * frac, R * M * frac
    for day in range(1, 2 * half_life + 1):                   # quiet days: no flows, no noise
        m.end_day()
        m.begin_day()
        m.clear(np.zeros(m.n_instr), 0)
        if day == half_life:
            assert m.logp[i] - perm == pytest.approx(trans / 2)
    assert m.logp[i] - perm == pytest.approx(trans / 4)
    assert m.x[i] == pytest.approx(trans / 4)


def test_depth_thins_when_realised_vol_is_high():
    calm, stressed = _market(), _market()
    i = stressed.idx["REST"]
    stressed.var_fast[i] = 4.0 * stressed.ref_vars[i]         # realised vol twice its reference
    stressed.begin_day()
    gamma = P["market.depth_vol_exponent"]
    assert stressed.depth[i] == pytest.approx(min(2.0 ** gamma, P["market.depth_factor_max"]))
    d_calm = calm.clear(_one_flow(calm, "REST", 0.001), 1)[i]
    d_stressed = stressed.clear(_one_flow(stressed, "REST", 0.001), 1)[i]
    M, R = P["market.equity_multiplier"], P["market.transient_ratio"]
    assert d_stressed - d_calm == pytest.approx(R * M * 0.001 * (stressed.depth[i] - 1.0))


def test_the_depth_factor_is_capped():
    m = _market()
    m.var_fast[:] = 1e6 * m.ref_vars
    m.begin_day()
    assert np.all(m.depth == P["market.depth_factor_max"])

