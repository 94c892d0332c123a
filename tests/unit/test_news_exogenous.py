"""A scenario shock's news return moves the volatility state (`NewsProcess.exogenous_shocks`, the
`z_exo` of `NewsProcess.step`, `Market.shock_news`; docs/validation.md, "Attribution"): it is news like
a draw of the same size — the leverage effect and volatility clustering do not
ask where it came from — while the policy channels' news, which has its own calibrated volatility
response (the uncertainty channel), does not move it a second time, and the firms' repricing by the
blocks (which depends on the agents) does not move it at all — the news stays the same whichever
classes are on (common random numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from policy_runs import run

from interlock.config import Params
from interlock.experiments.runner import build_model
from interlock.experiments.scenarios import load_scenario
from interlock.model.market import Market
from interlock.model.news import NewsParams, NewsProcess
from interlock.model.shocks.markets import VolSpike
from interlock.model.shocks.policy import Tariff

P = Params.defaults()


def _one() -> NewsProcess:
    return NewsProcess(NewsParams.make(["f"], sigma=[0.01], tau=[[3.0, 60.0]], s=[[0.3, 0.3]],
                                       rho=[[-0.9, -0.9]]), 1)


def test_an_exogenous_shock_moves_the_state_as_a_draw_of_its_size_but_returns_only_the_draw():
    drawn, exo = _one(), _one()
    r_drawn = drawn.step(np.array([[-4.0]]))
    r_exo = exo.step(np.array([[0.0]]), z_exo=np.array([[-4.0]]))
    np.testing.assert_array_equal(drawn.x, exo.x)                     # the same volatility state
    assert r_exo[0, 0] == pytest.approx(0.0, abs=1e-4)               # the news itself is priced elsewhere
    assert r_drawn[0, 0] < -0.025
    assert exo.rel_today()[0, 0] > 1.5                                # a −4σ day: volatility up by half


def test_beyond_four_sigma_an_exogenous_shock_moves_the_state_as_a_four_sigma_draw():
    """EXO_Z_MAX: the news process was calibrated on N(0, 1) draws; a larger exogenous shock is not
    extrapolated through EGARCH's exponential news impact (Engle & Ng 1993)."""
    four, eight = _one(), _one()
    four.step(np.array([[0.0]]), z_exo=np.array([[-4.0]]))
    eight.step(np.array([[0.0]]), z_exo=np.array([[-8.0]]))
    np.testing.assert_array_equal(four.x, eight.x)
    drawn = _one()
    drawn.step(np.array([[-8.0]]))                                    # a draw itself is not capped
    assert drawn.rel_today()[0, 0] > eight.rel_today()[0, 0]


def test_a_drop_on_every_equity_is_the_market_factors_and_one_firms_repricing_its_own():
    m = Market(P, np.random.default_rng(0))
    m.begin_day()
    nw = m.news_process
    sd = nw.sigma_today()[0]
    common = np.where(m.is_equity, math.log(0.98), 0.0)
    z = nw.exogenous_shocks(common[None, :], m.L)[0]
    assert z[0] == pytest.approx(math.log(0.98) / sd[0], rel=0.1)     # ≈ the whole drop, in market σ
    assert np.abs(z[1:]).max() < 0.4 * abs(z[0])                    # firms' betas ≠ 1 leave small residuals
    one = np.zeros(m.n)
    i = m.names.index("NVDA")
    one[i] = math.log(0.83)
    z = nw.exogenous_shocks(one[None, :], m.L)[0]
    f = 1 + i                                                          # NVDA's own factor
    assert z[f] < -3.0 and abs(z[0]) < 0.2 * abs(z[f])


def test_a_scenario_drop_raises_the_news_volatility_of_the_following_days():
    rel = {}
    for drop in (0.0, -0.04):
        ts, model = run(12, 1, [VolSpike(at=10, duration=1, noise_multiplier=1.0, vol_points=0.0, drop=drop)],
                        keep=True)
        rel[drop] = float(model.market.news_process.rel_today()[0, 0])
        model.release()
    assert rel[-0.04] > 1.5 * rel[0.0]


def test_the_policy_channels_news_leaves_the_volatility_state_to_the_uncertainty_channel():
    """A tariff prices its news through the valuation channel, not as a scenario shock's news return
    (Market.shock_news): with uncertainty switched off the news process's state is the same as without
    the tariff, to the bit, though the S&P fell on the day."""
    states, spx = {}, {}
    over = {"macro.uncertainty_per_tariff": 0.0}
    for shocks in ([], [Tariff(at=5, rate=0.10)]):
        sc = load_scenario("baseline").model_copy(update={"shocks": shocks})
        m = build_model(sc, seed=1, overrides=over)
        for _ in range(5):
            m.step()
        states[len(shocks)] = m.market.news_process.x.copy()
        spx[len(shocks)] = m.market.spx
        m.release()
    np.testing.assert_array_equal(states[0], states[1])
    assert spx[1] < 0.98 * spx[0]
