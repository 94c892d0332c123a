"""The leverage-cycle instability (MODEL.md §6.4, Aymanns & Farmer 2015): as vol-target AUM or
leverage grows past a threshold, the calm regime gives way to endogenous boom–bust behaviour —
larger crashes, fat tails and wide swings of the funds' exposure — measured with the validation's
`leverage_cycle` function (the one behind section 4 of `interlock validate`).

Size: one seed, 800 days with the first 200 dropped, and 5,000 crypto holder rows (each row stands
for more people; totals are unchanged), against 1,500 days × 2 seeds in the full report. The full
report puts the AUM threshold near $1,000bn (2.5× the default $400bn; docs/validation.md)."""

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
    print("threshold:", lc.threshold)


def _calm_then_boom_bust(lc: V.LeverageCycle) -> None:
    calm, wild = 0, len(lc.values) - 1
    assert all(math.isfinite(x) for x in lc.largest_loss + lc.kurtosis + lc.exposure_sd)
    # the default sits in the calm regime: the funds' feedback only colours the noise
    assert lc.largest_loss[calm] < 0.05 and abs(lc.kurtosis[calm]) < 3.0
    # past the threshold: the sweep finds it, and crashes, tails and exposure swings all grow
    assert lc.threshold is not None and lc.values[calm] < lc.threshold <= lc.values[wild]
    assert lc.largest_loss[wild] > 2.0 * lc.largest_loss[calm]
    assert lc.kurtosis[wild] > 10.0
    assert lc.exposure_sd[wild] > 2.0 * lc.exposure_sd[calm]


def test_past_a_threshold_in_vol_target_aum_the_calm_regime_gives_way_to_boom_bust():
    default = _default("vol_target.aum")
    lc = V.leverage_cycle((default, 4 * default), key="vol_target.aum", **SIZE)
    _show(lc)
    _calm_then_boom_bust(lc)


def test_past_a_threshold_in_vol_target_leverage_the_calm_regime_gives_way_to_boom_bust():
    default = _default("vol_target.max_leverage")
    lc = V.leverage_cycle((default, 4 * default), key="vol_target.max_leverage", **SIZE)
    _show(lc)
    _calm_then_boom_bust(lc)
    assert lc.values[-1] == pytest.approx(6.0)            # 4 × the S&P Risk Control indices' 150% cap
