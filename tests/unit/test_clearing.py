"""Clearing one round (`Market.clear`, MODEL.md §2): index orders reach the constituents by cap
weight, the guards cap oversized flows and moves and log them, and prices stay positive and finite
whatever the flow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interlock.config import Params
from interlock.model.market import Market

P = Params.defaults()
N_INSTR = Market(P, np.random.default_rng(0)).n_instr


@pytest.fixture
def market() -> Market:
    m = Market(P, np.random.default_rng(0))
    m.begin_day()
    return m


def test_an_index_order_is_split_across_the_constituents_by_cap_weight(market):
    m = market
    flow = np.zeros(m.n_instr)
    flow[m.SPX] = 100.0
    prim = m.to_primitive(flow)
    eq = m.is_equity
    assert prim[eq] == pytest.approx(100.0 * m.cap[eq] / m.cap[eq].sum())
    assert prim[~eq] == pytest.approx(0.0)
    before = m.logp.copy()
    m.clear(flow, 1)
    moved = m.logp - before
    # the same fraction of every constituent's cap: every constituent (and so the index) moves alike
    assert moved[eq] == pytest.approx(np.full(eq.sum(), moved[eq][0]))
    assert np.log(m.spx / m.open_spx) == pytest.approx(moved[eq][0])
    assert moved[~eq] == pytest.approx(0.0)
    assert m.flows_today == pytest.approx(prim)


def test_a_flow_above_max_flow_fraction_is_capped_and_logged(market):
    m = market
    q = m.q
    flow = np.zeros(m.n_instr)
    flow[m.ust10] = 2 * q.max_flow_fraction * m.cap[m.ust10]          # twice the cap: UST10 (M = 1)
    dlogp = m.clear(flow, 1)
    allowed = m.M[m.ust10] * (1.0 + m.transient_ratio) * q.max_flow_fraction
    assert dlogp[m.ust10] == pytest.approx(allowed)
    assert m.capped_events == [("UST10", pytest.approx(flow[m.ust10]))]


def test_a_move_above_max_round_log_move_is_clipped_and_logged(market):
    m = market
    i = m.idx["NVDA"]
    frac = 0.8 * m.q.max_flow_fraction                                 # under the flow cap …
    flow = np.zeros(m.n_instr)
    flow[i] = -frac * m.cap[i]
    raw = -m.M[i] * (1.0 + m.transient_ratio) * frac                   # … but −0.6 in log price
    assert raw < -m.q.max_round_log_move
    dlogp = m.clear(flow, 1)
    assert dlogp[i] == pytest.approx(-m.q.max_round_log_move)
    assert [name for name, _ in m.capped_events] == ["NVDA"]


def test_forced_rounds_carry_impact_only_and_round_zero_adds_reversion_news_and_noise(market):
    m = market
    i = m.idx["MSFT"]
    m.logv[i] = 0.1                                        # value above price: reversion pulls up
    m.news[i] = 0.02
    noise = np.zeros(m.n)
    noise[i] = -0.005
    forced = m.clear(np.zeros(m.n_instr), 1, noise)
    assert forced[i] == 0.0                                # nothing but impact in rounds ≥ 1
    r0 = m.clear(np.zeros(m.n_instr), 0, noise)
    assert r0[i] == pytest.approx(m.kappa[i] * 0.1 + 0.02 - 0.005)
    assert m.news[i] == 0.0                                # news is priced once


def test_permanent_only_flows_move_prices_by_the_multiplier_alone(market):
    m = market
    i = m.idx["REST"]
    flow = np.zeros(m.n_instr)
    flow[i] = 0.001 * m.cap[i]
    dlogp = m.clear(np.zeros(m.n_instr), 1, permanent_flows=flow)
    assert dlogp[i] == pytest.approx(m.M[i] * 0.001)
    assert m.x[i] == 0.0                                   # no transient state to decay later


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(float, N_INSTR, elements=st.floats(-1e6, 1e6)), st.integers(0, 3))
def test_prices_stay_positive_and_finite_whatever_the_flow(flow, rounds):
    m = Market(P, np.random.default_rng(1))
    m.begin_day()
    for rnd in range(rounds + 1):
        dlogp = m.clear(flow, rnd, m.draw_noise())
        assert np.all(np.abs(dlogp) <= m.q.max_round_log_move + 1e-12)
    assert np.all(np.isfinite(m.price)) and np.all(m.price > 0.0)
    assert np.isfinite(m.spx) and m.spx > 0.0
