"""The crypto venues (`interlock.model.crypto.venues.CryptoVenues`, `model.crypto`): hacks, trust,
contagion, freezes, recovery and the signals crypto holders read. Each test builds fresh venues on
one small crypto-only model."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest
from crypto_helpers import crypto_model
from hypothesis import given, settings
from hypothesis import strategies as st

from interlock.config import Params
from interlock.model.crypto.venues import CryptoVenues, CryptoVenuesParams, Venue
from interlock.model.hooks import money_accounts
from interlock.model.shocks import SHOCK_TYPES

DEFAULTS = Params.defaults()
Q = CryptoVenuesParams.from_params(DEFAULTS)


@pytest.fixture(scope="module")
def model():
    m = crypto_model()
    yield m
    m.release()


def fresh(model, day: int = 0) -> CryptoVenues:
    model.day = day
    return CryptoVenues(model)


def test_the_venue_views_declare_every_parameter_of_their_sections():
    assert CryptoVenuesParams.undeclared(DEFAULTS) == []
    venue_fields = {f.name for f in fields(Venue)} - {"name"}
    for name in DEFAULTS.names_under("crypto_venues.venues"):
        assert set(DEFAULTS.section(f"crypto_venues.venues.{name}")) == venue_fields, name


def test_the_model_owns_one_set_of_venues_built_from_the_params(model):
    assert isinstance(model.crypto, CryptoVenues)
    assert model.crypto.names == DEFAULTS.names_under("crypto_venues.venues")
    assert model.crypto.q == Q
    assert model.crypto._issued_hist.size == Q.stablecoin_window_days


@settings(max_examples=40, deadline=None)
@given(usd=st.floats(0.001, 50.0), reserves=st.floats(0.05, 20.0), venue=st.integers(0, 5))
def test_a_hacks_trust_hit_follows_the_saturating_function_of_hack_over_reserves(model, usd, reserves, venue):
    v = fresh(model)
    v.reserves[venue] = reserves
    info = v.hack(usd, v.names[venue])
    expected = Q.hack_trust_hit_max * (1.0 - math.exp(-(usd / reserves) / Q.hack_trust_scale))
    assert v.trust_loss[venue] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert info["trust_hit"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert info["ratio"] == pytest.approx(usd / reserves)
    assert v.trust_loss[venue] <= Q.hack_trust_hit_max         # saturates at the maximum


def test_a_venue_without_reserves_left_loses_the_maximum_trust_share(model):
    v = fresh(model)
    b = v.venue_index("bybit")
    v.reserves[b] = 0.0
    assert v.hack(0.01, "bybit")["trust_hit"] == Q.hack_trust_hit_max
    assert v.trust_loss[b] == pytest.approx(Q.hack_trust_hit_max)


def test_a_bigger_hack_costs_more_trust_and_the_same_hack_costs_a_richer_venue_less(model):
    v = fresh(model)
    assert v.hack_trust_hit(2.0, 1.0) > v.hack_trust_hit(1.0, 1.0) > v.hack_trust_hit(1.0, 5.0) > 0.0


def test_a_hack_spreads_to_every_other_venue_by_the_contagion_share(model):
    v = fresh(model)
    hit = v.hack(1.5, "bybit")["trust_hit"]
    for i, name in enumerate(v.names):
        want = hit if name == "bybit" else Q.hack_contagion * hit
        assert v.trust_loss[i] == pytest.approx(want, rel=1e-12)
    assert v.market_trust() == pytest.approx(float(v.holder_weights @ (1.0 - v.trust_loss)))
    assert v.market_trust() < 1.0


def test_trust_losses_compound_multiplicatively_and_a_custody_failure_hits_every_venue(model):
    v = fresh(model)
    v.hit_trust(0, 0.5)
    assert v.custody_failure() == Q.custody_trust_hit
    assert v.trust_loss[0] == pytest.approx(1.0 - 0.5 * (1.0 - Q.custody_trust_hit))
    np.testing.assert_allclose(v.trust_loss[1:], Q.custody_trust_hit)
    assert v.custody_failure(0.0) == 0.0                     # an explicit hit overrides the default


def test_the_venue_pays_a_hack_from_its_reserves_and_borrows_beyond_them(model):
    v = fresh(model)
    b = v.venue_index("bybit")
    r0 = float(v.reserves[b])
    before = v.money_accounts()
    info = v.hack(r0 + 2.0, "bybit")
    assert v.reserves[b] == pytest.approx(-2.0)               # customers made whole, by borrowing
    assert info["borrowed"] == pytest.approx(2.0)
    assert v.stolen_usd == pytest.approx(r0 + 2.0)
    assert v.money_accounts() == pytest.approx(before)        # the money left by the venue's account
    other = [i for i in range(len(v.names)) if i != b]
    np.testing.assert_array_equal(v.reserves[other], [x.reserves for j, x in enumerate(v.venues) if j != b])
    assert fresh(model).hack(0.1, "bybit")["borrowed"] == 0.0


def test_the_hacked_venue_alone_is_frozen_for_the_freeze_days(model):
    v = fresh(model, day=10)
    b = v.venue_index("bybit")
    v.hack(1.0, "bybit")
    for day in range(10, 10 + Q.hack_freeze_days):
        model.day = day
        frozen = v.frozen()
        assert frozen[b] and frozen.sum() == 1, day
    model.day = 10 + Q.hack_freeze_days
    assert not v.frozen().any()


def test_a_hack_with_no_freeze_days_freezes_nothing_and_freezes_never_shorten(model):
    v = fresh(model, day=3)
    v.hack(1.0, "okx", freeze_days=0)
    assert not v.frozen().any()
    v.freeze(None, 10)
    v.freeze(None, 2)                                         # a shorter freeze does not end a longer one
    model.day = 12
    assert v.frozen().all()


def test_lost_trust_recovers_with_the_half_life(model):
    v = fresh(model)
    v.hit_trust(None, 0.4)
    half = int(Q.trust_half_life_days)
    assert half == Q.trust_half_life_days                     # a whole number of days by default
    for day in range(1, half + 1):
        model.day = day
        v.end_day()
    np.testing.assert_allclose(v.trust_loss, 0.2, rtol=1e-9)
    assert v.trust_prev == pytest.approx(v.market_trust())


def test_btc_momentum_and_drawdown_follow_the_price(model):
    v = fresh(model)
    m = model.market
    logp0 = float(m.logp[m.btc])
    try:
        m.logp[m.btc] = logp0 + math.log(0.8)                   # BTC −20% at the first close
        model.day = 1
        v.end_day()
        alpha = 2.0 / (Q.momentum_span_days + 1.0)
        assert v.momentum_btc == pytest.approx((1.0 - alpha) * math.log(0.8))
        assert v.drawdown_btc == pytest.approx(0.2)
        assert v.rotation > 0.0                                 # AI equities flat, BTC down
    finally:
        m.logp[m.btc] = logp0


def test_stablecoin_issuance_adds_to_liquidity_until_it_leaves_the_window(model):
    v = fresh(model)
    w = v.stablecoin_weight
    assert w == DEFAULTS["retail_crypto.stablecoin_liquidity_weight"]
    model.day = 1
    fed = model.fed.liquidity
    v.stablecoin_issued_tn += 0.5                               # $500bn issued on day 1
    assert v.liquidity == pytest.approx(fed + w * 0.5)
    window = Q.stablecoin_window_days
    for day in range(1, window + 2):
        model.day = day
        if day == window // 2:
            assert v.liquidity == pytest.approx(fed + w * 0.5)
        v.end_day()
    model.day = window + 2
    assert v.liquidity == pytest.approx(fed)


def test_an_unknown_venue_is_refused_by_name(model):
    with pytest.raises(KeyError, match="unknown venue 'mtgox'"):
        fresh(model).hack(1.0, "mtgox")


def test_the_hack_and_custody_shocks_act_on_the_models_venues():
    model = crypto_model(shocks=[SHOCK_TYPES["exchange_hack"](at=2, usd_bn=1.0, venue="bybit"),
                                 SHOCK_TYPES["custody_failure"](at=3)])
    try:
        model.step()
        assert not model.crypto.trust_loss.any()
        model.step()
        b = model.crypto.venue_index("bybit")
        assert model.crypto.stolen_usd == 1.0 and model.crypto.frozen()[b]
        model.step()
        assert (model.crypto.trust_loss >= Q.custody_trust_hit * model.crypto.trust_decay).all()
        kinds = model.events.frame()["target"].tolist()
        assert "exchange_hack" in kinds and "custody_failure" in kinds
        assert "crypto venue reserves + stolen" in money_accounts(model)     # declared, gathered
    finally:
        model.release()
