"""Implied vol answers a day's news as the VIX does (issue #12 item 4; docs/validation.md, "Implied
vol"): on the S&P's down days of 2014–17 the VIX's rise is quadratic in the return, ΔVIX² ≈ K·r²
(VIX points, r in %) with K ≈ 25–34 in every bin — GJR's news impact. The band is the data's: the
interquartile range of K over the 36 days of 2014–17 with a fall of 1.5% or more (in sample for the
shape; `news.exogenous_variance_impact` itself is the α + γ of a GJR-GARCH fitted to the S&P's
returns, not to the VIX). 2018 is held out of the band: its K, ≈ 24, is reported beside it."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.experiments.validation import episodes as E

POOLED = (-10.0, -1.5)


@pytest.fixture(scope="module")
def band() -> tuple[float, float]:
    n, _, p25, p75 = E.vix_response_k()[POOLED]
    assert n >= 30
    return p25, p75


def test_the_data_response_is_quadratic_in_the_return_in_every_bin():
    k = E.vix_response_k()
    medians = [k[b][1] for b in E.VIX_RESPONSE_BINS]
    assert all(20.0 < m < 40.0 for m in medians)               # the same K from −1.5% to below −3%
    assert max(medians) / min(medians) < 1.5


def test_from_a_normal_start_vol_1m_rises_as_the_vix_does_on_a_down_day(band):
    """Baseline start (VOL_1M ≈ 20): a −2%, −3% and −4% scenario drop, every class on, 5 seeds. Before
    the GJR news impact (an EGARCH draw capped at 4σ) the medians were K ≈ 87, 66 and 34."""
    r = E.vol_response("baseline")
    print("\n" + r.table(), "\nband (2014–17 IQR):", band)
    for d in r.drops:
        assert band[0] <= np.median(r.k(d)) <= band[1], d
        # a day that fell 1.5% or more lifts VOL_1M (the day's own draw can offset a drop: then it may not)
        assert all(x > 0 for x, ret in zip(r.rise[d], r.ret[d]) if ret <= -1.5)


@pytest.fixture(scope="module")
def calm_start():
    r = E.vol_response("episode_feb2018", drops=(-0.02, -0.03))
    print("\n" + r.table())
    return r


CALM_MISS = ("docs/validation.md (Implied vol): the median over 5 seeds is 39.8 (18 … 51) against the IQR's top "
             "38.9 since the Feb 2018 start's Fed no longer hikes 50bp on 31 Jan (the FOMC held; it was 34, "
             "20 … 55, before) — a 5-seed median of a quantity whose seeds span a factor of three")


@pytest.mark.parametrize("drop", [pytest.param(-0.02, marks=pytest.mark.xfail(strict=True, reason=CALM_MISS)), -0.03])
def test_from_a_calm_start_vol_1m_rises_as_the_vix_does_on_a_down_day(band, calm_start, drop):
    """February 2018's calm start (VOL_1M ≈ 13): the same K as from a normal start — the data's K does
    not depend on the VIX's level (11–28). It was 43 for −2% (a strict xfail) while a hedging term per σ
    of fall beyond −2σ came on top of GJR's news impact (`vol.hedging_per_sigma` 0.02, now 0). −4%
    is left out: from this start the day's return is ≈ −5.8%, beyond the data's down days."""
    assert band[0] <= np.median(calm_start.k(drop)) <= band[1]
