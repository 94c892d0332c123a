"""The 10-year yield (issue #13): expected average short rate over ten years + term premium. The
term premium moves with projected deficits (Laubach 2009: 25bp per pp of GDP), with the duration
the Fed's holdings lose (2.75bp per $100bn; reserve-management bills add none), with policy
uncertainty, with term-premium shocks, and over-reacts temporarily to news about the near path
(Hanson, Lucca & Wright 2021). The bond prices the fair yield's change in full on the day."""

from __future__ import annotations

import pytest
from policy_stub import policy_model
from stub_model import StubModel

from interlock.agents.fed import path_weight


_model = policy_model


def _step(model: StubModel, days: int = 1) -> None:
    for _ in range(days):
        model.day += 1
        model.fed.step()
        model.valuation.update()


def test_the_ten_year_is_the_expected_path_plus_the_term_premium_anchored_at_the_market():
    model = _model()
    v, fed = model.valuation, model.fed
    assert v.y_fair == pytest.approx(model.market.y0)
    assert v.y_fair == pytest.approx(fed.path_average(10.0) + v.term_premium() + v.offset)
    assert v.term_premium() == pytest.approx(0.0077)          # ACM, Dec 2025 (E1)
    # the offset is what the rule's path and the ACM premium leave unexplained, small
    assert abs(v.offset) < 0.005


def test_the_ten_year_moves_with_the_expected_path():
    model = _model()
    v, fed = model.valuation, model.fed
    y0, path0 = v.y_fair, fed.path_average(10.0)
    fed.add_path_guidance(-0.01)                              # the path 100bp lower, fading
    _step(model)
    # mostly the stance's own weight in a 10-year average; the rest is the rule's reaction to it
    assert fed.path_average(10.0) - path0 == pytest.approx(-0.01 * path_weight(10.0, fed.tau_st), rel=0.3)
    over = v.q.term_premium_overreaction * v.path_news
    assert over < 0
    assert v.y_fair - y0 == pytest.approx(fed.path_average(10.0) - path0 + over, abs=2e-6)   # + a day of QT
    assert -0.0030 < v.y_fair - y0 < -0.0005                  # 5–30bp for a 100bp path shift
    # the over-reaction fades with its half-life while the path stays
    p1 = v.path1
    hl = int(v.q.overreaction_half_life_days)
    over0 = v.overreaction
    for _ in range(hl):
        model.valuation.update()      # the Fed and the day held still: no news, only decay (a day that
                                      # passed without the path's expected roll would be news)
    assert v.path1 == pytest.approx(p1)
    assert v.overreaction == pytest.approx(0.5 * over0, rel=0.02)


def test_a_deficit_of_one_percent_of_gdp_lifts_the_term_premium_25bp():
    model = _model()
    tp0 = model.valuation.term_premium()
    model.macro.deficit += 0.01
    assert model.valuation.term_premium() - tp0 == pytest.approx(0.0025)      # Laubach (2009), E4


def test_runoff_lifts_the_term_premium_and_bills_do_not():
    model = _model()
    v, fed = model.valuation, model.fed
    tp0 = v.term_premium()
    fed.set_pace(-100.0 * fed.days_per_month, duration_share=0.0)      # $100bn of runoff a day
    q = v.q                                                             # the announcement prices its next months
    assert v.term_premium() - tp0 == pytest.approx(
        q.term_premium_per_holdings * q.balance_sheet_horizon_months * 100.0 * fed.days_per_month, rel=1e-9)
    tp_a = v.term_premium()
    _step(model)
    assert v.term_premium() - tp_a == pytest.approx(0.000275, rel=1e-3)  # each day's runoff: 2.75bp per $100bn (E5)
    fed.set_pace(100.0 * fed.days_per_month, duration_share=0.0)       # $100bn of bills
    tp1 = v.term_premium()
    _step(model)
    assert v.term_premium() == pytest.approx(tp1, abs=1e-6)          # < 0.01bp: bills add no duration


def test_a_term_premium_shock_and_policy_uncertainty_move_the_ten_year():
    model = _model()
    v = model.valuation
    y0 = v.y_fair
    v.term_premium_shock += 0.003
    _step(model)
    assert v.y_fair - y0 == pytest.approx(0.003, abs=1e-4)
    tp0 = v.term_premium()
    model.macro.add_uncertainty(10.0)
    assert v.term_premium() - tp0 == pytest.approx(0.0005)     # 0.5bp per vol point (A23)


def test_the_bond_prices_the_fair_yields_change_in_full_on_the_day():
    model = _model()
    m, v = model.market, model.valuation
    v.term_premium_shock += 0.001
    _step(model)
    assert m.news[m.ust10] == pytest.approx(-m.bond_duration * (v.y_fair - v.y_fair0))
    assert v.y_fair - v.y_fair0 == pytest.approx(0.001, abs=5e-5)


def test_the_path_window_average_is_the_path_average_today_and_rolls_down_a_known_path():
    model = _model()
    fed = model.fed
    c = fed.path_coefficients()
    for years in (1.0, 10.0):
        assert fed.path_window_average(c, years, 0.0) == pytest.approx(fed.path_average(years), abs=1e-15)
    # the baseline's day-0 path expects cuts toward the longer-run rate: the next year's window is lower
    assert fed.path_window_average(c, 1.0, 1.0) < fed.path_window_average(c, 1.0, 0.0)
    assert fed.path_window_average(c, 1.0, 50.0) == pytest.approx(fed.long_run, abs=1e-6)


def test_the_risk_premium_reads_path_news_not_the_roll_down_a_known_path():
    """A year of the baseline with the rule's target following day 0's expected path exactly (the Fed
    and the rule held at day 0's state; only the days pass): the 1-year path rolls down by tens of bp
    as the window moves into the expected cuts, yet there is no news and the ERP does not move."""
    model = _model()
    v, fed = model.valuation, model.fed
    c0, _ = fed.path_coefficients()
    ahead = 0.0
    for d in range(1, 253):
        model.day = d
        if d >= fed.next_meeting:                       # the market's reference moves to the next meeting
            fed.next_meeting = fed._following_meeting()
        ahead = (fed.next_meeting - v._path0[1]) / v.ann
        # the Fed's state as day 0's path expected it at this window: a path that rolls as expected
        fed.path_average = lambda years, a=ahead: fed.path_window_average(v._path0, years, a)
        v.update()
    assert v.path1 < v.path1_0 - 0.002                  # the window rolled down more than 20bp
    assert abs(v.path_news) < 1e-12 and abs(v.erp_change()) < 1e-12
