"""BTC units and cash are conserved across trades, liquidations and hacks (property-based).

The flow table is the independent ledger: every executed crypto order is a row in dollars, and a
row's BTC units are its dollars over the round's clearing price. Whatever the population, the
leverage, the hedge share and the shocks:
  * holders' spot BTC + the perp counterparty's hedge changes by exactly the units in the flow
    table, and every venue agent's book is the sum of its spot rows;
  * holders' cash + the counterparty's hedge cash and perp collateral + venue reserves + cash
    stolen changes by exactly minus the dollars in the flow table (a liquidated position's loss is
    its margin, the venue's reserves absorb a gap past bankruptcy);
  * no balance goes negative, perp contracts (signed: longs and shorts) equal the counterparty's
    net short, every open position is on its trader's side, and funding moves money only inside
    the positions (the perp ledger's sum changes only at settlement).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from interlock.experiments.runner import build_model
from interlock.experiments.scenarios import load_scenario
from interlock.model.shocks import SHOCK_TYPES as SHOCKS

VENUES = ["binance", "coinbase", "bybit", "okx", "upbit", "hyperliquid"]


def totals(model):
    pop = model.population("retail_crypto")
    cs = model.crypto
    m = model.market
    btc = pop.btc[pop.n_lev:].sum() + pop.units[pop.desk, m.btc]
    cash = pop.holder_cash.sum() + pop.cash[pop.desk] + pop.perp_cash + cs.reserves.sum() + cs.stolen_usd
    return btc, cash


def check_books(model):
    pop = model.population("retail_crypto")
    m = model.market
    nl, nv = pop.n_lev, pop.n_venues
    spot = np.bincount(pop.venue[nl:], weights=pop.btc[nl:], minlength=nv)
    np.testing.assert_allclose(pop.units[:nv, m.btc], spot, rtol=1e-9, atol=1e-9)
    cash = np.bincount(pop.venue[nl:], weights=pop.holder_cash[nl:], minlength=nv)
    np.testing.assert_allclose(pop.cash[:nv], cash, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(pop.perp_short, pop.btc[:nl].sum(), rtol=1e-9, atol=1e-9)
    assert pop.units[pop.desk, m.btc] >= -1e-12                  # the counterparty never shorts spot
    q = pop.btc[:nl]
    assert (q * pop.side >= 0.0).all()                           # longs long, shorts short
    assert (pop.liq_price[:nl][q != 0.0] > 0.0).all() and (pop.liq_price[:nl][q == 0.0] == 0.0).all()
    for a in (pop.holder_cash, pop.btc[nl:], pop.eq_shares):
        assert np.isfinite(a).all()
        assert (a >= 0.0).all()
    assert np.isfinite(pop.debt).all()
    assert (pop.pool_shares >= -1e-9).all()


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(200, 2500),
    lev_share=st.floats(0.0, 0.6),
    lev_max=st.floats(2.0, 60.0),
    tail=st.floats(0.5, 3.0),
    hedge=st.floats(0.0, 1.0),
    fee=st.floats(0.0, 0.05),
    mm=st.floats(0.0, 0.05),
    review=st.integers(1, 7),
    drop=st.floats(-0.6, 0.0),
    hack_usd=st.floats(0.01, 80.0),
    hack_venue=st.sampled_from(VENUES),
    trust_hit=st.floats(0.0, 0.9),
    short_share=st.floats(0.0, 1.0),
)
# a crash through the bankruptcy prices of a crowded, fully hedged book; a hack far above reserves
# (the venue borrows to make its customers whole)
@example(seed=1, n=2000, lev_share=0.5, lev_max=50.0, tail=0.5, hedge=1.0, fee=0.02, mm=0.01, review=1,
         drop=-0.5, hack_usd=80.0, hack_venue="bybit", trust_hit=0.5, short_share=0.4)
@example(seed=2, n=500, lev_share=0.0, lev_max=2.0, tail=1.0, hedge=0.0, fee=0.0, mm=0.0, review=7,
         drop=0.0, hack_usd=0.01, hack_venue="upbit", trust_hit=0.0, short_share=0.0)
# a crowded short book (shorts profit in the crash: the counterparty pays them out)
@example(seed=3, n=2000, lev_share=0.5, lev_max=50.0, tail=0.5, hedge=1.0, fee=0.02, mm=0.01, review=1,
         drop=-0.3, hack_usd=0.01, hack_venue="okx", trust_hit=0.0, short_share=0.9)
def test_btc_units_and_cash_are_conserved_across_trades_and_liquidations(
        seed, n, lev_share, lev_max, tail, hedge, fee, mm, review, drop, hack_usd, hack_venue, trust_hit, short_share):
    shocks = [SHOCKS["custody_failure"](at=3, trust_hit=trust_hit, price_drop=drop, freeze_days=2),
              SHOCKS["exchange_hack"](at=5, usd_bn=hack_usd, venue=hack_venue)]
    sc = load_scenario("baseline").model_copy(update={"shocks": shocks})
    overrides = {"retail_crypto.n_holders": n, "retail_crypto.leveraged_share": lev_share,
                 "retail_crypto.leverage_max": lev_max, "retail_crypto.leverage_tail": tail,
                 "retail_crypto.perp_spot_passthrough": hedge, "retail_crypto.liquidation_fee": fee,
                 "retail_crypto.maintenance_margin": mm, "retail_crypto.review_days": review,
                 "retail_crypto.short_share": short_share}
    model = build_model(sc, seed=seed, overrides=overrides)
    pop = model.population("retail_crypto")
    fill_price = {}                     # (day, round) -> BTC clearing price of the population's fill
    current = {"round": 0}
    voluntary, forced, fill = pop.voluntary_orders, pop.forced_orders, pop.fill

    def voluntary_orders():
        current["round"] = 0
        return voluntary()

    def forced_orders(round_no):
        current["round"] = round_no
        return forced(round_no)

    def recording_fill(orders, prices):
        fill_price[(model.day, current["round"])] = prices[model.market.btc]
        fill(orders, prices)

    pop.voluntary_orders, pop.forced_orders, pop.fill = voluntary_orders, forced_orders, recording_fill
    btc0, cash0 = totals(model)
    try:
        for _ in range(12):
            model.step()
            check_books(model)
    finally:
        model.release()
    flows = model.flows.frame()
    mine = flows[flows["agent_class"] == "retail_crypto"]
    usd = float(mine["usd_bn"].sum())
    btc = mine[mine["asset"] == "BTC"]
    btc_units = sum(float(g["usd_bn"].sum()) / fill_price[(int(d), int(r))]
                    for (d, r), g in btc.groupby(["day", "round"]))
    btc1, cash1 = totals(model)
    np.testing.assert_allclose(btc1 - btc0, btc_units, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(cash1 - cash0, -usd, rtol=1e-8, atol=1e-8)
