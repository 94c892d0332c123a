"""Statistics of a stress test: Wilson intervals match statsmodels' reference implementation,
paired on/off changes use McNemar's exact test, and PRIM recovers a box planted in synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from interlock.experiments.stress.discovery import estimate, feature_ranking, paired_change, prim, wilson


@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (57, 100), (1, 1000),
                                 (999, 1000), (250, 256), (17, 40)])
def test_wilson_intervals_match_the_statsmodels_reference(k, n):
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    est = wilson(k, n)
    assert est.p == pytest.approx(k / n)
    assert (est.lo, est.hi) == pytest.approx((lo, hi), abs=1e-12)


def test_wilson_interval_matches_the_formula_computed_by_hand():
    # k = 8, n = 20, z = 1.959964: centre (0.4 + z²/40)/(1 + z²/20), half-width per Wilson (1927)
    z = 1.959963984540054
    p, n = 0.4, 20
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    est = wilson(8, 20)
    assert (est.lo, est.hi) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert (est.lo, est.hi) == pytest.approx((0.2188, 0.6134), abs=1e-4)


def test_undefined_runs_are_left_out_of_the_estimate():
    est = estimate([True, False, None, True, float("nan")])
    assert (est.k, est.n) == (2, 3)
    assert np.isnan(wilson(0, 0).p) and (wilson(0, 0).lo, wilson(0, 0).hi) == (0.0, 1.0)


def test_switching_a_class_off_is_judged_on_the_discordant_pairs_with_mcnemars_exact_test():
    on = [True] * 30 + [False] * 10
    off = [False] * 20 + [True] * 10 + [False] * 10       # 20 lost, 0 gained
    ch = paired_change(on, off)
    assert (ch.lost, ch.gained) == (20, 0)
    assert ch.delta == pytest.approx(-0.5)
    assert ch.p_value == pytest.approx(2 * 0.5 ** 20)      # two-sided exact binomial
    same = paired_change(on, on)
    assert same.p_value == 1.0 and same.delta == 0.0


def planted(seed: int, n: int = 2000, noise: float = 0.05):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(0, 1, (n, 6)), columns=[f"x{i}" for i in range(6)])
    inside = (X.x0 >= 0.2) & (X.x0 <= 0.6) & (X.x2 >= 0.5)
    y = inside.to_numpy() ^ (rng.random(n) < noise)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_recovers_a_planted_box(seed):
    """Claim holds for x0 in [0.2, 0.6] and x2 ≥ 0.5 (20% of the cube), with 5% of outcomes
    flipped at random. With that noise the true box covers ≈86% of the hits at density ≈95%;
    PRIM must find the same two restrictions, coverage ≥ 0.7, density ≥ 0.9, limits within 0.06."""
    X, y = planted(seed)
    res = prim(X, y)
    box = res.boxes[0]
    assert set(box.restricted) == {"x0", "x2"}
    assert box.coverage >= 0.7 and box.density >= 0.9
    lim = box.limits()
    assert lim["x0"][0] == pytest.approx(0.2, abs=0.06) and lim["x0"][1] == pytest.approx(0.6, abs=0.06)
    assert lim["x2"][0] == pytest.approx(0.5, abs=0.06)
    assert all(p < 1e-6 for p in box.quasi_p.values())
    assert res.base_rate == pytest.approx(y.mean())
    assert len(res.trajectory) > 10 and res.trajectory["density"].iloc[-1] > res.base_rate


def test_prim_finds_no_box_when_the_outcome_is_pure_noise():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.uniform(0, 1, (1000, 4)), columns=list("abcd"))
    y = rng.random(1000) < 0.3
    res = prim(X, y)
    assert all(b.density < 0.6 for b in res.boxes)
    assert prim(X, np.zeros(1000, dtype=bool)).boxes == []


def test_feature_ranking_puts_the_planted_parameters_first():
    X, y = planted(3)
    rank = feature_ranking(X, y)
    assert set(rank["parameter"].iloc[:2]) == {"x0", "x2"}
    assert (rank["p_value"].iloc[:2] < 1e-10).all() and (rank["p_value"].iloc[2:] > 1e-3).all()
    assert rank.set_index("parameter").loc["x2", "direction"] == "higher"
