"""The AI firms' decision rules (`agents/hyperscaler.py`, `agents/ai_lab.py`, `agents/investor.py`):
a hyperscaler's capex rises with utilisation and AI revenue and falls with the cost of capital,
within what it can fund; an investor's willingness falls with its own stock and cash; a lab raises
what it can and cuts its commitments when funding falls short. The rules are called with plain
numbers — no model — and the Mesa `Firm` agents expose them in domain words."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interlock.agents import ai_lab, hyperscaler, investor
from interlock.agents.ai_lab import FundingParams
from interlock.agents.hyperscaler import CapexParams, CapexSignals, decide_capex
from interlock.config import Params
from interlock.experiments.runner import build_model
from interlock.model.interlock.compute_market import ComputeParams
from interlock.model.interlock.params import (DealsParams, ExposureParams, FirmsParams, InterlockParams,
                                              SnapshotParams, ValuationParams)

P = Params.defaults()
CAPEX = CapexParams.from_params(P)
FUNDING = FundingParams.from_params(P)
MIN_RUNWAY, TARGET_RUNWAY = ai_lab.runways(FUNDING, P["run.trading_days_per_year"])

CALM = CapexSignals(capex=100.0, planned_growth=0.2, utilisation_gap=0.0, stranded_ratio=0.0, revenue_surprise=0.0,
                    cost_of_capital_change=0.0, funding_room=math.inf, quarters_per_year=4.0)


def plan(**change):
    return decide_capex(dataclasses.replace(CALM, **change), CAPEX)


# ----- parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize("view", [CapexParams, FundingParams, ComputeParams, InterlockParams, DealsParams,
                                  FirmsParams, ValuationParams, SnapshotParams, ExposureParams])
def test_every_interlock_parameter_is_declared_by_the_view_that_reads_it(view):
    view.from_params(P)
    assert view.undeclared(P) == []


# ----- a hyperscaler's capex ---------------------------------------------------------------------
def test_with_nothing_new_capex_follows_the_guided_growth_a_quarter_at_a_time():
    p = plan()
    assert p.guidance == pytest.approx(100.0 * math.exp(0.2))
    assert p.capex == pytest.approx(100.0 * math.exp(0.2 / 4))


def test_capex_rises_with_utilisation_above_plan_and_with_ai_revenue_above_plan():
    assert plan(utilisation_gap=0.3).capex > plan().capex > plan(utilisation_gap=-0.3).capex
    assert plan(revenue_surprise=0.2).capex > plan().capex > plan(revenue_surprise=-0.2).capex
    assert plan(utilisation_gap=0.3).guidance > plan().guidance


def test_capex_falls_when_the_cost_of_capital_rises_or_capacity_waits_for_power():
    assert plan(cost_of_capital_change=0.02).capex < plan().capex < plan(cost_of_capital_change=-0.02).capex
    assert plan(stranded_ratio=0.3).capex < plan().capex


def test_a_listed_firm_invests_more_when_its_stock_has_risen_or_trades_rich():
    assert plan(momentum=0.2, mispricing=0.0).capex > plan(momentum=0.0, mispricing=0.0).capex
    assert plan(momentum=0.0, mispricing=0.3).capex > plan(momentum=0.0, mispricing=0.0).capex


def test_capex_is_capped_by_what_the_firm_can_fund():
    p = plan(utilisation_gap=2.0, funding_room=105.0)
    assert p.capex == 105.0 and p.guidance == 105.0


signals = st.builds(
    CapexSignals, capex=st.floats(0.0, 500.0), planned_growth=st.floats(-1.0, 1.0),
    utilisation_gap=st.floats(-3.0, 3.0), stranded_ratio=st.floats(0.0, 5.0), revenue_surprise=st.floats(-5.0, 5.0),
    cost_of_capital_change=st.floats(-0.2, 0.2), funding_room=st.floats(0.0, 1000.0), quarters_per_year=st.just(4.0),
    momentum=st.floats(-1.0, 1.0), mispricing=st.floats(-1.0, 1.0))


@settings(max_examples=300, deadline=None)
@given(signals)
def test_the_run_rate_moves_at_most_the_quarterly_bound_and_never_beyond_the_funding_room(s):
    p = decide_capex(s, CAPEX)
    assert 0.0 <= p.capex <= s.funding_room
    assert p.guidance <= s.funding_room
    if s.capex > 0 and p.capex > 0:
        assert p.capex == s.funding_room or abs(math.log(p.capex / s.capex)) <= CAPEX.max_quarterly_change + 1e-12


def test_the_funding_room_adds_cash_flow_spare_cash_debt_room_and_new_shares():
    floor = CAPEX.cash_floor_share * 200.0
    room = hyperscaler.funding_room(operating=80.0, cash=floor + 30.0, revenue=200.0, debt_capacity=100.0, debt=60.0,
                                    equity_room=5.0, q=CAPEX)
    assert room == pytest.approx(80.0 + 30.0 + 40.0 + 5.0)
    none = hyperscaler.funding_room(operating=-10.0, cash=0.0, revenue=200.0, debt_capacity=50.0, debt=90.0,
                                    equity_room=0.0, q=CAPEX)
    assert none == 0.0


def test_debt_capacity_is_leverage_on_cash_flow_or_an_advance_on_contracted_backlog():
    cap = hyperscaler.debt_capacity(np.array([10.0, 1.0, -5.0]), np.array([0.0, 100.0, 0.0]), CAPEX)
    assert cap == pytest.approx([CAPEX.leverage_max * 10.0, CAPEX.backlog_advance_rate * 100.0, 0.0])


def test_shares_sold_in_the_last_year_use_up_the_equity_room():
    room = hyperscaler.equity_room(np.array([100.0, 0.0, 50.0]), [(0, 4.0), (0, 3.0), (2, 99.0)], CAPEX)
    assert room == pytest.approx([CAPEX.equity_issuance_share * 100.0 - 7.0, 0.0, 0.0])


def test_a_cash_shortfall_is_borrowed_first_and_the_rest_sold_as_shares():
    t = hyperscaler.cover_shortfall(cash=10.0, floor=20.0, debt_room=4.0, equity_room=3.0)
    assert (t.borrow, t.sell_shares) == pytest.approx((4.0, 3.0))
    t = hyperscaler.cover_shortfall(cash=10.0, floor=12.0, debt_room=4.0, equity_room=3.0)
    assert (t.borrow, t.sell_shares) == pytest.approx((2.0, 0.0))


# ----- an investor's willingness ------------------------------------------------------------------
def test_an_investor_pays_all_its_tranches_while_its_stock_and_cash_hold_up():
    w = investor.willingness(np.array([0.0, 0.3]), np.array([50.0, 80.0]), np.array([50.0, 40.0]), FUNDING)
    assert w == pytest.approx([1.0, 1.0])


def test_willingness_falls_with_the_investors_own_stock_drop_and_its_cash():
    mom = np.array([0.0, -0.1, -0.3, 0.0, 0.0])
    cash = np.array([50.0, 50.0, 50.0, 25.0, 10.0])
    w = investor.willingness(mom, cash, np.full(5, 50.0), FUNDING)
    assert w[0] > w[1] > w[2] and w[0] > w[3] > w[4]
    assert w[2] == pytest.approx(math.exp(-0.3 * FUNDING.momentum_elasticity))
    assert w[3] == pytest.approx(0.5 ** FUNDING.cash_elasticity)


def test_outside_investors_follow_the_ai_stocks_up_to_a_cap():
    caps = np.array([4000.0, 1000.0])
    assert investor.outside_sentiment(caps, np.array([-0.2, -0.2]), FUNDING) < 1.0
    assert investor.outside_sentiment(caps, np.array([0.1, -0.1]), FUNDING) > 1.0     # cap-weighted
    assert investor.outside_sentiment(caps, np.array([3.0, 3.0]), FUNDING) == FUNDING.max_sentiment
    assert investor.outside_sentiment(np.array([]), np.array([]), FUNDING) == 1.0


# ----- a lab's funding -----------------------------------------------------------------------------
def test_a_labs_burn_is_its_purchases_less_what_its_revenue_and_investors_pay():
    burn = ai_lab.net_burn(np.array([30.0, 5.0]), np.array([6.0, 4.0]), np.array([10.0, 3.0]))
    assert burn == pytest.approx([14.0, 0.0])


def test_a_lab_raises_once_its_runway_is_short():
    burn = 20.0
    assert ai_lab.needs_round(burn * MIN_RUNWAY - 1.0, burn, MIN_RUNWAY)
    assert not ai_lab.needs_round(burn * MIN_RUNWAY + 1.0, burn, MIN_RUNWAY)
    assert not ai_lab.needs_round(0.0, 0.0, MIN_RUNWAY)                      # no burn, no round


def test_the_next_round_is_due_when_cash_reaches_the_runway_floor():
    cash, burn, daily = np.array([30.0, 50.0]), np.array([20.0, 20.0]), np.array([-0.1, 0.5])
    floor = 20.0 * MIN_RUNWAY
    assert ai_lab.next_round_day(100, cash, burn, daily, MIN_RUNWAY) == 100 + int((30.0 - floor) / 0.1)
    assert ai_lab.next_round_day(100, np.array([1.0]), np.array([20.0]), np.array([0.0]), MIN_RUNWAY) == 100
    assert ai_lab.next_round_day(100, np.array([50.0]), np.array([20.0]), np.array([0.1]), MIN_RUNWAY) is None


def round_(cash=5.0, burn=40.0, purchases=100.0, outside=100.0, debt=0.0, value=300.0):
    return ai_lab.funding_round(cash, burn, purchases, outside, debt, value, FUNDING, MIN_RUNWAY, TARGET_RUNWAY)


def test_a_funded_lab_raises_outside_equity_up_to_its_target_runway_and_cuts_nothing():
    r = round_()
    assert r.equity == pytest.approx(40.0 * TARGET_RUNWAY - 5.0) and r.debt == 0.0 and r.cut == 0.0


def test_a_lab_borrows_what_outside_investors_will_not_give():
    r = round_(outside=10.0)
    assert r.equity == 10.0
    assert r.debt == pytest.approx(min(40.0 * TARGET_RUNWAY - 15.0, FUNDING.lab_debt_share * 300.0))


def test_a_lab_cuts_commitments_when_funding_falls_short_just_enough_to_restore_its_runway():
    r = round_(outside=0.0, value=0.0)
    assert r.equity == 0.0 and r.debt == 0.0 and 0.0 < r.cut <= FUNDING.max_cut
    # after the cut, its cash covers the minimum runway of the smaller burn
    assert 5.0 == pytest.approx(MIN_RUNWAY * (40.0 - r.cut * 100.0))
    less = [round_(outside=x, value=0.0).cut for x in (0.0, 5.0, 8.0)]
    assert less[0] > less[1] > less[2]                                         # more money, smaller cut


def test_a_cut_is_at_most_the_largest_renegotiation():
    assert round_(cash=0.0, burn=200.0, purchases=200.0, outside=0.0, value=0.0).cut == FUNDING.max_cut


# ----- the firms as Mesa agents ------------------------------------------------------------------
@pytest.fixture(scope="module")
def firms():
    m = build_model("baseline", seed=1)
    try:
        yield {f.name: f for f in m.block("interlock").firms}
    finally:
        m.release()


def test_a_hyperscaler_agent_states_its_plan_in_domain_words(firms):
    msft = firms["MSFT"]
    assert msft.spends_capex and msft.capex_guidance > 0
    p = msft.capex_plan()
    assert 0.0 < p.capex <= msft.funding_room and p.guidance <= msft.funding_room
    assert msft.stakes["OpenAI"] == pytest.approx(0.27)
    assert msft.willingness == 1.0                       # day 0: its stock and cash are where they started
    with pytest.raises(ValueError):
        firms["NVDA"].capex_plan()


def test_a_lab_agent_states_its_runway_and_commitments(firms):
    openai = firms["OpenAI"]
    assert openai.is_lab and not openai.spends_capex
    # Oracle, Microsoft, AMD, NVIDIA, Broadcom, …: ≈ $1.4T announced, letters of intent booked at
    # their conversion probability
    assert 800.0 < openai.commitments < 1400.0
    assert 0.0 < openai.runway_years < math.inf
    assert firms["OTHER"].runway_years == math.inf
