"""The Fed's mechanics (MODEL.md §3.7; issue #13): decisions only at meetings in whole 25bp steps
(at most two, 50bp only for a 50bp gap), a shadow rate that is never reset so small gaps add up, the
lower bound, the balance-sheet schedule as of the start date (QT ends 1 Dec 2025, reserve-management
bill purchases from 12 Dec at $40bn a month, reduced from mid-April 2026), a Fed switched off, the
optional put. The rule's direction and size: test_fed_rule.py."""

from __future__ import annotations

import numpy as np
import pytest
from stub_model import StubModel

from interlock.agents.fed import Fed, trading_day_of
from interlock.errors import InputError


def _fed(overrides: dict | None = None, active: bool = True, seed: int = 0, **macro) -> tuple[StubModel, Fed]:
    # the rule's mechanics: the rule alone decides from day 0 ("market" adopts the priced stance)
    model = StubModel({"fed.speech_noise": 0.0, "fed.start_stance": "rule", **(overrides or {})})
    for k, v in macro.items():
        setattr(model.macro, k, v)
    return model, Fed(model, model.params, np.random.default_rng(seed), active=active)


def _run_to(model: StubModel, fed: Fed, day: int) -> None:
    while model.day < day:
        model.day += 1
        fed.step()


def test_the_rate_moves_only_at_meetings_in_whole_steps():
    model, fed = _fed({"fed.judgment_sd": 1e-4, "fed.last_move_direction": 0}, inflation=0.035)
    first = fed.next_meeting
    assert first == 13                                     # 10 Dec 2025: the 13th weekday after 21 Nov
    rate0 = fed.policy_rate
    _run_to(model, fed, first - 1)
    assert fed.policy_rate == rate0                        # between meetings the rate stays
    _run_to(model, fed, first)
    steps = (fed.policy_rate - rate0) / fed.q.step
    assert steps == pytest.approx(round(steps)) and round(steps) != 0
    assert fed.next_meeting == 48                          # 28 Jan 2026, the FOMC's next decision day
    assert [e[4] for e in model.events] == ["FOMC"]


def _meetings(fed: Fed, count: int) -> list[int]:
    out = [fed.next_meeting]
    while len(out) < count:
        out.append(fed._following_meeting())
    return out


@pytest.mark.parametrize("start,first,date", [
    ("2018-01-26", 3, "2018-01-31"),     # episode_feb2018: the FOMC held on 31 Jan 2018
    ("2025-01-24", 3, "2025-01-29"),     # the DeepSeek replay: 29 Jan 2025 (before: day 13, 12 Feb)
    ("2025-10-09", 14, "2025-10-29"),    # the 10 Oct 2025 replay: 29 Oct 2025 (before: day 13, 28 Oct)
    ("2025-11-21", 13, "2025-12-10"),    # the baseline: 10 Dec 2025
])
def test_the_fed_meets_on_the_fomc_calendar_from_any_start_date(start, first, date):
    _, fed = _fed({"run.start_date": start})
    assert fed.next_meeting == first == trading_day_of(start, date)


def test_the_meetings_follow_the_calendar_then_every_interval_after_its_last_date():
    _, fed = _fed({"run.start_date": "2027-11-26"})
    days = _meetings(fed, 4)
    assert days[:2] == [trading_day_of("2027-11-26", "2027-12-08"), trading_day_of("2027-11-26", "2028-01-26")]
    assert np.diff(days[1:]).tolist() == [fed.q.meeting_interval_days] * 2


def test_the_interval_schedule_meets_every_n_days_from_the_first_meeting_day():
    _, fed = _fed({"fed.meeting_schedule": "interval", "fed.first_meeting_day": 7, "fed.meeting_interval_days": 30})
    assert _meetings(fed, 3) == [7, 37, 67]
    _, fed = _fed()
    assert _meetings(fed, 3) == [13, 48, 83]              # the calendar: 10 Dec, 28 Jan, 18 Mar


def test_a_start_before_the_calendar_is_refused_naming_the_setting():
    with pytest.raises(InputError, match="meeting_schedule"):
        _fed({"run.start_date": "2012-06-01"})
    _, fed = _fed({"run.start_date": "2012-06-01", "fed.meeting_schedule": "interval"})
    assert fed.next_meeting == fed.q.first_meeting_day


