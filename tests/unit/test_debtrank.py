"""DebtRank (Battiston et al. 2012; `model/interlock/values.debtrank`): distress spreads from a
shocked firm to the firms exposed to it in proportion to exposure / capital, each firm passes its
distress on once, and distress stays between 0 (none) and 1 (default)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interlock.model.interlock.values import debtrank


def test_distress_spreads_along_a_chain_of_lenders_in_proportion_to_exposure_over_capital():
    # firm 0 lent 50 to firm 1 and has capital 100 (W = 0.5); firm 2 lent 300 to firm 0 and has
    # capital 100 (W capped at 1). Firm 1 loses 40% of its value.
    exposure = np.array([[0.0, 50.0, 0.0],
                         [0.0, 0.0, 0.0],
                         [300.0, 0.0, 0.0]])
    h = debtrank(exposure, np.array([100.0, 80.0, 100.0]), np.array([0.0, 0.4, 0.0]))
    assert h == pytest.approx([0.5 * 0.4, 0.4, 1.0 * 0.5 * 0.4])


def test_each_firm_passes_its_distress_on_once_so_a_loop_does_not_amplify_forever():
    # two firms each exposed to half the other's capital: 0 → 1 once, then 1 → 0 once, and stop
    exposure = np.array([[0.0, 50.0], [50.0, 0.0]])
    h = debtrank(exposure, np.array([100.0, 100.0]), np.array([0.4, 0.0]))
    assert h == pytest.approx([0.4 + 0.5 * 0.2, 0.5 * 0.4])


def test_a_firm_exposed_beyond_its_capital_defaults_and_no_more():
    exposure = np.array([[0.0, 500.0], [0.0, 0.0]])
    h = debtrank(exposure, np.array([100.0, 100.0]), np.array([0.0, 0.6]))
    assert h[0] == pytest.approx(0.6)                     # W = min(1, 500/100) = 1
    h = debtrank(exposure, np.array([100.0, 100.0]), np.array([0.0, 1.0]))
    assert h[0] == 1.0


def test_firms_not_exposed_to_the_distressed_ones_stay_undistressed():
    exposure = np.array([[0.0, 10.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    h = debtrank(exposure, np.full(3, 100.0), np.array([0.0, 0.0, 0.9]))
    assert h == pytest.approx([0.0, 0.0, 0.9])


@st.composite
def networks(draw):
    n = draw(st.integers(1, 7))
    exposure = draw(hnp.arrays(float, (n, n), elements=st.floats(0.0, 1e4)))
    np.fill_diagonal(exposure, 0.0)
    capital = draw(hnp.arrays(float, n, elements=st.one_of(st.floats(-10.0, 0.0), st.floats(1e-3, 1e4))))
    h0 = draw(hnp.arrays(float, n, elements=st.floats(-0.5, 1.5)))
    return exposure, capital, h0


@settings(max_examples=200, deadline=None)
@given(networks())
def test_distress_is_bounded_by_zero_and_default_and_never_below_the_initial_shock(net):
    exposure, capital, h0 = net
    h = debtrank(exposure, capital, h0)
    assert ((h >= 0.0) & (h <= 1.0)).all()
    assert (h >= np.clip(h0, 0.0, 1.0) - 1e-12).all()
    # a firm without capital is not hurt through exposures (its weights are 0)
    hurt = h > np.clip(h0, 0.0, 1.0) + 1e-12
    assert not (hurt & (capital <= 0)).any()


@settings(max_examples=100, deadline=None)
@given(networks())
def test_without_exposures_distress_stays_where_it_started(net):
    _, capital, h0 = net
    h = debtrank(np.zeros((len(h0), len(h0))), capital, h0)
    assert h == pytest.approx(np.clip(h0, 0.0, 1.0))
