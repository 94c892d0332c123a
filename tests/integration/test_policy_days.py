"""Policy days beside history, out of sample (issue #13; `interlock.experiments.validation.policy_days`):
18 Dec 2024 (hawkish FOMC projections), 2 Aug 2024 (a jobs-report growth scare), 13 Sep 2022 (a hot
CPI) and 10 Nov 2022 (a cool one), each replayed as one shock on day 20 of the baseline against the same seed without it, seeds
1–5. The landing ranges were written before any model run (docs/validation.md, "Policy days"); the
model's median must land.

The rates and the odds land; BTC falls with the S&P on each day. What misses is the size of the
equity move — a third to a fifth of the day's, about the same ratio on all four days — and with it
implied vol on the bad-news days, which answers a day's fall as the VIX does on average (K ≈ 28) but
cannot rise by 5–12 points for a 1% fall. The days were picked because they were large (the tail of
the news, not its average). Those rows are strict expected failures: the day the model lands them, the mark must go.
"""

from __future__ import annotations

import math

import pytest

from interlock.experiments.validation import policy_days as P

DOCUMENTED_MISSES = {
    ("fomc_dec2024", "S&P on the day"): "docs/validation.md (Policy days): −0.97% against −2.95% (range −5 … −1%): "
                                        "−1.02% landed by a hair until a reversal needed a whole step's gap "
                                        "(fed.reversal_threshold_steps): after the Oct 2025 cut the hawkish path "
                                        "moves less (10-year +7.3bp against +7.7bp)",
    ("fomc_dec2024", "VOL_1M on the day"): "docs/validation.md (Policy days): +0.6 points against +11.7 (range "
                                           "+2 … +15) — implied vol answers the model's −1.05% as a −1% day",
    ("jobs_aug2024", "S&P on the day"): "docs/validation.md (Policy days): −0.33% against −1.84% — the earnings news "
                                        "(−1.6%) is mostly offset by the lower expected path",
    ("jobs_aug2024", "VOL_1M on the day"): "docs/validation.md (Policy days): +0.1 points against +4.8",
    ("cpi_sep2022", "S&P on the day"): "docs/validation.md (Policy days): −1.00% against −4.32% (range −6 … −1.5%)",
    ("cpi_sep2022", "VOL_1M on the day"): "docs/validation.md (Policy days): +0.5 points against +3.4",
    ("cpi_nov2022", "S&P on the day"): "docs/validation.md (Policy days): +1.45% against +5.54% (range +2 … +8%)",
    ("cpi_nov2022", "BTC on the day"): "docs/validation.md (Policy days): +2.99% against +10% (range +3 … +15%): "
                                       "+3.02% landed by a hair until the run started at the buybacks' steady state",
}

CASES = [(d.name, q.name) for d in P.POLICY_DAYS for q in d.quantities if q.banded]


@pytest.fixture(scope="module")
def replays() -> dict[str, dict[str, object]]:
    return {d.name: {r.quantity: r for r in P.replay_policy_day(d, P.SEEDS)} for d in P.POLICY_DAYS}


@pytest.mark.parametrize("day,quantity", [
    pytest.param(d, q, marks=pytest.mark.xfail(strict=True, reason=DOCUMENTED_MISSES[(d, q)]))
    if (d, q) in DOCUMENTED_MISSES else (d, q) for d, q in CASES])
def test_the_policy_day_lands_in_the_range_written_before_the_run(replays, day, quantity):
    row = replays[day][quantity]
    print(f"{day} {quantity}: history {P.show(row.history, row.unit)}, model median {P.show(row.median, row.unit)} "
          f"({P.show(min(row.model), row.unit)} … {P.show(max(row.model), row.unit)}), "
          f"range {P.show(row.lo, row.unit)} … {P.show(row.hi, row.unit)}")
    assert len(row.model) == len(P.SEEDS) and all(math.isfinite(x) for x in row.model)
    assert row.lo <= row.median <= row.hi


def test_on_every_policy_day_the_sp500_implied_vol_and_btc_move_as_they_did_on_every_seed(replays):
    """The direction of every market on each day, seed by seed, as in history: bad news for stocks is
    bad news for BTC (a growth scare too, though the expected path falls) and raises implied vol; good
    news (a cool CPI) lifts both and lowers implied vol."""
    for day, rows in replays.items():
        sign = math.copysign(1.0, rows["S&P on the day"].history)
        for k in range(len(P.SEEDS)):
            assert sign * rows["S&P on the day"].model[k] > 0, (day, k)
            assert sign * rows["VOL_1M on the day"].model[k] < 0, (day, k)        # against the S&P
            assert sign * rows["BTC on the day"].model[k] > 0, (day, k)
