"""How likely a claim is, and whether switching a class off changes it: Wilson score intervals
match statsmodels and the published worked examples; the on/off change is McNemar's exact test on
the discordant pairs, matching statsmodels and the textbook example."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from interlock.experiments.stress.discovery import estimate, paired_change, wilson


# ----- Wilson ------------------------------------------------------------------------------------
@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (57, 100), (1, 1000),
                                 (999, 1000), (250, 256), (17, 40)])
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_wilson_intervals_match_the_statsmodels_reference(k, n, confidence):
    lo, hi = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    est = wilson(k, n, confidence=confidence)
    assert est.p == pytest.approx(k / n)
    assert (est.lo, est.hi) == pytest.approx((lo, hi), abs=1e-12)


@pytest.mark.parametrize("k,n,lo,hi", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                       (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_intervals_match_newcombes_published_examples(k, n, lo, hi):
    """Newcombe (1998), 'Two-sided confidence intervals for the single proportion: comparison of
    seven methods', Statistics in Medicine 17, Table II, method 3 (score interval, no continuity
    correction), 95%, four decimals."""
    est = wilson(k, n)
    assert (est.lo, est.hi) == pytest.approx((lo, hi), abs=5e-5)


def test_wilson_interval_matches_the_formula_computed_by_hand():
    # k = 8, n = 20, z = 1.959964: centre (0.4 + z²/40)/(1 + z²/20), half-width per Wilson (1927)
    z = 1.959963984540054
    p, n = 0.4, 20
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    est = wilson(8, 20)
    assert (est.lo, est.hi) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert (est.lo, est.hi) == pytest.approx((0.2188, 0.6134), abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 5000), share=st.floats(0, 1))
def test_a_wilson_interval_holds_its_estimate_inside_0_1_and_narrows_with_more_runs(n, share):
    k = round(share * n)
    est = wilson(k, n)
    eps = 1e-12     # at k = 0 (k = n) the bound is 0 (1) up to round-off, e.g. lo = 2.8e-17 for 0 of 4
    assert 0.0 <= est.lo <= est.p + eps and est.p - eps <= est.hi <= 1.0
    wider = wilson(k, n, confidence=0.99)
    assert wider.lo <= est.lo + eps and wider.hi >= est.hi - eps
    more = wilson(4 * k, 4 * n)                       # same share, four times the runs
    assert more.hi - more.lo < est.hi - est.lo


def test_impossible_counts_are_refused_and_no_runs_give_the_whole_unit_interval():
    for k, n in ((3, 2), (-1, 5), (0, -1)):
        with pytest.raises(ValueError, match="0 ≤ k ≤ n"):
            wilson(k, n)
    none = wilson(0, 0)
    assert math.isnan(none.p) and (none.lo, none.hi) == (0.0, 1.0)
    assert str(none) == "n/a (no defined runs)"
    assert str(wilson(12, 12)) == "100% [76%, 100%]"


def test_undefined_runs_are_left_out_of_the_estimate():
    est = estimate([True, False, None, True, float("nan")])
    assert (est.k, est.n) == (2, 3)
    assert est == wilson(2, 3)


# ----- McNemar -----------------------------------------------------------------------------------
def _pairs(both: int, lost: int, gained: int, neither: int) -> tuple[list[bool], list[bool]]:
    """Paired outcomes (class on, class off) with the given counts of each kind of pair."""
    on = [True] * both + [True] * lost + [False] * gained + [False] * neither
    off = [True] * both + [False] * lost + [True] * gained + [False] * neither
    return on, off


def test_switching_a_class_off_is_judged_on_the_discordant_pairs_with_mcnemars_exact_test():
    on = [True] * 30 + [False] * 10
    off = [False] * 20 + [True] * 10 + [False] * 10       # 20 lost, 0 gained
    ch = paired_change(on, off)
    assert (ch.lost, ch.gained) == (20, 0)
    assert ch.delta == pytest.approx(-0.5)
    assert ch.p_value == pytest.approx(2 * 0.5 ** 20)      # two-sided exact binomial
    same = paired_change(on, on)
    assert same.p_value == 1.0 and same.delta == 0.0


def test_mcnemar_matches_the_textbook_example_and_statsmodels():
    """Agresti, Categorical Data Analysis (2nd ed. 2002), Table 10.1: presidential approval of 1600
    people in two surveys — 794 approve both times, 150 approve then disapprove, 86 the reverse,
    570 disapprove both times. Agresti's McNemar statistic is z² = (150 − 86)² / 236 = 17.36; the
    exact test on the 236 discordant pairs is the binomial test of 86 of 236 against ½."""
    on, off = _pairs(794, 150, 86, 570)
    ch = paired_change(on, off)
    assert (ch.lost, ch.gained) == (150, 86)
    assert (150 - 86) ** 2 / (150 + 86) == pytest.approx(17.36, abs=0.005)
    reference = mcnemar(np.array([[794, 150], [86, 570]]), exact=True).pvalue
    assert ch.p_value == pytest.approx(reference, rel=1e-9)
    assert ch.p_value == pytest.approx(2 * stats.binom.cdf(86, 236, 0.5), rel=1e-9)
    assert ch.on.p == pytest.approx(944 / 1600) and ch.off.p == pytest.approx(880 / 1600)


@settings(max_examples=100, deadline=None)
@given(both=st.integers(0, 40), lost=st.integers(0, 40), gained=st.integers(0, 40), neither=st.integers(0, 40))
def test_mcnemar_depends_only_on_the_discordant_pairs_and_matches_statsmodels(both, lost, gained, neither):
    on, off = _pairs(both, lost, gained, neither)
    ch = paired_change(on, off)
    assert (ch.lost, ch.gained) == (lost, gained)
    if lost + gained:
        reference = mcnemar(np.array([[both, lost], [gained, neither]]), exact=True).pvalue
        assert ch.p_value == pytest.approx(min(1.0, reference), rel=1e-9)
    else:
        assert ch.p_value == 1.0
    # concordant pairs carry no information about the change; swapping on and off keeps p
    assert paired_change(*_pairs(0, lost, gained, 0)).p_value == pytest.approx(ch.p_value)
    assert paired_change(off, on).p_value == pytest.approx(ch.p_value)


def test_a_pair_with_an_undefined_run_is_dropped():
    on = [True, True, None, True, False]
    off = [False, None, False, True, False]
    ch = paired_change(on, off)
    assert (ch.on.n, ch.off.n) == (3, 3) and (ch.lost, ch.gained) == (1, 0)
