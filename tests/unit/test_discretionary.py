"""Discretionary traders (MODEL.md §3.8; Franke & Westerhoff 2012): fundamentalists trade toward
value, chartists with the last return, and a finite population of N traders switches between the two
with herding — each day Binomial(N_c, min(1, ν e^a)) chartists turn fundamentalist and
Binomial(N_f, min(1, ν e^−a)) fundamentalists turn chartist."""

from __future__ import annotations

import math

import numpy as np
import pytest
from stub_model import StubModel, move_spx

from interlock.agents.discretionary import MAX_SWITCHING_INDEX, DiscretionaryBook


class RecordingRNG:
    """Stands in for the book's generator: records each binomial draw's (n, p), switches nobody."""

    def __init__(self):
        self.draws: list[tuple[np.ndarray, np.ndarray]] = []

    def binomial(self, n, p):
        self.draws.append((np.asarray(n).copy(), np.asarray(p).copy()))
        return np.zeros_like(n)


def _book(overrides: dict | None = None, seed: int = 0) -> tuple[StubModel, DiscretionaryBook]:
    model = StubModel(overrides)
    book = DiscretionaryBook(model, np.random.default_rng(seed))
    model.market.begin_day()
    return model, book


def _price_and_value(m) -> tuple[np.ndarray, np.ndarray]:
    """Log price and log value of the S&P (cap-weighted at day-0 weights) and of BTC."""
    eq = m.equity_idx
    w0 = m.cap0[eq] / m.cap0[eq].sum()
    p = np.array([math.log(m.spx / m.spx0), m.logp[m.btc]])
    v = np.array([math.log(float(w0 @ np.exp(m.logv[eq]))), m.logv[m.btc]])
    return p, v


def test_the_transition_counts_are_binomial_with_the_stated_probabilities():
    model, book = _book({"discretionary.alpha_p": 5.0, "discretionary.alpha_r": 0.4})
    m, q = model.market, book.q
    m.logv[m.is_equity] = 0.03                                 # misaligned: value above price
    move_spx(m, -0.01)                                          # today's fall, against recent vol
    book.n_f[:] = [0.7, 0.25]
    book.rng = rng = RecordingRNG()
    book.end_day(np.zeros(m.n))

    p, v = _price_and_value(m)
    sd = np.sqrt([m.var_fast[m.equity_idx[-1]], m.var_fast[m.btc]])
    z = p / sd                                                  # p_close was 0 at the start
    a = q.beta * (q.alpha_0 + q.alpha_n * (2 * np.array([0.7, 0.25]) - 1) + q.alpha_p * (p - v) ** 2
                  + q.alpha_r * z)
    a = np.clip(a, -MAX_SWITCHING_INDEX, MAX_SWITCHING_INDEX)
    n = q.n_traders
    n_f = np.rint(np.array([0.7, 0.25]) * n)
    (n_to_f, p_to_f), (n_to_c, p_to_c) = rng.draws
    assert n_to_f == pytest.approx(n - n_f) and n_to_c == pytest.approx(n_f)
    assert p_to_f == pytest.approx(np.minimum(1.0, q.nu * np.exp(a)))
    assert p_to_c == pytest.approx(np.minimum(1.0, q.nu * np.exp(-a)))
    assert book.n_f == pytest.approx(n_f / n)                   # nobody switched: shares on the grid


def _chartist_growth(alpha_n: float, days: int = 600) -> np.ndarray:
    """Change of the S&P chartist count over one day, from a 70% chartist majority, `days` times."""
    _, book = _book({"discretionary.alpha_n": alpha_n, "discretionary.btc_enabled": False}, seed=7)
    n = book.q.n_traders
    out = np.empty(days)
    for k in range(days):
        book.n_f[:] = 0.3
        book.end_day(np.zeros(book.market.n))
        out[k] = (0.3 - book.n_f[0]) * n
    return out


def test_herding_makes_a_chartist_majority_more_likely_to_grow():
    without, calibrated, strong = (_chartist_growth(a) for a in (0.0, 1.16621, 3.0))
    assert (calibrated > 0).mean() > (without > 0).mean() + 0.1
    assert without.mean() < 0.0 < strong.mean()                 # no herding: back toward 50/50


def test_fundamentalists_buy_below_value_and_move_the_index_by_mu_times_demand():
    model, book = _book({"discretionary.sigma_f": 0.0, "discretionary.initial_fundamentalist_share": 1.0,
                         "discretionary.btc_enabled": False})
    m, q = model.market, book.q
    m.logv[m.is_equity] = 0.05                                  # the S&P 5% below value
    orders = book.voluntary_orders()
    assert orders[0, m.SPX] > 0.0
    before = m.spx
    m.clear(np.zeros(m.n_instr), 1, permanent_flows=orders.sum(axis=0))
    assert math.log(m.spx / before) == pytest.approx(q.mu * q.phi * 0.05)


def test_chartists_trade_with_the_last_daily_return():
    model, book = _book({"discretionary.sigma_c": 0.0, "discretionary.initial_fundamentalist_share": 0.0,
                         "discretionary.nu": 0.0, "discretionary.btc_enabled": False})   # all chartists
    m = model.market
    move_spx(m, 0.01)
    m.end_day()
    book.end_day(np.zeros(m.n))                                 # today's close becomes 'last'
    m.begin_day()
    orders = book.voluntary_orders()
    assert orders[0, m.SPX] > 0.0                               # a rise is followed
    move_spx(m, -0.03)
    m.end_day()
    book.end_day(np.zeros(m.n))
    assert book.voluntary_orders()[0, m.SPX] < 0.0              # a fall too


def test_the_btc_population_is_optional():
    _, with_btc = _book()
    _, without = _book({"discretionary.btc_enabled": False})
    assert with_btc.columns() == ["chartist_share_spx", "chartist_share_btc"]
    assert without.columns() == ["chartist_share_spx"] and without.n == 1
