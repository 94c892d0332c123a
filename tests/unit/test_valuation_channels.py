"""The equity valuation channel and the cross-asset risk-appetite factor (issue #13): policy news is
priced in full on the day through the core's news path (no trade needed); a tariff cuts earnings
(direct margins + the growth outlook), raises policy uncertainty — implied vol (the market news
factor's variance, the core's seam) and the risk premium together — and a reversal relieves it;
the AI complex loads more on risk appetite, BTC loads on it with its risk-off beta, and liquidity
lifts BTC more than equities. The macro anchors of a tariff: core inflation +0.5…1.2pp within a
year and growth −0.4…−0.6pp per +10pp (targets set from Yale Budget Lab / Fed staff, A17–A21)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError
from policy_stub import policy_model
from stub_model import StubModel

from interlock.errors import InputError
from interlock.model.macro import Macro
from interlock.model.shocks.policy import FiscalCut, MacroSurprise, PolicyUncertainty, Tariff


_model = policy_model


def _day(model: StubModel) -> np.ndarray:
    """One day of the policy stages; returns the news the valuation priced today (log)."""
    m = model.market
    m.news[:] = 0.0
    m._news_in_value[:] = 0.0
    model.day += 1
    model.fed.step()
    model.macro.step()
    model.valuation.update()
    return m.news - m._news_in_value             # the news path's part (the rest is fundamental values)


def test_a_ten_point_tariff_cuts_earnings_and_lifts_uncertainty_implied_vol_and_the_risk_premium():
    model = _model()
    m, v, mac = model.market, model.valuation, model.macro
    Tariff(at=1, rate=0.10).apply(model)
    news = _day(model)
    q, qm = v.q, mac.q
    eps = -(q.eps_per_tariff + q.eps_per_growth * qm.tariff_growth_drag) * 0.10
    assert v.eps_news() == pytest.approx(eps)
    assert -0.04 <= eps <= -0.01                                   # A14: EPS −2…−4% per +10pp (targets §1)
    U = qm.uncertainty_max * (1 - math.exp(-qm.uncertainty_per_tariff * 0.10 / qm.uncertainty_max))
    assert mac.uncertainty == pytest.approx(U * mac.u_decay)       # the shock, one day of decay
    assert 5.0 < U < 8.0                                           # A11: 0.74 vol points per pp
    f = m.news_params.names.index("market")
    vol_base = 100 * model.vol.vol_1m                              # yesterday's VOL_1M, no uncertainty yet
    assert m.news_process.uncertainty[f] == pytest.approx(1 + mac.uncertainty / vol_base)
    assert v.erp_change() > q.erp_per_uncertainty * U * 0.5        # the premium rises with it
    rest = m.idx["REST"]
    assert news[rest] == pytest.approx(eps - q.erp_duration * v.erp_change() * v.beta[rest], abs=1e-4)
    assert -0.09 < news[rest] < -0.02                              # targets §1: −2 … −9% on the day
    assert news[m.btc] < 0                                         # risk appetite: BTC falls too


def test_a_reversal_restores_earnings_and_relieves_uncertainty():
    model = _model()
    v, mac = model.valuation, model.macro
    Tariff(at=1, rate=0.10).apply(model)
    _day(model)
    for _ in range(4):
        _day(model)
    u_before = mac.uncertainty
    Tariff(at=6, rate=-0.10).apply(model)
    news = _day(model)
    assert v.eps_news() == pytest.approx(0.0, abs=1e-12)          # the level is back
    relief = min(u_before, mac.q.uncertainty_relief_per_tariff * 0.10)
    assert mac.uncertainty == pytest.approx((u_before - relief) * mac.u_decay)
    rest = model.market.idx["REST"]
    assert 0.015 < news[rest] < 0.10                              # targets §2: +1.5 … +10%


def test_a_tariff_below_zero_is_refused_when_the_scenario_loads_and_when_it_applies():
    with pytest.raises(ValidationError, match="below zero"):
        Tariff(at=1, rate=-0.2)                                    # the rate is 16.8% at the start
    model = _model()
    Tariff(at=1, rate=-0.1).apply(model)
    with pytest.raises(InputError, match="below zero"):
        Tariff(at=2, rate=-0.1).apply(model)                       # 6.8% left: −10pp is refused
    with pytest.raises(ValidationError):
        Tariff(at=1, rate=0.0)


def test_policy_uncertainty_is_signed_and_never_negative():
    model = _model()
    PolicyUncertainty(at=1, vol_points=10.0).apply(model)
    assert model.macro.uncertainty == 10.0
    PolicyUncertainty(at=2, vol_points=-25.0).apply(model)        # a pause: relief, floored at zero
    assert model.macro.uncertainty == 0.0


def test_the_ai_complex_loads_more_on_risk_appetite_than_the_rest():
    model = _model()
    m, v = model.market, model.valuation
    PolicyUncertainty(at=1, vol_points=10.0).apply(model)
    news = _day(model)
    assert news[m.idx["NVDA"]] < news[m.idx["REST"]] < 0
    assert news[m.idx["NVDA"]] / news[m.idx["REST"]] == pytest.approx(v.beta[m.idx["NVDA"]] / v.beta[m.idx["REST"]])
    assert news[m.btc] == pytest.approx(v.btc_risk_beta * -v.q.erp_duration * v.erp_change(), abs=2e-4)


def test_liquidity_lifts_btc_more_than_equities():
    model = _model()
    m, v, fed = model.market, model.valuation, model.fed
    fed.set_pace(300.0, duration_share=0.0)
    total = np.zeros(m.n)
    for _ in range(21):
        total += _day(model)
    liq = fed.liquidity
    assert liq == pytest.approx(0.3, rel=0.05)
    assert v.policy_logv[m.btc] == pytest.approx(v.q.liquidity_beta_btc * liq + v.btc_risk_beta
                                                  * -v.q.erp_duration * v.erp_change(), rel=1e-6)
    assert v.policy_logv[m.btc] > v.policy_logv[m.idx["REST"]] > 0


def test_a_fiscal_stimulus_is_a_negative_cut_lifting_growth_earnings_and_the_term_premium():
    model = _model()
    v, mac = model.valuation, model.macro
    tp0 = v.term_premium()
    FiscalCut(at=1, share=-0.01).apply(model)
    assert mac.growth_outlook() - mac.potential == pytest.approx(mac.fiscal_multiplier * 0.01)
    assert v.eps_news() == pytest.approx(v.q.eps_per_growth * mac.fiscal_multiplier * 0.01)
    assert v.term_premium() - tp0 == pytest.approx(0.0025)
    with pytest.raises(ValidationError):
        FiscalCut(at=1, share=0.0)


def test_an_unemployment_surprise_is_bad_news_for_earnings_and_lowers_the_rule():
    model = _model()
    v, fed = model.valuation, model.fed
    i0 = fed.rule_rate()
    MacroSurprise(at=1, unemployment=0.002).apply(model)           # +0.2pp (2 Aug 2024: S&P −1.8%)
    assert model.macro.unemployment == pytest.approx(0.046)
    assert v.eps_news() == pytest.approx(-v.q.eps_per_growth * 0.004)
    assert fed.rule_rate() - i0 == pytest.approx(-0.004)


def test_a_tariff_lifts_core_inflation_within_a_year_and_cuts_growth():
    # targets §1: +0.5…+1.2pp core PCE within 12 months per +10pp (A17–A19); growth −0.4…−0.6pp (A21)
    p = StubModel().params
    base, hit = Macro(p), Macro(p)
    hit.change_tariff(0.10)
    assert base.growth_anchor() - hit.growth_anchor() == pytest.approx(0.0045)
    gap = []
    for _ in range(252):
        base.step()
        hit.step()
        gap.append(hit.inflation - base.inflation)
    assert 0.005 <= max(gap) <= 0.012
    assert gap[-1] == pytest.approx(max(gap), abs=0.001)          # a level effect: y/y peaks after a year
    assert hit.inflation - hit.underlying == pytest.approx(hit.tariff_inflation)


def test_a_growth_scare_sells_btc_with_equities():
    """btc_risk_beta's source (G3–G5) is BTC's move per unit of the S&P's whole move on macro days:
    BTC loads on the index's earnings news as well as its risk appetite, so a jump in unemployment (2
    Aug 2024: S&P −1.8%, BTC −5…−6%) is bad news for BTC too, though the expected path falls."""
    model = _model()
    m, v = model.market, model.valuation
    MacroSurprise(at=1, unemployment=0.002).apply(model)
    news = _day(model)
    risk = -v.q.erp_duration * v.erp_change()
    assert risk > 0                                                  # the dovish path alone lifts risk appetite
    assert news[m.btc] == pytest.approx(v.btc_risk_beta * (v.eps_news() + risk), abs=2e-4)   # all of it data news
    assert news[m.btc] < 0 and news[m.idx["REST"]] < 0
