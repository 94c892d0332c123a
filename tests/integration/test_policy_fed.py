"""The Fed moves when its rule says so, and the rule reacts to inflation and to unemployment in the
right direction and size (issue #13, "Done when"); each shock against the same seed without it.
Bands set from the sources before any model run (docs/validation.md, "Policy transmission"):

* baseline from 21 Nov 2025: the market priced a December cut at 70.9% (C10) and the SEP median has
  3.4% at the end of 2026 (C12) ⇒ at least one cut in the first two meetings in ≥ 7 of 10 seeds, no
  seed without a move, 1–4 cuts in 252 days in a calm year (in a year whose S&P falls 20% or more from
  its peak the rule's growth outlook reads the wealth effect and the Fed eases more — 2008, 2020);
* core inflation +1pp (persistent): the target +1.5pp (C2) ⇒ the rate never below the same seed's and
  +25 … +125bp above it after four meetings;
* unemployment +0.5pp (output gap −1pp, Okun, C5): never above, −25 … −100bp after four meetings;
* political pressure of 0.5pp: −25 … −50bp within four meetings;
* the stagflation copy (+17pp tariff): the sign is ambiguous by design (tariff inflation is partly
  looked through, growth falls); the Fed's path differs from the same seed's in ≥ 5 of 10 seeds, by at
  most 75bp over four meetings.
"""

from __future__ import annotations

import numpy as np
import pytest
from policy_runs import meeting_days, meeting_rates, run

from interlock.config import Params
from interlock.model.shocks.policy import FedIndependence, MacroSurprise, Tariff

P = Params.defaults()
MEETINGS = meeting_days()                     # the FOMC calendar from the baseline's start: 13, 48, 83, …
GAP = max(np.diff(MEETINGS[:8]))              # the longest spacing of consecutive meetings
STEP = P["fed.step"]


def test_the_baseline_fed_moves_when_its_rule_says_so():
    """…and does not undo a move at the next meeting (fed.reversal_threshold_steps; none in the FOMC's
    record since 1994). With rounding alone (0.5) seed 5 cut twice, hiked on day 109, cut on day 141,
    cut twice more and hiked on day 237: a shadow rate near a half step, rounded."""
    rows, reversals = [], []
    for seed in range(1, 11):
        ts = run(252, seed)
        rate = ts["policy_rate"].to_numpy()
        moves = np.diff(rate)
        cuts = int((moves < -1e-9).sum())
        early = bool((rate[MEETINGS[1]] < rate[0] - 1e-9))
        spx = ts["SPX"].to_numpy()
        drawdown = float((1 - spx / np.maximum.accumulate(spx)).max())
        rows.append((seed, cuts, int((np.abs(moves) > 1e-9).sum()), early, drawdown, rate[-1]))
        at = np.flatnonzero(np.abs(moves) > 1e-9)
        direction = np.sign(moves[at])
        reversals.append(int(((direction[1:] != direction[:-1]) & (np.diff(at) <= GAP)).sum()))
    print("seed, cut decisions, moves, a cut in the first two meetings, max S&P drawdown, rate at day 252:")
    for r in rows:
        print("  ", r[0], r[1], r[2], r[3], round(r[4], 3), round(r[5] * 100, 3))
    assert sum(r[3] for r in rows) >= 7
    assert all(r[2] >= 1 for r in rows)
    calm = [r for r in rows if r[4] < 0.20]
    assert len(calm) >= 5
    assert all(1 <= r[1] <= 4 for r in calm)
    assert reversals == [0] * len(rows)
    stressed = [r for r in rows if r[4] >= 0.20]
    assert np.mean([r[5] for r in stressed]) < np.mean([r[5] for r in calm])   # deep sell-offs: more easing


def _meeting_gap(shock, seeds=(1, 2, 3), meetings=4) -> np.ndarray:
    days = MEETINGS[meetings - 1] + 1
    gaps = []
    for seed in seeds:
        base = meeting_rates(run(days, seed, []), MEETINGS[:meetings])
        hit = meeting_rates(run(days, seed, [shock]), MEETINGS[:meetings])
        gaps.append(hit - base)
    return np.array(gaps)


@pytest.fixture(scope="module")
def inflation_gaps():
    gaps = _meeting_gap(MacroSurprise(at=2, inflation=0.01))
    print("policy rate vs the same seed after each meeting (bp):", np.round(gaps * 1e4).tolist())
    return gaps


def test_an_inflation_shock_makes_the_fed_hike_or_cut_less(inflation_gaps):
    assert (inflation_gaps >= -1e-9).all()
    assert (inflation_gaps[:, -1] >= 0.0025 - 1e-9).all()


def test_after_four_meetings_the_inflation_response_is_within_the_partial_adjustment_band(inflation_gaps):
    """Fragile, by the 25bp grid: the rule's own expected response (shadow rate +120…133bp over seeds
    1–20; 1.5pp × (1 − 0.6⁴) = 1.31pp) lies above the band's top, so whether a seed ends at +125 or
    +150bp is the rounding of two paths. Seed 2 was +150bp (a strict xfail) until the shock day's
    repricing moved the volatility state (docs/validation.md, Policy days); it is +125bp now."""
    assert (inflation_gaps[:, -1] <= 0.0125 + 1e-9).all()


def test_a_rise_in_unemployment_makes_the_fed_cut():
    gaps = _meeting_gap(MacroSurprise(at=2, unemployment=0.005))
    print("policy rate vs the same seed after each meeting (bp):", np.round(gaps * 1e4).tolist())
    assert (gaps <= 1e-9).all()
    assert ((gaps[:, -1] <= -0.0025 + 1e-9) & (gaps[:, -1] >= -0.01 - 1e-9)).all()


def test_political_pressure_lowers_the_rate_within_four_meetings():
    gaps = _meeting_gap(FedIndependence(at=2, duration=5, pressure=0.005))
    print("policy rate vs the same seed after each meeting (bp):", np.round(gaps * 1e4).tolist())
    assert ((gaps[:, -1] <= -0.0025 + 1e-9) & (gaps[:, -1] >= -0.005 - 1e-9)).all()


def test_stagflation_moves_the_fed_by_a_bounded_amount_either_way():
    gaps = _meeting_gap(Tariff(at=2, rate=0.17), seeds=range(1, 11))
    print("+17pp tariff: policy rate vs the same seed after each meeting (bp):", np.round(gaps * 1e4).tolist())
    moved = (np.abs(gaps) > 1e-9).any(axis=1)
    assert moved.sum() >= 5
    assert (np.abs(gaps) <= 0.0075 + 1e-9).all()


@pytest.mark.parametrize("scenario", ["stagflation_tariffs", "political_easing_2026", "fed_whiplash"])
def test_the_policy_scenarios_run_stably(scenario):
    ts, m = run(126, 1, scenario=scenario, keep=True)
    try:
        assert m.stability()["stable"], m.stability()
        assert np.isfinite(ts[["policy_rate", "cut_prob", "UST10_yield", "fair_yield"]].to_numpy()).all()
    finally:
        m.release()
