"""The retail population's rows as cohorts (issue #16): whatever the resolution — how many rows,
how many of them leveraged, rows of equal people or of equal wealth — the population is the same
people holding the same money; the review blocks are replicas of the population's wealth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from crypto_helpers import SHOWN_EQUIVALENT, crypto_model

from interlock.config import Params
from interlock.errors import InputError

DEFAULTS = Params.defaults()
Q = DEFAULTS.section("retail_crypto")


def population(**overrides):
    model = crypto_model({f"retail_crypto.{k}": v for k, v in overrides.items()})
    return model, model.population("retail_crypto")


def spot_wealth(pop) -> np.ndarray:
    nl = pop.n_lev
    return pop.holder_cash[nl:] + pop.btc[nl:] + pop.eq_shares[nl:]       # prices and NAV are 1 at the start


@pytest.mark.parametrize("sampling", ["people", "wealth"])
@pytest.mark.parametrize("rows,row_share", [(2000, 0.1), (3000, 0.5)])
def test_every_resolution_is_the_same_people_holding_the_same_money(sampling, rows, row_share):
    model, pop = population(n_holders=rows, leveraged_row_share=row_share, row_sampling=sampling)
    try:
        nl = pop.n_lev
        assert nl == round(rows * row_share)
        np.testing.assert_allclose(pop.weight.sum(), Q["people"], rtol=1e-12)
        np.testing.assert_allclose(pop.weight[:nl].sum(), Q["people"] * Q["leveraged_share"], rtol=1e-12)
        np.testing.assert_allclose([pop.btc[nl:].sum(), pop.eq_shares[nl:].sum(), pop.holder_cash[nl:].sum()],
                                   [Q["btc_holdings_bn"], Q["equity_holdings_bn"], Q["cash_bn"]], rtol=1e-9)
        assert (pop.weight > 0).all()
    finally:
        model.release()


def test_wealth_sampled_rows_carry_the_sampling_noise_of_all_rows_and_people_sampled_rows_of_few():
    """Effective number of rows (Σw)² / Σw² of the spot rows' money: ≈ N · exp(−σ²) when every row
    stands for the same people (lognormal wealth), close to N when every row holds the same money."""
    n_eff = {}
    for sampling in ("people", "wealth"):
        model, pop = population(n_holders=20000, row_sampling=sampling)
        try:
            w = spot_wealth(pop)
            n_eff[sampling] = w.sum() ** 2 / (w ** 2).sum() / w.size
        finally:
            model.release()
    assert n_eff["people"] == pytest.approx(math.exp(-Q["wealth_sigma"] ** 2), rel=0.35)
    assert n_eff["wealth"] > 0.5


@pytest.mark.parametrize("sampling", ["people", "wealth"])
def test_each_spot_row_reviews_on_one_day_of_the_cycle_and_the_blocks_hold_alike_money(sampling):
    model, pop = population(n_holders=5003, review_days=5, row_sampling=sampling)
    try:
        blocks = [pop.review_rows(d) for d in range(pop.review_days)]
        covered = np.concatenate([np.arange(b.start, b.stop) for b in blocks])
        np.testing.assert_array_equal(covered, np.arange(pop.n_lev, pop.N))      # a partition, in order
        w = spot_wealth(pop)
        totals = np.array([w[b.start - pop.n_lev: b.stop - pop.n_lev].sum() for b in blocks])
        assert totals.max() / totals.min() < 1.05                            # dealt by wealth rank
        for d, b in enumerate(blocks):                                       # ordered by venue inside
            assert (np.diff(pop.venue[b]) >= 0).all()
    finally:
        model.release()


def test_a_row_share_that_leaves_no_leveraged_row_is_refused():
    p = DEFAULTS.with_overrides({"retail_crypto.n_holders": 100, "retail_crypto.leveraged_row_share": 0.001}, "test")
    from interlock.model.model import CapitalFlowModel
    with pytest.raises(InputError, match="leveraged_row_share"):
        CapitalFlowModel(p, seed=1)


def test_the_default_population_is_the_one_the_equivalence_benchmark_accepted():
    """Changing the default resolution needs a new run of benchmarks/bench_population.py."""
    assert {k: DEFAULTS[k] for k in SHOWN_EQUIVALENT} == SHOWN_EQUIVALENT
