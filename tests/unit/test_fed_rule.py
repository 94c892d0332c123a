"""The Fed's rule and the market's reading of it (issue #13): the balanced-approach target reacts to
inflation and to the (year-ahead) output gap in the right direction and by the rule's coefficients,
looks through part of the tariff inflation, reads equity drawdowns through the growth outlook; the
market's cut odds are the Fed's own decision probabilities; guidance persists until the meeting and
path guidance fades with the documented half-life. Bands and sources: docs/validation.md, "Policy
transmission"."""

from __future__ import annotations

import math

import numpy as np
import pytest
from stub_model import StubModel

from interlock.agents.fed import Fed, path_weight


def _fed(overrides: dict | None = None, **macro) -> tuple[StubModel, Fed]:
    # the rule's mechanics: the rule alone decides from day 0 ("market" adopts the priced stance)
    model = StubModel({"fed.speech_noise": 0.0, "fed.start_stance": "rule", **(overrides or {})})
    for k, v in macro.items():
        setattr(model.macro, k, v)
    return model, Fed(model, model.params, np.random.default_rng(0))


def test_the_target_rises_one_and_a_half_for_one_with_inflation_and_one_for_one_with_the_gap():
    _, fed = _fed()
    q, mac = fed.q, fed.model.macro
    base = fed.rule_rate()
    mac.inflation += 0.01
    assert fed.rule_rate() - base == pytest.approx((1 + q.taylor_inflation) * 0.01)       # 1.5 (C2)
    mac.inflation -= 0.01
    mac.output_gap -= 0.01                                  # unemployment +0.5pp (Okun 2)
    assert fed.rule_rate() - base == pytest.approx(-q.taylor_gap * 0.01)                 # −1.0 (C2)


def test_the_rule_looks_through_half_of_the_tariff_part_of_inflation():
    _, fed = _fed()
    mac = fed.model.macro
    base = fed.rule_rate()
    mac.tariff_price += 0.01                                 # a tariff lifts the core price level 1%
    mac.inflation += 0.01
    assert mac.tariff_inflation == pytest.approx(0.005 + 0.01)
    assert fed.rule_rate() - base == pytest.approx(1.5 * 0.01 * (1 - fed.q.tariff_look_through))


def test_the_growth_outlook_moves_the_target_and_reads_equity_drawdowns():
    _, fed = _fed()
    q, mac = fed.q, fed.model.macro
    base = fed.rule_rate()
    mac.growth_news = -0.01                                  # outlook 1pp lower
    assert fed.rule_rate() - base == pytest.approx(-q.taylor_gap * q.growth_outlook_years * 0.01)
    mac.growth_news = 0.0
    fed.drawdown = 0.2                                      # the 'Fed put' (Cieslak & Vissing-Jorgensen)
    assert fed.rule_rate() - base == pytest.approx(-q.taylor_gap * q.growth_outlook_years * mac.wealth_effect * 0.2)
    assert -0.01 < fed.rule_rate() - base < -0.005          # 20% drawdown: 0.5–1pp lower


def test_at_the_start_the_rule_prices_a_december_cut_as_the_market_did():
    # CME FedWatch, 21 Nov 2025: 70.9% (B7, C10). The rule alone (no misreading) is a check, not a fit.
    model, fed = _fed()
    assert fed.cut_prob == pytest.approx(0.709, abs=1e-9)
    fed.misreading = 0.0
    fed._refresh()
    print("rule's own December cut odds at the start:", round(fed.cut_prob, 3), "i* =", round(fed.i_star, 4))
    assert abs(fed.cut_prob - 0.709) < 0.05
    assert 0.032 < fed.i_star < 0.036                       # C15: the balanced-approach rule gives 3.4–3.8%


def test_the_market_odds_are_the_feds_own_decision_probabilities():
    # Monte Carlo of the meeting (judgment draws) against the closed-form odds the market prices
    model, fed = _fed({"fed.data_news_sd": 0.0})
    model.day = fed.next_meeting - 1
    fed.misreading = 0.0                                    # the market reads the Fed right
    fed._refresh()
    probs = fed._step_probs(fed._mu_rule(), fed._sigma())
    K = fed.q.max_steps_per_meeting
    rng = np.random.default_rng(5)
    rho, i_star, s = fed.q.inertia, fed.target_rate(), fed.shadow
    draws = rho * s + (1 - rho) * i_star + fed.q.judgment_sd * rng.standard_normal(200_000)
    steps = np.array([fed._decide((x - fed.policy_rate) / fed.q.step) for x in draws[:20_000]])
    freq = np.array([(steps == k).mean() for k in range(-K, K + 1)])
    assert freq == pytest.approx(probs, abs=0.01)
    assert fed.cut_prob == pytest.approx(probs[:K].sum())
    rates = np.maximum(0.0, fed.policy_rate + np.arange(-K, K + 1) * fed.q.step)
    assert fed.expected_next == pytest.approx(probs @ rates)


