"""The news process (issue #12; `model/news.py`): prices that move without trade. One N(0,1) draw
per factor per day whatever the state; the nominal variance is exact (E[σ²] = σ̄² before the
bounds); volatility rises after falls (leverage); the closed-form variance forecast agrees with a
Monte Carlo; `uncertainty` scales a factor's σ (the seam for policy channels)."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.config import Params
from interlock.model.market import Market
from interlock.model.news import NewsParams, NewsProcess

P = Params.defaults()


def _one(E: int, **kw) -> NewsProcess:
    base = dict(sigma=[0.01], tau=[[3.0, 60.0]], s=[[0.3, 0.3]], rho=[[-0.9, -0.9]])
    base.update(kw)
    return NewsProcess(NewsParams.make(["f"], **base), E)


def test_the_market_draws_a_fixed_number_of_normals_a_day():
    m = Market(P, np.random.default_rng(0))
    ref = np.random.default_rng(0)
    for _ in range(5):
        m.begin_day()
        m.draw_noise()
        ref.standard_normal(m.news_process.n_draws)
    assert m.rng.bit_generator.state == ref.bit_generator.state
    assert m.news_process.n_draws == m.news_params.F


def test_the_nominal_variance_is_exact_before_the_bounds():
    nw = _one(4000)
    rng = np.random.default_rng(1)
    var = []
    for t in range(600):
        r = nw.step(rng.standard_normal((4000, 1)))
        if t >= 300:
            var.append(np.mean(r[:, 0] ** 2))
    assert np.mean(var) == pytest.approx(0.01 ** 2, rel=0.05)


def test_volatility_rises_after_a_fall_and_falls_after_a_rise():
    up, down = _one(1), _one(1)
    up.step(np.array([[2.5]]))
    down.step(np.array([[-2.5]]))
    assert down.rel_today()[0, 0] > 1.0 > up.rel_today()[0, 0]


def test_the_variance_forecast_agrees_with_a_monte_carlo():
    nw = _one(20000)
    nw.x[:] = np.array([0.4, 0.2])                       # a volatile state
    fc = nw.forecast_mean_variance()[21][0, 0]
    rng = np.random.default_rng(2)
    acc = 0.0
    for _ in range(21):
        r = nw.step(rng.standard_normal((20000, 1)))
        acc += np.mean(r[:, 0] ** 2)
    assert acc / 21 == pytest.approx(fc, rel=0.05)


def test_uncertainty_scales_a_factors_volatility_and_its_forecast():
    nw = _one(1)
    base_sigma = nw.sigma_today()[0, 0]
    base_fc = nw.forecast_mean_variance()[21][0, 0]
    nw.uncertainty[0] = 2.0
    assert nw.sigma_today()[0, 0] == pytest.approx(2 * base_sigma)
    assert nw.forecast_mean_variance()[21][0, 0] == pytest.approx(4 * base_fc)


def test_the_index_loads_one_on_the_market_factor_at_the_starting_weights():
    m = Market(P, np.random.default_rng(0))
    assert m._spx_loadings()[0] == pytest.approx(1.0)
