"""Implied vol (issue #12 item 4; `model/volatility.py`): VOL² = VRP × the news process's own
variance forecast + threshold hedging demand. Below the long-run level the curve is in contango; a
volatile state inverts it; hedging demand appears only past a threshold and loads 1M more than 3M."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interlock.config import Params
from interlock.model.market import Market
from interlock.model.volatility import ImpliedVol

P = Params.defaults()
# the threshold mechanism switched on (it is off by default: docs/validation.md, Implied vol)
PH = P.with_overrides({"vol.hedging_per_sigma": 0.02}, origin="test_implied_vol")


def _iv(x_market=None, params: Params = PH) -> tuple[Market, ImpliedVol]:
    m = Market(params, np.random.default_rng(0))
    if x_market is not None:
        m.news_process.x[:, 0, :] = x_market
    m.news_process.rel_today()
    return m, ImpliedVol(params, m)


def test_a_calm_state_is_in_contango_and_a_volatile_one_inverted():
    _, calm = _iv(-0.3)
    _, stressed = _iv([1.5, 0.0, 0.0])                       # the fast component up: a spike
    assert calm.vol_1m < calm.vol_3m
    assert stressed.vol_1m > stressed.vol_3m


def _implied_sigma(iv: ImpliedVol) -> float:
    return iv.vol_1m / math.sqrt(P["run.trading_days_per_year"])


def test_an_ordinary_day_adds_no_hedging_demand():
    _, iv = _iv()
    r = -0.5 * _implied_sigma(iv)                             # a half-σ fall, all of it news
    iv.update(r, 0.0, r)
    assert iv.hedging == 0.0


def test_by_default_a_fall_adds_no_threshold_hedging_demand():
    """The VIX's rise on a down day is GJR's news impact alone in the 2014–17 data (K flat in the
    return and the VIX's level): the default leaves the threshold term out."""
    assert P["vol.hedging_per_sigma"] == 0.0
    _, iv = _iv(params=P)
    r = -4.0 * _implied_sigma(iv)                             # news: the GJR impact's to answer
    iv.update(r, 0.0, r)
    assert iv.hedging == 0.0


def test_a_fall_past_the_threshold_adds_hedging_demand_that_lifts_1m_more_than_3m():
    _, iv = _iv()
    v1, v3 = iv.vol_1m, iv.vol_3m
    iv.update(-4.0 * _implied_sigma(iv), 0.0)
    assert iv.hedging > 0.0
    assert iv.vol_1m - v1 > iv.vol_3m - v3 > 0.0 - 1e-12


def test_the_threshold_is_counted_in_implied_not_news_sigma():
    """Option buyers measure the day against the vol they paid for (docs/validation.md, Implied vol):
    a fall just short of the threshold in implied σ adds nothing, one past it adds hedging demand even
    where it is less than the threshold in the news process's σ."""
    m, iv = _iv(-1.0)
    k = P["vol.hedging_loss_threshold"]
    past = (k + 1.0) * _implied_sigma(iv)
    assert past < k * m.spx_news_sigma                       # not past it in news σ
    r = -0.95 * k * _implied_sigma(iv)
    iv.update(r, 0.0, r)
    assert iv.hedging == 0.0
    r = -(k + 1.0) * _implied_sigma(iv)
    iv.update(r, 0.0, r)
    assert iv.hedging > 0.0


def test_exogenous_hedging_demand_lifts_vol_1m_squared_by_the_given_variance():
    _, iv = _iv()
    v0 = iv.vol_1m
    iv.add_hedging_demand(0.04)
    assert iv.vol_1m ** 2 == pytest.approx(v0 ** 2 + 0.04)


def test_hedging_demand_halves_in_its_half_life():
    m, iv = _iv()
    iv.add_hedging_demand(0.04)
    h0 = iv.hedging
    days = P["vol.hedging_half_life_days"]
    for _ in range(int(days)):
        iv.update(0.0, 0.0)
    assert iv.hedging == pytest.approx(h0 * 0.5 ** (int(days) / days))


def test_a_fall_beyond_the_news_lifts_vol_1m_squared_by_k_times_its_square():
    """The VIX's answer to a down day, ΔVIX² ≈ K·r² (2014–17, K median 28), for the part of the day the
    trading made (`vol.flow_move_k`): the news part moves VOL through the news process's variance, so
    a day that is all news adds no hedging demand; a rise adds none; 1M rises more than 3M."""
    _, iv = _iv(params=P)
    v1, v3 = iv.vol_1m, iv.vol_3m
    iv.update(-0.03, 0.0, -0.01)                              # −3%, of which −1% news: −2% traded
    expected = P["vol.flow_move_k"]
    assert iv.vol_1m ** 2 - v1 ** 2 == pytest.approx(expected * 0.02 ** 2, rel=0.02)   # + the forecast's drift
    assert iv.vol_1m - v1 > iv.vol_3m - v3 > 0.0
    _, iv = _iv(params=P)
    iv.update(+0.03, 0.0, 0.0)
    assert iv.hedging == 0.0
    _, iv = _iv(params=P.with_overrides({"vol.flow_move_k": 0.0}, origin="test"))
    iv.update(-0.03, 0.0, 0.0)
    assert iv.hedging == 0.0
