"""The Fed (MODEL.md §3.7): a Taylor rule with inertia decided at FOMC meetings in 25 bp steps (at
most two), market cut odds that speeches move and guidance pins, and a balance sheet whose pace moves
reserves and the liquidity signal."""

from __future__ import annotations

import numpy as np
import pytest
from stub_model import StubModel

from interlock.agents.fed import Fed


def _fed(overrides: dict | None = None, active: bool = True, **macro) -> tuple[StubModel, Fed]:
    model = StubModel({"fed.speech_noise": 0.0, **(overrides or {})})
    for k, v in macro.items():
        setattr(model.macro, k, v)
    return model, Fed(model, model.params, np.random.default_rng(0), active=active)


def _run_to(model: StubModel, fed: Fed, day: int) -> None:
    while model.day < day:
        model.day += 1
        fed.step()


def test_the_taylor_target_rises_with_inflation_and_with_the_output_gap():
    _, fed = _fed(inflation=0.02, output_gap=0.0)
    q = fed.q
    base = fed.taylor_rate()
    assert base == pytest.approx(q.neutral_real_rate + 0.02 + q.taylor_inflation * (0.02 - q.inflation_target))
    fed.model.macro.inflation = 0.03
    assert fed.taylor_rate() - base == pytest.approx((1 + q.taylor_inflation) * 0.01)
    fed.model.macro.inflation, fed.model.macro.output_gap = 0.02, 0.02
    assert fed.taylor_rate() - base == pytest.approx(q.taylor_gap * 0.02)


def test_inertia_moves_the_target_only_part_of_the_way_to_the_taylor_rate():
    _, fed = _fed(inflation=0.05)
    rho = fed.q.inertia
    assert fed.target_rate() == pytest.approx(rho * fed.policy_rate + (1 - rho) * fed.taylor_rate())
    _, still = _fed({"fed.inertia": 1.0}, inflation=0.05)
    assert still.target_rate() == pytest.approx(still.policy_rate)


def test_the_rate_moves_only_at_meetings_in_whole_steps():
    model, fed = _fed({"fed.inertia": 0.9}, inflation=0.035)
    first = fed.q.first_meeting_day
    rate0 = fed.policy_rate
    _run_to(model, fed, first - 1)
    assert fed.policy_rate == rate0                        # between meetings the rate stays
    target = fed.target_rate()
    _run_to(model, fed, first)
    steps = (fed.policy_rate - rate0) / fed.q.step
    assert steps == pytest.approx(round(steps))
    assert round(steps) == round((target - rate0) / fed.q.step) != 0
    assert fed.next_meeting == first + fed.q.meeting_interval_days
    assert [e[4] for e in model.events] == ["FOMC"]


def test_a_meeting_moves_at_most_two_steps():
    model, fed = _fed({"fed.inertia": 0.0}, inflation=0.15)      # target far above the rate
    rate0 = fed.policy_rate
    _run_to(model, fed, fed.q.first_meeting_day)
    assert fed.q.max_steps_per_meeting == 2
    assert fed.policy_rate - rate0 == pytest.approx(2 * fed.q.step)
    model, fed = _fed({"fed.inertia": 0.0}, inflation=-0.10)
    _run_to(model, fed, fed.q.first_meeting_day)
    assert fed.policy_rate - rate0 == pytest.approx(-2 * fed.q.step)


def test_the_rate_never_goes_below_the_effective_lower_bound():
    _, fed = _fed()
    fed.set_rate(-0.01, reason="test")
    assert fed.policy_rate == fed.q.effective_lower_bound == 0.0


def test_the_implied_cut_odds_are_even_when_the_target_is_half_a_step_below_the_rate():
    _, fed = _fed({"fed.inertia": 0.0})
    fed.political_pressure = fed.taylor_rate() - (fed.policy_rate - 0.5 * fed.q.step)
    assert fed.implied_cut_prob() == pytest.approx(0.5)
    fed.political_pressure += 0.5 * fed.q.step                # target a full step below
    assert fed.implied_cut_prob() == pytest.approx(1 / (1 + np.exp(-0.5 * fed.q.cut_prob_slope)))


def test_guidance_pins_the_cut_odds_on_its_days():
    model, fed = _fed({"fed.speech_noise": 1.0})
    fed.guidance = {3: 0.8, 6: 0.3}
    seen = {}
    for day in range(1, 8):
        model.day = day
        fed.step()
        seen[day] = fed.cut_prob
    assert seen[3] == 0.8 and seen[6] == 0.3
    assert seen[4] != 0.8                                     # between pins the odds drift again


def test_the_balance_sheet_pace_moves_reserves_and_the_liquidity_signal():
    model, fed = _fed({"fed.balance_sheet_pace": -300.0})
    r0 = fed.reserves
    month = fed.days_per_month
    _run_to(model, fed, month)
    assert fed.reserves == pytest.approx(r0 - 300.0)
    assert fed.liquidity == pytest.approx(-0.3)               # USD trillions, since the window start
    _run_to(model, fed, 100)                                   # past the window: a 3-month change
    window = fed.q.liquidity_window_days - 1
    assert fed.liquidity == pytest.approx(-300.0 / month * window / 1000.0)


def test_a_fed_switched_off_keeps_rate_and_odds_but_draws_the_same_random_numbers():
    model, off = _fed({"fed.speech_noise": 1.0}, active=False, inflation=0.15)
    rate0, odds0 = off.policy_rate, off.cut_prob
    _run_to(model, off, 40)
    assert (off.policy_rate, off.cut_prob) == (rate0, odds0)
    model, on = _fed({"fed.speech_noise": 1.0}, inflation=0.15)
    _run_to(model, on, 40)
    assert on.policy_rate != rate0
    assert off.stream_rng.bit_generator.state == on.stream_rng.bit_generator.state


def test_the_fed_put_lifts_cut_odds_in_a_crash():
    model, fed = _fed({"fed.put_enabled": True, "fed.cut_prob": 0.1})
    model.drawdown = fed.q.put_drawdown + 0.05
    model.vol.add_hedging_demand(1.0)                         # VOL_1M far above put_vol
    model.day = 1
    fed.step()
    assert fed.cut_prob >= fed.q.put_cut_prob
