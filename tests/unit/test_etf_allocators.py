"""Spot-ETF allocators (`interlock.agents.crypto_etf.CryptoETFBook`): risk-model and trust exits,
redemptions spread over days, the mandate's recovery. The allocators' hooks are driven directly on
a small crypto model at fixed prices (no clearing), so every unit they sell is accounted for."""

from __future__ import annotations

import numpy as np
import pytest
from crypto_helpers import NOT_CRYPTO, crypto_model

from interlock.agents.crypto_etf import CryptoETFParams
from interlock.config import Params

DEFAULTS = Params.defaults()
Q = CryptoETFParams.from_params(DEFAULTS)


@pytest.fixture
def etf():
    """(model, allocators) with the retail holders off, so only the allocators trade."""
    model = crypto_model(disabled=NOT_CRYPTO + ("retail_crypto",))
    yield model, model.population("crypto_etf")
    model.release()


def day(model, pop) -> list[tuple[int, str, np.ndarray]]:
    """One day of the allocators' hooks at unchanged prices: (round, reason, BTC units sold) per
    forced round."""
    m = model.market
    model.day += 1
    m.begin_day()
    prices = m.instrument_prices()
    pop.begin_day()
    pop.fill(pop.voluntary_orders(), prices)
    forced = []
    for rnd in range(1, 6):
        res = pop.forced_orders(rnd)
        if res is None:
            break
        orders, reason = res
        pop.fill(orders, prices)
        forced.append((rnd, reason, -orders[:, m.btc] / prices[m.btc]))
    model.crypto.end_day()
    pop.end_day(None)
    return forced


def test_the_allocator_view_declares_every_parameter_of_its_section():
    assert CryptoETFParams.undeclared(DEFAULTS) == []


def test_allocator_sizes_split_the_aum_more_evenly_at_a_higher_concentration():
    sizes = {}
    for conc in (0.5, 1000.0):
        model = crypto_model({"crypto_etf.size_concentration": conc, "crypto_etf.n_allocators": 20})
        try:
            pop = model.population("crypto_etf")
            btc = pop.units[:, model.market.btc]
            assert btc.sum() == pytest.approx(Q.aum)
            np.testing.assert_allclose(pop.cash, Q.cash_ratio * btc)
            sizes[conc] = btc / btc.sum()
        finally:
            model.release()
    assert sizes[1000.0].std() < 0.2 * sizes[0.5].std()


def test_a_volatility_breach_forces_only_that_allocator_out_in_the_round_of_the_breach(etf):
    model, pop = etf
    m = model.market
    vol = np.sqrt(pop.lam * m.var_fast[m.btc] * pop.ann)      # no intraday move at fixed prices
    pop.vol_limit[:] = 10.0
    pop.vol_limit[2] = 0.5 * vol
    held = pop.units[:, m.btc].copy()
    forced = day(model, pop)
    assert [(r, why) for r, why, _ in forced] == [(1, "risk_exit")]
    sold = forced[0][2]
    assert sold[2] == pytest.approx(Q.risk_exit_fraction * held[2] / Q.exit_days)
    assert np.count_nonzero(sold) == 1
    assert pop.mandate[2] == pytest.approx((1.0 - Q.risk_exit_fraction) * pop.recovery + (1.0 - pop.recovery))
    assert pop.members[2].exiting and not pop.members[0].exiting
    ev = model.events.frame()
    assert (ev["channel"] == "risk_exit").sum() == 1


def test_a_drawdown_beyond_every_limit_redeems_the_risk_share_over_the_exit_days(etf):
    model, pop = etf
    m = model.market
    held = pop.units[:, m.btc].copy()
    model.crypto.window[:] = m.logp[m.btc] + 0.5               # BTC 39% below its window high
    assert 1.0 - np.exp(-0.5) > pop.dd_limit.max()
    sold = np.zeros(pop.n)
    for d in range(Q.exit_days):
        model.crypto.window[:] = m.logp[m.btc] + 0.5
        forced = day(model, pop)
        assert [why for _, why, _ in forced] == ["risk_exit"], d
        np.testing.assert_allclose(forced[0][2], Q.risk_exit_fraction * held / Q.exit_days)
        sold += forced[0][2]
    np.testing.assert_allclose(sold, Q.risk_exit_fraction * held)
    np.testing.assert_allclose(pop.units[:, m.btc], (1.0 - Q.risk_exit_fraction) * held)
    assert not any(a.exiting for a in pop.members)
    # still breached, but within the cool-down: no second exit
    model.crypto.window[:] = m.logp[m.btc] + 0.5
    assert all(why != "risk_exit" for _, why, _ in day(model, pop))
    model.day = int(pop.last_risk_exit.max()) + Q.exit_cooldown_days - 1
    model.crypto.window[:] = m.logp[m.btc] + 0.5
    assert [why for _, why, _ in day(model, pop)] == ["risk_exit"]          # cool-down over


def test_a_trust_event_redeems_the_trust_share_over_days_without_voluntary_trading(etf):
    model, pop = etf
    m = model.market
    held = pop.units[:, m.btc].copy()
    cash = pop.cash.copy()
    model.crypto.hit_trust(None, 0.3)                          # a one-day fall past every tolerance
    assert 0.3 > pop.tolerance.max()
    for d in range(Q.exit_days):
        forced = day(model, pop)
        assert [(r, why) for r, why, _ in forced] == [(1, "trust_exit")], d
        np.testing.assert_allclose(forced[0][2], Q.trust_exit_share * held / Q.exit_days)
    price = m.price[m.btc]
    np.testing.assert_allclose(pop.units[:, m.btc], (1.0 - Q.trust_exit_share) * held)
    np.testing.assert_allclose(pop.cash, cash + Q.trust_exit_share * held * price)   # nothing else traded
    assert pop.trust_exits == pop.n
    ev = model.events.frame()
    assert (ev["channel"] == "trust_exit").sum() == pop.n


def test_a_cut_mandate_recovers_with_the_half_life_and_scales_the_target_weight(etf):
    model, pop = etf
    full = pop.target_weight()
    assert (full < pop.w_max).all()
    pop.mandate[:] = 0.6
    np.testing.assert_allclose(pop.target_weight(), 0.6 * full)
    half = int(Q.mandate_half_life_days)
    assert half == Q.mandate_half_life_days
    for _ in range(half):
        pop.end_day(None)
    np.testing.assert_allclose(pop.mandate, 0.8)
    assert pop.members[0].mandate == pytest.approx(0.8)