def test_guidance_pins_the_odds_through_the_stance_and_the_fed_follows_through():
    model, fed = _fed({"fed.judgment_sd": 1e-4, "fed.data_news_sd": 0.0})
    fed.misreading = 0.0                                    # the market reads the Fed right
    model.day = 1
    fed.step()
    fed.pins = {2: 0.95}
    model.day = 2
    fed.step()
    assert fed.cut_prob == pytest.approx(0.95)
    assert fed.stance != 0.0                                 # the pin moved the stance
    seen = []
    first = fed.next_meeting
    while model.day < first - 1:
        model.day += 1
        fed.step()
        seen.append(fed.cut_prob)
    assert min(seen) > 0.9                                   # it fades slowly (half-life 126 days)
    model.day += 1
    fed.step()                                              # the meeting: the Fed follows through
    assert fed.policy_rate == pytest.approx(fed.q.policy_rate - fed.q.step)


def test_a_hawkish_pin_holds_the_rate():
    model, fed = _fed({"fed.judgment_sd": 1e-4, "fed.data_news_sd": 0.0})
    fed.misreading = 0.0
    fed.pin_odds(0.02)
    assert fed.cut_prob == pytest.approx(0.02)
    first = fed.next_meeting
    while model.day < first:
        model.day += 1
        fed.step()
    assert fed.policy_rate == fed.q.policy_rate


def test_path_guidance_fades_with_the_stance_half_life():
    model, fed = _fed()
    fed.add_path_guidance(-0.0025)                          # 25bp lower path beyond the meeting
    assert fed.stance == pytest.approx(0.0025)
    hl = fed.q.stance_half_life_days
    while model.day < hl:
        model.day += 1
        fed.step()
    assert fed.stance == pytest.approx(0.00125)


def test_a_surprise_cut_moves_the_rate_the_shadow_rate_and_the_expected_path():
    _, fed = _fed()
    rate0, shadow0, p1_0 = fed.policy_rate, fed.shadow, fed.path_average(1.0)
    fed.surprise_move(-0.0025, reason="test")
    assert fed.policy_rate == pytest.approx(rate0 - 0.0025)
    assert fed.shadow == pytest.approx(shadow0 - 0.0025)
    # the market reads a persistent easing: the 1-year path falls by 25bp × the target shift's
    # weight over a year, τ_p = 1.5 years ⇒ 0.73 (Kuttner 2001: the 1-year yield moves 0.72 for 1)
    expect = -0.0025 * path_weight(1.0, fed.tau_p)
    assert fed.path_average(1.0) - p1_0 == pytest.approx(expect, abs=0.0002)
    assert 0.65 < (fed.path_average(1.0) - p1_0) / -0.0025 < 0.80


def test_a_surprise_moves_target_shift_fades_with_the_target_convergence_not_the_guidance_half_life():
    model, fed = _fed()
    fed.surprise_move(-0.0025, reason="test")
    fed.add_path_guidance(-0.0025)
    assert fed.action == pytest.approx(0.0025) and fed.guidance == pytest.approx(0.0025)
    hl = fed.q.stance_half_life_days
    while model.day < hl:
        model.day += 1
        fed.step()
    assert fed.guidance == pytest.approx(0.00125)                               # guidance: Swanson 2021
    assert fed.action == pytest.approx(0.0025 * math.exp(-hl / (fed.tau_p * fed.ann)))   # τ_p
    assert fed.stance == pytest.approx(fed.guidance + fed.action)


def test_path_weights_are_the_mean_of_an_exponential_decay():
    assert path_weight(10.0, 1.5) == pytest.approx(1.5 / 10 * (1 - math.exp(-10 / 1.5)))
    assert path_weight(0.0, 1.0) == 1.0 and path_weight(1.0, 0.0) == 0.0


def test_odds_widen_with_the_data_still_to_come():
    model, fed = _fed()
    far = fed._sigma()
    model.day = fed.next_meeting
    assert fed._sigma() == pytest.approx(fed.q.judgment_sd)
    assert far > fed._sigma()
