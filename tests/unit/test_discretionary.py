"""Discretionary desks with capital (issue #12): each desk targets e* = clip(e0 + view +
κ_v·(ln V − ln P), 0, L_max) of its NAV and trades a share θ of the gap, never selling more than it
holds; the views are AR(1) in i.i.d. draws from the class's own stream, n a day."""

from __future__ import annotations

import numpy as np
import pytest
from stub_model import StubModel, move_spx

from interlock.agents.discretionary import DiscretionaryBook


def _book(overrides: dict | None = None) -> tuple[StubModel, DiscretionaryBook]:
    model = StubModel(overrides)
    book = DiscretionaryBook(model, np.random.default_rng(0))
    model.market.begin_day()
    return model, book


def test_the_desks_hold_their_capital_at_the_base_exposure_at_the_start():
    model, book = _book()
    q = book.q
    m = model.market
    assert book.nav().sum() == pytest.approx(q.capital)
    assert book.holdings()[:, m.SPX].sum() == pytest.approx(q.base_exposure * q.capital)
    assert book.n == q.n_traders


def test_with_no_view_and_no_mispricing_nobody_trades():
    model, book = _book({"discretionary.view_sd": 0.0})
    assert np.allclose(book.voluntary_orders(), 0.0)


def test_a_flow_induced_discount_makes_the_desks_buy():
    model, book = _book({"discretionary.view_sd": 0.0})
    m = model.market
    move_spx(m, -0.02)                                       # sold down by a flow: value unchanged
    assert book.mispricing() == pytest.approx(0.02, rel=0.05)
    o = book.voluntary_orders()
    assert np.all(o[:, m.SPX] > 0)
    prices = m.instrument_prices()
    held = book.units[:, m.SPX] * prices[m.SPX]
    nav = book.cash + held
    target = (book.q.base_exposure + book.q.value_sensitivity * book.mispricing()) * nav
    assert o[:, m.SPX] == pytest.approx(book.q.speed * (target - held))


def test_news_is_not_a_discount():
    model, book = _book({"discretionary.view_sd": 0.0})
    m = model.market
    m.clear(np.zeros(m.n_instr), 0, np.full(m.n, -0.03))     # everyone revalues: no mispricing
    assert book.mispricing() == pytest.approx(0.0, abs=1e-12)


def test_a_desk_never_sells_more_than_it_holds_and_never_levers_past_its_cap():
    model, book = _book({"discretionary.view_sd": 2.0, "discretionary.speed": 1.0})
    m = model.market
    for _ in range(30):
        o = book.voluntary_orders()
        prices = m.instrument_prices()
        held = book.units[:, m.SPX] * prices[m.SPX]
        assert np.all(o[:, m.SPX] >= -held - 1e-9)
        book.fill(o, prices)
        nav = book.cash + book.units[:, m.SPX] * prices[m.SPX]
        assert np.all(book.units[:, m.SPX] * prices[m.SPX] <= book.q.max_leverage * nav + 1e-9)


def test_the_book_draws_n_normals_a_day_from_its_own_stream():
    model, book = _book()
    state = book.rng.bit_generator.state
    book.voluntary_orders()
    ref = np.random.default_rng()
    ref.bit_generator.state = state
    ref.standard_normal(book.n)
    assert book.rng.bit_generator.state == ref.bit_generator.state
