"""Options dealers (issue #12): hedging only when the index has moved past a threshold since the
last hedge; long gamma in calm markets opposes the move, short gamma when puts are bid chases it
(a quarter as hard on up-moves); the inventory stays within the open-interest bound; a share of the
hedges rolls off each morning; the forced flow's Lipschitz constant is 100·max|Γ|."""

from __future__ import annotations

import numpy as np
import pytest
from stub_model import StubModel, move_spx

from interlock.agents.dealer import DealerBook


def _book(vol_1m: float, overrides: dict | None = None) -> tuple[StubModel, DealerBook]:
    model = StubModel(overrides)
    book = DealerBook(model, np.random.default_rng(0))
    model.market.begin_day()
    model.vol.vol_1m = vol_1m
    book.voluntary_orders()
    return model, book


def test_below_the_threshold_nothing_is_forced():
    model, book = _book(vol_1m=0.12)
    move_spx(model.market, 0.5 * book.q.hedge_threshold)
    assert book.forced_orders(1) is None


def test_a_calm_long_gamma_hedge_opposes_the_move():
    model, book = _book(vol_1m=0.12)
    assert book.gamma() > 0.0
    move_spx(model.market, 0.015)
    m = model.market
    move = m.spx_intraday_return()
    gamma = book.gamma() / (m.spx / m.spx0)                  # Γ as quoted, at the day's level
    orders, reason = book.forced_orders(1)
    assert reason == "gamma_hedge"
    assert orders[0, m.SPX] < 0.0                            # sells into a rise
    assert orders[0, m.SPX] == pytest.approx(-gamma * (m.open_spx / m.spx0) * move / 0.01, rel=1e-6)
    assert np.count_nonzero(orders) == 1                     # S&P index only


def test_a_stressed_short_gamma_hedge_chases_falls_and_a_quarter_as_hard_rises():
    model, book = _book(vol_1m=0.60)
    assert book.gamma() < 0.0
    m = model.market
    move_spx(m, -0.015)
    down, _ = book.forced_orders(1)
    assert down[0, m.SPX] < 0.0                              # sells into a fall
    book.fill(down, m.instrument_prices())
    move_spx(m, 0.03, round_no=2)
    up, _ = book.forced_orders(2)
    assert up[0, m.SPX] > 0.0                                # buys a rise, but less per 1%
    assert abs(up[0, m.SPX]) / 0.03 < abs(down[0, m.SPX]) / 0.015


def test_the_inventory_stays_within_the_open_interest_bound():
    model, book = _book(vol_1m=0.60)
    m = model.market
    lim = max(abs(book.q.gamma_calm), abs(book.q.gamma_stressed)) * 100 * book.q.open_interest_share
    for k in range(1, 8):
        move_spx(m, -0.02, round_no=k)
        res = book.forced_orders(k + 1)
        if res is not None:
            book.fill(res[0], m.instrument_prices())
        inv = book.units[0, m.SPX] * m.spx
        assert abs(inv) <= lim * m.spx / m.spx0 + 1e-9


def test_the_sensitivity_is_a_lipschitz_bound_of_the_forced_flow():
    model, book = _book(vol_1m=0.60)
    m = model.market
    move_spx(m, -0.03)
    orders, _ = book.forced_orders(1)
    # Γ is fixed for the day at the open level
    assert abs(orders[0, m.SPX]) <= book.sensitivity() * abs(m.spx_intraday_return()) * m.open_spx / m.spx0 + 1e-9


def test_the_book_rolls_off_a_share_of_its_hedges_each_morning():
    model, book = _book(vol_1m=0.12)
    m = model.market
    book.units[0, m.SPX] = 5.0 / m.spx
    orders = book.voluntary_orders()
    assert orders[0, m.SPX] == pytest.approx(-book.q.unwind_per_day * 5.0)