def test_a_move_against_the_last_one_needs_a_whole_step_and_the_odds_know_it():
    """No reversal at the next meeting on a half-step gap (fed.toml, reversal_threshold_steps): after a
    cut a hike needs the shadow rate a whole step above the rate, a further cut only half a step; after
    a hike the other way round; the market's cut/hike odds use the same edges."""
    from scipy.special import ndtr

    _, fed = _fed({"fed.last_move_direction": -1})
    assert fed.q.reversal_threshold_steps == 1.0
    assert [fed._decide(x) for x in (0.6, 0.99, 1.0, -0.51, -0.49)] == [0, 0, 1, -1, 0]
    fed.set_rate(fed.policy_rate + fed.q.step, reason="test")           # a hike: now a cut is the reversal
    assert fed.last_direction == 1
    assert [fed._decide(x) for x in (-0.6, -1.0, 0.51, 2.0)] == [0, -1, 1, 2]
    mu, sd, i, st = fed.policy_rate + 0.3 * fed.q.step, 0.7 * fed.q.step, fed.policy_rate, fed.q.step
    p = fed._step_probs(mu, sd)
    assert p.sum() == pytest.approx(1.0)
    assert p[:2].sum() == pytest.approx(ndtr((i - 1.0 * st - mu) / sd))      # a cut: past a whole step
    assert p[3:].sum() == pytest.approx(1.0 - ndtr((i + 0.5 * st - mu) / sd))  # a hike: past half a step
    _, plain = _fed({"fed.reversal_threshold_steps": 0.5})
    assert [plain._decide(x) for x in (0.51, -0.51)] == [1, -1]               # 0.5: rounding alone


def test_a_meeting_moves_at_most_two_steps_and_fifty_only_for_a_fifty_point_gap():
    _, fed = _fed({"fed.last_move_direction": 0})           # no last move: the same edges both ways
    assert fed.q.max_steps_per_meeting == 2
    assert [fed._decide(x) for x in (0.49, 0.51, 1.6, 1.99, 2.0, 9.0)] == [0, 1, 1, 1, 2, 2]
    assert [fed._decide(-x) for x in (0.49, 0.51, 1.6, 2.0, 9.0)] == [0, -1, -1, -2, -2]
    model, fed = _fed({"fed.inertia": 0.0}, inflation=0.15)      # target far above the rate
    rate0 = fed.policy_rate
    _run_to(model, fed, fed.next_meeting)
    assert fed.policy_rate - rate0 == pytest.approx(2 * fed.q.step)


def test_the_shadow_rate_is_not_reset_so_a_gap_below_half_a_step_still_leads_to_a_cut():
    # the bug: inertia 0.8 with rounding needed a rule gap above 62.5bp to ever move
    model, fed = _fed({"fed.judgment_sd": 1e-4, "fed.inertia": 0.8})
    fed.political_pressure = fed.target_rate() - (fed.policy_rate - 0.002)   # i* 20bp below the rate
    fed._refresh()
    rate0 = fed.policy_rate
    moves = []
    for k in range(6):
        _run_to(model, fed, fed.next_meeting)
        moves.append(round((fed.policy_rate - rate0) / fed.q.step))
    assert moves[0] == 0                    # 0.2 × 20bp = 4bp: not yet
    assert moves[-1] == -1                  # the gap built up in the shadow rate: one cut
    assert fed.shadow == pytest.approx(fed.target_rate(), abs=0.001)


def test_the_rate_never_goes_below_the_effective_lower_bound():
    _, fed = _fed()
    fed.set_rate(-0.01, reason="test")
    assert fed.policy_rate == fed.q.effective_lower_bound == 0.0
    model, fed = _fed({"fed.policy_rate": 0.001, "fed.inertia": 0.0}, inflation=-0.05)
    _run_to(model, fed, fed.next_meeting)
    assert fed.policy_rate == 0.0
    assert fed.expected_next >= 0.0


def test_the_balance_sheet_follows_the_schedule_as_of_the_start_date():
    model, fed = _fed()
    start = model.params["run.start_date"]
    assert start == "2025-11-21"
    qt_end, rmp, reduced = (trading_day_of(start, d) for d in ("2025-12-01", "2025-12-12", "2026-04-15"))
    assert (qt_end, rmp, reduced) == (6, 15, 103)
    paces = {}
    for day in (1, qt_end - 1, qt_end, rmp - 1, rmp, reduced - 1, reduced, 200):
        _run_to(model, fed, day)
        paces[day] = fed.pace
    assert list(paces.values()) == [-5.0, -5.0, 0.0, 0.0, 40.0, 40.0, 20.0, 20.0]
    # reserves: QT for 5 days, then $40bn a month of bills to mid-April, $20bn after
    month = fed.days_per_month
    expected = 2850.0 - 5.0 * 5 / month + 40.0 * (reduced - rmp) / month + 20.0 * (200 - reduced + 1) / month
    assert fed.reserves == pytest.approx(expected)
    assert 150.0 < fed.reserves - 2850.0 < 260.0
    # bills add no duration: only the five days of runoff took duration out of the Fed's holdings
    assert fed.duration_change == pytest.approx(-5.0 * 5 / month)


def test_a_balance_sheet_shock_replaces_the_schedule():
    model, fed = _fed()
    _run_to(model, fed, 3)
    fed.set_pace(100.0, duration_share=1.0)
    _run_to(model, fed, 40)
    assert fed.pace == 100.0 and not fed.scheduled
    assert fed.duration_change == pytest.approx(-5.0 * 3 / fed.days_per_month + 100.0 * 37 / fed.days_per_month)


