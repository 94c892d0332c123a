"""The leverage cycle (MODEL.md §6.4, Aymanns & Farmer 2015): as vol-target AUM or leverage grows,
the funds' daily feedback (prices → realised vol → target leverage → flows) deepens the crashes —
measured with the validation's `leverage_cycle` function (the one behind section 4 of `interlock
validate`). Since issue #12 the news process makes the fat tails and the intraday cascade is
bounded by construction, so what is asserted is a change of regime in the crashes — from at most one
day below −5% in 600 at the default to recurring crash days at 4× (thresholds written before the
sweep was run) — not a bifurcation into an exposure boom–bust (no exposure cycle appears up to 4×
the default: docs/validation.md).

Size: one seed, 800 days with the first 200 dropped, and 5,000 crypto holder rows (each row stands
for more people; totals are unchanged), against 1,500 days × 2 seeds in the full report. The full
report measures the threshold (docs/validation.md)."""

from __future__ import annotations

import math

import pytest

from interlock.config import param_specs
from interlock.experiments.validation import checks as V

SIZE = {"days": 800, "burn_in": 200, "seeds": (1,), "overrides": {"retail_crypto.n_holders": 5000}}


def _default(key: str) -> float:
    return float(param_specs()[key].default)


def _show(lc: V.LeverageCycle) -> None:
    for v, lo, k, sd, vol in zip(lc.values, lc.largest_loss, lc.kurtosis, lc.exposure_sd, lc.spx_vol):
        print(f"{lc.key} = {v:g}: largest daily loss {lo:.1%}, excess kurtosis {k:.1f}, "
              f"exposure s.d. {sd:.3f}, SPX vol {vol:.3f}")
    print("days below −5%:", lc.crash_days)
    print("threshold:", lc.threshold)


def _feedback_deepens_crashes(lc: V.LeverageCycle) -> None:
    calm, wild = 0, len(lc.values) - 1
    assert all(math.isfinite(x) for x in lc.largest_loss + lc.kurtosis + lc.exposure_sd)
    # at the default the funds' feedback stays small: no day worse than the news alone can do
    assert lc.largest_loss[calm] < 0.06
    # at 4× the tails fatten
    assert lc.kurtosis[wild] > lc.kurtosis[calm]
    # the regime change, stated before the sweep was run: at the default the scored 600 days hold at
    # most one day below −5% (the news alone); at 4× the funds make crashes a recurring state, at
    # least three such days and at least twice the default's count plus two
    assert lc.crash_days[calm] <= 1
    assert lc.crash_days[wild] >= max(3, 2 * lc.crash_days[calm] + 2)


@pytest.fixture(scope="module")
def aum_sweep() -> V.LeverageCycle:
    default = _default("vol_target.aum")
    lc = V.leverage_cycle((default, 4 * default), key="vol_target.aum", **SIZE)
    _show(lc)
    return lc


def test_past_a_threshold_in_vol_target_aum_the_funds_deepen_the_crashes(aum_sweep):
    _feedback_deepens_crashes(aum_sweep)


def test_at_four_times_the_aum_the_largest_daily_loss_grows_by_half(aum_sweep):
    """One path's worst day, so fragile (docs/validation.md, "Not done / known misses"): 5.1% → 7.9%
    (1.55×) since news.market_mean_slope 0.04; it was 1.30× (a strict xfail) at 0.12."""
    calm, wild = 0, len(aum_sweep.values) - 1
    assert aum_sweep.threshold is not None and aum_sweep.values[calm] < aum_sweep.threshold <= aum_sweep.values[wild]
    assert aum_sweep.largest_loss[wild] > 1.5 * aum_sweep.largest_loss[calm]


def test_a_higher_leverage_cap_widens_the_funds_exposure_swings_and_stays_finite():
    """Targets σ*/σ̂ rarely exceed 1.5 (σ* 5–18%, the news keeps realised vol above ≈ 7%), so a 4× cap
    lets the funds swing wider without deepening the crashes (measured: largest daily loss 5.2% →
    5.3%, exposure s.d. 0.25 → 0.33; docs/validation.md)."""
    default = _default("vol_target.max_leverage")
    lc = V.leverage_cycle((default, 4 * default), key="vol_target.max_leverage", **SIZE)
    _show(lc)
    assert all(math.isfinite(x) for x in lc.largest_loss + lc.kurtosis + lc.exposure_sd)
    assert lc.exposure_sd[1] > 1.2 * lc.exposure_sd[0]
    assert lc.largest_loss[1] >= 0.9 * lc.largest_loss[0]
    assert lc.values[-1] == pytest.approx(6.0)            # 4 × the S&P Risk Control indices' 150% cap
