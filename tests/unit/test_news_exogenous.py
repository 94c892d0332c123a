"""A scenario shock's news return moves the volatility state (`NewsProcess.exogenous_shocks`, the
`z_exo` of `NewsProcess.step`, `Market.shock_news`; docs/validation.md, "Attribution"): it is news like
a draw — the leverage effect and volatility clustering do not ask where it came from — through
GJR's quadratic news impact (σ² + g·r², `news.exogenous_variance_impact`). On the day a policy shock
without a volatility channel of its own acts (a data surprise, Fed guidance or a surprise move, fiscal
news: `Shock.valuation_news_moves_vol`), the valuation's repricing is that shock's news and moves the
state the same way; a tariff's news, which has its own calibrated volatility response (the uncertainty
channel), does not move it a second time, and the firms' repricing by the blocks (which depends on the
agents) and the valuation's repricing on other days do not move it at all — without policy shocks the
news stays the same whichever classes are on (common random numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from policy_runs import run

from interlock.config import Params
from interlock.experiments.runner import build_model
from interlock.experiments.scenarios import load_scenario
from interlock.model.market import Market
from interlock.model.model import trading_classes
from interlock.model.news import NewsParams, NewsProcess
from interlock.model.shocks.markets import VolSpike
from interlock.model.shocks.policy import FedGuidance, MacroSurprise, Tariff

P = Params.defaults()


def _one(g: float = 0.17) -> NewsProcess:
    nw = NewsProcess(NewsParams.make(["f"], sigma=[0.01], tau=[[3.0, 60.0]], s=[[0.3, 0.3]],
                                     rho=[[-0.9, -0.9]]), 1)
    nw.exo_variance_impact = g
    return nw


def _spot_rel_after(z_exo: float, g: float = 0.17, z: float = 0.0) -> tuple[float, float]:
    """Relative volatility the day after one step with draw z and exogenous news z_exo, and the
    news return the step gave."""
    nw = _one(g)
    r = nw.step(np.array([[z]]), z_exo=np.array([[z_exo]]) if z_exo else None)
    return float(nw.rel_today()[0, 0]), float(r[0, 0])


def test_exogenous_news_raises_spot_variance_by_g_times_its_square_gjr():
    """σ'² = σ² (1 + g z²) exactly (GJR's news impact in the units of today's σ), whatever the size:
    quadratic in variance, not EGARCH's exponential — and only the state moves: the news itself is
    priced by the market, not returned here."""
    plain, r_plain = _spot_rel_after(0.0)
    for z in (-2.0, -4.0, -8.0):
        rel, r = _spot_rel_after(z)
        assert (rel / plain) ** 2 == pytest.approx(1.0 + 0.17 * z * z, rel=1e-12)
        assert r == r_plain
    # a −8σ day raises variance (1 + 0.17·64)/(1 + 0.17·16) ≈ 3.2× as much as a −4σ day, not e^{…}
    assert _spot_rel_after(-8.0)[0] < 2.0 * _spot_rel_after(-4.0)[0]


def test_good_news_lowers_a_leveraged_factors_volatility_and_zero_impact_leaves_it_alone():
    plain, _ = _spot_rel_after(0.0)
    assert _spot_rel_after(+4.0)[0] < plain < _spot_rel_after(-4.0)[0]
    assert _spot_rel_after(-4.0, g=0.0)[0] == plain


def test_exogenous_news_adds_to_the_days_own_draw():
    a, b = _one(), _one()
    a.step(np.array([[-1.5]]), z_exo=np.array([[-3.0]]))
    b.step(np.array([[-1.5 + float(b.exogenous_draw(np.array([[-3.0]]))[0, 0])]]))
    np.testing.assert_array_equal(a.x, b.x)


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


def _state_after(shocks, days: int = 5, disabled=()):
    sc = load_scenario("baseline").model_copy(update={"shocks": shocks})
    m = build_model(sc, seed=1, disabled=disabled)
    for _ in range(days):
        m.step()
    out = (m.market.news_process.x.copy(), float(m.market.news_process.rel_today()[0, 0]), m.market.spx)
    m.release()
    return out


@pytest.mark.parametrize("shock", [MacroSurprise(at=5, unemployment=0.003), MacroSurprise(at=5, inflation=0.003),
                                   FedGuidance(at=5, path_bps=75.0)], ids=["jobs", "cpi", "hawkish_dots"])
def test_a_policy_shocks_repricing_raises_the_market_factors_volatility_like_news_of_its_size(shock):
    """The S&P falls on the day (bad news for earnings or a hawkish path) and the market factor's
    volatility the next morning is higher than without the shock, by about what a scenario drop of
    the same size does (GJR's news impact does not ask where the news came from). The size is the
    news's: the day's fall with the trading classes off (with them on, their flows absorb part of
    it — the buyback desks' grid buys more on a down day — and that part is not news). The jobs
    report's response is the larger (≈ 1.4× the drop's): its growth news reprices BTC too, which the
    factor projection reads as market news; a scenario drop moves equities only."""
    off = trading_classes()
    x0, rel0, spx0 = _state_after([])
    x1, rel1, spx1 = _state_after([shock])
    assert math.log(spx1 / spx0) < -0.003
    _, rel0_off, spx0_off = _state_after([], disabled=off)
    _, rel1_off, spx1_off = _state_after([shock], disabled=off)
    fall = math.log(spx1_off / spx0_off)                        # the news the shock gave the S&P
    assert fall < -0.003
    # a scenario drop of that size: the market factor's relative vol after it
    _, rel_drop, _ = _state_after([VolSpike(at=5, duration=1, noise_multiplier=1.0, vol_points=0.0,
                                            drop=math.expm1(fall))], disabled=off)
    assert rel1 > rel0 * 1.005
    assert (rel1_off - rel0_off) == pytest.approx(rel_drop - rel0_off, rel=0.5)


def test_a_day_with_a_tariff_leaves_the_volatility_state_to_its_uncertainty_channel_even_with_data_news():
    """The rule is per day: the valuation's repricing counts as the shocks' news only when every shock
    acting that day lacks a volatility channel of its own. A data surprise on a tariff's day is priced
    but does not move the state a second time (uncertainty switched off: the state is the no-shock one)."""
    over = {"macro.uncertainty_per_tariff": 0.0}
    states = []
    for shocks in ([], [Tariff(at=5, rate=0.05), MacroSurprise(at=5, inflation=0.003)]):
        sc = load_scenario("baseline").model_copy(update={"shocks": shocks})
        m = build_model(sc, seed=1, overrides=over)
        for _ in range(5):
            m.step()
        states.append((m.market.news_process.x.copy(), m.market.spx))
        m.release()
    np.testing.assert_array_equal(states[0][0], states[1][0])
    assert states[1][1] < 0.99 * states[0][1]