def test_an_announced_pace_is_priced_for_its_expected_months_and_the_schedule_only_as_it_settles():
    model, fed = _fed()
    _run_to(model, fed, 3)
    assert fed.expected_duration_change(12.0) == fed.duration_change          # the schedule: realised only
    fed.set_pace(100.0, duration_share=0.5)
    assert fed.expected_duration_change(12.0) == pytest.approx(fed.duration_change + 12.0 * 50.0)
    fed.set_pace(-95.0, duration_share=0.5)                                   # runoff takes out all of it
    assert fed.expected_duration_change(6.0) == pytest.approx(fed.duration_change - 6.0 * 95.0)
    fed.set_pace(40.0, duration_share=0.0)                                    # bills: no duration
    assert fed.expected_duration_change(12.0) == fed.duration_change


def test_a_program_of_announced_length_is_priced_whole_and_stops_by_itself():
    model, fed = _fed()
    _run_to(model, fed, 3)
    before = fed.duration_change
    fed.set_pace(100.0, duration_share=1.0, months=2.0)      # from day 4 (the shock acts before the day's step)
    dpm = fed.days_per_month
    end = 3 + round(2.0 * dpm)
    assert fed.program_end == end
    assert fed.expected_duration_change(12.0) == pytest.approx(before + 100.0 * (end - 4) / dpm)
    _run_to(model, fed, 60)
    assert fed.pace == 0.0 and fed.program_end is None
    assert fed.duration_change == pytest.approx(before + 100.0 * (end - 4) / dpm)   # bought, then stopped
    assert fed.expected_duration_change(12.0) == fed.duration_change


def test_the_liquidity_signal_is_the_three_month_change_in_reserves():
    model, fed = _fed({"fed.balance_sheet_pace": -300.0, "fed.qt_end_date": "2030-01-01",
                       "fed.rmp_start_date": "2030-01-01", "fed.rmp_reduced_date": "2030-01-01"})
    month = fed.days_per_month
    _run_to(model, fed, month)
    assert fed.liquidity == pytest.approx(-0.3)               # USD trillions, since the window start
    _run_to(model, fed, 100)                                   # past the window: a 3-month change
    window = fed.q.liquidity_window_days - 1
    assert fed.liquidity == pytest.approx(-300.0 / month * window / 1000.0)


def test_a_fed_switched_off_keeps_rate_odds_and_path_but_draws_the_same_random_numbers():
    model, off = _fed({"fed.speech_noise": 0.001}, active=False, inflation=0.05)
    rate0, odds0, path0 = off.policy_rate, off.cut_prob, off.path_average(10.0)
    _run_to(model, off, 40)
    assert (off.policy_rate, off.cut_prob, off.path_average(10.0)) == (rate0, odds0, path0)
    model, on = _fed({"fed.speech_noise": 0.001}, inflation=0.05)
    _run_to(model, on, 40)
    assert on.policy_rate != rate0
    assert off.stream_rng.bit_generator.state == on.stream_rng.bit_generator.state


def test_the_fed_put_signals_a_cut_in_a_crash():
    model, fed = _fed({"fed.put_enabled": True})
    model.drawdown = fed.q.put_drawdown + 0.05
    model.vol.add_hedging_demand(1.0)                         # VOL_1M far above put_vol
    fed.pin_odds(0.05)
    model.day = 1
    fed.step()
    assert fed.cut_prob == pytest.approx(fed.q.put_cut_prob, abs=1e-9)


def test_by_default_the_committee_starts_at_the_stance_the_market_priced():
    """fed.start_stance = "market": the day-0 odds are the Committee's own (misreading 0) and the priced
    ones (the 21 Nov 2025 cut odds 0.709, no hike), and a rule that disagrees with the pricing does not surprise the first
    meeting — a hawkish rule with a hold priced (31 Jan 2018: hike odds ≈ 0) holds on most draws,
    where the rule alone hikes on all of them."""
    _, fed = _fed({"fed.start_stance": "market"})
    assert fed.misreading == 0.0
    assert fed.cut_prob == pytest.approx(fed.q.cut_prob, abs=1e-9) and fed.hike_prob < 1e-3
    _, fed = _fed({"fed.start_stance": "market", "fed.cut_prob": 0.0, "fed.hike_prob": 0.03,
                   "fed.last_move_direction": 1}, inflation=0.04)      # 26 Jan 2018's pricing, a hawkish rule
    assert fed.hike_prob == pytest.approx(0.03, abs=1e-9) and fed.cut_prob < 1e-3
    held = {}
    for stance in ("market", "rule"):
        held[stance] = 0
        for seed in range(40):
            model, fed = _fed({"fed.start_stance": stance, "fed.cut_prob": 0.0, "fed.hike_prob": 0.0,
                               "fed.last_move_direction": 1}, seed=seed, inflation=0.04)
            rate0 = fed.policy_rate
            _run_to(model, fed, fed.next_meeting)
            held[stance] += fed.policy_rate == rate0
    assert held["rule"] == 0 and held["market"] >= 36


def test_priced_odds_that_add_up_to_more_than_one_are_refused():
    with pytest.raises(InputError, match="fed.cut_prob"):
        _fed({"fed.start_stance": "market", "fed.cut_prob": 0.8, "fed.hike_prob": 0.3})
