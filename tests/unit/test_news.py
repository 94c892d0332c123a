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


def test_a_reverting_factor_has_a_stationary_level_and_the_same_daily_volatility():
    """`revert` δ > 0 (the 10-year's term-premium news): the cumulative news is an AR(1) level with
    stationary s.d. σ/√(1 − (1 − δ)²) ≈ σ/√(2δ), while the same draws without it wander as a random
    walk (s.d. σ√t); the daily move is the same size either way."""
    E, T, sigma, delta = 3000, 1500, 0.01, np.log(2.0) / 100.0
    flat = dict(s=[[0.0, 0.0]], rho=[[0.0, 0.0]], sigma=[sigma])
    walk, stat = _one(E, **flat), _one(E, revert=delta, **flat)
    rng = np.random.default_rng(3)
    lw, ls, dw, ds = np.zeros(E), np.zeros(E), [], []
    for _ in range(T):
        z = rng.standard_normal((E, 1))
        rw, rs = walk.step(z)[:, 0], stat.step(z)[:, 0]
        lw += rw
        ls += rs
        dw.append(rw.std())
        ds.append(rs.std())
    assert ls == pytest.approx(stat.level[:, 0])
    assert ls.std() == pytest.approx(sigma / np.sqrt(1.0 - (1.0 - delta) ** 2), rel=0.05)
    assert lw.std() == pytest.approx(sigma * np.sqrt(T), rel=0.05)
    assert np.mean(ds) == pytest.approx(np.mean(dw), rel=0.02)


def test_the_ten_year_yields_news_reverts_and_nothing_else_does():
    m = Market(P, np.random.default_rng(0))
    rev = m.news_params.revert
    assert rev[-1] == pytest.approx(np.log(2.0) / P["news.ust_news_half_life_days"])
    assert m.news_params.names[-1] == "ust10_yield" and np.all(rev[:-1] == 0.0)


def test_a_downside_loading_makes_the_child_fall_harder_on_the_parents_large_down_days_at_the_same_correlation():
    """A child loading λ + a on its parent's down days and λ − a on its up days (`lam_asym`; BTC on
    the equity factor), centred: z* = λ z_p − a(|z_p| − √(2/π)) + c·z. Its shock keeps mean 0,
    variance 1 and correlation λ with the parent's; on the parent's large down days (z_p < −1.5, an
    S&P sell-off) its mean is (λ + a)·E[z_p | z_p < −1.5] + a√(2/π), well below the symmetric λ's
    (on all down days together the centring gives back exactly what the loading takes). Checked on
    the shocks the child's log-volatility reads (its state after one step from zero)."""
    E = 200_000
    rng = np.random.default_rng(5)
    z = rng.standard_normal((E, 2))
    shocks = {}
    for a in (0.0, 0.3):
        p = NewsParams.make(["parent", "child"], sigma=[0.01, 0.01], tau=[[5.0]], s=[[0.0], [0.5]],
                            rho=[[0.0], [1.0]], parent=[-1, 0], lam=[0.0, 0.45], lam_asym=[0.0, a])
        nw = NewsProcess(p, E)
        nw.step(z)
        shocks[a] = nw.x[:, 1, 0] / p.theta[1, 0]            # ρ = 1: the state is θ·z*, z* recovered
    sell = z[:, 0] < -1.5
    tail = z[sell, 0].mean()
    for a, zs in shocks.items():
        assert abs(zs.mean()) < 0.01 and abs(zs.var() - 1.0) < 0.01
        assert abs(np.corrcoef(zs, z[:, 0])[0, 1] - 0.45) < 0.01
        assert abs(zs[sell].mean() - ((0.45 + a) * tail + a * np.sqrt(2 / np.pi))) < 0.02
    assert shocks[0.3][sell].mean() < shocks[0.0][sell].mean() - 0.25
    with pytest.raises(ValueError):
        NewsParams.make(["p", "c"], sigma=[0.01, 0.01], tau=[[5.0]], s=[[0.0], [0.5]], rho=[[0.0], [1.0]],
                        parent=[-1, 0], lam=[0.0, 0.8], lam_asym=[0.0, 0.3])
