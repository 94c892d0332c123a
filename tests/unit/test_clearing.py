"""Clearing one round (`Market.clear`, MODEL.md §2): index orders reach the constituents by cap
weight, the guards cap oversized flows and moves and log them, and prices stay positive and finite
whatever the flow."""

from __future__ import annotations

import math

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
    flow[m.ust10] = 2 * q.max_flow_fraction * m.cap[m.ust10]          # twice the cap
    capped = np.zeros(m.n)
    capped[m.ust10] = q.max_flow_fraction * m.cap[m.ust10]
    allowed = m.impact.preview(capped[None, :], m.cap[None, :])[0, m.ust10]
    dlogp = m.clear(flow, 1)
    assert dlogp[m.ust10] == pytest.approx(allowed)
    assert m.capped_events == [("UST10", pytest.approx(flow[m.ust10]))]
    assert m.guard_events == 1                                      # the run is no longer stable


def test_a_move_above_max_round_log_move_is_clipped_and_logged():
    m = Market(P.with_overrides({"market.equity_multiplier": 8.0}, "test"), np.random.default_rng(0))
    m.begin_day()
    m.impact.g[:] = 2.0                                             # thin depth
    i = m.idx["NVDA"]
    flow = np.zeros(m.n_instr)
    flow[i] = -0.8 * m.q.max_flow_fraction * m.cap[i]                # under the flow cap …
    F = m.to_primitive(flow)
    raw = m.impact.preview(F[None, :], m.cap[None, :])[0, i]
    assert raw < -m.q.max_round_log_move                            # … but beyond the move cap
    dlogp = m.clear(flow, 1)
    assert dlogp[i] == pytest.approx(-m.q.max_round_log_move)
    assert [name for name, _ in m.capped_events] == ["NVDA"]


def test_forced_rounds_carry_impact_only_and_round_zero_adds_the_anchor_news_and_decay(market):
    m = market
    i = m.idx["MSFT"]
    m.logv[i] = 0.1                                        # value above price: the anchor pulls up
    m.news[i] = 0.02
    noise = np.zeros(m.n)
    noise[i] = -0.005
    forced = m.clear(np.zeros(m.n_instr), 1, noise)
    assert forced[i] == 0.0                                # nothing but impact in rounds ≥ 1
    r0 = m.clear(np.zeros(m.n_instr), 0, noise)
    assert r0[i] == pytest.approx(m.kappa[i] * 0.1 + 0.02 - 0.005)
    assert m.news[i] == 0.0                                # news is priced once


def test_news_moves_value_and_price_together_and_flows_move_the_price_only(market):
    m = market
    i = m.idx["REST"]
    noise = np.zeros(m.n)
    noise[i] = 0.01
    m.clear(np.zeros(m.n_instr), 0, noise)
    assert m.logv[i] == pytest.approx(0.01) and m.logp[i] == pytest.approx(0.01)
    flow = np.zeros(m.n_instr)
    flow[i] = 0.001 * m.cap[i]
    d = m.clear(flow, 1)
    assert d[i] > 0 and m.logv[i] == pytest.approx(0.01)    # the flow leaves the value alone
    assert m.logp[i] == pytest.approx(0.01 + d[i])


def test_a_value_change_from_the_blocks_is_priced_once_and_not_undone_by_the_next(market):
    m = market
    i = m.idx["AMD"]
    v = m.fundamental_logv.copy()
    v[i] += 0.03
    m.set_log_values(v)
    noise = np.zeros(m.n)
    noise[i] = 0.01                                         # and today's news
    r = m.clear(np.zeros(m.n_instr), 0, noise)
    f = m.news_fraction                                     # the rest is left to the value anchor
    assert r[i] == pytest.approx(f * 0.03 + 0.01 + m.kappa[i] * (1 - f) * 0.03)
    m.end_day()
    m.begin_day()
    m.set_log_values(v)                                     # unchanged fundamentals the next day
    assert m.news[i] == 0.0 and m.logv[i] == pytest.approx(0.04)


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


def _steady_flow_path(start_at_steady: bool, annual_bn: float = 830.0, years: int = 2) -> float:
    """REST's log price after `years` of a flow of `annual_bn` a year, spread evenly, and no news."""
    m = Market(P, np.random.default_rng(0))
    yearly = np.zeros(m.n)
    yearly[m.idx["REST"]] = annual_bn
    if start_at_steady:
        m.start_at_steady_flows(yearly)
    flow = np.zeros(m.n_instr)
    flow[m.idx["REST"]] = annual_bn / m.ann
    for _ in range(years * m.ann):
        m.begin_day()
        m.clear(flow, 0)
        m.end_day()
    return float(m.logp[m.idx["REST"]])


def test_a_flow_that_runs_every_year_holds_its_premium_from_the_start():
    """`Market.start_at_steady_flows`: the starting price already holds the premium a steady flow keeps
    up against the value anchor (M·F/C a day = κ·π) and the impact kernel starts where that flow keeps
    its memory and transient, so a buyback-like flow of $830bn a year into REST and no news leave the
    price where it started. Started at P = V, the same flow lifts the price by π(1 − e^{−κt}) (+12%
    in two years, and the transient's own level on top), a drift that came only from the start."""
    m = Market(P, np.random.default_rng(0))
    rest = m.idx["REST"]
    pi = m.impact_params.M[rest] * 830.0 / m.ann / m.cap0[rest] / m.kappa[rest]
    at_steady = _steady_flow_path(True)
    from_zero = _steady_flow_path(False)
    assert abs(at_steady) < 1e-6                                    # the kernel starts at its steady state too
    assert from_zero == pytest.approx(pi * (1 - math.exp(-m.kappa[rest] * 2 * m.ann)), rel=0.05)
    assert from_zero > 0.10


def test_the_flow_discount_agents_read_is_zero_at_a_steady_start():
    m = Market(P, np.random.default_rng(0))
    yearly = np.zeros(m.n)
    yearly[m.idx["REST"]] = 830.0
    m.start_at_steady_flows(yearly)
    assert m.logv[m.idx["REST"]] < -0.1                             # value below the observed price
    assert np.all(m.flow_discount() == 0.0)
