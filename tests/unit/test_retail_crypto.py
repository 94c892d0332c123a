"""Retail crypto holders (`interlock.agents.retail_crypto.RetailCryptoBook`): two-sided orders that
cannot overdraw, leveraged longs and shorts and their liquidation prices, liquidation in the forced
rounds at the breach (longs at the day's low, shorts at its high: a squeeze), funding, and money and BTC conserved through trades, liquidations and hacks. Small crypto-only
models (a few hundred rows), built in a few hundredths of a second."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest
from crypto_helpers import crypto_model
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interlock.agents import jit
from interlock.agents.base import clearing_value, execute
from interlock.agents.retail_crypto import PERP_COUNTERPARTY, RetailCryptoParams, Style, StyleParams
from interlock.config import Params
from interlock.model import hooks
from interlock.model.shocks import SHOCK_TYPES

DEFAULTS = Params.defaults()
Q = RetailCryptoParams.from_params(DEFAULTS)
LEVERAGED = {"retail_crypto.leveraged_share": 0.3, "retail_crypto.leverage_tail": 1.5}


def crash(model, drop: float) -> None:
    """Start a day and move BTC by `drop` (news, cleared in round 0 with no flow)."""
    m = model.market
    model.day += 1
    m.begin_day()
    m.news[m.btc] += math.log1p(drop)
    m.clear(np.zeros(m.n_instr), 0)


# ----- the parameter views --------------------------------------------------------------------------
def test_the_retail_views_declare_every_parameter_of_their_section():
    assert RetailCryptoParams.undeclared(DEFAULTS) == []
    declared = {f.name for f in fields(StyleParams)}
    assert DEFAULTS.names_under("retail_crypto.styles") == [s.key for s in Style]
    for s in Style:
        assert set(DEFAULTS.section(f"retail_crypto.styles.{s.key}")) == declared, s.key


# ----- two-sided orders ------------------------------------------------------------------------------
rows = st.integers(1, 6)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=rows)
def test_two_sided_orders_never_sell_more_than_held_or_spend_more_cash_than_held(data, n):
    """Buys are dollars bounded by cash, sells are units bounded by holdings: whatever the round's
    clearing price, no position or cash balance goes negative, and the order array becomes the
    dollars actually executed."""
    k = 3
    pos = hnp.arrays(float, (n, k), elements=st.floats(0.0, 100.0))
    units = data.draw(pos)
    cash = data.draw(hnp.arrays(float, n, elements=st.floats(0.0, 100.0)))
    share = data.draw(hnp.arrays(float, (n, k), elements=st.floats(0.0, 1.0)))
    weights = share / np.maximum(share.sum(axis=1, keepdims=True), 1.0)
    buy = weights * cash[:, None]                              # never more than the cash on hand
    sell = data.draw(hnp.arrays(float, (n, k), elements=st.floats(0.0, 1.0))) * units
    pre = data.draw(hnp.arrays(float, k, elements=st.floats(0.1, 10.0)))
    move = data.draw(hnp.arrays(float, k, elements=st.floats(0.2, 5.0)))
    orders = clearing_value(buy, sell, pre)                    # what the market clears
    u0, c0 = units.copy(), cash.copy()
    execute(units, cash, orders, buy, sell, pre * move)        # filled at another price
    assert (units >= -1e-9 * np.maximum(u0, 1.0)).all()
    assert (cash >= -1e-9 * np.maximum(c0, 1.0)).all()
    np.testing.assert_allclose(units, u0 + buy / (pre * move) - sell, atol=1e-12)
    np.testing.assert_allclose(orders, buy - sell * pre * move, atol=1e-12)
    np.testing.assert_allclose(cash, c0 - orders.sum(axis=1), atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), x=st.one_of(st.floats(-3.0, -0.5), st.floats(0.5, 3.0)), rot=st.floats(-2.0, 2.0),
       loss=st.floats(0.0, 0.9), move=st.floats(0.5, 2.0))
def test_a_review_never_buys_beyond_a_holders_cash_or_sells_beyond_its_holdings(seed, x, rot, loss, move):
    model = crypto_model({**LEVERAGED, "retail_crypto.review_days": 1}, seed=seed)
    try:
        pop = model.population("retail_crypto")
        m = model.market
        model.crypto.hit_trust(None, loss)
        model.day = 1
        pop.begin_day()
        pop.x_style[:] = x                                     # extreme signals in either direction
        pop.rot_style[:] = rot
        cash0, btc0, eq0 = pop.holder_cash.copy(), pop.btc.copy(), pop.eq_shares.copy()
        orders = pop.voluntary_orders()
        _, _, _, spot, _ = pop._pending
        sl, _, (buy_btc, buy_eq, sell_btc, sell_eq), _, _ = spot
        buy_btc, buy_eq, sell_btc, sell_eq = (a.copy() for a in (buy_btc, buy_eq, sell_btc, sell_eq))
        assert (buy_btc + buy_eq <= cash0[sl] * (1 + 1e-12)).all()
        assert (sell_btc <= btc0[sl]).all() and (sell_eq <= eq0[sl]).all()
        assert np.abs(orders).sum() > 0.0                      # the review traded
        prices = m.instrument_prices().copy()              # read-only: the market's own array
        prices[m.btc] *= move                                  # the round cleared elsewhere
        pop.fill(orders, prices)
        nl, nv = pop.n_lev, pop.n_venues
        for a in (pop.holder_cash, pop.btc[nl:], pop.eq_shares):
            assert (a >= 0.0).all()
        assert (pop.btc[:nl] * pop.side >= 0.0).all()          # perps stay on their trader's side
        np.testing.assert_allclose(pop.units[:nv, m.btc],
                                   np.bincount(pop.venue[nl:], weights=pop.btc[nl:], minlength=nv), atol=1e-12)
    finally:
        model.release()


def test_a_frozen_venues_holders_do_not_trade():
    model = crypto_model({"retail_crypto.review_days": 1})
    try:
        pop = model.population("retail_crypto")
        model.day = 1
        pop.begin_day()
        pop.x_style[:] = 2.0                                   # everyone wants more BTC
        v = model.crypto.venue_index("binance")
        model.crypto.freeze(v, 3)
        orders = pop.voluntary_orders()
        assert not orders[v].any()
        assert orders[:pop.n_venues].any()
        assert pop.members[v].frozen and not pop.members[pop.desk].frozen
    finally:
        model.release()


def test_each_venue_agent_speaks_for_its_rows_and_the_last_is_the_perp_counterparty():
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        m = model.market
        assert [a.name for a in pop.members] == model.crypto.names + [PERP_COUNTERPARTY]
        assert sum(a.people for a in pop.members) == pytest.approx(Q.people)
        assert sum(a.btc_bn for a in pop.members) == pytest.approx(float(pop.units[:, m.btc].sum() * m.price[m.btc]))
        # the counterparty's spot book: the basis traders' inventory plus the hedge of the retail net long
        assert pop.members[pop.desk].btc_bn == pytest.approx(Q.basis_capital_bn + pop.hedge * pop.perp_short)
        assert pop.perp_short == pytest.approx(float(pop.btc[: pop.n_lev].sum()))
    finally:
        model.release()


# ----- leveraged longs ------------------------------------------------------------------------------
def test_a_leveraged_long_is_liquidated_when_its_equity_falls_to_the_maintenance_margin():
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        nl, mm = pop.n_lev, pop.mm
        open_ = np.flatnonzero(pop.btc[:nl] > 0.0)
        assert open_.size > 5
        contracts, debt, liq = pop.btc[open_], pop.debt[open_], pop.liq_price[open_]
        np.testing.assert_allclose(liq, debt / (contracts * (1.0 - mm)))
        equity_at_liq = contracts * liq - debt
        np.testing.assert_allclose(equity_at_liq, mm * contracts * liq)
        assert (pop.liq_price[:nl][pop.btc[:nl] == 0.0] == 0.0).all()       # flat: no liquidation price
    finally:
        model.release()


def test_a_leveraged_short_is_liquidated_when_its_equity_falls_to_the_maintenance_margin():
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        nl, mm = pop.n_lev, pop.mm
        open_ = np.flatnonzero(pop.btc[:nl] < 0.0)
        assert open_.size > 5 and (pop.side[open_] < 0).all()
        q, debt, liq = pop.btc[open_], pop.debt[open_], pop.liq_price[open_]
        np.testing.assert_allclose(liq, debt / (q * (1.0 + mm)))
        np.testing.assert_allclose(q * liq - debt, mm * np.abs(q) * liq)       # equity at the breach
        assert (liq > 1.0).all()                          # above the entry prices (start price 1)
    finally:
        model.release()


@settings(max_examples=30, deadline=None)
@given(lev=st.floats(1.01, 100.0), price=st.floats(0.05, 5.0), mm=st.floats(0.0, 0.05),
       margin=st.floats(1e-6, 1.0), side=st.sampled_from([1.0, -1.0]))
def test_opening_at_leverage_l_sets_the_liquidation_price_a_fraction_below_a_long_and_above_a_short(
        lev, price, mm, margin, side):
    """Long: P_liq = debt / (q · (1 − mm)) = P · (1 − 1/L) / (1 − mm); short (q < 0):
    P_liq = debt / (q · (1 + mm)) = P · (1 + 1/L) / (1 + mm)."""
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        pop.mm = mm
        i = int(np.flatnonzero((pop.btc[: pop.n_lev] == 0.0) & (pop.side == side))[0])
        short0, cash0 = pop.perp_short, pop.holder_cash[i]
        pop._open(np.array([i]), np.array([margin]), np.array([lev * margin]), price)
        assert pop.liq_price[i] == pytest.approx(price * (1.0 - side / lev) / (1.0 - side * mm), rel=1e-9)
        assert pop.btc[i] == pytest.approx(side * lev * margin / price)
        assert pop.debt[i] == pytest.approx((side * lev - 1.0) * margin)
        assert pop.btc[i] * price - pop.debt[i] == pytest.approx(margin)          # equity = margin
        assert pop.holder_cash[i] == pytest.approx(cash0 - margin)
        assert pop.perp_short == pytest.approx(short0 + side * lev * margin / price)
    finally:
        model.release()


@pytest.mark.parametrize("drop", [-0.12, -0.3])
def test_longs_are_liquidated_in_the_first_forced_round_after_the_breach_and_only_those(drop):
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        m = model.market
        nl = pop.n_lev
        crash(model, drop)
        # the day's low: below the price by the wick of the day's σ, which a crash day's own move sets
        sigma = max(math.sqrt(m.var_fast[m.btc]), m.news_sigma[m.btc], -math.log1p(drop) / math.sqrt(2 / math.pi))
        low = m.price[m.btc] * math.exp(-pop.wick * sigma)
        assert pop.intraday_extreme(-1) == pytest.approx(low)
        breached = np.flatnonzero((pop.liq_price[:nl] >= low) & (pop.btc[:nl] > 0.0))
        spared = np.flatnonzero(((pop.liq_price[:nl] < low) & (pop.btc[:nl] > 0.0)) | (pop.btc[:nl] < 0.0))
        assert breached.size > 0 and spared.size > 0
        contracts, debt = pop.btc[breached].copy(), pop.debt[breached].copy()
        cash0, reserves0 = pop.holder_cash.copy(), model.crypto.reserves.copy()
        spared_btc = pop.btc[spared].copy()

        orders, reason = pop.forced_orders(1)
        assert reason == "liquidation"
        prices = m.instrument_prices()
        # the counterparty unwinds its spot hedge of exactly the liquidated contracts
        assert orders[pop.desk, m.btc] == pytest.approx(-pop.hedge * contracts.sum() * prices[m.btc])
        assert not orders[: pop.n_venues].any()
        pop.fill(orders, prices)

        pb = prices[m.btc]
        equity = contracts * pb - debt
        payout = np.maximum(equity - pop.fee * contracts * pb, 0.0)
        np.testing.assert_allclose(pop.holder_cash[breached], cash0[breached] + payout)
        assert (pop.btc[breached] == 0.0).all() and (pop.liq_price[breached] == 0.0).all()
        assert (pop.flat_since[breached] == model.day).all()
        np.testing.assert_array_equal(pop.btc[spared], spared_btc)
        np.testing.assert_allclose(model.crypto.reserves - reserves0,
                                   np.bincount(pop.venue[breached], weights=equity - payout,
                                               minlength=pop.n_venues), atol=1e-12)
        assert pop.liquidated_total_rows == breached.size
        assert pop.forced_orders(2) is None                    # nothing left at the breach
    finally:
        model.release()


@pytest.mark.parametrize("jump", [0.08, 0.2])
def test_a_rally_squeezes_the_shorts_at_the_days_high_and_spares_the_longs(jump):
    """A BTC up-day (news) liquidates the shorts whose liquidation price the day's high reaches; the
    counterparty buys back its hedge of them in spot (a squeeze: forced buying), no long is touched."""
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        m = model.market
        nl = pop.n_lev
        crash(model, jump)
        high = pop.intraday_extreme(1)
        assert high > m.price[m.btc]
        breached = np.flatnonzero((pop.liq_price[:nl] <= high) & (pop.btc[:nl] < 0.0))
        assert breached.size > 0
        q = pop.btc[breached].copy()
        longs = pop.btc[:nl] > 0.0
        long_btc = pop.btc[:nl][longs].copy()
        orders, reason = pop.forced_orders(1)
        assert reason == "liquidation"
        prices = m.instrument_prices()
        assert orders[pop.desk, m.btc] == pytest.approx(pop.hedge * -q.sum() * prices[m.btc])   # buys
        pop.fill(orders, prices)
        assert (pop.btc[breached] == 0.0).all()
        np.testing.assert_array_equal(pop.btc[:nl][longs], long_btc)
        assert pop.liquidated_today_long == 0.0 and pop.liquidated_today_bn > 0.0
    finally:
        model.release()


CROWDED = {"retail_crypto.leveraged_share": 0.3, "retail_crypto.leveraged_row_share": 0.5,
           "retail_crypto.leverage_max": 50.0, "retail_crypto.leverage_tail": 1.0,
           "retail_crypto.notional_per_trader": 25000.0, "retail_crypto.perp_spot_passthrough": 0.2,
           "retail_crypto.short_share": 0.5, "retail_crypto.n_holders": 4000, "market.btc_multiplier": 3.0}


def _iterated_cascade(pop, idx):
    """The cascade the rounds would run, one batch at a time on the previewed price: liquidate what
    the day's reach covers, move BTC by the hedge flow of everything liquidated so far (valued as the
    round's clearing values it), repeat until no new position is reached. Independent of `_cascade`'s
    sorted walk; returns the set and the number of batches it took."""
    m = pop.market
    b, nl = m.btc, pop.n_lev
    pb, x0, desk = float(m.price[b]), float(m.logp[b]), float(pop.units[pop.desk, b])
    done = np.zeros(nl, bool)
    done[idx] = True
    batches = 1
    while True:
        u = pop.btc[:nl][done]
        f = pop._hedge_flow(float(u[u > 0].sum()), float(-u[u < 0].sum()), pb, desk)
        x = x0 + float(m.impact.preview_asset(b, np.array([f]), float(m.cap[b]))[0])
        low, high = pop._extreme_at(np.array([x]), -1)[0], pop._extreme_at(np.array([x]), 1)[0]
        liq = pop.liq_price[:nl]
        reach = ((pop.side > 0) & (liq > 0) & (liq >= low)) | ((pop.side < 0) & (liq > 0) & (liq <= high))
        if not (reach & ~done).any():
            return np.flatnonzero(done), batches
        done |= reach
        batches += 1


@pytest.mark.parametrize("fused", [False, True], ids=["numpy", "kernels"])
@pytest.mark.parametrize("move", [-0.06, 0.06])
def test_a_liquidation_cascade_clears_in_one_round_at_the_fixed_point_the_rounds_converge_to(monkeypatch, move, fused):
    """A crowded book (half the leveraged traders short, up to 50×) on a thin BTC market: the first
    breach's hedge flow reaches more positions, theirs more still, over many batches. The book solves
    that cascade in its first forced round — the same positions a batch-by-batch iteration ends with
    (the least fixed point) — and after the round's clearing nothing more is in reach. On both paths:
    the numpy code and the fused kernels (agents/jit.py)."""
    monkeypatch.setattr(jit, "MODE", "1" if fused else "0")
    model = crypto_model(CROWDED)
    try:
        pop = model.population("retail_crypto")
        assert pop._fast is fused
        m = model.market
        crash(model, move)
        low, high = pop.intraday_extreme(-1), pop.intraday_extreme(1)
        liq = pop.liq_price[: pop.n_lev]
        first = np.flatnonzero(((pop.side > 0) & (liq >= low)) | ((pop.side < 0) & (liq > 0) & (liq <= high)))
        expected, batches = _iterated_cascade(pop, first)
        assert batches >= 3 and expected.size > first.size      # a real cascade, not one batch
        victims = pop.side[expected] == (-1 if move > 0 else 1)
        assert victims.mean() > 0.9                             # the move's side: shorts in a rally
        orders, reason = pop.forced_orders(1)
        idx = pop._pending[3]
        np.testing.assert_array_equal(idx, expected)
        m.clear(orders.sum(axis=0), 1)
        pop.fill(orders, m.instrument_prices())
        assert pop.forced_orders(2) is None                      # the fixed point: nothing left in reach
    finally:
        model.release()


def test_funding_sits_at_the_base_rate_on_calm_days_and_turns_negative_on_a_day_of_heavy_selling():
    """Binance's formula f = premium + clamp(0.01% − premium, ±0.05%): small perp flows leave f at
    the 0.01%/8 h base; a 10-Oct-sized day of net perp selling drives it below zero; and funding is
    paid out of the positions' margins — longs' debts rise, shorts' fall — without moving money
    between accounts before a position settles."""
    model = crypto_model(LEVERAGED)
    try:
        pop = model.population("retail_crypto")
        m = model.market
        nl = pop.n_lev
        assert pop.funding_rate(0.0) == pytest.approx(Q.funding_base_8h)
        assert pop.funding_rate(0.5) == pytest.approx(Q.funding_base_8h)
        assert pop.funding_rate(-20.0) < 0.0 < pop.funding_rate(20.0)
        assert abs(pop.funding_rate(-1e6) - pop.funding_rate(-2e6)) > 0.0           # a premium, not a cap
        q, debt0 = pop.btc[:nl].copy(), pop.debt[:nl].copy()
        before = money(model)
        model.day += 1
        m.begin_day()
        pop.begin_day()
        pop.perp_flow_today = -20.0
        pop.end_day(np.zeros(m.n))
        f = pop.funding_8h
        assert f < 0.0                                                      # shorts pay longs
        np.testing.assert_allclose(pop.debt[:nl] - debt0, 3.0 * f * q * m.price[m.btc])
        assert money(model) == pytest.approx(before, abs=1e-12)
        open_ = q != 0.0
        np.testing.assert_allclose(pop.liq_price[:nl][open_], pop.debt[:nl][open_] / (q[open_] - pop.mm * np.abs(q[open_])))
    finally:
        model.release()


def test_with_liquidations_off_a_breach_forces_nothing():
    model = crypto_model({**LEVERAGED, "retail_crypto.liquidations": False})
    try:
        pop = model.population("retail_crypto")
        crash(model, -0.5)
        assert (pop.liq_price[: pop.n_lev] > 0.0).any()
        assert pop.forced_orders(1) is None
    finally:
        model.release()


# ----- conservation -----------------------------------------------------------------------------------
def money(model) -> float:
    return sum(float(p.cash.sum()) for p in model.populations) + sum(hooks.money_accounts(model).values())


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), drop=st.floats(-0.4, -0.2), hack=st.floats(0.1, 30.0),
       venue=st.sampled_from(["binance", "bybit", "hyperliquid"]))
def test_money_and_btc_units_are_conserved_through_trades_liquidations_and_hacks(seed, drop, hack, venue):
    """Money (every population's cash plus the accounts components declare: the perp ledger, the
    venues' reserves and what was stolen) changes only by the dollars traded; BTC units held change
    only by the units traded at each round's clearing price."""
    shocks = [SHOCK_TYPES["custody_failure"](at=2, price_drop=drop),
              SHOCK_TYPES["exchange_hack"](at=3, usd_bn=hack, venue=venue)]
    model = crypto_model(LEVERAGED, seed=seed, shocks=shocks)
    try:
        m = model.market
        prices = {}
        model.fill_observers.append(lambda day, rnd, p: prices.__setitem__((day, rnd), p[m.btc]))
        money0 = money(model)
        btc0 = sum(float(p.units[:, m.btc].sum()) for p in model.populations)
        for _ in range(6):
            model.step()
        flows = model.flows.frame()
        assert model.population("retail_crypto").liquidated_total_rows > 0
        assert model.crypto.stolen_usd == hack
        assert money(model) - money0 == pytest.approx(-float(flows["usd_bn"].sum()), abs=1e-9)
        btc = flows[flows["asset"] == "BTC"]
        units = sum(float(g["usd_bn"].sum()) / prices[(int(d), int(r))] for (d, r), g in btc.groupby(["day", "round"]))
        btc1 = sum(float(p.units[:, m.btc].sum()) for p in model.populations)
        assert btc1 - btc0 == pytest.approx(units, abs=1e-9)
    finally:
        model.release()
